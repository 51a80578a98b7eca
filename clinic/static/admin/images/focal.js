/* The image library's focal point (content/admin_images.py): a click on the image
   sets the focal point, as fractions of its width and height, in the two number
   fields of the form, and moves the mark; typing in the fields moves it too. On
   the add page the chosen file is shown from the browser's own copy (a blob: URL),
   so the point can be set before the upload. */
"use strict";
(function () {
  function setUp() {
    const picker = document.querySelector(".focal-picker");
    const x = document.getElementById("id_focal_x");
    const y = document.getElementById("id_focal_y");
    if (!picker || !x || !y) return;
    const image = picker.querySelector("img");
    const mark = picker.querySelector(".focal-mark");
    const hint = document.createElement("p");
    hint.className = "help focal-hint";
    hint.textContent = picker.dataset.hint;

    function place() {
      const fx = Math.min(Math.max(parseFloat(x.value) || 0.5, 0), 1);
      const fy = Math.min(Math.max(parseFloat(y.value) || 0.5, 0), 1);
      mark.style.left = fx * 100 + "%";
      mark.style.top = fy * 100 + "%";
    }

    function show() {
      image.hidden = false;
      mark.hidden = false;
      picker.after(hint);
      place();
    }

    if (image.getAttribute("src")) show();
    const upload = document.getElementById("id_upload");
    if (upload) {
      upload.addEventListener("change", function () {
        const file = upload.files && upload.files[0];
        if (!file) return;
        if (image.dataset.objectUrl) URL.revokeObjectURL(image.dataset.objectUrl);
        image.dataset.objectUrl = URL.createObjectURL(file);
        image.src = image.dataset.objectUrl;
        show();
      });
      image.addEventListener("error", function () {
        // Not a picture the browser can show: the server says why on save.
        image.hidden = true;
        mark.hidden = true;
      });
    }
    image.addEventListener("click", function (event) {
      const box = image.getBoundingClientRect();
      const fx = (event.clientX - box.left) / box.width;
      const fy = (event.clientY - box.top) / box.height;
      x.value = Math.min(Math.max(fx, 0), 1).toFixed(3);
      y.value = Math.min(Math.max(fy, 0), 1).toFixed(3);
      x.dispatchEvent(new Event("change", { bubbles: true }));
      y.dispatchEvent(new Event("change", { bubbles: true }));
      place();
    });
    x.addEventListener("input", place);
    y.addEventListener("input", place);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
