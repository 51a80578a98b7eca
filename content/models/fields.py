"""Fields and helpers the content models share."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from publication.languages import LANGUAGE_CODES, column
from publication.models import (
    value_in,
)
from richtext import is_empty


class HttpsURLField(models.URLField):
    """A URL field whose form adds https:// to an address typed without a scheme
    (Django 6's default, adopted now)."""

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})


def slug_constraints(prefix: str) -> list[models.UniqueConstraint]:
    """A slug is unique within each language; an empty slug is no slug."""
    return [
        models.UniqueConstraint(
            fields=[column("slug", code)],
            condition=~Q(**{column("slug", code): ""}),
            name=f"{prefix}_unique_slug_{code.replace('-', '_')}",
            # "unique" puts the message on the slug field (Model.validate_constraints).
            violation_error_code="unique",
            violation_error_message=_(
                "This slug is already used in this language. Choose another one."
            ),
        )
        for code in LANGUAGE_CODES
    ]


def slug_field() -> models.SlugField:
    return models.SlugField(
        _("slug"),
        max_length=200,
        allow_unicode=True,
        blank=True,
        help_text=_(
            "The address of the page in this language, e.g. mouth-corner-asymmetry "
            "or 입꼬리-비대칭. Left empty, it is made from the title."
        ),
    )


def position_field() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        _("position"),
        default=0,
        db_index=True,
        help_text=_("Order among its siblings; drag the rows to change it."),
    )


def grid_problems(
    *,
    rows: list,
    columns: list,
    cells: dict,
    code: str,
    describe_cell,
) -> list[str]:
    """Problems of a rows × columns grid whose every cell must have text.

    A cell with no text even in the default language is reported in every
    language: a missing cell must be visible, never a silent blank.
    """
    problems = []
    for row in rows:
        for col in columns:
            cell = cells.get((row.pk, col.pk))
            if cell is None or is_empty(cell.text):
                problems.append(
                    gettext("%(cell)s: the cell is empty")
                    % {"cell": describe_cell(row, col)}
                )
            elif is_empty(value_in(cell, "text", code)):
                problems.append(
                    gettext("%(cell)s: text") % {"cell": describe_cell(row, col)}
                )
    return problems


def method_cell(criterion, method) -> str:
    """How refusals name a comparison cell: ``Botox × Onset``."""
    return f"{method} × {criterion}"
