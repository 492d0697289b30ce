/* 15 分钟便民服务圈: the place searched from, the walking circle and the facilities found (#services-layer).
   Names are set as text only (gridgov.text). */
(function () {
  "use strict";
  const el = document.getElementById("services-layer");
  if (!el || !window.L) return;
  const data = JSON.parse(el.textContent);
  const here = [data.here[1], data.here[0]];
  const map = L.map("services-map", { attributionControl: false });
  const circle = L.circle(here, { radius: data.radius, color: "#0b4f8a", weight: 2, fillOpacity: 0.06 });
  map.fitBounds(circle.getBounds(), { animate: false, padding: [8, 8] });
  circle.addTo(map);
  L.circleMarker(here, { radius: 7, color: "#c62828", fillColor: "#c62828", fillOpacity: 1 })
    .bindTooltip(window.gridgov.text("出发地")).addTo(map);
  data.items.forEach((f) => {
    L.circleMarker([f.lat, f.lon], { radius: 8, color: "#2e7d32", weight: 3, fillOpacity: 0.3 })
      .bindTooltip(window.gridgov.text(`${f.name}（${f.kind}，约 ${f.minutes} 分钟）`)).addTo(map);
  });
  window.gridgovServicesMap = map;
})();
