/* Photos resized on the phone before upload (one way for every page that takes photos): decoded with the
   camera's orientation applied, drawn to a canvas no longer than 1600 px, encoded as JPEG under about 500 KB
   (lower quality first, then a smaller size). The EXIF block does not survive the canvas.
   window.gridgovResizePhoto(file) → Promise<{blob, width, height}>; rejects when the file is no image.
   window.gridgovShrinkInput(input) → Promise<[{original, file}]>: the input's chosen files replaced by their resized
   JPEGs (a file that is no image is left as it is: the server says why it refuses it).
   Every <input type="file" data-resize-photos> on a page that loads this script is shrunk so when files are chosen
   (the 核实/处置/核查 forms of the case page); its form's submit buttons wait until that is done. */
(function () {
  "use strict";
  const MAX_SIDE = 1600;
  const MAX_BYTES = 500 * 1024;

  async function decode(file) {
    if (window.createImageBitmap) {
      try { return await createImageBitmap(file, { imageOrientation: "from-image" }); } catch (e) { /* fall back */ }
    }
    return new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => resolve(img);
      img.onerror = () => reject(new Error("decode"));
      img.src = URL.createObjectURL(file);
    });
  }
  function toBlob(canvas, q) { return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", q)); }
  async function resize(file) {
    const img = await decode(file);
    const w0 = img.width, h0 = img.height;
    if (!w0 || !h0) throw new Error("decode");
    let scale = Math.min(1, MAX_SIDE / Math.max(w0, h0));
    let blob = null;
    for (let round = 0; round < 6; round++) {
      const canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(w0 * scale));
      canvas.height = Math.max(1, Math.round(h0 * scale));
      canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
      for (const q of [0.82, 0.7, 0.6]) {
        blob = await toBlob(canvas, q);
        if (blob && blob.size <= MAX_BYTES) return { blob, width: canvas.width, height: canvas.height };
      }
      scale *= 0.8;
    }
    if (!blob) throw new Error("encode");
    return { blob, width: 0, height: 0 };
  }
  window.gridgovResizePhoto = resize;

  async function shrinkInput(input) {
    const chosen = Array.from(input.files || []);
    if (!chosen.length || typeof DataTransfer === "undefined") return chosen.map((f) => ({ original: f, file: f }));
    const dt = new DataTransfer();
    const out = [];
    for (const f of chosen) {
      let file = f;
      try {
        const { blob } = await resize(f);
        file = new File([blob], f.name.replace(/\.[^.]*$/, "") + ".jpg", { type: "image/jpeg" });
      } catch (e) { file = f; }
      dt.items.add(file);
      out.push({ original: f, file });
    }
    input.files = dt.files;
    input.dataset.resized = "1";
    return out;
  }
  window.gridgovShrinkInput = shrinkInput;

  document.querySelectorAll("input[type=file][data-resize-photos]").forEach((input) => {
    input.addEventListener("change", async () => {
      const buttons = input.form ? input.form.querySelectorAll("button[type=submit], button:not([type])") : [];
      buttons.forEach((b) => { b.disabled = true; });
      try { await shrinkInput(input); } finally { buttons.forEach((b) => { b.disabled = false; }); }
    });
  });
})();
