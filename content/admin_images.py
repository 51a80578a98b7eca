"""The image library in the admin: upload, search, reuse; alt text and caption per
language, the focal point set by clicking on the image (docs/images.md)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

import images
from content import models
from content.renditions import store
from publication.admin import (
    MissingInLanguageFilter,
    OutdatedInLanguageFilter,
    TranslatedAdmin,
    translated_search_fields,
)
from publication.languages import column
from publication.models import missing_q

ACCEPT = ",".join(images.FORMATS[name][1] for name in images.readable_formats())


class ImageMissingFilter(MissingInLanguageFilter):
    """ "Missing in L": also an image with no alt text in L that is not
    decorative (alt text is required for it whatever English holds)."""

    def filter(self, queryset, code):
        no_alt = Q(decorative=False) & (
            Q(**{column("alt_text", code): ""})
            | Q(**{f"{column('alt_text', code)}__isnull": True})
        )
        return queryset.filter(missing_q(queryset.model, code) | no_alt)


class ImageForm(forms.ModelForm):
    """An image's form. A new image's file is the upload decoded and written again
    (``images.decode``), under a name made here; a file that is refused is a form
    error naming the problem, and nothing is stored. An image's file never
    changes: another picture is another image."""

    upload = forms.FileField(
        label=_("file"),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        help_text=_(
            "%(formats)s, at most %(size)s MB. Its name is not kept, and neither "
            "is its metadata (camera, GPS position, dates)."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decoded = None
        if self.instance.pk is not None:
            # The file of a saved image stays: an upload here is ignored.
            del self.fields["upload"]
        elif "upload" in self.fields:
            self.fields["upload"].help_text = self.fields["upload"].help_text % {
                "formats": images.format_names(),
                "size": images.megabytes(settings.IMAGE_MAX_BYTES),
            }

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        try:
            self.decoded = images.decode(
                upload,
                name=upload.name,
                max_bytes=settings.IMAGE_MAX_BYTES,
                max_pixels=settings.IMAGE_MAX_PIXELS,
            )
        except images.Refused as refusal:
            raise ValidationError(str(refusal)) from None
        return None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("patient_photo") and not (
            cleaned.get("consent_reference") and cleaned.get("consent_date")
        ):
            # A warning, not an error: the photo may be uploaded before the
            # consent is filed; it cannot be published until it is.
            self.consent_missing = True
        return cleaned

    def save(self, commit=True):
        if self.decoded is not None:
            store(self.instance, self.decoded)
        return super().save(commit)


def thumbnail_url(image: models.Image) -> str:
    """The smallest uncropped rendition, else the file itself."""
    renditions = [r for r in image.renditions.all() if not r.ratio]
    if renditions:
        return min(renditions, key=lambda r: (r.width, r.format != "webp")).file.url
    return image.file.url


@admin.register(models.Image)
class ImageAdmin(TranslatedAdmin):
    form = ImageForm
    list_display = ("thumbnail", "__str__", "size", "decorative", "patient_photo")
    list_display_links = ("thumbnail", "__str__")
    list_filter = (
        ImageMissingFilter,
        OutdatedInLanguageFilter,
        "decorative",
        "patient_photo",
    )
    search_fields = [*translated_search_fields("alt_text", "caption"), "credit"]
    readonly_fields = ("focal_picker", "size")
    list_per_page = 50

    class Media:
        js = ("admin/images/focal.js",)
        css = {"all": ("admin/images/focal.css",)}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("renditions")

    def get_fieldsets(self, request, obj=None):
        picture = (
            ("upload", "focal_picker") if obj is None else ("focal_picker", "size")
        )
        return [
            (None, {"fields": (*picture, ("focal_x", "focal_y"))}),
            (
                _("Text"),
                {
                    # Each in every language (modeltranslation's fields).
                    "fields": self.replace_orig_field(
                        ("alt_text", "decorative", "caption", "credit")
                    )
                },
            ),
            (
                _("Patient photo"),
                {
                    "fields": ("patient_photo", "consent_reference", "consent_date"),
                    "description": _(
                        "A photo of a patient is published only with the "
                        "patient's written consent: its reference and date."
                    ),
                },
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return tuple(dict.fromkeys((*fields, "focal_picker", "size")))

    @admin.display(description=_("image"))
    def thumbnail(self, obj):
        return format_html(
            '<img class="image-thumbnail" src="{}" alt="" width="80" '
            'style="aspect-ratio: {} / {}">',
            thumbnail_url(obj),
            obj.width,
            obj.height,
        )

    @admin.display(description=_("size"))
    def size(self, obj):
        if obj is None or obj.pk is None:
            return ""
        return f"{obj.width} × {obj.height} ({obj.format.upper()})"

    @admin.display(description=_("focal point"))
    def focal_picker(self, obj):
        """The image, where a click sets the focal point (admin/images/focal.js
        writes it into the two fields below and moves the mark); on the add page,
        the chosen file, shown from the browser's own copy."""
        src = obj.file.url if obj is not None and obj.pk else ""
        return format_html(
            '<div class="focal-picker" data-hint="{}">'
            '<img src="{}" alt="" hidden><span class="focal-mark" hidden></span>'
            "</div>",
            gettext("Click on the image where its subject is: crops keep that point."),
            src,
        )

    def recover_view(self, request, version_id, extra_context=None):
        """A deleted image's files were deleted with it (content.renditions
        .file_deleted): its texts alone would show nothing."""
        self.message_user(
            request,
            gettext(
                "A deleted image cannot be recovered: its file was deleted with "
                "it. Upload the picture again as a new image."
            ),
            messages.ERROR,
        )
        return HttpResponseRedirect(reverse("admin:content_image_changelist"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if getattr(form, "consent_missing", False):
            self.message_user(
                request,
                gettext(
                    "This patient photo has no consent reference or date yet: it "
                    "cannot be published until both are recorded."
                ),
                level="warning",
            )
