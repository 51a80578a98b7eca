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
from django.db import connection, transaction

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
from publication.models import deferred_completeness, published_field
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
)

pytestmark = pytest.mark.django_db

CODES = ("en", "ko")
LARGER = 10


def publish_in(obj, codes: tuple[str, ...] = CODES) -> None:
    for code in codes:
        setattr(obj, published_field(code), True)
    obj.save()


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
    the cause type and the methods; embedded objects published first."""
    grid = comparison_grid(methods=side, criteria=side, published=CODES)
    timeline = aftercare_timeline(stages=side, tracks=side)
    with deferred_completeness():
        for track, method in zip(timeline.tracks[1:], grid.methods, strict=False):
            track.method = method
            track.save()
    publish_in(timeline.aftercare)
    item_list = item_list_with_items(items=items, published=CODES)
    cause_type = CauseTypeFactory()
    cause_type.methods.set(grid.methods)
    publish_in(cause_type)
    category = FAQCategoryFactory()
    faq_items = []
    for _ in range(side):
        item = FAQItemFactory(category=category)
        item.cause_types.set([cause_type])
        item.methods.set(grid.methods)
        publish_in(item)
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
        publish_in(article)
        articles.append(article)
        for item in unit.faq_items:
            item.articles.add(article, articles[0])
    hub = built[0]
    hub.cause_type.methods.set([m for unit in built for m in unit.methods])
    hub.faq_items[0].cause_types.set([unit.cause_type for unit in built])
    hub.faq_items[0].methods.set([m for unit in built for m in unit.methods])
    hub.faq_items[0].articles.set(articles)
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
    publish_in(profile)
    return profile


def slug(obj, code: str) -> str:
    return getattr(obj, column("slug", code))


# The cases: what to ask for in a language, and the pinned number of queries.

Target = Callable[[Content, str], tuple[str, dict]]
PAGE = {"page_size": 100}  # a whole list on one page: every row is represented


def fixed(path: str, **query) -> Target:
    return lambda content, code: (path, {"locale": code, **query})


def plan(selects: int) -> int:
    """The queries of a detail read plan (api/plans.py) of ``selects``
    SELECTs: PostgreSQL runs them as one statement, other databases one by one."""
    return 1 if connection.vendor == "postgresql" else selects


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

# A list costs a count and a page; a detail its row and one query per kind of
# related rows (see content/selectors.py and faq/selectors.py).
CASES: list[tuple[str, Target, int]] = [
    ("api-root", lambda content, code: ("/api/v1/", {}), 0),
    # One aggregate per publishable type and one for the FAQ categories.
    ("locales", lambda content, code: ("/api/v1/locales/", {}), 9),
    # One UNION ALL over every type, and its count.
    ("sitemap", fixed("/api/v1/sitemap/", **PAGE), 2),
    *[
        (f"sitemap-{kind}", fixed("/api/v1/sitemap/", type=kind, **PAGE), 2)
        for kind in SITEMAP_TYPES
    ],
    ("article-list", fixed("/api/v1/articles/", **PAGE), 2),
    # The article, its blocks, lists (2: rows, items), comparisons (4: rows,
    # columns, criteria, cells), aftercare (4: rows, stages, tracks, entries), cause
    # types (2: rows, methods) and FAQ items (1).
    ("article-detail", detail("/api/v1/articles/", lambda c: c.article), plan(15)),
    ("cause-type-list", fixed("/api/v1/cause-types/", **PAGE), 2),
    (
        "cause-type-detail",
        detail("/api/v1/cause-types/", lambda c: c.hub.cause_type),
        plan(2),
    ),
    ("method-list", fixed("/api/v1/methods/", **PAGE), 2),
    ("method-detail", detail("/api/v1/methods/", lambda c: c.hub.methods[0]), plan(3)),
    ("comparison-list", fixed("/api/v1/comparisons/", **PAGE), 2),
    (
        "comparison-detail",
        detail("/api/v1/comparisons/", lambda c: c.hub.comparison),
        plan(4),
    ),
    ("aftercare-list", fixed("/api/v1/aftercare/", **PAGE), 2),
    (
        "aftercare-detail",
        detail("/api/v1/aftercare/", lambda c: c.hub.aftercare),
        plan(4),
    ),
    ("item-list-list", fixed("/api/v1/item-lists/", **PAGE), 2),
    (
        "item-list-detail",
        detail("/api/v1/item-lists/", lambda c: c.hub.item_list),
        plan(2),
    ),
    ("faq-item-list", fixed("/api/v1/faq-items/", **PAGE), 2),
    (
        "faq-item-list-structured-data",
        fixed("/api/v1/faq-items/", structured_data="true", **PAGE),
        2,
    ),
    ("faq-item-list-by-category", faq_filter("category", lambda c: c.hub.category), 2),
    (
        "faq-item-list-by-cause-type",
        faq_filter("cause_type", lambda c: c.hub.cause_type),
        2,
    ),
    ("faq-item-list-by-method", faq_filter("method", lambda c: c.hub.methods[0]), 2),
    ("faq-item-list-by-article", faq_filter("article", lambda c: c.article), 2),
    ("faq-item-list-search", faq_search, 2),
    ("faq-item-list-all-filters", faq_all_filters, 2),
    # The item and its visible cause types, methods and articles.
    ("faq-item-detail", detail("/api/v1/faq-items/", lambda c: c.hub.faq_items[0]), 4),
    ("faq-category-list", fixed("/api/v1/faq-categories/", **PAGE), 2),
    (
        "faq-category-detail",
        detail("/api/v1/faq-categories/", lambda c: c.hub.category),
        1,
    ),
    # The profile, its channels, its two lists and their items: a read plan.
    ("clinic", fixed("/api/v1/clinic/"), plan(4)),
]

# A slug of another language: the failed lookup (a detail's whole read plan), then
# the object visible in both.
NOT_IN_LOCALE: list[tuple[str, Target, int]] = [
    (f"{name}-by-other-language-slug", elsewhere(path, pick), n)
    for name, path, pick, n in (
        ("article", "/api/v1/articles/", lambda c: c.article, plan(15) + 1),
        ("cause-type", "/api/v1/cause-types/", lambda c: c.hub.cause_type, plan(2) + 1),
        ("method", "/api/v1/methods/", lambda c: c.hub.methods[0], plan(3) + 1),
        ("comparison", "/api/v1/comparisons/", lambda c: c.hub.comparison, plan(4) + 1),
        ("aftercare", "/api/v1/aftercare/", lambda c: c.hub.aftercare, plan(4) + 1),
        ("item-list", "/api/v1/item-lists/", lambda c: c.hub.item_list, plan(2) + 1),
        ("faq-item", "/api/v1/faq-items/", lambda c: c.hub.faq_items[0], 1 + 1),
        ("faq-category", "/api/v1/faq-categories/", lambda c: c.hub.category, 1 + 1),
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
