"""deploy/nginx-static.conf serving the demo's static export: nginx (Debian's
/usr/sbin/nginx) runs the committed file with only its addresses, export folder and
certificate replaced, in front of one gunicorn for what the export does not cover
(as tests/servers/test_nginx.py runs deploy/nginx.conf). The export is written by
``manage.py export_static`` from the test database; nginx reads only its files.

gunicorn gets an empty SQLite file of its own: the requests passed to it here are
the app's to refuse without the database."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from django.conf import settings
from django.core.management import call_command

from clinic.demo import load_demo
from content.models import Image
from content.renditions import make
from tests.servers.conftest import GUNICORN, ROOT, free_port
from tests.servers.test_gunicorn import assert_json_error
from tests.servers.test_nginx import (
    NGINX,
    OPENSSL,
    app_env,
    nginx_config,
    send_tls,
    stop,
    through_nginx,
    wait_listening,
)

CONF = ROOT / "deploy" / "nginx-static.conf"
ORIGIN = "http://testserver"

pytestmark = [
    pytest.mark.skipif(
        not NGINX.exists() or OPENSSL is None,
        reason="needs Debian's nginx and openssl: apt-get install nginx",
    ),
    pytest.mark.response_cache,
    pytest.mark.django_db(transaction=True),
]


def static_config(export: Path, gunicorn_port: int, nginx_port: int, tmp: Path) -> str:
    """deploy/nginx-static.conf serving ``export`` and the test run's MEDIA_ROOT,
    as the other nginx test runs deploy/nginx.conf."""
    return nginx_config(
        gunicorn_port,
        nginx_port,
        tmp,
        conf=CONF,
        more=[
            (r"/srv/clinic-export/", f"{export}/"),
            (r"alias /srv/clinic/media/;", f"alias {settings.MEDIA_ROOT}/;"),
        ],
    )


@pytest.fixture
def served(tmp_path):
    """(the manifest's documents, nginx's port, gunicorn's process)."""
    load_demo()
    # The worker's renditions of the demo's images, so that the documents show them.
    for image in Image.objects.all():
        make(image)
    export = tmp_path / "export"
    call_command("export_static", str(export), "--origin", ORIGIN)
    manifest = json.loads((export / "current" / "manifest.json").read_text())
    gunicorn_port, nginx_port = free_port(), free_port()
    subprocess.run(
        [OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=localhost", "-keyout", tmp_path / "key.pem"]
        + ["-out", tmp_path / "cert.pem"],
        check=True,
        capture_output=True,
    )
    (tmp_path / "nginx.conf").write_text(
        static_config(export, gunicorn_port, nginx_port, tmp_path)
    )
    env = app_env(tmp_path)
    started = []
    try:
        for name, command in (
            (
                "gunicorn",
                [str(GUNICORN), "clinic.wsgi:application", "-c", "gunicorn.conf.py"]
                + ["--bind", f"127.0.0.1:{gunicorn_port}"],
            ),
            (
                "nginx",
                [str(NGINX), "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")]
                + ["-e", str(tmp_path / "error.log")],
            ),
        ):
            with (tmp_path / f"{name}.log").open("wb") as out:
                started.append(
                    subprocess.Popen(
                        command,
                        cwd=ROOT,
                        env=env,
                        stdin=subprocess.DEVNULL,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        wait_listening(gunicorn_port, started[0], tmp_path / "gunicorn.log")
        wait_listening(nginx_port, started[1], tmp_path / "nginx.log")
        yield manifest["documents"], nginx_port, started[0]
    finally:
        for process in reversed(started):
            stop(process)


def target(entry: dict) -> str:
    """The path and query of a document, as a client sends them."""
    parts = urlsplit(entry["url"])
    return parts.path + ("?" + parts.query if parts.query else "")


def test_nginx_answers_every_exported_url_as_the_app_does(served, client):
    documents, port, _gunicorn = served
    # The demo in every locale: details, list pages, sitemaps, root, locales.
    assert len(documents) > 100
    assert any(key.startswith("/api/v1/articles/입꼬리") for key in documents)
    headers = ("Content-Type", "Content-Language", "ETag", "Last-Modified")
    for entry in documents.values():
        path = target(entry)
        app = client.get(path)
        assert app.status_code == 200, path

        answer = through_nginx(port, path)

        assert answer.status_code == 200, path
        assert answer.content == app.content, path
        for name in headers:
            assert answer.headers.get(name) == app.headers.get(name), (path, name)
        assert answer.headers["Cache-Control"] == app["Cache-Control"], path
        assert answer.headers.get("Cache-Tag") == app.headers.get("Cache-Tag"), path
        assert answer.headers["X-Content-Type-Options"] == "nosniff"

        again = through_nginx(port, path, **{"If-None-Match": app["ETag"]})

        assert again.status_code == 304, path
        assert again.content == b""
        assert again.headers["ETag"] == app["ETag"]
        assert again.headers["Cache-Control"] == app["Cache-Control"]


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_conditional_requests_follow_the_app(served, client):
    documents, port, _gunicorn = served
    path = target(documents["/api/v1/locales/"])
    app = client.get(path)

    assert through_nginx(port, path, **{"If-None-Match": '"other"'}).status_code == 200
    listed = f'"other", W/{app["ETag"]}'
    assert through_nginx(port, path, **{"If-None-Match": listed}).status_code == 304
    assert through_nginx(port, path, **{"If-None-Match": "*"}).status_code == 304
    since = {"If-Modified-Since": app["Last-Modified"]}
    assert through_nginx(port, path, **since).status_code == 304
    # If-None-Match wins over If-Modified-Since (RFC 9110), as in Django.
    both = {**since, "If-None-Match": '"other"'}
    assert through_nginx(port, path, **both).status_code == 200
    head = requests.head(
        f"https://127.0.0.1:{port}{path}", headers={"Host": "localhost"}, verify=False
    )
    assert head.status_code == 200
    assert head.headers["ETag"] == app["ETag"]


def test_what_the_export_does_not_cover_goes_to_the_app(served):
    documents, port, gunicorn = served
    exported = target(
        next(
            entry
            for key, entry in documents.items()
            if key.startswith("/api/v1/faq-items/")
            and key.endswith("/?locale=en")
            and key.count("/") == 5
        )
    )
    slug = exported.split("/")[4]
    uncovered = [
        # A filtered list, a searched one, a page size: never stored.
        b"/api/v1/faq-items/?locale=en&search=lip",
        b"/api/v1/faq-items/?locale=en&page_size=2",
        # An address the export does not have, in letters nginx's maps would
        # confuse with an exported one, and an escaped query.
        b"/api/v1/nothing-here/?locale=en",
        exported.replace(slug, slug.upper()).encode(),
        exported.replace("locale=", "locale%3D").encode(),
    ]
    # The app answers them (here from an empty database): the requests reach it.
    for path in uncovered:
        status, headers, _body = send_tls(port, path)
        assert "x-request-id" in headers, path
        assert status != 200, path
    assert_json_error(
        send_tls(port, b"/api/v1/nothing-here/?locale=en"), 404, "not_found"
    )

    stop(gunicorn)

    # Without the app: the export still answers what it covers, the rest gets the
    # API's JSON 503.
    assert through_nginx(port, exported).status_code == 200
    for path in uncovered:
        down = send_tls(port, path)
        assert_json_error(down, 503, "service_unavailable")
        assert down[1]["retry-after"] == "5"


def image_urls(value) -> set[str]:
    """Every image and rendition URL in a document's JSON."""
    found = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "url" and isinstance(item, str) and "/media/" in item:
                found.add(item)
            found |= image_urls(item)
    elif isinstance(value, list):
        for item in value:
            found |= image_urls(item)
    return found


def test_the_exported_documents_images_are_served_by_the_same_nginx(served):
    """The export carries image URLs, not bytes: with media on local files, the
    export's nginx serves them from MEDIA_ROOT as deploy/nginx.conf does."""
    documents, port, _gunicorn = served
    article = next(
        entry
        for key, entry in documents.items()
        if key.startswith("/api/v1/articles/입꼬리")
    )
    body = through_nginx(port, target(article)).json()
    urls = image_urls(body)
    # The hero and the image block, each whole and in its renditions.
    hero = body["hero_image"]
    assert hero["renditions"]
    assert {hero["url"], *(each["url"] for each in hero["renditions"])} <= urls
    shown = [block["image"] for block in body["blocks"] if block["kind"] == "image"]
    assert shown
    assert shown[0]["url"] in urls
    for url in sorted(urls):
        assert url.startswith(ORIGIN + "/media/"), url

        picture = through_nginx(port, urlsplit(url).path)

        assert picture.status_code == 200, url
        assert picture.headers["Content-Type"] in {"image/png", "image/webp"}, url
        assert picture.content[:4] in {b"\x89PNG", b"RIFF"}, url
        assert picture.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert (
            picture.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
        )
