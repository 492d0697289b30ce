/* Residents' report form (/r/report/): the position (my location, a tap on the map, or Enter on the map's
   centre from the keyboard) and photos resized in the browser (JPEG, longest side ≤ 1600 px) before upload. */
(function () {
  "use strict";
  const form = document.getElementById("report-form");
  if (!form) return;
  const lonInput = form.querySelector('input[name="lon"]');
  const latInput = form.querySelector('input[name="lat"]');
  const status = document.getElementById("position-status");
  const submit = document.getElementById("submit-report");

  // an error next to a field goes once the person changes that field
  function clearErrors(box) {
    if (!box || !box.classList.contains("has-error")) return;
    box.classList.remove("has-error");
    box.querySelectorAll(".error").forEach((e) => e.remove());
  }
  form.querySelectorAll(".pub-field input, .pub-field textarea, .pub-field select").forEach((el) =>
    el.addEventListener("input", () => clearErrors(el.closest(".pub-field"))));

  // ------------------------------------------------------------ the map
  const map = L.map("report-map", { zoomSnap: 0.5, attributionControl: false });
  map.setView([39.92, 116.41], 13);
  let marker = null;
  let asked = 0;

  async function describe(lon, lat) {
    const ask = ++asked;
    status.className = "pub-position";
    status.textContent = "正在确认位置…";
    try {
      const r = await fetch(`${form.dataset.whereUrl}?lon=${lon}&lat=${lat}`, { credentials: "same-origin" });
      const w = await r.json();
      if (ask !== asked) return;
      status.textContent = w.inside ? `已选位置：${w.text}` : w.text;
      status.className = "pub-position " + (w.inside ? "ok" : "bad");
      status.dataset.inside = w.inside ? "1" : "0";
    } catch (e) {
      if (ask === asked) { status.textContent = "已选位置（暂时无法确认所在社区）"; status.className = "pub-position"; }
    }
  }

  function setPoint(lat, lon, zoom) {
    lonInput.value = lon.toFixed(6);
    latInput.value = lat.toFixed(6);
    if (marker) marker.setLatLng([lat, lon]);
    else marker = L.circleMarker([lat, lon], { radius: 10, color: "#b00020", weight: 3, fillColor: "#ff5252", fillOpacity: 0.8 }).addTo(map);
    if (zoom) map.setView([lat, lon], Math.max(map.getZoom(), 16), { animate: false });
    clearErrors(document.querySelector('[data-field="position"]'));
    describe(lon, lat);
    // the address field from the nearest address of the register (basemap.js); a typed address is kept
    if (window.gridgovBasemap) window.gridgovBasemap.fillAddress(lon, lat, form.querySelector('[name="address"]'));
  }

  map.on("click", (e) => setPoint(e.latlng.lat, e.latlng.lng, false));
  // street names only when zoomed in far enough for them not to overlap
  const labels = () => map.getContainer().classList.toggle("far", map.getZoom() < 14.5);
  map.on("zoomend", labels);
  labels();
  document.getElementById("report-map").addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      const c = map.getCenter();
      setPoint(c.lat, c.lng, false);
    }
  });

  fetch(form.dataset.areaUrl, { credentials: "same-origin" }).then((r) => r.json()).then((fc) => {
    const districts = fc.features.filter((f) => f.properties.level === "district");
    const streets = fc.features.filter((f) => f.properties.level === "street");
    L.geoJSON({ type: "FeatureCollection", features: streets }, {
      style: { color: "#6b8bb0", weight: 1, fillOpacity: 0.04, interactive: true },
      onEachFeature: (f, layer) => layer.bindTooltip(window.gridgov.text(f.properties.name), { permanent: true, direction: "center", className: "street-label" }),
    }).addTo(map);
    const outline = L.geoJSON({ type: "FeatureCollection", features: districts }, {
      style: { color: "#0b4f8a", weight: 3, fill: false, interactive: false },
    }).addTo(map);
    if (!lonInput.value && districts.length) map.fitBounds(outline.getBounds(), { animate: false, padding: [8, 8] });
    window.gridgovReportMap = map;
    map.getContainer().dataset.ready = "1";
  }).catch(() => { status.textContent = "地图加载失败，请使用「使用我的位置」"; });

  if (lonInput.value && latInput.value) setPoint(parseFloat(latInput.value), parseFloat(lonInput.value), true);
  if (window.ResizeObserver) new ResizeObserver(() => map.invalidateSize()).observe(map.getContainer());

  const me = document.getElementById("locate-me");
  if (!navigator.geolocation) me.hidden = true;
  me.addEventListener("click", () => {
    status.className = "pub-position";
    status.textContent = "正在获取您的位置…";
    navigator.geolocation.getCurrentPosition(
      (p) => setPoint(p.coords.latitude, p.coords.longitude, true),
      () => { status.className = "pub-position bad"; status.textContent = "无法获取您的位置，请在地图上点选"; },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });

  // ------------------------------------------------------------ photos: resize before upload
  const input = document.getElementById("id_photos");
  const previews = document.getElementById("photo-previews");

  input.addEventListener("change", async () => {
    if (!input.files.length) return;
    submit.disabled = true;
    previews.innerHTML = "";
    for (const { original, file } of await window.gridgovShrinkInput(input)) {
      const li = document.createElement("li");
      const img = document.createElement("img");
      img.alt = "已选照片：" + original.name;
      img.src = URL.createObjectURL(file);
      li.appendChild(img);
      li.appendChild(document.createTextNode(Math.max(1, Math.round(file.size / 1024)) + " KB"));
      previews.appendChild(li);
    }
    submit.disabled = false;
  });

  form.addEventListener("submit", () => { submit.disabled = true; submit.textContent = "正在提交…"; });
  window.addEventListener("pageshow", () => { submit.disabled = false; submit.textContent = "提交"; });
})();
