"""deploy/nginx.conf in front of gunicorn: nginx (Debian's /usr/sbin/nginx) runs the
committed file with only its addresses and certificate replaced, terminating TLS
with a certificate made for the test, in front of one gunicorn with production
settings behind an HTTPS proxy (``BEHIND_HTTPS_PROXY``).

The requests below never reach the database (gunicorn gets an empty SQLite file of
its own, as in test_gunicorn.py). Uploaded images are files that nginx serves
itself from a folder standing for MEDIA_ROOT."""

from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest
import requests
import urllib3
from PIL import Image as PILImage

from tests.servers.conftest import GUNICORN, ROOT, free_port, send
from tests.servers.test_gunicorn import LIMIT, assert_json_error

NGINX = Path("/usr/sbin/nginx")
OPENSSL = shutil.which("openssl")
CONF = ROOT / "deploy" / "nginx.conf"
# A file as the app names an upload, under the test's MEDIA_ROOT.
MEDIA_FILE = "images/5e/5e0c8a3f2b7d4e19a6c1f0d2e3b4a596.jpg"

pytestmark = pytest.mark.skipif(
    not NGINX.exists() or OPENSSL is None,
    reason="needs Debian's nginx and openssl: apt-get install nginx",
)


def stop(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_listening(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 20
    while True:
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), timeout=1),
        ):
            return
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"{process.args[0]} did not start:\n{log.read_text()}")
        time.sleep(0.1)


def nginx_config(
    gunicorn_port: int, nginx_port: int, tmp: Path, *, conf: Path = CONF, more=()
) -> str:
    """``conf`` (deploy/nginx.conf) with the test's addresses and certificate
    (and the ``more`` (pattern, replacement) pairs, each found once), inside the
    main context nginx needs (run as this user, files in ``tmp``)."""
    site = conf.read_text()
    replacements = [
        *more,
        # The upstream's app servers: the one gunicorn of the test.
        (
            r"(?m)^(\s*)server 10\.0\.0\.11:8000 ",
            rf"\g<1>server 127.0.0.1:{gunicorn_port} ",
        ),
        (r"(?m)^\s*server 10\.0\.0\.12:8000 [^;]*;\n", ""),
        (r"listen 443 ssl", f"listen 127.0.0.1:{nginx_port} ssl"),
        (r"/etc/ssl/clinic/fullchain\.pem", str(tmp / "cert.pem")),
        (r"/etc/ssl/clinic/privkey\.pem", str(tmp / "key.pem")),
    ]
    for pattern, replacement in replacements:
        site, count = re.subn(pattern, replacement, site)
        assert count == 1, f"{conf.name} no longer has {pattern!r}"
    (tmp / "site.conf").write_text(site)
    return (
        "daemon off;\n"
        "master_process off;\n"
        f"pid {tmp}/nginx.pid;\n"
        f"error_log {tmp}/error.log info;\n"
        "events { worker_connections 64; }\n"
        "http {\n"
        f"  access_log {tmp}/access.log;\n"
        + "".join(
            f"  {kind}_temp_path {tmp}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"  include {tmp}/site.conf;\n"
        "}\n"
    )


def app_env(tmp: Path) -> dict[str, str]:
    """The environment of a gunicorn behind nginx: production settings on a
    SQLite file in ``tmp``, one proxy in front, no rate limit."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "localhost",
        "BEHIND_HTTPS_PROXY": "true",
        "NUM_PROXIES": "1",
        "API_THROTTLE_RATE": "",
    }
    env.pop("REDIS_URL", None)
    env.pop("PUBLIC_ORIGIN", None)
    return env


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """(gunicorn's port, nginx's port)."""
    tmp = tmp_path_factory.mktemp("nginx")
    gunicorn_port, nginx_port = free_port(), free_port()
    subprocess.run(
        [OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=localhost", "-keyout", tmp / "key.pem"]
        + ["-out", tmp / "cert.pem"],
        check=True,
        capture_output=True,
    )
    media = tmp / "media"
    (media / MEDIA_FILE).parent.mkdir(parents=True)
    (media / MEDIA_FILE).write_bytes(jpeg())
    # Not a file the app writes (it refuses SVG): one that found its way there.
    (media / "images" / "5e" / "smile.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    )
    media_root = [(r"alias /srv/clinic/media/;", f"alias {media}/;")]
    (tmp / "nginx.conf").write_text(
        nginx_config(gunicorn_port, nginx_port, tmp, more=media_root)
    )
    env = app_env(tmp)
    started = []
    try:
        gunicorn_log = tmp / "gunicorn.log"
        with gunicorn_log.open("wb") as out:
            started.append(
                subprocess.Popen(
                    [str(GUNICORN), "clinic.wsgi:application", "-c", "gunicorn.conf.py"]
                    + ["--bind", f"127.0.0.1:{gunicorn_port}"],
                    cwd=ROOT,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        nginx_log = tmp / "nginx.log"
        with nginx_log.open("wb") as out:
            started.append(
                subprocess.Popen(
                    [str(NGINX), "-p", str(tmp), "-c", str(tmp / "nginx.conf")]
                    + ["-e", str(tmp / "error.log")],
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        wait_listening(gunicorn_port, started[0], gunicorn_log)
        wait_listening(nginx_port, started[1], nginx_log)
        yield gunicorn_port, nginx_port
    finally:
        for process in reversed(started):
            stop(process)


def jpeg() -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (8, 6), (200, 120, 80)).save(out, format="JPEG")
    return out.getvalue()


def through_nginx(
    port: int, path: str, *, method: str = "GET", data: bytes | None = None, **headers
) -> requests.Response:
    with urllib3.warnings.catch_warnings():
        urllib3.warnings.simplefilter(
            "ignore", urllib3.exceptions.InsecureRequestWarning
        )
        return requests.request(
            method,
            f"https://127.0.0.1:{port}{path}",
            data=data,
            headers={"Host": "localhost", **headers},
            verify=False,
            timeout=10,
            allow_redirects=False,
        )


def direct(port: int, path: str, **headers: str) -> requests.Response:
    return requests.get(
        f"http://127.0.0.1:{port}{path}",
        headers={"Host": "localhost", **headers},
        timeout=10,
        allow_redirects=False,
    )


def send_tls(port: int, target: bytes) -> tuple[int, dict, bytes]:
    """``send`` over TLS, accepting the test's own certificate."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return send(port, target, tls=context)


def test_the_api_answers_through_nginx_as_gunicorn_does(servers):
    gunicorn_port, nginx_port = servers

    proxied = through_nginx(nginx_port, "/api/v1/")
    # What nginx sends gunicorn for an HTTPS request.
    reference = direct(gunicorn_port, "/api/v1/", **{"X-Forwarded-Proto": "https"})

    assert proxied.status_code == reference.status_code == 200, proxied.text
    assert proxied.content == reference.content
    assert proxied.headers["Content-Type"] == "application/json; charset=utf-8"
    assert proxied.headers["ETag"] == reference.headers["ETag"]


def test_django_sees_https_through_nginx_whatever_the_client_claims(servers):
    _gunicorn_port, nginx_port = servers

    answer = through_nginx(nginx_port, "/api/v1/", **{"X-Forwarded-Proto": "http"})

    links = answer.json()["endpoints"].values()
    assert links
    assert all(link.startswith("https://localhost/api/v1/") for link in links), links
    assert "Strict-Transport-Security" in answer.headers


def test_plain_http_to_gunicorn_is_redirected_to_https(servers):
    """The contrast: without the proxy's header Django sees plain HTTP."""
    gunicorn_port, _nginx_port = servers

    answer = direct(gunicorn_port, "/api/v1/")

    assert answer.status_code == 301
    assert answer.headers["Location"] == "https://localhost/api/v1/"


def test_an_over_long_request_line_gets_gunicorns_json_414_from_nginx(servers):
    gunicorn_port, nginx_port = servers
    target = b"/api/v1/faq-items/?search=" + b"a" * 10_240

    from_nginx = send_tls(nginx_port, target)
    from_gunicorn = send(gunicorn_port, target)

    assert_json_error(from_nginx, 414, "uri_too_long")
    assert from_nginx[2] == from_gunicorn[2]
    assert from_nginx[1]["cache-control"] == "no-store"
    assert from_nginx[1]["x-content-type-options"] == "nosniff"


def test_a_request_line_at_gunicorns_limit_passes_nginx(servers):
    _gunicorn_port, nginx_port = servers
    prefix = b"/api/v1/nothing-here/?x="
    target = prefix + b"a" * (LIMIT - len(b"GET " + prefix + b" HTTP/1.1"))

    assert_json_error(send_tls(nginx_port, target), 404, "not_found")
    assert_json_error(send_tls(nginx_port, target + b"a"), 414, "uri_too_long")


def test_uploaded_images_are_served_from_media_root_cached_for_good_and_inert(servers):
    _gunicorn_port, nginx_port = servers

    image = through_nginx(nginx_port, f"/media/{MEDIA_FILE}")

    assert image.status_code == 200
    assert image.content == jpeg()
    assert image.headers["Content-Type"] == "image/jpeg"
    assert image.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert image.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"

    # Anything but a picture the app writes is bytes to download.
    svg = through_nginx(nginx_port, "/media/images/5e/smile.svg")
    assert svg.status_code == 200
    assert svg.headers["Content-Type"] == "application/octet-stream"
    assert svg.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"

    # A missing file is not cached for good (it may be uploaded under that name
    # never, but a CDN must not keep the 404 a year either).
    missing = through_nginx(nginx_port, "/media/images/5e/nothing.jpg")
    assert missing.status_code == 404
    assert "immutable" not in missing.headers.get("Cache-Control", "")
    assert missing.headers["X-Content-Type-Options"] == "nosniff"


def test_the_admin_accepts_an_image_uploads_size_and_the_rest_keeps_4_mb(servers):
    _gunicorn_port, nginx_port = servers

    def post(path: str, size: int) -> requests.Response:
        return through_nginx(
            nginx_port,
            path,
            method="POST",
            data=b"x" * size,
            **{"Content-Type": "application/octet-stream"},
        )

    # Over 4 MB, under IMAGE_MAX_BYTES (15 MB): passed to the app, which answers
    # for itself (no CSRF token: its 403 page).
    admin = post("/admin/login/", 6_000_000)
    assert admin.status_code == 403
    assert "CSRF" in admin.text
    assert post("/admin/login/", 17_000_000).status_code == 413
    assert post("/api/v1/", 6_000_000).status_code == 413
