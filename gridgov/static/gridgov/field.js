/* 我的任务 / 上报问题 on the phone: the offline outbox (IndexedDB), the service worker, and the report form
   (position by geolocation or a tap on the map, photos resized before upload, matter by search or a recent
   choice). Every report carries a key made here, so sending it again never makes a second case. */
(function () {
  "use strict";

  // ------------------------------------------------------------ helpers
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  }
  function csrfToken() {
    const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    const el = document.querySelector("input[name=csrfmiddlewaretoken]");
    return el ? el.value : "";
  }
  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => e.setAttribute(k, v));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // ------------------------------------------------------------ the outbox (reports waiting for the network)
  const DB_NAME = "gridgov-field";
  const STORE = "outbox";
  const TRACK = "track";  // patrol: positions recorded on duty, waiting to be sent (gridgov/static/gridgov/patrol.js)
  const CHECKLIST = "checklists";  // inspection: checklists filled offline, waiting (gridgov/static/gridgov/inspection.js)
  function db() {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 3);
      req.onupgradeneeded = () => {
        const names = req.result.objectStoreNames;
        if (!names.contains(STORE)) req.result.createObjectStore(STORE, { keyPath: "client_key" });
        if (!names.contains(TRACK)) req.result.createObjectStore(TRACK, { keyPath: "key" });
        if (!names.contains(CHECKLIST)) req.result.createObjectStore(CHECKLIST, { keyPath: "client_key" });
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  async function tx(mode, fn, store = STORE) {
    const d = await db();
    return new Promise((resolve, reject) => {
      const t = d.transaction(store, mode);
      const out = fn(t.objectStore(store));
      t.oncomplete = () => { d.close(); resolve(out && "result" in out ? out.result : undefined); };
      t.onerror = () => { d.close(); reject(t.error); };
    });
  }
  // an outbox in one store: a phone may be shared, so each user sees and sends only what they made (sent as
  // someone else, a report would carry the wrong reporter)
  function outboxOf(store, user) {
    return {
      all: async () => (await tx("readonly", (s) => s.getAll(), store)).filter((it) => it.user === user),
      put: (item) => tx("readwrite", (s) => s.put(item), store),
      remove: (key) => tx("readwrite", (s) => s.delete(key), store),
    };
  }
  // POST a form that is answered in JSON; resolves to the answer, throws when there is no network, the session has
  // expired or the server is away (the item stays in its outbox)
  async function postForm(url, body, headers) {
    const r = await fetch(url, {
      method: "POST", body, credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken(), ...(headers || {}) },
    });
    const type = r.headers.get("Content-Type") || "";
    if (!type.includes("application/json")) {
      const signedOut = r.status === 403 || (r.redirected && r.url.includes("/accounts/login/"));
      const e = new Error(signedOut ? "登录已失效，请重新登录，之后会自动发送" : `服务器暂时无法受理（${r.status}）`);
      e.retry = true;
      throw e;
    }
    return r.json();
  }
  // send what an outbox holds: ``send(item)`` resolves to the server's answer {ok, …}; a refusal is kept with its
  // reason (``refusal(answer)``) until the user deletes it; no network ends the round. Resolves to the answers sent.
  async function flushOutbox(outbox, send, refusal) {
    const sent = [];
    for (const it of await outbox.all()) {
      if (it.error) continue;  // refused by the server: kept until the user deletes it
      try {
        const res = await send(it);
        if (res.ok) { await outbox.remove(it.client_key); sent.push(res); }
        else { it.error = refusal(res); await outbox.put(it); }
      } catch (e) {
        break;  // no network (or the server is away): try again later
      }
    }
    return sent;
  }
  // the same offline store for the patrol page's track and the inspection checklist (one mechanism for everything
  // the phone keeps offline); the pages without the report outbox (#field) load this file for it alone
  window.gridgovField = { tx, csrfToken, el, newKey, outboxOf, postForm, flushOutbox, TRACK, CHECKLIST };

  const root = document.getElementById("field");
  if (!root) return;
  const REPORT_URL = root.dataset.reportUrl;
  const RECENT_KEY = "gridgov.field.recentMatters";

  const USER = root.dataset.user;
  const outbox = outboxOf(STORE, USER);

  async function showOutbox() {
    const box = document.getElementById("outbox");
    if (!box) return;
    let items = [];
    try { items = await outbox.all(); } catch (e) { items = []; }
    document.getElementById("outbox-count").textContent = String(items.length);
    const list = document.getElementById("outbox-list");
    list.replaceChildren();
    items.sort((a, b) => (a.created < b.created ? -1 : 1)).forEach((it) => {
      const li = el("li", { "data-key": it.client_key });
      const when = new Date(it.created);
      li.append(el("span", {}, `${when.getMonth() + 1}月${when.getDate()}日 ${String(when.getHours()).padStart(2, "0")}:${String(when.getMinutes()).padStart(2, "0")} · ${(it.description || "").slice(0, 30)}（${it.photos.length} 张照片）`));
      if (it.error) {
        li.append(el("p", { class: "fd-error" }, `未能受理：${it.error}`));
        const del = el("button", { type: "button", class: "fd-btn", "data-remove": it.client_key }, "删除这份上报");
        li.append(del);
      }
      list.append(li);
    });
    box.hidden = items.length === 0;
  }

  function formDataOf(item) {
    const fd = new FormData();
    item.fields.forEach(([k, v]) => fd.append(k, v));
    fd.set("client_key", item.client_key);
    fd.set("csrfmiddlewaretoken", csrfToken());
    item.photos.forEach((p) => fd.append("photos", p.blob, p.name));
    return fd;
  }

  // POST a report; resolves to {ok, number, url} | {ok: false, errors} | throws on no network
  const send = (item) => postForm(REPORT_URL, formDataOf(item));

  let flushing = false;
  async function flush() {
    if (flushing || !navigator.onLine) return;
    flushing = true;
    let sent = [];
    try {
      sent = (await flushOutbox(outbox, send,
        (res) => Object.values(res.errors || {}).flat().join("；") || "上报被拒绝")).map((res) => res.number);
    } finally {
      flushing = false;
    }
    if (sent.length) {
      const box = document.getElementById("sent");
      box.replaceChildren(el("p", { class: "fd-msg", "data-testid": "sent" }, `待发送的上报已发送 ${sent.length} 件：${sent.join("、")}`));
    }
    await showOutbox();
  }

  root.addEventListener("click", async (ev) => {
    const t = ev.target;
    if (t.id === "outbox-send") flush();
    if (t.dataset && t.dataset.remove && confirm("删除后这份上报不会再发送，确定删除吗？")) {
      await outbox.remove(t.dataset.remove);
      showOutbox();
    }
  });
  window.addEventListener("online", flush);
  showOutbox().then(flush);

  // ------------------------------------------------------------ the service worker (the report page offline)
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register(root.dataset.swUrl, { scope: root.dataset.swScope }).catch(() => {});
  }

  // ------------------------------------------------------------ the report form
  const form = document.getElementById("report-form");
  if (!form) return;
  const lonInput = form.querySelector("[name=lon]");
  const latInput = form.querySelector("[name=lat]");
  const where = document.getElementById("where");
  const keyInput = form.querySelector("[name=client_key]");
  keyInput.value = newKey();  // a fresh key per report, also on a page served from the offline cache
  const district = form.dataset.district;

  function fieldBox(name) { return form.querySelector(`[data-field="${name}"]`); }
  function setErrors(name, messages) {
    const box = fieldBox(name);
    const slot = box ? box.querySelector(".fd-errors") : document.getElementById("form-errors");
    if (!slot) return;
    slot.replaceChildren(...messages.map((m) => el("p", { class: "fd-error", role: "alert" }, m)));
    if (box) box.classList.toggle("has-error", messages.length > 0);
  }
  function clearErrors() {
    form.querySelectorAll("[data-field]").forEach((b) => { if (b.dataset.field !== "photos") setErrors(b.dataset.field, []); });
    document.getElementById("form-errors").replaceChildren();
  }

  // map: the user's grids, a tap sets the position
  const mapData = JSON.parse(document.getElementById("map-data").textContent);
  const map = L.map("report-map", { zoomSnap: 0.25, attributionControl: false });
  const few = mapData.grids.features.length <= 5;  // a grid worker's own grid or a community's few: name them
  const outline = L.geoJSON(mapData.grids, {
    style: { color: "#0b4f8a", weight: 2, fillColor: "#ffffff", fillOpacity: 0.55 }, interactive: false,
    onEachFeature: (f, lyr) => { if (few) lyr.bindTooltip(window.gridgov.text(f.properties.name || f.properties.code), { permanent: true, direction: "center", className: "fd-grid-label" }); },
  }).addTo(map);
  if (mapData.grids.features.length) map.fitBounds(outline.getBounds(), { animate: false, padding: [8, 8] });
  else if (mapData.bounds) map.fitBounds([[mapData.bounds[1], mapData.bounds[0]], [mapData.bounds[3], mapData.bounds[2]]], { animate: false });
  else map.setView([39.91, 116.41], 13);
  if (window.ResizeObserver) new ResizeObserver(() => map.invalidateSize()).observe(document.getElementById("report-map"));
  window.gridgovReportMap = map;
  let marker = null;

  async function describe(lon, lat) {
    where.classList.remove("fd-bad");
    if (!navigator.onLine) { where.textContent = `已选位置 ${lon.toFixed(6)}, ${lat.toFixed(6)}（离线，发送时再定位网格）`; return; }
    where.textContent = "正在定位网格…";
    try {
      const r = await fetch(`/api/v1/locate?lon=${lon}&lat=${lat}`, { credentials: "same-origin" });
      const p = await r.json();
      if (!r.ok) { where.textContent = p.message || "定位失败"; where.classList.add("fd-bad"); return; }
      if (!p.inside) { where.textContent = "该位置不在辖区范围内，请重新选择"; where.classList.add("fd-bad"); return; }
      const bad = district && p.district && p.district.code !== district;
      where.textContent = `${p.street ? p.street.name + " · " : ""}${p.community.name}${p.unit_grid ? " · 网格 " + p.unit_grid : ""}`
        + (bad ? "（不在您的辖区内）" : "");
      where.dataset.grid = p.unit_grid || "";
      if (bad) where.classList.add("fd-bad");
    } catch (e) {
      where.textContent = `已选位置 ${lon.toFixed(6)}, ${lat.toFixed(6)}（暂时无法定位网格）`;
    }
  }
  function setPosition(lat, lon, pan) {
    lonInput.value = lon.toFixed(7);
    latInput.value = lat.toFixed(7);
    if (marker) marker.setLatLng([lat, lon]); else marker = L.marker([lat, lon], { keyboard: false }).addTo(map);
    if (pan) map.setView([lat, lon], Math.max(map.getZoom(), 16), { animate: false });
    setErrors("position", []);
    describe(lon, lat);
    // the address field from the nearest address of the register (basemap.js); a typed address is kept
    if (window.gridgovBasemap && navigator.onLine) window.gridgovBasemap.fillAddress(lon, lat, form.querySelector('[name="address"]'));
  }
  map.on("click", (e) => setPosition(e.latlng.lat, e.latlng.lng, false));
  // keyboard: the arrow keys move the map (Leaflet), Enter takes the centre of the map
  document.getElementById("report-map").addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter" || ev.target !== ev.currentTarget) return;
    ev.preventDefault();
    const c = map.getCenter();
    setPosition(c.lat, c.lng, false);
  });
  if (lonInput.value && latInput.value) setPosition(parseFloat(latInput.value), parseFloat(lonInput.value), true);

  document.getElementById("locate-btn").addEventListener("click", () => {
    if (!navigator.geolocation) { setErrors("position", ["这台设备不支持定位，请在地图上点选位置"]); return; }
    where.textContent = "正在获取位置…";
    navigator.geolocation.getCurrentPosition(
      (pos) => setPosition(pos.coords.latitude, pos.coords.longitude, true),
      (err) => {
        where.textContent = "尚未选择位置";
        setErrors("position", [err.code === 1 ? "没有定位权限，请在地图上点选位置" : "暂时无法定位，请在地图上点选位置"]);
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
  });

  // photos: resized here (JPEG, long side ≤ 1600 px, ≤ ~500 KB) before they are sent or kept offline
  const photoInput = document.getElementById("id_photos");
  const thumbs = document.getElementById("thumbs");
  const maxPhotos = parseInt(photoInput.dataset.max, 10) || 6;
  const photos = [];

  const resize = window.gridgovResizePhoto;
  function renderThumbs() {
    thumbs.replaceChildren(...photos.map((p, i) => {
      const li = el("li");
      const img = el("img", { src: p.url, alt: `照片 ${i + 1}` });
      li.append(img, el("span", { class: "fd-thumb-info" }, `${p.width}×${p.height} · ${Math.round(p.blob.size / 1024)} KB`));
      const b = el("button", { type: "button", "data-photo": String(i) }, "删除");
      b.setAttribute("aria-label", `删除照片 ${i + 1}`);
      li.append(b);
      return li;
    }));
  }
  thumbs.addEventListener("click", (ev) => {
    const i = ev.target.dataset.photo;
    if (i === undefined) return;
    URL.revokeObjectURL(photos[i].url);
    photos.splice(Number(i), 1);
    renderThumbs();
  });
  photoInput.addEventListener("change", async () => {
    const errors = [];
    const files = Array.from(photoInput.files);
    photoInput.value = "";  // the originals are never sent: only the resized copies
    for (const f of files) {
      if (photos.length >= maxPhotos) { errors.push(`最多 ${maxPhotos} 张照片，「${f.name}」未添加`); continue; }
      try {
        const r = await resize(f);
        const name = f.name.replace(/\.[^.]*$/, "") + ".jpg";
        photos.push({ name, blob: r.blob, width: r.width, height: r.height, url: URL.createObjectURL(r.blob) });
      } catch (e) {
        errors.push(`文件「${f.name}」不是可以读取的图片，未添加（只接受照片：JPEG、PNG、WebP）`);
      }
    }
    setErrors("photos", errors);
    renderThumbs();
  });

  // matter: search (htmx fills #matter-results), recent choices remembered on this phone
  const recentBox = document.getElementById("matter-recent");
  function recent() { try { return JSON.parse(localStorage.getItem(RECENT_KEY)) || []; } catch (e) { return []; } }
  function renderRecent() {
    // a matter already offered above (the one chosen before a refused submit) is not repeated
    const shown = new Set(Array.from(form.querySelectorAll(".fd-choices > label input[name=matter]"), (i) => i.value));
    recentBox.replaceChildren(...recent().filter((m) => !shown.has(m.code)).map((m) => {
      const label = el("label", { class: "fd-choice" });
      const input = el("input", { type: "radio", name: "matter", value: m.code, "data-name": m.name });
      label.append(input, document.createTextNode(` ${m.name} `), el("small", {}, m.code));
      return label;
    }));
  }
  function remember() {
    const c = form.querySelector("input[name=matter]:checked");
    if (!c || !c.value) return;
    const list = [{ code: c.value, name: c.dataset.name || c.value }, ...recent().filter((m) => m.code !== c.value)].slice(0, 5);
    localStorage.setItem(RECENT_KEY, JSON.stringify(list));
  }
  renderRecent();
  const search = document.getElementById("matter-q");
  search.addEventListener("keydown", (ev) => { if (ev.key === "Enter") ev.preventDefault(); });
  if (!window.htmx) {  // htmx missing (should not happen): search by plain fetch
    search.addEventListener("input", async () => {
      const r = await fetch(`${form.dataset.mattersUrl}?q=${encodeURIComponent(search.value)}`);
      document.getElementById("matter-results").innerHTML = await r.text();
    });
  }

  // submit: online → POST (errors go next to their fields); offline → kept in the outbox, sent when back online
  const status = document.getElementById("submit-status");
  const submit = document.getElementById("submit-btn");
  function snapshot() {
    const fields = [];
    new FormData(form).forEach((v, k) => {
      if (k !== "photos" && k !== "csrfmiddlewaretoken" && k !== "q" && typeof v === "string") fields.push([k, v]);
    });
    return { client_key: keyInput.value, fields, photos: photos.map((p) => ({ name: p.name, blob: p.blob })),
      description: form.querySelector("[name=description]").value.trim(), created: new Date().toISOString(), error: "",
      user: USER };
  }
  function localCheck(item) {
    const errs = {};
    if (!lonInput.value || !latInput.value) errs.position = ["请点「定位」或在地图上点选问题的位置"];
    if (item.description.length < 2) errs.description = ["请描述问题（至少 2 个字）"];
    return errs;
  }
  function showErrors(errors) {
    clearErrors();
    Object.entries(errors).forEach(([name, msgs]) => setErrors(name === "__all__" ? "" : name, msgs));
    const summary = el("p", { class: "fd-error fd-summary" }, "上报未提交，请按标红的提示修改。");
    document.getElementById("form-errors").prepend(summary);
    const first = form.querySelector(".has-error");
    if (first) first.scrollIntoView({ block: "center" });
  }
  function resetForm() {
    form.querySelector("[name=description]").value = "";
    form.querySelector("[name=address]").value = "";
    photos.splice(0).forEach((p) => URL.revokeObjectURL(p.url));
    renderThumbs();
    lonInput.value = latInput.value = "";
    if (marker) { map.removeLayer(marker); marker = null; }
    where.textContent = "尚未选择位置";
    keyInput.value = newKey();
    clearErrors();
  }
  async function keep(item, why) {
    await outbox.put(item);
    remember();
    resetForm();
    renderRecent();
    status.textContent = "";
    const box = document.getElementById("sent");
    box.replaceChildren(el("p", { class: "fd-msg fd-msg-info", "data-testid": "queued" }, why));
    await showOutbox();
    document.getElementById("outbox").scrollIntoView({ block: "start" });
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const item = snapshot();
    const local = localCheck(item);
    if (Object.keys(local).length) { showErrors(local); return; }
    submit.disabled = true;
    try {
      if (!navigator.onLine) {
        await keep(item, "现在没有网络：上报已保存在本机，联网后自动发送。");
        return;
      }
      status.textContent = "正在提交…";
      let res;
      try {
        res = await send(item);
      } catch (e) {
        await keep(item, `网络不通，上报已保存在本机，稍后自动发送。${e.retry ? "（" + e.message + "）" : ""}`);
        return;
      }
      if (res.ok) {
        remember();
        status.textContent = `已受理，案件编号 ${res.number}`;
        window.location.assign(res.url);
        return;
      }
      status.textContent = "";
      showErrors(res.errors || {});
    } finally {
      submit.disabled = false;
    }
  });
})();
