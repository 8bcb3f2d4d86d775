"""The migration that made co-hosting a request keeps every existing host row, accepted."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("activities", "0007_merge_signin_points_indexes")]
AFTER = [("activities", "0008_cohost_requests")]


def test_existing_co_hosts_become_accepted():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Organization = old.get_model("branches", "Organization")
    Activity = old.get_model("activities", "Activity")
    ActivityHost = old.get_model("activities", "ActivityHost")
    lead = Organization.objects.create(name="甲支部", kind="branch", path="90000001/")
    other = Organization.objects.create(name="乙支部", kind="branch", path="90000002/")
    import datetime

    from django.utils import timezone

    start = timezone.now() - datetime.timedelta(days=3)
    activity = Activity.objects.create(
        type="theme_day",
        organization=lead,
        title="旧的联办",
        start=start,
        end=start + datetime.timedelta(hours=2),
        is_joint=True,
    )
    ActivityHost.objects.create(activity=activity, organization=lead, is_lead=True)
    ActivityHost.objects.create(activity=activity, organization=other, is_lead=False)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    hosts = new.get_model("activities", "ActivityHost").objects.filter(activity_id=activity.pk)
    assert sorted(hosts.values_list("organization_id", "state")) == [
        (lead.pk, "accepted"),
        (other.pk, "accepted"),
    ]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
