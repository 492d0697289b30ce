/* The case page's small map: the case's point, and its unit grid's outline when the grid can be loaded
   (no base tiles: nothing is fetched from the internet). */
(function () {
  "use strict";
  const el = document.getElementById("casemap");
  if (!el || typeof L === "undefined") return;
  const lon = Number(el.dataset.lon), lat = Number(el.dataset.lat);
  if (!isFinite(lon) || !isFinite(lat)) return;
  const map = L.map(el, { zoomSnap: 0.25, scrollWheelZoom: false, attributionControl: false });
  map.setView([lat, lon], 17, { animate: false });
  L.circleMarker([lat, lon], { radius: 8, color: "#b00020", weight: 3, fillColor: "#d9534f", fillOpacity: 0.8 })
    .addTo(map).bindTooltip("案件位置");
  const grid = el.dataset.grid;
  if (grid) {
    fetch(`/api/v1/grids/unit/${encodeURIComponent(grid)}`, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : null))
      .then((feature) => {
        if (!feature) return;
        const layer = L.geoJSON(feature, { style: { color: "#0b4f8a", weight: 2, fillOpacity: 0.06 } }).addTo(map);
        map.fitBounds(layer.getBounds(), { padding: [16, 16], animate: false, maxZoom: 18 });
      })
      .catch(() => {});
  }
  // the box may get its size after the script ran (phone layouts): redraw then
  if (window.ResizeObserver) new ResizeObserver(() => map.invalidateSize({ animate: false })).observe(el);
})();
