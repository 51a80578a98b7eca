"""A webhook receiver on loopback that verifies every request with the
``standardwebhooks`` library, realistic changed documents, the announcement of a
change as the publication worker makes it, and the background worker's loop run in
this process on the real database backend."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import translation
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from standardwebhooks import Webhook, WebhookVerificationError

from publication.changes import (
    CREATED,
    MOVED,
    REMOVED,
    UPDATED,
    ChangedDocument,
    documents_changed,
)

ORIGIN = "https://api.example.com"


def detail(kind: str, path: str, locale: str, slug: str, **fields) -> ChangedDocument:
    url_path = f"/api/v1/{path}/{slug}/?locale={locale}"
    return ChangedDocument(
        url=ORIGIN + url_path,
        path=url_path,
        locale=locale,
        type=kind,
        slug=slug,
        **{"status": UPDATED, "etag": '"0e1d9e226f79b965ce992dd221660020"', **fields},
    )


# An FAQ item published again in Korean and Japanese, the demo article that shows it
# (its FAQ block), the FAQ list, and the locales (whose counts show every type).
FAQ_KO = detail(
    "faq_item",
    "faq-items",
    "ko",
    "교정-비용-횟수",
    tags=("faqcategory-1", "faqitem", "faqitem-3"),
)
FAQ_JA = detail(
    "faq_item",
    "faq-items",
    "ja",
    "費用と回数",
    etag='"5b1f0c3aa9e0c3c7e2d6f1a8e4b3c2d1"',
    tags=("faqcategory-1", "faqitem", "faqitem-3"),
)
ARTICLE_KO = detail(
    "article",
    "articles",
    "ko",
    "입꼬리-비대칭",
    etag='"a7c3e1d2b4f5a6c7d8e9f0a1b2c3d4e5"',
    tags=("article", "article-1", "faqitem-3", "faqitem-4", "method-2"),
)
FAQ_LIST_KO = ChangedDocument(
    url=ORIGIN + "/api/v1/faq-items/?locale=ko",
    path="/api/v1/faq-items/?locale=ko",
    locale="ko",
    status=UPDATED,
    etag='"c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6"',
    tags=("faqcategory-1", "faqitem", "faqitem-3", "faqitem-4"),
)
LOCALES = ChangedDocument(
    url=ORIGIN + "/api/v1/locales/",
    path="/api/v1/locales/",
    locale="",
    status=UPDATED,
    etag='"d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9"',
    tags=("article", "causetype", "faqcategory", "faqitem", "itemlist", "method"),
)
# Unpublished in English: gone from its address, with the slug it had.
FAQ_EN_REMOVED = detail(
    "faq_item",
    "faq-items",
    "en",
    "botox-or-surgery",
    status=REMOVED,
    etag=None,
    tags=("faqitem", "faqitem-5"),
)
# A new Korean slug: the old address answers ``moved``, the new one is created.
METHOD_KO_MOVED = detail(
    "method",
    "methods",
    "ko",
    "보톡스",
    status=MOVED,
    etag=None,
    tags=("method", "method-2"),
    location="/api/v1/methods/보톡스-주사/?locale=ko",
)
METHOD_KO_CREATED = detail(
    "method",
    "methods",
    "ko",
    "보톡스-주사",
    status=CREATED,
    tags=("method", "method-2"),
    previous_slug="보톡스",
)

DOCUMENTS = [
    FAQ_KO,
    FAQ_JA,
    ARTICLE_KO,
    FAQ_LIST_KO,
    LOCALES,
    FAQ_EN_REMOVED,
    METHOD_KO_MOVED,
    METHOD_KO_CREATED,
]

COMMITTED_AT = dt.datetime(2026, 12, 3, 9, 30, 15, 123456, tzinfo=dt.UTC)


def announce(change: int, documents=DOCUMENTS, committed_at=COMMITTED_AT) -> None:
    """Send ``documents_changed`` as the publication worker does: inside the
    transaction that marks the change announced."""
    with transaction.atomic():
        documents_changed.send(
            sender=None, change=change, committed_at=committed_at, documents=documents
        )


def as_json(document: ChangedDocument) -> dict:
    return json.loads(json.dumps(dataclasses.asdict(document)))


def run_worker() -> None:
    """The database backend's worker loop (``manage.py db_worker --batch``), in this
    process, until no task is ready; a task that failed fails the test."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    ).run()
    failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
    assert [row.traceback for row in failed] == []


@pytest.fixture(autouse=True)
def _english():
    """The messages asserted are the English ones, as the worker writes them: a
    Korean admin request of an earlier test leaves its language active."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    """Loopback receivers over http, and retries at once."""
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_CONNECT_TIMEOUT = 2.0
    settings.WEBHOOK_READ_TIMEOUT = 2.0
    settings.WEBHOOK_RETRY_DELAYS = [0, 0, 0, 0, 0]


@dataclasses.dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    # The payload as ``Webhook.verify`` returned it; None if it refused the request.
    payload: dict | None
    error: str


class Receiver:
    """An HTTP server on 127.0.0.1 that answers with ``answers`` in turn (then 200)
    and keeps every request, verified with ``secret``."""

    def __init__(self, tls: ssl.SSLContext | None = None):
        self.secret: str | None = None
        self.requests: list[Received] = []
        # (status, seconds to wait before answering, extra headers)
        self.answers: list[tuple[int, float, dict[str, str]]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                headers = dict(self.headers.items())
                try:
                    payload = Webhook(receiver.secret).verify(body, headers)
                    error = ""
                except WebhookVerificationError as failure:
                    payload, error = None, str(failure)
                with receiver.lock:
                    receiver.requests.append(
                        Received(self.path, headers, body, payload, error)
                    )
                    status, delay, extra = (
                        receiver.answers.pop(0) if receiver.answers else (200, 0, {})
                    )
                time.sleep(delay)
                try:
                    self.send_response(status)
                    for name, value in extra.items():
                        self.send_header(name, value)
                    answer = b"received" if status < 300 else b"no, not now"
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:
                    pass  # the client gave up waiting (a timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.scheme = "https" if tls else "http"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, host: str = "127.0.0.1", path: str = "/hooks/clinic") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.stop()


def endpoint_for(receiver: Receiver, **fields):
    from webhooks.models import Endpoint

    endpoint = Endpoint.objects.create(url=fields.pop("url", receiver.url()), **fields)
    receiver.secret = endpoint.secret
    return endpoint


@pytest.fixture
def certificates(tmp_path) -> Path:
    """A certificate authority and a certificate it signed for ``localhost``
    (``ca.pem``, ``localhost.pem``, ``localhost.key``), made with openssl."""
    openssl = shutil.which("openssl")
    if not openssl:
        pytest.skip("needs openssl")

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], cwd=tmp_path, check=True, capture_output=True)

    run(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=Webhook test CA", "-keyout", "ca.key", "-out", "ca.pem",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign",
    )  # fmt: skip
    run(
        "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
        "-keyout", "localhost.key", "-out", "localhost.csr",
    )  # fmt: skip
    (tmp_path / "san.ext").write_text("subjectAltName=DNS:localhost\n")
    run(
        "x509", "-req", "-in", "localhost.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", "san.ext",
        "-out", "localhost.pem",
    )  # fmt: skip
    return tmp_path


@contextlib.contextmanager
def tls_receiver(certificates: Path) -> Iterator[Receiver]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(
        certificates / "localhost.pem", certificates / "localhost.key"
    )
    server = Receiver(tls=context)
    try:
        yield server
    finally:
        server.stop()
