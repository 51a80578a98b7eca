"use strict";
// The rich-text editor's menu in the admin's language.
//
// django-prose-editor (written for 0.28) passes its dialogs' strings through
// Django's JavaScript catalog, but writes the menu buttons' tooltips and the block
// type picker's entries as English literals. Once an editor is ready (the
// library's "prose-editor:ready" event), each of its menu's English texts is
// replaced by its translation; the menu is rebuilt on every transaction (the
// block type shown is a fresh copy of a button), so this runs on each one. A text
// without a translation stays as it is.
(function () {
  const gettext = window.gettext || ((text) => text);
  const interpolate = window.interpolate || ((format, values) => format.replace("%s", values[0]));

  // The library's own words (django_prose_editor/static/.../editor.js, menu.js and
  // link.js of its source), for the extensions richtext.EDITOR_EXTENSIONS enables.
  const TEXTS = {
    bold: gettext("bold"),
    italic: gettext("italic"),
    underline: gettext("underline"),
    strike: gettext("strike"),
    paragraph: gettext("paragraph"),
    Paragraph: gettext("Paragraph"),
    "unordered list": gettext("unordered list"),
    "ordered list": gettext("ordered list"),
    blockquote: gettext("blockquote"),
    "horizontal rule": gettext("horizontal rule"),
    "insert link": gettext("insert link"),
    "remove link": gettext("remove link"),
    undo: gettext("undo"),
    redo: gettext("redo"),
  };
  const HEADING = /^heading (\d)$/i;

  function translate(text) {
    const heading = HEADING.exec(text);
    if (heading) {
      return interpolate(gettext("Heading %s"), [heading[1]]);
    }
    return Object.hasOwn(TEXTS, text) ? TEXTS[text] : text;
  }

  function localize(menu) {
    for (const element of menu.querySelectorAll("[title], [aria-label]")) {
      for (const name of ["title", "aria-label"]) {
        const value = element.getAttribute(name);
        if (value && translate(value) !== value) {
          element.setAttribute(name, translate(value));
        }
      }
    }
    for (const option of menu.querySelectorAll(".prose-menubar__option > *")) {
      const text = translate(option.textContent);
      if (text !== option.textContent) {
        option.textContent = text;
      }
    }
  }

  document.addEventListener("prose-editor:ready", (event) => {
    const { editor, textarea } = event.detail;
    const container = textarea.closest(".prose-editor");
    const update = () => {
      const menu = container && container.querySelector(".prose-menubar");
      if (menu) {
        localize(menu);
      }
    };
    // The menu is built when the editor is created, which may come after this
    // event; it sends an empty transaction once built. The menu's own handler
    // of a transaction may put a fresh English copy in place: this runs after it.
    editor.on("transaction", () => queueMicrotask(update));
    update();
  });
})();
