/* The checklist on the phone (/inspection/do/…): the position is taken when the page opens (the case of a failed
   item is filed there; without it the target's own position is used), and photos are resized on the phone
   (photo-resize.js) before the form is sent as usual. Nothing here turns data into markup. */
(function () {
  "use strict";
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
  let resized = false;
  form.addEventListener("submit", async (ev) => {
    if (resized || !window.gridgovResizePhoto || typeof DataTransfer === "undefined") return;
    const inputs = Array.from(form.querySelectorAll('input[type="file"]')).filter((i) => i.files.length);
    if (!inputs.length) return;
    ev.preventDefault();
    const status = document.getElementById("submit-status");
    status.textContent = "正在压缩照片…";
    for (const input of inputs) {
      const dt = new DataTransfer();
      const max = parseInt(input.dataset.max || "3", 10);
      for (const file of Array.from(input.files).slice(0, max)) {
        try {
          const r = await window.gridgovResizePhoto(file);
          dt.items.add(new File([r.blob], file.name.replace(/\.[^.]*$/, "") + ".jpg", { type: "image/jpeg" }));
        } catch (e) {
          dt.items.add(file); /* the server says what is wrong with it */
        }
      }
      input.files = dt.files;
    }
    resized = true;
    status.textContent = "正在提交…";
    form.requestSubmit ? form.requestSubmit() : form.submit();
  });
})();
