"""The public API's contract: the whole JSON body of representative objects, in
English and Korean."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from content.models import (
    Aftercare,
    AftercareEntry,
    AftercareStage,
    AftercareTrack,
    Article,
    ArticleBlock,
    CauseType,
    ClinicProfile,
    Comparison,
    ItemList,
    Method,
)
from faq.models import FAQItem
from publication.models import PublishedVersion, deferred_completeness
from tests.factories import (
    AftercareFactory,
    ArticleBlockFactory,
    ArticleFactory,
    CauseTypeFactory,
    ClinicChannelFactory,
    ClinicProfileFactory,
    ComparisonColumnFactory,
    ComparisonFactory,
    ComparisonRowFactory,
    CriterionFactory,
    FAQCategoryFactory,
    FAQItemFactory,
    ItemListFactory,
    ListItemFactory,
    MethodFactFactory,
    MethodFactory,
)

UTC = dt.UTC
PUBLISH_AT = dt.datetime(2025, 3, 1, 0, 0, tzinfo=UTC)
PUBLISHED = ("en", "ko")


@dataclass
class World:
    botox: Method
    lift: Method
    draft_method: Method
    comparison: Comparison
    aftercare: Aftercare
    checklist: ItemList
    muscular: CauseType
    neurogenic: CauseType
    article: Article
    newer_article: Article
    botox_question: FAQItem
    scar_question: FAQItem


def publish(*objects, languages=PUBLISHED) -> None:
    for obj in objects:
        for code in languages:
            obj.publish(code)


def build_world() -> World:
    with deferred_completeness():
        botox = MethodFactory(
            name_en="Botox",
            name_ko="보톡스",
            slug_en="botox",
            slug_ko="보톡스",
            summary_en="Weakens the overpulling muscle.",
            summary_ko="과하게 당기는 근육을 약하게 합니다.",
            procedure_type=Method.ProcedureType.INJECTION,
            position=1,
            publish_at=PUBLISH_AT,
        )
        lift = MethodFactory(
            name_en="Corner lift",
            name_ko="입꼬리 리프팅",
            slug_en="corner-lift",
            slug_ko="입꼬리-리프팅",
            summary_en="Lifts the lower corner surgically.",
            summary_ko="처진 입꼬리를 수술로 올립니다.",
            procedure_type=Method.ProcedureType.SURGERY,
            position=2,
            publish_at=PUBLISH_AT,
        )
        draft_method = MethodFactory(
            name_en="Muscle re-education",
            name_ko="근육 재교육",
            slug_en="muscle-re-education",
            slug_ko="근육-재교육",
            procedure_type=Method.ProcedureType.CONSERVATIVE,
            position=3,
            publish_at=PUBLISH_AT,
        )
        onset = CriterionFactory(
            key="onset", name_en="Onset", name_ko="효과 발현", position=1
        )
        recovery = CriterionFactory(
            key="recovery", name_en="Recovery", name_ko="회복", position=2
        )
        cells = {
            (botox, onset): ("Gradual after 3–7 days", "3–7일 후 서서히"),
            (botox, recovery): ("None to speak of", "거의 없음"),
            (lift, onset): ("Visible at once", "바로 보임"),
            (lift, recovery): ("About a week of swelling", "약 일주일 붓기"),
        }
        for (method, criterion), (text_en, text_ko) in cells.items():
            MethodFactFactory(
                method=method, criterion=criterion, text_en=text_en, text_ko=text_ko
            )
        comparison = ComparisonFactory(
            title_en="Botox or lift?",
            title_ko="보톡스일까 리프팅일까?",
            slug_en="botox-or-lift",
            slug_ko="보톡스-또는-리프팅",
            intro_en="<p>Two approaches side by side.</p>",
            intro_ko="<p>두 가지 방법을 나란히 봅니다.</p>",
            conclusion_en="<p>📍 Bottom line: the cause decides.</p>",
            conclusion_ko="<p>📍 결론: 원인이 결정합니다.</p>",
            publish_at=PUBLISH_AT,
        )
        for position, method in enumerate([botox, lift], start=1):
            ComparisonColumnFactory(
                comparison=comparison, method=method, position=position
            )
        for position, criterion in enumerate([onset, recovery], start=1):
            ComparisonRowFactory(
                comparison=comparison, criterion=criterion, position=position
            )

        aftercare = AftercareFactory(
            title_en="Aftercare by stage",
            title_ko="단계별 회복 관리",
            slug_en="aftercare-by-stage",
            slug_ko="단계별-회복-관리",
            intro_en="<p>The care that follows protects the result.</p>",
            intro_ko="<p>이후의 관리가 결과를 지킵니다.</p>",
            publish_at=PUBLISH_AT,
        )
        first_days = AftercareStage.objects.create(
            aftercare=aftercare,
            label_en="First three days",
            label_ko="첫 사흘",
            start_day=0,
            end_day=3,
            position=1,
        )
        later = AftercareStage.objects.create(
            aftercare=aftercare,
            label_en="After that",
            label_ko="그 이후",
            start_day=4,
            end_day=None,
            position=2,
        )
        shared = AftercareTrack.objects.create(
            aftercare=aftercare, label_en="Everyone", label_ko="공통", position=1
        )
        after_botox = AftercareTrack.objects.create(
            aftercare=aftercare,
            method=botox,
            label_en="After Botox",
            label_ko="보톡스 후",
            position=2,
        )
        after_lift = AftercareTrack.objects.create(
            aftercare=aftercare,
            method=lift,
            label_en="After the lift",
            label_ko="리프팅 후",
            position=3,
        )
        entries = {
            (first_days, shared): ("Sleep on your back", "똑바로 누워 주무세요"),
            (first_days, after_botox): (
                "Don't rub the site",
                "주사 부위를 문지르지 마세요",
            ),
            (first_days, after_lift): ("Cool the wound", "상처를 식혀 주세요"),
            (later, shared): ("Back to daily life", "일상으로 돌아갑니다"),
            (later, after_botox): ("Smile exercises", "미소 운동"),
            (later, after_lift): ("Stitches come out", "실밥을 뽑습니다"),
        }
        for (stage, track), (text_en, text_ko) in entries.items():
            AftercareEntry.objects.create(
                stage=stage, track=track, text_en=text_en, text_ko=text_ko
            )

        checklist = ItemListFactory(
            title_en="Check yourself",
            title_ko="스스로 확인하기",
            slug_en="check-yourself",
            slug_ko="스스로-확인하기",
            intro_en="Answer these before the consultation.",
            intro_ko="상담 전에 답해 보세요.",
            kind=ItemList.Kind.CHECKLIST,
            publish_at=PUBLISH_AT,
        )
        ListItemFactory(
            item_list=checklist,
            title_en="At rest",
            title_ko="가만히 있을 때",
            text_en="Is the corner lower at rest?",
            text_ko="가만히 있을 때도 입꼬리가 낮나요?",
            position=1,
        )
        ListItemFactory(
            item_list=checklist,
            title_en="When smiling",
            title_ko="웃을 때",
            text_en="",
            text_ko="",
            position=2,
        )

        muscular = CauseTypeFactory(
            name_en="Muscular type",
            name_ko="근육형",
            slug_en="muscular",
            slug_ko="근육형",
            tagline_en="The most common",
            tagline_ko="가장 흔한 유형",
            description_en="<p>One muscle <em>over-pulls</em> in a smile.</p>",
            description_ko="<p>웃을 때 한쪽 근육이 <em>과하게</em> 당깁니다.</p>",
            first_step_en="Compare relaxed and smiling photos",
            first_step_ko="편안한 사진과 웃는 사진을 비교하세요",
            red_flags_en="",
            red_flags_ko="",
            refer_to_en="",
            refer_to_ko="",
            rule_out_first=False,
            position=1,
            publish_at=PUBLISH_AT,
        )
        muscular.methods.set([botox, draft_method])
        neurogenic = CauseTypeFactory(
            name_en="Neurogenic type",
            name_ko="신경형",
            slug_en="neurogenic",
            slug_ko="신경형",
            tagline_en="Rule it out first",
            tagline_ko="먼저 배제해야 할 유형",
            description_en="<p>A facial nerve does not fire fully.</p>",
            description_ko="<p>안면 신경이 충분히 작동하지 않습니다.</p>",
            first_step_en="See a neurologist",
            first_step_ko="신경과 진료를 받으세요",
            red_flags_en="Sudden onset; the eye does not close",
            red_flags_ko="갑작스러운 발생, 눈이 감기지 않음",
            refer_to_en="A neurologist before any cosmetic consultation",
            refer_to_ko="미용 상담 전에 신경과 전문의",
            rule_out_first=True,
            position=2,
            publish_at=PUBLISH_AT,
        )

        article = ArticleFactory(
            title_en="Why does my smile pull sideways?",
            title_ko="왜 웃으면 입꼬리가 한쪽으로 당겨질까?",
            slug_en="smile-pulls-sideways",
            slug_ko="입꼬리-비대칭",
            summary_en="Fine in the mirror, pulled sideways in photos.",
            summary_ko="거울에서는 괜찮은데 사진에서는 한쪽으로 당겨집니다.",
            seo_title_en="Mouth corner asymmetry: causes and care",
            seo_title_ko="입꼬리 비대칭: 원인과 관리",
            meta_description_en="Why one corner pulls and what helps.",
            meta_description_ko="한쪽 입꼬리가 당기는 이유와 도움이 되는 방법.",
            topic_en="Mouth corner asymmetry",
            topic_ko="입꼬리 비대칭",
            reviewed_by_en="Dr. Tak",
            reviewed_by_ko="탁 원장",
            last_reviewed=dt.date(2025, 2, 20),
            publish_at=PUBLISH_AT,
        )
        block = ArticleBlockFactory
        block(
            article=article,
            position=1,
            kind=ArticleBlock.Kind.TEXT,
            heading_en="At rest or while smiling?",
            heading_ko="가만히 있을 때, 아니면 웃을 때?",
            body_en='<p>See <a href="https://drtak.example/en/">our site</a>.</p>',
            body_ko='<p><a href="https://drtak.example/ko/">홈페이지</a>를 보세요.</p>',
        )
        block(
            article=article,
            position=2,
            kind=ArticleBlock.Kind.CALLOUT,
            heading_en="Bottom line",
            heading_ko="결론",
            body_en="<p><strong>Find the cause first.</strong></p>",
            body_ko="<p><strong>원인부터 찾으세요.</strong></p>",
        )
        block(
            article=article,
            position=3,
            kind=ArticleBlock.Kind.LIST,
            heading_en="Five questions",
            heading_ko="다섯 가지 질문",
            body_en="",
            body_ko="",
            item_list=checklist,
        )
        block(
            article=article,
            position=4,
            kind=ArticleBlock.Kind.CAUSE_TYPES,
            heading_en="The types",
            heading_ko="유형",
            body_en="<p>Which one is yours?</p>",
            body_ko="<p>어느 유형인가요?</p>",
        )
        block(
            article=article,
            position=5,
            kind=ArticleBlock.Kind.COMPARISON,
            heading_en="How they compare",
            heading_ko="비교",
            body_en="",
            body_ko="",
            comparison=comparison,
        )
        block(
            article=article,
            position=6,
            kind=ArticleBlock.Kind.AFTERCARE,
            heading_en="After Botox",
            heading_ko="보톡스 이후",
            body_en="",
            body_ko="",
            aftercare=aftercare,
            aftercare_method=botox,
        )
        block(
            article=article,
            position=7,
            kind=ArticleBlock.Kind.FAQ,
            heading_en="Questions",
            heading_ko="자주 묻는 질문",
            body_en="",
            body_ko="",
        )
        block(
            article=article,
            position=8,
            kind=ArticleBlock.Kind.CTA,
            heading_en="",
            heading_ko="",
            body_en="<p>Not sure which type?</p>",
            body_ko="<p>어느 유형인지 모르겠나요?</p>",
            cta_label_en="Chat with us",
            cta_label_ko="상담하기",
            cta_url_en="https://drtak.example/en/chat",
            cta_url_ko="https://drtak.example/ko/chat",
        )

        # Newer, and published in English only: first in the English list, absent
        # from the Korean one.
        newer_article = ArticleFactory(
            title_en="Thin upper lip: what can be done?",
            slug_en="thin-upper-lip",
            summary_en="Volume, shape and what lasts.",
            publish_at=PUBLISH_AT + dt.timedelta(days=9),
        )

        category = FAQCategoryFactory(
            name_en="Treatment", name_ko="치료", slug_en="treatment", slug_ko="치료"
        )
        botox_question = FAQItemFactory(
            category=category,
            question_en="Can Botox alone correct it?",
            question_ko="보톡스만으로 교정되나요?",
            slug_en="botox-alone",
            slug_ko="보톡스만으로",
            answer_en="<p>For a <strong>dynamic</strong> asymmetry, often.</p>",
            answer_ko="<p><strong>동적</strong> 비대칭이라면 대개 그렇습니다.</p>",
            position=1,
            publish_at=PUBLISH_AT,
        )
        scar_question = FAQItemFactory(
            category=category,
            question_en="Does the lift leave a scar?",
            question_ko="리프팅은 흉터가 남나요?",
            slug_en="lift-scar",
            slug_ko="리프팅-흉터",
            answer_en="<p>A fine line inside the corner.</p>",
            answer_ko="<p>입꼬리 안쪽에 가는 선이 남습니다.</p>",
            position=2,
            publish_at=PUBLISH_AT,
        )

        # Linked before publication: an FAQ item's published version holds the
        # links it had when it was published.
        botox_question.cause_types.set([muscular])
        botox_question.methods.set([botox, draft_method])
        botox_question.articles.set([article])
        scar_question.articles.set([article])

    publish(botox, lift)
    publish(comparison, aftercare, checklist, muscular, neurogenic, article)
    publish(botox_question)
    # Published in English only: the Korean FAQ block and lists leave it out.
    publish(scar_question, newer_article, languages=("en",))
    return World(
        botox=botox,
        lift=lift,
        draft_method=draft_method,
        comparison=comparison,
        aftercare=aftercare,
        checklist=checklist,
        muscular=muscular,
        neurogenic=neurogenic,
        article=article,
        newer_article=newer_article,
        botox_question=botox_question,
        scar_question=scar_question,
    )


# The saves above set every updated_at to now; each type is then given a fixed last
# change (in the time zone of the settings, with microseconds: the API serves UTC,
# to the second), so that the bodies below say whose time shows where. The API
# serves the published versions' times, so they are pinned with the working copy's.
SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")


def at(day: int, hour: int) -> dt.datetime:
    """Served as ``2025-03-{day}T{hour}:06:07Z``."""
    return dt.datetime(2025, 3, day, hour, 6, 7, 891234, tzinfo=UTC).astimezone(SEOUL)


UPDATED = {
    Method: at(1, 1),
    Comparison: at(1, 2),
    Aftercare: at(1, 3),
    ItemList: at(1, 4),
    CauseType: at(1, 5),
    FAQItem: at(2, 6),
    Article: at(4, 5),
    ClinicProfile: at(3, 7),
}
NEWER_ARTICLE_UPDATED = at(10, 8)


def versions_of(model, pks=None):
    """The published versions of ``model`` (of the objects ``pks`` if given)."""
    versions = PublishedVersion.objects.filter(
        content_type=ContentType.objects.get_for_model(model)
    )
    return versions if pks is None else versions.filter(object_id__in=pks)


def pin_updated_at(world: World | None = None) -> None:
    for model, when in UPDATED.items():
        model.objects.update(updated_at=when)
        versions_of(model).update(updated_at=when)
    if world is not None:
        newer = [world.newer_article.pk]
        Article.objects.filter(pk__in=newer).update(updated_at=NEWER_ARTICLE_UPDATED)
        versions_of(Article, newer).update(updated_at=NEWER_ARTICLE_UPDATED)


@pytest.fixture
def world(db) -> World:
    built = build_world()
    pin_updated_at(built)
    return built


@pytest.fixture
def clinic(db) -> ClinicProfile:
    with deferred_completeness():
        trust_points = ItemListFactory(
            title_en="Why patients choose us",
            title_ko="환자들이 선택하는 이유",
            slug_en="why-patients-choose-us",
            slug_ko="선택하는-이유",
            intro_en="",
            intro_ko="",
            kind=ItemList.Kind.BULLETS,
            publish_at=PUBLISH_AT,
        )
        ListItemFactory(
            item_list=trust_points,
            title_en="One area only",
            title_ko="한 분야에만 집중",
            text_en="Lips and mouth, nothing else.",
            text_ko="입술과 입가만 봅니다.",
            position=1,
        )
        care_system = ItemListFactory(
            title_en="The 4S care system",
            title_ko="4S 케어 시스템",
            slug_en="4s-care-system",
            slug_ko="4s-케어-시스템",
            intro_en="Four steps around every procedure.",
            intro_ko="모든 시술을 둘러싼 네 단계.",
            kind=ItemList.Kind.NUMBERED,
            publish_at=PUBLISH_AT,
        )
        ListItemFactory(
            item_list=care_system,
            title_en="Safe",
            title_ko="안전",
            text_en="One doctor from consultation to follow-up.",
            text_ko="상담부터 사후 관리까지 한 의사가.",
            position=1,
        )
        ListItemFactory(
            item_list=care_system,
            title_en="Sure",
            title_ko="확실",
            text_en="",
            text_ko="",
            position=2,
        )
        profile = ClinicProfileFactory(
            name_en="Dr.Tak Plastic Surgery",
            name_ko="닥터탁성형외과",
            slogan_en="To make people smile",
            slogan_ko="사람을 웃게 하기 위해",
            description_en="<p>A lip &amp; mouth specialist clinic in Korea.</p>",
            description_ko="<p>입술·입 전문 클리닉입니다.</p>",
            years_of_practice=15,
            review_count=190,
            rating=Decimal("4.9"),
            trust_points=trust_points,
            care_system=care_system,
            publish_at=PUBLISH_AT,
        )
        ClinicChannelFactory(
            profile=profile,
            kind="site",
            label_en="Official site",
            label_ko="공식 홈페이지",
            description_en="Find lip & mouth correction information.",
            description_ko="입꼬리 교정 정보를 확인하세요.",
            url_en="https://drtak.example/",
            url_ko="https://drtak.example/ko/",
            position=1,
        )
        ClinicChannelFactory(
            profile=profile,
            kind="chat",
            label_en="Chat consultation",
            label_ko="채팅 상담",
            description_en="",
            description_ko="",
            url_en="https://chat.example/drtak",
            url_ko="https://chat.example/drtak-ko",
            position=2,
        )
    publish(trust_points, care_system, profile)
    pin_updated_at()
    return profile


# Expected pieces that appear in more than one body.


def published_in(**slugs: str) -> dict:
    """``alternates`` of an object published in the given languages (in LANGUAGES
    order); every object here is published in English, its x_default."""
    languages = [
        {"locale": code, "hreflang": code, "slug": slug} for code, slug in slugs.items()
    ]
    return {"languages": languages, "x_default": languages[0]}


BOTOX_REF_EN = {"slug": "botox", "name": "Botox", "procedure_type": "injection"}
BOTOX_REF_KO = {"slug": "보톡스", "name": "보톡스", "procedure_type": "injection"}
LIFT_REF_EN = {
    "slug": "corner-lift",
    "name": "Corner lift",
    "procedure_type": "surgery",
}
LIFT_REF_KO = {
    "slug": "입꼬리-리프팅",
    "name": "입꼬리 리프팅",
    "procedure_type": "surgery",
}

ARTICLE_ALTERNATES = published_in(en="smile-pulls-sideways", ko="입꼬리-비대칭")
COMPARISON_ALTERNATES = published_in(en="botox-or-lift", ko="보톡스-또는-리프팅")
AFTERCARE_ALTERNATES = published_in(en="aftercare-by-stage", ko="단계별-회복-관리")
CHECKLIST_ALTERNATES = published_in(en="check-yourself", ko="스스로-확인하기")
MUSCULAR_ALTERNATES = published_in(en="muscular", ko="근육형")
NEUROGENIC_ALTERNATES = published_in(en="neurogenic", ko="신경형")
BOTOX_QUESTION_ALTERNATES = published_in(en="botox-alone", ko="보톡스만으로")

COMPARISON_EN = {
    "locale": "en",
    "slug": "botox-or-lift",
    "alternates": COMPARISON_ALTERNATES,
    "updated_at": "2025-03-01T02:06:07Z",
    "title": "Botox or lift?",
    "excerpt": "Two approaches side by side.",
    "intro": "<p>Two approaches side by side.</p>",
    "conclusion": "<p>📍 Bottom line: the cause decides.</p>",
    "columns": [BOTOX_REF_EN, LIFT_REF_EN],
    "rows": [
        {
            "criterion": {"key": "onset", "name": "Onset"},
            "cells": ["Gradual after 3–7 days", "Visible at once"],
        },
        {
            "criterion": {"key": "recovery", "name": "Recovery"},
            "cells": ["None to speak of", "About a week of swelling"],
        },
    ],
}
COMPARISON_KO = {
    "locale": "ko",
    "slug": "보톡스-또는-리프팅",
    "alternates": COMPARISON_ALTERNATES,
    "updated_at": "2025-03-01T02:06:07Z",
    "title": "보톡스일까 리프팅일까?",
    "excerpt": "두 가지 방법을 나란히 봅니다.",
    "intro": "<p>두 가지 방법을 나란히 봅니다.</p>",
    "conclusion": "<p>📍 결론: 원인이 결정합니다.</p>",
    "columns": [BOTOX_REF_KO, LIFT_REF_KO],
    "rows": [
        {
            "criterion": {"key": "onset", "name": "효과 발현"},
            "cells": ["3–7일 후 서서히", "바로 보임"],
        },
        {
            "criterion": {"key": "recovery", "name": "회복"},
            "cells": ["거의 없음", "약 일주일 붓기"],
        },
    ],
}

MUSCULAR_EN = {
    "locale": "en",
    "slug": "muscular",
    "alternates": MUSCULAR_ALTERNATES,
    "updated_at": "2025-03-01T05:06:07Z",
    "name": "Muscular type",
    "tagline": "The most common",
    "excerpt": "One muscle over-pulls in a smile.",
    "rule_out_first": False,
    "hero_image": None,
    "description": "<p>One muscle <em>over-pulls</em> in a smile.</p>",
    "first_step": "Compare relaxed and smiling photos",
    "red_flags": "",
    "refer_to": "",
    # The draft method it is linked to is left out.
    "methods": [BOTOX_REF_EN],
}
MUSCULAR_KO = {
    "locale": "ko",
    "slug": "근육형",
    "alternates": MUSCULAR_ALTERNATES,
    "updated_at": "2025-03-01T05:06:07Z",
    "name": "근육형",
    "tagline": "가장 흔한 유형",
    "excerpt": "웃을 때 한쪽 근육이 과하게 당깁니다.",
    "rule_out_first": False,
    "hero_image": None,
    "description": "<p>웃을 때 한쪽 근육이 <em>과하게</em> 당깁니다.</p>",
    "first_step": "편안한 사진과 웃는 사진을 비교하세요",
    "red_flags": "",
    "refer_to": "",
    "methods": [BOTOX_REF_KO],
}
NEUROGENIC_EN = {
    "locale": "en",
    "slug": "neurogenic",
    "alternates": NEUROGENIC_ALTERNATES,
    "updated_at": "2025-03-01T05:06:07Z",
    "name": "Neurogenic type",
    "tagline": "Rule it out first",
    "excerpt": "A facial nerve does not fire fully.",
    "rule_out_first": True,
    "hero_image": None,
    "description": "<p>A facial nerve does not fire fully.</p>",
    "first_step": "See a neurologist",
    "red_flags": "Sudden onset; the eye does not close",
    "refer_to": "A neurologist before any cosmetic consultation",
    "methods": [],
}
NEUROGENIC_KO = {
    "locale": "ko",
    "slug": "신경형",
    "alternates": NEUROGENIC_ALTERNATES,
    "updated_at": "2025-03-01T05:06:07Z",
    "name": "신경형",
    "tagline": "먼저 배제해야 할 유형",
    "excerpt": "안면 신경이 충분히 작동하지 않습니다.",
    "rule_out_first": True,
    "hero_image": None,
    "description": "<p>안면 신경이 충분히 작동하지 않습니다.</p>",
    "first_step": "신경과 진료를 받으세요",
    "red_flags": "갑작스러운 발생, 눈이 감기지 않음",
    "refer_to": "미용 상담 전에 신경과 전문의",
    "methods": [],
}

BOTOX_QUESTION_EN = {
    "locale": "en",
    "slug": "botox-alone",
    "alternates": BOTOX_QUESTION_ALTERNATES,
    "updated_at": "2025-03-02T06:06:07Z",
    "question": "Can Botox alone correct it?",
    "answer": "<p>For a <strong>dynamic</strong> asymmetry, often.</p>",
    "excerpt": "For a dynamic asymmetry, often.",
    "category": {"slug": "treatment", "name": "Treatment"},
}
BOTOX_QUESTION_KO = {
    "locale": "ko",
    "slug": "보톡스만으로",
    "alternates": BOTOX_QUESTION_ALTERNATES,
    "updated_at": "2025-03-02T06:06:07Z",
    "question": "보톡스만으로 교정되나요?",
    "answer": "<p><strong>동적</strong> 비대칭이라면 대개 그렇습니다.</p>",
    "excerpt": "동적 비대칭이라면 대개 그렇습니다.",
    "category": {"slug": "치료", "name": "치료"},
}
SCAR_QUESTION_EN = {
    "locale": "en",
    "slug": "lift-scar",
    "alternates": published_in(en="lift-scar"),
    "updated_at": "2025-03-02T06:06:07Z",
    "question": "Does the lift leave a scar?",
    "answer": "<p>A fine line inside the corner.</p>",
    "excerpt": "A fine line inside the corner.",
    "category": {"slug": "treatment", "name": "Treatment"},
}

ARTICLE_SUMMARY_EN = {
    "locale": "en",
    "slug": "smile-pulls-sideways",
    "alternates": ARTICLE_ALTERNATES,
    "updated_at": "2025-03-04T05:06:07Z",
    "title": "Why does my smile pull sideways?",
    "summary": "Fine in the mirror, pulled sideways in photos.",
    "published_at": "2025-03-01T00:00:00Z",
    "last_reviewed": "2025-02-20",
    "hero_image": None,
}
ARTICLE_SUMMARY_KO = {
    "locale": "ko",
    "slug": "입꼬리-비대칭",
    "alternates": ARTICLE_ALTERNATES,
    "updated_at": "2025-03-04T05:06:07Z",
    "title": "왜 웃으면 입꼬리가 한쪽으로 당겨질까?",
    "summary": "거울에서는 괜찮은데 사진에서는 한쪽으로 당겨집니다.",
    "published_at": "2025-03-01T00:00:00Z",
    "last_reviewed": "2025-02-20",
    "hero_image": None,
}


def page_of(*results: dict) -> dict:
    """A single page of ``results`` at the default page size."""
    return {
        "count": len(results),
        "page": 1,
        "pages": 1,
        "page_size": 20,
        "next": None,
        "previous": None,
        "results": list(results),
    }


# Articles.


def test_article_detail_in_english_resolves_every_block_kind(world, api):
    response = api("/api/v1/articles/smile-pulls-sideways/")

    assert response.status == 200
    assert response["Content-Language"] == "en"
    assert response.body == {
        **ARTICLE_SUMMARY_EN,
        "open_graph": {
            "type": "article",
            "title": "Mouth corner asymmetry: causes and care",
            "description": "Why one corner pulls and what helps.",
            "locale": "en_US",
            "locale_alternate": ["ko_KR"],
            "image": None,
            "published_time": "2025-03-01T00:00:00Z",
            "modified_time": "2025-03-04T05:06:07Z",
        },
        "seo_title": "Mouth corner asymmetry: causes and care",
        "meta_description": "Why one corner pulls and what helps.",
        "topic": "Mouth corner asymmetry",
        "reviewed_by": "Dr. Tak",
        "blocks": [
            {
                "kind": "text",
                "heading": "At rest or while smiling?",
                "body": '<p>See <a href="https://drtak.example/en/" '
                'rel="noopener noreferrer nofollow">our site</a>.</p>',
            },
            {
                "kind": "callout",
                "heading": "Bottom line",
                "body": "<p><strong>Find the cause first.</strong></p>",
            },
            {
                "kind": "list",
                "heading": "Five questions",
                "body": "",
                "item_list": {
                    "locale": "en",
                    "slug": "check-yourself",
                    "alternates": CHECKLIST_ALTERNATES,
                    "updated_at": "2025-03-01T04:06:07Z",
                    "title": "Check yourself",
                    "kind": "checklist",
                    "intro": "Answer these before the consultation.",
                    "items": [
                        {"title": "At rest", "text": "Is the corner lower at rest?"},
                        {"title": "When smiling", "text": ""},
                    ],
                },
            },
            {
                "kind": "cause_types",
                "heading": "The types",
                "body": "<p>Which one is yours?</p>",
                "cause_types": [MUSCULAR_EN, NEUROGENIC_EN],
            },
            {
                "kind": "comparison",
                "heading": "How they compare",
                "body": "",
                "comparison": COMPARISON_EN,
            },
            {
                "kind": "aftercare",
                "heading": "After Botox",
                "body": "",
                # The block is for Botox: its track and the shared one, not the lift's.
                "aftercare": {
                    "locale": "en",
                    "slug": "aftercare-by-stage",
                    "alternates": AFTERCARE_ALTERNATES,
                    "updated_at": "2025-03-01T03:06:07Z",
                    "title": "Aftercare by stage",
                    "excerpt": "The care that follows protects the result.",
                    "intro": "<p>The care that follows protects the result.</p>",
                    "tracks": [
                        {"label": "Everyone", "shared": True, "method": None},
                        {
                            "label": "After Botox",
                            "shared": False,
                            "method": BOTOX_REF_EN,
                        },
                    ],
                    "stages": [
                        {
                            "label": "First three days",
                            "start_day": 0,
                            "end_day": 3,
                            "cells": ["Sleep on your back", "Don't rub the site"],
                        },
                        {
                            "label": "After that",
                            "start_day": 4,
                            "end_day": None,
                            "cells": ["Back to daily life", "Smile exercises"],
                        },
                    ],
                },
            },
            {
                "kind": "faq",
                "heading": "Questions",
                "body": "",
                "items": [BOTOX_QUESTION_EN, SCAR_QUESTION_EN],
            },
            {
                "kind": "cta",
                "heading": "",
                "body": "<p>Not sure which type?</p>",
                "label": "Chat with us",
                "url": "https://drtak.example/en/chat",
            },
        ],
        "structured_data": {
            "@context": "https://schema.org",
            "@graph": [
                {
                    "@type": "MedicalWebPage",
                    "name": "Why does my smile pull sideways?",
                    "headline": "Mouth corner asymmetry: causes and care",
                    "description": "Why one corner pulls and what helps.",
                    "inLanguage": "en",
                    "datePublished": "2025-03-01T00:00:00Z",
                    "dateModified": "2025-03-04T05:06:07Z",
                    "about": {
                        "@type": "MedicalCondition",
                        "name": "Mouth corner asymmetry",
                        "possibleTreatment": [
                            {"@id": "#method-botox"},
                            {"@id": "#method-corner-lift"},
                        ],
                    },
                    "lastReviewed": "2025-02-20",
                    "reviewedBy": {"@type": "Person", "name": "Dr. Tak"},
                },
                {
                    "@type": "MedicalProcedure",
                    "@id": "#method-botox",
                    "name": "Botox",
                    "procedureType": "https://schema.org/PercutaneousProcedure",
                    "followup": "First three days: Sleep on your back; "
                    "Don't rub the site\n"
                    "After that: Back to daily life; Smile exercises",
                },
                {
                    # Compared, but the article shows no aftercare for it.
                    "@type": "MedicalProcedure",
                    "@id": "#method-corner-lift",
                    "name": "Corner lift",
                    "procedureType": "https://schema.org/SurgicalProcedure",
                },
                {
                    "@type": "FAQPage",
                    "inLanguage": "en",
                    "mainEntity": [
                        {
                            "@type": "Question",
                            "name": "Can Botox alone correct it?",
                            "acceptedAnswer": {
                                "@type": "Answer",
                                "text": "<p>For a <strong>dynamic</strong> "
                                "asymmetry, often.</p>",
                            },
                        },
                        {
                            "@type": "Question",
                            "name": "Does the lift leave a scar?",
                            "acceptedAnswer": {
                                "@type": "Answer",
                                "text": "<p>A fine line inside the corner.</p>",
                            },
                        },
                    ],
                },
            ],
        },
    }


def test_article_detail_in_korean_is_korean_and_leaves_out_english_only_faq(world, api):
    response = api("/api/v1/articles/입꼬리-비대칭/", locale="ko")

    assert response.status == 200
    assert response["Content-Language"] == "ko"
    assert response.body == {
        **ARTICLE_SUMMARY_KO,
        "open_graph": {
            "type": "article",
            "title": "입꼬리 비대칭: 원인과 관리",
            "description": "한쪽 입꼬리가 당기는 이유와 도움이 되는 방법.",
            "locale": "ko_KR",
            "locale_alternate": ["en_US"],
            "image": None,
            "published_time": "2025-03-01T00:00:00Z",
            "modified_time": "2025-03-04T05:06:07Z",
        },
        "seo_title": "입꼬리 비대칭: 원인과 관리",
        "meta_description": "한쪽 입꼬리가 당기는 이유와 도움이 되는 방법.",
        "topic": "입꼬리 비대칭",
        "reviewed_by": "탁 원장",
        "blocks": [
            {
                "kind": "text",
                "heading": "가만히 있을 때, 아니면 웃을 때?",
                "body": '<p><a href="https://drtak.example/ko/" '
                'rel="noopener noreferrer nofollow">홈페이지</a>를 보세요.</p>',
            },
            {
                "kind": "callout",
                "heading": "결론",
                "body": "<p><strong>원인부터 찾으세요.</strong></p>",
            },
            {
                "kind": "list",
                "heading": "다섯 가지 질문",
                "body": "",
                "item_list": {
                    "locale": "ko",
                    "slug": "스스로-확인하기",
                    "alternates": CHECKLIST_ALTERNATES,
                    "updated_at": "2025-03-01T04:06:07Z",
                    "title": "스스로 확인하기",
                    "kind": "checklist",
                    "intro": "상담 전에 답해 보세요.",
                    "items": [
                        {
                            "title": "가만히 있을 때",
                            "text": "가만히 있을 때도 입꼬리가 낮나요?",
                        },
                        {"title": "웃을 때", "text": ""},
                    ],
                },
            },
            {
                "kind": "cause_types",
                "heading": "유형",
                "body": "<p>어느 유형인가요?</p>",
                "cause_types": [MUSCULAR_KO, NEUROGENIC_KO],
            },
            {
                "kind": "comparison",
                "heading": "비교",
                "body": "",
                "comparison": COMPARISON_KO,
            },
            {
                "kind": "aftercare",
                "heading": "보톡스 이후",
                "body": "",
                "aftercare": {
                    "locale": "ko",
                    "slug": "단계별-회복-관리",
                    "alternates": AFTERCARE_ALTERNATES,
                    "updated_at": "2025-03-01T03:06:07Z",
                    "title": "단계별 회복 관리",
                    "excerpt": "이후의 관리가 결과를 지킵니다.",
                    "intro": "<p>이후의 관리가 결과를 지킵니다.</p>",
                    "tracks": [
                        {"label": "공통", "shared": True, "method": None},
                        {"label": "보톡스 후", "shared": False, "method": BOTOX_REF_KO},
                    ],
                    "stages": [
                        {
                            "label": "첫 사흘",
                            "start_day": 0,
                            "end_day": 3,
                            "cells": [
                                "똑바로 누워 주무세요",
                                "주사 부위를 문지르지 마세요",
                            ],
                        },
                        {
                            "label": "그 이후",
                            "start_day": 4,
                            "end_day": None,
                            "cells": ["일상으로 돌아갑니다", "미소 운동"],
                        },
                    ],
                },
            },
            {
                "kind": "faq",
                "heading": "자주 묻는 질문",
                "body": "",
                # The scar question is published in English only.
                "items": [BOTOX_QUESTION_KO],
            },
            {
                "kind": "cta",
                "heading": "",
                "body": "<p>어느 유형인지 모르겠나요?</p>",
                "label": "상담하기",
                "url": "https://drtak.example/ko/chat",
            },
        ],
        "structured_data": {
            "@context": "https://schema.org",
            "@graph": [
                {
                    "@type": "MedicalWebPage",
                    "name": "왜 웃으면 입꼬리가 한쪽으로 당겨질까?",
                    "headline": "입꼬리 비대칭: 원인과 관리",
                    "description": "한쪽 입꼬리가 당기는 이유와 도움이 되는 방법.",
                    "inLanguage": "ko",
                    "datePublished": "2025-03-01T00:00:00Z",
                    "dateModified": "2025-03-04T05:06:07Z",
                    "about": {
                        "@type": "MedicalCondition",
                        "name": "입꼬리 비대칭",
                        "possibleTreatment": [
                            {"@id": "#method-보톡스"},
                            {"@id": "#method-입꼬리-리프팅"},
                        ],
                    },
                    "lastReviewed": "2025-02-20",
                    "reviewedBy": {"@type": "Person", "name": "탁 원장"},
                },
                {
                    "@type": "MedicalProcedure",
                    "@id": "#method-보톡스",
                    "name": "보톡스",
                    "procedureType": "https://schema.org/PercutaneousProcedure",
                    "followup": "첫 사흘: 똑바로 누워 주무세요; "
                    "주사 부위를 문지르지 마세요\n"
                    "그 이후: 일상으로 돌아갑니다; 미소 운동",
                },
                {
                    "@type": "MedicalProcedure",
                    "@id": "#method-입꼬리-리프팅",
                    "name": "입꼬리 리프팅",
                    "procedureType": "https://schema.org/SurgicalProcedure",
                },
                {
                    "@type": "FAQPage",
                    "inLanguage": "ko",
                    "mainEntity": [
                        {
                            "@type": "Question",
                            "name": "보톡스만으로 교정되나요?",
                            "acceptedAnswer": {
                                "@type": "Answer",
                                "text": "<p><strong>동적</strong> 비대칭이라면 "
                                "대개 그렇습니다.</p>",
                            },
                        }
                    ],
                },
            ],
        },
    }


def test_article_list_in_english_is_newest_first_in_the_light_shape(world, api):
    response = api("/api/v1/articles/")

    assert response.status == 200
    assert response.body == page_of(
        {
            "locale": "en",
            "slug": "thin-upper-lip",
            "alternates": published_in(en="thin-upper-lip"),
            "updated_at": "2025-03-10T08:06:07Z",
            "title": "Thin upper lip: what can be done?",
            "summary": "Volume, shape and what lasts.",
            "published_at": "2025-03-10T00:00:00Z",
            "last_reviewed": None,
            "hero_image": None,
        },
        ARTICLE_SUMMARY_EN,
    )


def test_article_list_in_korean_has_only_the_article_published_in_korean(world, api):
    response = api("/api/v1/articles/", locale="ko")

    assert response.status == 200
    assert response["Content-Language"] == "ko"
    assert response.body == page_of(ARTICLE_SUMMARY_KO)


# The embedded types on their own.


def test_comparison_detail_in_english(world, api):
    response = api("/api/v1/comparisons/botox-or-lift/")

    assert response.status == 200
    assert response.body == {
        "locale": "en",
        "slug": "botox-or-lift",
        "alternates": COMPARISON_ALTERNATES,
        "updated_at": "2025-03-01T02:06:07Z",
        "title": "Botox or lift?",
        "excerpt": "Two approaches side by side.",
        "intro": "<p>Two approaches side by side.</p>",
        "conclusion": "<p>📍 Bottom line: the cause decides.</p>",
        "columns": [BOTOX_REF_EN, LIFT_REF_EN],
        "rows": [
            {
                "criterion": {"key": "onset", "name": "Onset"},
                "cells": ["Gradual after 3–7 days", "Visible at once"],
            },
            {
                "criterion": {"key": "recovery", "name": "Recovery"},
                "cells": ["None to speak of", "About a week of swelling"],
            },
        ],
    }


def test_comparison_detail_in_korean(world, api):
    response = api("/api/v1/comparisons/보톡스-또는-리프팅/", locale="ko")

    assert response.status == 200
    assert response["Content-Language"] == "ko"
    assert response.body == {
        "locale": "ko",
        "slug": "보톡스-또는-리프팅",
        "alternates": COMPARISON_ALTERNATES,
        "updated_at": "2025-03-01T02:06:07Z",
        "title": "보톡스일까 리프팅일까?",
        "excerpt": "두 가지 방법을 나란히 봅니다.",
        "intro": "<p>두 가지 방법을 나란히 봅니다.</p>",
        "conclusion": "<p>📍 결론: 원인이 결정합니다.</p>",
        "columns": [BOTOX_REF_KO, LIFT_REF_KO],
        "rows": [
            {
                "criterion": {"key": "onset", "name": "효과 발현"},
                "cells": ["3–7일 후 서서히", "바로 보임"],
            },
            {
                "criterion": {"key": "recovery", "name": "회복"},
                "cells": ["거의 없음", "약 일주일 붓기"],
            },
        ],
    }


def test_aftercare_detail_in_english_shows_every_track(world, api):
    response = api("/api/v1/aftercare/aftercare-by-stage/")

    assert response.status == 200
    assert response.body == {
        "locale": "en",
        "slug": "aftercare-by-stage",
        "alternates": AFTERCARE_ALTERNATES,
        "updated_at": "2025-03-01T03:06:07Z",
        "title": "Aftercare by stage",
        "excerpt": "The care that follows protects the result.",
        "intro": "<p>The care that follows protects the result.</p>",
        "tracks": [
            {"label": "Everyone", "shared": True, "method": None},
            {"label": "After Botox", "shared": False, "method": BOTOX_REF_EN},
            {"label": "After the lift", "shared": False, "method": LIFT_REF_EN},
        ],
        "stages": [
            {
                "label": "First three days",
                "start_day": 0,
                "end_day": 3,
                "cells": ["Sleep on your back", "Don't rub the site", "Cool the wound"],
            },
            {
                "label": "After that",
                "start_day": 4,
                "end_day": None,
                "cells": ["Back to daily life", "Smile exercises", "Stitches come out"],
            },
        ],
    }


def test_aftercare_detail_in_korean_shows_every_track(world, api):
    response = api("/api/v1/aftercare/단계별-회복-관리/", locale="ko")

    assert response.status == 200
    assert response["Content-Language"] == "ko"
    assert response.body == {
        "locale": "ko",
        "slug": "단계별-회복-관리",
        "alternates": AFTERCARE_ALTERNATES,
        "updated_at": "2025-03-01T03:06:07Z",
        "title": "단계별 회복 관리",
        "excerpt": "이후의 관리가 결과를 지킵니다.",
        "intro": "<p>이후의 관리가 결과를 지킵니다.</p>",
        "tracks": [
            {"label": "공통", "shared": True, "method": None},
            {"label": "보톡스 후", "shared": False, "method": BOTOX_REF_KO},
            {"label": "리프팅 후", "shared": False, "method": LIFT_REF_KO},
        ],
        "stages": [
            {
                "label": "첫 사흘",
                "start_day": 0,
                "end_day": 3,
                "cells": [
                    "똑바로 누워 주무세요",
                    "주사 부위를 문지르지 마세요",
                    "상처를 식혀 주세요",
                ],
            },
            {
                "label": "그 이후",
                "start_day": 4,
                "end_day": None,
                "cells": ["일상으로 돌아갑니다", "미소 운동", "실밥을 뽑습니다"],
            },
        ],
    }


def test_cause_type_detail_in_english_lists_only_published_methods(world, api):
    response = api("/api/v1/cause-types/muscular/")

    assert response.status == 200
    assert response.body == {
        "locale": "en",
        "slug": "muscular",
        "alternates": MUSCULAR_ALTERNATES,
        "updated_at": "2025-03-01T05:06:07Z",
        "name": "Muscular type",
        "tagline": "The most common",
        "excerpt": "One muscle over-pulls in a smile.",
        "rule_out_first": False,
        "hero_image": None,
        "description": "<p>One muscle <em>over-pulls</em> in a smile.</p>",
        "first_step": "Compare relaxed and smiling photos",
        "red_flags": "",
        "refer_to": "",
        "methods": [BOTOX_REF_EN],
    }


def test_cause_type_detail_in_korean(world, api):
    response = api("/api/v1/cause-types/신경형/", locale="ko")

    assert response.status == 200
    assert response["Content-Language"] == "ko"
    assert response.body == {
        "locale": "ko",
        "slug": "신경형",
        "alternates": NEUROGENIC_ALTERNATES,
        "updated_at": "2025-03-01T05:06:07Z",
        "name": "신경형",
        "tagline": "먼저 배제해야 할 유형",
        "excerpt": "안면 신경이 충분히 작동하지 않습니다.",
        "rule_out_first": True,
        "hero_image": None,
        "description": "<p>안면 신경이 충분히 작동하지 않습니다.</p>",
        "first_step": "신경과 진료를 받으세요",
        "red_flags": "갑작스러운 발생, 눈이 감기지 않음",
        "refer_to": "미용 상담 전에 신경과 전문의",
        "methods": [],
    }


# The FAQ.


def test_faq_item_detail_in_english_refers_to_published_objects_only(world, api):
    response = api("/api/v1/faq-items/botox-alone/")

    assert response.status == 200
    assert response.body == {
        **BOTOX_QUESTION_EN,
        "cause_types": [{"slug": "muscular", "name": "Muscular type"}],
        # Linked to the draft method too, which is left out.
        "methods": [{"slug": "botox", "name": "Botox"}],
        "articles": [
            {
                "slug": "smile-pulls-sideways",
                "title": "Why does my smile pull sideways?",
            }
        ],
    }


def test_faq_item_detail_in_korean(world, api):
    response = api("/api/v1/faq-items/보톡스만으로/", locale="ko")

    assert response.status == 200
    assert response["Content-Language"] == "ko"
    assert response.body == {
        "locale": "ko",
        "slug": "보톡스만으로",
        "alternates": BOTOX_QUESTION_ALTERNATES,
        "updated_at": "2025-03-02T06:06:07Z",
        "question": "보톡스만으로 교정되나요?",
        "answer": "<p><strong>동적</strong> 비대칭이라면 대개 그렇습니다.</p>",
        "excerpt": "동적 비대칭이라면 대개 그렇습니다.",
        "category": {"slug": "치료", "name": "치료"},
        "cause_types": [{"slug": "근육형", "name": "근육형"}],
        "methods": [{"slug": "보톡스", "name": "보톡스"}],
        "articles": [
            {"slug": "입꼬리-비대칭", "title": "왜 웃으면 입꼬리가 한쪽으로 당겨질까?"}
        ],
    }


def test_faq_item_list_in_english_is_in_editor_order(world, api):
    response = api("/api/v1/faq-items/")

    assert response.status == 200
    assert response.body == page_of(BOTOX_QUESTION_EN, SCAR_QUESTION_EN)


def test_faq_item_list_in_korean_leaves_out_the_english_only_item(world, api):
    response = api("/api/v1/faq-items/", locale="ko")

    assert response.status == 200
    assert response["Content-Language"] == "ko"
    assert response.body == page_of(BOTOX_QUESTION_KO)


def test_list_page_envelope_links_the_next_and_previous_pages(world, api):
    first = api("/api/v1/faq-items/", page_size=1)
    second = api("/api/v1/faq-items/", page_size=1, page=2)

    assert first.body == {
        "count": 2,
        "page": 1,
        "pages": 2,
        "page_size": 1,
        "next": "http://testserver/api/v1/faq-items/?page=2&page_size=1",
        "previous": None,
        "results": [BOTOX_QUESTION_EN],
    }
    assert second.body == {
        "count": 2,
        "page": 2,
        "pages": 2,
        "page_size": 1,
        "next": None,
        "previous": "http://testserver/api/v1/faq-items/?page_size=1",
        "results": [SCAR_QUESTION_EN],
    }


# The clinic.


def test_clinic_profile_in_english(clinic, api):
    response = api("/api/v1/clinic/")

    assert response.status == 200
    assert response["Content-Language"] == "en"
    assert response.body == {
        "logo": None,
        "photos": [],
        "locale": "en",
        # Empty slugs: the profile has no page of its own; the shape is every
        # object's.
        "alternates": {
            "languages": [
                {"locale": "en", "hreflang": "en", "slug": ""},
                {"locale": "ko", "hreflang": "ko", "slug": ""},
            ],
            "x_default": {"locale": "en", "hreflang": "en", "slug": ""},
        },
        "updated_at": "2025-03-03T07:06:07Z",
        "name": "Dr.Tak Plastic Surgery",
        "slogan": "To make people smile",
        "description": "<p>A lip &amp; mouth specialist clinic in Korea.</p>",
        "years_of_practice": 15,
        "review_count": 190,
        "rating": 4.9,
        "channels": [
            {
                "kind": "site",
                "label": "Official site",
                "description": "Find lip & mouth correction information.",
                "url": "https://drtak.example/",
            },
            {
                "kind": "chat",
                "label": "Chat consultation",
                "description": "",
                "url": "https://chat.example/drtak",
            },
        ],
        "trust_points": {
            "locale": "en",
            "slug": "why-patients-choose-us",
            "alternates": published_in(en="why-patients-choose-us", ko="선택하는-이유"),
            "updated_at": "2025-03-01T04:06:07Z",
            "title": "Why patients choose us",
            "kind": "bullets",
            "intro": "",
            "items": [
                {"title": "One area only", "text": "Lips and mouth, nothing else."}
            ],
        },
        "care_system": {
            "locale": "en",
            "slug": "4s-care-system",
            "alternates": published_in(en="4s-care-system", ko="4s-케어-시스템"),
            "updated_at": "2025-03-01T04:06:07Z",
            "title": "The 4S care system",
            "kind": "numbered",
            "intro": "Four steps around every procedure.",
            "items": [
                {
                    "title": "Safe",
                    "text": "One doctor from consultation to follow-up.",
                },
                {"title": "Sure", "text": ""},
            ],
        },
    }


def test_clinic_profile_in_korean(clinic, api):
    response = api("/api/v1/clinic/", locale="ko")

    assert response.status == 200
    assert response["Content-Language"] == "ko"
    assert response.body == {
        "logo": None,
        "photos": [],
        "locale": "ko",
        "alternates": {
            "languages": [
                {"locale": "en", "hreflang": "en", "slug": ""},
                {"locale": "ko", "hreflang": "ko", "slug": ""},
            ],
            "x_default": {"locale": "en", "hreflang": "en", "slug": ""},
        },
        "updated_at": "2025-03-03T07:06:07Z",
        "name": "닥터탁성형외과",
        "slogan": "사람을 웃게 하기 위해",
        "description": "<p>입술·입 전문 클리닉입니다.</p>",
        "years_of_practice": 15,
        "review_count": 190,
        "rating": 4.9,
        "channels": [
            {
                "kind": "site",
                "label": "공식 홈페이지",
                "description": "입꼬리 교정 정보를 확인하세요.",
                "url": "https://drtak.example/ko/",
            },
            {
                "kind": "chat",
                "label": "채팅 상담",
                "description": "",
                "url": "https://chat.example/drtak-ko",
            },
        ],
        "trust_points": {
            "locale": "ko",
            "slug": "선택하는-이유",
            "alternates": published_in(en="why-patients-choose-us", ko="선택하는-이유"),
            "updated_at": "2025-03-01T04:06:07Z",
            "title": "환자들이 선택하는 이유",
            "kind": "bullets",
            "intro": "",
            "items": [{"title": "한 분야에만 집중", "text": "입술과 입가만 봅니다."}],
        },
        "care_system": {
            "locale": "ko",
            "slug": "4s-케어-시스템",
            "alternates": published_in(en="4s-care-system", ko="4s-케어-시스템"),
            "updated_at": "2025-03-01T04:06:07Z",
            "title": "4S 케어 시스템",
            "kind": "numbered",
            "intro": "모든 시술을 둘러싼 네 단계.",
            "items": [
                {"title": "안전", "text": "상담부터 사후 관리까지 한 의사가."},
                {"title": "확실", "text": ""},
            ],
        },
    }


# Empty texts and per-method aftercare.


def test_article_texts_never_written_are_served_empty_not_null(db, api):
    article = Article.objects.create(
        title_en="Bare page",
        title_ko="빈 페이지",
        slug_en="bare-page",
        slug_ko="빈-페이지",
        publish_at=PUBLISH_AT,
    )
    ArticleBlock.objects.create(
        article=article,
        position=1,
        kind=ArticleBlock.Kind.TEXT,
        body_en="<p>Only a body.</p>",
        body_ko="<p>본문만 있습니다.</p>",
    )
    publish(article)
    Article.objects.update(updated_at=UPDATED[Article])
    versions_of(Article).update(updated_at=UPDATED[Article])

    response = api("/api/v1/articles/빈-페이지/", locale="ko")

    assert response.body == {
        "locale": "ko",
        "slug": "빈-페이지",
        "alternates": published_in(en="bare-page", ko="빈-페이지"),
        "updated_at": "2025-03-04T05:06:07Z",
        "title": "빈 페이지",
        "summary": "",
        "published_at": "2025-03-01T00:00:00Z",
        "last_reviewed": None,
        "hero_image": None,
        "open_graph": {
            "type": "article",
            "title": "빈 페이지",
            "description": "",
            "locale": "ko_KR",
            "locale_alternate": ["en_US"],
            "image": None,
            "published_time": "2025-03-01T00:00:00Z",
            "modified_time": "2025-03-04T05:06:07Z",
        },
        "seo_title": "",
        "meta_description": "",
        "topic": "",
        "reviewed_by": "",
        "blocks": [{"kind": "text", "heading": "", "body": "<p>본문만 있습니다.</p>"}],
        "structured_data": {
            "@context": "https://schema.org",
            "@graph": [
                {
                    "@type": "MedicalWebPage",
                    "name": "빈 페이지",
                    "headline": "빈 페이지",
                    "description": "",
                    "inLanguage": "ko",
                    "datePublished": "2025-03-01T00:00:00Z",
                    "dateModified": "2025-03-04T05:06:07Z",
                    "about": {"@type": "MedicalCondition", "name": "빈 페이지"},
                }
            ],
        },
    }


def test_cause_type_texts_never_written_are_served_empty_not_null(db, api):
    cause_type = CauseType.objects.create(
        name_en="Habit type",
        name_ko="습관형",
        slug_en="habit",
        slug_ko="습관형",
        description_en="<p>Chewing on one side.</p>",
        description_ko="<p>한쪽으로 씹는 습관.</p>",
        publish_at=PUBLISH_AT,
    )
    publish(cause_type)
    CauseType.objects.update(updated_at=UPDATED[CauseType])
    versions_of(CauseType).update(updated_at=UPDATED[CauseType])

    response = api("/api/v1/cause-types/habit/")

    assert response.body == {
        "locale": "en",
        "slug": "habit",
        "alternates": published_in(en="habit", ko="습관형"),
        "updated_at": "2025-03-01T05:06:07Z",
        "name": "Habit type",
        "tagline": "",
        "excerpt": "Chewing on one side.",
        "rule_out_first": False,
        "hero_image": None,
        "description": "<p>Chewing on one side.</p>",
        "first_step": "",
        "red_flags": "",
        "refer_to": "",
        "methods": [],
    }


def test_method_followup_leaves_out_the_care_of_a_method_unpublished_there(db, api):
    with deferred_completeness():
        botox = MethodFactory(
            name_en="Botox",
            name_ko="보톡스",
            slug_en="botox",
            slug_ko="보톡스",
            publish_at=PUBLISH_AT,
        )
        thread = MethodFactory(
            name_en="Thread lift",
            name_ko="실 리프팅",
            slug_en="thread-lift",
            slug_ko="실-리프팅",
            procedure_type=Method.ProcedureType.SURGERY,
            publish_at=PUBLISH_AT,
        )
        aftercare = AftercareFactory(
            slug_en="care", slug_ko="관리", publish_at=PUBLISH_AT
        )
        stage = AftercareStage.objects.create(
            aftercare=aftercare,
            label_en="Days 0–3",
            label_ko="0–3일",
            start_day=0,
            end_day=3,
        )
        tracks = [
            (None, "Everyone", "공통", "Rest", "휴식"),
            (botox, "After Botox", "보톡스 후", "No rubbing", "문지르지 않기"),
            (
                thread,
                "After the thread lift",
                "실 리프팅 후",
                "No yawning",
                "하품 금지",
            ),
        ]
        for position, (method, label_en, label_ko, text_en, text_ko) in enumerate(
            tracks, start=1
        ):
            track = AftercareTrack.objects.create(
                aftercare=aftercare,
                method=method,
                label_en=label_en,
                label_ko=label_ko,
                position=position,
            )
            AftercareEntry.objects.create(
                stage=stage, track=track, text_en=text_en, text_ko=text_ko
            )
        article = ArticleFactory(
            slug_en="page", slug_ko="페이지", publish_at=PUBLISH_AT
        )
        ArticleBlockFactory(
            article=article,
            kind=ArticleBlock.Kind.AFTERCARE,
            aftercare=aftercare,
            body_en="",
            body_ko="",
        )
    publish(botox)
    # The thread lift is not published in Korean.
    publish(thread, languages=("en",))
    publish(aftercare, article)

    response = api("/api/v1/articles/페이지/", locale="ko")

    procedures = response.body["structured_data"]["@graph"][1:]
    assert procedures == [
        {
            "@type": "MedicalProcedure",
            "@id": "#method-보톡스",
            "name": "보톡스",
            "procedureType": "https://schema.org/PercutaneousProcedure",
            "followup": "0–3일: 휴식; 문지르지 않기",
        }
    ]
