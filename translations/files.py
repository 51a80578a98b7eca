"""Translation files for agencies' CAT tools: XLIFF 1.2 and PO, written and read
with translate-toolkit (docs/translation-files.md).

A file names its project and language and carries a signed export token (its
language, export time and number of units). Each unit: the id
(``content.articleblock:12:body``), the English source, the current translation
if any, a note with the context, and the digest of the source it was exported
with (XLIFF: the unit's ``extradata``; PO: the digest of its ``msgid``), by
which the import tells a source changed since.

Reading refuses hostile input before any parser sees it: more than
``TRANSLATION_IMPORT_MAX_BYTES``, not UTF-8, or any document type declaration
(external entities, billion laughs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext
from translate.storage.placeables import StringElem
from translate.storage.po import pofile
from translate.storage.xliff import xlifffile, xliffunit

from publication.languages import DEFAULT_LANGUAGE, LANGUAGE_CODES, language_name
from publication.outdated import digest
from translations import rich
from translations.units import Unit, outdated_ids

XLIFF = "xliff"
PO = "po"
FORMATS = {XLIFF: "XLIFF 1.2 (.xlf)", PO: "PO (.po)"}
EXTENSIONS = {XLIFF: "xlf", PO: "po"}
CONTENT_TYPES = {XLIFF: "application/x-xliff+xml", PO: "text/x-gettext-translation"}

PROJECT = "clinic-content"
TOKEN_SALT = "translations.export"
TOKEN_HEADER = "X-Clinic-Export"
XLIFF_1_2 = "urn:oasis:names:tc:xliff:document:1.2"
DEFAULT_MAX_BYTES = 3 * 1024 * 1024
# A document type declaration is where external entities and entity expansion
# live; no export of ours has one.
DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class RefusedFile(Exception):
    """A file that is not an export of this project in the expected language, or
    that cannot be read: nothing of it is applied."""


# translate-toolkit reads XLIFF 1.1 and 1.2 but writes 1.1: its namespace is a
# class attribute, so these write 1.2.
class Xliff12Unit(xliffunit):
    namespace = XLIFF_1_2


class Xliff12File(xlifffile):
    UnitClass = Xliff12Unit
    namespace = XLIFF_1_2


def max_bytes() -> int:
    return getattr(settings, "TRANSLATION_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def make_token(code: str, count: int) -> str:
    return signing.dumps(
        {
            "project": PROJECT,
            "language": code,
            "exported": timezone.now().isoformat(timespec="seconds"),
            "units": count,
        },
        salt=TOKEN_SALT,
    )


def export(units: list[Unit], code: str, fmt: str) -> bytes:
    """The file of ``units`` for translation into ``code``."""
    if code == DEFAULT_LANGUAGE or code not in LANGUAGE_CODES:
        raise ValueError(f"not a translation language: {code}")
    token = make_token(code, len(units))
    # Notes are read by translators of English sources: written in English.
    with translation.override(DEFAULT_LANGUAGE):
        if fmt == XLIFF:
            return _xliff(units, code, token)
        if fmt == PO:
            return _po(units, code, token)
    raise ValueError(f"unknown format: {fmt}")


OUTDATED_NOTE = "Outdated: the English text changed since this translation was written."


def _xliff(units: list[Unit], code: str, token: str) -> bytes:
    outdated = outdated_ids(units, code)
    store = Xliff12File.parsestring(
        f"""<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="{XLIFF_1_2}">
<file original="{PROJECT}" source-language="{DEFAULT_LANGUAGE}"
 target-language="{escape(code)}" datatype="html">
<header><note from="{PROJECT}">{token}</note></header>
<body></body></file></xliff>""".encode()
    )
    for unit in units:
        item = store.addsourceunit("", filename=PROJECT)
        item.setid(unit.id)
        item.xmlelement.set("extradata", unit.digest)
        item.xmlelement.set("resname", unit.id)
        note = unit.note()
        if unit.rich:
            source, tags = rich.parse(unit.source)
            item.rich_source = [source]
            target = rich.to_placeables(unit.target, tags) if unit.target else None
            if target is not None:
                item.rich_target = [target]
            elif unit.target:
                # Markup the source lacks (a link to a page in the language)
                # has no tag to go out as: quoted, so that the untouched unit
                # imports as nothing rather than replacing the link.
                note += f"\nCurrent translation: {unit.target}"
        else:
            item.source = unit.source
            if unit.target:
                item.target = unit.target
        if item.target:
            # The translation in use is approved; an outdated one is to be
            # reviewed (CAT tools pass over approved units).
            item.markapproved(unit.id not in outdated)
        if unit.id in outdated:
            item.markreviewneeded()
            note += f"\n{OUTDATED_NOTE}"
        item.addnote(note, origin="developer")
    return bytes(store)


def _po(units: list[Unit], code: str, token: str) -> bytes:
    outdated = outdated_ids(units, code)
    store = pofile()
    store.updateheader(
        add=True,
        Project_Id_Version=PROJECT,
        Language=code,
        Language_Team=language_name(code),
        X_Clinic_Export=token,
    )
    for unit in units:
        item = store.addsourceunit(unit.source)
        item.setcontext(unit.id)
        item.target = unit.target
        note = unit.note()
        if unit.id in outdated:
            # PO's "to be reviewed": the tool shows it, and the import skips it
            # until the translator clears the flag.
            item.markfuzzy()
            note += f"\n{OUTDATED_NOTE}"
        item.addnote(note, origin="developer")
    return bytes(store)


@dataclass
class FileUnit:
    """A unit as read from a file: its target as text and, from XLIFF, as
    placeables (the inline markup)."""

    id: str
    digest: str | None
    target: str
    placeables: list[StringElem] | None = None
    fuzzy: bool = False


@dataclass
class Read:
    units: list[FileUnit]
    token: dict[str, Any]
    format: str

    @property
    def exported(self) -> datetime:
        return datetime.fromisoformat(self.token["exported"])


def read_upload(upload) -> bytes:
    """At most the limit of an upload (a file object): a larger one is refused
    without reading the rest."""
    limit = max_bytes()
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise RefusedFile(
            gettext("The file is larger than %(size)s MB.")
            % {"size": round(limit / 1024 / 1024, 1)}
        )
    return data


def read(data: bytes, code: str) -> Read:
    """The units of an exported file for ``code``, or ``RefusedFile``."""
    if len(data) > max_bytes():
        raise RefusedFile(gettext("The file is too large."))
    if DECLARATION.search(data):
        raise RefusedFile(
            gettext("The file declares a document type or entities: refused.")
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RefusedFile(gettext("The file is not UTF-8 text.")) from None
    fmt = XLIFF if text.lstrip().startswith("<") else PO
    # translate-toolkit raises what its parsers raise (lxml's syntax errors, its
    # PO parser's, assertions on the root element): any is an unreadable file.
    try:
        token, units = _read_xliff(data) if fmt == XLIFF else _read_po(data)
    except RefusedFile:
        raise
    except Exception as error:
        raise RefusedFile(
            gettext("The file cannot be read as %(format)s: %(error)s")
            % {"format": FORMATS[fmt], "error": error}
        ) from None
    payload = check_token(token, code)
    if payload["units"] != len(units):
        raise RefusedFile(
            gettext(
                "The file has %(found)s units, the export had %(count)s: it is "
                "truncated or units were removed."
            )
            % {"found": len(units), "count": payload["units"]}
        )
    return Read(units=units, token=payload, format=fmt)


def check_token(token: str | None, code: str) -> dict[str, Any]:
    if not token:
        raise RefusedFile(
            gettext("The file is not an export of this site (no export token).")
        )
    try:
        payload = signing.loads(token.strip(), salt=TOKEN_SALT)
    except signing.BadSignature:
        raise RefusedFile(
            gettext("The file is not an export of this site (invalid export token).")
        ) from None
    if payload.get("project") != PROJECT:
        raise RefusedFile(gettext("The file is an export of another project."))
    if payload.get("language") != code:
        raise RefusedFile(
            gettext("The file is for %(file)s, not %(language)s.")
            % {
                "file": language_name(str(payload.get("language"))),
                "language": language_name(code),
            }
        )
    return payload


def _read_xliff(data: bytes) -> tuple[str | None, list[FileUnit]]:
    store = xlifffile.parsestring(data)
    root = store.document.getroot()
    files = list(root.iterchildren(store.namespaced("file")))
    if len(files) != 1:
        raise RefusedFile(gettext("The file must hold exactly one <file>."))
    token = None
    header = store.getheadernode(files[0])
    if header is not None:
        for note in header.iterchildren(store.namespaced("note")):
            if note.get("from") == PROJECT:
                token = note.text
    units = [
        FileUnit(
            id=item.xmlelement.get("id") or "",
            digest=item.xmlelement.get("extradata"),
            target=str(item.target or ""),
            placeables=item.rich_target,
        )
        for item in store.units
    ]
    return token, units


def _read_po(data: bytes) -> tuple[str | None, list[FileUnit]]:
    store = pofile.parsestring(data)
    token = store.parseheader().get(TOKEN_HEADER)
    units = [
        FileUnit(
            id=item.getcontext(),
            digest=digest(str(item.source)),
            target=str(item.target or ""),
            fuzzy=item.isfuzzy(),
        )
        for item in store.units
        if not item.isheader() and not item.isobsolete()
    ]
    return token, units
