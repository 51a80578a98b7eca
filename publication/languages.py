"""The content languages: codes, names and column names."""

import functools

from django.conf import settings
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
