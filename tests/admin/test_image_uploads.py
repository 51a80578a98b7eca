"""Uploads to the image library through the admin's form, as a browser sends them:
what is kept is the picture decoded and written again under a name made here,
and a file that is refused is a form error naming the problem, with nothing
stored (images.decode, content.admin_images)."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags
from PIL import Image as PILImage

from content.models import Image
from tests.admin.conftest import read_form

pytestmark = pytest.mark.django_db

ADD = "admin:content_image_add"
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (37.0, 33.0, 58.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (126.0, 58.0, 40.0),
}


def picture(fmt: str = "JPEG", size=(64, 48), color=(200, 120, 80), **options) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", size, color).save(out, format=fmt, **options)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    """A phone photo: GPS position, camera, owner, and a turn to apply."""
    exif = PILImage.Exif()
    exif[ExifTags.Base.Make] = "PatientPhone"
    exif[ExifTags.Base.Model] = "Model 12 Pro"
    exif[ExifTags.Base.Artist] = "Kim Minji"
    exif[ExifTags.Base.Orientation] = 6  # turn 90° clockwise to show upright
    exif[ExifTags.IFD.GPSInfo] = GPS
    return picture(size=(64, 48), exif=exif.tobytes())


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header says ``width`` × ``height`` pixels, with a few bytes
    of data: decoding it would need gigabytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def upload(admin_client, media_root):
    """``upload(name, content, **fields)``: the add form posted with the file;
    the response."""

    def post(name: str, content: bytes, **fields):
        page = admin_client.get(reverse(ADD))
        data = read_form(page, "image_form")
        data["alt_text_en"] = ["A test picture"]
        for field, value in fields.items():
            data[field] = [value]
        data["upload"] = SimpleUploadedFile(name, content)
        return admin_client.post(reverse(ADD), data)

    return post


def refused(response) -> str:
    """The upload field's error (the form is shown again)."""
    assert response.status_code == 200, "the form was not shown again"
    errors = response.context["adminform"].form.errors
    assert "upload" in errors, errors
    return " ".join(errors["upload"])


@pytest.fixture
def nothing_stored(media_root):
    """After the test: no image row and no new file."""
    before = files_under(media_root)
    yield
    assert not Image.objects.exists()
    assert files_under(media_root) == before


def test_a_jpeg_is_kept_without_its_gps_position_camera_or_owner(upload, media_root):
    original = jpeg_with_gps()
    # The file under test carries what must go.
    with PILImage.open(io.BytesIO(original)) as check:
        exif = check.getexif()
        assert exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert exif[ExifTags.Base.Artist] == "Kim Minji"
    assert b"PatientPhone" in original

    response = upload("IMG_2041 김민지 환자.jpg", original)

    assert response.status_code == 302
    image = Image.objects.get()
    stored = (media_root / image.file.name).read_bytes()
    with PILImage.open(io.BytesIO(stored)) as kept:
        assert kept.format == "JPEG"
        assert not kept.getexif()
        assert "exif" not in kept.info
        # Turned upright by its orientation, then the orientation dropped.
        assert kept.size == (48, 64)
    for trace in (b"Exif", b"PatientPhone", b"Model 12", b"Kim Minji", b"GPS"):
        assert trace not in stored
    assert (image.width, image.height, image.format) == (48, 64, "jpeg")


def test_the_stored_name_is_made_here_never_the_uploaded_one(upload):
    response = upload("patient-kim-minji-before.jpg", picture())

    assert response.status_code == 302
    name = Image.objects.get().file.name
    assert "kim" not in name
    assert "patient" not in name
    parts = name.split("/")
    assert parts[0] == "images"
    assert len(parts[2]) == len("0" * 32) + len(".jpg")
    assert parts[2].endswith(".jpg")
    assert parts[2].startswith(parts[1])


@pytest.mark.parametrize(
    ("name", "fmt", "key"),
    [("a.png", "PNG", "png"), ("b.webp", "WEBP", "webp"), ("c.JPEG", "JPEG", "jpeg")],
)
def test_png_webp_and_jpeg_are_accepted(upload, name, fmt, key):
    response = upload(name, picture(fmt))

    assert response.status_code == 302
    image = Image.objects.get()
    assert image.format == key
    assert image.color.startswith("#")
    assert len(image.color) == 7
    assert image.placeholder.startswith("data:image/")


def test_a_decompression_bomb_is_refused_from_its_header(upload, nothing_stored):
    # 50,000 × 50,000: 2.5 gigapixels in a file of a hundred bytes.
    bomb = png_claiming(50_000, 50_000)
    assert len(bomb) < 200

    message = refused(upload("bomb.png", bomb))

    assert "megapixels" in message


def test_the_pixel_limit_comes_from_settings(upload, settings, nothing_stored):
    settings.IMAGE_MAX_PIXELS = 1000

    message = refused(upload("small.png", picture("PNG", size=(40, 30))))

    assert "0.001 megapixels" in message


def test_the_size_limit_comes_from_settings(upload, settings, nothing_stored):
    settings.IMAGE_MAX_BYTES = 100

    message = refused(upload("big.png", picture("PNG", size=(200, 200))))

    assert "larger than 0.0001 MB" in message


@pytest.mark.parametrize(
    "svg",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    ],
)
def test_an_svg_is_refused(upload, svg, nothing_stored):
    message = refused(upload("logo.svg", svg))

    assert "SVG" in message


def test_an_svg_named_as_a_png_is_refused(upload, nothing_stored):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

    message = refused(upload("logo.png", svg))

    assert "could not be read" in message


def test_a_file_of_another_kind_is_refused_by_its_contents(upload, nothing_stored):
    message = refused(upload("photo.png", picture("JPEG")))

    assert ".png" in message
    assert "JPEG" in message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("animation.gif", picture("GIF")),
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("photo.jpg", b"<html><script>alert(1)</script></html>"),
        ("noextension", picture("JPEG")),
    ],
)
def test_other_files_are_refused(upload, name, content, nothing_stored):
    message = refused(upload(name, content))

    assert "JPEG, PNG" in message or "could not be read" in message


def test_a_truncated_image_is_refused(upload, nothing_stored):
    whole = picture("JPEG", size=(400, 300))

    message = refused(upload("cut.jpg", whole[: len(whole) // 2]))

    assert "damaged" in message


def test_a_polyglot_keeps_only_its_picture(upload, media_root):
    """A PNG with a script and a zip archive appended (a file that is also
    something else): what is kept is the decoded picture alone."""
    payload = b"<script>alert(document.cookie)</script>PK\x03\x04zipzipzip"
    polyglot = picture("PNG") + payload

    response = upload("both.png", polyglot)

    assert response.status_code == 302
    stored = (media_root / Image.objects.get().file.name).read_bytes()
    assert b"<script" not in stored
    assert b"PK\x03\x04" not in stored
    with PILImage.open(io.BytesIO(stored)) as kept:
        kept.load()
        assert kept.size == (64, 48)


def test_a_refused_file_keeps_what_the_editor_typed(upload, nothing_stored):
    response = upload(
        "logo.svg", b"<svg/>", alt_text_ko="입꼬리 근육 그림", credit_en="Dr. Tak"
    )

    refused(response)
    assert "입꼬리 근육 그림" in response.content.decode()
    assert "Dr. Tak" in response.content.decode()


def test_the_file_of_a_saved_image_cannot_be_replaced(admin_client, upload):
    upload("first.png", picture("PNG"))
    image = Image.objects.get()
    before = (image.file.name, image.color)
    url = reverse("admin:content_image_change", args=[image.pk])
    page = admin_client.get(url)
    data = read_form(page, "image_form")
    data["upload"] = SimpleUploadedFile("second.png", picture("PNG", color=(0, 0, 0)))

    response = admin_client.post(url, data)

    assert response.status_code == 302
    image.refresh_from_db()
    assert (image.file.name, image.color) == before
    assert 'name="upload"' not in page.content.decode()
