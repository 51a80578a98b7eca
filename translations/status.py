"""The translation status page: every publishable object × language, each cell
one state — missing, outdated, ready, published, changed since published — with
counts per language and a link to where the fields to fix are listed (the
change page's publication panel, whose rows link to each field).

Read from what saves store (the completeness, publication and changed flags of
each object) and one query for the outdated translations: the page costs a
query per type, whatever the number of objects."""

from __future__ import annotations

from collections import Counter

from django.contrib import admin
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from publication import outdated
from publication.languages import DEFAULT_LANGUAGE, LANGUAGE_CODES, language_name
from publication.models import (
    changed_field,
    complete_field,
    publishable_models,
    published_field,
)

MISSING, OUTDATED, READY, PUBLISHED, CHANGED = (
    "missing",
    "outdated",
    "ready",
    "published",
    "changed",
)
STATES = {
    MISSING: _("missing"),
    OUTDATED: _("outdated"),
    READY: _("ready to publish"),
    PUBLISHED: _("published"),
    CHANGED: _("changed since published"),
}


def state(obj, code: str, stale: set) -> str:
    """One language's state of ``obj``: what an editor has to do first."""
    if not getattr(obj, complete_field(code)):
        return MISSING
    if (type(obj), obj.pk, code) in stale:
        return OUTDATED
    if getattr(obj, published_field(code)):
        return CHANGED if getattr(obj, changed_field(code)) else PUBLISHED
    return READY


def status_view(request):
    models = [
        model
        for model in publishable_models()
        if admin.site.is_registered(model)
        and admin.site.get_model_admin(model).has_view_permission(request)
    ]
    if not models:
        raise PermissionDenied
    stale = outdated.outdated_keys(models)
    counts = {code: Counter() for code in LANGUAGE_CODES}
    sections = []
    for model in models:
        opts = model._meta
        rows = []
        for obj in model._default_manager.order_by("pk"):
            change = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)]
            )
            cells = []
            for code in LANGUAGE_CODES:
                current = state(obj, code, stale)
                counts[code][current] += 1
                cells.append(
                    {
                        "code": code,
                        "state": current,
                        "label": STATES[current],
                        "url": f"{change}#publication-{code}",
                    }
                )
            rows.append({"object": obj, "url": change, "cells": cells})
        sections.append({"name": opts.verbose_name_plural, "rows": rows})
    languages = [
        {
            "code": code,
            "name": language_name(code),
            "counts": [(STATES[key], counts[code][key]) for key in STATES],
        }
        for code in LANGUAGE_CODES
    ]
    context = {
        **admin.site.each_context(request),
        "title": gettext("Translation status"),
        "languages": languages,
        "sections": sections,
        "states": list(STATES.items()),
        "default_language": DEFAULT_LANGUAGE,
    }
    return TemplateResponse(request, "translations/status.html", context)
