"use strict";
// A confirmation after a drag-and-drop reorder of a changelist, and no way to
// leave the page while it is being saved.
//
// django-admin-sortable2 (written for 2.3) posts the new order with fetch() when a
// row is dropped and tells the editor nothing; a click on a link right after the
// drop aborted the request. It offers no event around the request, so this script
// watches what it does in public: it writes the rows' new positions into the
// handles' "order" attributes just before posting (the start of a save), and the
// browser's resource timing reports the request once it is complete. Meanwhile the
// page takes no clicks and asks before unloading; then an admin message says
// whether the order was saved.
(function () {
  const script = document.currentScript;
  const updateUrl = new URL(script.dataset.updateUrl, window.location.href).href;
  // The messages, translated by the template (a changelist loads no JavaScript
  // catalog).
  const { saving, saved: savedText, failed } = script.dataset;
  // The server's own answer can be lost (a dropped connection): the page is given
  // back after this long with an error.
  const TIMEOUT_MS = 30000;
  let pending = 0;
  let timer = null;

  function show(level, text) {
    const main = document.getElementById("content-start");
    const content = document.getElementById("content");
    if (!main || !content) {
      return;
    }
    let list = main.querySelector(":scope > .messagelist");
    if (!list) {
      list = document.createElement("ul");
      list.className = "messagelist";
      main.insertBefore(list, content);
    }
    let item = document.getElementById("reorder-status");
    if (!item) {
      item = document.createElement("li");
      item.id = "reorder-status";
      item.setAttribute("role", "status");
      list.append(item);
    }
    item.className = level;
    item.textContent = text;
  }

  function holdUnload(event) {
    event.preventDefault();
  }

  function started() {
    pending += 1;
    document.body.classList.add("reorder-saving");
    window.addEventListener("beforeunload", holdUnload);
    show("info", saving);
    window.clearTimeout(timer);
    timer = window.setTimeout(() => finished(false), TIMEOUT_MS);
  }

  function finished(saved) {
    pending = Math.max(0, pending - 1);
    if (!saved) {
      pending = 0;
    }
    if (pending === 0) {
      window.clearTimeout(timer);
      document.body.classList.remove("reorder-saving");
      window.removeEventListener("beforeunload", holdUnload);
    }
    if (!saved) {
      show("error", failed);
    } else if (pending === 0) {
      show("success", savedText);
    }
  }

  function saved(entry) {
    // Where the browser reports the status (Chromium); elsewhere the mark the
    // server adds to a saved reorder's answer (runtime/adapters/adminsortable2.py).
    if (entry.responseStatus) {
      return entry.responseStatus === 200;
    }
    return (entry.serverTiming || []).some((timing) => timing.name === "reorder-saved");
  }

  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.name === updateUrl && pending > 0) {
        finished(saved(entry));
      }
    }
  }).observe({ type: "resource" });

  function watch() {
    const rows = document.querySelector("#result_list tbody");
    if (!rows) {
      return;
    }
    // One callback per drop: the library sets every moved row's order at once.
    new MutationObserver(started).observe(rows, {
      subtree: true,
      attributes: true,
      attributeFilter: ["order"],
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watch);
  } else {
    watch();
  }
})();
