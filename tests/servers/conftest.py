"""Fixtures of the two-server tests: two gunicorn processes on loopback that share
the pytest-django test database (PostgreSQL) and one Redis, as two app servers
behind a load balancer would. Each server writes its own log; the logs are attached
to the report of a test that fails."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import RequestFactory

import clinic.settings as product_settings

ROOT = Path(product_settings.BASE_DIR)
GUNICORN = Path(sys.executable).with_name("gunicorn")
# One site behind a load balancer: both servers are addressed with the same Host, so
# they compute the same response cache keys (scheme, host, path, query) and share
# the stored entries as well as the content version.
HOST = "localhost"
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0

SERVERS = pytest.StashKey[list["Server"]]()


def redis_url_or_fail() -> str:
    """REDIS_URL, reachable; anything else fails the test (never skips it): on
    PostgreSQL these tests are the proof that app servers share one truth."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.fail(
            "REDIS_URL is not set: the two-server test on PostgreSQL needs Redis for "
            "the shared response cache (CI sets REDIS_URL=redis://127.0.0.1:6379/15).",
            pytrace=False,
        )
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError as error:
        problem = str(error)
    else:
        return url
    pytest.fail(
        f"Redis at REDIS_URL={url} is unreachable ({problem}): the two-server test "
        "on PostgreSQL needs it for the shared response cache.",
        pytrace=False,
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # Before any fixture (the suite's autouse fixtures already talk to the cache),
    # so that a missing Redis fails with this message, not a connection error.
    if item.get_closest_marker("servers") and connection.vendor == "postgresql":
        redis_url_or_fail()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    servers = item.stash.get(SERVERS, None)
    if report.failed and servers:
        for server in servers:
            report.sections.append(
                (f"gunicorn {server.name} log ({server.base})", server.log_text())
            )
    return report


def database_url() -> str:
    """The URL of the database this test process uses: the test database."""
    db = connection.settings_dict
    assert connection.vendor == "postgresql", db["ENGINE"]
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    netloc = (auth + "@" if auth else "") + (db["HOST"] or "")
    if db["PORT"]:
        netloc += f":{db['PORT']}"
    options = {
        name: value
        for name, value in (db.get("OPTIONS") or {}).items()
        if isinstance(value, str | int) and not isinstance(value, bool)
    }
    query = "?" + urlencode(options) if options else ""
    return f"postgres://{netloc}/{quote(db['NAME'], safe='')}{query}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    port: int
    log: Path
    process: subprocess.Popen
    redis_url: str
    cache_prefix: str

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def get(
        self, path: str, *, headers=None, timeout: float = 10, **kwargs
    ) -> requests.Response:
        """An anonymous GET (no cookies), as the public API's clients make."""
        return requests.get(
            self.url(path),
            headers={"Host": HOST, **(headers or {})},
            timeout=timeout,
            allow_redirects=False,
            **kwargs,
        )

    def stored(self, path: str, **params: str) -> bool:
        """Whether the shared cache (Redis) holds a response for this address, under
        the key both servers compute for it."""
        import redis

        from api.cache import cache_key

        request = RequestFactory().get(path, params, headers={"Host": HOST})
        pattern = f"{self.cache_prefix}:*:{cache_key(request)}"
        client = redis.Redis.from_url(self.redis_url)
        return any(True for _ in client.scan_iter(match=pattern, count=1000))

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError as error:
            return f"(no log: {error})"

    def wait_ready(self, deadline: float) -> None:
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"exited with status {self.process.returncode}")
            try:
                if self.get("/api/v1/", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"no 200 from /api/v1/ in {START_TIMEOUT:.0f}s")
            time.sleep(0.1)

    def stop(self) -> None:
        """TERM the server's process group (master and worker), KILL what is left."""
        group = self.process.pid  # start_new_session: the group id is the pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=STOP_TIMEOUT)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        self.process.wait()


def start_server(name: str, env: dict[str, str], log_dir: Path) -> Server:
    """Start gunicorn; the caller waits for it (``wait_ready``) and stops it."""
    port = free_port()
    log = log_dir / f"gunicorn-{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(GUNICORN),
                "clinic.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--worker-class",
                "sync",
                "--graceful-timeout",
                "5",
                "--access-logfile",
                "-",
                "--error-logfile",
                "-",
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(
        name=name,
        port=port,
        log=log,
        process=process,
        redis_url=env["REDIS_URL"],
        cache_prefix=env["CACHE_KEY_PREFIX"],
    )


def ensure_static_manifest(env: dict[str, str]) -> None:
    """With DEBUG off the admin's pages need collectstatic's manifest (as in any
    deployment); a clean clone has none until ``make prepare``, so make it here."""
    if (Path(product_settings.STATIC_ROOT) / "staticfiles.json").exists():
        return
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode:
        pytest.fail(f"collectstatic failed:\n{result.stdout}{result.stderr}")


def delete_prefixed_keys(redis_url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture
def two_servers(request, transactional_db, tmp_path) -> tuple[Server, Server]:
    """Servers A and B: two independent gunicorn processes (one sync worker each)
    with production settings (DEBUG off, a random secret) on the test database and
    the Redis of REDIS_URL, under a cache key prefix of their own. Stopped (process
    group) at the end of the test, before the test database is flushed."""
    redis_url = redis_url_or_fail()
    prefix = f"servers-test-{secrets.token_hex(6)}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": prefix,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "ADMIN_URL": settings.ADMIN_URL,
        "API_RESPONSE_CACHE": "true",
        "BEHIND_HTTPS_PROXY": "false",
        "SECURE_COOKIES": "false",
        "API_THROTTLE_RATE": "",
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    ensure_static_manifest(env)

    servers: list[Server] = []

    def stop_all() -> None:
        for server in servers:
            server.stop()
        delete_prefixed_keys(redis_url, prefix)

    # A finalizer, not a yield: it must also run when a server fails to start.
    request.addfinalizer(stop_all)  # noqa: PT021
    for name in ("A", "B"):
        servers.append(start_server(name, env, tmp_path))
    request.node.stash[SERVERS] = servers

    deadline = time.monotonic() + START_TIMEOUT
    for server in servers:
        try:
            server.wait_ready(deadline)
        except RuntimeError as error:
            pytest.fail(
                f"gunicorn {server.name} on {server.base} did not start ({error}):\n"
                + server.log_text(),
                pytrace=False,
            )
    a, b = servers
    return a, b


def send(
    port: int, target: bytes, *headers: bytes, tls: ssl.SSLContext | None = None
) -> tuple[int, dict, bytes]:
    """One raw GET of ``target`` (bytes as they go on the wire, which ``requests``
    would not send as they are), over TLS with ``tls``: (status, headers with
    lower-cased names, body)."""
    request = b"GET " + target + b" HTTP/1.1\r\nHost: localhost\r\n"
    request += b"".join(header + b"\r\n" for header in headers)
    request += b"Connection: close\r\n\r\n"
    with contextlib.ExitStack() as stack:
        sock = stack.enter_context(socket.create_connection(("127.0.0.1", port), 10))
        if tls is not None:
            sock = stack.enter_context(
                tls.wrap_socket(sock, server_hostname="localhost")
            )
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    fields = dict(line.split(": ", 1) for line in lines)
    return int(status_line.split()[1]), {k.lower(): v for k, v in fields.items()}, body


# The embedded default: one machine, one SQLite file, the file cache (var/cache/ in
# a real run) shared by every process. The servers and commands below get a copy of
# a database migrated (and, for ``embedded``, loaded with the demo) once per test
# session, and a cache folder of their own, never the test database or var/.

WORKER_INTERVAL = 1.0


def embedded_env(folder: Path) -> dict[str, str]:
    """The environment of every process of one embedded site in ``folder``."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "CACHE_DIR": str(folder / "cache"),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "API_RESPONSE_CACHE": "true",
        "BEHIND_HTTPS_PROXY": "false",
        "SECURE_COOKIES": "false",
        "API_THROTTLE_RATE": "",
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
        # No Redis: the embedded default (REDIS_URL empty means unset).
        "REDIS_URL": "",
        "CACHE_KEY_PREFIX": "",
    }
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    """``manage.py`` in a process of its own (another process than the server's);
    its output, or the test fails with it."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        pytest.fail(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout}{result.stderr}",
            pytrace=False,
        )
    return result.stdout


@pytest.fixture(scope="session")
def embedded_databases(tmp_path_factory) -> dict[str, Path]:
    """SQLite files made once: ``empty`` (migrated) and ``demo`` (migrated, with the
    demo content)."""
    made = {}
    for name in ("empty", "demo"):
        folder = tmp_path_factory.mktemp(f"embedded-{name}")
        env = embedded_env(folder)
        manage(env, "migrate", "--noinput", "-v", "0")
        if name == "demo":
            manage(env, "load_demo")
        made[name] = folder / "db.sqlite3"
    return made


@dataclass
class Embedded:
    """One embedded site: its folder, environment and gunicorn."""

    folder: Path
    env: dict[str, str]
    server: Server
    processes: list[subprocess.Popen]

    def manage(self, *args: str) -> str:
        return manage(self.env, *args)

    def start_worker(self) -> subprocess.Popen:
        """The background worker, as `make worker` runs it."""
        log = (self.folder / "worker.log").open("wb")
        process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--interval",
                str(WORKER_INTERVAL),
                "--no-startup-delay",
                "--no-reload",
            ],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def worker_log(self) -> str:
        path = self.folder / "worker.log"
        return path.read_text(errors="replace") if path.exists() else "(no worker)"


def stop_process(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def start_embedded(request, database: Path, folder: Path) -> Embedded:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(database, folder / "db.sqlite3")
    env = embedded_env(folder)
    ensure_static_manifest(env)
    server = start_server("embedded", env, folder)
    site = Embedded(folder=folder, env=env, server=server, processes=[])

    def stop_all() -> None:
        server.stop()
        for process in site.processes:
            stop_process(process)

    request.addfinalizer(stop_all)  # noqa: PT021 — also when the start fails
    request.node.stash[SERVERS] = [server]
    try:
        server.wait_ready(time.monotonic() + START_TIMEOUT)
    except RuntimeError as error:
        pytest.fail(
            f"gunicorn did not start ({error}):\n{server.log_text()}", pytrace=False
        )
    return site


@pytest.fixture
def embedded(request, embedded_databases, tmp_path) -> Embedded:
    """A gunicorn on a copy of the demo database and a file cache of its own."""
    return start_embedded(request, embedded_databases["demo"], tmp_path / "site")


@pytest.fixture
def embedded_empty(request, embedded_databases, tmp_path) -> Embedded:
    """A gunicorn on a migrated database with no content."""
    return start_embedded(request, embedded_databases["empty"], tmp_path / "site")
