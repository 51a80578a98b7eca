"""`make bench`: the public API under gunicorn with production settings, measured
against the ceiling of the same stack, then the cost of publishing, in one run.

    python -m tools.bench [--duration 5] [--rounds 3] [--connections 32]

1. Prepares a PostgreSQL database (BENCH_DATABASE_URL, default ``clinic_bench`` on
   127.0.0.1) with the demo and the generated dataset (``generate_content``: 200
   articles, 10,000 FAQ items, published), a database with the demo alone (its name
   with ``_demo``), and flushes a Redis database (BENCH_REDIS_URL, default db 14) for
   the shared cache.
2. Reads: starts gunicorn (2 sync workers, DEBUG off, a random secret) on each
   database, with the response cache ("cached"), then without it but with the
   delivery store ("store": every request reads its stored document, one indexed
   query). The FAQ search is never stored: it is rendered live from published
   versions ("live"), on the store's servers. The ceiling is ``/bench/constant/``: a
   plain Django view returning as many constant bytes as the article detail, through
   the same middleware, measured on the large dataset's server of each phase.
   Each scenario is driven with wrk (Debian's package: apt-get install wrk) on
   loopback, in rounds that interleave the phase's scenarios with its ceiling, and
   printed as requests/s, p50, p99 and the ratio to the ceiling (the median of the
   rounds' ratios, each to the ceiling's run of the same round); then each page's
   large dataset ÷ demo (the median of the rounds' ratios of neighbouring runs) and
   the peak resident memory of the workers.
3. Publishing, on the large dataset (response cache and store on, as in
   production): the time from ``publish()`` of an edited FAQ item to its new text
   on a second server; the FAQ item that every article shows, edited, saved and
   published: the time of ``publish()`` itself (the admin's request) and of
   rendering again the documents it made stale (the worker's task), with the
   article details in the store beforehand; then ``manage.py rebuild_documents``
   (count and seconds, stopped after ``--rebuild-limit`` seconds), and when it
   finished, ``manage.py export_static --from-store``: the time to write the large
   dataset's whole store as the static export.
4. The static export (phase "static"): the demo's, served by nginx (Debian's
   /usr/sbin/nginx, deploy/nginx-static.conf, as many workers as gunicorn's) on
   loopback, the article detail against the ceiling on a gunicorn of the same run,
   in interleaved rounds, as a ratio.

Targets are marked PASS or FAIL and do not change the exit status: this machine's
speed drifts. Absolute figures depend on the machine; the ratios are what the README
compares.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
DEMO_ARTICLE = "mouth-corner-asymmetry"
# One origin for every server: the delivery store keys documents by absolute URL,
# so servers on other ports, and rebuild_documents, share them.
ORIGIN = "http://127.0.0.1"


@dataclass(frozen=True)
class ServerKind:
    name: str
    demo: bool  # the demo's database, else the large dataset's
    cached: bool  # the response cache on (the delivery store is on for all)


SERVERS = {
    kind.name: kind
    for kind in (
        ServerKind("cached", demo=False, cached=True),
        ServerKind("cached, demo", demo=True, cached=True),
        ServerKind("store", demo=False, cached=False),
        ServerKind("store, demo", demo=True, cached=False),
    )
}
# Servers measured together, in the same rounds; the first serves the ceiling.
PHASES = (("cached", "cached, demo"), ("store", "store, demo"))


@dataclass(frozen=True)
class Scenario:
    name: str
    server: str
    path: str
    target: float | None = None  # the ratio to the ceiling it must reach
    conditional: bool = False


CEILING = "/bench/constant/"
# The demo article shows two images (its hero and an image block), each with its
# renditions and crops.
ARTICLE = f"/api/v1/articles/{DEMO_ARTICLE}/?locale=en"
# A copy of it (generate_content) with neither, published again: the same article
# without images, on the large dataset.
PLAIN_ARTICLE = "article-en-1"
ARTICLE_WITHOUT_IMAGES = f"/api/v1/articles/{PLAIN_ARTICLE}/?locale=en"
WITHOUT_IMAGES = f"""
from content.models import Article
article = Article.objects.get(slug_en={PLAIN_ARTICLE!r})
article.blocks.filter(kind="image").delete()
article.hero_image = None
article.save()
Article.objects.get(pk=article.pk).publish("en")
"""
# The first page as the frontends ask for it (no page size: a stored document).
FAQ_LIST = "/api/v1/faq-items/?locale=en"
# A common word: one item in five has "surgery". The page size is what the demo
# fills (its one match), so that both datasets render the same page.
FAQ_SEARCH = "/api/v1/faq-items/?locale=en&search=surgery&page_size=1"
STORE_TARGET = 0.5
CACHED_TARGET = 1.0
# nginx sending a file against Django sending constant bytes: about an order of
# magnitude (issue 19).
STATIC_TARGET = 5.0
NGINX = Path("/usr/sbin/nginx")

SCENARIOS = [
    Scenario("constant bytes (ceiling)", "cached", CEILING),
    Scenario("cached article detail", "cached", ARTICLE, CACHED_TARGET),
    Scenario("cached article detail, demo", "cached, demo", ARTICLE, CACHED_TARGET),
    Scenario(
        "cached article detail without images",
        "cached",
        ARTICLE_WITHOUT_IMAGES,
        CACHED_TARGET,
    ),
    Scenario("cached FAQ list page", "cached", FAQ_LIST, CACHED_TARGET),
    Scenario("cached FAQ list page, demo", "cached, demo", FAQ_LIST, CACHED_TARGET),
    Scenario("304 revalidation (article)", "cached", ARTICLE, 1.0, conditional=True),
    # The ceiling again, on the server of the store's scenarios and in their
    # rounds: each ratio divides by the ceiling measured beside it, so that a drift
    # of the machine's speed between the phases does not count.
    Scenario("constant bytes (store server)", "store", CEILING),
    Scenario("store article detail", "store", ARTICLE, STORE_TARGET),
    Scenario("store article detail, demo", "store, demo", ARTICLE, STORE_TARGET),
    Scenario(
        "store article detail without images",
        "store",
        ARTICLE_WITHOUT_IMAGES,
        STORE_TARGET,
    ),
    Scenario("store FAQ list page", "store", FAQ_LIST, STORE_TARGET),
    Scenario("store FAQ list page, demo", "store, demo", FAQ_LIST, STORE_TARGET),
    Scenario("live FAQ search", "store", FAQ_SEARCH),
    Scenario("live FAQ search, demo", "store, demo", FAQ_SEARCH),
]
# Large dataset ÷ demo, for the same page: flat in the data, within 15 %.
FLAT = [
    (sc.name, sc.name + ", demo")
    for sc in SCENARIOS
    if any(other.name == sc.name + ", demo" for other in SCENARIOS)
]
FLAT_TOLERANCE = 0.15
# How long the publish on one server may take to show on the other.
VISIBLE_TIMEOUT = 30.0


def mark(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def run(*args, env=None, quiet=True):
    result = subprocess.run(
        args,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE if quiet else None,
        stderr=subprocess.STDOUT if quiet else None,
        text=True,
    )
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(args)}\n{result.stdout or ''}")
    return result.stdout


def ensure_wrk() -> str:
    """wrk comes from Debian's package; installing system packages is the
    operator's call, not a benchmark's."""
    return shutil.which("wrk") or sys.exit(
        "wrk is missing: install Debian's package first (apt-get install wrk)"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def demo_url(url: str) -> str:
    """The database of the demo alone, beside the bench's own."""
    return url + "_demo"


def prepare_database(env: dict) -> None:
    import psycopg

    for url, generate in (
        (env["DATABASE_URL"], True),
        (demo_url(env["DATABASE_URL"]), False),
    ):
        name = url.rsplit("/", 1)[1]
        admin_url = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
        what = "demo, generated dataset" if generate else "demo alone"
        print(f"Preparing {url} (migrate, {what})…", flush=True)
        db_env = {**env, "DATABASE_URL": url}
        run(PYTHON, "manage.py", "migrate", "--noinput", "-v", "0", env=db_env)
        run(PYTHON, "manage.py", "load_demo", env=db_env)
        # The demo's images' renditions, which the worker would make.
        run(PYTHON, "manage.py", "make_renditions", env=db_env)
        if generate:
            generated = run(PYTHON, "manage.py", "generate_content", env=db_env)
            print(generated.strip().splitlines()[-1])
            run(PYTHON, "manage.py", "shell", "-c", WITHOUT_IMAGES, env=db_env)
    run(PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0", env=env)


def production_env(database_url: str, redis_url: str) -> dict[str, str]:
    """The environment of a gunicorn serving as in production (DEBUG off, a fresh
    secret key, PostgreSQL and Redis) on loopback; also used by tools.loadtest."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tools.bench_settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "WARNING",
    }


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


class Server:
    """gunicorn on a free loopback port: sync workers (the bench), or workers with
    threads (gthread) as ``make serve`` runs it (the load test)."""

    def __init__(
        self,
        env: dict,
        workers: int,
        *,
        threads: int | None = None,
        app: str = "clinic.wsgi:application",
    ):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()
        kind = ["--threads", str(threads)] if threads else ["--worker-class", "sync"]
        self.process = subprocess.Popen(
            [
                GUNICORN,
                app,
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                *kind,
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if len(self.workers()) == workers:
                try:
                    urllib.request.urlopen(self.base + "/api/v1/", timeout=2).read()
                    return
                except OSError:
                    pass
            time.sleep(0.2)
        self.stop()
        sys.exit("gunicorn did not start:\n" + self.log_text())

    def workers(self) -> list[int]:
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return sorted(int(pid) for pid in out.split())

    def log_text(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def peak_rss_mib(self) -> float:
        peak = 0
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            match = re.search(r"VmHWM:\s+(\d+) kB", status)
            if match:
                peak = max(peak, int(match.group(1)))
        return peak / 1024

    def cpu_ticks(self) -> int:
        """User and system time of the workers so far, in clock ticks."""
        total = 0
        for pid in self.workers():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total

    def wait_idle(self, timeout: float = 15.0) -> None:
        """Wait until the workers stop working. When wrk stops, up to one request
        per connection is still queued or in progress, and the workers serve them
        all: 32 cold FAQ searches are half a second of both cores, which would be
        counted against whichever scenario runs next."""
        deadline = time.monotonic() + timeout
        before = self.cpu_ticks()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now = self.cpu_ticks()
            if now - before <= 1:  # at most one tick in 0.1 s: idle
                return
            before = now

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def fetch(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


LUA_HEADER = 'wrk.headers["{name}"] = "{value}"\n'


def wrk(wrk_bin, url, *, duration, connections, headers=None) -> dict:
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    for name, value in (headers or {}).items():
        script.write(LUA_HEADER.format(name=name, value=value.replace('"', '\\"')))
    script.write(
        "done = function(summary, latency, requests)\n"
        '  io.write(string.format("RESULT %d %d %d %d %d %f %f\\n", '
        "summary.requests, summary.errors.connect + summary.errors.read + "
        "summary.errors.write + summary.errors.timeout, summary.errors.status, "
        "latency:percentile(50), latency:percentile(99), summary.duration, 0))\n"
        "end\n"
    )
    script.close()
    try:
        out = subprocess.run(
            [
                wrk_bin,
                "-t1",
                f"-c{connections}",
                f"-d{duration}s",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    match = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) (\d+) ([\d.]+)", out)
    if not match:
        sys.exit("could not read wrk's output:\n" + out)
    requests, errors, bad_status, p50, p99, micros = match.groups()
    return {
        "rps": int(requests) / (float(micros) / 1e6),
        "p50": int(p50) / 1000,
        "p99": int(p99) / 1000,
        "errors": int(errors) + int(bad_status),
    }


def paired_ratio(measured: list[dict], reference: list[dict]) -> float:
    """The median of each round's req/s divided by the reference's in that round."""
    return statistics.median(
        run["rps"] / other["rps"]
        for run, other in zip(measured, reference, strict=True)
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per run")
    parser.add_argument("--rounds", type=int, default=3, help="runs per scenario")
    parser.add_argument("--warmup", type=int, default=2, help="seconds before each")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--rebuild-limit",
        type=int,
        default=300,
        help="seconds after which rebuild_documents is stopped (0: none)",
    )
    parser.add_argument(
        "--phases",
        default=",".join([phase[0] for phase in PHASES] + ["static"]),
        help="the read phases to run, by their first server, and 'static' "
        "(default: all)",
    )
    parser.add_argument(
        "--no-fastpath",
        action="store_true",
        help="serve without the WSGI fast path (api/fastpath.py), to measure it",
    )
    parser.add_argument("--skip-prepare", action="store_true")
    parser.add_argument("--skip-reads", action="store_true")
    parser.add_argument("--skip-publishing", action="store_true")
    options = parser.parse_args(argv)

    wrk_bin = ensure_wrk()
    env = production_env(
        os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinic_bench"
        ),
        os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
    )
    env["PUBLIC_ORIGIN"] = ORIGIN
    env["API_DOCUMENT_STORE"] = "true"
    if not options.skip_prepare:
        prepare_database(env)
    flush_redis(env["REDIS_URL"])
    failed = []
    if not options.skip_reads:
        failed += measure_reads(env, options, wrk_bin)
        if "static" in options.phases.split(","):
            failed += measure_static(env, options, wrk_bin)
    if not options.skip_publishing:
        failed += measure_publishing(env, options)
    if failed:
        print("Below target (machine noise or a regression): " + ", ".join(failed))
    return 0


def server_env(env: dict, kind: ServerKind) -> dict:
    result = {**env, "API_RESPONSE_CACHE": str(kind.cached).lower()}
    if kind.demo:
        # Its own database, and its own keys in the shared Redis: the content
        # version and the counts kept there are the database's.
        result["DATABASE_URL"] = demo_url(env["DATABASE_URL"])
        result["CACHE_KEY_PREFIX"] = "clinic-bench-demo"
    return result


def measure_reads(env: dict, options, wrk_bin: str) -> list[str]:
    """Step 2 of the module docstring; the names of the scenarios below target."""
    probe = Server(server_env(env, SERVERS["cached"]), 1)
    try:
        size = len(fetch(probe.base + ARTICLE)[2])
    finally:
        probe.stop()
    results: dict[str, dict] = {}
    runs: dict[str, list[dict]] = {}
    memory: dict[str, float] = {}
    app = "tools.bench_wsgi:application" if options.no_fastpath else None
    phases = [phase for phase in PHASES if phase[0] in options.phases.split(",")]
    for phase in phases:
        servers: dict[str, Server] = {}
        try:
            for name in phase:
                servers[name] = Server(
                    {
                        **server_env(env, SERVERS[name]),
                        "BENCH_CONSTANT_BYTES": str(size),
                    },
                    options.workers,
                    **({"app": app} if app else {}),
                )
            scenarios = [sc for sc in SCENARIOS if sc.server in phase]
            prepared = {
                sc.name: prepare(sc, servers, options, wrk_bin) for sc in scenarios
            }
            # Interleaved rounds, the median of each: this machine's speed drifts
            # by ±10 % over a minute, and every scenario should see the same drift.
            for scenario in scenarios:
                runs[scenario.name] = []
            for _ in range(options.rounds):
                for scenario in scenarios:
                    url, extra, _size = prepared[scenario.name]
                    runs[scenario.name].append(
                        wrk(
                            wrk_bin,
                            url,
                            duration=options.duration,
                            connections=options.connections,
                            headers=extra,
                        )
                    )
                    servers[scenario.server].wait_idle()
            ceiling = next(sc.name for sc in scenarios if sc.path == CEILING)
            for scenario in scenarios:
                measured = runs[scenario.name]
                result = {
                    key: statistics.median(run[key] for run in measured)
                    for key in ("rps", "p50", "p99")
                }
                # The ratio of each round to the ceiling's run in the same round
                # (the constant view costs the same on every server), then the
                # median: the machine's speed drifts by ±15 % within a minute
                # here, and a pair of neighbouring runs sees the same drift where
                # the medians of separate runs do not.
                result["ratio"] = paired_ratio(measured, runs[ceiling])
                result["errors"] = sum(run["errors"] for run in measured)
                result["bytes"] = prepared[scenario.name][2]
                results[scenario.name] = result
                print(
                    f"  measured {scenario.name}: {result['rps']:.0f} req/s",
                    flush=True,
                )
            for name, server in servers.items():
                memory[name] = server.peak_rss_mib()
        finally:
            for server in servers.values():
                server.stop()
    return report_reads(options, size, results, runs, memory)


def prepare(scenario: Scenario, servers: dict, options, wrk_bin: str):
    """Check the scenario's answer (a 200, a 304 to its own ETag) and warm it up:
    the first request renders the document and stores it."""
    server = servers[scenario.server]
    url = server.base + scenario.path
    status, headers, body = fetch(url)
    if status != 200:
        sys.exit(f"{scenario.name}: expected a 200, got {status}")
    extra = {}
    if scenario.conditional:
        extra["If-None-Match"] = headers["ETag"]
        try:
            got = fetch(url, extra)[0]
        except urllib.error.HTTPError as exc:
            got = exc.code
        if got != 304:
            sys.exit(f"{scenario.name}: expected a 304, got {got}")
    wrk(
        wrk_bin,
        url,
        duration=options.warmup,
        connections=options.connections,
        headers=extra,
    )
    server.wait_idle()
    return url, extra, len(body)


def report_reads(options, size, results, runs, memory) -> list[str]:
    print()
    print(
        f"gunicorn {options.workers} sync workers, wrk 1 thread × "
        f"{options.connections} connections, median of {options.rounds} interleaved "
        f"{options.duration}s runs, loopback; ceiling body {size} bytes; "
        "PostgreSQL + Redis"
        + ("; without the fast path" if options.no_fastpath else "")
    )
    header = "{:<31} {:>7} {:>7} {:>7} {:>8} {:>10} {:>9}".format(
        "scenario", "req/s", "p50 ms", "p99 ms", "bytes", "× ceiling", "target"
    )
    print(header)
    print("-" * len(header))
    # Each row's ratio is to the ceiling measured on the same server, in the same
    # rounds (the two ceiling rows): the median of the rounds' ratios.
    failed = []
    for scenario in SCENARIOS:
        if scenario.name not in results:
            continue
        r = results[scenario.name]
        target = ""
        if scenario.target:
            passed = r["ratio"] >= scenario.target and not r["errors"]
            target = f"≥{scenario.target:.2f} {mark(passed)}"
            if not passed:
                failed.append(scenario.name)
        errors = f"  {r['errors']} errors" if r["errors"] else ""
        print(
            f"{scenario.name:<31} {r['rps']:>7.0f} {r['p50']:>7.2f} {r['p99']:>7.2f} "
            f"{r['bytes']:>8} {r['ratio']:>9.2f}× {target:>9}{errors}"
        )
    print()
    for large, demo in FLAT:
        if large not in runs:
            continue
        # Run against the neighbouring run, as for the ceiling.
        flat = paired_ratio(runs[large], runs[demo])
        passed = abs(flat - 1) <= FLAT_TOLERANCE
        if not passed:
            failed.append(f"{large} ÷ demo")
        print(
            f"{large}, large dataset ÷ demo: {flat:.2f} "
            f"(target 1 ± {FLAT_TOLERANCE:.2f}) {mark(passed)}"
        )
    print()
    print(
        "peak worker memory (VmHWM): "
        + ", ".join(f"{name} {mib:.0f} MiB" for name, mib in memory.items())
    )
    print(json.dumps({"results": results, "memory_mib": memory}))
    return failed


def measure_publishing(env: dict, options) -> list[str]:
    """Step 3 of the module docstring; what missed its target."""
    env = server_env(env, SERVERS["cached"])
    # The store's own renders run under the public deadline (DATABASE_API_TIMEOUT,
    # 1 s): here the render is measured, whatever it takes.
    slow = {**env, "DATABASE_API_TIMEOUT": "600"}
    print(
        "\nPublishing on the large dataset (response cache and store on)…", flush=True
    )
    visible = publish_to_visible(env)
    common = in_django(slow, "publish_common_item")
    rebuilt = rebuild_documents(slow, options.rebuild_limit)

    print()
    failed = []
    if visible["visible_s"] is None:
        failed.append("publish to visible")
        seen = f"not seen within {VISIBLE_TIMEOUT:.0f} s  FAIL"
    else:
        seen = f"{visible['visible_s']:.2f} s after publish() began"
    errors = f", {visible['errors']} errors" if visible["errors"] else ""
    print(
        f"an edited FAQ item published (manage.py shell), its detail on a server "
        f"that had it cached: "
        f"{seen} (publish() {visible['publish_s']:.2f} s{errors})"
    )
    print(
        f"FAQ item {common['item']}, shown by {common['shown_by']} articles; the "
        f"store holds the {common['warmed']} documents that show it:"
    )
    print(
        f"  its edit saved (a draft): {common['save_s']:.2f} s; "
        f"{common['save_stale']} documents marked stale, rendered again in "
        f"{common['save_refresh_s']:.1f} s ({common['save_changed']} changed)"
    )
    passed = common["publish_s"] < 1.0
    if not passed:
        failed.append("publish()")
    print(
        f"  publish('en'), the admin's request: {common['publish_s']:.2f} s "
        f"(target < 1 s) {mark(passed)}"
    )
    print(
        f"  rendered again by the worker's task: {common['stale']} documents "
        f"({common['articles']} article details) in {common['refresh_s']:.1f} s "
        f"({common['changed']} changed)"
    )
    if rebuilt["finished"]:
        print(
            f"rebuild_documents: {rebuilt['rendered']} documents in "
            f"{rebuilt['seconds']:.0f} s"
        )
    else:
        failed.append("rebuild_documents")
        print(
            f"rebuild_documents: stopped after {rebuilt['seconds']:.0f} s "
            f"(--rebuild-limit) with {rebuilt['rendered']} documents rendered: "
            + ", ".join(f"{kind} {n}" for kind, n in rebuilt["kinds"].items())
            + "  FAIL"
        )
    exported = None
    if rebuilt["finished"]:
        exported = export_static(slow, "--from-store")
        print(
            f"export_static --from-store: {exported['documents']} documents written "
            f"in {exported['seconds']:.1f} s"
        )
    else:
        print("export_static: not measured (rebuild_documents did not finish)")
    print(
        json.dumps(
            {
                "visible": visible,
                "common": common,
                "rebuild": rebuilt,
                "export": exported,
            }
        )
    )
    return failed


def export_static(env: dict, *args: str) -> dict:
    """``manage.py export_static`` into a temporary folder: where it is, how many
    documents it wrote and in how long (its own figure, the render excluded)."""
    folder = Path(tempfile.mkdtemp(prefix="clinic-bench-export-"))
    folder.chmod(0o755)  # nginx's workers read it as another user
    output = run(
        PYTHON,
        "manage.py",
        "export_static",
        str(folder),
        "--origin",
        ORIGIN,
        *args,
        env=env,
    )
    match = re.search(r"Exported (\d+) documents in ([\d.]+) s", output)
    if not match:
        sys.exit("could not read export_static's output:\n" + output)
    return {
        "folder": str(folder),
        "documents": int(match.group(1)),
        "seconds": float(match.group(2)),
    }


def static_nginx_config(
    export: str, upstream: int, port: int, folder: Path, workers: int
) -> str:
    """deploy/nginx-static.conf on loopback, plain HTTP (as gunicorn is measured),
    in front of ``upstream``, in a main context of its own in ``folder``."""
    site = (ROOT / "deploy" / "nginx-static.conf").read_text()
    for pattern, replacement in (
        (r"/srv/clinic-export/", export + "/"),
        (r"(?m)^(\s*)server 10\.0\.0\.11:8000 ", rf"\g<1>server 127.0.0.1:{upstream} "),
        (r"(?m)^\s*server 10\.0\.0\.12:8000 [^;]*;\n", ""),
        (r"listen 443 ssl http2;", f"listen 127.0.0.1:{port};"),
        (r"(?m)^\s*ssl_certificate(_key)? [^;]*;\n", ""),
    ):
        site = re.sub(pattern, replacement, site)
    (folder / "site.conf").write_text(site)
    return (
        "daemon off;\n"
        f"worker_processes {workers};\n"
        f"pid {folder}/nginx.pid;\n"
        f"error_log {folder}/error.log;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        "  access_log off;\n"
        + "".join(
            f"  {kind}_temp_path {folder}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"  include {folder}/site.conf;\n"
        "}\n"
    )


def measure_static(env: dict, options, wrk_bin: str) -> list[str]:
    """Step 4 of the module docstring; what missed its target."""
    if not NGINX.exists():
        print("\nstatic export: not measured (needs nginx: apt-get install nginx)")
        return []
    print("\nThe demo's static export, served by nginx…", flush=True)
    demo_env = server_env(env, SERVERS["store, demo"])
    exported = export_static(demo_env)
    folder = Path(exported["folder"])
    size = len(
        (
            folder / "current/files/api/v1/articles" / DEMO_ARTICLE / "locale=en.json"
        ).read_bytes()
    )
    server = Server({**demo_env, "BENCH_CONSTANT_BYTES": str(size)}, options.workers)
    port = free_port()
    (folder / "nginx.conf").write_text(
        static_nginx_config(str(folder), server.port, port, folder, options.workers)
    )
    log = tempfile.TemporaryFile()
    nginx = subprocess.Popen(
        [str(NGINX), "-p", str(folder), "-c", str(folder / "nginx.conf")],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        static_url = f"http://127.0.0.1:{port}{ARTICLE}"
        deadline = time.monotonic() + 10
        while True:
            try:
                status, headers, body = fetch(static_url)
                break
            except OSError:
                if time.monotonic() > deadline or nginx.poll() is not None:
                    log.seek(0)
                    sys.exit("nginx did not start:\n" + log.read().decode())
                time.sleep(0.1)
        app = fetch(server.base + ARTICLE)
        if (status, body, headers["ETag"]) != (200, app[2], app[1]["ETag"]):
            sys.exit("nginx does not answer the article as the app does")
        # Sent by nginx's static module, never by the app: a file was served, not
        # the app's answer passed on (an export nginx cannot read goes there).
        if headers.get("Accept-Ranges") != "bytes":
            sys.exit("nginx passed the article to the app: can it read the export?")
        urls = {"static": static_url, "ceiling": server.base + CEILING}
        runs: dict[str, list[dict]] = {name: [] for name in urls}
        for url in urls.values():
            wrk(wrk_bin, url, duration=options.warmup, connections=options.connections)
        for _ in range(options.rounds):
            for name, url in urls.items():
                runs[name].append(
                    wrk(
                        wrk_bin,
                        url,
                        duration=options.duration,
                        connections=options.connections,
                    )
                )
                server.wait_idle()
    finally:
        os.killpg(nginx.pid, signal.SIGTERM)
        nginx.wait()
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    ratio = paired_ratio(runs["static"], runs["ceiling"])
    passed = ratio >= STATIC_TARGET and not any(r["errors"] for r in runs["static"])
    print(
        f"nginx {options.workers} workers and gunicorn {options.workers} sync workers, "
        f"wrk 1 thread × {options.connections} connections, median of "
        f"{options.rounds} interleaved {options.duration}s runs; "
        f"{exported['documents']} documents exported in {exported['seconds']:.1f} s"
    )
    for name, label in (
        ("static", "static export article (nginx)"),
        ("ceiling", "constant bytes (ceiling)"),
    ):
        rps = statistics.median(r["rps"] for r in runs[name])
        p50 = statistics.median(r["p50"] for r in runs[name])
        p99 = statistics.median(r["p99"] for r in runs[name])
        print(
            f"  {label:<31} {rps:>7.0f} req/s  p50 {p50:.2f} ms  "
            f"p99 {p99:.2f} ms  {size} bytes"
        )
    print(
        f"  static export ÷ ceiling: {ratio:.1f}× "
        f"(target ≥{STATIC_TARGET:.0f}×) {mark(passed)}"
    )
    print(json.dumps({"static": {"ratio": ratio, "runs": runs, "export": exported}}))
    return [] if passed else ["static export"]


def in_django(env: dict, function: str, *args) -> dict:
    """Run ``function`` of this module with ``args`` in a Django process
    (``manage.py shell``) on ``env``; the JSON it prints last."""
    code = f"import tools.bench as bench; bench.{function}(*{args!r})"
    return last_json(run(PYTHON, "manage.py", "shell", "-c", code, env=env))


def last_json(output: str) -> dict:
    lines = [line for line in output.splitlines() if line.startswith("{")]
    if not lines:
        sys.exit("no result printed:\n" + output)
    return json.loads(lines[-1])


def publish_to_visible(env: dict) -> dict:
    """Publish an edit of an FAQ item in a process of its own while polling its
    detail on a second server (both had it cached): seconds from the start of
    ``publish()`` to the new text there."""
    first, second = Server(env, 1), Server(env, 1)
    try:
        page = json.loads(fetch(first.base + FAQ_LIST + "&page=2")[2])
        slug = page["results"][0]["slug"]
        path = f"/api/v1/faq-items/{slug}/?locale=en"
        for server in (first, second):
            fetch(server.base + path)
        marker = f"bench-{secrets.token_hex(4)}"
        code = f"import tools.bench as bench; bench.publish_edit({slug!r}, {marker!r})"
        process = subprocess.Popen(
            [PYTHON, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        seen, errors = None, 0
        # The process starts Django first (a few seconds).
        deadline = time.time() + VISIBLE_TIMEOUT + 30
        while seen is None and time.time() < deadline:
            try:
                body = fetch(second.base + path)[2]
            except urllib.error.HTTPError:
                errors += 1
                body = b""
            if marker.encode() in body:
                seen = time.time()
            else:
                time.sleep(0.01)
        output = process.communicate(timeout=60)[0]
    finally:
        first.stop()
        second.stop()
    times = last_json(output)
    return {
        "slug": slug,
        "publish_s": times["published"] - times["started"],
        "visible_s": None if seen is None else seen - times["started"],
        "errors": errors,
    }


def rebuild_documents(env: dict, limit: int) -> dict:
    """``manage.py rebuild_documents``, stopped after ``limit`` seconds: how many
    documents it rendered, by kind, and in how long."""
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as conn:
        started_at = conn.execute("SELECT now()").fetchone()[0]
    started = time.monotonic()
    process = subprocess.Popen(
        [PYTHON, "manage.py", "rebuild_documents", "--origin", ORIGIN],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output = process.communicate(timeout=limit or None)[0]
        finished = True
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        output = process.communicate()[0]
        finished = False
    seconds = time.monotonic() - started
    if finished and process.returncode != 0:
        print(output[-2000:])
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        rows = conn.execute(
            "SELECT substring(url from '/api/v1/([a-z-]+)/') AS kind, "
            "url ~ '/api/v1/[a-z-]+/[^/?]+/' AS detail, count(*) "
            "FROM publication_document WHERE rendered_at >= %s AND NOT stale "
            "GROUP BY 1, 2 ORDER BY 3 DESC",
            [started_at],
        ).fetchall()
    kinds = {
        f"{kind or 'root'} {'details' if detail else 'pages'}": n
        for kind, detail, n in rows
    }
    return {
        "finished": finished and process.returncode == 0,
        "seconds": seconds,
        "rendered": sum(kinds.values()),
        "kinds": kinds,
    }


# What runs in a Django process (``in_django``): Django is imported there only.


def publish_edit(slug: str, marker: str) -> None:
    """Append ``marker`` to the English answer of the FAQ item at ``slug``, save,
    then publish; print when ``publish()`` started and returned."""
    from faq.models import FAQItem

    item = FAQItem.objects.get(slug_en=slug)
    item.answer_en = f"{item.answer_en}<p>{marker}</p>"
    item.save()
    started = time.time()
    item.publish("en")
    print(json.dumps({"started": started, "published": time.time()}))


def publish_common_item() -> None:
    """The FAQ item the most articles show: the store holds the documents that
    show it (its details, every article's in every language), nothing stale. Its
    edit is saved and what that marked stale rendered again; then it is published
    (timed: the admin's request), and what that marked stale is rendered again
    (timed: the worker's task, ``documents.refresh_stale``)."""
    from django.db.models import Count
    from django.urls import reverse

    from faq.models import FAQItem
    from publication import documents
    from publication.languages import column
    from publication.models import Publishable

    item = (
        FAQItem.objects.annotate(shown=Count("articles"))
        .order_by("-shown", "pk")
        .first()
    )
    documents.Document.objects.all().delete()
    shown: list[Publishable] = [item, *item.articles.all()]
    for obj in shown:
        route = f"{obj._meta.model_name}-detail"
        for code in obj.published_languages:
            path = reverse(route, kwargs={"slug": getattr(obj, column("slug", code))})
            rendered = documents.render(f"{ORIGIN}{path}?locale={code}")
            assert rendered.status == 200, (path, code, rendered)
    warmed = documents.Document.objects.count()

    item.answer_en = f"{item.answer_en}<p>bench-{secrets.token_hex(4)}</p>"
    started = time.monotonic()
    item.save()
    save_s = time.monotonic() - started
    started = time.monotonic()
    after_save = documents.refresh_stale()
    save_refresh_s = time.monotonic() - started

    item = FAQItem.objects.get(pk=item.pk)  # as the admin's request loads it
    started = time.monotonic()
    item.publish("en")
    publish_s = time.monotonic() - started
    started = time.monotonic()
    changes = documents.refresh_stale()
    refresh_s = time.monotonic() - started
    print(
        json.dumps(
            {
                "item": item.pk,
                "shown_by": len(shown) - 1,
                "warmed": warmed,
                "save_s": save_s,
                "save_stale": len(after_save),
                "save_changed": sum(change.changed for change in after_save),
                "save_refresh_s": save_refresh_s,
                "publish_s": publish_s,
                "stale": len(changes),
                "articles": sum("/articles/" in change.path for change in changes),
                "changed": sum(change.changed for change in changes),
                "refresh_s": refresh_s,
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
