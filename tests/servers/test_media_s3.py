"""Images on an S3-compatible store: moto's S3 server on loopback stands in for
the bucket, and Django's default storage is django-storages' S3Storage with the
options clinic/settings.py builds from MEDIA_S3_BUCKET and its neighbours (read
from a process started with that environment, so the test follows the settings).
An upload through the admin, its renditions and the API's URLs all go through the
real code; nothing is written under MEDIA_ROOT (docs/images.md, "Storage")."""

from __future__ import annotations

import copy
import io
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage

from content.models import Image
from content.renditions import make
from tests.admin.conftest import read_form
from tests.admin.test_image_uploads import files_under, jpeg_with_gps
from tests.factories import ArticleFactory, publish
from tests.servers.conftest import ROOT, free_port

MOTO = Path(sys.executable).with_name("moto_server")
# Dummy credentials: moto checks none, but boto3 signs every request.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
# What the subprocess prints: the settings that MEDIA_S3_* produce.
READ_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({
    "default": settings.STORAGES["default"],
    "img_src": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"],
    "serve_media": settings.SERVE_MEDIA,
}))
"""


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    """The address of moto's S3 server, started for this module."""
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(MOTO), "-H", "127.0.0.1", "-p", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(address + "/", timeout=1):
                    break
            except (urllib.error.URLError, OSError):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"moto_server did not start:\n{log.read_text()}")
                time.sleep(0.1)
        yield address
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def configured(endpoint) -> dict:
    """What clinic/settings.py makes of a bucket on ``endpoint`` over plain HTTP."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MEDIA_", "SERVE_MEDIA"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="clinic.settings",
        MEDIA_S3_BUCKET="clinic-media",
        MEDIA_S3_ENDPOINT_URL=endpoint,
        MEDIA_S3_HTTPS="false",
    )
    done = subprocess.run(
        [sys.executable, "-c", READ_SETTINGS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def bucket(endpoint, configured, settings, monkeypatch, tmp_path) -> str:
    """A new, empty bucket, made Django's default storage as the settings
    configure it; its name."""
    for key, value in CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    # No profile or region of the machine's own.
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    name = f"media-{uuid.uuid4().hex[:12]}"
    client = s3(endpoint)
    client.create_bucket(Bucket=name)
    # Readers fetch the plain URLs the API gives (no signature): the bucket lets
    # anyone read, as a production bucket (or its CDN) must (docs/images.md).
    client.put_bucket_policy(Bucket=name, Policy=json.dumps(public_read(name)))
    default = copy.deepcopy(configured["default"])
    default["OPTIONS"]["bucket_name"] = name
    settings.STORAGES = {**settings.STORAGES, "default": default}
    return name


def public_read(bucket: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }


def s3(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def keys(endpoint: str, bucket: str) -> set[str]:
    listed = s3(endpoint).list_objects_v2(Bucket=bucket)
    return {item["Key"] for item in listed.get("Contents", [])}


def upload_through_admin(admin_client, content: bytes) -> Image:
    add = reverse("admin:content_image_add")
    data = read_form(admin_client.get(add), "image_form")
    data["alt_text_en"] = ["A test picture"]
    data["upload"] = SimpleUploadedFile("IMG_2041 김민지 환자.jpg", content)
    response = admin_client.post(add, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Image.objects.get()


def test_the_settings_make_a_bucket_the_default_storage_and_let_the_admin_show_it(
    configured, endpoint
):
    default = configured["default"]

    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    options = default["OPTIONS"]
    assert options["bucket_name"] == "clinic-media"
    assert options["endpoint_url"] == endpoint
    assert options["url_protocol"] == "http:"
    assert options["custom_domain"] is None
    assert options["querystring_auth"] is False
    assert options["file_overwrite"] is False
    # The admin's pages show thumbnails from the bucket.
    assert endpoint in configured["img_src"]
    # The bucket serves the files: the app does not.
    assert configured["serve_media"] is False


@pytest.mark.django_db
def test_an_upload_its_renditions_and_the_apis_urls_are_in_the_bucket(
    admin_client, bucket, endpoint, media_root, client
):
    before = files_under(media_root)

    image = upload_through_admin(admin_client, jpeg_with_gps())

    # Under the name made here, without the position, the camera or the owner.
    assert keys(endpoint, bucket) == {image.file.name}
    stored = s3(endpoint).get_object(Bucket=bucket, Key=image.file.name)
    content = stored["Body"].read()
    assert stored["CacheControl"] == "public, max-age=31536000, immutable"
    with PILImage.open(io.BytesIO(content)) as kept:
        assert kept.format == "JPEG"
        assert not kept.getexif()
        assert kept.size == (48, 64)
    for trace in (b"Exif", b"GPS", b"PatientPhone", b"Kim Minji"):
        assert trace not in content

    made = make(image)

    renditions = list(image.renditions.all())
    assert made == len(renditions) > 0
    assert keys(endpoint, bucket) == {image.file.name} | {
        r.file.name for r in renditions
    }

    article = ArticleFactory(hero_image=image)
    publish(article, codes=("en",))
    hero = client.get(f"/api/v1/articles/{article.slug_en}/", {"locale": "en"}).json()[
        "hero_image"
    ]
    in_bucket = f"{endpoint}/{bucket}/"
    assert hero["url"] == in_bucket + image.file.name
    urls = [r["url"] for r in hero["renditions"]]
    urls += [r["url"] for crop in hero["crops"].values() for r in crop]
    assert sorted(urls) == sorted(in_bucket + r.file.name for r in renditions)

    # What a browser fetches from the bucket: the stored bytes, as an image.
    with urllib.request.urlopen(hero["url"], timeout=5) as answer:
        assert answer.headers["Content-Type"] == "image/jpeg"
        assert answer.read() == content
    webp = next(r for r in hero["renditions"] if r["type"] == "image/webp")
    with urllib.request.urlopen(webp["url"], timeout=5) as answer:
        assert answer.headers["Content-Type"] == "image/webp"
        with PILImage.open(io.BytesIO(answer.read())) as file:
            assert file.size == (webp["width"], webp["height"])

    # The library's list shows the thumbnail from the bucket.
    listing = admin_client.get(reverse("admin:content_image_changelist"))
    assert in_bucket + "renditions/" in listing.content.decode()

    assert files_under(media_root) == before


@pytest.mark.django_db
def test_a_refused_upload_puts_nothing_in_the_bucket(admin_client, bucket, endpoint):
    add = reverse("admin:content_image_add")
    data = read_form(admin_client.get(add), "image_form")
    data["alt_text_en"] = ["A test picture"]
    data["upload"] = SimpleUploadedFile("smile.svg", b"<svg onload='alert(1)'/>")
    response = admin_client.post(add, data)

    assert response.status_code == 200
    assert "SVG" in " ".join(response.context["adminform"].form.errors["upload"])
    assert not Image.objects.exists()
    assert keys(endpoint, bucket) == set()
