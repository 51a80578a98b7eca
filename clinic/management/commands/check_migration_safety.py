"""Fail on a migration that can lose or change translated text unless it says why.

    manage.py check_migration_safety [--verbosity 2]

A *language column* is a per-language column of a model: modeltranslation's
``title_en``, ``title_ko``… and the publication flags ``published_<lang>`` /
``complete_<lang>``, found from the migration history itself (a field ``<name>_<code>``
next to a sibling in a language of LANGUAGES, so the columns of a language that has
since been removed count too) and from modeltranslation's registry. The base field of
a translated field (``title``) counts as well.

Every migration of the project's apps is read, operation by operation, against the
model state just before it. These operations are flagged when they touch a language
column:

- ``RemoveField``, ``DeleteModel`` (of a model that has one): the data is dropped;
- ``AlterField`` that changes the column (type, length, null, default, db_column…;
  a change of ``verbose_name``, ``help_text``, ``on_delete`` and the other
  Python-only attributes does not touch the column and passes);
- ``RenameField``: the column is renamed under the code that reads it;
- ``RunSQL`` whose SQL names a language column or the table of a model with one;
- ``RunPython``: opaque to this check, so every data migration with a forward
  function is flagged and must say what it writes.

A flagged migration passes only if its module says why, with a non-empty string:

    DATA_LOSS_ALLOWED = "Drops the zh-hans columns: Simplified Chinese is retired."

The reverse direction is not checked: unapplying a migration that added a column drops
it by definition (``migrate <app> <previous>`` is a data-losing operation on its own).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import global_settings, settings
from django.core.management.base import BaseCommand, CommandError
from django.db import migrations
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState
from django.db.models import Field

ALLOW_NAME = "DATA_LOSS_ALLOWED"
# Attributes that never reach the database column (Django's own list, less
# db_column, which renames the column).
PYTHON_ONLY = frozenset(Field.non_db_attrs) - {"db_column"}


def suffixes(languages) -> frozenset[str]:
    return frozenset(code.replace("-", "_") for code, _name in languages)


@dataclass(frozen=True)
class Finding:
    migration: str  # "content.0003_drop_topic"
    operation: str  # "RemoveField article.topic_ko"
    reason: str
    allowed: str = ""  # the migration's DATA_LOSS_ALLOWED


def project_apps() -> list[str]:
    """The labels of the apps that live in this repository (not in site-packages)."""
    root = Path(settings.BASE_DIR).resolve()
    labels = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(root) and ".venv" not in path.parts:
            labels.append(config.label)
    return labels


def language_columns(state: ProjectState, app_label: str, model: str) -> set[str]:
    """The language columns (and translated base fields) of one model in a state."""
    model_state = state.models.get((app_label, model))
    if model_state is None:
        return set()
    names = set(model_state.fields)
    current = suffixes(settings.LANGUAGES)
    # Any language Django knows: the columns of a language removed from LANGUAGES
    # are still recognised.
    known = suffixes(global_settings.LANGUAGES) | current
    families: dict[str, set[str]] = {}
    for name in names:
        for suffix in known:
            if name.endswith("_" + suffix):
                families.setdefault(name[: -len(suffix) - 1], set()).add(suffix)
    found = set()
    for base, found_in in families.items():
        # One sibling in a current language makes the family a language family;
        # a lone ``delay_ms`` (Malay) or ``user_id`` (Indonesian) is not one.
        if found_in & current:
            found.update(f"{base}_{suffix}" for suffix in found_in)
            if base in names:
                found.add(base)
    return found | registered_columns(app_label, model)


def registered_columns(app_label: str, model: str) -> set[str]:
    """What modeltranslation registers today for the model, if it still exists."""
    from modeltranslation.translator import NotRegistered, translator

    try:
        current = apps.get_model(app_label, model)
        options = translator.get_options_for_model(current)
    except (LookupError, NotRegistered):
        return set()
    columns = set()
    for base, fields in options.all_fields.items():
        columns.add(base)
        columns.update(f.name for f in fields)
    return columns


def column_changes(old: Field, new: Field) -> list[str]:
    """The attributes of a field's deconstruction that reach the database."""
    _, old_path, old_args, old_kwargs = old.deconstruct()
    _, new_path, new_args, new_kwargs = new.deconstruct()
    changed = [] if old_path == new_path else ["type"]
    for key in sorted(set(old_kwargs) | set(new_kwargs)):
        if key in PYTHON_ONLY:
            continue
        if old_kwargs.get(key) != new_kwargs.get(key):
            changed.append(key)
    if old_args != new_args:
        changed.append("args")
    return changed


def tables_and_columns(state: ProjectState, app_label: str) -> list[str]:
    """Names a RunSQL of ``app_label`` must not mention: language columns and the
    tables of models that have them, in the app and the apps it sits next to."""
    names = []
    for (label, model), model_state in state.models.items():
        columns = language_columns(state, label, model)
        if columns:
            names.extend(columns)
            names.append(model_state.options.get("db_table") or f"{label}_{model}")
    return names


def inspect_operation(
    operation, state: ProjectState, app_label: str
) -> tuple[str, str] | None:
    """(what, why) if the operation touches a language column, else None."""
    if isinstance(operation, migrations.SeparateDatabaseAndState):
        for inner in operation.database_operations:
            found = inspect_operation(inner, state, app_label)
            if found:
                return found
        return None
    name = type(operation).__name__
    if isinstance(operation, migrations.RemoveField | migrations.AlterField):
        model = operation.model_name_lower
        field = operation.name
        if field not in language_columns(state, app_label, model):
            return None
        what = f"{name} {model}.{field}"
        if isinstance(operation, migrations.RemoveField):
            return what, "drops a language column"
        old = state.models[app_label, model].fields[field]
        changed = column_changes(old, operation.field)
        if not changed:
            return None
        return what, f"alters a language column ({', '.join(changed)})"
    if isinstance(operation, migrations.RenameField):
        model = operation.model_name_lower
        if operation.old_name in language_columns(state, app_label, model):
            return (
                f"{name} {model}.{operation.old_name} → {operation.new_name}",
                "renames a language column",
            )
        return None
    if isinstance(operation, migrations.DeleteModel):
        model = operation.name_lower
        if language_columns(state, app_label, model):
            return f"{name} {model}", "drops a table with language columns"
        return None
    if isinstance(operation, migrations.RunSQL):
        sql = operation.sql if isinstance(operation.sql, str) else str(operation.sql)
        for word in tables_and_columns(state, app_label):
            if re.search(rf"\b{re.escape(word)}\b", sql, re.IGNORECASE):
                return f"{name} naming {word}", "raw SQL on language columns"
        return None
    if isinstance(operation, migrations.RunPython):
        function = operation.code
        if function is migrations.RunPython.noop:
            return None
        return (
            f"{name} {getattr(function, '__name__', function)}",
            "a data migration: it may rewrite language columns",
        )
    return None


def allowance(migration) -> str:
    module = sys.modules.get(type(migration).__module__)
    value = getattr(module, ALLOW_NAME, "")
    return value.strip() if isinstance(value, str) else ""


def findings(
    loader: MigrationLoader, labels: list[str], extra: list | None = None
) -> list[Finding]:
    """Every flagged operation of the apps' migrations (and of ``extra`` migrations,
    applied after the graph's leaves), allowed or not."""
    found: list[Finding] = []

    def check(migration, state: ProjectState) -> None:
        state = state.clone()
        for operation in migration.operations:
            flagged = inspect_operation(operation, state, migration.app_label)
            if flagged:
                found.append(
                    Finding(
                        f"{migration.app_label}.{migration.name}",
                        *flagged,
                        allowed=allowance(migration),
                    )
                )
            operation.state_forwards(migration.app_label, state)

    for app_label, name in sorted(loader.disk_migrations):
        # A migration replaced by a squashed one is read through the squash.
        if app_label not in labels or (app_label, name) not in loader.graph.nodes:
            continue
        migration = loader.graph.nodes[app_label, name]
        check(migration, loader.project_state((app_label, name), at_end=False))
    if extra:
        state = loader.project_state()
        for migration in extra:
            check(migration, state)
            state = migration.mutate_state(state, preserve=True)
    return found


class Command(BaseCommand):
    help = (
        "Fail when a migration of the project's apps drops, alters, renames or "
        f"rewrites a language column without a {ALLOW_NAME} reason in its module."
    )
    requires_system_checks = []

    def handle(self, *args, **options):
        loader = MigrationLoader(None, ignore_no_migrations=True)
        labels = project_apps()
        found = findings(loader, labels)
        refused = [f for f in found if not f.allowed]
        for finding in found:
            line = f"{finding.migration}: {finding.operation} — {finding.reason}"
            if finding.allowed:
                if options["verbosity"] >= 2:
                    self.stdout.write(f"allowed  {line} ({finding.allowed})")
            else:
                self.stderr.write(f"REFUSED  {line}")
        checked = sum(1 for app, _name in loader.disk_migrations if app in labels)
        if refused:
            raise CommandError(
                f"{len(refused)} operation(s) touch language columns without "
                f"{ALLOW_NAME} in their migration: add "
                f'{ALLOW_NAME} = "<what is lost or rewritten, and why>" to the '
                "migration module once the data is exported or not needed."
            )
        self.stdout.write(
            f"{checked} migrations of {', '.join(labels)} checked: no language column "
            f"is dropped or altered without a reason ({len(found)} allowed)."
        )
