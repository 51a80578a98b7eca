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

    graph = [page, *procedures]
    faq_items = [item for b in blocks if b["kind"] == "faq" for item in b["items"]]
    if faq_items:
        graph.append(faq_page(faq_items, code))
    return {"@context": CONTEXT, "@graph": graph}
