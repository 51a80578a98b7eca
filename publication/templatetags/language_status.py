"""The legend of the per-language status columns (``LANGUAGE_STATUS_COLUMNS``), shown
above a changelist that has them: the symbols mean nothing without it."""

from django import template
from django.utils.translation import gettext_lazy as _

from publication.admin import LANGUAGE_STATUS_COLUMNS
from publication.models import Publishable

register = template.Library()

# The symbols as the columns write them, with their tooltips' words.
PUBLISHABLE_LEGEND = [
    ("●", _("published")),
    ("◐", _("published, changed since")),
    ("◷", _("scheduled")),
    ("○", _("complete, not published")),
    ("✕", _("missing translations")),
]
LABEL_LEGEND = [
    ("✓", _("complete")),
    ("✕", _("missing translations")),
]


@register.inclusion_tag("publication/language_status_legend.html")
def language_status_legend(cl) -> dict:
    shown = any(column in LANGUAGE_STATUS_COLUMNS for column in cl.list_display)
    if not shown:
        return {"legend": []}
    publishable = issubclass(cl.model, Publishable)
    return {"legend": PUBLISHABLE_LEGEND if publishable else LABEL_LEGEND}
