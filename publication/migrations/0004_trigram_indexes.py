"""On PostgreSQL, index the published versions' ``refs`` and ``search_text`` with
trigrams (pg_trgm, as faq/0004 does for the working copy's search text): the FAQ
list's filters and an article's FAQ block find the versions that name an object with
``LIKE '% article-7 %'``, and the search with ``LIKE '%word%'``, which otherwise read
every version (237 ms for an article's FAQ block over 10,000 items; 0.65 ms with the
index, docs/performance.md)."""

from django.db import migrations

# check_migration_safety: what this migration writes, and why that loses nothing.
DATA_LOSS_ALLOWED = "Adds two indexes on PostgreSQL; no row is written."

INDEXES = {
    "publication_version_refs_trgm": "refs",
    "publication_version_search_trgm": "search_text",
}


def add_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON publication_publishedversion "
            f"USING gin ({column} gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("publication", "0003_scheduled_versions"),
    ]

    operations = [
        migrations.RunPython(add_trigram_indexes, drop_trigram_indexes),
    ]
