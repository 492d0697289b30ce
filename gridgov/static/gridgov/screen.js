/* 指挥大屏: polls the feed and redraws in place, built to run all day without growing:
   - ONE ECharts instance per chart, created once; each refresh calls setOption on it (never init again);
   - ONE Leaflet map and ONE layer group of markers; each refresh clears the group and adds the new markers
     (layers replaced, not piled up);
   - lists rebuilt with replaceChildren (old nodes dropped);
   - ONE timer: the next poll is scheduled only when the previous one has finished (setTimeout chain);
   - the feed's ETag is sent back (If-None-Match): an unchanged feed (304) redraws nothing.
   ?every=SECONDS sets the interval (the page's data-every, at least 0.2 s); ?etag=0 redraws on every poll. window.gridgovScreen exposes the
   objects and a refresh count to the browser test. */
(function () {
  "use strict";
  var root = document.getElementById("scr");
  if (!root) { return; }
  var every = parseInt(root.getAttribute("data-every"), 10) || 30000;
  var feedUrl = root.getAttribute("data-feed");
  var useEtag = root.getAttribute("data-etag") !== "off";
  var etag = null, timer = null;
  var state = { refreshes: 0, changed: 0, errors: 0 };
  var COLOURS = { registered: "#42a5f5", reported: "#90caf9", dispatched: "#ffb74d", accepted: "#ffb74d",
                  handled: "#ba68c8", closed: "#66bb6a", archived: "#66bb6a" };

  var flowChart = window.echarts ? echarts.init(document.getElementById("scr-flow-chart"), null, { renderer: "canvas" }) : null;
  var lightsChart = window.echarts ? echarts.init(document.getElementById("scr-lights-chart"), null, { renderer: "canvas" }) : null;
  var map = null, markers = null;
  if (window.L) {
    map = L.map("scr-map-el", { preferCanvas: true, zoomControl: false, attributionControl: false }).setView([39.91, 116.41], 13);
    markers = L.layerGroup().addTo(map);
  }
  var fitted = false;

  function text(id, v) { var el = document.getElementById(id); if (el) { el.textContent = String(v); } }

  function li(parts) {
    var item = document.createElement("li");
    parts.forEach(function (p) {
      var span = document.createElement("span");
      if (p[1]) { span.className = p[1]; }
      span.textContent = p[0];
      item.appendChild(span);
    });
    return item;
  }

  function draw(d) {
    text("scr-at", d.at);
    ["reported", "registered", "dispatched", "closed"].forEach(function (k) { text("flow-" + k, d.flow[k]); });
    ["green", "yellow", "red"].forEach(function (k) { text("light-" + k, d.lights[k]); });
    if (flowChart) {
      flowChart.setOption({
        animation: false, grid: { left: 36, right: 8, top: 10, bottom: 24 },
        xAxis: { type: "category", data: ["上报", "立案", "派遣", "结案"], axisLabel: { color: "#9fc3ff" } },
        yAxis: { type: "value", axisLabel: { color: "#9fc3ff" }, splitLine: { lineStyle: { color: "#1e4a80" } } },
        series: [{ type: "bar", data: [d.flow.reported, d.flow.registered, d.flow.dispatched, d.flow.closed],
                   itemStyle: { color: "#42a5f5" } }]
      });
    }
    if (lightsChart) {
      lightsChart.setOption({
        animation: false,
        series: [{ type: "pie", radius: ["40%", "70%"], label: { color: "#e6f0ff" },
                   data: [{ name: "绿灯", value: d.lights.green, itemStyle: { color: "#4caf50" } },
                          { name: "黄灯", value: d.lights.yellow, itemStyle: { color: "#ffc107" } },
                          { name: "红灯", value: d.lights.red, itemStyle: { color: "#ff5252" } }] }]
      });
    }
    if (markers) {
      markers.clearLayers();
      var bounds = [];
      d.points.forEach(function (p) {
        markers.addLayer(L.circleMarker([p[1], p[0]], { radius: 5, weight: 1, color: "#fff",
                                                       fillColor: COLOURS[p[2]] || "#42a5f5", fillOpacity: 0.9 }));
        bounds.push([p[1], p[0]]);
      });
      if (!fitted && bounds.length) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 }); fitted = true; }
      text("scr-points", "（" + d.points.length + " 件）");
    }
    document.getElementById("scr-ranking").replaceChildren.apply(document.getElementById("scr-ranking"),
      d.ranking.map(function (r) { return li([[r.name + "　"], ["结案 " + r.closed + " / 上报 " + r.reported, "s"]]); }));
    document.getElementById("scr-newest").replaceChildren.apply(document.getElementById("scr-newest"),
      d.newest.map(function (c) { return li([[c.time, "t"], [c.street + " · " + c.matter + " · " + c.text], [c.status, "s"]]); }));
  }

  function schedule() { timer = window.setTimeout(poll, every); }

  function poll() {
    timer = null;
    var headers = etag && useEtag ? { "If-None-Match": etag } : {};
    fetch(feedUrl, { credentials: "same-origin", cache: "no-store", headers: headers }).then(function (r) {
      state.refreshes += 1;
      if (r.status === 304) { return null; }
      if (!r.ok) { throw new Error("feed " + r.status); }
      etag = r.headers.get("ETag");
      return r.json();
    }).then(function (d) {
      if (d) { draw(d); state.changed += 1; }
    }).catch(function () { state.errors += 1; }).then(function () {
      root.setAttribute("data-refreshes", String(state.refreshes));
      schedule();
    });
  }

  window.addEventListener("resize", function () {
    if (flowChart) { flowChart.resize(); }
    if (lightsChart) { lightsChart.resize(); }
    if (map) { map.invalidateSize(); }
  });
  window.gridgovScreen = { state: state, map: map, markers: markers, charts: [flowChart, lightsChart],
                           pending: function () { return timer !== null; },
                           forget: function () { etag = null; } };
  poll();
}());
