"""Helpers of the translation files' tests: the whole demo as units, a CAT tool's
work done programmatically with translate-toolkit, and a digest of every content
row to show that a refused file changed nothing."""

from __future__ import annotations

import hashlib

import pytest
from django.apps import apps
from django.db import connection
from translate.storage.placeables import StringElem
from translate.storage.placeables.xliff import G, X
from translate.storage.po import pofile
from translate.storage.xliff import xlifffile

from publication.models import publishable_models
from translations.units import Unit, units_of


def all_units(code: str = "ja") -> list[Unit]:
    roots = [obj for model in publishable_models() for obj in model.objects.all()]
    return units_of(roots, code)


def translated(text: str) -> str:
    """A plain text's "translation": as long as the source, a link still a link."""
    if text.startswith("https://"):
        return f"{text}?lang=ja"
    return "訳" + text[1:]


def _translated_tree(elem):
    """The placeables of a source with every text translated, tags kept."""
    if isinstance(elem, str):
        return f"【{elem}】" if elem.strip() else elem
    sub = [_translated_tree(item) for item in elem.sub]
    if isinstance(elem, G):
        return G(id=elem.id, sub=sub, xml_attrib=dict(elem.xml_attrib or {}))
    if isinstance(elem, X):
        return X(id=elem.id, xml_attrib=dict(elem.xml_attrib or {}))
    return StringElem(sub)


def has_tags(unit) -> bool:
    def walk(elem):
        return isinstance(elem, G | X) or any(
            walk(item) for item in getattr(elem, "sub", []) if not isinstance(item, str)
        )

    return any(walk(elem) for elem in unit.rich_source)


def fill_xliff(data: bytes, special: dict | None = None) -> bytes:
    """Every unit's target written, as a CAT tool would: rich text keeps the
    source's inline tags (bold, links) around translated words."""
    store = xlifffile.parsestring(data)
    for unit in store.units:
        unit_id = unit.xmlelement.get("id")
        if special and unit_id in special:
            value = special[unit_id]
            if isinstance(value, str):
                unit.target = value
            else:
                unit.rich_target = value
        elif has_tags(unit):
            unit.rich_target = [_translated_tree(e) for e in unit.rich_source]
        else:
            unit.target = translated(str(unit.source))
    return bytes(store)


def fill_po(data: bytes, special: dict | None = None) -> bytes:
    store = pofile.parsestring(data)
    for unit in store.units:
        if unit.isheader():
            continue
        unit_id = unit.getcontext()
        if special and unit_id in special:
            unit.target = special[unit_id]
        elif "<" in unit.source:
            unit.target = unit.source.replace(">", ">【", 1)
        else:
            unit.target = translated(unit.source)
    return bytes(store)


def content_digest() -> str:
    """Every row of the content, publication and history tables, as stored (SQL:
    modeltranslation's querysets read a translated field in the active
    language)."""
    digest = hashlib.sha256()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            if model._meta.app_label in ("content", "faq", "publication", "reversion"):
                table = quote(model._meta.db_table)
                cursor.execute(f"SELECT * FROM {table} ORDER BY 1")
                digest.update(repr((table, cursor.fetchall())).encode())
    return digest.hexdigest()


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("editor", "e@example.com", "pw")
