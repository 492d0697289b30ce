/* Grid map: loads the chosen layer as GeoJSON from /api/v1/grids and shows a grid's details on click. */
(function () {
  "use strict";
  const map = L.map("map", { preferCanvas: true, zoomSnap: 0.25 });
  map.setView([39.91, 116.41], 13);
  const status = document.getElementById("status");
  const info = document.getElementById("info");
  const colours = { "1": "#d9534f", "2": "#0b7dda", "3": "#5cb85c" };
  let current = null;

  const esc = window.gridgov.esc;

  async function showGrid(layer, code) {
    info.innerHTML = "<p>加载中…</p>";
    const r = await fetch(`/api/v1/grids/${encodeURIComponent(layer)}/${encodeURIComponent(code)}`, { credentials: "same-origin" });
    if (!r.ok) { info.innerHTML = `<p class="error">无法加载网格 ${esc(code)}</p>`; return; }
    const p = (await r.json()).properties;
    const duties = p.duties.length
      ? "<ul>" + p.duties.map((d) => `<li>${esc(d.post_label)}：${esc(d.person)}<br><small>${esc(d.duty_hours)}；${esc(d.standard)}</small></li>`).join("") + "</ul>"
      : "<p>尚未设置五定人员</p>";
    info.innerHTML = `<h2>${esc(p.name)}</h2><dl>
      <dt>网格编码</dt><dd data-testid="grid-code">${esc(p.code)}</dd>
      <dt>所属社区</dt><dd>${esc(p.community)}</dd>
      <dt>所属街道</dt><dd>${esc(p.street)}</dd>
      <dt>网格类别</dt><dd>${esc(p.grid_class_label)}</dd>
      <dt>网格类型</dt><dd>${esc(p.grid_type_label)}</dd>
      <dt>面积</dt><dd>${Number(p.area_m2).toLocaleString("zh-CN")} 平方米</dd>
      <dt>户数</dt><dd>${esc(p.households)}</dd>
      ${p.parent ? `<dt>管理网格</dt><dd>${esc(p.parent)}</dd>` : ""}
    </dl><h3>五定人员${p.parent ? `（所属管理网格 ${esc(p.parent)}）` : ""}</h3>${duties}`;
  }

  async function load(layer) {
    status.textContent = "加载中…";
    const r = await fetch(`/api/v1/grids?layer=${encodeURIComponent(layer)}`, { credentials: "same-origin" });
    if (!r.ok) { status.textContent = "加载失败"; return; }
    const fc = await r.json();
    if (current) map.removeLayer(current);
    map.invalidateSize();
    current = L.geoJSON(fc, {
      style: (f) => ({ color: colours[f.properties.grid_class] || "#0b7dda", weight: 1, fillOpacity: 0.12 }),
      onEachFeature: (f, lyr) => {
        lyr.on("click", () => showGrid(layer, f.properties.code));
        lyr.bindTooltip(window.gridgov.text(f.properties.code), { sticky: true });
      },
    }).addTo(map);
    if (fc.features.length) map.fitBounds(current.getBounds(), { animate: false });
    status.textContent = `共 ${fc.features.length.toLocaleString("zh-CN")} 个网格`;
    status.dataset.count = fc.features.length;
  }

  // the container can change size after the map is made (fonts, a wrapping top bar, rotation): redraw to fit it
  if (window.ResizeObserver) new ResizeObserver(() => map.invalidateSize()).observe(document.getElementById("map"));

  document.querySelectorAll('input[name="layer"]').forEach((el) => el.addEventListener("change", () => load(el.value)));
  const first = document.querySelector('input[name="layer"]:checked');
  if (first) load(first.value); else status.textContent = "没有网格图层";
  window.gridgovMap = map;
})();
