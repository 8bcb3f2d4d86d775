# The user model and the export log now belong to core: relabel their content types, so that
# permissions and admin history stay attached to them (a new database has none to relabel yet).

from django.db import migrations

MOVED = ("user", "exportlog")


def relabel_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not content_type.objects.filter(app_label="core", model=model).exists():
            content_type.objects.filter(app_label="alliance", model=model).update(app_label="core")


def restore_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="core", model__in=MOVED).update(app_label="alliance")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(relabel_content_types, restore_content_types)]
