/* The one base map of every map page (底图). Loaded right after leaflet.js by {% basemap_script %}, which puts the
   configuration in this script element's data attributes (the CSP forbids inline scripts):
     data-config   {"bases": [{name, label, kind: tianditu|xyz|wmts|archive|own, url, overlay_url, subdomains,
                    attribution, min_zoom, max_zoom, max_native_zoom, crs: wgs84|gcj02}], "nearest_m": 150}
     data-search   the address search (the API for staff, /addresses/search.json on the residents' pages)
     data-nearest  the nearest address to a point
   Every L.map gets (a Leaflet init hook, so page scripts need no change): the first base, a layer switcher when
   there are several, and an address search box that centres the map on the hit and marks it. A base in GCJ-02
   (高德/腾讯) switches the map to a GCJ-02 Web Mercator: our WGS-84 overlays and taps stay WGS-84 and land on the
   right spot of the tiles (the shift is the one of gridgov/geo/basemap_gcj.py, pinned by the same reference points).
   A map made with {basemap: false} is left alone.

   window.gridgovBasemap.fillAddress(lon, lat, input): fills a form's address field with the nearest address
   (a tap or a GPS fix), unless the person typed their own. */
(function () {
  "use strict";
  if (typeof L === "undefined") return;
  const script = document.currentScript;
  let config = { bases: [] };
  try { config = JSON.parse(script.dataset.config || "{}"); } catch (e) { /* a broken configuration: no base */ }
  const SEARCH = script.dataset.search || "/addresses/search.json";
  const NEAREST = script.dataset.nearest || "/addresses/nearest.json";
  const OWNERLESS = "gridgov-basemap-controls";  // the form="" of the map's own inputs: a form that does not exist
  const esc = (v) => (window.gridgov ? window.gridgov.esc(v) : String(v));

  // ------------------------------------------------------------ WGS-84 ⇄ GCJ-02
  const A = 6378245.0, EE = 0.00669342162296594323;
  function outside(lon, lat) { return !(lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271); }
  function dLat(x, y) {
    let r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3;
    r += (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3;
    return r;
  }
  function dLon(x, y) {
    let r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3;
    r += (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3;
    return r;
  }
  function toGcj(lon, lat) {
    if (outside(lon, lat)) return [lon, lat];
    const rad = lat / 180 * Math.PI;
    const magic = 1 - EE * Math.sin(rad) * Math.sin(rad), sq = Math.sqrt(magic);
    const la = dLat(lon - 105, lat - 35) * 180 / ((A * (1 - EE)) / (magic * sq) * Math.PI);
    const lo = dLon(lon - 105, lat - 35) * 180 / (A / sq * Math.cos(rad) * Math.PI);
    return [lon + lo, lat + la];
  }
  function toWgs(lon, lat) {
    if (outside(lon, lat)) return [lon, lat];
    let x = lon, y = lat;
    for (let i = 0; i < 10; i++) {
      const f = toGcj(x, y), dx = f[0] - lon, dy = f[1] - lat;
      x -= dx; y -= dy;
      if (Math.abs(dx) < 1e-9 && Math.abs(dy) < 1e-9) break;
    }
    return [x, y];
  }
  const SM = L.Projection.SphericalMercator;
  const GCJ02 = L.extend({}, L.CRS.EPSG3857, {
    code: "GCJ02",
    projection: {
      bounds: SM.bounds,
      project(ll) { const g = toGcj(ll.lng, ll.lat); return SM.project(L.latLng(g[1], g[0])); },
      unproject(p) { const ll = SM.unproject(p); const w = toWgs(ll.lng, ll.lat); return L.latLng(w[1], w[0]); },
    },
  });

  // ------------------------------------------------------------ the own-data base
  const OWN_STYLE = {
    district: { color: "#0b4f8a", weight: 3, fill: false },
    street: { color: "#6b8bb0", weight: 2, fillColor: "#eef2f7", fillOpacity: 0.6 },
    community: { color: "#98a4b5", weight: 1, dashArray: "4 3", fill: false },
    grid: { color: "#c8c8c8", weight: 1, fill: false },
  };
  const LABEL_ZOOM = { street: 12, community: 14.5, grid: 16.5, building: 17 };

  const OwnBase = L.LayerGroup.extend({
    // labelsOnly: just the names (streets, communities, grids, buildings) — the 「辖区名称」 overlay over a tile base
    initialize(labelsOnly) { L.LayerGroup.prototype.initialize.call(this); this._labelsOnly = !!labelsOnly; },
    onAdd(map) {
      L.LayerGroup.prototype.onAdd.call(this, map);
      this._renderer = this._renderer || L.svg({ pane: "gridgovBase" });
      map.on("moveend", this._load, this);
      this._load();
    },
    onRemove(map) {
      map.off("moveend", this._load, this);
      this.clearLayers();
      L.LayerGroup.prototype.onRemove.call(this, map);
    },
    _load() {
      const map = this._map;
      if (!map) return;
      const b = map.getBounds().pad(0.25), z = Math.round(map.getZoom());
      const bbox = [Math.max(b.getWest(), -180), Math.max(b.getSouth(), -90), Math.min(b.getEast(), 180), Math.min(b.getNorth(), 90)]
        .map((v) => v.toFixed(5)).join(",");
      const ask = (this._ask = (this._ask || 0) + 1);
      fetch(`/basemap/own.json?bbox=${bbox}&z=${z}`, { credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : null))
        .then((fc) => { if (fc && ask === this._ask && this._map) this._draw(fc, z); })
        .catch(() => {});
    },
    _draw(fc, z) {
      this.clearLayers();
      const renderer = this._renderer;
      if (!this._labelsOnly) this.addLayer(L.geoJSON(fc, {
        renderer, pane: "gridgovBase", interactive: false,
        filter: (f) => f.properties.kind !== "building",
        style: (f) => OWN_STYLE[f.properties.kind] || OWN_STYLE.grid,
      }));
      for (const f of fc.features) {
        const kind = f.properties.kind;
        if (kind === "building" && !this._labelsOnly) {
          const [lon, lat] = f.geometry.coordinates;
          this.addLayer(L.circleMarker([lat, lon], { renderer, pane: "gridgovBase", interactive: false, radius: 3,
            color: "#b48c6e", weight: 1, fillColor: "#dec8b4", fillOpacity: 1 }));
        }
        if (!(kind in LABEL_ZOOM) || z < LABEL_ZOOM[kind]) continue;
        const at = kind === "building" ? L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0])
          : L.geoJSON(f).getBounds().getCenter();
        this.addLayer(L.marker(at, { pane: "gridgovBaseLabels", interactive: false, keyboard: false,
          icon: L.divIcon({ className: `bm-label bm-${kind}`, html: esc(f.properties.name), iconSize: null }) }));
      }
    },
  });

  function makeBase(b) {
    if (b.kind === "own") return new OwnBase();
    const opts = { attribution: esc(b.attribution || ""), minZoom: b.min_zoom ?? 0, maxZoom: 20,
      maxNativeZoom: b.max_native_zoom ?? b.max_zoom ?? 18, subdomains: b.subdomains || "abc", crossOrigin: false };
    const tiles = L.tileLayer(b.url, opts);
    tiles.gridgovBase = b;
    if (!b.overlay_url) return tiles;
    const group = L.layerGroup([tiles, L.tileLayer(b.overlay_url, opts)]);
    group.gridgovBase = b;
    return group;
  }

  // ------------------------------------------------------------ the address search box
  async function getJSON(url) {
    const r = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    const body = await r.json().catch(() => ({}));
    return { ok: r.ok, body };
  }

  const SearchBox = L.Control.extend({
    options: { position: "topleft" },
    onAdd(map) {
      const box = L.DomUtil.create("div", "bm-search leaflet-bar");
      box.setAttribute("role", "search");
      // a small map (a phone's report form) gets a button that opens the box, so the box never covers where
      // one taps; a wide map shows the box at once
      const small = map.getContainer().clientWidth < 480;
      const open = L.DomUtil.create("button", "bm-search-open", box);
      open.type = "button";
      open.textContent = "搜";
      open.title = "搜索地址或地名";
      open.setAttribute("aria-label", "搜索地址或地名");
      open.setAttribute("form", OWNERLESS);
      open.hidden = !small;
      const input = L.DomUtil.create("input", "bm-search-input", box);
      input.hidden = small;
      open.addEventListener("click", () => { open.hidden = true; input.hidden = false; input.focus(); });
      const fold = () => { if (small && !input.value.trim()) { input.hidden = true; list.hidden = true; open.hidden = false; } };
      input.addEventListener("blur", () => setTimeout(fold, 200));
      input.type = "search";
      input.placeholder = "搜索地址或地名";
      input.setAttribute("aria-label", "搜索地址或地名");
      input.dataset.testid = "address-search";
      input.setAttribute("form", OWNERLESS);  // never part of a report form around the map
      const list = L.DomUtil.create("ul", "bm-search-results", box);
      list.hidden = true;
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      let timer = null, ask = 0, items = [];
      const show = (found) => {
        items = found;
        list.replaceChildren(...found.map((it, i) => {
          const li = document.createElement("li");
          const btn = document.createElement("button");
          btn.type = "button";
          btn.textContent = it.text + (it.name && !it.text.includes(it.name) ? `（${it.name}）` : "");
          btn.addEventListener("click", () => pick(i));
          li.appendChild(btn);
          return li;
        }));
        if (!found.length && input.value.trim()) {
          const li = document.createElement("li");
          li.className = "bm-none";
          li.textContent = "没有找到这个地址";
          list.appendChild(li);
        }
        list.hidden = !input.value.trim();
      };
      const pick = (i) => {
        const it = items[i];
        if (!it) return;
        list.hidden = true;
        input.value = it.text;
        map.setView([it.lat, it.lon], Math.max(map.getZoom(), 17), { animate: false });
        if (this._mark) this._mark.remove();
        this._mark = L.marker([it.lat, it.lon], { title: it.text }).addTo(map).bindTooltip(window.gridgov ? window.gridgov.text(it.text) : it.text).openTooltip();
        map.getContainer().dataset.found = it.code;
        map.fire("gridgov:address", { address: it });
      };
      input.addEventListener("input", () => {
        clearTimeout(timer);
        const q = input.value.trim();
        if (!q) { show([]); return; }
        timer = setTimeout(async () => {
          const mine = ++ask;
          try {
            const { ok, body } = await getJSON(`${SEARCH}?q=${encodeURIComponent(q)}&limit=10`);
            if (mine === ask) show(ok ? body.items || [] : []);
          } catch (e) { if (mine === ask) show([]); }
        }, 200);
      });
      input.addEventListener("keydown", (e) => {
        if (e.key === "Enter") { e.preventDefault(); pick(0); }
        if (e.key === "Escape") { list.hidden = true; }
        e.stopPropagation();  // the map's keyboard handling (Enter picks the centre on report maps) stays out
      });
      return box;
    },
  });

  // ------------------------------------------------------------ every map
  L.Map.addInitHook(function () {
    if (this.options.basemap === false) return;
    const map = this;
    map.createPane("gridgovBase").style.zIndex = 250;
    map.createPane("gridgovBaseLabels").style.zIndex = 260;
    map.getPane("gridgovBaseLabels").style.pointerEvents = "none";
    const bases = (config.bases && config.bases.length ? config.bases : [{ name: "own", label: "辖区底图", kind: "own", crs: "wgs84" }]);
    const layers = {};
    bases.forEach((b) => { layers[b.label] = makeBase(b); layers[b.label].gridgovBase = b; });
    const crsOf = (b) => (b.crs === "gcj02" ? GCJ02 : L.CRS.EPSG3857);
    const first = layers[bases[0].label];
    map.options.crs = crsOf(bases[0]);
    if (map._loaded && map.options.crs !== L.CRS.EPSG3857) map._resetView(map.getCenter(), map.getZoom(), true);
    first.addTo(map);
    map.getContainer().dataset.basemap = bases[0].name;
    // a tile base of its own has no names of ours: 「辖区名称」 (street, community, grid, building names) goes over it,
    // shown at once over an offline archive (drawn from our data without labels)
    const overlays = {};
    if (bases.some((b) => b.kind !== "own")) {
      overlays["辖区名称"] = new OwnBase(true);
      if (bases[0].kind === "archive") overlays["辖区名称"].addTo(map);
    }
    if (bases.length > 1) {
      const control = L.control.layers(layers, overlays, { position: "topright", collapsed: true });
      // a map inside a form (the report forms): the switcher's radio buttons belong to no form, so they are never
      // sent with it (a radio group is its name within its form owner, so they still choose one base)
      control._update = function () {
        L.Control.Layers.prototype._update.call(this);
        if (this._container) this._container.querySelectorAll("input").forEach((i) => i.setAttribute("form", OWNERLESS));
      };
      control.addTo(map);
    }
    map.on("baselayerchange", (e) => {
      const b = e.layer.gridgovBase;
      if (!b) return;
      map.getContainer().dataset.basemap = b.name;
      const crs = crsOf(b);
      if (crs !== map.options.crs && map._loaded) {
        const centre = map.getCenter(), zoom = map.getZoom();
        map.options.crs = crs;
        map._resetView(centre, zoom, true);
      } else {
        map.options.crs = crs;
      }
    });
    if (!map.attributionControl && bases.some((b) => b.attribution && b.kind !== "own")) {
      L.control.attribution({ prefix: false }).addTo(map);
    } else if (map.attributionControl) {
      map.attributionControl.setPrefix(false);
    }
    new SearchBox().addTo(map);
  });

  // ------------------------------------------------------------ the nearest address into a form's field
  async function nearest(lon, lat) {
    const { ok, body } = await getJSON(`${NEAREST}?lon=${lon.toFixed(7)}&lat=${lat.toFixed(7)}`);
    return ok ? body : null;
  }
  async function fillAddress(lon, lat, input, note) {
    if (!input) return null;
    // a value the person typed is theirs: only an empty field or one we filled is (re)filled
    if (input.value.trim() && input.dataset.filled !== input.value) return null;
    let found = null;
    try { found = await nearest(lon, lat); } catch (e) { found = null; }
    if (input.value.trim() && input.dataset.filled !== input.value) return null;  // typed while we asked
    if (found) {
      input.value = found.text;
      input.dataset.filled = found.text;
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }
    if (note) note.textContent = found ? `已按位置填入最近的地址（约 ${Math.round(found.distance_m)} 米），可修改` : "未找到附近地址，请手动填写";
    return found;
  }
  window.gridgovBasemap = Object.freeze({ toGcj, toWgs, nearest, fillAddress, config });
})();
