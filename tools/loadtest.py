"""`make loadtest`: a bounded mixed load on the public API under gunicorn with
production settings, checked response by response.

    python -m tools.loadtest [--duration 30] [--connections 16] [--workers 2]

1. Prepares a PostgreSQL database (LOADTEST_DATABASE_URL, default ``clinic_loadtest``
   on 127.0.0.1) with the demo and the generated dataset (the bench's preparation;
   skipped when the database is migrated and already holds the dataset), and flushes a
   Redis database (LOADTEST_REDIS_URL, default db 12) for the shared cache.
2. Starts gunicorn as ``make serve`` runs it in production (``--workers 2 --threads
   8``: gthread, DEBUG off, a random secret, the response cache on Redis).
3. Builds the request mix from what the API itself lists in each language (so every
   request is expected to succeed): list pages and details of articles, cause types,
   methods, comparisons and aftercare, FAQ pages, details and a search, in every
   locale, plus a conditional twin (``If-None-Match`` with the ETag fetched before the
   run, expecting 304) of every third request. Each reference answer is checked once
   here: a 200, every ``locale`` in its body the requested one, ``Content-Language``
   the locale's tag, a 304 to its ETag.
4. Runs wrk (Debian's package) for a warm-up and then for ``--duration`` seconds with a
   Lua script that cycles the mix and checks *every* response against the request that
   produced it: status, ``Content-Language``, ``ETag`` (a hash of the body: the body is
   byte for byte the reference) and body length. wrk gives each connection one request
   in flight and its threads share nothing, so with one connection per thread
   (``-t N -c N``) the response callback always belongs to the last request the
   thread made; the script checks that pairing too.
5. Samples the resident memory (VmRSS) of every worker from /proc twice a second.

Exits non-zero on any error, any unexpected status, any response in another language
or with another body, a worker restart, or memory that is not flat: a worker's RSS
may grow by at most ``--flat-mib`` (4 MiB) from the start to the end of the measured
run (medians of the first and last fifth of the samples; the warm-up, when every
worker fills its caches and connections, is not measured).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

from tools.bench import (
    PYTHON,
    ROOT,
    Server,
    ensure_wrk,
    flush_redis,
    prepare_database,
    production_env,
)

DATABASE_URL = "postgres://postgres@127.0.0.1:5432/clinic_loadtest"
REDIS_URL = "redis://127.0.0.1:6379/12"
# What generate_content makes by default: the prepared dataset.
MIN_ARTICLES = 200
MIN_FAQ_ITEMS = 10_000
# Per locale: how many objects of a long list get a detail request.
DETAILS_PER_TYPE = 8
TYPES = ("articles", "cause-types", "methods", "comparisons", "aftercare")
SAMPLE_SECONDS = 0.5


@dataclass
class Entry:
    """One request of the mix and what its answer must be."""

    path: str
    locale: str
    language: str  # the Content-Language tag
    etag: str
    size: int
    conditional: bool = False

    @property
    def status(self) -> int:
        return 304 if self.conditional else 200


@dataclass
class Result:
    requests: int = 0
    seconds: float = 0.0
    p50: float = 0.0
    p90: float = 0.0
    p99: float = 0.0
    max: float = 0.0
    socket_errors: int = 0
    checked: int = 0
    bad_status: int = 0
    wrong_language: int = 0
    wrong_body: int = 0
    unpaired: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    locales: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def failures(self) -> int:
        return (
            self.socket_errors
            + self.bad_status
            + self.wrong_language
            + self.wrong_body
            + self.unpaired
            + abs(self.requests - self.checked)
        )


# ---------------------------------------------------------------------------
# The request mix


def get(base: str, path: str, headers: dict | None = None):
    request = urllib.request.Request(base + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def api_path(endpoint: str, **params) -> str:
    return f"/api/v1/{quote(endpoint)}?{urlencode(params)}"


def search_word(text: str) -> str:
    """A word of an FAQ question to search for: the longest space-separated one, cut
    to three characters for languages written without spaces (the search matches
    substrings)."""
    words = [w.strip("?？。、,.!！()（）「」") for w in text.split()]
    word = max(words, key=len)
    return word[:3] if len(words) == 1 else word


def objects_in(body: dict) -> list[dict]:
    return body.get("results", [body])


def reference(base: str, path: str, locale: str, language: str) -> tuple[Entry, dict]:
    """Fetch one request of the mix before the run and check its answer."""
    status, headers, raw = get(base, path)
    if status != 200:
        sys.exit(f"{path}: {status} before the run, expected 200")
    body = json.loads(raw)
    # An empty list is a valid answer (nothing of that type in the locale).
    found = {obj.get("locale") for obj in objects_in(body)}
    if found - {locale}:
        sys.exit(f"{path}: objects in {sorted(map(str, found))}, expected {locale}")
    if headers["Content-Language"] != language:
        sys.exit(f"{path}: Content-Language {headers['Content-Language']}")
    entry = Entry(path, locale, language, headers["ETag"], len(raw))
    status, headers, _ = get(base, path, {"If-None-Match": entry.etag})
    if status != 304 or headers["Content-Language"] != language:
        sys.exit(f"{path}: {status} to its own ETag, expected a 304")
    return entry, body


def build_mix(base: str) -> list[Entry]:
    """Every request of the mix, from what the API lists in each locale."""
    _, _, raw = get(base, "/api/v1/locales/")
    locales = {item["code"]: item["hreflang"] for item in json.loads(raw)}
    entries: list[Entry] = []
    for locale, language in locales.items():

        def add(path: str, locale=locale, language=language) -> dict:
            entry, body = reference(base, path, locale, language)
            entries.append(entry)
            return body

        for endpoint in TYPES:
            listing = add(api_path(f"{endpoint}/", locale=locale, page_size=100))
            for obj in listing["results"][:DETAILS_PER_TYPE]:
                add(api_path(f"{endpoint}/{obj['slug']}/", locale=locale))
        first = add(api_path("faq-items/", locale=locale))
        if first["pages"] > 1:
            add(api_path("faq-items/", locale=locale, page=min(7, first["pages"])))
        for obj in first["results"][:DETAILS_PER_TYPE]:
            add(api_path(f"faq-items/{obj['slug']}/", locale=locale))
        word = search_word(first["results"][0]["question"])
        found = add(api_path("faq-items/", locale=locale, search=word))
        if not found["results"]:
            sys.exit(f"FAQ search for {word!r} in {locale} found nothing")
    twins = [
        Entry(e.path, e.locale, e.language, e.etag, 0, conditional=True)
        for e in entries[::3]
    ]
    mixed = entries + twins
    # Neighbours in the cycle differ in type, locale and kind; each wrk thread
    # starts at its own offset.
    mixed.sort(key=lambda e: zlib.crc32(f"{e.path} {e.conditional}".encode()))
    return mixed


# ---------------------------------------------------------------------------
# The wrk script

LUA = r"""
-- Generated by tools/loadtest.py: cycles the mix and checks every response
-- against the request it answers (one connection per thread: one in flight).
local entries = {
%(entries)s
}
threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  local count = #entries
  for _, e in ipairs(entries) do
    local headers = {}
    if e.status == 304 then headers["If-None-Match"] = e.etag end
    e.request = wrk.format("GET", e.path, headers)
  end
  index = math.floor((id - 1) * count / %(threads)d)
  pending = nil
  checked, bad_status, wrong_language, wrong_body, unpaired = 0, 0, 0, 0, 0
  statuses, locales, problems = {}, {}, {}
end

local function header(headers, name)
  for key, value in pairs(headers) do
    if string.lower(key) == name then return value end
  end
  return nil
end

local function note(e, status, what)
  if #problems < 10 then
    table.insert(problems, string.format("%%s (%%s, expected %%d) got %%d: %%s",
      e.path, e.locale, e.status, status, what))
  end
end

function request()
  -- A request still pending means it got no response (its connection failed, a
  -- socket error wrk counts), except before the first response: wrk calls request()
  -- once on the first thread to look at the request before any connection exists.
  if pending ~= nil and checked > 0 then
    unpaired = unpaired + 1
  end
  index = index %% #entries + 1
  pending = entries[index]
  return pending.request
end

function response(status, headers, body)
  local e = pending
  pending = nil
  checked = checked + 1
  statuses[status] = (statuses[status] or 0) + 1
  if e == nil then
    unpaired = unpaired + 1
    return
  end
  locales[e.locale] = (locales[e.locale] or 0) + 1
  if status ~= e.status then
    bad_status = bad_status + 1
    note(e, status, "status")
  end
  local language = header(headers, "content-language")
  if language ~= e.language then
    wrong_language = wrong_language + 1
    note(e, status, "Content-Language " .. tostring(language))
  end
  local etag = header(headers, "etag")
  if etag ~= e.etag or (e.status == 200 and #body ~= e.size) then
    wrong_body = wrong_body + 1
    note(e, status, "ETag " .. tostring(etag) .. ", " .. #body .. " bytes")
  end
end

function done(summary, latency, requests)
  local totals = {checked = 0, bad_status = 0, wrong_language = 0,
                  wrong_body = 0, unpaired = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + thread:get(name)
    end
    for status, n in pairs(thread:get("statuses")) do
      io.write(string.format("LOADTEST status %%d %%d\n", status, n))
    end
    for locale, n in pairs(thread:get("locales")) do
      io.write(string.format("LOADTEST locale %%s %%d\n", locale, n))
    end
    for _, text in ipairs(thread:get("problems")) do
      io.write("LOADTEST problem " .. text .. "\n")
    end
  end
  for name, n in pairs(totals) do
    io.write(string.format("LOADTEST %%s %%d\n", name, n))
  end
  local errors = summary.errors
  io.write(string.format("LOADTEST requests %%d\n", summary.requests))
  io.write(string.format("LOADTEST micros %%d\n", summary.duration))
  io.write(string.format("LOADTEST socket_errors %%d\n",
    errors.connect + errors.read + errors.write + errors.timeout))
  for _, p in ipairs({50, 90, 99}) do
    io.write(string.format("LOADTEST p%%d %%d\n", p, latency:percentile(p)))
  end
  io.write(string.format("LOADTEST max %%d\n", latency.max))
end
"""


def lua_string(text: str) -> str:
    if not text.isascii():
        raise ValueError(f"not ASCII: {text!r}")
    return json.dumps(text)  # ASCII JSON escapes (\" and \\) are Lua's too


def lua_script(entries: list[Entry], threads: int) -> str:
    rows = ",\n".join(
        f"  {{path = {lua_string(e.path)}, locale = {lua_string(e.locale)}, "
        f"language = {lua_string(e.language)}, etag = {lua_string(e.etag)}, "
        f"size = {e.size}, status = {e.status}}}"
        for e in entries
    )
    return LUA % {"entries": rows, "threads": threads}


def parse(output: str) -> Result:
    """wrk's output with the script's ``LOADTEST`` lines, as a Result."""
    result = Result()
    latencies = {"p50", "p90", "p99", "max"}
    for line in output.splitlines():
        if not line.startswith("LOADTEST "):
            continue
        _, key, rest = line.split(" ", 2)
        if key == "problem":
            result.problems.append(rest)
        elif key == "status":
            status, n = map(int, rest.split())
            result.statuses[status] = result.statuses.get(status, 0) + n
        elif key == "locale":
            locale, n = rest.split()
            result.locales[locale] = result.locales.get(locale, 0) + int(n)
        elif key in latencies:
            setattr(result, key, int(rest) / 1000)
        elif key == "micros":
            result.seconds = int(rest) / 1e6
        else:
            setattr(result, key, int(rest))
    if not result.seconds:
        raise ValueError("no LOADTEST summary in wrk's output:\n" + output)
    return result


def run_wrk(
    wrk_bin: str, base: str, entries: list[Entry], *, seconds: int, connections: int
) -> Result:
    """Run the mix for ``seconds`` on ``connections`` connections (one per wrk
    thread) and return what the script counted."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(lua_script(entries, connections))
        script.flush()
        completed = subprocess.run(
            [
                wrk_bin,
                f"-t{connections}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "5s",
                "-s",
                script.name,
                base,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    if completed.returncode:
        raise RuntimeError(f"wrk failed:\n{completed.stdout}{completed.stderr}")
    return parse(completed.stdout)


# ---------------------------------------------------------------------------
# Memory


def rss_mib(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else None


class MemorySampler(threading.Thread):
    """VmRSS of each worker every SAMPLE_SECONDS until stopped."""

    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        self.pids = pids
        self.samples: dict[int, list[float]] = {pid: [] for pid in pids}
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            for pid in self.pids:
                mib = rss_mib(pid)
                if mib is not None:
                    self.samples[pid].append(mib)
            self.halt.wait(SAMPLE_SECONDS)

    def stop(self) -> dict[int, list[float]]:
        self.halt.set()
        self.join()
        return self.samples


def memory_summary(samples: list[float]) -> dict[str, float]:
    """Start and end are the medians of the first and last fifth of the samples: one
    sample may catch a collection in progress."""
    fifth = max(1, len(samples) // 5)
    start = statistics.median(samples[:fifth])
    end = statistics.median(samples[-fifth:])
    return {"start": start, "peak": max(samples), "end": end, "growth": end - start}


# ---------------------------------------------------------------------------
# The server


def is_prepared(env: dict) -> bool:
    """The database exists, is migrated and holds the generated dataset."""
    import psycopg

    try:
        conn = psycopg.connect(env["DATABASE_URL"], connect_timeout=5)
    except psycopg.OperationalError:
        return False
    with conn:
        try:
            articles, items = conn.execute(
                "SELECT (SELECT count(*) FROM content_article),"
                " (SELECT count(*) FROM faq_faqitem)"
            ).fetchone()
        except psycopg.Error:
            return False
    if articles < MIN_ARTICLES or items < MIN_FAQ_ITEMS:
        return False
    check = subprocess.run(
        [PYTHON, "manage.py", "migrate", "--check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
    )
    return check.returncode == 0


# ---------------------------------------------------------------------------


def report(
    options, entries: list[Entry], result: Result, memory: dict[int, dict]
) -> list[str]:
    """Print the figures; return what failed."""
    failed = []
    kinds = {"200": sum(not e.conditional for e in entries)}
    kinds["304"] = len(entries) - kinds["200"]
    print()
    print(
        f"gunicorn {options.workers} workers × {options.threads} threads (gthread), "
        f"production settings, PostgreSQL + Redis; wrk {options.connections} "
        f"connections on loopback, {options.warmup}s warm-up then "
        f"{result.seconds:.1f}s measured"
    )
    print(
        f"mix: {len(entries)} requests ({kinds['200']} expecting 200, {kinds['304']} "
        f"conditional expecting 304) over {len(result.locales)} locales, cycled"
    )
    print(
        f"requests {result.requests}  ({result.requests / result.seconds:.0f}/s)   "
        f"latency p50 {result.p50:.2f} ms  p90 {result.p90:.2f} ms  "
        f"p99 {result.p99:.2f} ms  max {result.max:.2f} ms"
    )
    print(
        "statuses: "
        + ", ".join(f"{s} × {n}" for s, n in sorted(result.statuses.items()))
        + "   per locale: "
        + ", ".join(f"{loc} {n}" for loc, n in sorted(result.locales.items()))
    )
    checks = [
        ("socket errors (connect, read, write, timeout)", result.socket_errors),
        ("unexpected status (not the 200 or 304 expected)", result.bad_status),
        ("Content-Language not the requested locale's", result.wrong_language),
        ("ETag or length not the reference body's", result.wrong_body),
        ("responses not paired with their request", result.unpaired),
        ("responses not checked", abs(result.requests - result.checked)),
    ]
    for label, count in checks:
        print(f"  {count:>7}  {label}")
        if count:
            failed.append(label)
    for problem in result.problems:
        print(f"    e.g. {problem}")
    print(
        f"worker memory (VmRSS, MiB; flat = growth ≤ {options.flat_mib:g} MiB over "
        "the measured run):"
    )
    for pid, m in memory.items():
        flat = m["growth"] <= options.flat_mib
        print(
            f"  worker {pid}: after warm-up {m['start']:.1f}, peak {m['peak']:.1f}, "
            f"end {m['end']:.1f}, growth {m['growth']:+.1f}"
            + ("" if flat else "  NOT FLAT")
        )
        if not flat:
            failed.append(f"memory of worker {pid}")
    return failed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=30, help="measured seconds")
    parser.add_argument("--warmup", type=int, default=5, help="seconds before")
    parser.add_argument(
        "--connections", type=int, default=16, help="concurrent clients"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--flat-mib", type=float, default=4.0, help="allowed RSS growth per worker"
    )
    parser.add_argument("--skip-prepare", action="store_true")
    options = parser.parse_args(argv)

    wrk_bin = ensure_wrk()
    env = {
        **production_env(
            os.environ.get("LOADTEST_DATABASE_URL", DATABASE_URL),
            os.environ.get("LOADTEST_REDIS_URL", REDIS_URL),
        ),
        "API_RESPONSE_CACHE": "true",
        "API_THROTTLE_RATE": "",
    }
    if options.skip_prepare or is_prepared(env):
        print(f"Using {env['DATABASE_URL']} as prepared", flush=True)
    else:
        prepare_database(env)
    flush_redis(env["REDIS_URL"])

    server = Server(env, options.workers, threads=options.threads)
    try:
        entries = build_mix(server.base)
        print(f"Mix of {len(entries)} requests checked; warming up…", flush=True)
        pids = server.workers()
        warmup = run_wrk(
            wrk_bin,
            server.base,
            entries,
            seconds=options.warmup,
            connections=options.connections,
        )
        sampler = MemorySampler(pids)
        sampler.start()
        try:
            result = run_wrk(
                wrk_bin,
                server.base,
                entries,
                seconds=options.duration,
                connections=options.connections,
            )
        finally:
            samples = sampler.stop()
        restarted = server.workers() != pids
        log = server.log_text()
    finally:
        server.stop()

    # The warm-up is checked like the run: an error there is an error.
    for name in ("socket_errors", "bad_status", "wrong_language", "wrong_body"):
        setattr(result, name, getattr(result, name) + getattr(warmup, name))
    result.unpaired += warmup.unpaired + abs(warmup.requests - warmup.checked)
    result.problems = warmup.problems + result.problems
    memory = {pid: memory_summary(values) for pid, values in samples.items() if values}
    failed = report(options, entries, result, memory)
    if restarted or len(memory) != len(pids):
        failed.append("a worker restarted during the run")
        print("A worker restarted during the run:\n" + log[-4000:])
    print(
        json.dumps(
            {
                "requests": result.requests,
                "rps": result.requests / result.seconds,
                "p50_ms": result.p50,
                "p99_ms": result.p99,
                "failures": result.failures,
                "memory_mib": {str(pid): m for pid, m in memory.items()},
            }
        )
    )
    if failed:
        print("FAILED: " + "; ".join(failed))
        return 1
    print("PASSED: no error, every response in its language, memory flat")
    return 0


if __name__ == "__main__":
    sys.exit(main())
