"""指挥大屏 in a real browser (Debian's Chromium) against `gridgov demo` + `gridgov serve`: refreshed 50 times at a
fast interval (?every=0.2&etag=0: every poll redraws), the page keeps the same number of DOM nodes, Leaflet layers
and ECharts instances, and one timer — it can run all day (counts, not heap timings)."""

from .test_dashboard_browser import sign_in

COUNTS = """() => ({
  refreshes: window.gridgovScreen.state.refreshes,
  changed: window.gridgovScreen.state.changed,
  errors: window.gridgovScreen.state.errors,
  nodes: document.getElementsByTagName('*').length,
  layers: Object.keys(window.gridgovScreen.map._layers).length,
  markers: window.gridgovScreen.markers.getLayers().length,
  echarts: document.querySelectorAll('[_echarts_instance_]').length,
  canvases: document.querySelectorAll('canvas').length,
})"""


def test_fifty_refreshes_leave_the_page_the_same_size(server, browser):
    base, _ = server
    page, outside = sign_in(browser, base, "shift", 1920)
    page.goto(base + "/screen/?every=0.2&etag=0")
    page.wait_for_function("() => window.gridgovScreen && window.gridgovScreen.state.changed >= 3", timeout=60_000)
    first = page.evaluate(COUNTS)
    page.wait_for_function(f"() => window.gridgovScreen.state.refreshes >= {first['refreshes'] + 50}",
                           timeout=180_000)
    last = page.evaluate(COUNTS)
    assert last["errors"] == 0 and last["changed"] >= first["changed"] + 50
    keep = ("nodes", "layers", "markers", "echarts", "canvases")
    assert {k: last[k] for k in keep} == {k: first[k] for k in keep}
    assert first["echarts"] == 2 and first["markers"] > 0  # the demo has cases reported today
    assert page.evaluate("window.gridgovScreen.pending()") in (True, False)
    assert outside == []
    page.close()
