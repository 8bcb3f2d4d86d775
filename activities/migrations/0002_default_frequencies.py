"""Default required frequencies (DOMAIN.md, "Activities"); bureau staff edit them afterwards."""

from django.db import migrations

BRANCH_DEFAULTS = (
    ("committee_meeting", "month"),  # 支委会 monthly
    ("general_meeting", "quarter"),  # 支部党员大会 quarterly
    ("party_lecture", "quarter"),  # 党课 quarterly
    ("theme_day", "month"),  # 主题党日 monthly
    ("life_meeting", "year"),  # 组织生活会 yearly
    ("democratic_review", "year"),  # 民主评议党员 yearly
)
DEFAULTS = (
    *(("branch", activity_type, period) for activity_type, period in BRANCH_DEFAULTS),
    *(("general_branch", activity_type, period) for activity_type, period in BRANCH_DEFAULTS),
    ("party_group", "group_meeting", "month"),  # 党小组会 monthly
)


def add_defaults(apps, schema_editor):
    RequiredFrequency = apps.get_model("activities", "RequiredFrequency")
    for kind, activity_type, period in DEFAULTS:
        RequiredFrequency.objects.get_or_create(
            organization_kind=kind,
            activity_type=activity_type,
            defaults={"period": period, "times": 1},
        )


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
