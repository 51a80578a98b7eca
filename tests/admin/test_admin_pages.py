"""Every admin page renders for a superuser on the demo content, with a query count
that stays the same as the data grows; the Korean admin UI; language status
columns, the "missing in" filter and search over every language."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

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
    Image,
    ItemList,
    ListItem,
    Method,
    MethodFact,
    Rendition,
)
from faq.models import FAQCategory, FAQItem
from publication.languages import LANGUAGE_CODES, column
from publication.tasks import time_reached
from webhooks.models import Delivery, Endpoint, Event

User = get_user_model()

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
CONTENT_MODELS = [m for m in REGISTERED if m._meta.app_label in ("content", "faq")]

# How many rows each growth step adds: well over the demo's own counts (18 blocks,
# 9 criteria, 5 FAQ items), so a query per row would show.
MORE = 30

# Queries per page on the demo data, measured; the same count must hold once the
# data has grown. Sessions, user and permissions included; a publishable's change
# page also reads its published versions (the publication panel's states) and its
# outdated translations, and a content list counts the outdated ones (one query).
# An object that shows images reads them with its parts (one query), and each
# image field with an image chosen reads it (Django's autocomplete widget: one
# query per image, an image block's too: the demo article has a hero image and
# one image block).
QUERY_BOUNDS = {
    "auth.Group": {"changelist": 6, "add": 4, "change": 6},
    "auth.User": {"changelist": 7, "add": 3, "change": 8},
    "content.Aftercare": {"changelist": 7, "add": 5, "change": 20},
    "content.Article": {"changelist": 7, "add": 11, "change": 20},
    "content.CauseType": {"changelist": 10, "add": 4, "change": 10},
    "content.ClinicProfile": {"changelist": 8, "add": 3, "change": 16},
    "content.Comparison": {"changelist": 7, "add": 7, "change": 16},
    "content.Criterion": {"changelist": 10, "add": 3, "change": 5},
    "content.ItemList": {"changelist": 7, "add": 3, "change": 9},
    "content.Image": {"changelist": 8, "add": 3, "change": 6},
    "content.Method": {"changelist": 10, "add": 5, "change": 12},
    "django_tasks_database.DBTaskResult": {"changelist": 8, "add": 2, "change": 4},
    "faq.FAQCategory": {"changelist": 10, "add": 3, "change": 5},
    "faq.FAQItem": {"changelist": 11, "add": 7, "change": 15},
    "webhooks.Delivery": {"changelist": 7, "add": 2, "change": 6},
    "webhooks.Endpoint": {"changelist": 6, "add": 3, "change": 4},
}
GRID_QUERY_BOUND = 7

# One clinic per installation: no add page once the profile exists. Tasks are
# enqueued by the code, never added by hand (django-tasks-db's read-only admin),
# and so are webhook deliveries.
ADD_FORBIDDEN = {ClinicProfile, DBTaskResult, Delivery}


def texts(field: str, text: str) -> dict[str, str]:
    """``field`` filled in every language."""
    return {column(field, code): f"{text} ({code})" for code in LANGUAGE_CODES}


def slugs(text: str) -> dict[str, str]:
    return {column("slug", code): f"{text}-{code}" for code in LANGUAGE_CODES}


def new_criteria(count: int) -> list[Criterion]:
    return Criterion.objects.bulk_create(
        Criterion(key=f"extra-{n}", position=100 + n, **texts("name", f"Row {n}"))
        for n in range(count)
    )


def new_methods(count: int) -> list[Method]:
    return Method.objects.bulk_create(
        Method(
            procedure_type=Method.ProcedureType.INJECTION,
            position=100 + n,
            **texts("name", f"Method {n}"),
            **texts("summary", f"Summary {n}"),
            **slugs(f"method-{n}"),
        )
        for n in range(count)
    )


def new_cause_types(count: int) -> list[CauseType]:
    return CauseType.objects.bulk_create(
        CauseType(
            position=100 + n,
            **texts("name", f"Cause {n}"),
            **texts("description", f"<p>Cause {n}</p>"),
            **slugs(f"cause-{n}"),
        )
        for n in range(count)
    )


def new_faq_items(count: int, category: FAQCategory) -> list[FAQItem]:
    return FAQItem.objects.bulk_create(
        FAQItem(
            category=category,
            position=100 + n,
            **texts("question", f"Question {n}?"),
            **texts("answer", f"<p>Answer {n}</p>"),
            **slugs(f"question-{n}"),
        )
        for n in range(count)
    )


# Growth: more rows of the model (its changelist) and of the first object's
# children, inline rows and many-to-many choices (its change page).


def grow_group(group: Group) -> None:
    Group.objects.bulk_create(Group(name=f"group {n}") for n in range(MORE))
    group.permissions.set(Permission.objects.all()[:MORE])


def grow_user(user) -> None:
    User.objects.bulk_create(User(username=f"editor{n}") for n in range(MORE))
    user.groups.set(
        Group.objects.bulk_create(Group(name=f"team {n}") for n in range(MORE))
    )
    user.user_permissions.set(Permission.objects.all()[:MORE])


def grow_criterion(criterion: Criterion) -> None:
    new_criteria(MORE)


def grow_method(method: Method) -> None:
    new_methods(MORE)
    MethodFact.objects.bulk_create(
        MethodFact(method=method, criterion=criterion, **texts("text", "Fact"))
        for criterion in new_criteria(MORE)
    )


def grow_image(image: Image) -> None:
    """More images in the library (their files are not read), and renditions of
    this one."""
    Image.objects.bulk_create(
        Image(
            file=f"images/00/{n:032d}.png",
            width=100,
            height=50,
            format="png",
            color="#000000",
            placeholder="data:,",
            **texts("alt_text", f"Picture {n}"),
        )
        for n in range(MORE)
    )
    Rendition.objects.bulk_create(
        Rendition(
            image=image,
            width=10 + n,
            height=5,
            format="webp",
            file=f"renditions/{n}.webp",
        )
        for n in range(MORE)
    )


def grow_comparison(comparison: Comparison) -> None:
    Comparison.objects.bulk_create(
        Comparison(**texts("title", f"Comparison {n}"), **slugs(f"comparison-{n}"))
        for n in range(MORE)
    )
    ComparisonRow.objects.bulk_create(
        ComparisonRow(comparison=comparison, criterion=criterion, position=100 + n)
        for n, criterion in enumerate(new_criteria(MORE))
    )
    ComparisonColumn.objects.bulk_create(
        ComparisonColumn(comparison=comparison, method=method, position=100 + n)
        for n, method in enumerate(new_methods(MORE))
    )


def grow_aftercare(aftercare: Aftercare) -> None:
    Aftercare.objects.bulk_create(
        Aftercare(**texts("title", f"Aftercare {n}"), **slugs(f"aftercare-{n}"))
        for n in range(MORE)
    )
    stages = AftercareStage.objects.bulk_create(
        AftercareStage(
            aftercare=aftercare,
            start_day=100 + n,
            end_day=100 + n,
            position=100 + n,
            **texts("label", f"Day {100 + n}"),
        )
        for n in range(MORE)
    )
    tracks = AftercareTrack.objects.bulk_create(
        AftercareTrack(
            aftercare=aftercare, position=100 + n, **texts("label", f"Track {n}")
        )
        for n in range(MORE)
    )
    AftercareEntry.objects.bulk_create(
        AftercareEntry(stage=stage, track=track, **texts("text", "Rest"))
        for stage in stages
        for track in [*aftercare.tracks.all()[:3], *tracks[:3]]
    )


def grow_item_list(item_list: ItemList) -> None:
    ItemList.objects.bulk_create(
        ItemList(**texts("title", f"List {n}"), **slugs(f"list-{n}"))
        for n in range(MORE)
    )
    ListItem.objects.bulk_create(
        ListItem(
            item_list=item_list,
            position=100 + n,
            **texts("title", f"Item {n}"),
            **texts("text", f"Text {n}"),
        )
        for n in range(MORE)
    )


def grow_cause_type(cause_type: CauseType) -> None:
    new_cause_types(MORE)
    cause_type.methods.add(*new_methods(MORE))


def grow_article(article: Article) -> None:
    Article.objects.bulk_create(
        Article(**texts("title", f"Article {n}"), **slugs(f"article-{n}"))
        for n in range(MORE)
    )
    ArticleBlock.objects.bulk_create(
        ArticleBlock(
            article=article,
            kind=ArticleBlock.Kind.TEXT,
            position=100 + n,
            **texts("heading", f"Heading {n}"),
            **texts("body", f"<p>Body {n}</p>"),
        )
        for n in range(MORE)
    )


def grow_clinic_profile(profile: ClinicProfile) -> None:
    ClinicChannel.objects.bulk_create(
        ClinicChannel(
            profile=profile,
            kind=ClinicChannel.Kind.SITE,
            position=100 + n,
            **texts("label", f"Channel {n}"),
            **{
                column("url", code): f"https://example.com/{code}/{n}"
                for code in LANGUAGE_CODES
            },
        )
        for n in range(MORE)
    )


def grow_faq_category(category: FAQCategory) -> None:
    FAQCategory.objects.bulk_create(
        FAQCategory(position=100 + n, **texts("name", f"Topic {n}"), **slugs(f"t{n}"))
        for n in range(MORE)
    )
    new_faq_items(MORE, category)


def grow_faq_item(item: FAQItem) -> None:
    new_faq_items(MORE, item.category)
    item.cause_types.add(*new_cause_types(MORE))
    item.methods.add(*new_methods(MORE))


def new_tasks(count: int) -> None:
    """Publication times waiting in the background worker's queue."""
    for n in range(count):
        when = timezone.now() + dt.timedelta(hours=1 + n)
        time_reached.using(run_after=when).enqueue("faq.FAQItem", n, when.isoformat())


def grow_task(task: DBTaskResult) -> None:
    new_tasks(MORE)


def new_deliveries(endpoint: Endpoint, count: int) -> None:
    """Webhook events of changes, each with its delivery."""
    start = Event.objects.filter(endpoint=endpoint).count()
    events = Event.objects.bulk_create(
        Event(
            endpoint=endpoint,
            change=start + n,
            webhook_id=f"msg_{endpoint.pk}_{start + n}",
        )
        for n in range(count)
    )
    Delivery.objects.bulk_create(Delivery(event=event) for event in events)


def grow_delivery(delivery: Delivery) -> None:
    new_deliveries(delivery.event.endpoint, MORE)


def grow_endpoint(endpoint: Endpoint) -> None:
    Endpoint.objects.bulk_create(
        Endpoint(url=f"https://www.example.com/hooks/{n}", languages=["ko"])
        for n in range(MORE)
    )


GROWTH: dict[str, Callable] = {
    "auth.Group": grow_group,
    "auth.User": grow_user,
    "content.Aftercare": grow_aftercare,
    "content.Article": grow_article,
    "content.CauseType": grow_cause_type,
    "content.ClinicProfile": grow_clinic_profile,
    "content.Comparison": grow_comparison,
    "content.Criterion": grow_criterion,
    "content.ItemList": grow_item_list,
    "content.Image": grow_image,
    "content.Method": grow_method,
    "django_tasks_database.DBTaskResult": grow_task,
    "faq.FAQCategory": grow_faq_category,
    "faq.FAQItem": grow_faq_item,
    "webhooks.Delivery": grow_delivery,
    "webhooks.Endpoint": grow_endpoint,
}


def label(model) -> str:
    return model._meta.label


def admin_url(model, page: str, *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=args)


def first_object(model):
    obj = model._default_manager.order_by("pk").first()
    if obj is None and model is Group:
        obj = Group.objects.create(name="Editors")
    if obj is None and model is DBTaskResult:
        new_tasks(1)
        obj = DBTaskResult.objects.get()
    if obj is None and model in (Endpoint, Delivery):
        new_deliveries(Endpoint.objects.create(url="https://www.example.com/hooks"), 1)
        obj = model._default_manager.get()
    assert obj is not None, f"the demo has no {label(model)}"
    return obj


def listed(response) -> list:
    return list(response.context["cl"].result_list)


def test_every_registered_model_has_a_query_bound_and_a_growth_step():
    assert sorted(QUERY_BOUNDS) == sorted(GROWTH) == [label(m) for m in REGISTERED]


@pytest.mark.parametrize("page", ["changelist", "add", "change"])
@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_admin_page_renders_with_a_query_count_that_does_not_grow_with_the_data(
    demo, admin_client, django_assert_max_num_queries, model, page
):
    obj = first_object(model)
    url = admin_url(model, page, *([obj.pk] if page == "change" else []))
    expected_status = 403 if page == "add" and model in ADD_FORBIDDEN else 200
    bound = QUERY_BOUNDS[label(model)][page]
    admin_client.get(url)  # fills the per-process caches (content types, …)

    with django_assert_max_num_queries(bound) as before:
        response = admin_client.get(url)
    assert response.status_code == expected_status
    rows_before = response.context["cl"].result_count if page == "changelist" else 0
    added_rows = 0 if model is ClinicProfile else MORE  # a singleton

    GROWTH[label(model)](obj)

    with django_assert_max_num_queries(bound) as after:
        response = admin_client.get(url)
    assert response.status_code == expected_status
    assert len(after.captured_queries) == len(before.captured_queries)
    if page == "changelist":
        assert response.context["cl"].result_count == rows_before + added_rows
    if page == "change":
        assert response.context["original"] == obj


def test_clinic_profile_add_page_renders_while_there_is_no_profile(admin_client):
    response = admin_client.get(admin_url(ClinicProfile, "add"))

    assert response.status_code == 200


@pytest.mark.parametrize("code", LANGUAGE_CODES)
@pytest.mark.parametrize("model", [Comparison, Aftercare], ids=label)
def test_grid_page_renders_in_every_language(
    demo, admin_client, django_assert_max_num_queries, model, code
):
    obj = model.objects.get()
    rows, columns = (9, 3) if model is Comparison else (4, 3)

    admin_client.get(admin_url(model, "grid", obj.pk), {"lang": code})
    with django_assert_max_num_queries(GRID_QUERY_BOUND):
        response = admin_client.get(admin_url(model, "grid", obj.pk), {"lang": code})

    assert response.status_code == 200
    assert response.context["language"] == code
    assert [len(line) for _row, line in response.context["table"]] == [columns] * rows
    assert response.content.decode().count("<textarea ") == rows * columns


def test_grid_query_count_does_not_grow_with_the_grid(
    demo, admin_client, django_assert_max_num_queries
):
    comparison = Comparison.objects.get()
    url = admin_url(Comparison, "grid", comparison.pk)
    admin_client.get(url, {"lang": "ja"})  # fills the per-process caches
    with CaptureQueriesContext(connection) as before:
        admin_client.get(url, {"lang": "ja"})

    grow_comparison(comparison)

    with django_assert_max_num_queries(GRID_QUERY_BOUND) as after:
        response = admin_client.get(url, {"lang": "ja"})
    assert len(response.context["table"]) == 9 + MORE
    assert len(after.captured_queries) == len(before.captured_queries)


# The Korean admin UI.


def test_admin_index_is_in_korean_for_a_korean_browser(demo, admin_client):
    korean = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="ko")
    english = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")

    assert korean.status_code == english.status_code == 200
    # Django's own catalog, not the project's: "Recent actions", "Log out".
    assert '<html lang="ko"' in korean.content.decode()
    assert "최근 활동" in korean.content.decode()
    assert "로그아웃" in korean.content.decode()
    assert "최근 활동" not in english.content.decode()
    assert "Recent actions" in english.content.decode()


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=label)
def test_korean_changelist_has_one_status_column_per_language(
    demo, admin_client, model
):
    response = admin_client.get(
        admin_url(model, "changelist"), HTTP_ACCEPT_LANGUAGE="ko"
    )

    assert response.status_code == 200
    assert response["Content-Language"] == "ko"
    headers = [str(h["text"]) for h in result_headers(response.context["cl"])]
    assert headers[-4:] == ["EN", "KO", "JA", "ZH-HANS"]
    status_columns = [c for c in response.context["cl"].list_display if callable(c)]
    assert [c.__name__ for c in status_columns] == [
        "status_en",
        "status_ko",
        "status_ja",
        "status_zh_hans",
    ]


def test_faq_status_columns_show_each_languages_state(demo, admin_client):
    category = FAQCategory.objects.first()
    FAQItem.objects.create(
        category=category,
        question_en="Does it hurt?",
        answer_en="<p>Barely.</p>",
        question_ko="아픈가요?",
        answer_ko="<p>거의 안 아파요.</p>",
        published_en=True,
    )

    response = admin_client.get(admin_url(FAQItem, "changelist"), {"q": "hurt"})

    html = response.content.decode()
    states = dict(
        re.findall(r'<td class="field-status_(\w+)"><span title="([^"]+)"', html)
    )
    assert states == {
        "en": "published",
        "ko": "complete, not published",
        "ja": "missing translations",
        "zh_hans": "missing translations",
    }


def test_missing_in_filter_lists_exactly_the_faq_items_lacking_chinese(
    demo, admin_client
):
    category = FAQCategory.objects.first()
    lacking = FAQItem.objects.create(
        category=category,
        question_en="Can I drive home afterwards?",
        answer_en="<p>Yes.</p>",
        question_ko="시술 후 운전해서 집에 갈 수 있나요?",
        answer_ko="<p>네.</p>",
        question_ja="施術後、車で帰れますか？",
        answer_ja="<p>はい。</p>",
    )

    chinese = admin_client.get(
        admin_url(FAQItem, "changelist"), {"missing_in": "zh-hans"}
    )
    japanese = admin_client.get(admin_url(FAQItem, "changelist"), {"missing_in": "ja"})

    assert listed(chinese) == [lacking]
    assert listed(japanese) == []


def test_missing_in_filter_lists_the_demo_article_lacking_chinese(demo, admin_client):
    url = admin_url(Article, "changelist")

    chinese = admin_client.get(url, {"missing_in": "zh-hans"})
    korean = admin_client.get(url, {"missing_in": "ko"})

    assert listed(chinese) == [Article.objects.get()]
    assert listed(korean) == []


@pytest.mark.parametrize("code", ["ko", "ja"])
def test_search_finds_a_faq_item_by_its_question_in(demo, admin_client, code):
    item = FAQItem.objects.order_by("pk")[1]
    question = getattr(item, column("question", code))

    response = admin_client.get(admin_url(FAQItem, "changelist"), {"q": question})

    assert listed(response) == [item]
