"""The admin's side of translation files: an "Export for translation" action on
every publishable model's list, and a page to export everything missing or
outdated in a language and to import a translated file (upload → preview →
apply)."""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from publication.languages import DEFAULT_LANGUAGE, LANGUAGE_NAMES
from publication.models import publishable_models
from translations import files, imports
from translations.units import Unit, needing_work, units_of

LANGUAGES = [
    (code, name) for code, name in LANGUAGE_NAMES.items() if code != DEFAULT_LANGUAGE
]
# How long an uploaded file waits for its "Apply" after the preview.
PREVIEW_SECONDS = 60 * 60


class ExportForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES)
    format = forms.ChoiceField(
        label=_("Format"), choices=list(files.FORMATS.items()), initial=files.XLIFF
    )


class ImportForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES)
    file = forms.FileField(
        label=_("Translated file"),
        help_text=_("An XLIFF or PO file exported here, e.g. clinic-ja.xlf."),
    )


def download(units: list[Unit], code: str, fmt: str, name: str) -> HttpResponse:
    data = files.export(units, code, fmt)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"{name}-{code}-{stamp}.{files.EXTENSIONS[fmt]}"
    return HttpResponse(
        data,
        content_type=files.CONTENT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def allowed(units: list[Unit], user, code: str) -> list[Unit]:
    return [u for u in units if imports.can_translate(user, u.obj, code)]


@admin.action(description=_("Export for translation"))
def export_for_translation(modeladmin, request, queryset):
    form = ExportForm(request.POST if "export" in request.POST else None)
    if form.is_valid():
        code, fmt = form.cleaned_data["language"], form.cleaned_data["format"]
        units = allowed(units_of(queryset, code), request.user, code)
        return download(units, code, fmt, modeladmin.model._meta.model_name)
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": gettext("Export for translation"),
        "opts": modeladmin.model._meta,
        "objects": queryset,
        "form": form,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "translations/export_action.html", context)


def add_export_action() -> None:
    """Give every publishable model's admin list the export action."""
    for model in publishable_models():
        if admin.site.is_registered(model):
            model_admin = admin.site.get_model_admin(model)
            model_admin.actions = [*model_admin.actions, export_for_translation]


def translations_view(request):
    """Export everything missing or outdated in a language; import a file."""
    export_form = ExportForm(request.POST if "export" in request.POST else None)
    if "preview" in request.POST:
        import_form = ImportForm(request.POST, request.FILES)
    else:
        import_form = ImportForm()
    context = {
        **admin.site.each_context(request),
        "title": gettext("Translation files: export and import"),
        "export_form": export_form,
        "import_form": import_form,
    }
    if export_form.is_valid():
        code = export_form.cleaned_data["language"]
        units = allowed(needing_work(code), request.user, code)
        return download(units, code, export_form.cleaned_data["format"], "clinic")
    if import_form.is_valid():
        code = import_form.cleaned_data["language"]
        try:
            data = files.read_upload(import_form.cleaned_data["file"])
            plan = imports.plan(data, code, request.user)
        except files.RefusedFile as error:
            import_form.add_error("file", str(error))
        else:
            key = secrets.token_urlsafe(16)
            cache.set(
                f"translations-import:{key}",
                {"data": data, "language": code, "user": request.user.pk},
                PREVIEW_SECONDS,
            )
            context.update(plan=plan, key=key, language=LANGUAGE_NAMES[code])
    return TemplateResponse(request, "translations/translations.html", context)


def apply_view(request):
    """Apply a previewed file (its key names the upload kept for the preview)."""
    if request.method != "POST":
        return redirect("translations")
    stored = cache.get(f"translations-import:{request.POST.get('key', '')}")
    if stored is None or stored["user"] != request.user.pk:
        messages.error(request, gettext("The preview expired: upload the file again."))
        return redirect("translations")
    code = stored["language"]
    try:
        plan = imports.apply(stored["data"], code, request.user)
    except files.RefusedFile as error:
        messages.error(request, str(error))
        return redirect("translations")
    cache.delete(f"translations-import:{request.POST['key']}")
    context = {
        **admin.site.each_context(request),
        "title": gettext("Translation files: export and import"),
        "plan": plan,
        "applied": True,
        "language": LANGUAGE_NAMES[code],
        "export_form": ExportForm(),
        "import_form": ImportForm(),
    }
    return TemplateResponse(request, "translations/translations.html", context)
