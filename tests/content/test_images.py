"""Library images as content: published with what shows them (alt text required in
every language they are published in, a patient photo only with consent), kept
from deletion while published content shows them, their renditions made by the
worker, and served ready for srcset and next/image (docs/images.md)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image as PILImage
from reversion.models import Version

import images
from content.models import Article, ArticleBlock, Image, Method, Rendition
from content.renditions import make, make_renditions, missing, store
from publication.content_version import content_published
from publication.models import changed_field
from tests.factories import ArticleBlockFactory, ArticleFactory, MethodFactory, publish

pytestmark = pytest.mark.django_db


def picture(size=(800, 400), fmt="JPEG") -> bytes:
    """A picture with a bright square right of centre: where its focal point is."""
    image = PILImage.new("RGB", size, (40, 60, 90))
    w, h = size
    image.paste(
        (250, 250, 250), (int(w * 0.70), int(h * 0.40), int(w * 0.80), int(h * 0.60))
    )
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def library_image(size=(800, 400), fmt="JPEG", **fields) -> Image:
    image = Image(
        alt_text_en="A diagram",
        alt_text_ko="도해",
        alt_text_ja="図",
        **fields,
    )
    name = "x." + {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[fmt]
    store(
        image,
        images.decode(picture(size, fmt), name=name, max_bytes=10**7, max_pixels=10**7),
    )
    image.save()
    return image


def article_showing(image: Image, **fields) -> Article:
    article = ArticleFactory(hero_image=image, **fields)
    ArticleBlockFactory(article=article)
    ArticleBlockFactory(
        article=article,
        kind=ArticleBlock.Kind.IMAGE,
        image=image,
        body_en="",
        body_ko="",
        body_ja="",
        heading_en="",
        heading_ko="",
        heading_ja="",
    )
    return Article.objects.get(pk=article.pk)


# Publication rules.


def test_publishing_needs_the_images_alt_text_in_that_language(db):
    image = library_image()
    image.alt_text_ja = ""
    image.save()
    article = article_showing(image)

    publish(article, codes=("en", "ko"))
    with pytest.raises(ValidationError) as refusal:
        article.publish("ja")

    assert "alt text" in str(refusal.value)
    assert article.completeness_problems(["ja"])["ja"] == [
        f"{image.describe()}: alt text"
    ]
    image.alt_text_ja = "図"
    image.save()
    Article.objects.get(pk=article.pk).publish("ja")
    assert Article.objects.get(pk=article.pk).published_ja


def test_a_decorative_image_needs_no_alt_text_and_is_served_without_one(db, client):
    image = library_image(decorative=True)
    # Alt text in English only: never shown, so no other language needs it.
    Image.objects.filter(pk=image.pk).update(alt_text_ko="", alt_text_ja="")
    article = article_showing(Image.objects.get(pk=image.pk))

    publish(article, codes=("en", "ko", "ja"))

    assert Article.objects.get(pk=article.pk).published_languages == ["en", "ko", "ja"]
    hero = client.get(f"/api/v1/articles/{article.slug_en}/").json()["hero_image"]
    assert (hero["decorative"], hero["alt"]) == (True, "")


def test_a_patient_photo_is_published_nowhere_without_its_consent(db):
    image = library_image(patient_photo=True)
    article = article_showing(image)

    for code in ("en", "ko"):
        with pytest.raises(ValidationError) as refusal:
            Article.objects.get(pk=article.pk).publish(code)
        assert "consent" in str(refusal.value)

    image.consent_reference = "CONSENT-2026-0142"
    image.consent_date = "2026-11-20"
    image.save()
    publish(article, codes=("en", "ko"))
    assert Article.objects.get(pk=article.pk).published_languages == ["en", "ko"]


def test_an_alt_text_change_reaches_readers_when_the_article_is_published_again(
    db, client
):
    image = library_image()
    article = article_showing(image)
    publish(article, codes=("en",))
    url = f"/api/v1/articles/{article.slug_en}/"

    image.alt_text_en = "The muscles, seen from the front"
    image.save()

    assert client.get(url).json()["hero_image"]["alt"] == "A diagram"
    assert getattr(Article.objects.get(pk=article.pk), changed_field("en"))
    publish(article, codes=("en",))
    served = client.get(url).json()
    assert served["hero_image"]["alt"] == "The muscles, seen from the front"
    assert served["blocks"][1]["image"]["alt"] == "The muscles, seen from the front"


def test_the_image_block_shows_its_caption_else_the_images(db, client):
    image = library_image(caption_en="The image's own caption")
    article = article_showing(image)
    publish(article, codes=("en",))
    url = f"/api/v1/articles/{article.slug_en}/"

    assert client.get(url).json()["blocks"][1]["caption"] == "The image's own caption"
    block = article.blocks.get(kind=ArticleBlock.Kind.IMAGE)
    block.caption_en = "This block's caption"
    block.save()
    publish(article, codes=("en",))
    assert client.get(url).json()["blocks"][1]["caption"] == "This block's caption"


# Deletion.


def test_an_image_that_content_shows_cannot_be_deleted(admin_client):
    image = library_image()
    article = article_showing(image)
    publish(article, codes=("en",))
    url = reverse("admin:content_image_delete", args=[image.pk])

    response = admin_client.post(url, {"post": "yes"}, follow=True)

    assert Image.objects.filter(pk=image.pk).exists()
    assert "Cannot delete" in response.content.decode()


def test_an_image_that_only_a_published_version_shows_cannot_be_deleted(admin_client):
    image = library_image()
    article = article_showing(image)
    publish(article, codes=("en",))
    # The working copy shows it no more; the published version still does.
    Article.objects.filter(pk=article.pk).update(hero_image=None)
    ArticleBlock.objects.filter(article=article, kind=ArticleBlock.Kind.IMAGE).delete()
    url = reverse("admin:content_image_delete", args=[image.pk])

    response = admin_client.post(url, {"post": "yes"}, follow=True)

    assert Image.objects.filter(pk=image.pk).exists()
    assert "published content lists it" in response.content.decode()


def test_an_image_nothing_shows_is_deleted_with_its_files(
    admin_client, media_root, django_capture_on_commit_callbacks
):
    image = library_image()
    make(image)
    files = [image.file.name, *(r.file.name for r in image.renditions.all())]
    assert all((media_root / name).exists() for name in files)

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:content_image_delete", args=[image.pk]), {"post": "yes"}
        )

    assert not Image.objects.filter(pk=image.pk).exists()
    assert [name for name in files if (media_root / name).exists()] == []
    # Its texts alone are not recovered (its file is gone).
    version = Version.objects.get_deleted(Image).get()
    response = admin_client.get(
        reverse("admin:content_image_recover", args=[version.pk]), follow=True
    )
    assert "cannot be recovered" in response.content.decode()
    assert not Image.objects.filter(pk=image.pk).exists()


# Renditions.


def test_the_upload_asks_the_worker_for_renditions_and_makes_none_itself(
    django_capture_on_commit_callbacks,
):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        image = library_image()

    assert not image.renditions.exists()
    task = DBTaskResult.objects.get(task_path="content.renditions.make_renditions")
    assert task.args_kwargs["args"] == [image.pk]

    assert make_renditions.call(image.pk) == f"image {image.pk}: 8 renditions made"
    assert missing(image) == []


def test_renditions_have_the_widths_of_settings_in_webp_and_the_original_format(
    settings, media_root
):
    settings.IMAGE_WIDTHS = [200, 400, 1000]
    settings.IMAGE_CROP_RATIOS = ["1:1", "16:9"]
    image = library_image(size=(800, 400))

    make(image)

    made = {(r.ratio, r.format, r.width, r.height) for r in image.renditions.all()}
    # Up to the image's own width (800, not 1000); the crops up to theirs.
    assert made == {
        ("", "jpeg", 200, 100), ("", "webp", 200, 100),
        ("", "jpeg", 400, 200), ("", "webp", 400, 200),
        ("", "jpeg", 800, 400), ("", "webp", 800, 400),
        ("1:1", "jpeg", 200, 200), ("1:1", "webp", 200, 200),
        ("1:1", "jpeg", 400, 400), ("1:1", "webp", 400, 400),
        ("16:9", "jpeg", 200, 113), ("16:9", "webp", 200, 113),
        ("16:9", "jpeg", 400, 225), ("16:9", "webp", 400, 225),
        ("16:9", "jpeg", 711, 400), ("16:9", "webp", 711, 400),
    }  # fmt: skip
    for rendition in image.renditions.all():
        with PILImage.open(media_root / rendition.file.name) as file:
            assert file.size == (rendition.width, rendition.height)
            assert file.format == rendition.format.upper()
    # Made again: nothing to do.
    assert make(image) == 0


def test_a_crop_keeps_the_focal_point(settings, media_root):
    settings.IMAGE_WIDTHS = [400]
    settings.IMAGE_CROP_RATIOS = ["1:1"]
    image = library_image(size=(800, 400), focal_x=0.75, focal_y=0.5)

    make(image)

    crop = image.renditions.get(ratio="1:1", format="jpeg")
    assert crop.focal == "0.750,0.500"
    with PILImage.open(media_root / crop.file.name) as file:
        # The bright square (x 560–640 of 800) is in the crop's middle, not cut off.
        assert file.convert("L").getpixel((200, 200)) > 200
    # The box itself: 400 wide, centred on x = 600, inside the image.
    assert images.crop_box(800, 400, images.parse_ratio("1:1"), (0.75, 0.5)) == (
        400, 0, 800, 400
    )  # fmt: skip
    assert images.crop_box(800, 400, images.parse_ratio("1:1"), (0.1, 0.5)) == (
        0, 0, 400, 400
    )  # fmt: skip


def test_a_new_focal_point_gets_its_own_crops_and_the_old_ones_stay(
    settings, django_capture_on_commit_callbacks
):
    settings.IMAGE_CROP_RATIOS = ["1:1"]
    image = library_image()
    make(image)
    before = set(image.renditions.values_list("pk", flat=True))

    with django_capture_on_commit_callbacks() as callbacks:
        image.focal_x = 0.2
        image.save()
    assert len(callbacks) == 1  # the worker is asked

    assert make(image) == 4  # two widths × two formats, cropped anew
    assert before < set(image.renditions.values_list("pk", flat=True))
    assert image.renditions.filter(ratio="1:1", focal="0.200,0.500").count() == 4


# The API.


def test_the_api_gives_each_image_ready_for_srcset_in_the_requested_language(
    db, client
):
    image = library_image(
        caption_en="Caption",
        caption_ko="캡션",
        caption_ja="キャプション",
        credit_en="Dr. Tak",
        credit_ko="탁 원장",
        credit_ja="タク院長",
        focal_x=0.7,
        focal_y=0.4,
    )
    article = article_showing(image)
    publish(article, codes=("en", "ko", "ja"))
    make(image)

    for code, alt, caption in (
        ("en", "A diagram", "Caption"),
        ("ko", "도해", "캡션"),
        ("ja", "図", "キャプション"),
    ):
        body = client.get(
            f"/api/v1/articles/{getattr(article, 'slug_' + code)}/",
            {"locale": code},
        ).json()
        hero = body["hero_image"]
        assert (hero["alt"], hero["caption"]) == (alt, caption)
        assert (hero["width"], hero["height"], hero["type"]) == (800, 400, "image/jpeg")
        assert hero["focal_point"] == {"x": 0.7, "y": 0.4}
        assert hero["url"] == f"http://testserver/media/{image.file.name}"
        assert [(r["width"], r["type"]) for r in hero["renditions"]] == [
            (160, "image/jpeg"), (160, "image/webp"),
            (320, "image/jpeg"), (320, "image/webp"),
        ]  # fmt: skip
        assert [r["width"] for r in hero["crops"]["16:9"]] == [160, 160, 320, 320]
        assert hero["placeholder"]["color"] == image.color
        assert hero["placeholder"]["data_url"].startswith("data:image/webp;base64,")
        assert body["blocks"][1]["image"] == hero
        og = body["open_graph"]["image"]
        assert (og["width"], og["height"], og["alt"]) == (320, 180, alt)
        page = body["structured_data"]["@graph"][0]
        assert page["image"][0] == {
            "@type": "ImageObject",
            "url": hero["url"],
            "width": 800,
            "height": 400,
            "caption": alt,
        }


def test_renditions_made_after_publication_mark_what_shows_the_image_stale(
    db, client, django_capture_on_commit_callbacks
):
    """The stored documents carry the cache tag of each image they show; making
    renditions is a change of that tag, so the delivery store renders exactly
    those documents again (and the CDN purges them)."""
    image = library_image()
    article = article_showing(image)
    # Committed, as far as the content version knows: its bump is sent.
    with django_capture_on_commit_callbacks(execute=True):
        publish(article, codes=("en",))
    url = f"/api/v1/articles/{article.slug_en}/?locale=en"
    assert f"image-{image.pk}" in client.get(url)["Cache-Tag"].split(",")
    assert client.get(url).json()["hero_image"]["renditions"] == []
    published = []

    def receive(sender, tags, **kwargs):
        published.append(tags)

    content_published.connect(receive, dispatch_uid="test_images")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            make(image)
    finally:
        content_published.disconnect(dispatch_uid="test_images")

    assert published == [frozenset({f"image-{image.pk}"})]
    assert len(client.get(url).json()["hero_image"]["renditions"]) == 4


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_images_of_a_page_are_read_in_two_queries_whatever_their_number(db, client):
    publish(MethodFactory(), codes=("en",))
    without = queries_of(client, "/api/v1/methods/")
    for _ in range(2):
        image = library_image()
        make(image)
        publish(MethodFactory(hero_image=image), codes=("en",))
    two = queries_of(client, "/api/v1/methods/")
    for _ in range(3):
        publish(MethodFactory(hero_image=library_image()), codes=("en",))

    five = queries_of(client, "/api/v1/methods/")

    assert two == five == without + 2
    body = client.get("/api/v1/methods/").json()
    assert [bool(m["hero_image"]) for m in body["results"]] == [False] + [True] * 5
    assert Rendition.objects.count() == 2 * 8
    assert Method.objects.count() == 6
