"use strict";
// Publishing publishes what is saved. A click on the publication panel leaves the
// page, so while the change form holds edits not saved yet, the panel does not
// post: it says to save first (what was typed stays in the form).
(() => {
  const panel = document.getElementById("publication-panel");
  const form = document.querySelector("#content-main form[id$='_form']");
  if (!panel || !form) {
    return;
  }
  const note = panel.querySelector(".unsaved-note");
  const values = () => new URLSearchParams(new FormData(form)).toString();
  let saved = null;
  // After the editors and language tabs have set their fields up.
  window.addEventListener("load", () => {
    saved = values();
  });
  for (const panelForm of panel.querySelectorAll("form")) {
    panelForm.addEventListener("submit", (event) => {
      if (saved !== null && values() !== saved) {
        event.preventDefault();
        note.hidden = false;
        note.scrollIntoView({ block: "nearest" });
      }
    });
  }
})();
