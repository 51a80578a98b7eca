"""Per-language roles: Django permissions, assignable to groups, that say who may
write and who may publish each language.

- ``publication.translate_<code>``: change the texts of that language in any
  content (its columns only: no structural change — adding or deleting parts,
  reordering, another language, a reference, a time);
- ``publication.publish_<code>``: publish, schedule and unpublish that language;
- the full editor: the models' own ``change_…`` permissions (every field, every
  language, the structure), and publishing needs ``publish_<code>`` as well.

A superuser has them all. The admin enforces them on every path that writes
(``publication.admin.LanguageRolesMixin``): the change form and its inlines, the
grids, the publication panel and the list actions, the history's reverts, the
outdated translations' confirmation, and the translation files' import
(``translations``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language_info

from publication.languages import LANGUAGE_CODES


def _suffix(code: str) -> str:
    return code.replace("-", "_")


def _english(code: str) -> str:
    return get_language_info(code)["name"]


# The permissions, on ``PublishedVersion`` (Django attaches a permission to a
# model; a model of their own would need a table or be skipped by everything that
# walks the models). Stored as written (permission names are data): in English.
PERMISSIONS = [
    *(
        (f"translate_{_suffix(code)}", f"Can translate into {_english(code)}")
        for code in LANGUAGE_CODES
    ),
    *(
        (f"publish_{_suffix(code)}", f"Can publish in {_english(code)}")
        for code in LANGUAGE_CODES
    ),
]


def may_translate(user, code: str) -> bool:
    return user.has_perm(f"publication.translate_{_suffix(code)}")


def may_publish(user, code: str) -> bool:
    return user.has_perm(f"publication.publish_{_suffix(code)}")


def translated_languages(user) -> list[str]:
    """The languages ``user`` may translate into."""
    return [code for code in LANGUAGE_CODES if may_translate(user, code)]


def is_editor(user, model: type[models.Model]) -> bool:
    """May ``user`` change ``model`` whole (its own change permission)?"""
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.change_{opts.model_name}")


def may_write(user, model: type[models.Model], code: str) -> bool:
    """May ``user`` write ``model``'s texts in ``code``?"""
    return is_editor(user, model) or may_translate(user, code)


# The demo's groups (``manage.py load_demo``): a language's editor-publisher and a
# translator who may not publish.
DEMO_GROUPS = {
    "Korean editors": ("translate_ko", "publish_ko"),
    "Japanese translators": ("translate_ja",),
}


def ensure_demo_groups() -> None:
    """Create the demo's groups with their permissions (again: idempotent)."""
    from django.contrib.auth.models import Group, Permission

    for name, codenames in DEMO_GROUPS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="publication", codename__in=codenames
            )
        )
