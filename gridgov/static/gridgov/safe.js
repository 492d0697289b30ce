/* The one place page scripts turn data into markup. Names, codes and descriptions come from users (a 网格长
   names a grid, a resident writes a description): they are shown as text, never parsed as HTML.

   gridgov.esc(value)        the value as HTML text (& < > " ' escaped) — for the few strings built as markup
   gridgov.text(value, cls)  a <span> holding the value as text — for Leaflet tooltips and popups, which parse a
                             string as HTML but insert an element as it is
   Loaded on every page (base templates) before the page's own script. */
(function () {
  "use strict";
  const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function esc(value) {
    return String(value ?? "").replace(/[&<>"']/g, (c) => ENTITIES[c]);
  }
  function text(value, cls) {
    const span = document.createElement("span");
    if (cls) span.className = cls;
    span.textContent = String(value ?? "");
    return span;
  }
  window.gridgov = Object.freeze({ esc, text });
})();
