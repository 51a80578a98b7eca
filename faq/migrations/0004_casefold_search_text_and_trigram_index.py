"""Case-fold the FAQ's search text (faq/search.py) and, on PostgreSQL, index each
language's column with trigrams (pg_trgm, a trusted extension since PostgreSQL 13), so
``LIKE '%word%'`` does not read every row."""

from django.db import migrations

from faq.search import search_text

INDEX = "faq_item_search_{code}_trgm"
# check_migration_safety: what this migration writes, and why that loses nothing.
DATA_LOSS_ALLOWED = (
    "Rewrites only the derived search_text_<lang> columns (case-folded again from "
    "question_<lang> and answer_<lang>) and adds trigram indexes; no editor's text "
    "is changed."
)


def codes():
    from django.conf import settings

    return [code.replace("-", "_") for code, _name in settings.LANGUAGES]


def casefold_search_text(apps, schema_editor):
    FAQItem = apps.get_model("faq", "FAQItem")
    for item in FAQItem.objects.all():
        for code in codes():
            setattr(
                item,
                f"search_text_{code}",
                search_text(
                    getattr(item, f"question_{code}"), getattr(item, f"answer_{code}")
                ),
            )
        item.save(update_fields=[f"search_text_{code}" for code in codes()])


def add_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for code in codes():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX.format(code=code)} ON faq_faqitem "
            f"USING gin (search_text_{code} gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for code in codes():
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX.format(code=code)}")


class Migration(migrations.Migration):
    dependencies = [
        ("faq", "0003_fill_search_text"),
    ]

    operations = [
        migrations.RunPython(casefold_search_text, migrations.RunPython.noop),
        migrations.RunPython(add_trigram_indexes, drop_trigram_indexes),
    ]
