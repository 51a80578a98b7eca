"""The image library: images shown by articles, methods, cause types and the
clinic profile, and their renditions (docs/images.md).

An image is a label (``Part``), as a comparison's criterion is: what it says (alt
text and caption per language, credit, focal point) is published with each object
that shows it, in that object's published version, so a change of alt text reaches
readers when those objects are published again, never on save. An object is
complete in L only when every image it shows has alt text in L (unless marked
decorative), and a patient's photo only with its consent recorded.

The file itself never changes: it is the upload decoded and written again
(``images.decode``: no metadata, a name made here), with its size, average
colour and placeholder read once. Renditions are made by the worker
(``content.tasks.make_renditions``) after the upload commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from publication.models import Part, Publishable, missing_field_names, short


def focal_field(name: str):
    return models.FloatField(
        name,
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("Set by clicking on the image."),
    )


def file_name(key: str, extension: str) -> str:
    """Where an image's file is stored: a name made here, never the upload's
    (a photo's file name may name the patient)."""
    return f"images/{key[:2]}/{key}{extension}"


def new_key() -> str:
    return uuid.uuid4().hex


class Image(Part):
    file = models.FileField(_("file"), max_length=200)
    width = models.PositiveIntegerField(_("width"), editable=False)
    height = models.PositiveIntegerField(_("height"), editable=False)
    format = models.CharField(_("format"), max_length=10, editable=False)
    color = models.CharField(_("average colour"), max_length=7, editable=False)
    placeholder = models.TextField(_("placeholder"), editable=False)
    alt_text = models.CharField(
        _("alt text"),
        max_length=300,
        blank=True,
        help_text=_(
            "What the image shows, for readers who cannot see it, e.g. The muscles "
            "around the mouth corner, seen from the front. Needed in every language "
            "the image is published in, unless it is decorative."
        ),
    )
    caption = models.CharField(
        _("caption"),
        max_length=500,
        blank=True,
        help_text=_("Shown under the image, e.g. The depressor muscle pulls down."),
    )
    decorative = models.BooleanField(
        _("decorative"),
        default=False,
        help_text=_(
            "It says nothing the text does not: screen readers skip it, and it "
            "needs no alt text."
        ),
    )
    credit = models.CharField(
        _("credit"),
        max_length=200,
        blank=True,
        help_text=_(
            "Who made the image, as readers of this language know them, e.g. "
            "Dr.Tak Plastic Surgery."
        ),
    )
    focal_x = focal_field(_("focal point (across)"))
    focal_y = focal_field(_("focal point (down)"))
    patient_photo = models.BooleanField(
        _("patient photo"),
        default=False,
        help_text=_(
            "A photo of a patient: it can be published only with the patient's "
            "consent recorded below."
        ),
    )
    consent_reference = models.CharField(
        _("consent reference"),
        max_length=100,
        blank=True,
        help_text=_("Where the signed consent is filed, e.g. CONSENT-2026-0142."),
    )
    consent_date = models.DateField(_("consent date"), null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self):
        from publication.models import in_some_language

        return in_some_language(self, "alt_text") or gettext("Image %(number)s") % {
            "number": self.pk or "",
        }

    def describe(self) -> str:
        return gettext("Image “%(name)s”") % {"name": short(self)}

    def save(self, *args, **kwargs):
        # A new file or focal point needs renditions: ``content.renditions``
        # asks the worker for them on post_save (it imports this module).
        changed = self.changed_columns() or set()
        self.needs_renditions = self._state.adding or bool(
            {"focal_x", "focal_y"} & changed
        )
        super().save(*args, **kwargs)

    def required_fields(self) -> tuple[str, ...]:
        return () if self.decorative else ("alt_text",)

    def problems(self, code: str) -> list[str]:
        # A decorative image's alt text is never shown: none is needed in any
        # language, even where English has one.
        problems = [
            f"{self.describe()}: {self._meta.get_field(name).verbose_name}"
            for name in missing_field_names(self, code)
            if not (self.decorative and name == "alt_text")
        ]
        if self.patient_photo and (not self.consent_reference or not self.consent_date):
            problems.append(
                gettext(
                    "%(image)s: a patient photo needs its consent reference and date"
                )
                % {"image": self.describe()}
            )
        return problems

    @property
    def focal(self) -> tuple[float, float]:
        return (self.focal_x, self.focal_y)

    def publication_roots(self) -> Iterable[Publishable]:
        """Every object that shows the image in its working copy (found through
        each relation to images, so a new one needs no change here)."""
        if self.pk is None:
            return []
        roots: dict[tuple, Publishable] = {}
        for relation in self._meta.related_objects:
            model = relation.related_model
            if not issubclass(model, Part):
                continue
            rows = model._default_manager.filter(**{relation.field.name: self})
            for row in rows:
                found = (
                    [row] if isinstance(row, Publishable) else row.publication_roots()
                )
                for root in found:
                    roots[(type(root), root.pk)] = root
        return list(roots.values())

    def published_showing(self) -> list[Publishable]:
        """Objects whose published version shows the image (whatever their
        working copy shows now): deleting it would take it from their pages."""
        from publication.models import PublishedVersion

        found = {}
        versions = PublishedVersion.objects.filter(
            content_type__app_label=self._meta.app_label
        ).only("content_type", "object_id", "data")
        for version in versions.iterator():
            shown = version.data.get("parts", {}).get("images", [])
            if any(image["id"] == self.pk for image in shown):
                found[(version.content_type_id, version.object_id)] = version
        return [
            version.content_type.get_object_for_this_type(pk=version.object_id)
            for version in found.values()
        ]


class Rendition(models.Model):
    """One file made from an image for one width and format, uncropped or cropped
    to a ratio around a focal point (the focal point published with the object
    that shows it: an older version keeps its crops until it is published again)."""

    image = models.ForeignKey(
        Image, on_delete=models.CASCADE, related_name="renditions"
    )
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    format = models.CharField(max_length=10)
    ratio = models.CharField(max_length=12, blank=True)
    focal = models.CharField(max_length=24, blank=True)
    file = models.FileField(max_length=200)

    class Meta:
        ordering = ["image", "ratio", "width", "format"]
        constraints = [
            models.UniqueConstraint(
                fields=["image", "width", "format", "ratio", "focal"],
                name="content_rendition_unique",
            )
        ]

    def __str__(self):
        return self.file.name


def focal_key(focal: tuple[float, float]) -> str:
    """How a crop's focal point is named (``0.500,0.400``); "" for none."""
    return f"{focal[0]:.3f},{focal[1]:.3f}"


def image_field(verbose_name, related_name: str, help_text=""):
    """A reference to a library image: protected, so an image something shows
    cannot be deleted."""
    return models.ForeignKey(
        Image,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=verbose_name,
        help_text=help_text,
    )


def hero_field(related_name: str):
    return image_field(
        _("hero image"),
        related_name,
        _("Shown at the top of the page and on cards and link previews."),
    )


def images_shown(query: models.Q) -> models.QuerySet:
    """The images matching ``query`` (what one object shows), in a stable order:
    an object's ``images`` part."""
    return Image.objects.filter(query).distinct().order_by("pk")
