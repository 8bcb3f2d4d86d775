from django.db import migrations
from django.db.models import ProtectedError


def drop_nameless(apps, schema_editor):
    """0002 loaded towns listed without a residents' committee as communities with no name."""
    Community = apps.get_model("branches", "Community")
    for community in Community.objects.filter(name=""):
        try:
            community.delete()
        except ProtectedError:  # referenced somewhere: keep it rather than fail
            continue


class Migration(migrations.Migration):
    dependencies = [("branches", "0003_alliance_registry_committee_member")]

    operations = [migrations.RunPython(drop_nameless, migrations.RunPython.noop)]
