"""The content language of a request: ``?locale=<code>``, nothing else (DESIGN §2).

No negotiation on ``Accept-Language``: it would split CDN caches and make the same URL
answer in different languages. The codes are Django's (``zh-hans``); ``hreflang`` and
``Content-Language`` use their BCP 47 form (``zh-Hans``).
"""

import functools

from django.utils.translation import get_language_info, to_language

from publication.languages import DEFAULT_LANGUAGE, LANGUAGE_CODES

LOCALE_PARAM = "locale"


@functools.lru_cache(maxsize=64)
def hreflang(code: str) -> str:
    """The BCP 47 tag of a Django language code: ``zh-hans`` → ``zh-Hans``."""
    language, _sep, rest = to_language(code).partition("-")
    if not rest:
        return language
    # A four-letter subtag is a script (title case), a two-letter one a region.
    subtags = [s.title() if len(s) == 4 else s.upper() for s in rest.split("-")]
    return "-".join([language, *subtags])


def native_name(code: str) -> str:
    return get_language_info(code)["name_local"]


def english_name(code: str) -> str:
    return get_language_info(code)["name"]


class InvalidLocale(ValueError):
    def __init__(self, value: str):
        super().__init__(value)
        self.value = value


def parse_locale(values: list[str]) -> str:
    """The language code asked for by the ``locale`` query values (absent: default).

    Only the exact codes of LANGUAGES are accepted: one spelling per language keeps one
    cache entry per language.
    """
    if not values:
        return DEFAULT_LANGUAGE
    if len(values) == 1 and values[0] in LANGUAGE_CODES:
        return values[0]
    raise InvalidLocale(",".join(values))
