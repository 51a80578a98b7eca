"""`make bench`: the public API under gunicorn with production settings, measured
against the ceiling of the same stack, in one run.

    python -m tools.bench [--duration 10] [--connections 32]

1. Prepares a PostgreSQL database (BENCH_DATABASE_URL, default ``clinic_bench`` on
   127.0.0.1) with the demo and the generated dataset (``generate_content``: 200
   articles, 10,000 FAQ items), a database with the demo alone (its name with
   ``_demo``), and flushes a Redis database (BENCH_REDIS_URL, default db 14) for the
   shared cache.
2. Starts gunicorn (2 sync workers, DEBUG off, a random secret): with the response
   cache (cached reads and 304s), then without it (cold renders), beside a third
   without it on the demo alone, whose FAQ list and search are measured in the same
   rounds as the large dataset's. The ceiling is ``/bench/constant/``: a plain Django
   view returning as many constant bytes as the article detail, through the same
   middleware; it is measured with the cached server and with the cold ones.
3. Drives each scenario with wrk (Debian's package: apt-get install wrk) on loopback,
   in rounds that interleave a server's scenarios with its ceiling, and prints
   requests/s, p50, p99 and the ratio to the ceiling (the median of the rounds'
   ratios, each to the ceiling's run of the same round), side by side, the FAQ's
   large dataset ÷ demo (the median of the rounds' ratios of neighbouring runs), then
   the peak resident memory of the workers.

Absolute figures depend on the machine; the ratios are what the README compares.
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


@dataclass
class Scenario:
    name: str
    # "cached"; "cold" (response cache off); "demo" (cold, on the demo alone)
    server: str
    path: str
    target: float | None = None  # the ratio to the ceiling it must reach
    conditional: bool = False


CEILING = "/bench/constant/"
FAQ_LIST = "/api/v1/faq-items/?locale=en&page_size=5"
FAQ_SEARCH = "/api/v1/faq-items/?locale=en&search=surgery&page_size=1"
# Large dataset ÷ demo, for the same page: flat in the data within 15 %.
FLAT = (
    ("FAQ list page", "cold FAQ list page", "cold FAQ list page, demo"),
    ("FAQ search", "cold FAQ search", "cold FAQ search, demo"),
)
FLAT_TARGET = 0.85
# Servers measured together: the cold one and the demo's share their rounds.
PHASES = (("cached",), ("cold", "demo"))

SCENARIOS = [
    Scenario("constant bytes (ceiling)", "cached", CEILING),
    Scenario(
        "cached article detail",
        "cached",
        f"/api/v1/articles/{DEMO_ARTICLE}/?locale=en",
        0.9,
    ),
    Scenario(
        "cached FAQ list page", "cached", "/api/v1/faq-items/?locale=ko&page=7", 0.9
    ),
    Scenario(
        "304 revalidation (article)",
        "cached",
        f"/api/v1/articles/{DEMO_ARTICLE}/?locale=en",
        1.0,
        conditional=True,
    ),
    # The ceiling again, on the server of the cold scenarios and in their rounds:
    # each ratio divides by the ceiling measured beside it, so that a drift of the
    # machine's speed between the two servers' turns does not count.
    Scenario("constant bytes (cold server)", "cold", CEILING),
    Scenario(
        "cold article detail",
        "cold",
        f"/api/v1/articles/{DEMO_ARTICLE}/?locale=en",
        0.25,
    ),
    # The FAQ list and a search with a common word (one item in five has
    # "surgery"), on the large dataset and on the demo alone: their cost must not
    # grow with the data. The page sizes are what the demo fills (its five items,
    # its one match), so that both servers render the same page. The demo's server
    # runs beside the cold one, in the same rounds, each run next to its twin.
    Scenario("cold FAQ list page", "cold", FAQ_LIST),
    Scenario("cold FAQ list page, demo", "demo", FAQ_LIST),
    Scenario("cold FAQ search", "cold", FAQ_SEARCH),
    Scenario("cold FAQ search, demo", "demo", FAQ_SEARCH),
]


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
        if generate:
            generated = run(PYTHON, "manage.py", "generate_content", env=db_env)
            print(generated.strip().splitlines()[-1])
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

    def __init__(self, env: dict, workers: int, *, threads: int | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()
        kind = ["--threads", str(threads)] if threads else ["--worker-class", "sync"]
        self.process = subprocess.Popen(
            [
                GUNICORN,
                "clinic.wsgi:application",
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
    parser.add_argument("--skip-prepare", action="store_true")
    options = parser.parse_args(argv)

    wrk_bin = ensure_wrk()
    env = production_env(
        os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clinic_bench"
        ),
        os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
    )
    if not options.skip_prepare:
        prepare_database(env)
    flush_redis(env["REDIS_URL"])

    results: dict[str, dict] = {}
    runs: dict[str, list[dict]] = {}
    memory: dict[str, float] = {}
    size = None
    for phase in PHASES:
        servers: dict[str, Server] = {}
        try:
            for server_kind in phase:
                server_env = {
                    **env,
                    "API_RESPONSE_CACHE": str(server_kind == "cached"),
                }
                if server_kind == "demo":
                    # Its own database, and its own keys in the shared Redis: the
                    # counts kept there are the database's.
                    server_env["DATABASE_URL"] = demo_url(env["DATABASE_URL"])
                    server_env["CACHE_KEY_PREFIX"] = "clinic-bench-demo"
                if size is None:
                    probe = Server(server_env, 1)
                    try:
                        _, _, body = fetch(probe.base + SCENARIOS[1].path)
                        size = len(body)
                    finally:
                        probe.stop()
                server_env["BENCH_CONSTANT_BYTES"] = str(size)
                servers[server_kind] = Server(server_env, options.workers)
            scenarios = [sc for sc in SCENARIOS if sc.server in phase]
            prepared = {}
            for scenario in scenarios:
                server = servers[scenario.server]
                url = server.base + scenario.path
                status, headers, body = fetch(url)
                assert status == 200, (scenario.name, status)
                extra = {}
                if scenario.conditional:
                    extra["If-None-Match"] = headers["ETag"]
                    try:
                        got = fetch(url, extra)[0]
                    except urllib.error.HTTPError as exc:
                        got = exc.code
                    if got != 304:
                        sys.exit(f"{scenario.name}: expected a 304, got {got}")
                prepared[scenario.name] = (url, extra, len(body))
                wrk(
                    wrk_bin,
                    url,
                    duration=options.warmup,
                    connections=options.connections,
                    headers=extra,
                )
                server.wait_idle()
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
            for server_kind, server in servers.items():
                memory[server_kind] = server.peak_rss_mib()
        finally:
            for server in servers.values():
                server.stop()

    ceilings = {
        sc.server: results[sc.name]["rps"] for sc in SCENARIOS if sc.path == CEILING
    }
    print()
    print(
        f"gunicorn {options.workers} sync workers, wrk 1 thread × "
        f"{options.connections} connections, median of {options.rounds} interleaved "
        f"{options.duration}s runs, loopback; "
        f"body {size} bytes; PostgreSQL + Redis"
    )
    header = "{:<28} {:>8} {:>8} {:>8} {:>10} {:>8}".format(
        "scenario", "req/s", "p50 ms", "p99 ms", "× ceiling", "target"
    )
    print(header)
    print("-" * len(header))
    # Each row's ratio is to the ceiling measured on the same server, in the same
    # rounds (the two ceiling rows): the median of the rounds' ratios.
    failed = []
    for scenario in SCENARIOS:
        r = results[scenario.name]
        ratio = r["ratio"]
        target = f"≥{scenario.target:.2f}" if scenario.target else ""
        mark = ""
        if scenario.target and ratio < scenario.target:
            mark = "  BELOW"
            failed.append(scenario.name)
        if r["errors"]:
            mark += f"  {r['errors']} errors"
            failed.append(scenario.name)
        print(
            f"{scenario.name:<28} {r['rps']:>8.0f} {r['p50']:>8.2f} {r['p99']:>8.2f} "
            f"{ratio:>9.2f}× {target:>8}{mark}"
        )
    print()
    for label, large, demo in FLAT:
        # Run against the neighbouring run, as for the ceiling.
        flat = paired_ratio(runs[large], runs[demo])
        mark = ""
        if flat < FLAT_TARGET:
            mark = "  BELOW"
            failed.append(large)
        print(
            f"{label}, large dataset ÷ demo: {flat:.2f} "
            f"(target ≥{FLAT_TARGET:.2f}){mark}"
        )
    print()
    print(
        "peak worker memory (VmHWM): "
        + ", ".join(f"{kind} server {mib:.0f} MiB" for kind, mib in memory.items())
    )
    print(
        json.dumps({"ceiling_rps": ceilings, "results": results, "memory_mib": memory})
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
