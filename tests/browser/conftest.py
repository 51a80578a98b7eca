"""The admin's JavaScript (language tabs, drag and drop, the rich-text editor, the
grid page) driven in headless Chromium by Playwright against a live server.

Django and Playwright share the test's thread. Playwright's sync API runs an asyncio
event loop in that thread for as long as it is started, and while a loop runs there
Django refuses every ORM call (``SynchronousOnlyOperation``). Setting
``DJANGO_ALLOW_ASYNC_UNSAFE`` would silence that check for the whole process, and with
SQLite's in-memory test database the ORM in the test's thread would then share its
connection with the live server's thread mid-request. So the check stays on, and the
two never overlap: fixtures write their data with the ORM first; the browser starts
when the test body opens its first page (``admin_browser.log_in()``), after every
fixture has run; it is stopped in teardown, before the database is flushed. While
it runs, a test checks results as a frontend would, through the public API over
HTTP. An ORM call in a test body once the browser is open fails loudly, by design.

A failed test saves a screenshot and the HTML of each page it had open into
``$BROWSER_ARTIFACTS`` (default: ``<tmp>/clinic-browser-artifacts``) and names the
files in the failure report. An uncaught JavaScript error, a console error or a
failed request of an admin page fails the test that caused it.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Long enough for a slow shared CI machine, short enough that a missing element
# fails the test in seconds rather than minutes.
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)
VIEWPORT = {"width": 1400, "height": 1000}

USERNAME = "editor"
PASSWORD = "browser-test-password-1"

ARTIFACTS = Path(
    os.environ.get("BROWSER_ARTIFACTS")
    or Path(tempfile.gettempdir()) / "clinic-browser-artifacts"
)
# `make screenshots` sets this to docs/: the Korean admin test saves the pictures
# the README shows there.
DOCS_SCREENSHOTS = os.environ.get("BROWSER_DOCS_SCREENSHOTS", "")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    session = item.funcargs.get("admin_browser") if report.failed else None
    if session is not None and report.when == "call":
        item.browser_call_failed = True
        if session.problems:
            report.sections.append(("browser errors", "\n".join(session.problems)))
        saved = session.save_artifacts(item.name)
        if saved:
            report.sections.append(("browser artifacts", "\n".join(saved)))
    return report


class AdminBrowser:
    """One test's Chromium: started by the first ``log_in()``, stopped in teardown."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.problems: list[str] = []
        self._playwright = None
        self._browser = None
        self._pages = []
        self._api = None

    def log_in(
        self,
        page=None,
        *,
        locale: str = "en-US",
        username: str = USERNAME,
        password: str = PASSWORD,
    ):
        """``page``, or a page of a new browser whose preferred language is
        ``locale``, logged in to the admin through its login form (as the
        editor, or as ``username``: a second editor in a browser of their
        own)."""
        if page is None:
            page = self.open(locale=locale)
            page.goto("/admin/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(password)
        page.locator("#login-form [type=submit]").click()
        page.locator("#user-tools").wait_for()
        return page

    def open(self, *, locale: str = "en-US"):
        if self._browser is None:
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
            # The frontends' view: no cookies, no admin session.
            self._api = self._playwright.request.new_context(base_url=self.base_url)
        # locale sets both navigator.language and the Accept-Language header.
        context = self._browser.new_context(
            base_url=self.base_url, locale=locale, viewport=VIEWPORT
        )
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        self._watch(page)
        self._pages.append(page)
        return page

    def _watch(self, page) -> None:
        def on_console(message):
            # Failed loads are reported (with their URL) by on_response.
            if message.type == "error" and "Failed to load resource" not in (
                message.text
            ):
                self.problems.append(f"console error on {page.url}: {message.text}")

        def on_response(response):
            if response.status >= 400:
                self.problems.append(
                    f"{response.request.method} {response.url}: {response.status}"
                )

        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: {error}"))
        page.on("console", on_console)
        page.on("response", on_response)

    def api(self, path: str, **params: str) -> tuple[int, dict]:
        """GET ``/api/v1/<path>`` as a frontend does: (status, JSON body)."""
        assert self._api is not None, "open a page first"
        response = self._api.get(f"/api/v1/{quote(path)}", params=params)
        return response.status, response.json()

    def save_artifacts(self, name: str) -> list[str]:
        """A screenshot and the HTML of every open page; the paths written."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        stem = f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}-{time.strftime('%H%M%S')}"
        saved = []
        for number, page in enumerate(self._pages, start=1):
            if page.is_closed():
                continue
            base = ARTIFACTS / f"{stem}-{number}"
            try:
                page.screenshot(path=f"{base}.png", full_page=True)
                Path(f"{base}.html").write_text(page.content(), encoding="utf-8")
            except Exception as error:  # a report of a failure must not fail
                saved.append(f"{page.url}: could not save ({error})")
                continue
            saved.append(f"{page.url}\n  {base}.png\n  {base}.html")
        return saved

    def close(self) -> None:
        if self._api is not None:
            self._api.dispose()
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()
        self._browser = self._playwright = self._api = None


@pytest.fixture
def editor_account(transactional_db):
    return get_user_model().objects.create_superuser(
        USERNAME, "editor@example.com", PASSWORD
    )


@pytest.fixture
def admin_browser(request, live_server, editor_account) -> Iterator[AdminBrowser]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"no Chromium at {CHROMIUM}: apt-get install -y chromium chromium-driver"
        )
    session = AdminBrowser(live_server.url)
    yield session
    try:
        # Reported with the failure already if the test itself failed.
        if session.problems and not getattr(request.node, "browser_call_failed", 0):
            saved = session.save_artifacts(f"{request.node.name}-teardown")
            pytest.fail(
                "the admin pages reported errors:\n"
                + "\n".join(session.problems)
                + "\n\nbrowser artifacts:\n"
                + "\n".join(saved),
                pytrace=False,
            )
    finally:
        session.close()


def docs_screenshot(page, name: str) -> None:
    """Save ``page`` as ``docs/<name>`` when `make screenshots` asks for it."""
    if DOCS_SCREENSHOTS:
        Path(DOCS_SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(DOCS_SCREENSHOTS) / name), full_page=True)


# The admin's widgets, as an editor finds them.

# The languages as the English admin names them, in the panel's order.
LANGUAGE_NAMES = {
    "en": "English",
    "ko": "Korean",
    "ja": "Japanese",
    "zh-hans": "Simplified Chinese",
}


def publish_selected(page, *codes: str, with_outdated: bool = False) -> None:
    """Publish what is saved in ``codes`` from the change page's publication panel
    (English admin), as an editor does: check the languages, click "Publish in the
    selected languages" (a published language's own button is "Unpublish", so
    this is also how an edit of a published language goes live), and wait for the
    panel's message. ``with_outdated``: check "publish with outdated
    translations" too."""
    panel = page.locator("#publication-panel")
    for code in codes:
        panel.locator(f"#publish-select-{code}").check()
    if with_outdated:
        # Knowing that a translation's English changed since it was translated.
        panel.locator(
            "#publication-selected input[name=outdated_confirmed][value=all]"
        ).check()
    panel.get_by_role(
        "button", name="Publish in the selected languages", exact=True
    ).click()
    names = ", ".join(name for code, name in LANGUAGE_NAMES.items() if code in codes)
    expect(page.locator(".messagelist .success")).to_have_text(f"Published in {names}.")


def tab(page, field: str, code: str):
    """The language tab of ``field`` (modeltranslation's tabs)."""
    return page.locator(f'a[href="#tab_id_{field}_{code.replace("-", "_")}"]')


def rich_text(page, field: str, code: str):
    """The editable area of a rich-text field's editor (django-prose-editor)."""
    name = f"{field}_{code.replace('-', '_')}"
    return page.locator(f".field-{name} .ProseMirror[contenteditable=true]")


def focus_editor(page, field: str, code: str):
    """Click into a rich-text field's editor and wait until it has the keyboard
    (keys pressed before are lost); the editable area."""
    editor = rich_text(page, field, code)
    editor.click()
    expect(editor).to_be_focused()
    _next_frames(page)
    return editor


def editor_button(page, field: str, code: str, button: str) -> None:
    """Click a button of a rich-text field's menu bar (bold, bulletList…) and wait
    until the editor has the keyboard again: keys pressed before are lost."""
    name = f"{field}_{code.replace('-', '_')}"
    page.locator(f".field-{name} .prose-menubar button[data-name={button}]").click()
    expect(rich_text(page, field, code)).to_be_focused()
    _next_frames(page)


def add_link(page, field: str, code: str, url: str) -> None:
    """Make the selected text (not a link yet) a link to ``url`` through the
    editor's link dialog."""
    menu = f".field-{field}_{code.replace('-', '_')} .prose-menubar"
    links = rich_text(page, field, code).locator("a")
    count = links.count()
    # The editor takes a selection made with the keyboard from the browser a
    # moment later; its menu shows when it has: "link" enabled (a selection) and
    # "remove link" hidden (not inside a link, such as the one set before).
    expect(page.locator(f"{menu} button[data-name=link]")).not_to_have_class(
        re.compile(r"\bdisabled\b")
    )
    expect(page.locator(f"{menu} button[data-name=unlink]")).to_have_class(
        re.compile(r"\bhidden\b")
    )
    page.locator(f"{menu} button[data-name=link]").click()
    dialog = page.locator("dialog[open]")
    dialog.locator("input[name=href]").fill(url)
    dialog.locator("button[type=submit]").click()
    # The link is set once the dialog has closed and the editor has the focus
    # back: a key pressed before it would move the selection it is set on.
    expect(links).to_have_count(count + 1)
    expect(rich_text(page, field, code)).to_be_focused()
    _next_frames(page)


def _next_frames(page) -> None:
    """Wait two animation frames: the editor gives the selection back to the text
    in one (tiptap's focus()); a key pressed before would be undone by it."""
    page.evaluate(
        "() => new Promise(done => requestAnimationFrame("
        "() => requestAnimationFrame(done)))"
    )


def select_back(page, characters: int) -> None:
    """Select the ``characters`` before the cursor, as Shift+← does."""
    page.keyboard.down("Shift")
    for _ in range(characters):
        page.keyboard.press("ArrowLeft")
    page.keyboard.up("Shift")
