"""The load test's checks (tools/loadtest.py): its wrk script, pointed at a tiny
server, pairs every response with its request and catches a response in another
language or with another body; the figures are read back from wrk's output."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest

from tools import loadtest

WRK = shutil.which("wrk")
needs_wrk = pytest.mark.skipif(not WRK, reason="wrk is not installed (make loadtest)")
TAGS = {"en": "en", "ko": "ko", "zh-hans": "zh-Hans"}


class Handler(BaseHTTPRequestHandler):
    """Answers like the API: a body per path, its ETag, Content-Language of the
    locale asked for, 304 to a matching If-None-Match. ``server.fault`` makes every
    third answer wrong: "language" (another Content-Language), "body" (another
    ETag), "status" (a 500)."""

    protocol_version = "HTTP/1.1"

    def do_GET(self):
        server = self.server
        with server.lock:
            server.count += 1
            faulty = server.fault and server.count % 3 == 0
        locale = parse_qs(urlsplit(self.path).query)["locale"][0]
        body = f'{{"locale":"{locale}","path":"{self.path}"}}'.encode()
        etag = f'"{abs(hash(self.path))}"'
        language = TAGS[locale]
        status = 304 if self.headers.get("If-None-Match") == etag else 200
        if faulty and server.fault == "language":
            language = "en" if locale != "en" else "ko"
        elif faulty and server.fault == "body":
            etag = '"other"'
        elif faulty and server.fault == "status":
            status = 500
        self.send_response(status)
        self.send_header("Content-Language", language)
        self.send_header("ETag", etag)
        payload = body if status == 200 else b""
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def api() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.lock = threading.Lock()
    server.count = 0
    server.fault = ""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def mix(server) -> list[loadtest.Entry]:
    base = f"http://127.0.0.1:{server.server_port}"
    entries = []
    for locale, tag in TAGS.items():
        path = f"/api/v1/articles/?locale={locale}"
        status, headers, body = loadtest.get(base, path)
        assert status == 200
        entry = loadtest.Entry(path, locale, tag, headers["ETag"], len(body))
        entries.append(entry)
        entries.append(
            loadtest.Entry(path, locale, tag, entry.etag, 0, conditional=True)
        )
    return entries


def run(server, entries) -> loadtest.Result:
    return loadtest.run_wrk(
        WRK,
        f"http://127.0.0.1:{server.server_port}",
        entries,
        seconds=1,
        connections=3,
    )


@needs_wrk
def test_every_response_is_checked_and_a_correct_server_passes(api):
    result = run(api, mix(api))
    assert result.requests > 50
    assert result.checked == result.requests
    assert result.failures == 0, result.problems
    assert set(result.statuses) == {200, 304}
    assert set(result.locales) == set(TAGS)
    assert result.p99 > 0


@needs_wrk
@pytest.mark.parametrize(
    ("fault", "counter", "problem"),
    [
        # The problems recorded first may all be 304s ("got 304: Content-…"):
        # which answers are every third depends on how wrk's threads interleave.
        ("language", "wrong_language", ": Content-Language "),
        ("body", "wrong_body", 'ETag "other"'),
        ("status", "bad_status", "got 500: status"),
    ],
)
def test_a_wrong_answer_fails_the_run(api, fault, counter, problem):
    entries = mix(api)
    api.fault = fault
    result = run(api, entries)
    # Every third answer is wrong; the pairing of answers with requests holds.
    assert getattr(result, counter) >= result.requests // 3 - 3
    assert result.unpaired == 0
    assert result.failures >= getattr(result, counter) > 0
    assert any(problem in text for text in result.problems), result.problems
    options = SimpleNamespace(
        workers=2, threads=8, connections=3, warmup=0, flat_mib=4.0
    )
    failed = loadtest.report(options, entries, result, {})
    assert failed


def test_wrk_figures_are_read_from_the_script_output():
    output = "\n".join(
        [
            "Running 1s test @ http://127.0.0.1:1",
            "LOADTEST status 200 90",
            "LOADTEST status 304 30",
            "LOADTEST locale ko 60",
            "LOADTEST locale en 60",
            "LOADTEST problem /a (ko, expected 200) got 200: Content-Language en",
            "LOADTEST checked 120",
            "LOADTEST wrong_language 1",
            "LOADTEST requests 120",
            "LOADTEST micros 1500000",
            "LOADTEST socket_errors 0",
            "LOADTEST p99 12345",
        ]
    )
    result = loadtest.parse(output)
    assert result.statuses == {200: 90, 304: 30}
    assert result.locales == {"ko": 60, "en": 60}
    assert result.seconds == 1.5
    assert result.p99 == 12.345
    assert result.wrong_language == 1
    assert result.failures == 1
    assert result.problems == ["/a (ko, expected 200) got 200: Content-Language en"]


def test_memory_is_summarised_by_the_medians_of_the_first_and_last_fifth():
    samples = [100.0, 90.0, 90.0, 91.0, 90.0, 95.0, 96.0, 120.0, 96.0, 96.0]
    summary = loadtest.memory_summary(samples)
    assert summary == {"start": 95.0, "peak": 120.0, "end": 96.0, "growth": 1.0}
