"""Fill the FAQ's plain-text search column for items saved before it existed."""

from django.db import migrations

from richtext import plain_text

# check_migration_safety: what this migration writes, and why that loses nothing.
DATA_LOSS_ALLOWED = (
    "Writes only search_text_<lang>, derived from question_<lang> and answer_<lang> "
    "(which it reads, never writes); no editor's text is changed."
)


def fill_search_text(apps, schema_editor):
    from django.conf import settings

    FAQItem = apps.get_model("faq", "FAQItem")
    codes = [code.replace("-", "_") for code, _name in settings.LANGUAGES]
    for item in FAQItem.objects.all():
        for code in codes:
            parts = [
                plain_text(getattr(item, f"question_{code}")),
                plain_text(getattr(item, f"answer_{code}")),
            ]
            setattr(item, f"search_text_{code}", " ".join(p for p in parts if p))
        item.save(update_fields=[f"search_text_{code}" for code in codes])


class Migration(migrations.Migration):
    dependencies = [
        ("faq", "0002_add_updated_at_and_search_text"),
    ]

    operations = [
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
    ]
