"""Canaries: content that is not visible in a language never shows in it (DESIGN §3).

Next to the demo content, every publishable type gets a canary in one non-public
state: never published, unpublished (published, then unpublished), scheduled
(publish time a year ahead), published in the other languages only, or published
with unpublished changes (published everywhere with plain text, then given its
markers in a saved working copy that is not published: docs/publishing.md). Every
translated field of a canary and of its parts, slugs included, carries a marker
naming the type, the state and the language. The canaries are linked to the public
content wherever the rules allow, and that content is published again with the
links: FAQ items on the demo article and in the demo category, cause types and
methods on demo FAQ items, methods on demo cause types, a method as a track of a
published timeline (a scheduled one is refused as a column of the demo
comparison); an FAQ category has canary items only; the clinic profile is a canary.

Then every endpoint is walked in the language(s) where the canaries are not visible:
every list page, every detail of every listed object, the sitemap of every type,
the FAQ filtered by every visible and every canary slug, the FAQ searched for the
markers, and the canaries' own slugs in every language. No response may contain a
marker (raw bytes, headers included), and every public answer must equal the one
given before the canaries were planted (apart from change times, which linking a
canary moves), or, for the edited canaries, before their edit was saved (change
times included). A control then publishes the canaries and checks that the same
walk would have seen them.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from api.registry import sitemap_types
from content.models import (
    Aftercare,
    AftercareEntry,
    AftercareStage,
    AftercareTrack,
    Article,
    ArticleBlock,
    CauseType,
    ClinicChannel,
    ClinicProfile,
    Comparison,
    ComparisonColumn,
    ComparisonRow,
    Criterion,
    ItemList,
    ListItem,
    Method,
    MethodFact,
)
from faq.models import FAQCategory, FAQItem
from publication.languages import LANGUAGE_CODES, column
from publication.models import (
    Publishable,
    deferred_completeness,
    published_field,
    translated_fields,
)
from richtext import RichTextField
from tests.conftest import fresh
from tests.factories import (
    ArticleBlockFactory,
    MethodFactory,
    aftercare_timeline,
    publish,
)

pytestmark = pytest.mark.django_db

MARK = "canary7f3"
MARKER_RE = re.compile(MARK + r"[a-z0-9]*", re.IGNORECASE)
# The text of an edited canary before its edit: public, and no marker.
PLAIN = "plain"

LISTS = (
    "articles",
    "cause-types",
    "methods",
    "comparisons",
    "aftercare",
    "item-lists",
    "faq-items",
    "faq-categories",
)
SITEMAP_TYPES = tuple(kind.name for kind in sitemap_types())
# The FAQ filters and the list whose slugs they take.
FAQ_FILTERS = {
    "category": "faq-categories",
    "cause_type": "cause-types",
    "method": "methods",
    "article": "articles",
}
# Change times move when a canary is linked to public content: not a leak.
CHANGE_TIMES = {"updated_at", "dateModified", "modified_time"}


def marker(kind: str, state: str, code: str, prefix: str = MARK) -> str:
    """Letters and digits only: a valid slug, one search word, found whole."""
    return f"{prefix}{kind}{state}{code.replace('-', '')}"


def mark(obj: models.Model, kind: str, state: str, prefix: str = MARK) -> models.Model:
    """Every translated field of ``obj``, in every language, with its marker (or,
    with another ``prefix``, a text of the same shape that is no marker)."""
    for name in translated_fields(type(obj)):
        for code in LANGUAGE_CODES:
            model_field = obj._meta.get_field(column(name, code))
            value = marker(kind, state, code, prefix)
            if isinstance(model_field, models.URLField):
                value = f"https://canary.example/{value}"
            elif isinstance(model_field, RichTextField):
                value = f"<p>{value} {name}</p>"
            elif not isinstance(model_field, models.SlugField):
                value = f"{value} {name}"
            setattr(obj, model_field.attname, value)
    return obj


def slug(obj: models.Model, code: str) -> str:
    return getattr(obj, column("slug", code))


def url(path: str, query: dict) -> str:
    # Built here: the api fixture's keyword arguments cannot carry ?method=.
    return f"{path}?{urlencode(query)}" if query else path


def markers_in(response) -> list[str]:
    raw = response.response
    text = raw.content.decode() + "\n".join(f"{k}: {v}" for k, v in raw.items())
    return sorted(set(MARKER_RE.findall(text)))


def without_keys(value, keys: set[str]):
    if isinstance(value, dict):
        return {k: without_keys(v, keys) for k, v in value.items() if k not in keys}
    if isinstance(value, list):
        return [without_keys(v, keys) for v in value]
    return value


# The canaries.


@dataclass
class State:
    name: str  # as in the markers
    published: tuple[str, ...]  # languages published in, now or at publish time
    walked: tuple[str, ...]  # languages in which nothing of it may show
    scheduled: bool = False
    unpublished: bool = False
    # Published without markers, then marked in a working copy saved unpublished.
    edited: bool = False


STATES = {
    "never_published": State("never", (), LANGUAGE_CODES),
    "unpublished": State("unpub", LANGUAGE_CODES, LANGUAGE_CODES, unpublished=True),
    "scheduled": State("sched", LANGUAGE_CODES, LANGUAGE_CODES, scheduled=True),
    **{
        f"published_in_other_languages_only-{code}": State(
            f"other{code.replace('-', '')}",
            tuple(c for c in LANGUAGE_CODES if c != code),
            (code,),
        )
        for code in LANGUAGE_CODES
    },
    "published_with_unpublished_changes": State(
        "edited", LANGUAGE_CODES, LANGUAGE_CODES, edited=True
    ),
}


@dataclass
class Canaries:
    state: State
    item_list: ItemList
    method: Method
    comparison: Comparison
    aftercare: Aftercare
    cause_type: CauseType
    article: Article
    category: FAQCategory
    faq_items: list[FAQItem]
    profile: ClinicProfile
    # Every object planted (publishables and parts) with its marker kind.
    planted: list[tuple[models.Model, str]]
    # The languages in which the markers are published and visible.
    visible_in: tuple[str, ...] = field(default=())

    def publishables(self) -> list[Publishable]:
        """Embedded objects before what embeds them."""
        return [
            self.item_list,
            self.method,
            self.comparison,
            self.aftercare,
            self.cause_type,
            self.article,
            *self.faq_items,
            self.profile,
        ]

    def addressable(self) -> list[tuple[str, models.Model, str]]:
        """(list path, object, marker kind) of every canary with a slug."""
        return [
            ("articles", self.article, "article"),
            ("cause-types", self.cause_type, "causetype"),
            ("methods", self.method, "method"),
            ("comparisons", self.comparison, "comparison"),
            ("aftercare", self.aftercare, "aftercare"),
            ("item-lists", self.item_list, "itemlist"),
            ("faq-items", self.faq_items[0], "faqitema"),
            ("faq-items", self.faq_items[1], "faqitemb"),
            ("faq-categories", self.category, "faqcategory"),
        ]

    def filters(self) -> list[tuple[str, models.Model]]:
        return [
            ("category", self.category),
            ("cause_type", self.cause_type),
            ("method", self.method),
            ("article", self.article),
        ]

    def search_terms(self) -> list[str]:
        return [
            MARK,
            *(
                marker(kind, self.state.name, code)
                for kind in ("faqitema", "faqitemb")
                for code in LANGUAGE_CODES
            ),
        ]


def set_languages(obj: Publishable, codes: tuple[str, ...]) -> None:
    for code in LANGUAGE_CODES:
        setattr(obj, published_field(code), code in codes)
    obj.save()


def publish_again(*objects: Publishable) -> None:
    """Publish the working copy of ``objects`` in the languages each is published
    in: the public content takes its links to the canaries only so."""
    for obj in objects:
        obj.refresh_from_db()
        publish(obj, codes=tuple(obj.published_languages))


def plant(state: State, host: Host) -> Canaries:
    """Canaries of every type in ``state``, linked to the public content (an edited
    canary without its markers yet: ``save_markers``)."""
    s = state.name
    prefix = PLAIN if state.edited else MARK
    publish_at = timezone.now()
    if state.scheduled:
        publish_at += datetime.timedelta(days=365)
    planted = []

    def new(model, tag, **values):
        obj = mark(model(**values), tag, s, prefix)
        if issubclass(model, Publishable):
            obj.publish_at = publish_at
        obj.save()
        planted.append((obj, tag))
        return obj

    with deferred_completeness():
        item_list = new(ItemList, "itemlist")
        for position in (1, 2):
            new(ListItem, "listitem", item_list=item_list, position=position)

        method = new(Method, "method", procedure_type=Method.ProcedureType.SURGERY)
        for criterion in Criterion.objects.all():
            new(MethodFact, "fact", method=method, criterion=criterion)

        comparison = new(Comparison, "comparison")
        ComparisonColumn.objects.create(
            comparison=comparison, method=method, position=1
        )
        for position, criterion in enumerate(Criterion.objects.all()[:2], start=1):
            ComparisonRow.objects.create(
                comparison=comparison, criterion=criterion, position=position
            )

        aftercare = new(Aftercare, "aftercare")
        tracks = [
            new(AftercareTrack, "track", aftercare=aftercare, position=1),
            new(
                AftercareTrack, "track2", aftercare=aftercare, method=method, position=2
            ),
        ]
        for position in (1, 2):
            stage = new(
                AftercareStage,
                f"stage{position}",
                aftercare=aftercare,
                start_day=position,
                end_day=position,
                position=position,
            )
            for track in tracks:
                new(AftercareEntry, "entry", stage=stage, track=track)

        cause_type = new(CauseType, "causetype")
        cause_type.methods.set([method, *Method.objects.exclude(pk=method.pk)])

        article = new(Article, "article")
        Kind = ArticleBlock.Kind
        for position, (kind, extra) in enumerate(
            [
                (Kind.TEXT, {}),
                (Kind.LIST, {"item_list": item_list}),
                (Kind.CAUSE_TYPES, {}),
                (Kind.COMPARISON, {"comparison": comparison}),
                (Kind.CALLOUT, {}),
                (Kind.AFTERCARE, {"aftercare": aftercare, "aftercare_method": method}),
                (Kind.FAQ, {}),
                (Kind.CTA, {}),
            ],
            start=1,
        ):
            new(
                ArticleBlock,
                "block",
                article=article,
                kind=kind,
                position=position,
                **extra,
            )

        category = new(FAQCategory, "faqcategory")
        faq_items = [
            # One in the demo category, one alone in a category of its own.
            new(FAQItem, "faqitema", category=host.category, position=99),
            new(FAQItem, "faqitemb", category=category),
        ]
        for item in faq_items:
            item.cause_types.set([cause_type, *host.cause_types])
            item.methods.set([method, *host.methods])
            item.articles.set([article, host.article])

        ClinicProfile.objects.all().delete()
        profile = new(
            ClinicProfile,
            "clinic",
            years_of_practice=1,
            trust_points=item_list,
            care_system=item_list,
        )
        new(ClinicChannel, "channel", profile=profile, kind=ClinicChannel.Kind.CHAT)

    canaries = Canaries(
        state,
        item_list,
        method,
        comparison,
        aftercare,
        cause_type,
        article,
        category,
        faq_items,
        profile,
        planted,
    )
    # The same objects are published in every language by the other states: the
    # save would refuse an incomplete one.
    for obj in canaries.publishables():
        obj.refresh_from_db()
        set_languages(obj, state.published)
    if state.unpublished:
        for obj in reversed(canaries.publishables()):
            set_languages(obj, ())
    elif not (state.scheduled or state.edited):
        canaries.visible_in = state.published

    # Links from public content to the canaries.
    for cause in host.cause_types:
        cause.methods.add(method)
    for item in host.faq_items:
        item.cause_types.add(cause_type)
        item.methods.add(method)
        item.articles.add(article)
    host.method_track.method = method
    host.method_track.save()
    host.method_block.aftercare_method = method
    host.method_block.save()
    publish_again(
        *host.cause_types,
        *host.faq_items,
        host.method_track.aftercare,
        host.article,
    )
    if state.scheduled:
        # A published comparison may take a column for a method scheduled after it
        # in its working copy, but not publish it: the table would change by
        # itself when the method's time comes.
        column = ComparisonColumn.objects.create(
            comparison=host.comparison, method=method, position=99
        )
        for code in host.comparison.published_languages:
            with pytest.raises(ValidationError, match="is scheduled after this one"):
                fresh(host.comparison).publish(code)
        column.delete()
    return canaries


def save_markers(canaries: Canaries) -> None:
    """Give every planted object its markers in the working copy and save it,
    publishing nothing (an editor's saved, unpublished changes)."""
    with deferred_completeness():
        for obj, tag in canaries.planted:
            obj.refresh_from_db()
            mark(obj, tag, canaries.state.name).save()


# The public content next to them.


@dataclass
class Host:
    article: Article
    comparison: Comparison
    category: FAQCategory
    cause_types: list[CauseType]
    methods: list[Method]
    faq_items: list[FAQItem]
    method_track: AftercareTrack  # of a published timeline, for a canary method
    method_block: ArticleBlock  # shows that timeline for one method


def host_content() -> Host:
    """The demo, with criteria named in Simplified Chinese (so a canary method can be
    complete there), no clinic profile (the profile is a canary) and a published
    timeline shown in the demo article for one method. That method's track will
    become a canary method's: until then it belongs to a draft method, so that the
    timeline shows the same either way (a track of a hidden method)."""
    for criterion in Criterion.objects.all():
        criterion.name_zh_hans = f"标准 {criterion.key}"
        criterion.save()
    ClinicProfile.objects.all().delete()
    draft = MethodFactory()
    timeline = aftercare_timeline(stages=2, tracks=2)
    track = timeline.tracks[1]
    track.method = draft
    track.save()
    article = Article.objects.earliest("pk")
    for code in article.published_languages:
        timeline.aftercare.publish(code)
    block = ArticleBlockFactory(
        article=article,
        kind=ArticleBlock.Kind.AFTERCARE,
        aftercare=timeline.aftercare,
        aftercare_method=draft,
        position=99,
    )
    publish_again(article)
    return Host(
        article=article,
        comparison=Comparison.objects.earliest("pk"),
        category=FAQCategory.objects.earliest("pk"),
        cause_types=list(CauseType.objects.all()),
        methods=list(Method.objects.all()),
        faq_items=list(FAQItem.objects.all()),
        method_track=track,
        method_block=block,
    )


# Walking the API.


class Walk:
    """GETs that fail on any marker in the answer, and the public answers seen
    (without the keys ``ignored``)."""

    def __init__(self, api, ignored: frozenset[str] = frozenset(CHANGE_TIMES)):
        self.api = api
        self.ignored = ignored
        self.answers: dict[str, tuple[int, object]] = {}

    def get(self, path: str, *, record: bool = True, **query):
        address = url(path, query)
        response = self.api(address)
        leaked = markers_in(response)
        assert not leaked, f"GET {address} ({response.status}) shows {leaked}"
        if record:
            self.answers[address] = (
                response.status,
                without_keys(response.body, self.ignored),
            )
        return response

    def pages(self, path: str, *, record: bool = True, **query) -> list[dict]:
        """Every page of a list, 100 per page."""
        results, page = [], 1
        while True:
            response = self.get(path, record=record, page_size=100, page=page, **query)
            assert response.status == 200, (path, query, response.body)
            results += response.body["results"]
            if response.body["next"] is None:
                return results
            page += 1

    def public(self, code: str) -> None:
        """Every list, every detail of what they list by each of its slugs, the
        sitemap of every type, the FAQ filtered by every listed slug, the clinic,
        the root, the locales."""
        self.get("/api/v1/")
        self.get("/api/v1/locales/")
        self.get("/api/v1/clinic/", locale=code)
        slugs = {}
        for name in LISTS:
            rows = self.pages(f"/api/v1/{name}/", locale=code)
            slugs[name] = [row["slug"] for row in rows]
            for row in rows:
                response = self.get(
                    f"/api/v1/{name}/{quote(row['slug'])}/", locale=code
                )
                assert response.status == 200, (name, row["slug"], response.body)
                # Its slugs in the other languages: a 404 naming the right one.
                for other in {a["slug"] for a in row["alternates"]["languages"]}:
                    if other == row["slug"]:
                        continue
                    response = self.get(f"/api/v1/{name}/{quote(other)}/", locale=code)
                    assert response.status == 404, (name, other, response.body)
                    assert response.body["error"]["details"] == {
                        "locale": code,
                        "slug": row["slug"],
                    }
        self.pages("/api/v1/faq-items/", locale=code, structured_data="true")
        self.pages("/api/v1/sitemap/", locale=code)
        for kind in SITEMAP_TYPES:
            self.pages("/api/v1/sitemap/", locale=code, type=kind)
        for param, name in FAQ_FILTERS.items():
            for value in slugs[name]:
                self.pages("/api/v1/faq-items/", locale=code, **{param: value})

    def canaries(self, canaries: Canaries, code: str) -> None:
        """The canaries' own addresses, filters and search words, in ``code``."""
        for name, obj, _kind in canaries.addressable():
            for other in LANGUAGE_CODES:
                response = self.get(
                    f"/api/v1/{name}/{quote(slug(obj, other))}/",
                    record=False,
                    locale=code,
                )
                assert response.status == 404, (name, other, response.body)
        for param, obj in canaries.filters():
            for other in LANGUAGE_CODES:
                rows = self.pages(
                    "/api/v1/faq-items/",
                    record=False,
                    locale=code,
                    **{param: slug(obj, other)},
                )
                assert rows == [], (param, other)
        for term in canaries.search_terms():
            rows = self.pages(
                "/api/v1/faq-items/", record=False, locale=code, search=term
            )
            assert rows == [], term


def first_difference(a, b, where: str = "") -> str:
    """Where two JSON values first differ, and how."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(a.keys() | b.keys(), key=str):
            if a.get(key) != b.get(key):
                return first_difference(a.get(key), b.get(key), f"{where}.{key}")
    if isinstance(a, list | tuple) and isinstance(b, list | tuple) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return first_difference(x, y, f"{where}[{i}]")
    return f"{where or '.'}: {a!r:.200} → {b!r:.200}"


def differences(before: Walk, after: Walk) -> list[str]:
    problems = []
    for address in sorted(before.answers.keys() | after.answers.keys()):
        if address not in before.answers:
            problems.append(f"only with canaries: {address}")
        elif address not in after.answers:
            problems.append(f"gone with canaries: {address}")
        elif before.answers[address] != after.answers[address]:
            problems.append(
                f"changed: {address} at "
                + first_difference(before.answers[address], after.answers[address])
            )
    return problems


# What a visible canary adds to the counts of /locales/.
CANARY_COUNTS = {
    "articles": 1,
    "cause_types": 1,
    "methods": 1,
    "comparisons": 1,
    "aftercare": 1,
    "item_lists": 1,
    "faq_items": 2,
    "faq_categories": 1,
    "clinic_profile": 1,
}


def published_counts(walk: Walk) -> dict[str, dict[str, int]]:
    status, body = walk.answers["/api/v1/locales/"]
    assert status == 200
    return {entry["code"]: entry["published"] for entry in body}


@pytest.mark.parametrize("state", list(STATES.values()), ids=list(STATES))
def test_canary_never_appears_where_it_is_not_visible(demo, api, state):
    host = host_content()
    # An edited canary is public before its edit, and a save changes no answer,
    # not even a change time.
    canaries = plant(state, host) if state.edited else None
    ignored = frozenset() if state.edited else frozenset(CHANGE_TIMES)
    before = Walk(api, ignored)
    for code in state.walked:
        before.public(code)

    if state.edited:
        save_markers(canaries)
    else:
        canaries = plant(state, host)
    after = Walk(api, ignored)
    for code in state.walked:
        after.public(code)
        after.canaries(canaries, code)

    if not state.edited:  # the edited profile is public, as it was before
        for code in state.walked:
            assert after.answers[url("/api/v1/clinic/", {"locale": code})][0] == 404

    # The public answers are those given without the canaries.
    locales = "/api/v1/locales/"
    counts_before, counts_after = published_counts(before), published_counts(after)
    del before.answers[locales], after.answers[locales]
    changed = differences(before, after)
    assert not changed, "\n".join(changed)
    for code in LANGUAGE_CODES:
        expected = dict(counts_before[code])
        if code in canaries.visible_in:
            expected = {k: v + CANARY_COUNTS[k] for k, v in expected.items()}
        assert counts_after[code] == expected, code
    assert not set(canaries.visible_in) & set(state.walked)

    assert_canaries_are_seen_where_visible(api, canaries, host)
    if state.edited:
        # Published, the edit shows everywhere.
        for obj in canaries.publishables():
            publish(obj, codes=LANGUAGE_CODES)
        canaries.visible_in = LANGUAGE_CODES
        assert_canaries_are_seen_where_visible(api, canaries, host)
    assert_walk_would_see_visible_canaries(api, canaries, host, state.walked[0])


# Controls: the canaries are real, and the walk would see them.


def assert_canaries_are_seen_where_visible(api, canaries: Canaries, host: Host):
    """Where a canary is published, each of its addresses shows its markers of that
    language, and those only (``alternates`` name the other languages' slugs)."""
    for code in canaries.visible_in:
        suffix = code.replace("-", "")
        for name, obj, kind in [
            *canaries.addressable(),
            ("clinic", canaries.profile, "clinic"),
        ]:
            if name == "clinic":
                address = "/api/v1/clinic/"
            else:
                address = f"/api/v1/{name}/{quote(slug(obj, code))}/"
            response = api(url(address, {"locale": code}))
            assert response.status == 200, (address, code, response.body)
            shown = json.dumps(without_keys(response.body, {"alternates"}))
            found = set(MARKER_RE.findall(shown))
            assert marker(kind, canaries.state.name, code) in found, address
            assert all(m.endswith(suffix) for m in found), (address, code, found)


def reveal(canaries: Canaries, code: str) -> None:
    """Publish every canary's working copy in ``code``, visible now (a scheduled
    one is brought forward), as an editor would from the publication panel."""
    now = timezone.now()
    for obj in canaries.publishables():
        obj.refresh_from_db()
        obj.publish_at = min(obj.publish_at, now)
        obj.publish(code)


def assert_walk_would_see_visible_canaries(
    api, canaries: Canaries, host: Host, code: str
):
    reveal(canaries, code)
    state = canaries.state.name

    def shows(path: str, *kinds: str, **query) -> None:
        if path.rstrip("/").rsplit("/", 1)[-1] in (*LISTS, "sitemap"):
            query["page_size"] = 100
        response = api(url(path, {"locale": code, **query}))
        assert response.status == 200, (path, query, response.body)
        found = markers_in(response)
        for kind in kinds:
            assert marker(kind, state, code) in found, (path, query, kind, found)

    for name, kind in zip(
        LISTS,
        (
            "article",
            "causetype",
            "method",
            "comparison",
            "aftercare",
            "itemlist",
            "faqitemb",
            "faqcategory",
        ),
        strict=True,
    ):
        shows(f"/api/v1/{name}/", kind)
    shows("/api/v1/sitemap/", "article", "method", "faqcategory", "faqitemb")
    shows("/api/v1/faq-items/", "faqitema", search=MARK)
    shows("/api/v1/faq-items/", "faqitema", category=slug(host.category, code))
    if code in host.article.published_languages:
        article = f"/api/v1/articles/{quote(slug(host.article, code))}/"
        # FAQ block, cause types block and their methods, the timeline's track.
        shows(article, "faqitema", "faqitemb", "causetype", "method")
        item = f"/api/v1/faq-items/{quote(slug(host.faq_items[0], code))}/"
        shows(item, "causetype", "method", "article")
    shows(
        "/api/v1/articles/" + quote(slug(canaries.article, code)) + "/",
        "article",
        "block",
        "itemlist",
        "listitem",
        "comparison",
        "fact",
        "aftercare",
        "stage1",
        "track2",
        "entry",
        "faqitema",
    )
    shows("/api/v1/clinic/", "clinic", "channel", "itemlist")
    counts = {
        entry["code"]: entry["published"] for entry in api("/api/v1/locales/").body
    }
    assert counts[code]["clinic_profile"] == 1
