# Co-hosting becomes a request (issue 18): ActivityHost gets a state, who asked and who answered.
# Every row written before is accepted (the lead always is): no row is lost, and the figures of
# an existing database do not change.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def existing_hosts_accepted(apps, schema_editor):
    ActivityHost = apps.get_model("activities", "ActivityHost")
    ActivityHost.objects.exclude(state="accepted").update(state="accepted")


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0007_merge_signin_points_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="activityhost",
            name="state",
            field=models.CharField(
                choices=[
                    ("requested", "Awaiting an answer"),
                    ("accepted", "Accepted"),
                    ("declined", "Declined"),
                ],
                default="accepted",
                max_length=10,
                verbose_name="co-hosting",
            ),
        ),
        migrations.AddField(
            model_name="activityhost",
            name="requested_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="requested by",
            ),
        ),
        migrations.AddField(
            model_name="activityhost",
            name="requested_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="requested at"),
        ),
        migrations.AddField(
            model_name="activityhost",
            name="decided_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="answered by",
            ),
        ),
        migrations.AddField(
            model_name="activityhost",
            name="decided_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="answered at"),
        ),
        migrations.RunPython(existing_hosts_accepted, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="activityhost",
            index=models.Index(
                fields=["organization", "state"], name="activities__organiz_219b1a_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="activityhost",
            constraint=models.CheckConstraint(
                condition=models.Q(("is_lead", False), ("state", "accepted"), _connector="OR"),
                name="activity_lead_accepted",
            ),
        ),
    ]
