"""What the public API's serializers read: published versions seen in one locale
(``Localized``), and the documents that span the types (the locales' counts, the
sitemap), through the registry of public types (docs/publishing.md)."""

from __future__ import annotations

from typing import Any, NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Case, IntegerField, Value, When

from api.locale import hreflang
from api.registry import public_types, sitemap_types
from publication.languages import DEFAULT_LANGUAGE, LANGUAGE_CODES, column
from publication.models import PublishedVersion, published_field, visible_at
from publication.published import ADDRESS_FIELDS, Published, identity_row


class Alternate(NamedTuple):
    locale: str
    hreflang: str
    slug: str


class Alternates(NamedTuple):
    languages: list[Alternate]
    x_default: Alternate | None


class Localized:
    """One published object, or a part of one, as locale ``code`` shows it: what a
    serializer field reads by name.

    ``row`` is a version's values as ``Published.row`` or ``values_row`` give them.
    ``title`` reads the locale's column (``title_ko``), never another locale's (no
    fallback, DESIGN §3), and a translation never written reads as empty; any other
    name reads its plain column (``kind``, ``start_day``). ``related`` are what the
    loader resolved beside the row (parts, embedded objects, each a ``Localized``
    or a list of them), set as attributes. ``shown_as`` is the model name of a
    publishable object, the prefix of its cache tag (``article-12``), and None for
    a part or a label."""

    def __init__(self, row: dict[str, Any], code: str, *, shown_as=None, **related):
        self.row = row
        self.locale = code
        self.shown_as = shown_as
        self.__dict__.update(related)

    def __getattr__(self, name: str):
        if name.startswith("__") or name == "row":
            raise AttributeError(name)
        row = self.row
        translated = column(name, self.locale)
        if translated in row:
            return row[translated] or ""
        try:
            return row[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        return (
            f"<Localized {self.shown_as or 'part'} {self.row.get('pk')} {self.locale}>"
        )

    @property
    def alternates(self) -> Alternates:
        """The locales the object is visible in (LANGUAGES order), each with its
        slug there, and the one for readers whose locale has none: the default
        locale where visible, else the first. A type without slugs (the clinic
        profile) has empty ones: every object's alternates have one shape."""
        row = self.row
        languages = [
            Alternate(code, hreflang(code), row[column("slug", code)] or "")
            for code in LANGUAGE_CODES
            if row[published_field(code)]
        ]
        default = [a for a in languages if a.locale == DEFAULT_LANGUAGE]
        return Alternates(languages, (default or languages or [None])[0])


def published_counts(published) -> dict[str, dict[str, int]]:
    """How many objects of each type are visible in each locale."""
    return {
        code: {
            kind.key: kind.published_count(published, code) for kind in public_types()
        }
        for code in LANGUAGE_CODES
    }


def entry(kind, row: dict, code: str) -> Localized:
    """A sitemap entry: the object at ``row`` (identity columns) under its type,
    shown by the page (its cache tag: a republication marks the page stale by it)."""
    return Localized(row, code, shown_as=kind.model._meta.model_name, type=kind.name)


class SitemapRows:
    """The sitemap of ``code`` for the types ``names`` (type order, then pk) as a
    sequence the paginator counts and slices: a page reads its own rows and their
    other locales' addresses, whatever the size of the sitemap (a sitemap of
    10,000 FAQ items is 500 pages; reading every address for each would take
    seconds). Types whose objects are versions are one ordered query; a type with
    rows of its own (the FAQ categories, read from their items' versions) comes
    after them, as the registry orders it."""

    def __init__(self, published: Published, code: str, names: tuple[str, ...]):
        self.published, self.code = published, code
        kinds = [kind for kind in sitemap_types() if kind.name in names]
        self.version_kinds = [kind for kind in kinds if not kind.version_rows]
        self.row_kinds = [kind for kind in kinds if kind.version_rows]
        if self.row_kinds and kinds.index(self.row_kinds[0]) < len(self.version_kinds):
            raise ImproperlyConfigured(
                "Sitemap types with rows of their own must come last."
            )
        self.types = {
            ContentType.objects.get_for_model(kind.model).pk: (order, kind)
            for order, kind in enumerate(self.version_kinds)
        }
        self._count: int | None = None
        self._rows: list[tuple[Any, dict]] | None = None

    def versions(self):
        return (
            PublishedVersion.objects.filter(
                visible_at(self.published.at),
                locale=self.code,
                content_type_id__in=list(self.types),
            )
            .annotate(
                s_type=Case(
                    *[
                        When(content_type_id=pk, then=Value(order))
                        for pk, (order, _kind) in self.types.items()
                    ],
                    output_field=IntegerField(),
                )
            )
            .order_by("s_type", "object_id")
        )

    def own_rows(self) -> list[tuple[Any, dict]]:
        if self._rows is None:
            self._rows = [
                (kind, row)
                for kind in self.row_kinds
                for row in kind.published_rows(self.published, self.code)
            ]
        return self._rows

    def version_count(self) -> int:
        if self._count is None:
            self._count = self.versions().count() if self.types else 0
        return self._count

    def count(self) -> int:
        return self.version_count() + len(self.own_rows())

    def __getitem__(self, page: slice) -> list[Localized]:
        start, stop = page.start or 0, page.stop
        entries = []
        counted = self.version_count()
        if start < counted:
            entries += self.version_entries(start, min(stop, counted))
        if stop > counted:
            own = self.own_rows()[max(start - counted, 0) : stop - counted]
            entries += [entry(kind, row, self.code) for kind, row in own]
        return entries

    def version_entries(self, start: int, stop: int) -> list[dict]:
        """Entries ``start``..``stop`` of the version types: the page's addresses,
        then every locale's address of those objects (the alternates)."""
        page = list(
            self.versions().values_list("content_type_id", "object_id")[start:stop]
        )
        if not page:
            return []
        objects = {(ct, pk) for ct, pk in page}
        by_object: dict[tuple[int, int], dict[str, Any]] = {}
        addresses = PublishedVersion.objects.filter(
            visible_at(self.published.at),
            content_type_id__in={ct for ct, _pk in page},
            object_id__in={pk for _ct, pk in page},
        ).values_list("content_type_id", *ADDRESS_FIELDS, named=True)
        for address in addresses:
            key = (address.content_type_id, address.object_id)
            if key in objects:
                by_object.setdefault(key, {})[address.locale] = address
        return [
            entry(
                self.types[ct][1],
                identity_row(pk, self.code, by_object[(ct, pk)]),
                self.code,
            )
            for ct, pk in page
        ]
