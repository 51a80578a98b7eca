"""Every admin page in the Korean UI shows no English: an editor whose browser prefers
Korean walks the whole admin, and each page's UI text is checked for English words.

The pages are found from the admin's public API (``AdminSite.get_app_list`` and
``get_model_admin``, URLs by name), so a new model or view is walked without a
change here: the login page, the index, each app's index, each model's changelist
and add page, and for an object of each model its change page (with the
publication panel), history, delete confirmation, the versions of its history
(revision, "revert only Korean"), its grid pages, its "changes since published" page;
each model's deleted objects (recover list and page), the password pages. The
rich-text editor's link dialog is opened once.

What counts as UI text: every text node of the page and the attributes an editor
sees (``title``, ``placeholder``, ``aria-label``, ``alt``, the value of a button),
hidden ones too (a tab not shown, a template row), except content:

- ``script, style, noscript, template``: not shown;
- ``textarea, [contenteditable]`` and the values of inputs (never read): what is
  typed;
- ``#result_list tbody``: the changelist's rows (objects' values; the status
  symbols are explained by the legend above, which is checked);
- ``.readonly``: a read-only field's value;
- ``.related-widget-wrapper option, select[multiple] option``: choices that are
  objects;
- ``[lang]:not([lang|=ko])``: text marked as being in another language (the grid's
  cells);
- ``#user-tools strong``: the editor's user name; ``bdi``: values Django isolates
  (a password's hash summary);
- ``.material-icons``: the names of the rich-text editor's icons (ligatures of its
  icon font, drawn as pictures; their tooltips are checked).

Objects' names (``str()`` of every object in every language: in breadcrumbs,
titles, filters, inline rows, recent actions, delete lists) and stored history
comments are content too: they are removed from a text before it is checked.

An English word is a run of two or more Latin letters that stands alone: not part
of a URL, an address, a slug or a code (letters joined to digits or by ``-_./:@``,
or with inner capitals), not in a quoted value (“Dr. Tak”, an example), and not in
``ALLOWED`` (abbreviations, language codes, the languages' own names, names of keys
and products: what Korean writes in Latin letters too). Besides, no page may log a
console error, fail a request or violate the Content-Security-Policy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
import reversion
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import models
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import get_language_info
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect
from reversion.models import Revision, Version

from content.admin import GridAdminMixin
from faq.models import FAQCategory, FAQItem
from publication.admin import PublicationAdminMixin
from publication.languages import LANGUAGE_CODES
from publication.tasks import time_reached
from tests.browser.conftest import focus_editor, select_back
from webhooks.models import Delivery, Endpoint, Event

pytestmark = pytest.mark.browser

# Latin words a Korean UI writes as they are (as written, in any case for the
# language codes).
ALLOWED = {
    # abbreviations
    "FAQ", "URL", "SEO", "API", "HTML", "ID", "JSON", "HTTP", "HTTPS", "POST", "CTA",
    "SSO", "LDAP", "GPS",
    # units (the image library's size limit)
    "MB",
    # URL schemes, as help texts name them
    "http", "https",
    # language codes (the status columns' headers, modeltranslation's tabs)
    *(part for code in LANGUAGE_CODES for part in code.split("-")),
    *(part.upper() for code in LANGUAGE_CODES for part in code.split("-")),
    # the languages' names in their own languages (a language switch): English
    *(
        word
        for code in LANGUAGE_CODES
        for word in get_language_info(code)["name_local"].split()
    ),
    # keys and products, as Django's Korean translation names them
    "Control", "Command", "Mac", "Django",
    # file formats and their extensions (the translation files' page)
    "XLIFF", "xlf", "PO", "po",
    # picture formats (the image library's upload field and its refusals)
    "JPEG", "PNG", "AVIF", "SVG",
}  # fmt: skip

# Content, not UI: see the module docstring.
CONTENT = ", ".join(
    [
        "script",
        "style",
        "noscript",
        "template",
        "textarea",
        "[contenteditable]",
        "#result_list tbody",
        ".readonly",
        ".related-widget-wrapper option",
        "select[multiple] option",
        "[lang]:not([lang|=ko])",
        "#user-tools strong",
        "bdi",
        ".material-icons",
    ]
)
ATTRIBUTES = ["title", "placeholder", "aria-label", "alt"]
BUTTONS = "input[type=submit], input[type=button], input[type=reset]"

COLLECT = """([content, attributes, buttons]) => {
  const texts = [];
  const where = (element) => {
    const parts = [];
    for (let e = element; e && e !== document.body && parts.length < 3;
         e = e.parentElement) {
      parts.unshift(e.tagName.toLowerCase() + (e.id ? "#" + e.id : ""));
    }
    return parts.join(" > ");
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode()); ) {
    const element = node.parentElement;
    if (!element.closest(content) && node.textContent.trim()) {
      texts.push([node.textContent.trim(), where(element)]);
    }
  }
  for (const element of document.body.querySelectorAll("*")) {
    if (element.closest(content) && !element.matches(".material-icons")) continue;
    for (const name of attributes) {
      const value = element.getAttribute(name);
      if (value && value.trim()) {
        texts.push([value.trim(), `${where(element)}[${name}]`]);
      }
    }
    if (element.matches(buttons) && element.value.trim()) {
      texts.push([element.value.trim(), `${where(element)}[value]`]);
    }
  }
  return texts;
}"""

# Reports of the Content-Security-Policy, kept by the page from its start.
WATCH_CSP = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""

# Every rich-text editor of the page has its menu (the editor is a module that
# starts after the load event).
EDITORS_READY = """() => [...document.querySelectorAll(
  "textarea[data-django-prose-editor-configurable], "
  + "textarea[data-django-prose-editor-default]"
)].filter((t) => !t.id.includes("__prefix__"))
  .every((t) => t.closest(".prose-editor")?.querySelector(".prose-menubar"))"""

URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+|\S+@\S+\.\S+", re.IGNORECASE)
# A value cited in quotes: an example, a name.
QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|‘[^’]*’")
# Letters joined to digits or by -_./:@, or inner capitals: a slug, a path, a code,
# a file name, a type name (MedicalProcedure).
IDENTIFIER = re.compile(
    r"[A-Za-z0-9][-_./:@][A-Za-z0-9]|[A-Za-z][0-9]|[0-9][A-Za-z]|[a-z][A-Z]"
)
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
PUNCTUATION = "\"'“”‘’()[]{}<>«»,;:.!?…·—–-*#%&/\\|"


def english_words(text: str, content: list[str]) -> list[str]:
    """The English words of ``text`` once the ``content`` strings are removed."""
    if not LATIN_WORD.search(text):
        return []
    for string in content:
        if string in text:  # longest first: a name inside another goes with it
            text = text.replace(string, " ")
    words = []
    for chunk in QUOTED.sub(" ", URL.sub(" ", text)).split():
        token = chunk.strip(PUNCTUATION)
        if IDENTIFIER.search(token):
            continue
        words += [w for w in LATIN_WORD.findall(token) if w not in ALLOWED]
    return words


def test_english_words_are_found_outside_content_and_codes():
    assert english_words("FAQ 항목 변경", []) == []
    assert english_words("예: mouth-corner-asymmetry, https://x.example/a b", []) == []
    assert english_words("Move selected to last page", []) == [
        "Move", "selected", "to", "last", "page",
    ]  # fmt: skip
    assert english_words("“Botox or surgery?” 변경", ["Botox or surgery?"]) == []
    assert english_words('"Control" 키를 누른 채로, 예: “Dr. Tak”', []) == []
    assert english_words("schema.org MedicalProcedure 정보", []) == []
    assert english_words("목록 속성 (List properties)", []) == ["List", "properties"]


@dataclasses.dataclass
class Walk:
    pages: list[str]
    content: list[str]
    # The change page whose rich-text editor's link dialog is opened.
    editor_page: str


def object_pages(model_admin, obj, request) -> list[str]:
    """The pages of ``obj``'s admin that show it, by URL name (those it has)."""
    opts = model_admin.model._meta
    info = f"admin:{opts.app_label}_{opts.model_name}"
    pages = [reverse(f"{info}_change", args=[obj.pk])]
    pages.append(reverse(f"{info}_history", args=[obj.pk]))
    if model_admin.has_delete_permission(request, obj):
        pages.append(reverse(f"{info}_delete", args=[obj.pk]))
    if isinstance(model_admin, GridAdminMixin):
        # The editor's language (Korean), and English, the source language.
        grid = reverse(f"{info}_grid", args=[obj.pk])
        pages += [grid, f"{grid}?lang=en"]
    if isinstance(model_admin, PublicationAdminMixin):
        pages.append(reverse(f"{info}_changes", args=[obj.pk, "ko"]))
    version = (
        Version.objects.get_for_object(obj).first()
        if reversion.is_registered(model_admin.model)
        else None
    )
    if version is not None:
        pages.append(reverse(f"{info}_revision", args=[obj.pk, version.pk]))
        pages.append(
            reverse(f"{info}_revert_language", args=[obj.pk, version.pk, "ko"])
        )
    if opts.label == "auth.User":
        pages.append(reverse("admin:auth_user_password_change", args=[obj.pk]))
    return pages


def model_pages(model_admin, request) -> list[str]:
    """The recover list and the recover page of a deleted object (reversion)."""
    opts = model_admin.model._meta
    info = f"admin:{opts.app_label}_{opts.model_name}"
    if not model_admin.has_add_permission(request):
        return []  # reversion's condition for recovering
    try:
        pages = [reverse(f"{info}_recoverlist")]
    except NoReverseMatch:
        return []
    deleted = Version.objects.get_deleted(model_admin.model).first()
    if deleted is not None:
        pages.append(reverse(f"{info}_recover", args=[deleted.pk]))
    return pages


def object_names(model: type[models.Model]) -> set[str]:
    names = set()
    for obj in model._default_manager.all():
        for code in LANGUAGE_CODES:
            with translation.override(code):
                names.add(str(obj))
    return names


@pytest.fixture
def walk(demo, editor_account) -> Walk:
    """The demo, plus an object of each model that has none, a history with a
    deleted FAQ item, and a Korean edit since published; then every page."""
    Group.objects.create(name="편집자")
    endpoint = Endpoint.objects.create(
        url="https://www.example.com/api/revalidate", description="사이트"
    )
    event = Event.objects.create(
        endpoint=endpoint, change=1, webhook_id="wh_walk", body="{}"
    )
    Delivery.objects.create(event=event)
    item = FAQItem.objects.order_by("position").first()
    if not DBTaskResult.objects.exists():
        # A publication time waiting in the background worker's queue.
        when = timezone.now() + dt.timedelta(hours=1)
        time_reached.using(run_after=when).enqueue(
            "faq.FAQItem", item.pk, when.isoformat()
        )
    with reversion.create_revision():
        item.question_ko += " (수정)"
        item.save()
        reversion.set_user(editor_account)
        reversion.set_comment("질문 수정")
    with reversion.create_revision():
        gone = FAQItem.objects.create(
            category=FAQCategory.objects.order_by("position").first(),
            position=99,
            question_ko="삭제될 질문",
            answer_ko="<p>삭제될 답변</p>",
        )
        reversion.set_user(editor_account)
    gone.delete()

    request = RequestFactory().get("/admin/")
    request.user = editor_account
    # An English answer rewritten: its translations are outdated (the panel's
    # and the fields' boxes, the lists' filter, the status page).
    rewritten = FAQItem.objects.order_by("position")[1]
    rewritten.answer_en = "<p>Rewritten in English.</p>"
    rewritten.save()
    pages = [
        reverse("admin:index"),
        reverse("admin:password_change"),
        reverse("admin:password_change_done"),
        reverse("translations"),
        reverse("translations-status"),
        reverse("admin:faq_faqitem_change", args=[rewritten.pk]),
    ]
    content: set[str] = {editor_account.get_username()}
    for app in admin.site.get_app_list(request):
        pages.append(app["app_url"])
        for entry in app["models"]:
            model = entry["model"]
            model_admin = admin.site.get_model_admin(model)
            pages.append(entry["admin_url"])
            if entry.get("add_url"):
                pages.append(entry["add_url"])
            obj = model_admin.get_queryset(request).order_by("pk").first()
            assert obj is not None, f"no {model._meta.label} to walk"
            pages += object_pages(model_admin, obj, request)
            pages += model_pages(model_admin, request)
    # Many-to-many rows too: the delete page lists them by their names.
    for model in apps.get_models(include_auto_created=True):
        content |= object_names(model)
    content |= {revision.get_comment() for revision in Revision.objects.all()}
    # The queues' names, offered by the task results' filter.
    content |= set(DBTaskResult.objects.values_list("queue_name", flat=True))
    return Walk(
        pages=pages,
        # Longest first: a name inside another is removed with it.
        content=sorted(filter(None, content), key=len, reverse=True),
        editor_page=reverse("admin:faq_faqitem_change", args=[item.pk]),
    )


def test_every_admin_page_in_the_korean_ui_shows_no_english(
    admin_browser, walk, settings, live_server
):
    # The image library's pictures from the live server itself, as `make run`
    # serves them (the tests' MEDIA_URL names no server a browser can reach).
    settings.MEDIA_URL = f"{live_server.url}/media/"
    # An English text and where it was: the pages it is on.
    found: dict[str, list[str]] = {}
    failed: list[str] = []
    page = admin_browser.open(locale="ko-KR")
    page.add_init_script(WATCH_CSP)
    page.on(
        "requestfailed",
        lambda request: failed.append(f"{request.url}: {request.failure}"),
    )

    def check(name: str) -> None:
        page.wait_for_load_state("networkidle")
        page.wait_for_function(EDITORS_READY)
        for text, where in page.evaluate(COLLECT, [CONTENT, ATTRIBUTES, BUTTONS]):
            words = english_words(text, walk.content)
            if words:
                key = f"{' '.join(words)!r} in {text[:120]!r} at {where}"
                found.setdefault(key, []).append(name)
        for violation in page.evaluate("window.cspViolations"):
            found.setdefault(f"CSP violation: {violation}", []).append(name)

    page.goto("/admin/")
    check("login")
    admin_browser.log_in(page)
    for url in walk.pages:
        page.goto(url)
        check(url)

    # The rich-text editor's link dialog, on a selection in the Korean answer.
    page.goto(walk.editor_page)
    page.wait_for_function(EDITORS_READY)
    focus_editor(page, "answer", "ko")
    page.keyboard.press("End")
    select_back(page, 2)
    menu = page.locator(".field-answer_ko .prose-menubar")
    expect(menu.locator("button[data-name=link]")).not_to_have_class(
        re.compile(r"\bdisabled\b")
    )
    menu.locator("button[data-name=link]").click()
    expect(page.locator("dialog[open]")).to_be_visible()
    check("link dialog")
    expect(page.locator("dialog[open] button[type=submit]")).to_have_text("적용")
    page.locator("dialog[open] button[value=cancel]").click()

    assert failed == []
    assert not found, "English in the Korean admin:\n" + "\n".join(
        f"{key} (on {len(pages)} pages, e.g. {pages[0]})"
        for key, pages in sorted(found.items())
    )
