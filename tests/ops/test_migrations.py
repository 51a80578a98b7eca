"""Migrations keep data: every app migrates from zero to head, back to zero and to
head again on an empty scratch database (a library's app whose migrations cannot be
unapplied stays at head meanwhile: ``IRREVERSIBLE``), and check_migration_safety
refuses a migration that drops or alters a language column unless it says why."""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections, migrations, models
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

import faq.migrations
from clinic.management.commands import check_migration_safety as safety

ALIAS = "scratch"

# Apps of libraries whose migrations cannot be unapplied, with their tables: they
# stay at head while the others go to zero and back. django-tasks-db's 0013 is a
# RunPython without a reverse (it has no foreign key to any other app).
IRREVERSIBLE = {"django_tasks_database": {"django_tasks_database_dbtaskresult"}}
KEPT_TABLES = {"django_migrations", *set().union(*IRREVERSIBLE.values())}


class ScratchRouter:
    """Data migrations read and write through managers (``FAQItem.objects``), which
    route to ``default``: send them to the scratch database."""

    def db_for_read(self, model, **hints):
        return ALIAS

    def db_for_write(self, model, **hints):
        return ALIAS

    def allow_migrate(self, db, app_label, **hints):
        return True


@pytest.fixture
def scratch_connection(scratch_database, settings, django_db_blocker):
    connections.settings[ALIAS] = scratch_database("migrations")
    settings.DATABASE_ROUTERS = [ScratchRouter()]
    try:
        with django_db_blocker.unblock():
            yield connections[ALIAS]
            connections[ALIAS].close()
    finally:
        del connections[ALIAS]
        del connections.settings[ALIAS]


def schema(connection) -> dict[str, tuple]:
    """Every table with its columns and constraints (indexes included)."""
    introspection = connection.introspection
    with connection.cursor() as cursor:
        return {
            table: (
                sorted(
                    c.name for c in introspection.get_table_description(cursor, table)
                ),
                sorted(introspection.get_constraints(cursor, table)),
            )
            for table in introspection.table_names(cursor)
        }


def migrate(connection, to: str) -> None:
    """Every app with migrations to its latest migration ("head") or to none."""
    executor = MigrationExecutor(connection)
    loader = executor.loader
    if to == "head":
        targets = loader.graph.leaf_nodes()
    else:
        targets = [
            (label, None)
            for label in sorted(loader.migrated_apps)
            if label not in IRREVERSIBLE
        ]
    executor.migrate(targets)


def test_every_app_migrates_from_zero_to_head_and_back_twice(scratch_connection):
    migrate(scratch_connection, "head")
    at_head = schema(scratch_connection)
    assert {"content_article", "faq_faqitem"} <= set(at_head)
    article_columns = at_head["content_article"][0]
    assert {"title", "title_en", "title_ko", "title_ja", "title_zh_hans"} <= set(
        article_columns
    )

    migrate(scratch_connection, "zero")
    assert set(schema(scratch_connection)) == KEPT_TABLES
    assert {
        label for label, _name in MigrationLoader(scratch_connection).applied_migrations
    } == set(IRREVERSIBLE)

    migrate(scratch_connection, "head")
    assert schema(scratch_connection) == at_head

    migrate(scratch_connection, "zero")
    assert set(schema(scratch_connection)) == KEPT_TABLES
    migrate(scratch_connection, "head")
    assert schema(scratch_connection) == at_head


# --- check_migration_safety -------------------------------------------------------


def test_the_repository_migrations_pass_the_safety_check():
    call_command("check_migration_safety", verbosity=0)


def test_existing_data_migrations_are_allowed_with_a_reason():
    found = safety.findings(MigrationLoader(None), safety.project_apps())
    allowed = {f.migration for f in found}
    assert "faq.0003_fill_search_text" in allowed
    assert all(f.allowed for f in found)


def flagged(*operations, app="content") -> list[safety.Finding]:
    """What the check says about a migration of ``app`` made of ``operations``,
    applied after the repository's migrations."""
    migration = migrations.Migration("9999_synthetic", app)
    migration.operations = list(operations)
    loader = MigrationLoader(None)
    return [
        f
        for f in safety.findings(loader, [], extra=[migration])
        if f.migration == f"{app}.9999_synthetic"
    ]


def field_of(app: str, model: str, name: str, **changes) -> models.Field:
    field = MigrationLoader(None).project_state().models[app, model].fields[name]
    _, path, args, kwargs = field.deconstruct()
    return type(field)(*args, **{**kwargs, **changes})


def test_dropping_a_translated_column_is_refused():
    [finding] = flagged(migrations.RemoveField("article", "title_ko"))
    assert finding.operation == "RemoveField article.title_ko"
    assert finding.reason == "drops a language column"
    assert not finding.allowed


def test_dropping_the_base_field_or_a_publication_flag_is_refused():
    found = flagged(
        migrations.RemoveField("article", "summary"),
        migrations.RemoveField("article", "published_ja"),
    )
    assert [f.operation for f in found] == [
        "RemoveField article.summary",
        "RemoveField article.published_ja",
    ]


def test_altering_a_translated_column_is_refused():
    [finding] = flagged(
        migrations.AlterField(
            "article",
            "title_ja",
            field_of("content", "article", "title_ja", null=False),
        )
    )
    assert finding.reason == "alters a language column (null)"


def test_python_only_changes_non_language_columns_and_foreign_keys_pass():
    help_text = field_of("content", "article", "title_ko", help_text="New help.")
    assert flagged(migrations.AlterField("article", "title_ko", help_text)) == []
    on_delete = field_of("faq", "faqitem", "category", on_delete=models.PROTECT)
    assert (
        flagged(
            migrations.AlterField("faqitem", "category", on_delete),
            migrations.RemoveField("faqitem", "updated_at"),
            app="faq",
        )
        == []
    )


def test_renames_deletes_raw_sql_and_data_migrations_are_refused():
    found = flagged(
        migrations.RenameField("article", "topic_ko", "condition_ko"),
        migrations.RunSQL("UPDATE content_method SET name_en = ''"),
        migrations.RunPython(lambda apps, schema_editor: None),
        migrations.DeleteModel("criterion"),
    )
    assert [f.reason for f in found] == [
        "renames a language column",
        "raw SQL on language columns",
        "a data migration: it may rewrite language columns",
        "drops a table with language columns",
    ]


def test_columns_of_a_language_no_longer_configured_still_count(settings):
    # LANGUAGES without zh-hans, as after removing the language from settings: its
    # publication flag (a plain column, unknown to modeltranslation) is still
    # recognised by its siblings in the migration history.
    settings.LANGUAGES = settings.LANGUAGES[:3]
    [finding] = flagged(migrations.RemoveField("article", "published_zh_hans"))
    assert finding.reason == "drops a language column"


OFFENDING = """\
from django.db import migrations
{allow}

class Migration(migrations.Migration):
    dependencies = [("faq", "{leaf}")]
    operations = [migrations.RemoveField("faqitem", "answer_ja")]
"""


@pytest.mark.parametrize("allowed", [False, True])
def test_the_command_refuses_an_offending_migration_unless_it_says_why(
    allowed, tmp_path, settings, monkeypatch, capsys
):
    package = tmp_path / f"faq_migrations_{'allowed' if allowed else 'refused'}"
    shutil.copytree(
        Path(faq.migrations.__file__).parent,
        package,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    [leaf] = MigrationLoader(None).graph.leaf_nodes("faq")
    allow = 'DATA_LOSS_ALLOWED = "Japanese answers exported first."' if allowed else ""
    (package / "9999_drop_japanese_answers.py").write_text(
        textwrap.dedent(OFFENDING.format(allow=allow, leaf=leaf[1]))
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    settings.MIGRATION_MODULES = {"faq": package.name}
    try:
        if allowed:
            call_command("check_migration_safety", verbosity=2)
            assert "allowed  faq.9999_drop_japanese_answers" in capsys.readouterr().out
        else:
            with pytest.raises(CommandError, match="1 operation"):
                call_command("check_migration_safety")
            assert (
                "REFUSED  faq.9999_drop_japanese_answers: RemoveField "
                "faqitem.answer_ja — drops a language column"
            ) in capsys.readouterr().err
    finally:
        for name in [m for m in sys.modules if m.startswith(package.name)]:
            del sys.modules[name]
