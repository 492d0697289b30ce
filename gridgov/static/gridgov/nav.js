/* The navigation's menus (base.html): one open at a time; a click elsewhere or Esc closes it. */
(function () {
  "use strict";
  const groups = () => document.querySelectorAll(".mainnav details.navgroup");
  document.addEventListener("click", (e) => {
    groups().forEach((d) => { if (d.open && !d.contains(e.target)) d.open = false; });
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") groups().forEach((d) => { d.open = false; });
  });
  groups().forEach((d) => d.addEventListener("toggle", () => {
    if (d.open) groups().forEach((o) => { if (o !== d) o.open = false; });
  }));
})();
