"""The number of queries of every public endpoint does not grow with the content
(DESIGN §5, STYLE "pinned query counts").

Each case is measured on a small dataset (one unit of content) and again after ten
more units have been added, with its detail object taken from the larger build: an
article with ten times the blocks, a cause type with ten times the methods, an FAQ
item linked to ten times the cause types, methods and articles, bigger comparison
and aftercare grids, longer lists. Both measurements must give the same pinned
number, in English and in Korean.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.db import transaction

from api.registry import sitemap_types
from content.models import (
    Aftercare,
    Article,
    ArticleBlock,
    CauseType,
    ClinicProfile,
    Comparison,
    ItemList,
    Method,
)
from faq.models import FAQCategory, FAQItem
from publication.languages import column
from publication.models import deferred_completeness
from tests.factories import (
    ArticleBlockFactory,
    ArticleFactory,
    CauseTypeFactory,
    ClinicChannelFactory,
    ClinicProfileFactory,
    FAQCategoryFactory,
    FAQItemFactory,
    aftercare_timeline,
    comparison_grid,
    item_list_with_items,
    publish,
)

pytestmark = pytest.mark.django_db

CODES = ("en", "ko")
LARGER = 10


@dataclass
class Unit:
    methods: list[Method]
    comparison: Comparison
    aftercare: Aftercare
    item_list: ItemList
    cause_type: CauseType
    category: FAQCategory
    faq_items: list[FAQItem]


@dataclass
class Content:
    """What a build made; the detail cases read its first ("hub") objects."""

    units: list[Unit]
    article: Article
    profile_list: ItemList

    @property
    def hub(self) -> Unit:
        return self.units[0]


def build_unit(*, side: int, items: int) -> Unit:
    """A comparison and an aftercare timeline of ``side`` × ``side`` (tracks for the
    comparison's methods and one shared track), a list of ``items`` items, a cause
    type that calls for the methods, an FAQ category with ``side`` items linked to
    the cause type and the methods. The embedded objects are published; the cause
    type and the items are published by ``build_content``, after their last links
    (a version holds what the working copy held when it was published)."""
    grid = comparison_grid(methods=side, criteria=side, published=CODES)
    timeline = aftercare_timeline(stages=side, tracks=side)
    with deferred_completeness():
        for track, method in zip(timeline.tracks[1:], grid.methods, strict=False):
            track.method = method
            track.save()
    publish(timeline.aftercare, codes=CODES)
    item_list = item_list_with_items(items=items, published=CODES)
    cause_type = CauseTypeFactory()
    cause_type.methods.set(grid.methods)
    category = FAQCategoryFactory()
    faq_items = []
    for _ in range(side):
        item = FAQItemFactory(category=category)
        item.cause_types.set([cause_type])
        item.methods.set(grid.methods)
        faq_items.append(item)
    return Unit(
        grid.methods,
        grid.comparison,
        timeline.aftercare,
        item_list,
        cause_type,
        category,
        faq_items,
    )


def add_blocks(article: Article, unit: Unit) -> None:
    """One block of every kind for ``unit``'s embedded objects."""
    Kind = ArticleBlock.Kind
    for kind, extra in (
        (Kind.TEXT, {}),
        (Kind.CALLOUT, {}),
        (Kind.LIST, {"item_list": unit.item_list}),
        (Kind.CAUSE_TYPES, {}),
        (Kind.COMPARISON, {"comparison": unit.comparison}),
        (
            Kind.AFTERCARE,
            {"aftercare": unit.aftercare, "aftercare_method": unit.methods[0]},
        ),
        (Kind.FAQ, {}),
        (
            Kind.CTA,
            {
                "cta_label_en": "Chat with us",
                "cta_label_ko": "상담하기",
                "cta_url_en": "https://drtak.example/#chat",
                "cta_url_ko": "https://drtak.example/ko/#chat",
            },
        ),
    ):
        ArticleBlockFactory(article=article, kind=kind, **extra)


def build_content(units: int) -> Content:
    """``units`` units of content published in English and Korean, and an article
    per unit. The first unit is the hub and grows with ``units``: its grids have
    ``units // 2 + 2`` sides, its list ``2 * units`` items, its article embeds every
    unit's list, comparison and aftercare, its cause type calls for every unit's
    methods and its first FAQ item is linked to every cause type, method and
    article of the build."""
    side = units // 2 + 2
    built = [
        build_unit(side=side, items=2 * units)
        if i == 0
        else build_unit(side=2, items=2)
        for i in range(units)
    ]
    articles = []
    for i, unit in enumerate(built):
        article = ArticleFactory()
        with deferred_completeness():
            for other in built if i == 0 else [unit]:
                add_blocks(article, other)
        publish(article, codes=CODES)
        articles.append(article)
        for item in unit.faq_items:
            item.articles.add(article, articles[0])
    hub = built[0]
    hub.cause_type.methods.set([m for unit in built for m in unit.methods])
    hub.faq_items[0].cause_types.set([unit.cause_type for unit in built])
    hub.faq_items[0].methods.set([m for unit in built for m in unit.methods])
    hub.faq_items[0].articles.set(articles)
    publish(
        *(unit.cause_type for unit in built),
        *(item for unit in built for item in unit.faq_items),
        codes=CODES,
    )
    profile_list = item_list_with_items(items=2 * units, published=CODES)
    return Content(built, articles[0], profile_list)


def build_profile(content: Content, *, channels: int) -> ClinicProfile:
    """The clinic profile with ``channels`` channels and the build's lists as its
    trust points and care system."""
    profile = ClinicProfile.load() or ClinicProfileFactory()
    with deferred_completeness():
        for _ in range(channels):
            ClinicChannelFactory(profile=profile)
    profile.trust_points = content.profile_list
    profile.care_system = content.hub.item_list
    profile.save()
    # Published again in the larger world: the new lists and channels.
    publish(profile, codes=CODES)
    return profile


def slug(obj, code: str) -> str:
    return getattr(obj, column("slug", code))


# The cases: what to ask for in a language, and the pinned number of queries.

Target = Callable[[Content, str], tuple[str, dict]]
PAGE = {"page_size": 100}  # a whole list on one page: every row is represented


def fixed(path: str, **query) -> Target:
    return lambda content, code: (path, {"locale": code, **query})


def detail(path: str, pick: Callable[[Content], object]) -> Target:
    return lambda content, code: (
        f"{path}{slug(pick(content), code)}/",
        {"locale": code},
    )


def elsewhere(path: str, pick: Callable[[Content], object]) -> Target:
    """The detail asked for by the object's slug in the other language: a 404 that
    names the right slug."""
    other = dict(zip(CODES, reversed(CODES), strict=True))
    return lambda content, code: (
        f"{path}{slug(pick(content), other[code])}/",
        {"locale": code},
    )


def faq_filter(name: str, pick: Callable[[Content], object]) -> Target:
    return lambda content, code: (
        "/api/v1/faq-items/",
        {"locale": code, **PAGE, name: slug(pick(content), code)},
    )


def faq_search(content: Content, code: str) -> tuple[str, dict]:
    # A word of every factory question, in that language.
    word = {"en": "Botox", "ko": "보톡스"}[code]
    return "/api/v1/faq-items/", {"locale": code, **PAGE, "search": word}


def faq_all_filters(content: Content, code: str) -> tuple[str, dict]:
    hub = content.hub
    return "/api/v1/faq-items/", {
        "locale": code,
        **PAGE,
        "category": slug(hub.category, code),
        "cause_type": slug(hub.cause_type, code),
        "method": slug(hub.methods[0], code),
        "article": slug(content.article, code),
        "search": {"en": "Botox", "ko": "보톡스"}[code],
        "structured_data": "true",
    }


SITEMAP_TYPES = tuple(kind.name for kind in sitemap_types())

# What each request reads of the published versions (publication/published.py).
# A query reads the versions of a set of objects of one type, in every locale (a
# row names each locale's slug) and with their editor positions (the working
# copy's, in a subquery); a snapshot holds its object's parts, so parts cost
# nothing more. Never a query per object: the numbers are the same on SQLite and
# PostgreSQL, and on the small and the larger content.
CASES: list[tuple[str, Target, int]] = [
    ("api-root", lambda content, code: ("/api/v1/", {}), 0),
    # One aggregate counts the versions of every type per locale; one query reads
    # the category part of every FAQ item version (a category is visible where
    # one of its items is).
    ("locales", lambda content, code: ("/api/v1/locales/", {}), 2),
    # A page of the sitemap (api/published.py SitemapRows): the count of the
    # version types' entries, the page's objects in type order, every locale's
    # address of those (the alternates; no snapshot is read), and the FAQ
    # categories as for the locales.
    ("sitemap", fixed("/api/v1/sitemap/", **PAGE), 4),
    # The redirects of a locale: their count (none here, so no page is read;
    # tests/publication/test_changes.py reads one).
    ("redirects", fixed("/api/v1/sitemap/redirects/", **PAGE), 1),
    # One type: its count, its page and their addresses; or the categories.
    *[
        (
            f"sitemap-{kind}",
            fixed("/api/v1/sitemap/", type=kind, **PAGE),
            1 if kind == "faq_category" else 3,
        )
        for kind in SITEMAP_TYPES
    ],
    # A list: its count, the page's pks in the list's order, the page's versions.
    ("article-list", fixed("/api/v1/articles/", **PAGE), 3),
    # The article's versions (found by its slug), then one query per type it
    # shows: its lists, comparisons and aftercare timelines, the visible cause
    # types, the methods all of those show, the FAQ items that name it.
    ("article-detail", detail("/api/v1/articles/", lambda c: c.article), 7),
    ("cause-type-list", fixed("/api/v1/cause-types/", **PAGE), 3),
    # The cause type's versions, then its methods'.
    (
        "cause-type-detail",
        detail("/api/v1/cause-types/", lambda c: c.hub.cause_type),
        2,
    ),
    ("method-list", fixed("/api/v1/methods/", **PAGE), 3),
    # The method's versions (facts and criteria in its snapshot), then those of
    # the cause types whose versions name it.
    ("method-detail", detail("/api/v1/methods/", lambda c: c.hub.methods[0]), 2),
    ("comparison-list", fixed("/api/v1/comparisons/", **PAGE), 3),
    # The comparison's versions (rows, criteria and cells in its snapshot), then
    # its methods'.
    (
        "comparison-detail",
        detail("/api/v1/comparisons/", lambda c: c.hub.comparison),
        2,
    ),
    ("aftercare-list", fixed("/api/v1/aftercare/", **PAGE), 3),
    # The timeline's versions (stages, tracks, entries), then its tracks' methods'.
    (
        "aftercare-detail",
        detail("/api/v1/aftercare/", lambda c: c.hub.aftercare),
        2,
    ),
    ("item-list-list", fixed("/api/v1/item-lists/", **PAGE), 3),
    # The list's versions (its items in the snapshot).
    (
        "item-list-detail",
        detail("/api/v1/item-lists/", lambda c: c.hub.item_list),
        1,
    ),
    ("faq-item-list", fixed("/api/v1/faq-items/", **PAGE), 3),
    (
        "faq-item-list-structured-data",
        fixed("/api/v1/faq-items/", structured_data="true", **PAGE),
        3,
    ),
    # A category or a search filters the versions themselves: a list's three.
    ("faq-item-list-by-category", faq_filter("category", lambda c: c.hub.category), 3),
    # A cause type, method or article filter first finds the object at the slug
    # (the versions that name it are then filtered in SQL): one more.
    (
        "faq-item-list-by-cause-type",
        faq_filter("cause_type", lambda c: c.hub.cause_type),
        4,
    ),
    ("faq-item-list-by-method", faq_filter("method", lambda c: c.hub.methods[0]), 4),
    ("faq-item-list-by-article", faq_filter("article", lambda c: c.article), 4),
    ("faq-item-list-search", faq_search, 3),
    ("faq-item-list-all-filters", faq_all_filters, 6),
    # The item's versions, then those of its cause types, methods and articles.
    ("faq-item-detail", detail("/api/v1/faq-items/", lambda c: c.hub.faq_items[0]), 4),
    # The categories as for the locales, then their editor order (a category is a
    # label without versions: the working copy's positions).
    ("faq-category-list", fixed("/api/v1/faq-categories/", **PAGE), 2),
    # The categories as for the locales.
    (
        "faq-category-detail",
        detail("/api/v1/faq-categories/", lambda c: c.hub.category),
        1,
    ),
    # The visible profile's versions (its channels in the snapshot), then its two
    # lists'.
    ("clinic", fixed("/api/v1/clinic/"), 2),
]

# A slug of another language: the failed lookup, then the slug of the object
# visible in both; the FAQ categories read once answer both.
# The object at the slug (none), whether the slug is an old one of an object
# (publication/changes.py: it would answer ``moved``), then the object with that
# slug in another language; an FAQ category has neither versions nor old slugs.
NOT_IN_LOCALE: list[tuple[str, Target, int]] = [
    (f"{name}-by-other-language-slug", elsewhere(path, pick), n)
    for name, path, pick, n in (
        ("article", "/api/v1/articles/", lambda c: c.article, 3),
        ("cause-type", "/api/v1/cause-types/", lambda c: c.hub.cause_type, 3),
        ("method", "/api/v1/methods/", lambda c: c.hub.methods[0], 3),
        ("comparison", "/api/v1/comparisons/", lambda c: c.hub.comparison, 3),
        ("aftercare", "/api/v1/aftercare/", lambda c: c.hub.aftercare, 3),
        ("item-list", "/api/v1/item-lists/", lambda c: c.hub.item_list, 3),
        ("faq-item", "/api/v1/faq-items/", lambda c: c.hub.faq_items[0], 3),
        ("faq-category", "/api/v1/faq-categories/", lambda c: c.hub.category, 1),
    )
]


@dataclass
class World:
    content: Content  # the latest build: its hub objects are measured
    units: int  # units in the database
    channels: int  # channels of the clinic profile


@pytest.fixture(scope="module", params=["small", "ten_times_larger"])
def world(request, django_db_setup, django_db_blocker):
    """One unit of content, or that unit and ten more built after it.

    Built once per module (the larger build takes seconds) inside a transaction
    that is rolled back afterwards; every test runs in a savepoint within it.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        content = build_content(1)
        build_profile(content, channels=2)
        world = World(content, units=1, channels=2)
        if request.param == "ten_times_larger":
            content = build_content(LARGER)
            build_profile(content, channels=2 * LARGER)
            world = World(content, units=1 + LARGER, channels=2 + 2 * LARGER)
        yield world
        transaction.set_rollback(True)


def url(path: str, query: dict) -> str:
    # The api fixture's keyword arguments cannot carry ?method=; build the URL here.
    return f"{path}?{urlencode(query)}" if query else path


@pytest.mark.parametrize(
    ("target", "expected", "status"),
    [pytest.param(target, n, 200, id=name) for name, target, n in CASES]
    + [pytest.param(target, n, 404, id=name) for name, target, n in NOT_IN_LOCALE],
)
@pytest.mark.parametrize("code", CODES)
def test_query_count_is_the_same_on_small_and_ten_times_larger_content(
    world, api, django_assert_num_queries, target, expected, status, code
):
    path, query = target(world.content, code)

    with django_assert_num_queries(expected):
        response = api(url(path, query))

    assert response.status == status, response.body
    if status == 404:
        assert response.body["error"]["code"] == "not_in_locale"


def test_measured_objects_grow_with_the_content(world, api):
    """The larger world really is larger where the cases look, so that an equal
    count means a constant one."""
    content, hub = world.content, world.content.hub
    units = len(content.units)
    side = len(hub.methods)
    methods = side + 2 * (units - 1)
    for code in CODES:
        q = {"locale": code}
        article = api(f"/api/v1/articles/{slug(content.article, code)}/", **q).body
        assert len(article["blocks"]) == 8 * units
        faq = next(b for b in article["blocks"] if b["kind"] == "faq")
        assert len(faq["items"]) == side + 2 * (units - 1)
        causes = next(b for b in article["blocks"] if b["kind"] == "cause_types")
        assert len(causes["cause_types"]) == world.units
        cause = api(f"/api/v1/cause-types/{slug(hub.cause_type, code)}/", **q).body
        assert len(cause["methods"]) == methods
        method = api(f"/api/v1/methods/{slug(hub.methods[0], code)}/", **q).body
        assert len(method["facts"]) == side
        comparison = api(f"/api/v1/comparisons/{slug(hub.comparison, code)}/", **q).body
        assert (len(comparison["columns"]), len(comparison["rows"])) == (side, side)
        aftercare = api(f"/api/v1/aftercare/{slug(hub.aftercare, code)}/", **q).body
        assert (len(aftercare["tracks"]), len(aftercare["stages"])) == (side, side)
        assert sum(t["method"] is not None for t in aftercare["tracks"]) == side - 1
        items = api(f"/api/v1/item-lists/{slug(hub.item_list, code)}/", **q).body
        assert len(items["items"]) == 2 * units
        faq_item = api(f"/api/v1/faq-items/{slug(hub.faq_items[0], code)}/", **q).body
        assert len(faq_item["cause_types"]) == units
        assert len(faq_item["methods"]) == methods
        assert len(faq_item["articles"]) == units
        clinic = api("/api/v1/clinic/", **q).body
        assert len(clinic["channels"]) == world.channels
        assert len(clinic["trust_points"]["items"]) == 2 * units
        for path in ("articles", "cause-types", "comparisons", "aftercare"):
            assert api(f"/api/v1/{path}/", **q).body["count"] == world.units
        faq_items = api("/api/v1/faq-items/", **q).body["count"]
        assert faq_items == 2 * world.units + (side - 2)
