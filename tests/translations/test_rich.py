"""Rich text as XLIFF inline markup (translations/rich.py): every element the
sanitizer allows goes out as a protected tag and comes back as it was."""

from __future__ import annotations

import pytest
from translate.storage.xliff import xlifffile

from richtext import sanitize
from translations import rich

EVERY_TAG = sanitize(
    "<h2>Title</h2><p>One<br>two &amp; <strong>bold</strong> <em>it</em> "
    "<u>under</u> <s>struck</s> "
    '<a href="https://drtak.example/a?b=1&amp;c=2" title="A page">link</a></p>'
    '<ul><li>a</li></ul><ol start="3"><li>b</li></ol>'
    "<blockquote><p>quote</p></blockquote><hr>"
)


def unit_with(source_xml: str, target_xml: str):
    store = xlifffile.parsestring(
        f"""<?xml version="1.0"?><xliff version="1.2"
        xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="x"
        source-language="en" target-language="ja" datatype="html"><body>
        <trans-unit id="a"><source>{source_xml}</source>
        <target>{target_xml}</target></trans-unit></body></file></xliff>""".encode()
    )
    return store.units[0]


def test_every_allowed_element_goes_out_as_a_tag_and_comes_back_the_same():
    tree, tags = rich.parse(EVERY_TAG)
    store = xlifffile()
    unit = store.addsourceunit("")
    unit.rich_source = [tree]
    xml = bytes(store).decode()

    back = xlifffile.parsestring(xml.encode()).units[0]

    assert rich.to_html(back.rich_source, tags) == EVERY_TAG
    assert '<g id="1" ctype="x-html-h2">Title</g>' in xml
    assert '<x id="3" ctype="lb"/>' in xml
    assert '<g id="4" ctype="bold">bold</g>' in xml
    # Only text is in the file: no address, no title, no list start.
    assert "drtak.example" not in xml
    assert "A page" not in xml
    assert "start" not in xml


def test_a_segmented_target_keeps_its_text_and_tags():
    # Trados and memoQ wrap each sentence of a target in <mrk mtype="seg">.
    _tree, tags = rich.parse("<p>Hi <strong>you</strong></p>")
    unit = unit_with(
        '<g id="1">Hi <g id="2">you</g></g>',
        '<mrk mtype="seg" mid="1"><g id="1">こ&lt;b&gt; <g id="2">あ</g></g></mrk>',
    )

    assert (
        rich.to_html(unit.rich_target, tags) == "<p>こ&lt;b&gt; <strong>あ</strong></p>"
    )


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ('<g id="1"><g id="7">x</g></g>', "tag 7 is not in the source"),
        ('<g id="1"><ph id="3">&lt;script&gt;</ph></g>', "inline element <ph>"),
        ('<bx id="1"/>x<ex id="1"/>', "inline element <bx>"),
    ],
)
def test_markup_not_from_the_source_is_an_error(target, message):
    _tree, tags = rich.parse("<p>Hi <strong>you</strong></p>")
    unit = unit_with('<g id="1">Hi <g id="2">you</g></g>', target)

    with pytest.raises(rich.MarkupError, match=message):
        rich.to_html(unit.rich_target, tags)


def test_a_translation_with_a_link_of_its_own_is_not_sent_as_a_target():
    _tree, tags = rich.parse('<p>See <a href="https://a.example/en">this</a></p>')

    assert (
        rich.to_placeables('<p><a href="https://a.example/ja">これ</a></p>', tags)
        is None
    )
    assert rich.to_placeables('<p><a href="https://a.example/en">これ</a></p>', tags)
