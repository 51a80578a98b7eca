"""The content languages: codes, names, hreflang values and column names."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

DEFAULT_LANGUAGE: str = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
LANGUAGE_CODES: tuple[str, ...] = tuple(code for code, _name in settings.LANGUAGES)
LANGUAGE_NAMES = dict(settings.LANGUAGES)

# BCP 47 for hreflang / inLanguage / Content-Language; Django's codes are lowercase.
_HREFLANG = {"zh-hans": "zh-Hans", "zh-hant": "zh-Hant"}


def hreflang(code: str) -> str:
    return _HREFLANG.get(code, code)


def column(field: str, code: str) -> str:
    """The database column of ``field`` in language ``code`` (``slug_zh_hans``)."""
    return build_localized_fieldname(field, code)


def language_name(code: str) -> str:
    return str(LANGUAGE_NAMES.get(code, code))


def language_label(code: str) -> str:
    return _("%(name)s (%(code)s)") % {"name": language_name(code), "code": code}
