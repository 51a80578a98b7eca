"""Give the per-language reviewed_by columns the value the single column held."""

from django.db import migrations

# check_migration_safety: what this migration writes, and why that loses nothing.
DATA_LOSS_ALLOWED = (
    "Writes only empty reviewed_by_<lang> columns, added by 0005, with the value of "
    "reviewed_by (which it reads, never writes), in the default language and in every "
    "language the article is published in: the API shows what it showed before, and "
    "a published language stays complete."
)


def copy_reviewed_by(apps, schema_editor):
    from django.conf import settings

    Article = apps.get_model("content", "Article")
    default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE.replace("-", "_")
    codes = [code.replace("-", "_") for code, _name in settings.LANGUAGES]
    for article in Article.objects.exclude(reviewed_by=""):
        columns = [
            f"reviewed_by_{code}"
            for code in codes
            if (code == default or getattr(article, f"published_{code}"))
            and not getattr(article, f"reviewed_by_{code}")
        ]
        for name in columns:
            setattr(article, name, article.reviewed_by)
        article.save(update_fields=columns)


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0005_translate_reviewed_by"),
    ]

    operations = [
        migrations.RunPython(copy_reviewed_by, migrations.RunPython.noop),
    ]
