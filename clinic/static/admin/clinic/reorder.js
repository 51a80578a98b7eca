"use strict";
// A confirmation after a drag-and-drop reorder of a changelist, and no way to
// leave the page before it is saved.
//
// django-admin-sortable2 (written for 2.3) posts the new order with fetch() when a
// row is dropped, looks at the answer's status only and tells the editor nothing.
// It never reads the answer's body, so the browser holds the request open until
// the page is left, and reports it aborted then (a click right after a drop could
// even stop the save). The library offers no event around the request; the one
// place to see it is fetch() itself, wrapped here for requests to the reorder URL
// only: while one is under way the page takes no clicks and asks before unloading;
// its answer is read to the end (a copy of it: the library's own is untouched),
// and an admin message says whether the order was saved.
(function () {
  const script = document.currentScript;
  const updateUrl = new URL(script.dataset.updateUrl, window.location.href).href;
  // The messages, translated by the template (a changelist loads no JavaScript
  // catalog).
  const { saving, saved, failed } = script.dataset;
  let pending = 0;

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
  }

  function finished(ok) {
    pending -= 1;
    if (pending === 0) {
      document.body.classList.remove("reorder-saving");
      window.removeEventListener("beforeunload", holdUnload);
    }
    if (!ok) {
      show("error", failed);
    } else if (pending === 0) {
      show("success", saved);
    }
  }

  const fetch = window.fetch;
  window.fetch = function (resource, options) {
    const answer = fetch.call(this, resource, options);
    const url = resource instanceof Request ? resource.url : String(resource);
    if (new URL(url, window.location.href).href === updateUrl) {
      started();
      answer.then(
        (response) =>
          response
            .clone()
            .text()
            .then(
              () => finished(response.status === 200),
              () => finished(false),
            ),
        () => finished(false),
      );
    }
    return answer;
  };
})();
