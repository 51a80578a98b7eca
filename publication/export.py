"""The static edge export (docs/static-export.md): every stored document of one
origin as a file per path and query, with a manifest and the nginx maps that give
each file the app's headers, so that nginx or a CDN serves the public API's
stored URLs without the app.

An export is a folder of its own (a *generation*) under ``DIR/generations/``;
``DIR/current`` is a symbolic link to the one being served, switched with one
rename when a generation is complete. A run interrupted midway leaves the link,
and so the previous export, as it was. The generation's ``nginx.conf`` names its
own folder as the root to serve from: nginx switches files and headers together
when it reloads, never the bytes of one export with the ETags of another.

An update (``update``, on every change when ``STATIC_EXPORT_DIR`` is set) makes a
new generation too: the documents it names are written again or left out, every
other file is a hard link to the previous generation's (same inode, untouched).

Only the delivery store's fresh documents are exported: what is not stored (a
filtered or searched list, a preview) is never there, and a stale document is
rendered again first.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db.models import Prefetch
from django.utils.http import http_date

from publication import documents
from publication.changes import CREATED, UPDATED, ChangedDocument
from publication.documents import Document, DocumentTag

# Every public document is JSON: nginx sends this type for every file.
CONTENT_TYPE = "application/json; charset=utf-8"
# The stored headers nginx sends from the generated maps (``$static_etag``...).
# Content-Type is the config's constant and Last-Modified the file's time; each
# of these is the manifest's field of the same name.
MAPPED_HEADERS = (
    "etag",
    "content_language",
    "cache_control",
    "cache_tag",
    "surrogate_key",
)
# The query strings a file can stand for: the store's (``locale=ko&page=2``).
# Any other spelling (percent escapes) stays with the app; nginx tests the same
# pattern (deploy/nginx-static.conf).
QUERY = re.compile(r"[a-z0-9=&-]*")
PREFIX = "/api/v1/"


class ExportError(Exception):
    """A target the export cannot write to, or a document it cannot serve."""


@dataclass(frozen=True)
class Result:
    directory: Path  # the generation written
    written: int  # files written (an update: written again)
    linked: int  # files kept from the previous generation
    removed: int  # URLs left out that the previous generation had
    skipped: tuple[str, ...]  # stored URLs left to the app (another spelling)

    @property
    def count(self) -> int:
        return self.written + self.linked


def check_target(root: Path) -> Path:
    """``root`` as an absolute path, made if missing; ExportError if it is not a
    folder this process can write in."""
    root = Path(root).absolute()
    if root.exists() and not root.is_dir():
        raise ExportError(f"{root} is not a folder.")
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=root):
            pass
    except OSError as error:
        raise ExportError(f"Cannot write in {root}: {error.strerror}.") from None
    return root


def file_of(url: str) -> str | None:
    """The file (relative to ``files/``) a stored URL is exported as, or None for
    one left to the app: ``/api/v1/faq-items/?locale=ko&page=2`` is
    ``api/v1/faq-items/locale=ko&page=2.json``, ``/api/v1/`` is
    ``api/v1/index.json``. The path is decoded, as nginx's ``$uri`` is."""
    parts = urlsplit(url)
    try:
        path = unquote_to_bytes(parts.path).decode()
    except UnicodeDecodeError:
        return None
    segments = path.split("/")
    if (
        not path.startswith(PREFIX)
        or not path.endswith("/")
        or any(segment in (".", "..") for segment in segments)
        or "\0" in path
        or not QUERY.fullmatch(parts.query)
    ):
        return None
    return path.lstrip("/") + (parts.query or "index") + ".json"


def key_of(url: str) -> str:
    """What nginx matches a request with (``$uri$is_args$args``): the decoded
    path and the query as sent."""
    parts = urlsplit(url)
    path = unquote_to_bytes(parts.path).decode()
    return path + ("?" + parts.query if parts.query else "")


def entry_of(document: Document, tags: Iterable[str]) -> dict:
    headers = {name.lower(): value for name, value in document.headers}
    content_type = headers.get("content-type", "")
    if content_type != CONTENT_TYPE:
        raise ExportError(
            f"{document.url} is {content_type!r}, not {CONTENT_TYPE!r}: the nginx "
            "config serves every file as the latter."
        )
    return {
        "url": document.url,
        "file": file_of(document.url),
        "etag": document.etag,
        "last_modified": http_date(document.last_modified),
        "content_type": content_type,
        "content_language": headers.get("content-language", ""),
        "cache_control": headers.get("cache-control", ""),
        "cache_tag": headers.get("cache-tag", ""),
        "surrogate_key": headers.get("surrogate-key", ""),
        "tags": sorted(tags),
    }


def fresh_documents(origin: str) -> Iterator[Document]:
    """The store's documents of ``origin``, each fresh (a stale one rendered
    again first; one that no longer answers is left out), by URL."""
    documents.refresh(Document.objects.filter(stale=True, url__startswith=origin + "/"))
    rows = (
        Document.objects.filter(url__startswith=origin + "/", stale=False)
        .order_by("url")
        .prefetch_related(
            Prefetch("tag_rows", queryset=DocumentTag.objects.order_by("tag"))
        )
    )
    yield from rows.iterator(chunk_size=500)


@contextlib.contextmanager
def locked(root: Path) -> Iterator[None]:
    """One writer at a time (the command and the worker's updates)."""
    with open(root / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def export(root: Path, origin: str) -> Result:
    """Write every fresh stored document of ``origin`` into a new generation under
    ``root`` and serve it from there (``root/current``)."""
    root = check_target(root)
    origin = origin.rstrip("/")
    with locked(root):
        previous = current(root)
        generation = new_generation(root)
        entries, skipped, folded = {}, [], set()
        for document in fresh_documents(origin):
            if file_of(document.url) is None or fold(document.url) in folded:
                skipped.append(document.url)
                continue
            folded.add(fold(document.url))
            entry = entry_of(document, (row.tag for row in document.tag_rows.all()))
            write_file(generation / "files" / entry["file"], document)
            entries[key_of(document.url)] = entry
        removed = len(set(read_manifest(previous)) - set(entries)) if previous else 0
        finish(root, generation, previous, origin, entries)
    return Result(generation, len(entries), 0, removed, tuple(skipped))


def update(root: Path, changed: Iterable[ChangedDocument]) -> Result | None:
    """Apply one change's documents to the export at ``root``: a new generation
    with the created and updated ones written again from the store, the removed
    and moved ones left out, every other file linked. None without an export
    there yet (the first one is ``manage.py export_static``'s)."""
    root = Path(root).absolute()
    with locked(root):
        previous = current(root)
        if previous is None:
            return None
        manifest = json.loads((previous / "manifest.json").read_text())
        origin = manifest["origin"]
        entries = manifest["documents"]
        changed = [c for c in changed if c.url.startswith(origin + "/")]
        rewrite: dict[str, Document] = {}
        removed = 0
        folded = {fold(entry["url"]): key for key, entry in entries.items()}
        for change in changed:
            key = key_of(change.url)
            document = None
            if (
                change.status in (CREATED, UPDATED)
                and file_of(change.url)
                and folded.setdefault(fold(change.url), key) == key
            ):
                document = documents.read(change.url)
                if document is not None and document.stale:
                    documents.refresh([document])
                    document = documents.read(change.url)
            if document is None:
                removed += entries.pop(key, None) is not None
            else:
                entries[key] = entry_of(document, document.tags())
                rewrite[key] = document
        generation = new_generation(root)
        for key, entry in entries.items():
            target = generation / "files" / entry["file"]
            if key in rewrite:
                write_file(target, rewrite[key])
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.link(previous / "files" / entry["file"], target)
        finish(root, generation, previous, origin, entries)
    return Result(generation, len(rewrite), len(entries) - len(rewrite), removed, ())


def fold(url: str) -> bytes:
    """``key_of(url)`` as nginx's maps compare it: ASCII letters in one case. Two
    stored URLs that differ only so (slugs ``Lip-Care`` and ``lip-care``) cannot
    both be in the maps (nginx refuses the file); the first is exported, the other
    left to the app."""
    return key_of(url).encode().lower()


def current(root: Path) -> Path | None:
    link = root / "current"
    return link.resolve() if link.is_symlink() and link.exists() else None


def read_manifest(generation: Path) -> dict:
    return json.loads((generation / "manifest.json").read_text())["documents"]


def new_generation(root: Path) -> Path:
    (root / "generations").mkdir(exist_ok=True)
    generation = Path(tempfile.mkdtemp(dir=root / "generations", prefix="g"))
    generation.chmod(0o755)  # nginx's workers read it as another user
    (generation / "files").mkdir()
    return generation


def write_file(target: Path, document: Document) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(bytes(document.body))
    # nginx sends the file's time as Last-Modified and answers If-Modified-Since
    # from it: the app's own.
    os.utime(target, (document.last_modified, document.last_modified))


def finish(
    root: Path, generation: Path, previous: Path | None, origin: str, entries: dict
) -> None:
    """Write the manifest and the nginx maps, then serve the generation: the
    ``current`` link is replaced in one rename."""
    manifest = {"origin": origin, "documents": dict(sorted(entries.items()))}
    (generation / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"
    )
    (generation / "nginx.conf").write_bytes(nginx_maps(generation, entries))
    link = root / f".current-{generation.name}"
    link.symlink_to(generation.relative_to(root))
    link.replace(root / "current")
    # The previous generation stays for the nginx workers of the previous
    # configuration, which finish their requests from it; anything older (or
    # left by an interrupted run) is read by none.
    for old in (root / "generations").iterdir():
        if old not in (generation, previous):
            shutil.rmtree(old, ignore_errors=True)


def quoted(value: str) -> bytes:
    """An nginx string: single-quoted, with ``\\`` and ``'`` escaped."""
    return b"'" + value.replace("\\", "\\\\").replace("'", "\\'").encode() + b"'"


def nginx_maps(generation: Path, entries: dict) -> bytes:
    """The generated half of deploy/nginx-static.conf, included in ``http {}``:
    where this generation's files are and, per URL, the headers nginx cannot read
    from a file. nginx matches map keys without regard to ASCII case, so its
    config also checks that the file exists (a case-sensitive test)."""
    # A hash bucket holds a few keys (nginx warns, and builds a slower hash, when
    # one bucket per key is all that fits).
    longest = max((len(key.encode()) for key in entries), default=0)
    bucket = 64
    while bucket < 4 * (longest + 16):
        bucket *= 2
    lines = [
        b"# Written by manage.py export_static: do not edit.",
        b"map_hash_bucket_size %d;" % bucket,
        b"map_hash_max_size %d;" % max(2048, 4 * len(entries)),
        b"map $host $static_root { default "
        + quoted(str(generation / "files"))
        + b"; }",
    ]
    for field in MAPPED_HEADERS:
        lines.append(b"map $static_key $static_%s {" % field.encode())
        lines.append(b"  default '';")
        for key, entry in sorted(entries.items()):
            value = entry[field]
            if value:
                lines.append(b"  " + quoted(key) + b" " + quoted(value) + b";")
        lines.append(b"}")
    return b"\n".join(lines) + b"\n"


def upload(generation: Path, storage: Storage) -> tuple[int, int]:
    """Copy a generation to a Django storage backend (an S3 bucket through
    django-storages): the files whose ETag differs from the manifest the storage
    holds, then the removed ones deleted, then the manifest. How many were
    written and deleted. Each file carries its Content-Type (``content_type``, which
    django-storages' S3 backend sends as object metadata); per-object
    Content-Language needs the backend's ``get_object_parameters``
    (docs/static-export.md)."""
    entries = json.loads((generation / "manifest.json").read_text())["documents"]
    held = {}
    if storage.exists("manifest.json"):
        with storage.open("manifest.json") as file:
            held = json.loads(file.read())["documents"]
    written = 0
    for key, entry in entries.items():
        if held.get(key, {}).get("etag") == entry["etag"]:
            continue
        content = ContentFile((generation / "files" / entry["file"]).read_bytes())
        content.content_type = entry["content_type"]
        replace(storage, entry["file"], content)
        written += 1
    gone = [held[key]["file"] for key in held.keys() - entries.keys()]
    for name in gone:
        storage.delete(name)
    replace(
        storage,
        "manifest.json",
        ContentFile((generation / "manifest.json").read_bytes()),
    )
    return written, len(gone)


def replace(storage: Storage, name: str, content: ContentFile) -> None:
    # Storage.save() picks another name for one that exists.
    if storage.exists(name):
        storage.delete(name)
    saved = storage.save(name, content)
    if saved != name:
        raise ExportError(f"The storage saved {name} as {saved}.")


def on_documents_changed(sender, **kwargs) -> None:
    """``publication.changes.documents_changed``: keep the export at
    ``STATIC_EXPORT_DIR``, when set, in step with the store."""
    if settings.STATIC_EXPORT_DIR:
        update(Path(settings.STATIC_EXPORT_DIR), kwargs["documents"])
