"""The demo step and the dashboard selector."""

import io
import random
from types import SimpleNamespace

import pytest

from assessment import demo, services
from assessment.models import Inspection, Round, Rubric
from assessment.selectors import grade_distribution

pytestmark = pytest.mark.django_db


def _context(users):
    return SimpleNamespace(scale=1, stdout=io.StringIO(), rng=random.Random(20220901), users=users)


def test_demo_skips_without_organizations(staff_user, supervisor_user):
    context = _context({"bureau": staff_user, "supervisor": supervisor_user})
    demo.seed(context=context)
    assert "skipped" in context.stdout.getvalue()
    assert not Round.objects.exists()


def test_demo_rubrics_are_valid_100_point_tables():
    for year, sections in ((2030, demo.established_sections), (2031, demo.three_affinity_sections)):
        rubric = services.rubric_create(
            year=year, category="established", title="t", sections=sections(), bonus_cap=5
        )
        assert services.rubric_problems(rubric) == []
        assert {s.title for s in rubric.sections.all()} >= {
            "组织建设",
            "组织生活",
            "阵地建设",
            "作用发挥",
            "制度建设",
        }
        assert rubric.items.filter(kind="veto").exists()
        assert rubric.items.filter(kind="bonus").exists()


def test_demo_seeds_rounds_and_is_idempotent(org_tree, staff_user, supervisor_user, secretary_user):
    context = _context(
        {"bureau": staff_user, "supervisor": supervisor_user, "secretary": secretary_user}
    )
    demo.seed(context=context)
    final = Round.objects.get(year=2025)
    assert final.state == "finalized"
    assert list(final.organizations.all()) == [org_tree.branch_b]
    assert final.assessments.get().grade
    current = Round.objects.get(year=2026)
    assert current.state == "scoring"
    assert set(current.organizations.all()) == {org_tree.branch_b, org_tree.branch_a}
    assert Rubric.objects.count() == 4
    assert Inspection.objects.count() == 1
    distribution = grade_distribution(2025)
    assert sum(row["count"] for row in distribution) == 1
    assert [row["label"] for row in distribution] == ["优秀", "良好", "合格", "不合格"]
    demo.seed(context=_context(context.users))
    assert Round.objects.count() == 2 and Rubric.objects.count() == 4
    assert Inspection.objects.count() == 1
    assert grade_distribution(2026) == [
        {"grade": g, "label": label, "count": 0}
        for g, label in (
            ("excellent", "优秀"),
            ("good", "良好"),
            ("pass", "合格"),
            ("fail", "不合格"),
        )
    ]
