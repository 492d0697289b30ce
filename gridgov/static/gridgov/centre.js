/* The live queue's keyboard: j/k or ↓/↑ move the selection, Enter opens the case, x ticks it, / focuses the search.
   Rows that the poll adds (htmx) take part at once: the rows are looked up on every key press.
   Bulk actions (批量操作): the form works without this script (the row checkboxes belong to it through form=);
   here it gains a "select all on this page" box, the count of ticked cases, and a button enabled only when
   there is something to do. */
(function () {
  "use strict";
  const body = document.getElementById("cs-rows");
  if (!body) return;
  let current = null;

  function rows() { return Array.from(body.querySelectorAll("tr[data-href]")); }

  function select(row) {
    if (!row) return;
    if (current) { current.classList.remove("cs-selected"); current.removeAttribute("aria-selected"); }
    current = row;
    row.classList.add("cs-selected");
    row.setAttribute("aria-selected", "true");
    const link = row.querySelector("a.cs-num");
    if (link) link.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function typing(el) {  // a ticked checkbox keeps the focus, but the keys still move through the list
    if (el && el.tagName === "INPUT" && el.type === "checkbox") return false;
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (typing(e.target)) {
      if (e.key === "Escape") e.target.blur();
      return;
    }
    const all = rows();
    if (current && !body.contains(current)) current = null;
    const i = current ? all.indexOf(current) : -1;
    if (e.key === "j" || e.key === "ArrowDown") {
      e.preventDefault();
      select(all[Math.min(i + 1, all.length - 1)]);
    } else if (e.key === "k" || e.key === "ArrowUp") {
      e.preventDefault();
      select(all[Math.max(i - 1, 0)]);
    } else if (e.key === "x" && current) {
      const box = current.querySelector('input[name="numbers"]');
      if (box) { e.preventDefault(); box.click(); }
    } else if (e.key === "Enter" && current) {
      e.preventDefault();
      window.location.href = current.dataset.href;
    } else if (e.key === "/") {
      e.preventDefault();
      const q = document.getElementById("f-q");
      if (q) { q.focus(); q.select(); }
    }
  });

  // a click anywhere on a row opens it (the number stays a real link for keyboards and screen readers)
  body.addEventListener("click", (e) => {
    const row = e.target.closest("tr[data-href]");
    if (row && !e.target.closest("a, button, input, select, label, .cs-col-check")) window.location.href = row.dataset.href;
  });
  // a link focused with Tab selects its row too
  body.addEventListener("focusin", (e) => {
    const row = e.target.closest("tr[data-href]");
    if (row && row !== current) select(row);
  });

  const form = document.getElementById("cs-bulk");
  if (!form) return;
  const all = document.getElementById("cs-check-all");
  const count = document.getElementById("cs-bulk-count");
  const action = document.getElementById("bulk-action");
  const department = document.getElementById("bulk-department");
  const go = document.getElementById("bulk-go");
  const hint = count.textContent;

  function boxes() { return Array.from(body.querySelectorAll('input[name="numbers"]')); }

  function update() {
    const b = boxes();
    const n = b.filter((x) => x.checked).length;
    b.forEach((x) => x.closest("tr").classList.toggle("cs-ticked", x.checked));
    all.checked = n > 0 && n === b.length;
    all.indeterminate = n > 0 && n < b.length;
    const dispatch = action.value === "dispatch";
    if (department) department.parentElement.hidden = !dispatch;
    const lacking = dispatch && !(department && department.value);
    count.textContent = !n ? hint : `已选 ${n} 件` + (!action.value ? "，请选择操作" : lacking ? "，请选择主办部门" : "");
    go.disabled = !n || !action.value || lacking;
    go.textContent = n && action.value ? `${action.options[action.selectedIndex].text} ${n} 件` : "执行";
  }

  all.closest("label").hidden = false;
  all.addEventListener("change", () => { boxes().forEach((x) => { x.checked = all.checked; }); update(); });
  body.addEventListener("change", update);
  form.addEventListener("change", update);
  form.addEventListener("submit", () => { setTimeout(() => { go.disabled = true; }, 0); });  // no double submit
  document.addEventListener("htmx:afterSettle", update);  // rows brought by the poll
  window.addEventListener("pageshow", update);  // ticks kept by the browser on "back"
  update();
})();
