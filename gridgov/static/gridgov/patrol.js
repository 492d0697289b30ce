/* 在岗巡查 on the phone: 上班签到 / 下班签退 with the phone's position, and the track recorded WHILE ON DUTY ONLY
   (a geolocation watch plus a timer: a point every PATROL_INTERVAL_S seconds or after a move of PATROL_MOVE_M metres).
   Points go first into the field pages' IndexedDB (field.js: window.gridgovField, store "track"), then to
   POST /api/v1/patrol/track/columns in batches (one array a field: seq, t in ms, lon, lat, accuracy); each point
   carries its sequence number in the shift, so a batch sent twice is stored once, and nothing is lost when the
   network drops: it stays on the phone until the server has it. */
(function () {
  "use strict";
  const cfgEl = document.getElementById("patrol-config");
  if (!cfgEl || !window.gridgovField) return;
  const cfg = JSON.parse(cfgEl.textContent);
  const F = window.gridgovField;
  const API = "/api/v1/patrol";
  const BATCH = 500;
  const $ = (id) => document.getElementById(id);
  let shift = cfg.shift;
  let watch = null;
  let timer = null;
  let last = null;
  let recorded = 0;

  // ------------------------------------------------------------ map: the grid and the track recorded here
  const map = L.map("pt-map", { attributionControl: false, zoomSnap: 0.25 });
  const outline = L.geoJSON(cfg.grid, { style: { color: "#0b4f8a", weight: 2, fillOpacity: 0.08 }, interactive: false }).addTo(map);
  if (cfg.grid.features.length) map.fitBounds(outline.getBounds(), { animate: false, padding: [8, 8] });
  else map.setView([39.91, 116.41], 13);
  const line = L.polyline([], { color: "#c62828", weight: 3 }).addTo(map);
  window.gridgovPatrolMap = map;

  // ------------------------------------------------------------ the offline store (shared with the report outbox)
  const store = {
    all: async () => ((await F.tx("readonly", (s) => s.getAll(), F.TRACK)) || []).filter((p) => p.user === cfg.user),
    put: (p) => F.tx("readwrite", (s) => s.put(p), F.TRACK),
    remove: (keys) => F.tx("readwrite", (s) => { keys.forEach((k) => s.delete(k)); }, F.TRACK),
  };
  const seqKey = () => `gridgov.patrol.seq.${cfg.user}.${shift}`;
  function nextSeq() {
    const n = (parseInt(localStorage.getItem(seqKey()), 10) || 0) + 1;
    localStorage.setItem(seqKey(), String(n));
    return n;
  }

  function showError(text) { const e = $("pt-error"); e.textContent = text; e.hidden = !text; }
  async function show() {
    let waiting = 0;
    try { waiting = (await store.all()).length; } catch (e) { waiting = 0; }
    $("pt-recorded").textContent = String(recorded);
    $("pt-waiting").textContent = String(waiting);
    $("pt-offline").hidden = navigator.onLine || waiting === 0;
  }

  function metres(a, b) {
    const r = Math.PI / 180;
    const dp = (b.lat - a.lat) * r;
    const dl = (b.lon - a.lon) * r;
    const h = Math.sin(dp / 2) ** 2 + Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(dl / 2) ** 2;
    return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  async function record(pos, force) {
    if (!shift) return;  // never off duty
    const p = { lon: pos.coords.longitude, lat: pos.coords.latitude, t: Date.now() };
    if (!force && last && p.t - last.t < cfg.interval_s * 1000 && metres(last, p) < cfg.move_m) return;
    last = p;
    const seq = nextSeq();
    await store.put({ key: `${cfg.user}:${shift}:${seq}`, user: cfg.user, shift, seq, at: new Date(p.t).toISOString(),
      lon: p.lon, lat: p.lat, accuracy: pos.coords.accuracy == null ? null : Math.min(pos.coords.accuracy, 100000) });
    recorded += 1;
    line.addLatLng([p.lat, p.lon]);
    await show();
    flush();
  }

  function start() {
    if (!navigator.geolocation || watch !== null) return;
    watch = navigator.geolocation.watchPosition((pos) => record(pos, false), () => {},
      { enableHighAccuracy: true, maximumAge: 0 });
    timer = setInterval(() => {  // standing still: a point every interval anyway (stillness is a fact too)
      navigator.geolocation.getCurrentPosition((pos) => record(pos, true), () => {}, { enableHighAccuracy: true, maximumAge: cfg.interval_s * 1000 });
      flush();
    }, cfg.interval_s * 1000);
  }
  function stop() {
    if (watch !== null) navigator.geolocation.clearWatch(watch);
    if (timer !== null) clearInterval(timer);
    watch = timer = null;
  }

  // ------------------------------------------------------------ sending, in batches, when the network is there
  let flushing = false;
  let again = false;  // a point recorded while a flush was running: that flush goes round once more
  async function send(batch) {
    return fetch(`${API}/track/columns`, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": F.csrfToken() },
      body: JSON.stringify({
        shift_id: batch[0].shift, seq: batch.map((p) => p.seq), t: batch.map((p) => Date.parse(p.at)),
        lon: batch.map((p) => p.lon), lat: batch.map((p) => p.lat), accuracy: batch.map((p) => p.accuracy ?? null),
      }),
    });
  }
  async function flush() {
    if (!navigator.onLine) { await show(); return; }
    if (flushing) { again = true; return; }
    flushing = true;
    try {
      do {
        again = false;
        await flushOnce();
      } while (again && navigator.onLine);
    } catch (e) {
      /* no network: the points stay on the phone */
    } finally {
      flushing = false;
      await show();
    }
  }
  async function flushOnce() {
    {  // eslint-disable-line no-lone-blocks
      let items = (await store.all()).sort((a, b) => a.shift - b.shift || a.seq - b.seq);
      while (items.length) {
        const batch = items.filter((p) => p.shift === items[0].shift).slice(0, BATCH);
        const r = await send(batch);
        const done = new Set(batch.map((p) => p.key));
        if (r.ok) {
          await store.remove([...done]);
        } else if ([400, 404, 422].includes(r.status)) {  // refused for good: said, not retried forever
          const e = await r.json().catch(() => ({}));
          showError(`有 ${batch.length} 个位置未能保存：${e.message || r.status}`);
          await store.remove([...done]);
        } else {
          again = false;
          return;  // signed out, throttled or the server is away: later
        }
        items = items.filter((p) => !done.has(p.key));
      }
    }
  }
  window.addEventListener("online", flush);
  window.addEventListener("offline", show);

  // ------------------------------------------------------------ 上班签到 / 下班签退
  function here() {
    // a fix of the last 30 s will do (the watch keeps one fresh while on duty; a phone standing still has no newer)
    return new Promise((resolve, reject) => navigator.geolocation.getCurrentPosition(resolve, reject,
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 }));
  }
  async function post(path, body) {
    const r = await fetch(API + path, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": F.csrfToken() },
    });
    return [r, await r.json().catch(() => ({}))];
  }
  async function position() {
    if (!navigator.geolocation) { showError("这台设备不支持定位，不能签到"); return null; }
    try { return await here(); } catch (e) { showError("暂时无法获取位置，请打开定位后重试"); return null; }
  }
  function refused(j, what) {
    if (j.code === "reason_required") {
      $("pt-reason-box").hidden = false;
      $("pt-reason").focus();
    }
    showError(j.message || `${what}失败`);
  }

  $("pt-checkin").addEventListener("click", async (ev) => {
    showError("");
    const pos = await position();
    if (!pos) return;
    if (!navigator.onLine) { showError("签到需要网络，请联网后再签到"); return; }
    ev.target.disabled = true;
    try {
      const [r, j] = await post("/checkin", { lon: pos.coords.longitude, lat: pos.coords.latitude, reason: $("pt-reason").value });
      if (r.status !== 201) { refused(j, "签到"); return; }
      shift = j.id;
      $("pt-reason").value = "";
      $("pt-reason-box").hidden = true;
      const at = new Date(j.started_at).toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false });
      $("duty-state").textContent = `在岗中：${at} 签到${j.late_minutes ? `（迟到 ${j.late_minutes} 分钟）` : ""}`;
      $("pt-checkin").hidden = true;
      $("pt-checkout").hidden = false;
      start();
    } finally {
      ev.target.disabled = false;
    }
  });

  $("pt-checkout").addEventListener("click", async (ev) => {
    showError("");
    const pos = await position();
    if (!pos) return;
    if (!navigator.onLine) { showError("签退需要网络：位置已保存在本机，请联网后再签退"); return; }
    ev.target.disabled = true;
    try {
      await record(pos, true);
      await flush();
      while (flushing) await new Promise((r) => setTimeout(r, 100));  // a flush already running finishes first
      if ((await store.all()).some((p) => p.shift === shift)) { showError("还有位置未发送，请稍后再签退"); return; }
      const [r, j] = await post("/checkout", { lon: pos.coords.longitude, lat: pos.coords.latitude, reason: $("pt-reason").value });
      if (!r.ok) { refused(j, "签退"); return; }
      stop();
      localStorage.removeItem(seqKey());
      shift = null;
      $("duty-state").textContent = `已签退：${j.points} 个位置，覆盖 ${Math.round(j.share * 100)}% 的单元网格，${j.done ? "巡查完成" : "未达到巡查计划"}`;
      $("pt-checkout").hidden = true;
      $("pt-checkin").hidden = false;
    } finally {
      ev.target.disabled = false;
    }
  });

  if (shift) start();
  flush();
})();
