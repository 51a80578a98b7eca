"""schema.org JSON-LD for the public API, built from the objects a response already
shows (no queries): what a frontend puts in ``<script type="application/ld+json">``.

Identifiers are fragments (``#method-botox``) relative to the page the frontend
renders, which the API does not know.
"""

from __future__ import annotations

from api.locale import hreflang
from richtext import plain_text

CONTEXT = "https://schema.org"

# schema.org MedicalProcedureType for each procedure type of a method.
PROCEDURE_TYPES = {
    "injection": "https://schema.org/PercutaneousProcedure",
    "surgery": "https://schema.org/SurgicalProcedure",
    "conservative": "https://schema.org/NoninvasiveProcedure",
}


def faq_page(items: list[dict], code: str) -> dict:
    """FAQPage from visible FAQ items (each with ``question`` and ``answer``)."""
    return {
        "@type": "FAQPage",
        "inLanguage": hreflang(code),
        "mainEntity": [
            {
                "@type": "Question",
                "name": item["question"],
                "acceptedAnswer": {"@type": "Answer", "text": item["answer"]},
            }
            for item in items
        ],
    }


def faq_page_document(items: list[dict], code: str) -> dict:
    return {"@context": CONTEXT, **faq_page(items, code)}


def _followup(aftercare: dict, method_slug: str) -> str:
    """The aftercare of one method as text: each stage with that method's care and
    the shared care."""
    tracks = aftercare["tracks"]
    wanted = [
        i
        for i, t in enumerate(tracks)
        if t["shared"] or (t["method"] and t["method"]["slug"] == method_slug)
    ]
    if all(tracks[i]["shared"] for i in wanted):
        return ""
    lines = []
    for stage in aftercare["stages"]:
        texts = [stage["cells"][i] for i in wanted if stage["cells"][i]]
        if texts:
            lines.append(f"{stage['label']}: {'; '.join(texts)}")
    return "\n".join(lines)


def article_structured_data(article: dict, code: str) -> dict:
    """MedicalWebPage, a MedicalProcedure per method the article compares or gives
    aftercare for (with that aftercare as ``followup``), and FAQPage from its FAQ."""
    blocks = article["blocks"]
    methods: dict[str, dict] = {}
    for block in blocks:
        if block["kind"] == "comparison":
            for method in block["comparison"]["columns"]:
                methods.setdefault(method["slug"], method)
        elif block["kind"] == "aftercare":
            for track in block["aftercare"]["tracks"]:
                if track["method"]:
                    methods.setdefault(track["method"]["slug"], track["method"])
    aftercares = [b["aftercare"] for b in blocks if b["kind"] == "aftercare"]

    procedures = []
    for slug, method in methods.items():
        procedure = {
            "@type": "MedicalProcedure",
            "@id": f"#method-{slug}",
            "name": method["name"],
            "procedureType": PROCEDURE_TYPES[method["procedure_type"]],
        }
        followup = "\n".join(filter(None, (_followup(a, slug) for a in aftercares)))
        if followup:
            procedure["followup"] = followup
        procedures.append(procedure)

    page = {
        "@type": "MedicalWebPage",
        "name": article["title"],
        "headline": article["seo_title"] or article["title"],
        "description": article["meta_description"] or plain_text(article["summary"]),
        "inLanguage": hreflang(code),
        "datePublished": article["published_at"],
        "dateModified": article["updated_at"],
        "about": {
            "@type": "MedicalCondition",
            "name": article["topic"] or article["title"],
        },
    }
    if article["last_reviewed"]:
        page["lastReviewed"] = article["last_reviewed"]
    if article["reviewed_by"]:
        page["reviewedBy"] = {"@type": "Person", "name": article["reviewed_by"]}
    if procedures:
        page["about"]["possibleTreatment"] = [{"@id": p["@id"]} for p in procedures]
    images = hero_images(article["hero_image"])
    if images:
        page["image"] = images

    graph = [page, *procedures]
    faq_items = [item for b in blocks if b["kind"] == "faq" for item in b["items"]]
    if faq_items:
        graph.append(faq_page(faq_items, code))
    return {"@context": CONTEXT, "@graph": graph}


def largest(renditions: list[dict], media_type: str) -> dict | None:
    """The widest of ``renditions`` of ``media_type``."""
    found = [r for r in renditions if r["type"] == media_type]
    return max(found, key=lambda r: r["width"]) if found else None


def hero_images(image: dict | None) -> list[dict]:
    """schema.org ImageObjects of a hero image: the whole image, then its largest
    crop at each ratio (Google asks for 16:9, 4:3 and 1:1), in its own format."""
    if not image:
        return []
    shown = [{"url": image["url"], "width": image["width"], "height": image["height"]}]
    for crop in image["crops"].values():
        widest = largest(crop, image["type"])
        if widest:
            shown.append(widest)
    return [
        {
            "@type": "ImageObject",
            "url": one["url"],
            "width": one["width"],
            "height": one["height"],
            **({"caption": image["alt"]} if image["alt"] else {}),
        }
        for one in shown
    ]


# og:locale is language_TERRITORY; the territory each content language is read in.
OG_LOCALES = {"en": "en_US", "ko": "ko_KR", "ja": "ja_JP", "zh-hans": "zh_CN"}
# The Open Graph image: about this wide (Facebook's 1200 × 630), 16:9.
OG_IMAGE_WIDTH = 1200
OG_IMAGE_RATIO = "16:9"


def og_locale(code: str) -> str:
    return OG_LOCALES.get(code, code.replace("-", "_"))


def og_image(image: dict | None) -> dict | None:
    """The hero image's 16:9 crop closest to 1200 pixels wide in its own format
    (the whole image while the crops are not made yet)."""
    if not image:
        return None
    crop = [
        r for r in image["crops"].get(OG_IMAGE_RATIO, []) if r["type"] == image["type"]
    ]
    chosen = (
        min(crop, key=lambda r: abs(r["width"] - OG_IMAGE_WIDTH))
        if crop
        else {k: image[k] for k in ("url", "width", "height", "type")}
    )
    return {
        "url": chosen["url"],
        "secure_url": chosen["url"],
        "type": chosen["type"],
        "width": chosen["width"],
        "height": chosen["height"],
        "alt": image["alt"],
    }


def open_graph(article: dict, code: str) -> dict:
    """Open Graph fields of an article as served: what a frontend writes into
    ``<meta property="og:…">``."""
    return {
        "type": "article",
        "title": article["seo_title"] or article["title"],
        "description": article["meta_description"] or plain_text(article["summary"]),
        "locale": og_locale(code),
        "locale_alternate": [
            og_locale(other["locale"])
            for other in article["alternates"]["languages"]
            if other["locale"] != code
        ],
        "image": og_image(article["hero_image"]),
        "published_time": article["published_at"],
        "modified_time": article["updated_at"],
    }
