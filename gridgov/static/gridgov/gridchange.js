/* Grid change plan page: old grids (grey, dashed) and new grids (shaded by load) from /api/v1/grid-changes/<id>/map.
   Names and codes are shown as text (gridgov.text / gridgov.esc). */
(function () {
  "use strict";
  const el = document.getElementById("gc-map");
  if (!el) return;
  const legend = document.getElementById("gc-legend");
  const esc = window.gridgov.esc;
  const map = L.map(el, { preferCanvas: true, zoomSnap: 0.25 });
  map.setView([39.91, 116.41], 14);

  function shade(load, max) {
    const t = max > 0 ? Math.min(1, (load || 0) / max) : 0.5;
    const light = Math.round(85 - 45 * t);
    return `hsl(210, 80%, ${light}%)`;
  }

  fetch(el.dataset.url, { credentials: "same-origin" }).then((r) => (r.ok ? r.json() : Promise.reject(r))).then((fc) => {
    const olds = fc.features.filter((f) => f.properties.side === "old");
    const news = fc.features.filter((f) => f.properties.side === "new");
    const max = Math.max(0, ...news.map((f) => Number(f.properties.load) || 0));
    const oldLayer = L.geoJSON({ type: "FeatureCollection", features: olds }, {
      style: () => ({ color: "#666", weight: 2, dashArray: "4 4", fillOpacity: 0 }),
      onEachFeature: (f, lyr) => lyr.bindTooltip(window.gridgov.text(`原 ${f.properties.code}`), { sticky: true }),
    });
    const newLayer = L.geoJSON({ type: "FeatureCollection", features: news }, {
      style: (f) => ({ color: "#0b5394", weight: 1, fillColor: shade(f.properties.load, max), fillOpacity: 0.55 }),
      onEachFeature: (f, lyr) => {
        const load = f.properties.load == null ? "" : `，工作量 ${f.properties.load}`;
        lyr.bindTooltip(window.gridgov.text(`新 ${f.properties.code}${load}`), { sticky: true });
      },
    });
    newLayer.addTo(map);
    oldLayer.addTo(map);
    const all = L.featureGroup([newLayer, oldLayer]);
    if (fc.features.length) map.fitBounds(all.getBounds(), { animate: false });
    const rows = news.map((f) => `<li>${esc(f.properties.code)}：${f.properties.load == null ? "" : "工作量 " + esc(f.properties.load) + "，"}户数 ${esc(f.properties.households ?? "—")}</li>`).join("");
    legend.innerHTML = `<p>灰色虚线：原网格（${olds.length} 个）；彩色：新网格（${news.length} 个，颜色越深工作量越大）。</p><ul>${rows}</ul>`;
    legend.dataset.count = String(news.length);
  }).catch(() => { legend.textContent = "地图加载失败"; });
  if (window.ResizeObserver) new ResizeObserver(() => map.invalidateSize()).observe(el);
})();
