"""The image library as a Korean editor uses it (content/admin_images.py,
admin/images/focal.js): a phone photo chosen on the add page shows in the focal
picker before it is uploaded, a click on it sets the focal point, alt text is
written in three languages through the page's language switch; then the image is
chosen in an article's image block through the autocomplete, the article is
published in Korean and Japanese, and the API shows the block with each
language's alt text and the focal point the click set, and the file without its
GPS position.
"""

from __future__ import annotations

import io
import re

import pytest
from PIL import ExifTags, ImageDraw
from PIL import Image as PILImage
from playwright.sync_api import expect

from tests.factories import ArticleFactory

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 800, 600
# Where the picture's subject is drawn, and where the editor clicks: fractions of
# its width and height.
SUBJECT = (0.25, 0.75)
ALT = {
    "en": "The muscles around the mouth corner, seen from the front",
    "ko": "정면에서 본 입꼬리 주변 근육",
    "ja": "正面から見た口角まわりの筋肉",
}
CAPTION_KO = "입꼬리를 올리는 근육과 내리는 근육"


@pytest.fixture
def photo(tmp_path):
    """A phone photo's file: a JPEG whose EXIF holds a GPS position and a
    camera, with a round subject at ``SUBJECT``."""
    image = PILImage.new("RGB", (WIDTH, HEIGHT), (226, 214, 200))
    draw = ImageDraw.Draw(image)
    cx, cy = SUBJECT[0] * WIDTH, SUBJECT[1] * HEIGHT
    draw.ellipse((cx - 60, cy - 60, cx + 60, cy + 60), fill=(180, 60, 60))
    exif = PILImage.Exif()
    exif[ExifTags.Base.Make] = "PatientPhone"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (37.0, 33.0, 58.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (126.0, 58.0, 40.0),
    }
    path = tmp_path / "IMG_2041.jpg"
    image.save(path, format="JPEG", exif=exif.tobytes())
    with PILImage.open(path) as check:  # the file under test carries it
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return path


@pytest.fixture
def article(transactional_db):
    """An article complete in Korean and Japanese, with no block yet."""
    return ArticleFactory(
        title_en="The muscles of the mouth corner",
        title_ko="입꼬리 근육",
        title_ja="口角の筋肉",
    )


def switch(page, name: str) -> None:
    """Show the fields of one language (the page's language switch)."""
    page.locator("#language-switch").get_by_role(
        "button", name=name, exact=True
    ).click()
    expect(page.locator("#language-switch button[aria-pressed=true]")).to_have_text(
        name
    )


def loaded(page, selector: str) -> None:
    """Wait until the image ``selector`` is decoded (a failed load never is)."""
    page.wait_for_function(
        "(selector) => { const i = document.querySelector(selector);"
        " return i && i.complete && i.naturalWidth > 0; }",
        arg=selector,
    )


def test_a_korean_editor_uploads_a_photo_sets_its_focal_point_and_shows_it(
    admin_browser, photo, article, settings, live_server
):
    # Media from the live server itself, as `make run` serves it: the pages load
    # the uploaded file, and the API's addresses can be fetched.
    settings.MEDIA_URL = f"{live_server.url}/media/"
    slugs = {code: getattr(article, f"slug_{code}") for code in ("ko", "ja")}
    article_page = f"/admin/content/article/{article.pk}/change/"

    page = admin_browser.log_in(locale="ko-KR")
    page.goto("/admin/content/image/add/")
    shown = page.locator(".focal-picker img")
    expect(shown).to_be_hidden()

    # The chosen file shows at once, from the browser's own copy.
    page.locator("#id_upload").set_input_files(photo)
    expect(shown).to_be_visible()
    expect(shown).to_have_attribute("src", re.compile(r"^blob:"))
    loaded(page, ".focal-picker img")
    expect(page.locator(".focal-hint")).to_have_text(
        "이미지에서 주요 대상이 있는 곳을 클릭하세요. "
        "이미지를 잘라 낼 때 그 지점이 유지됩니다."
    )

    box = shown.bounding_box()
    click = {"x": box["width"] * SUBJECT[0], "y": box["height"] * SUBJECT[1]}
    shown.click(position=click)
    focal_x = float(page.locator("#id_focal_x").input_value())
    focal_y = float(page.locator("#id_focal_y").input_value())
    # Within a pixel of the picture shown (its box is its pixels alone).
    assert focal_x == pytest.approx(SUBJECT[0], abs=1.5 / box["width"])
    assert focal_y == pytest.approx(SUBJECT[1], abs=1.5 / box["height"])
    mark = page.locator(".focal-mark").bounding_box()
    assert mark["x"] + mark["width"] / 2 == pytest.approx(box["x"] + click["x"], abs=2)
    assert mark["y"] + mark["height"] / 2 == pytest.approx(box["y"] + click["y"], abs=2)

    for code, name in (("en", "English"), ("ko", "한국어"), ("ja", "日本語")):
        switch(page, name)
        page.locator(f"#id_alt_text_{code}").fill(ALT[code])
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success")).to_have_count(1)
    expect(page.locator(".errornote")).to_have_count(0)

    # Saved: the picker shows the stored file, with the point where it was set.
    image_id = int(re.search(r"/image/(\d+)/change/", page.url)[1])
    expect(shown).to_have_attribute("src", re.compile(r"/media/images/"))
    loaded(page, ".focal-picker img")
    assert float(page.locator("#id_focal_x").input_value()) == focal_x
    assert float(page.locator("#id_focal_y").input_value()) == focal_y

    # Chosen in an article's image block by a part of its Korean alt text.
    page.goto(article_page)
    # The page opens in the language last chosen (Japanese, above).
    switch(page, "한국어")
    page.locator(".block-chooser").get_by_role(
        "button", name="이미지", exact=True
    ).click()
    block = page.locator("#blocks-0")
    expect(block.locator("#id_blocks-0-kind")).to_have_value("image")
    expect(block.locator(".field-image")).to_be_visible()
    expect(block.locator(".field-cta_label_ko")).to_be_hidden()
    block.locator(".field-image .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("입꼬리")
    page.locator(".select2-results__option", has_text=ALT["ko"]).click()
    expect(block.locator("#id_blocks-0-image")).to_have_value(str(image_id))
    block.locator("#id_blocks-0-caption_ko").fill(CAPTION_KO)
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success")).to_have_count(1)
    expect(page.locator(".errornote")).to_have_count(0)
    expect(
        page.locator("#blocks-group .inline-related:not(.empty-form) .block-summary")
    ).to_have_text(["이미지"])

    panel = page.locator("#publication-panel")
    panel.locator("#publish-select-ko").check()
    panel.locator("#publish-select-ja").check()
    panel.get_by_role("button", name="선택한 언어로 게시", exact=True).click()
    expect(page.locator(".messagelist .success")).to_have_text(
        "한국어, 일본어(으)로 게시했습니다."
    )

    captions = {"ko": CAPTION_KO, "ja": ""}
    for code in ("ko", "ja"):
        status, body = admin_browser.api(f"articles/{slugs[code]}/", locale=code)
        assert status == 200, body
        assert [block["kind"] for block in body["blocks"]] == ["image"]
        shown_block = body["blocks"][0]
        image = shown_block["image"]
        assert image["id"] == image_id
        assert image["alt"] == ALT[code]
        assert not image["decorative"]
        assert image["focal_point"] == {"x": focal_x, "y": focal_y}
        assert (image["width"], image["height"]) == (WIDTH, HEIGHT)
        assert shown_block["caption"] == captions[code]

    # The file readers get is the picture without the phone's GPS position.
    response = page.request.get(image["url"])
    assert response.ok, image["url"]
    stored = response.body()
    with PILImage.open(io.BytesIO(stored)) as kept:
        assert kept.size == (WIDTH, HEIGHT)
        assert not kept.getexif()
    assert b"PatientPhone" not in stored
