"""The content languages: codes, names and column names."""

import functools

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import build_localized_fieldname

DEFAULT_LANGUAGE: str = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
LANGUAGE_CODES: tuple[str, ...] = tuple(code for code, _name in settings.LANGUAGES)
LANGUAGE_NAMES = dict(settings.LANGUAGES)


# Pure and called a few hundred times per API response: remembered (the pairs are
# fields × four languages, a few hundred in all).
@functools.lru_cache(maxsize=2048)
def column(field: str, code: str) -> str:
    """The database column of ``field`` in language ``code`` (``slug_zh_hans``)."""
    return build_localized_fieldname(field, code)


def language_name(code: str) -> str:
    return str(LANGUAGE_NAMES.get(code, code))


def translated_fields(model: type[models.Model]) -> tuple[str, ...]:
    """Names of the fields registered for translation on ``model`` (``title``, …)."""
    try:
        options = translator.get_options_for_model(model)
    except NotRegistered:
        return ()
    # modeltranslation keeps them in a set; messages list them in the form's order.
    # Derived columns (editable=False, e.g. the FAQ's search text) are not content an
    # editor can be missing.
    names = set(options.all_fields)
    return tuple(f.name for f in model._meta.fields if f.name in names and f.editable)


def editor_language() -> str:
    """The content language an editor starts in: their admin's language when it
    is a content language (a Korean editor edits Korean), else the default."""
    code = get_language()
    return code if code in LANGUAGE_CODES else DEFAULT_LANGUAGE
