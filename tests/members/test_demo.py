import io
import random

import pytest

from branches.demo import seed as seed_branches
from core.demo import seed_accounts
from home.management.commands.seed_demo import DemoContext
from members.demo import seed
from members.identity import id_number_problems
from members.models import Member
from members.selectors import age_range_q

pytestmark = pytest.mark.django_db


def _context():

    return DemoContext(scale=1, stdout=io.StringIO(), rng=random.Random(20220901))


def test_demo_skips_without_organizations():

    context = _context()
    seed(context=context)
    assert "skipped" in context.stdout.getvalue()
    assert Member.objects.count() == 0


def test_demo_members_match_domain_figures():
    context = _context()
    seed_accounts(context=context)
    seed_branches(context=context)
    seed(context=context)
    normal = Member.objects.filter(status="normal")
    established = normal.filter(organization__kind="branch", organization__category="established")
    direct = established.filter(organization__directly_managed=True)
    assert established.count() == 1717
    assert direct.count() == 234
    assert direct.filter(age_range_q(70, None)).count() == 206
    assert normal.filter(organization__category="three_affinity").count() == 3383
    # deceased and transferred-out records come on top of the seed's figures, in both trees
    for category in ("established", "three_affinity"):
        inactive = Member.objects.filter(organization__category=category).exclude(status="normal")
        assert set(inactive.values_list("status", flat=True)) == {"deceased", "transferred_out"}
    secretary = context.users["secretary"]
    assert Member.objects.filter(organization=secretary.organization).count() >= 40
    for member in Member.objects.all()[:500]:
        assert not id_number_problems(
            member.id_number, birth_date=member.birth_date, gender=member.gender
        )
        assert 60 <= member.age <= 98
    seed(context=context)  # idempotent
    total = Member.objects.count()
    assert total == 5100 + Member.objects.exclude(status="normal").count()
    assert total > 5100
