"""Files the import refuses whole, before applying anything: hostile XML
(external entities, entity expansion), too large, malformed, truncated, foreign,
or for another language. Each is a clear error and no row changes."""

from __future__ import annotations

import tempfile

import pytest
from django.core import signing
from django.core.files.uploadedfile import UploadedFile

from tests.translations.conftest import all_units, content_digest, fill_po, fill_xliff
from translations import files, imports

pytestmark = pytest.mark.django_db

XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE xliff [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="x" source-language="en" target-language="ja" datatype="html">
<body><trans-unit id="faq.faqitem:1:question"><source>Q</source>
<target>&secret;</target></trans-unit></body></file></xliff>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="x" source-language="en" target-language="ja" datatype="html">
<body><trans-unit id="a"><source>x</source><target>&lol9;</target></trans-unit>
</body></file></xliff>"""

# A valid XLIFF 1.2 file from another tool: no export token.
FOREIGN = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="app.strings" source-language="en" target-language="ja"
 datatype="plaintext"><body>
<trans-unit id="faq.faqitem:1:question"><source>Hello</source>
<target>こんにちは</target></trans-unit>
</body></file></xliff>""".encode()


@pytest.fixture
def exported(demo):
    units = all_units()
    return {
        files.XLIFF: fill_xliff(files.export(units, "ja", files.XLIFF)),
        files.PO: fill_po(files.export(units, "ja", files.PO)),
    }


def refused(data: bytes, editor, code: str = "ja") -> str:
    """The error importing ``data`` gives; the content is as it was."""
    before = content_digest()
    with pytest.raises(files.RefusedFile) as error:
        imports.apply(data, code, editor)
    assert content_digest() == before
    return str(error.value)


def test_an_external_entity_is_refused_before_any_parser(demo, editor):
    assert refused(XXE, editor) == (
        "The file declares a document type or entities: refused."
    )


def test_a_billion_laughs_is_refused_before_any_parser(demo, editor):
    assert "declares a document type" in refused(LAUGHS, editor)


def test_a_200_mb_upload_is_refused_after_reading_the_limit_only(demo, settings):
    settings.TRANSLATION_IMPORT_MAX_BYTES = 5 * 1024 * 1024
    with tempfile.TemporaryFile() as sparse:
        sparse.truncate(200 * 1024 * 1024)
        upload = UploadedFile(sparse, name="big.xlf", size=200 * 1024 * 1024)
        with pytest.raises(files.RefusedFile, match="larger than 5.0 MB"):
            files.read_upload(upload)
        assert sparse.tell() == 5 * 1024 * 1024 + 1


def test_a_file_over_the_limit_is_refused_by_the_import_too(exported, editor, settings):
    settings.TRANSLATION_IMPORT_MAX_BYTES = 1000
    assert refused(exported[files.XLIFF], editor) == "The file is too large."


@pytest.mark.parametrize("fmt", [files.XLIFF, files.PO])
def test_a_malformed_file_is_refused(exported, editor, fmt):
    broken = exported[fmt].replace(b"</trans-unit>", b"</trans-unt>", 1)
    if fmt == files.PO:
        broken = exported[fmt].replace(b'msgstr "', b'msgstr "\n"', 3)
    assert refused(broken, editor).startswith("The file cannot be read as")


@pytest.mark.parametrize("fmt", [files.XLIFF, files.PO])
def test_a_truncated_file_is_refused(exported, editor, fmt):
    data = exported[fmt]
    # Cut after a whole unit: a PO file still parses, but has fewer units than
    # its export token says.
    # XLIFF: cut at a line's end, so that the bytes are still UTF-8 text.
    cut = (
        data.rfind(b"\n\n#.", 0, len(data) // 2)
        if fmt == files.PO
        else data.rfind(b"\n", 0, len(data) // 2)
    )
    message = refused(data[:cut], editor)
    if fmt == files.PO:
        assert "it is truncated or units were removed" in message
    else:
        assert message.startswith("The file cannot be read as XLIFF 1.2")


def test_a_foreign_file_is_refused(demo, editor):
    assert refused(FOREIGN, editor) == (
        "The file is not an export of this site (no export token)."
    )


def test_a_forged_token_is_refused(exported, editor):
    forged = signing.dumps(
        {"project": files.PROJECT, "language": "ja", "units": 1}, salt="other"
    )
    data = exported[files.PO]
    start = data.index(b"X-Clinic-Export: ") + len(b"X-Clinic-Export: ")
    end = data.index(b"\\n", start)
    data = data[:start] + forged.encode() + data[end:]
    assert refused(data, editor) == (
        "The file is not an export of this site (invalid export token)."
    )


@pytest.mark.parametrize("fmt", [files.XLIFF, files.PO])
def test_a_file_for_another_language_is_refused(exported, editor, fmt):
    assert refused(exported[fmt], editor, code="ko") == (
        "The file is for Japanese, not Korean."
    )


def test_a_file_not_in_utf8_is_refused(demo, editor):
    assert refused(FOREIGN.decode().encode("utf-16"), editor) == (
        "The file is not UTF-8 text."
    )
