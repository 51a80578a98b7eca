"""factory_boy factories for the content and FAQ models.

Every translated field is set per language, explicitly: by default an object is
written in English, Korean and Japanese (complete there) and has no Simplified
Chinese text (incomplete there). Tests that need another state say so, e.g.
``MethodFactory(name_ja="")``. Nothing is published unless a test publishes it.
"""

from __future__ import annotations

from dataclasses import dataclass

import factory
from factory.django import DjangoModelFactory

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
from publication.models import deferred_completeness


class CriterionFactory(DjangoModelFactory):
    class Meta:
        model = Criterion

    key = factory.Sequence(lambda n: f"criterion-{n}")
    name_en = factory.Sequence(lambda n: f"Onset {n}")
    name_ko = factory.Sequence(lambda n: f"효과 발현 {n}")
    name_ja = factory.Sequence(lambda n: f"効果発現 {n}")
    position = factory.Sequence(lambda n: n)


class MethodFactory(DjangoModelFactory):
    class Meta:
        model = Method

    name_en = factory.Sequence(lambda n: f"Botox {n}")
    name_ko = factory.Sequence(lambda n: f"보톡스 {n}")
    name_ja = factory.Sequence(lambda n: f"ボトックス {n}")
    summary_en = "Weakens the overpulling muscle."
    summary_ko = "과하게 당기는 근육을 약하게 합니다."
    summary_ja = "引っ張りすぎる筋肉を弱めます。"
    procedure_type = Method.ProcedureType.INJECTION
    position = factory.Sequence(lambda n: n)


class MethodFactFactory(DjangoModelFactory):
    class Meta:
        model = MethodFact

    method = factory.SubFactory(MethodFactory)
    criterion = factory.SubFactory(CriterionFactory)
    text_en = "Gradual after 3–7 days"
    text_ko = "3–7일 후 서서히"
    text_ja = "3〜7日後に徐々に"


class ComparisonFactory(DjangoModelFactory):
    class Meta:
        model = Comparison

    title_en = factory.Sequence(lambda n: f"Botox, lift or re-education? {n}")
    title_ko = factory.Sequence(lambda n: f"보톡스, 리프팅, 재교육? {n}")
    title_ja = factory.Sequence(lambda n: f"ボトックス、リフト、再教育？ {n}")
    intro_en = "<p>Three approaches side by side.</p>"
    intro_ko = "<p>세 가지 방법을 나란히 봅니다.</p>"
    intro_ja = "<p>三つの方法を並べて見ます。</p>"
    conclusion_en = "<p>📍 Bottom line: the cause decides.</p>"
    conclusion_ko = "<p>📍 결론: 원인이 결정합니다.</p>"
    conclusion_ja = "<p>📍 結論：原因が決めます。</p>"


class ComparisonColumnFactory(DjangoModelFactory):
    class Meta:
        model = ComparisonColumn

    comparison = factory.SubFactory(ComparisonFactory)
    method = factory.SubFactory(MethodFactory)
    position = factory.Sequence(lambda n: n)


class ComparisonRowFactory(DjangoModelFactory):
    class Meta:
        model = ComparisonRow

    comparison = factory.SubFactory(ComparisonFactory)
    criterion = factory.SubFactory(CriterionFactory)
    position = factory.Sequence(lambda n: n)


class AftercareFactory(DjangoModelFactory):
    class Meta:
        model = Aftercare

    title_en = factory.Sequence(lambda n: f"Aftercare by stage {n}")
    title_ko = factory.Sequence(lambda n: f"단계별 회복 관리 {n}")
    title_ja = factory.Sequence(lambda n: f"段階別アフターケア {n}")
    intro_en = "<p>The care that follows protects the result.</p>"
    intro_ko = "<p>이후의 관리가 결과를 지킵니다.</p>"
    intro_ja = "<p>その後のケアが結果を守ります。</p>"


class AftercareStageFactory(DjangoModelFactory):
    class Meta:
        model = AftercareStage

    aftercare = factory.SubFactory(AftercareFactory)
    label_en = factory.Sequence(lambda n: f"Day {n}")
    label_ko = factory.Sequence(lambda n: f"{n}일차")
    label_ja = factory.Sequence(lambda n: f"{n}日目")
    start_day = 0
    end_day = 3
    position = factory.Sequence(lambda n: n)


class AftercareTrackFactory(DjangoModelFactory):
    class Meta:
        model = AftercareTrack

    aftercare = factory.SubFactory(AftercareFactory)
    method = None
    label_en = factory.Sequence(lambda n: f"Shared care {n}")
    label_ko = factory.Sequence(lambda n: f"공통 관리 {n}")
    label_ja = factory.Sequence(lambda n: f"共通ケア {n}")
    position = factory.Sequence(lambda n: n)


class AftercareEntryFactory(DjangoModelFactory):
    class Meta:
        model = AftercareEntry

    stage = factory.SubFactory(AftercareStageFactory)
    track = factory.SubFactory(
        AftercareTrackFactory, aftercare=factory.SelfAttribute("..stage.aftercare")
    )
    text_en = "Gentle care, don't rub the site"
    text_ko = "부드럽게 관리하고 문지르지 마세요"
    text_ja = "優しくケアし、こすらないでください"


class ItemListFactory(DjangoModelFactory):
    class Meta:
        model = ItemList

    title_en = factory.Sequence(lambda n: f"Five things to sort out {n}")
    title_ko = factory.Sequence(lambda n: f"스스로 정리할 다섯 가지 {n}")
    title_ja = factory.Sequence(lambda n: f"自分で整理する五つのこと {n}")
    intro_en = "Answer these before the consultation."
    intro_ko = "상담 전에 답해 보세요."
    intro_ja = "相談の前に答えてみてください。"
    kind = ItemList.Kind.CHECKLIST


class ListItemFactory(DjangoModelFactory):
    class Meta:
        model = ListItem

    item_list = factory.SubFactory(ItemListFactory)
    title_en = factory.Sequence(lambda n: f"Zygomaticus major {n}")
    title_ko = factory.Sequence(lambda n: f"큰광대근 {n}")
    title_ja = factory.Sequence(lambda n: f"大頬骨筋 {n}")
    text_en = "Pulls the corner up and out."
    text_ko = "입꼬리를 위와 바깥으로 당깁니다."
    text_ja = "口角を上と外側に引き上げます。"
    position = factory.Sequence(lambda n: n)


class CauseTypeFactory(DjangoModelFactory):
    class Meta:
        model = CauseType

    name_en = factory.Sequence(lambda n: f"Muscular type {n}")
    name_ko = factory.Sequence(lambda n: f"근육형 {n}")
    name_ja = factory.Sequence(lambda n: f"筋肉型 {n}")
    tagline_en = "The most common"
    tagline_ko = "가장 흔한 유형"
    tagline_ja = "最も多いタイプ"
    description_en = "<p>One muscle over-pulls during a smile.</p>"
    description_ko = "<p>웃을 때 한쪽 근육이 과하게 당깁니다.</p>"
    description_ja = "<p>笑うときに片方の筋肉が引っ張りすぎます。</p>"
    first_step_en = "Compare relaxed and smiling photos"
    first_step_ko = "편안한 사진과 웃는 사진을 비교하세요"
    first_step_ja = "リラックスした写真と笑顔の写真を比べてください"
    position = factory.Sequence(lambda n: n)


class ArticleFactory(DjangoModelFactory):
    class Meta:
        model = Article

    title_en = factory.Sequence(lambda n: f"Why does my smile pull sideways? {n}")
    title_ko = factory.Sequence(lambda n: f"왜 웃으면 입꼬리가 한쪽으로 당겨질까? {n}")
    title_ja = factory.Sequence(lambda n: f"なぜ笑うと口角が片側に引っ張られるのか {n}")
    summary_en = "Fine in the mirror, pulled sideways in photos."
    summary_ko = "거울에서는 괜찮은데 사진에서는 한쪽으로 당겨집니다."
    summary_ja = "鏡では平気なのに、写真では片側に引っ張られます。"


class ArticleBlockFactory(DjangoModelFactory):
    class Meta:
        model = ArticleBlock

    article = factory.SubFactory(ArticleFactory)
    position = factory.Sequence(lambda n: n + 1)
    kind = ArticleBlock.Kind.TEXT
    heading_en = "At rest or while smiling?"
    heading_ko = "가만히 있을 때, 아니면 웃을 때?"
    heading_ja = "安静時か、笑ったときか？"
    body_en = "<p>The first thing I check is simple.</p>"
    body_ko = "<p>제가 가장 먼저 확인하는 것은 간단합니다.</p>"
    body_ja = "<p>最初に確認することはシンプルです。</p>"


class ClinicProfileFactory(DjangoModelFactory):
    class Meta:
        model = ClinicProfile

    name_en = "Dr.Tak Plastic Surgery"
    name_ko = "닥터탁성형외과"
    name_ja = "ドクタータク形成外科"
    slogan_en = "To make people smile"
    slogan_ko = "사람을 웃게 하기 위해"
    slogan_ja = "人を笑顔にするために"
    description_en = "<p>A lip &amp; mouth specialist clinic in Korea.</p>"
    description_ko = "<p>입술·입 전문 클리닉입니다.</p>"
    description_ja = "<p>韓国の唇・口元専門クリニックです。</p>"
    years_of_practice = 15
    review_count = 190


class ClinicChannelFactory(DjangoModelFactory):
    class Meta:
        model = ClinicChannel

    profile = factory.SubFactory(ClinicProfileFactory)
    kind = ClinicChannel.Kind.SITE
    label_en = "Official site"
    label_ko = "공식 홈페이지"
    label_ja = "公式サイト"
    description_en = "Find lip & mouth correction information."
    description_ko = "입꼬리 교정 정보를 확인하세요."
    description_ja = "口元の矯正情報をご覧ください。"
    url_en = "https://drtak.example/"
    url_ko = "https://drtak.example/ko/"
    url_ja = "https://drtak.example/ja/"
    position = factory.Sequence(lambda n: n)


class FAQCategoryFactory(DjangoModelFactory):
    class Meta:
        model = FAQCategory

    name_en = factory.Sequence(lambda n: f"Mouth corner asymmetry {n}")
    name_ko = factory.Sequence(lambda n: f"입꼬리 비대칭 {n}")
    name_ja = factory.Sequence(lambda n: f"口角の非対称 {n}")
    position = factory.Sequence(lambda n: n)


class FAQItemFactory(DjangoModelFactory):
    class Meta:
        model = FAQItem

    category = factory.SubFactory(FAQCategoryFactory)
    question_en = factory.Sequence(lambda n: f"Can Botox alone correct it? {n}")
    question_ko = factory.Sequence(lambda n: f"보톡스만으로 교정되나요? {n}")
    question_ja = factory.Sequence(lambda n: f"ボトックスだけで矯正できますか？ {n}")
    answer_en = "<p>For dynamic asymmetry, Botox tends to fit well.</p>"
    answer_ko = "<p>동적 비대칭에는 보톡스가 잘 맞는 편입니다.</p>"
    answer_ja = "<p>動的な非対称にはボトックスが合いやすいです。</p>"
    position = factory.Sequence(lambda n: n)


# Whole objects with their parts, complete in en, ko and ja.


@dataclass
class Grid:
    comparison: Comparison
    methods: list[Method]
    criteria: list[Criterion]
    facts: dict[tuple[int, int], MethodFact]

    def fact(self, method: Method, criterion: Criterion) -> MethodFact:
        return self.facts[(method.pk, criterion.pk)]


def comparison_grid(
    *, methods: int = 2, criteria: int = 2, published: tuple[str, ...] = ()
) -> Grid:
    """A comparison of ``methods`` × ``criteria`` with every cell written; the
    methods and then the comparison are published in ``published``."""
    with deferred_completeness():
        method_objs = [MethodFactory() for _ in range(methods)]
        criterion_objs = [CriterionFactory() for _ in range(criteria)]
        facts = {
            (m.pk, c.pk): MethodFactFactory(method=m, criterion=c)
            for m in method_objs
            for c in criterion_objs
        }
        comparison = ComparisonFactory()
        for position, method in enumerate(method_objs, start=1):
            ComparisonColumnFactory(
                comparison=comparison, method=method, position=position
            )
        for position, criterion in enumerate(criterion_objs, start=1):
            ComparisonRowFactory(
                comparison=comparison, criterion=criterion, position=position
            )
    for code in published:
        for method in method_objs:
            method.publish(code)
        comparison.publish(code)
    return Grid(comparison, method_objs, criterion_objs, facts)


@dataclass
class Timeline:
    aftercare: Aftercare
    stages: list[AftercareStage]
    tracks: list[AftercareTrack]
    entries: dict[tuple[int, int], AftercareEntry]

    def entry(self, stage: AftercareStage, track: AftercareTrack) -> AftercareEntry:
        return self.entries[(stage.pk, track.pk)]


def aftercare_timeline(
    *, stages: int = 2, tracks: int = 2, published: tuple[str, ...] = ()
) -> Timeline:
    """An aftercare timeline of ``stages`` × ``tracks`` with every entry written."""
    with deferred_completeness():
        aftercare = AftercareFactory()
        stage_objs = [
            AftercareStageFactory(
                aftercare=aftercare, start_day=7 * i, end_day=7 * i + 6, position=i
            )
            for i in range(stages)
        ]
        track_objs = [
            AftercareTrackFactory(aftercare=aftercare, position=i)
            for i in range(tracks)
        ]
        entries = {
            (s.pk, t.pk): AftercareEntryFactory(stage=s, track=t)
            for s in stage_objs
            for t in track_objs
        }
    for code in published:
        aftercare.publish(code)
    return Timeline(aftercare, stage_objs, track_objs, entries)


def item_list_with_items(
    *, items: int = 2, published: tuple[str, ...] = ()
) -> ItemList:
    """An item list with ``items`` items, published in ``published``."""
    with deferred_completeness():
        item_list = ItemListFactory()
        ListItemFactory.create_batch(items, item_list=item_list)
    for code in published:
        item_list.publish(code)
    return item_list


def publish(*objects, codes: tuple[str, ...] = ("en",)) -> None:
    """Publish each object's working copy, as it is now, in ``codes``: what a test
    built or edited reaches the API only this way, as it does only through the
    publication panel for an editor (docs/publishing.md)."""
    for obj in objects:
        # A fresh copy: ``obj`` may not know what another copy published.
        stored = type(obj)._default_manager.get(pk=obj.pk)
        for code in codes:
            stored.publish(code)
        obj.refresh_from_db()
