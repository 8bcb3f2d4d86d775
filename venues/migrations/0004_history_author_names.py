from django.db import migrations, models

from core import history


def backfill_author_names(apps, schema_editor):
    """Existing history rows keep their author's name too."""
    history.backfill_author_names(apps, "venues")


class Migration(migrations.Migration):
    dependencies = [
        ("venues", "0003_history"),
        ("core", "0005_user_history_access_log"),
    ]

    operations = [
        migrations.AddField(
            model_name=model_name,
            name="history_user_name",
            field=models.CharField(blank=True, default="", max_length=150, verbose_name="author"),
        )
        for model_name in ("historicalbooking", "historicalroom", "historicalvenue")
    ] + [migrations.RunPython(backfill_author_names, migrations.RunPython.noop)]
