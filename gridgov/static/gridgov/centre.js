/* The live queue's keyboard: j/k or ↓/↑ move the selection, Enter opens the case, / focuses the search.
   Rows that the poll adds (htmx) take part at once: the rows are looked up on every key press. */
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

  function typing(el) {
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
    if (row && !e.target.closest("a, button, input, select")) window.location.href = row.dataset.href;
  });
  // a link focused with Tab selects its row too
  body.addEventListener("focusin", (e) => {
    const row = e.target.closest("tr[data-href]");
    if (row && row !== current) select(row);
  });
})();
