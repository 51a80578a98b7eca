"""The static edge export (publication/export.py): every stored document of the
origin as a file with the store's bytes and time, a manifest with its headers,
written as a whole or not at all, and kept in step with each change when
STATIC_EXPORT_DIR is set. nginx serving it: tests/servers/test_static_export.py.

These tests commit for real (``transaction=True``), as test_documents.py does."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.encoding import iri_to_uri
from django.utils.http import http_date

from clinic.demo import load_demo
from faq.models import FAQItem
from publication import documents, export
from publication.changes import REMOVED, UPDATED, ChangedDocument, documents_changed
from publication.documents import Document

pytestmark = [pytest.mark.response_cache, pytest.mark.django_db(transaction=True)]

ORIGIN = "http://testserver"


@pytest.fixture
def exported(transactional_db, tmp_path) -> Path:
    """The demo, exported: the export's folder (the command's output beside it)."""
    load_demo()
    out = io.StringIO()
    call_command(
        "export_static", str(tmp_path / "export"), "--origin", ORIGIN, stdout=out
    )
    (tmp_path / "output.txt").write_text(out.getvalue())
    return tmp_path / "export"


def manifest(root: Path) -> dict:
    return json.loads((root / "current" / "manifest.json").read_text())["documents"]


def file_of(root: Path, path: str) -> Path:
    """The exported file of ``path`` (as written in the admin: non-ASCII slugs)."""
    entry = manifest(root)[path]
    return root / "current" / "files" / entry["file"]


def test_the_export_writes_every_stored_url_with_the_stores_bytes(exported):
    stored = Document.objects.filter(url__startswith=ORIGIN + "/")
    entries = manifest(exported)

    assert sorted(entry["url"] for entry in entries.values()) == sorted(
        stored.values_list("url", flat=True)
    )
    for document in stored:
        entry = entries[export.key_of(document.url)]
        headers = dict(document.headers)
        assert entry["etag"] == document.etag == headers["ETag"]
        assert entry["last_modified"] == headers["Last-Modified"]
        assert entry["content_type"] == headers["Content-Type"]
        assert entry["content_language"] == headers.get("Content-Language", "")
        assert entry["tags"] == document.tags()
        file = exported / "current" / "files" / entry["file"]
        assert file.read_bytes() == bytes(document.body), document.url
        assert http_date(file.stat().st_mtime) == headers["Last-Modified"]
    # Every kind of stored URL, in every locale.
    for path in (
        "/api/v1/",
        "/api/v1/locales/",
        "/api/v1/clinic/?locale=ko",
        "/api/v1/sitemap/?locale=zh-hans",
        "/api/v1/faq-items/?locale=ja",
        "/api/v1/articles/입꼬리-비대칭/?locale=ko",
    ):
        assert path in entries, path
    assert (exported / "current" / "files" / "api/v1/index.json").exists()
    out = (exported.parent / "output.txt").read_text()
    assert f"Exported {len(entries)} documents" in out
    assert "filtered and searched lists stay with the app" in out
    # The nginx half names this export's files and every URL's ETag.
    maps = (exported / "current" / "nginx.conf").read_text()
    assert str((exported / "current").resolve() / "files") in maps
    assert maps.count('"') >= 2 * len(entries)


def test_the_export_carries_image_urls_never_image_files(exported):
    """Images stay where MEDIA_URL (or the bucket) serves them: the export's
    documents name them by URL, and no picture is among its files."""
    article = json.loads(
        file_of(
            exported, "/api/v1/articles/mouth-corner-asymmetry/?locale=en"
        ).read_text()
    )
    hero = article["hero_image"]
    assert hero["url"].startswith(f"{ORIGIN}/media/images/")
    files = [p for p in (exported / "current" / "files").rglob("*") if p.is_file()]
    assert files
    assert {p.suffix for p in files} <= {".json"}


def test_the_export_writes_no_filtered_list_and_no_other_origin(exported, client):
    assert client.get("/api/v1/faq-items/?locale=en&search=lip").status_code == 200
    documents.write(
        "https://elsewhere.example/api/v1/locales/",
        locale="",
        body=b"{}",
        headers=[("Content-Type", export.CONTENT_TYPE)],
        etag='"x"',
        last_modified=0,
        tags=(),
    )

    export.export(exported, ORIGIN)

    urls = {entry["url"] for entry in manifest(exported).values()}
    assert not [url for url in urls if "search=" in url or "elsewhere" in url]


def test_a_stale_document_is_rendered_before_it_is_exported(exported):
    item = FAQItem.objects.filter(published_en=True).order_by("pk")[0]
    path = f"/api/v1/faq-items/{item.slug_en}/?locale=en"
    item.answer_en = "<p>Exported after it was published.</p>"
    item.save()
    item.publish("en")
    assert documents.read(ORIGIN + iri_to_uri(path)).stale

    call_command(
        "export_static",
        str(exported),
        "--origin",
        ORIGIN,
        "--from-store",
        stdout=io.StringIO(),
    )

    assert b"Exported after it was published." in file_of(exported, path).read_bytes()


def test_an_export_refuses_a_target_that_is_not_a_writable_folder(tmp_path):
    a_file = tmp_path / "export"
    a_file.write_text("not a folder")

    with pytest.raises(CommandError, match="is not a folder"):
        call_command("export_static", str(a_file), "--origin", ORIGIN)
    with pytest.raises(CommandError, match="Cannot write in .*Not a directory"):
        call_command("export_static", str(a_file / "inside"), "--origin", ORIGIN)
    with pytest.raises(CommandError, match="Cannot write in /proc/"):
        call_command("export_static", "/proc/clinic-export", "--origin", ORIGIN)


def test_an_interrupted_export_leaves_the_previous_one_served(exported, monkeypatch):
    before = (exported / "current").resolve()
    calls = []

    def fail_midway(target, document):
        calls.append(target)
        if len(calls) == 10:
            raise OSError("disk full")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(bytes(document.body))

    monkeypatch.setattr(export, "write_file", fail_midway)
    with pytest.raises(OSError, match="disk full"):
        export.export(exported, ORIGIN)

    assert (exported / "current").resolve() == before
    assert file_of(exported, "/api/v1/").exists()


def changed_documents() -> list[ChangedDocument]:
    """What the worker announces after rendering the stale documents again."""
    return [
        ChangedDocument(
            url=change.url,
            path=change.path,
            locale=change.locale,
            status=UPDATED if change.after else REMOVED,
            etag=change.after,
            tags=change.tags,
        )
        for change in documents.refresh_stale()
        if change.changed
    ]


def test_a_change_rewrites_its_files_removes_the_unpublished_and_links_the_rest(
    exported, settings
):
    settings.STATIC_EXPORT_DIR = str(exported)
    entries = manifest(exported)
    inodes = {key: file_of(exported, key).stat().st_ino for key in entries}
    edited = FAQItem.objects.filter(published_en=True).order_by("pk")[0]
    edited_path = f"/api/v1/faq-items/{edited.slug_en}/?locale=en"
    dropped = FAQItem.objects.filter(published_ko=True).order_by("-pk")[0]
    dropped_path = f"/api/v1/faq-items/{dropped.slug_ko}/?locale=ko"
    assert edited_path in entries
    assert dropped_path in entries
    edited.answer_en = "<p>A new answer, exported.</p>"
    edited.save()
    edited.publish("en")
    dropped.unpublish("ko")
    changed = changed_documents()

    documents_changed.send(sender=None, change=1, committed_at=None, documents=changed)

    after = manifest(exported)
    changed_keys = {export.key_of(change.url) for change in changed}
    assert edited_path in changed_keys
    assert dropped_path in changed_keys
    assert dropped_path not in after
    assert not any(
        path.name == "locale=ko.json" and dropped.slug_ko in str(path)
        for path in (exported / "current" / "files").rglob("*.json")
    )
    assert b"A new answer, exported." in file_of(exported, edited_path).read_bytes()
    for change in changed:
        key = export.key_of(change.url)
        if key in after:
            assert after[key]["etag"] == change.etag
            assert file_of(exported, key).stat().st_ino != inodes[key], key
    untouched = set(entries) - changed_keys
    assert untouched
    for key in untouched:
        assert after[key] == entries[key]
        assert file_of(exported, key).stat().st_ino == inodes[key], key
    # Two exports are kept: this one and the one nginx may still be reading.
    assert len(os.listdir(exported / "generations")) == 2


def test_without_static_export_dir_a_change_leaves_the_export_as_it_was(
    exported, settings
):
    settings.STATIC_EXPORT_DIR = ""
    served = (exported / "current").resolve()
    item = FAQItem.objects.filter(published_en=True).order_by("pk")[0]
    item.answer_en = "<p>Not exported.</p>"
    item.save()
    item.publish("en")

    documents_changed.send(
        sender=None, change=1, committed_at=None, documents=changed_documents()
    )

    assert (exported / "current").resolve() == served


def test_the_export_is_copied_to_a_storage_alias_change_by_change(
    exported, settings, tmp_path
):
    bucket = tmp_path / "bucket"
    settings.STORAGES = {
        **settings.STORAGES,
        "export": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(bucket)},
        },
    }
    arguments = ["--origin", ORIGIN, "--from-store", "--storage", "export"]
    out = io.StringIO()
    call_command("export_static", str(exported), *arguments, stdout=out)
    entries = manifest(exported)
    assert f"{len(entries)} files written, 0 deleted" in out.getvalue()
    for entry in entries.values():
        assert (bucket / entry["file"]).read_bytes() == (
            exported / "current" / "files" / entry["file"]
        ).read_bytes()
    item = FAQItem.objects.filter(published_ko=True).order_by("-pk")[0]
    path = f"/api/v1/faq-items/{item.slug_ko}/?locale=ko"
    item.unpublish("ko")

    out = io.StringIO()
    call_command("export_static", str(exported), *arguments, stdout=out)

    # The Korean documents that showed the item, written again; its detail gone.
    written = int(out.getvalue().split("files written")[0].split()[-1])
    assert 0 < written < len(entries)
    assert ", 1 deleted" in out.getvalue()
    assert not (bucket / entries[path]["file"]).exists()
    stored = json.loads((bucket / "manifest.json").read_text())["documents"]
    assert stored == manifest(exported)


def test_an_unknown_storage_alias_is_refused(tmp_path):
    with pytest.raises(CommandError, match="No storage 'bucket' in STORAGES"):
        call_command(
            "export_static", str(tmp_path), "--origin", ORIGIN, "--storage", "bucket"
        )


def test_of_two_urls_that_differ_in_case_only_the_first_is_exported(exported):
    """nginx's maps ignore ASCII case and refuse two such keys; the other URL is
    left to the app."""
    lowercase = Document.objects.get(url=ORIGIN + "/api/v1/locales/")
    documents.write(
        ORIGIN + "/api/v1/LOCALES/",
        locale="",
        body=b"{}",
        headers=lowercase.headers,
        etag='"upper"',
        last_modified=0,
        tags=(),
    )
    out = io.StringIO()

    call_command(
        "export_static", str(exported), "--origin", ORIGIN, "--from-store", stdout=out
    )

    entries = manifest(exported)
    assert "/api/v1/LOCALES/" in entries
    assert "/api/v1/locales/" not in entries
    assert f"left to the app: {ORIGIN}/api/v1/locales/" in out.getvalue()
    maps = (exported / "current" / "nginx.conf").read_text()
    assert "'/api/v1/LOCALES/'" in maps
    assert "'/api/v1/locales/'" not in maps
