/* The matter picker (one widget for every select of a 管理事项, ~250 items): a search box above each
   <select data-matter-search="URL"> finds matters by name, code or pinyin initials ("blj" → 暴露垃圾) with the
   field report's search on the server (URL?q=… → {"codes": [...]}, best first); the select then offers only the
   matches, best first, and the best one is chosen. Clearing the box gives the whole list back. Without script the
   select works as before. */
(function () {
  "use strict";

  function enhance(select) {
    if (select.dataset.matterPicker) return;
    select.dataset.matterPicker = "1";
    const all = Array.from(select.querySelectorAll("option"));
    const groups = Array.from(select.children);  // options and optgroups as given (the full list)
    const blank = all.find((o) => o.value === "");
    const byCode = new Map(all.filter((o) => o.value).map((o) => [o.value, o]));
    const box = document.createElement("input");
    box.type = "search";
    box.className = "matter-picker-q";
    box.maxLength = 20;
    box.autocomplete = "off";
    box.placeholder = "搜索事项：名称、代码或拼音首字母（如 blj）";
    box.setAttribute("aria-label", "搜索事项");
    box.setAttribute("aria-controls", select.id || "");
    const note = document.createElement("span");
    note.className = "matter-picker-note";
    note.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(box, select);
    select.parentNode.insertBefore(note, select.nextSibling);
    let seq = 0;
    let timer = null;

    function restore() {
      const chosen = select.value;
      select.replaceChildren(...groups);
      select.value = chosen;
      note.textContent = "";
    }
    function offer(codes) {
      const chosen = select.value;
      const hits = codes.map((c) => byCode.get(c)).filter(Boolean);
      select.replaceChildren(...(blank ? [blank] : []), ...hits);
      if (hits.length) {
        select.value = hits.some((o) => o.value === chosen) && chosen ? chosen : hits[0].value;
        note.textContent = `找到 ${hits.length} 项`;
      } else {
        select.value = "";
        note.textContent = "没有找到符合的事项";
      }
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
    async function search() {
      const q = box.value.trim();
      const mine = ++seq;
      if (!q) { restore(); return; }
      try {
        const r = await fetch(`${select.dataset.matterSearch}?q=${encodeURIComponent(q)}`,
          { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (!r.ok) return;
        const data = await r.json();
        if (mine === seq) offer(data.codes || []);
      } catch (e) { /* offline: the full list stays */ }
    }
    box.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(search, 200); });
    box.addEventListener("keydown", (e) => {
      if (e.key === "Enter") { e.preventDefault(); clearTimeout(timer); search(); }
    });
  }

  function scan(root) {
    (root || document).querySelectorAll("select[data-matter-search]").forEach(enhance);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => scan());
  else scan();
  document.addEventListener("htmx:afterSwap", (e) => scan(e.target));
})();
