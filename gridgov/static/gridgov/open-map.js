/* 结案地图 (/open/map/): the month's closed cases (coarsened positions) as circle markers on a plain Leaflet map
   (no outside tiles: nothing is fetched from the internet), fitted to the points. */
(function () {
  "use strict";
  var el = document.getElementById("open-map");
  if (!el || !window.L) { return; }
  var map = L.map(el, { preferCanvas: true }).setView([39.91, 116.41], 13);
  var count = document.getElementById("open-map-count");
  fetch(el.getAttribute("data-src"), { credentials: "omit" }).then(function (r) { return r.json(); }).then(function (fc) {
    var layer = L.geoJSON(fc, {
      pointToLayer: function (f, latlng) {
        var ok = f.properties.closed_on_time;
        return L.circleMarker(latlng, { radius: 6, weight: 1, color: ok ? "#1b5e20" : "#a15c00",
                                        fillColor: ok ? "#43a047" : "#fb8c00", fillOpacity: 0.8 });
      },
      onEachFeature: function (f, l) {
        var p = f.properties, div = document.createElement("div");
        [[p.number], [p.matter + "（" + p.street + " " + p.community + "）"],
         ["上报 " + p.reported_on + "，结案 " + p.closed_on + (p.closed_on_time ? "，按期" : "，超期")],
         [p.description]].forEach(function (t) { var d = document.createElement("div"); d.textContent = t[0]; div.appendChild(d); });
        l.bindPopup(div);
      }
    }).addTo(map);
    if (fc.features.length) { map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 16 }); }
    if (count) { count.textContent = "共 " + fc.features.length + " 个结案案件"; }
  });
}());
