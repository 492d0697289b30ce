/* Leader dashboard: the 30-day trend (ECharts), open cases per management grid (Leaflet circle markers),
   sortable tables. Data comes aggregated in the page (json_script); nothing is fetched. */
(function () {
  "use strict";
  const data = (id) => JSON.parse(document.getElementById(id).textContent);

  // ---- trend
  const trendEl = document.getElementById("trend");
  if (trendEl && window.echarts) {
    const t = data("trend-data");
    const chart = echarts.init(trendEl, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      color: ["#0b4f8a", "#2e7d32"],
      tooltip: { trigger: "axis" },
      legend: { data: ["上报", "结案"], top: 0 },
      grid: { left: 40, right: 16, top: 32, bottom: 28 },
      xAxis: { type: "category", data: t.days, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "上报", type: "line", data: t.reported, symbolSize: 5 },
        { name: "结案", type: "line", data: t.closed, symbolSize: 5 },
      ],
    });
    trendEl.dataset.drawn = "1";
    if (window.ResizeObserver) new ResizeObserver(() => chart.resize()).observe(trendEl);
  }

  // ---- map of open cases
  const mapEl = document.getElementById("dbmap");
  if (mapEl && window.L) {
    const grids = data("grid-data");
    const map = L.map(mapEl, { preferCanvas: true, zoomSnap: 0.25 });
    map.setView([39.91, 116.41], 13);
    const colour = (n) => (n >= 6 ? "#b00020" : n >= 3 ? "#e67e00" : "#0b7dda");
    const esc = window.gridgov.esc;
    const outlines = L.geoJSON(data("outline-data").map((o) => ({ type: "Feature", properties: { name: o.name }, geometry: o.geometry })), {
      style: { color: "#5b6b7b", weight: 1, fillColor: "#ffffff", fillOpacity: 0.6 }, interactive: false,
    }).addTo(map);
    const markers = grids.map((g) => L.circleMarker([g.lat, g.lon], {
      radius: Math.min(4 + Math.sqrt(g.n) * 2.5, 18), color: g.overdue ? "#5a0010" : "#ffffff", weight: g.overdue ? 2 : 1,
      fillColor: colour(g.n), fillOpacity: 0.85,
    }).bindTooltip(`${esc(g.community)} ${esc(g.name || g.code)}<br>在办 ${g.n} 件${g.overdue ? `，超期 ${g.overdue} 件` : ""}`));
    const layer = L.featureGroup(markers).addTo(map);
    const bounds = outlines.getLayers().length ? outlines.getBounds() : layer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { animate: false, padding: [8, 8], maxZoom: 15 });
    mapEl.dataset.markers = String(markers.length);
    if (window.ResizeObserver) new ResizeObserver(() => map.invalidateSize()).observe(mapEl);
    window.gridgovDashboardMap = map;
  }

  // ---- sortable tables: click a column header; numbers descending first, again to reverse
  document.querySelectorAll("table.db-sortable").forEach((table) => {
    const buttons = table.querySelectorAll("thead button");
    buttons.forEach((btn, col) => {
      btn.addEventListener("click", () => {
        const text = btn.dataset.sort === "text";
        const th = btn.parentElement;
        const now = th.getAttribute("aria-sort");
        const desc = now === "descending" ? false : now === "ascending" ? true : !text;
        buttons.forEach((b) => b.parentElement.removeAttribute("aria-sort"));
        th.setAttribute("aria-sort", desc ? "descending" : "ascending");
        const body = table.tBodies[0];
        const rows = [...body.rows];
        const key = (r) => r.cells[col].dataset.v;
        rows.sort((a, b) => {
          const x = key(a), y = key(b);
          const c = text ? x.localeCompare(y, "zh-CN") : Number(x) - Number(y);
          return desc ? -c : c;
        });
        rows.forEach((r) => body.appendChild(r));
      });
    });
  });
})();
