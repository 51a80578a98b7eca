"use strict";
// The change page of translatable content (admin/editing/change_form.html):
//
// - one language switch for the whole page, named in each language's own name,
//   driving every field's language tab (modeltranslation's jQuery UI tabs) and
//   following a click on any of them; remembered per editor in this browser;
// - beside each field of another language, the default language's text;
// - for an article's blocks: a block shows only its kind's fields, can be
//   collapsed to a one-line summary, and is added by choosing its kind first;
// - the publication panel's missing-field links open the language, the block
//   and the field.
//
// Everything comes from the page's config (#editing-config, built by
// publication.admin.EditingAdminMixin): the languages, the block kinds and
// every label, translated on the server.
(() => {
  const configElement = document.getElementById("editing-config");
  const form = document.querySelector("#content-main form[id$='_form']");
  if (!configElement || !form) {
    return;
  }
  const config = JSON.parse(configElement.textContent);
  const text = config.strings;
  const codes = config.languages.map((language) => language.code);
  const suffix = (code) => `_${code.replace(/-/g, "_")}`;
  const storageKey = `clinic-admin-language:${config.user}`;
  const sourceKey = `clinic-admin-source:${config.user}`;
  const $ = window.django && window.django.jQuery;
  let current = config.initial;
  let switching = false;

  // The tab containers modeltranslation made, and each one's languages in
  // order (read from the tab links: #tab_id_<field>_<code>).
  const tabSets = () =>
    [...form.querySelectorAll(".ui-tabs")].filter((set) => !set.closest(".empty-form"));
  const tabLanguage = (anchor) => {
    const href = anchor.getAttribute("href") || "";
    return codes.find((code) => href.endsWith(suffix(code)));
  };

  function remember(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch {
      // Storage refused (private mode): the choice lasts for this page.
    }
  }
  function recall(key) {
    try {
      return window.localStorage.getItem(key);
    } catch {
      return null;
    }
  }

  // The switch.
  const bar = document.createElement("div");
  bar.id = "language-switch";
  bar.className = "language-switch";
  bar.setAttribute("role", "group");
  bar.setAttribute("aria-label", text.switch_label);
  const barLabel = document.createElement("span");
  barLabel.className = "language-switch-label";
  barLabel.textContent = text.switch_label;
  bar.append(barLabel);
  const buttons = {};
  for (const language of config.languages) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "language-button";
    button.dataset.lang = language.code;
    button.lang = language.code;
    button.textContent = language.name;
    button.title = language.label;
    button.addEventListener("click", () => show(language.code));
    buttons[language.code] = button;
    bar.append(button);
  }
  const sourceToggle = document.createElement("label");
  sourceToggle.className = "source-toggle";
  const sourceBox = document.createElement("input");
  sourceBox.type = "checkbox";
  sourceBox.id = "show-source";
  sourceBox.checked = recall(sourceKey) !== "0";
  sourceBox.addEventListener("change", () => {
    remember(sourceKey, sourceBox.checked ? "1" : "0");
    updateSources();
  });
  sourceToggle.append(sourceBox, ` ${text.show_source}`);
  bar.append(sourceToggle);

  // Each field's tabs named like the switch (modeltranslation writes codes).
  function nameTabs() {
    for (const anchor of form.querySelectorAll(".ui-tabs-nav a:not([data-named])")) {
      const language = config.languages.find((each) => each.code === tabLanguage(anchor));
      if (language) {
        anchor.textContent = language.name;
        anchor.lang = language.code;
        anchor.dataset.named = "1";
      }
    }
  }

  function show(code) {
    nameTabs();
    if (!codes.includes(code)) {
      return;
    }
    current = code;
    remember(storageKey, code);
    switching = true;
    try {
      for (const set of tabSets()) {
        const anchors = [...set.querySelectorAll(".ui-tabs-nav a")];
        const index = anchors.findIndex((anchor) => tabLanguage(anchor) === code);
        if (index >= 0 && $) {
          $(set).tabs("option", "active", index);
        }
      }
      const main = document.getElementById("modeltranslation-main-switch");
      if (main) {
        main.value = String(codes.indexOf(code));
      }
    } finally {
      switching = false;
    }
    for (const [each, button] of Object.entries(buttons)) {
      button.setAttribute("aria-pressed", String(each === code));
    }
    form.dataset.language = code;
    updateSources();
  }

  // Beside each field of another language, the default language's text.
  function sourceText(field) {
    if (!field) {
      return "";
    }
    if (field.tagName === "SELECT") {
      return field.selectedIndex >= 0 && field.value ? field.options[field.selectedIndex].text : "";
    }
    const value = field.value || "";
    if (!field.closest(".prose-editor") && !/^\s*</.test(value)) {
      return value.trim();
    }
    // Rich text: its text, a line per paragraph, never its markup.
    const doc = new DOMParser().parseFromString(value, "text/html");
    const lines = [...doc.body.querySelectorAll("p, li, h2, h3, h4, blockquote")]
      .filter((element) => !element.querySelector("p, li"))
      .map((element) => element.textContent.trim())
      .filter(Boolean);
    return lines.length ? lines.join("\n") : doc.body.textContent.trim();
  }

  function updateSources() {
    const showing = sourceBox.checked && current !== config.default;
    for (const set of tabSets()) {
      let box = set.querySelector(":scope > .source-text");
      const panel = [...set.querySelectorAll(":scope > [id^='tab_']")].find((each) =>
        each.id.endsWith(suffix(config.default)),
      );
      if (!showing || !panel) {
        if (box) {
          box.hidden = true;
        }
        continue;
      }
      if (!box) {
        box = document.createElement("div");
        box.className = "source-text";
        const label = document.createElement("span");
        label.className = "source-label";
        label.textContent = text.source_label;
        const source = document.createElement("div");
        source.lang = config.default;
        box.append(label, source);
        set.append(box);
      }
      const value = sourceText(panel.querySelector("input:not([type=hidden]), textarea, select"));
      box.lastElementChild.textContent = value;
      // Nothing to translate from: nothing shown.
      box.hidden = !value;
    }
  }

  // Blocks.
  const blocks = config.blocks;
  const group = blocks && document.getElementById(`${blocks.prefix}-group`);

  function blockFields(row) {
    // Each switchable field's outermost container in this block's form.
    const found = {};
    for (const name of blocks.switchable) {
      const selector = [`[name='${row.id}-${name}']`]
        .concat(codes.map((code) => `[name='${row.id}-${name}${suffix(code)}']`))
        .join(", ");
      found[name] = [
        ...new Set(
          [...row.querySelectorAll(selector)].map(
            (field) => field.closest(".ui-tabs") || field.closest(".form-row"),
          ),
        ),
      ].filter(Boolean);
    }
    return found;
  }

  function kindOf(row) {
    return row.querySelector(`[name='${row.id}-${blocks.kind_field}']`);
  }

  function applyKind(row) {
    const select = kindOf(row);
    const wanted = new Set(blocks.kinds[select && select.value] || []);
    for (const [name, containers] of Object.entries(blockFields(row))) {
      for (const container of containers) {
        // Hidden, not cleared: switching back shows what was typed.
        container.classList.toggle("block-field-hidden", !wanted.has(name));
      }
    }
    summarize(row);
  }

  function summarize(row) {
    const summary = row.querySelector(".block-summary");
    if (!summary) {
      return;
    }
    const select = kindOf(row);
    const kind = select && select.value ? select.options[select.selectedIndex].text : "";
    const heading =
      row.querySelector(`[name='${row.id}-heading${suffix(current)}']`) ||
      row.querySelector(`[name='${row.id}-heading${suffix(config.default)}']`);
    const title = heading && heading.value.trim();
    summary.textContent = [kind, title].filter(Boolean).join(" — ");
  }

  function setCollapsed(row, collapsed) {
    row.classList.toggle("block-collapsed", collapsed);
    const toggle = row.querySelector(".block-toggle");
    if (toggle) {
      toggle.setAttribute("aria-expanded", String(!collapsed));
      toggle.textContent = collapsed ? text.expand : text.collapse;
    }
  }

  function setUpBlock(row, collapsed) {
    if (row.dataset.block) {
      return;
    }
    row.dataset.block = "1";
    const heading = row.querySelector("h3");
    if (heading) {
      const toggle = document.createElement("button");
      toggle.type = "button";
      toggle.className = "block-toggle";
      toggle.addEventListener("click", () =>
        setCollapsed(row, !row.classList.contains("block-collapsed")),
      );
      const summary = document.createElement("span");
      summary.className = "block-summary";
      heading.prepend(toggle);
      heading.querySelector(".inline_label")?.after(summary);
    }
    const select = kindOf(row);
    if (select) {
      select.addEventListener("change", () => applyKind(row));
    }
    row.addEventListener("input", (event) => {
      if (event.target.name && event.target.name.includes("-heading")) {
        summarize(row);
      }
    });
    applyKind(row);
    setCollapsed(row, collapsed && !row.querySelector(".errorlist, .errors"));
  }

  function setUpBlocks() {
    const rows = [...group.querySelectorAll(".inline-related:not(.empty-form)")];
    rows.forEach((row, index) => setUpBlock(row, index >= blocks.open));
    // Expand and collapse all.
    const tools = document.createElement("p");
    tools.className = "block-tools";
    for (const [label, collapsed] of [
      [text.expand_all, false],
      [text.collapse_all, true],
    ]) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button";
      button.textContent = label;
      button.addEventListener("click", () => {
        for (const row of group.querySelectorAll(".inline-related:not(.empty-form)")) {
          setCollapsed(row, collapsed);
        }
      });
      tools.append(button);
    }
    group.querySelector("fieldset > h2")?.after(tools);
    // Adding a block starts with its kind.
    const add = group.querySelector(".add-row a");
    if (!add) {
      return;
    }
    add.parentElement.hidden = true;
    const chooser = document.createElement("div");
    chooser.className = "block-chooser";
    chooser.setAttribute("role", "group");
    chooser.setAttribute("aria-label", text.add_block);
    const label = document.createElement("span");
    label.textContent = text.add_block;
    chooser.append(label);
    let wantedKind = null;
    for (const [value, name] of blocks.choices) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button";
      button.dataset.kind = value;
      button.textContent = name;
      button.addEventListener("click", () => {
        wantedKind = value;
        add.click();
      });
      chooser.append(button);
    }
    add.parentElement.after(chooser);
    document.addEventListener("formset:added", (event) => {
      if (event.detail?.formsetName !== blocks.prefix) {
        return;
      }
      const row = event.target;
      const select = kindOf(row);
      if (select && wantedKind) {
        select.value = wantedKind;
      }
      wantedKind = null;
      // After modeltranslation has made the new block's tabs (its handler of
      // the same click runs after Django's).
      window.setTimeout(() => {
        setUpBlock(row, false);
        show(current);
        (row.querySelector(".ui-tabs [id^='tab_']:not([hidden]) input, .ui-tabs textarea") || select)?.focus();
      }, 0);
    });
  }

  // The form field a panel entry names (its column, and for a part the
  // inline's prefix and the part's key).
  function fieldOf(entry) {
    if (!entry.dataset.prefix) {
      return document.getElementById(`id_${entry.dataset.field}`);
    }
    const id = form.querySelector(
      `input[name^='${entry.dataset.prefix}-'][name$='-id'][value='${entry.dataset.pk}']`,
    );
    const row = id && id.closest(".inline-related, tr.form-row");
    return row && row.querySelector(`[name='${row.id}-${entry.dataset.field}']`);
  }

  // Under each outdated translation: the English before and now, and "Still
  // correct" (the panel's button, which posts the panel's form).
  function showOutdated() {
    for (const entry of document.querySelectorAll("#publication-panel .outdated-item")) {
      const field = fieldOf(entry);
      const place = field && (field.closest(".form-row") || field.parentElement);
      if (!place) {
        continue;
      }
      const box = document.createElement("div");
      box.className = "outdated-box";
      const note = document.createElement("strong");
      note.textContent = text.outdated;
      box.append(note);
      for (const part of entry.querySelectorAll(".source-diff, .still-correct")) {
        box.append(part.cloneNode(true));
      }
      place.after(box);
    }
  }

  // The publication panel's links to a missing field.
  function jumpTo(link) {
    show(link.dataset.lang);
    let field = null;
    if (link.dataset.prefix) {
      const id = form.querySelector(
        `input[name^='${link.dataset.prefix}-'][name$='-id'][value='${link.dataset.pk}']`,
      );
      const row = id && id.closest(".inline-related, tr.form-row");
      if (row) {
        if (row.classList.contains("block-collapsed")) {
          setCollapsed(row, false);
        }
        field = row.querySelector(`[name='${row.id}-${link.dataset.field}']`);
      }
    } else {
      field = document.getElementById(`id_${link.dataset.field}`);
    }
    if (!field) {
      return false;
    }
    const editor = field.closest(".form-row")?.querySelector("[contenteditable=true]");
    const target = editor || field;
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
    target.closest(".form-row")?.classList.add("jumped-to");
    return true;
  }

  function setUp() {
    form.prepend(bar);
    const remembered = recall(storageKey);
    if (remembered && codes.includes(remembered)) {
      current = remembered;
    }
    if (group) {
      setUpBlocks();
    }
    if ($) {
      $(form).on("tabsactivate", ".ui-tabs", (event, ui) => {
        const code = tabLanguage(ui.newTab.find("a")[0]);
        if (!switching && code && code !== current) {
          show(code);
        }
      });
    }
    showOutdated();
    show(current);
    document.addEventListener("click", (event) => {
      const link = event.target.closest("a.missing-field");
      if (link && jumpTo(link)) {
        event.preventDefault();
      }
    });
    form.dataset.editingReady = "1";
  }

  // After modeltranslation has made its tabs: its jQuery ready handler was
  // registered before this deferred script ran, and jQuery runs them in order.
  if ($) {
    $(setUp);
  } else {
    document.addEventListener("DOMContentLoaded", setUp);
  }
})();
