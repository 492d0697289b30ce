/* The checklist on the phone (/inspection/do/…) and its offline outbox.

   The position is taken when the page opens (the case of a failed item is filed there; without it the target's own
   position is used); photos are resized on the phone (photo-resize.js). The checklist is posted by this script with
   its client key (made by the server when the page was drawn) and Accept: application/json: answered, the phone
   opens the inspection's page; refused, the reason is shown above the form. With no network — offline, or the
   request failing on its way — the checklist (answers, notes and the resized photos as blobs) is kept in the field
   pages' IndexedDB (field.js: window.gridgovField, store "checklists") and sent when the network is back (the
   `online` event, or opening any inspection page), with the same key: the server answers a repeat with the first
   inspection, so a retry never files a case twice. Nothing here turns data into markup. */
(function () {
  "use strict";
  const F = window.gridgovField;
  const box = document.getElementById("ck-outbox");
  if (!F || !box) return;
  const USER = box.dataset.user;
  const STORE = F.CHECKLIST;
  const outbox = F.outboxOf(STORE, USER);

  async function show() {
    let items = [];
    try { items = await outbox.all(); } catch (e) { items = []; }
    document.getElementById("ck-outbox-count").textContent = String(items.length);
    const list = document.getElementById("ck-outbox-list");
    list.replaceChildren();
    items.sort((a, b) => (a.created < b.created ? -1 : 1)).forEach((it) => {
      const li = F.el("li", { "data-key": it.client_key });
      const when = new Date(it.created);
      li.append(F.el("span", {}, `${when.getMonth() + 1}月${when.getDate()}日 ${String(when.getHours()).padStart(2, "0")}:${String(when.getMinutes()).padStart(2, "0")} · ${it.title}（${it.photos.length} 张照片）`));
      if (it.error) {
        li.append(F.el("p", { class: "fd-error" }, `未能提交：${it.error}`));
        li.append(F.el("button", { type: "button", class: "fd-btn", "data-remove": it.client_key }, "删除这份检查"));
      }
      list.append(li);
    });
    box.hidden = items.length === 0;
  }

  function formDataOf(item) {
    const fd = new FormData();
    item.fields.forEach(([k, v]) => fd.append(k, v));
    fd.set("client_key", item.client_key);
    fd.set("csrfmiddlewaretoken", F.csrfToken());
    item.photos.forEach((p) => fd.append(p.field, p.blob, p.name));
    return fd;
  }

  // POST a checklist: resolves to {ok, url, …} | {ok: false, error} | throws when there is no network
  const send = (item, fromOutbox) => F.postForm(item.url, formDataOf(item), fromOutbox ? { "X-Gridgov-Outbox": "1" } : {});

  let flushing = false;
  async function flush() {
    if (flushing || !navigator.onLine) return;
    flushing = true;
    let sent = 0;
    try {
      sent = (await F.flushOutbox(outbox, (it) => send(it, true), (res) => res.error || "检查被拒绝")).length;
    } finally {
      flushing = false;
    }
    if (sent) {
      document.getElementById("ck-sent").replaceChildren(
        F.el("p", { class: "fd-msg", "data-testid": "ck-sent" }, `待提交的检查已提交 ${sent} 份`));
    }
    await show();
  }

  box.addEventListener("click", async (ev) => {
    const t = ev.target;
    if (t.id === "ck-outbox-send") flush();
    if (t.dataset && t.dataset.remove && confirm("删除后这份检查不会再提交，确定删除吗？")) {
      await outbox.remove(t.dataset.remove);
      show();
    }
  });
  window.addEventListener("online", flush);
  show().then(flush);

  // ------------------------------------------------------------ the checklist form
  const form = document.getElementById("checklist-form");
  if (!form) return;
  const lon = document.getElementById("ins-lon");
  const lat = document.getElementById("ins-lat");
  if (navigator.geolocation) {
    navigator.geolocation.getCurrentPosition((p) => {
      lon.value = p.coords.longitude.toFixed(6);
      lat.value = p.coords.latitude.toFixed(6);
    }, () => { /* no position: the target's */ }, { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
  }
  const status = document.getElementById("submit-status");
  const submit = document.getElementById("submit-btn");
  const errors = document.getElementById("form-errors");

  function showError(text) {
    errors.replaceChildren(F.el("p", { class: "fd-error fd-summary" }, `检查未提交：${text}`));
    errors.scrollIntoView({ block: "center" });
  }
  // what the phone can tell without the server (the server checks everything again)
  function localCheck() {
    const missing = [];
    for (const li of form.querySelectorAll("li[data-item]")) {
      const code = li.dataset.item;
      const answer = form.querySelector(`input[name="answer-${code}"]:checked`);
      if (!answer) { missing.push(code); continue; }
      const photo = document.getElementById(`photo-${code}`);
      if (answer.value === "fail" && li.dataset.photoRequired && !(photo && photo.files.length)) {
        return `检查项「${code}」不合格，须拍照留证`;
      }
    }
    return missing.length ? `以下检查项未填写：${missing.join("、")}` : "";
  }
  async function snapshot() {
    const fields = [];
    new FormData(form).forEach((v, k) => {
      if (k !== "csrfmiddlewaretoken" && typeof v === "string") fields.push([k, v]);
    });
    const photos = [];
    for (const input of form.querySelectorAll('input[type="file"]')) {
      const max = parseInt(input.dataset.max || "3", 10);
      for (const file of Array.from(input.files).slice(0, max)) {
        let blob = file;
        let name = file.name;
        if (window.gridgovResizePhoto) {
          try {
            blob = (await window.gridgovResizePhoto(file)).blob;
            name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          } catch (e) { /* the server says what is wrong with it */ }
        }
        photos.push({ field: input.name, name, blob });
      }
    }
    return { client_key: form.querySelector("[name=client_key]").value, url: form.action || location.pathname,
      title: form.dataset.title, fields, photos, created: new Date().toISOString(), error: "", user: USER };
  }
  async function keep(item) {
    await outbox.put(item);
    status.textContent = "";
    submit.disabled = true;
    submit.textContent = "已保存在本机";
    document.getElementById("ck-sent").replaceChildren(F.el("p", { class: "fd-msg fd-msg-info", "data-testid": "ck-queued" },
      "现在没有网络：检查结果已保存在本机，联网后自动提交。"));
    await show();
    box.scrollIntoView({ block: "start" });
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const wrong = localCheck();
    if (wrong) { showError(wrong); return; }
    errors.replaceChildren();
    submit.disabled = true;
    try {
      status.textContent = "正在压缩照片…";
      const item = await snapshot();
      if (!navigator.onLine) { await keep(item); return; }
      status.textContent = "正在提交…";
      let res;
      try {
        res = await send(item, false);
      } catch (e) {
        await keep(item);  // the network went away on the way: the same key is sent again later
        return;
      }
      if (res.ok) { location.assign(res.url); return; }
      status.textContent = "";
      submit.disabled = false;
      showError(res.error || "检查被拒绝");
    } catch (e) {
      status.textContent = "";
      submit.disabled = false;
      showError("保存失败，请重试");
    }
  });
})();
