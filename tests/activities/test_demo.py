"""The demo step: deterministic figures, idempotent."""

import io
import random
from types import SimpleNamespace

import pytest

from activities.demo import seed
from activities.models import Activity, Attendance, LectureTeam
from alliance.demo import held_joint_activities
from branches.models import Department
from tests.activities.conftest import make_member
from tests.factories import make_org

pytestmark = pytest.mark.django_db


def test_demo_seed_figures_and_idempotent(org_tree, secretary_user, staff_user):
    for department in Department.objects.order_by("pk")[:3]:
        make_org(
            name=f"{department.name}离退休干部党支部",
            kind="branch",
            category="established",
            department=department,
            parent=org_tree.committee,
        )
    for name in ("王建国", "李秀英"):
        make_member(org_tree.branch_a, name, acting_user=staff_user)
    context = SimpleNamespace(
        scale=1,
        rng=random.Random(1),
        stdout=io.StringIO(),
        users={"secretary": secretary_user},
        reserved_joint_activities=held_joint_activities(),
    )
    seed(context=context)
    # 254 in all with the community step's fulfilled claims, which run after this step.

    assert held_joint_activities() == 5
    assert Activity.objects.filter(is_joint=True).count() == 254 - 5
    assert Activity.objects.filter(is_joint=True, type="theme_day").count() == 32
    online = Activity.objects.filter(is_online=True, start__year=2020, type="culture")
    assert online.count() == 40
    assert sum(online.values_list("authors", flat=True)) >= 100
    assert LectureTeam.objects.get().target_lectures == 100
    assert Attendance.objects.filter(activity__organization=org_tree.branch_a).exists()
    total = Activity.objects.count()
    seed(context=context)
    assert Activity.objects.count() == total
    assert "already seeded" in context.stdout.getvalue()
