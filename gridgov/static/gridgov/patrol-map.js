/* A shift's track on the map (巡查督导): the grid, its unit grids (visited ones green), the track with playback and
   the anomalies' places. Data from the page (#track-data); names and details are set as text only. */
(function () {
  "use strict";
  const el = document.getElementById("track-data");
  if (!el) return;
  const data = JSON.parse(el.textContent);
  const map = L.map("track-map", { attributionControl: false, zoomSnap: 0.25 });
  // the view first, from the data (a Leaflet vector layer added before the map has a view throws on its bounds)
  const grid = L.geoJSON(data.grid, { style: { color: "#0b4f8a", weight: 3, fill: false }, interactive: false });
  const latlngs = data.track.map((p) => [p[2], p[1]]);
  const bounds = latlngs.length ? L.latLngBounds(latlngs) : grid.getBounds();
  if (latlngs.length && grid.getBounds().isValid()) bounds.extend(grid.getBounds());
  if (bounds.isValid()) map.fitBounds(bounds, { animate: false, padding: [12, 12] });
  else map.setView([39.91, 116.41], 13);
  L.geoJSON(data.units, {
    style: (f) => ({ color: "#777", weight: 1, fillColor: f.properties.visited ? "#2e7d32" : "#ffffff", fillOpacity: f.properties.visited ? 0.35 : 0.1 }),
    onEachFeature: (f, lyr) => lyr.bindTooltip(window.gridgov.text(`${f.properties.code}${f.properties.visited ? "（到过）" : ""}`)),
  }).addTo(map);
  grid.addTo(map);
  if (latlngs.length) L.polyline(latlngs, { color: "#c62828", weight: 3 }).addTo(map);
  data.anomalies.forEach((a) => {
    L.circleMarker([a.lat, a.lon], { radius: 9, color: "#e65100", weight: 3, fillOpacity: 0.2 })
      .bindTooltip(window.gridgov.text(`${a.label}：${a.detail}`)).addTo(map);
  });
  window.gridgovTrackMap = map;

  // playback: a marker moved along the track by the slider
  const play = document.getElementById("track-play");
  const out = document.getElementById("track-time");
  if (!latlngs.length) { play.disabled = true; return; }
  const marker = L.circleMarker(latlngs[0], { radius: 7, color: "#0b4f8a", fillColor: "#0b4f8a", fillOpacity: 1 }).addTo(map);
  play.max = String(latlngs.length - 1);
  function show() {
    const i = parseInt(play.value, 10) || 0;
    marker.setLatLng(latlngs[i]);
    out.textContent = `${data.track[i][0]}（第 ${i + 1} / ${latlngs.length} 个位置）`;
  }
  play.addEventListener("input", show);
  show();
})();
