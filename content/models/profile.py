"""The clinic profile and its channels."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from content.models.fields import HttpsURLField, position_field
from content.models.images import Image, image_field, images_shown
from content.models.lists import ItemList
from publication.models import (
    Part,
    Publishable,
    in_some_language,
)
from richtext import RichTextField


class ClinicProfile(Publishable):
    """The one clinic this installation publishes for."""

    name = models.CharField(
        _("name"), max_length=200, help_text=_("e.g. Dr.Tak Plastic Surgery")
    )
    slogan = models.CharField(
        _("slogan"),
        max_length=200,
        blank=True,
        help_text=_("e.g. To make people smile"),
    )
    description = RichTextField(_("description"))
    years_of_practice = models.PositiveSmallIntegerField(
        _("years of practice"), default=0, help_text=_("e.g. 15")
    )
    review_count = models.PositiveIntegerField(
        _("review count"), default=0, help_text=_("Number of public reviews, e.g. 190.")
    )
    rating = models.DecimalField(
        _("rating"),
        max_digits=2,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(5)],
        help_text=_("Average review rating out of 5, e.g. 4.9."),
    )
    trust_points = models.ForeignKey(
        ItemList,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("trust points"),
        help_text=_("The list of reasons patients give for choosing the clinic."),
    )
    care_system = models.ForeignKey(
        ItemList,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("care system"),
        help_text=_("The list that describes the patient care system, e.g. 4S."),
    )
    logo = image_field(_("logo"), "logo_of")
    photos = models.ManyToManyField(
        Image,
        blank=True,
        related_name="photo_of",
        verbose_name=_("photos"),
        help_text=_("Photos of the clinic and its doctors."),
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("clinic profile")
        verbose_name_plural = _("clinic profile")
        constraints = [
            models.CheckConstraint(
                condition=Q(id=1),
                name="content_clinicprofile_singleton",
                violation_error_message=_("There is only one clinic profile."),
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=0, rating__lte=5),
                name="content_clinicprofile_rating_range",
                violation_error_message=_("The rating is between 0 and 5."),
            ),
        ]

    def __str__(self):
        return in_some_language(self, "name")

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    def embedded(self) -> list[Publishable]:
        return [obj for obj in (self.trust_points, self.care_system) if obj is not None]

    def parts(self) -> Iterable[Part]:
        return [*self.channels.all(), *self.images()]

    def images(self):
        return images_shown(Q(logo_of=self) | Q(photo_of=self))

    def snapshot_parts(self):
        return {
            "channels": self.channels.order_by("position", "pk"),
            "images": self.images(),
        }

    @classmethod
    def load(cls) -> ClinicProfile | None:
        return cls.objects.filter(pk=1).first()


class ClinicChannel(Part):
    class Kind(models.TextChoices):
        SITE = "site", _("Official site")
        CHAT = "chat", _("Chat consultation")
        VIDEO = "video", _("Video channel")

    profile = models.ForeignKey(
        ClinicProfile,
        on_delete=models.CASCADE,
        related_name="channels",
        verbose_name=_("clinic profile"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    label = models.CharField(
        _("label"), max_length=120, help_text=_("e.g. Official site")
    )
    description = models.CharField(
        _("description"),
        max_length=300,
        blank=True,
        help_text=_(
            "e.g. Find lip & mouth correction information on our official site."
        ),
    )
    url = HttpsURLField(
        _("link"), help_text=_("The channel's address in this language.")
    )
    position = position_field()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("official channel")
        verbose_name_plural = _("official channels")

    def __str__(self):
        return self.label or self.get_kind_display()

    def publication_roots(self) -> Iterable[Publishable]:
        return [self.profile]
