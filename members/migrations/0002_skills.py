from django.db import migrations


def load(apps, schema_editor):
    from members.models import SKILLS

    Skill = apps.get_model("members", "Skill")
    for name, _label in SKILLS:
        Skill.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
