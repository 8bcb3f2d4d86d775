"""The rules of care and dues on hand-made members: who is due a visit in a month, the dues
amount by the published rule, arrears after a partial year, the yearly rebasing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from members.models import CareVisit, DuesBase, DuesMode, dues_by_rule
from members.selectors.care import due_rows
from members.selectors.dues import arrears_of, dues_lines
from members.services import (
    MemberError,
    care_flag_add,
    care_visit_record,
    dues_base_set,
    dues_payment_record,
    dues_rebase,
    dues_rebase_preview,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 20)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    """The services refuse future days; pin 'today' to TODAY."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


@pytest.mark.parametrize(
    ("base", "dues"),
    [("3000", "15.00"), ("5000", "25.00"), ("5000.01", "50.00"), ("4321.10", "21.61")],
)
def test_dues_by_the_published_rule(base, dues):
    assert dues_by_rule(Decimal(base)) == Decimal(dues)
    assert str(dues_by_rule(Decimal(base))) == dues  # two places, to the fen


def test_due_list_for_a_month(org_tree, make_member, staff_user):
    branch = org_tree.branch_a
    turns_80 = make_member(branch, name="逢十", born=datetime.date(1946, 5, 3))
    turns_79 = make_member(branch, name="非逢十", born=datetime.date(1947, 5, 3))
    party_50 = make_member(
        branch,
        name="政治生日",
        born=datetime.date(1955, 1, 9),
        joined_party_on=datetime.date(1976, 5, 1),
    )
    party_49 = make_member(
        branch,
        name="政治生日非整",
        born=datetime.date(1955, 1, 9),
        joined_party_on=datetime.date(1977, 5, 1),
    )
    in_hospital = make_member(branch, name="住院", born=datetime.date(1955, 2, 2))
    visited_hospital = make_member(branch, name="住院已探望", born=datetime.date(1955, 2, 2))
    old_unvisited = make_member(branch, name="高龄未走访", born=datetime.date(1940, 8, 8))
    old_visited = make_member(branch, name="高龄已走访", born=datetime.date(1940, 8, 8))
    for member in (in_hospital, visited_hospital):
        care_flag_add(
            member=member, kind="ill", since=datetime.date(2026, 3, 1), acting_user=staff_user
        )
    care_visit_record(
        member=visited_hospital,
        kind="hospital",
        visitors="支部书记",
        visited_on=datetime.date(2026, 5, 1),
        acting_user=staff_user,
    )
    care_visit_record(  # more than 30 days ago: the one in hospital is due again
        member=in_hospital,
        kind="hospital",
        visitors="支部书记",
        visited_on=datetime.date(2026, 4, 10),
        acting_user=staff_user,
    )
    care_visit_record(
        member=old_visited,
        kind="festival",
        visitors="支部书记",
        visited_on=datetime.date(2026, 1, 20),
        acting_user=staff_user,
    )

    rows = {row.member.name: row for row in due_rows(staff_user, year=2026, month=5, today=TODAY)}

    assert set(rows) == {"逢十", "政治生日", "住院", "高龄未走访"}
    assert [r.code for r in rows["逢十"].reasons] == ["birthday", "old_no_visit"]  # 80 today
    assert "80" in rows["逢十"].reasons[0].label
    assert [r.code for r in rows["政治生日"].reasons] == ["political_birthday"]
    assert "50" in rows["政治生日"].reasons[0].label
    assert [r.code for r in rows["住院"].reasons] == ["urgent"] and rows["住院"].reasons[0].private
    assert rows["住院"].last_visit == datetime.date(2026, 4, 10)
    assert [r.code for r in rows["高龄未走访"].reasons] == ["old_no_visit"]
    assert rows["逢十"].suggested_kind == "birthday"
    assert turns_79 and party_49 and party_50 and turns_80 and old_unvisited


def test_an_ended_flag_is_no_longer_due(org_tree, make_member, staff_user):
    member = make_member(org_tree.branch_a, born=datetime.date(1955, 2, 2))
    flag = care_flag_add(
        member=member, kind="hardship", since=datetime.date(2026, 1, 1), acting_user=staff_user
    )
    assert [r.member for r in due_rows(staff_user, year=2026, month=5, today=TODAY)] == [member]
    from members.services import care_flag_end

    care_flag_end(flag=flag, until=datetime.date(2026, 4, 1), acting_user=staff_user)
    assert due_rows(staff_user, year=2026, month=5, today=TODAY) == []


def test_a_secretary_of_another_organization_may_not_record(org_tree, make_member, other_secretary):
    member = make_member(org_tree.branch_a)
    with pytest.raises(MemberError):
        care_visit_record(member=member, kind="festival", visitors="x", acting_user=other_secretary)
    assert not CareVisit.objects.exists()


def test_exempt_and_reduced_need_reason_and_approver(org_tree, make_member, staff_user):
    member = make_member(org_tree.branch_a)
    with pytest.raises(MemberError) as refused:
        dues_base_set(
            member=member,
            year=2026,
            monthly_base="3000",
            mode=DuesMode.REDUCED,
            flat_amount="5",
            acting_user=staff_user,
        )
    assert set(refused.value.errors) == {"reason", "approved_by"}
    base = dues_base_set(
        member=member,
        year=2026,
        monthly_base="3000",
        mode=DuesMode.REDUCED,
        flat_amount="5",
        reason="大病",
        approved_by="支委会 2026-01-10",
        acting_user=staff_user,
    )
    assert base.monthly_dues == Decimal("5.00")
    exempt = dues_base_set(
        member=member,
        year=2026,
        monthly_base="3000",
        mode=DuesMode.EXEMPT,
        reason="生活困难",
        approved_by="支委会",
        acting_user=staff_user,
    )
    assert exempt.pk == base.pk and exempt.monthly_dues == Decimal("0.00")


def test_arrears_after_a_partial_year(org_tree, make_member, staff_user):
    member = make_member(org_tree.branch_a)
    dues_base_set(member=member, year=2026, monthly_base="3000", acting_user=staff_user)
    dues_payment_record(
        member=member,
        first_month=datetime.date(2026, 1, 1),
        months=4,
        amount="60.00",
        paid_on=datetime.date(2026, 4, 2),
        collected_by="组织委员",
        receipt_number="R-1",
        acting_user=staff_user,
    )
    line = dues_lines([member], year=2026, as_of=TODAY)[0]
    assert line.paid_months == {1, 2, 3, 4}
    assert line.arrears_months == [] or line.arrears_months == [5][:0]  # May is not past yet
    july = dues_lines([member], year=2026, as_of=datetime.date(2026, 7, 15))[0]
    assert july.arrears_months == [5, 6]
    assert july.arrears == Decimal("30.00")
    assert arrears_of(member, as_of=datetime.date(2027, 1, 5)) == (8, Decimal("120.00"))


def test_payments_refuse_too_little_and_a_month_twice(org_tree, make_member, staff_user):
    member = make_member(org_tree.branch_a)
    dues_base_set(member=member, year=2026, monthly_base="6000", acting_user=staff_user)
    with pytest.raises(MemberError) as refused:
        dues_payment_record(
            member=member,
            first_month=datetime.date(2026, 1, 1),
            months=2,
            amount="100",
            collected_by="x",
            receipt_number="R-2",
            acting_user=staff_user,
        )
    assert "120.00" in str(refused.value)
    dues_payment_record(
        member=member,
        first_month=datetime.date(2026, 1, 1),
        months=2,
        amount="120",
        collected_by="x",
        receipt_number="R-2",
        acting_user=staff_user,
    )
    with pytest.raises(MemberError) as twice:
        dues_payment_record(
            member=member,
            first_month=datetime.date(2026, 2, 1),
            months=1,
            amount="60",
            collected_by="x",
            receipt_number="R-3",
            acting_user=staff_user,
        )
    assert "2026-02" in str(twice.value)
    with pytest.raises(MemberError) as no_base:  # in advance into a year without a base
        dues_payment_record(
            member=member,
            first_month=datetime.date(2026, 12, 1),
            months=2,
            amount="200",
            collected_by="x",
            receipt_number="R-4",
            acting_user=staff_user,
        )
    assert "2027" in str(no_base.value)


def test_yearly_rebasing_in_one_step_with_a_preview(org_tree, make_member, staff_user):
    a = make_member(org_tree.branch_a, name="甲")
    b = make_member(org_tree.branch_a, name="乙")
    c = make_member(org_tree.branch_a, name="丙")
    dues_base_set(member=a, year=2025, monthly_base="4900", acting_user=staff_user)
    dues_base_set(
        member=b,
        year=2025,
        monthly_base="3000",
        mode=DuesMode.EXEMPT,
        reason="困难",
        approved_by="支委会",
        acting_user=staff_user,
    )
    dues_base_set(member=c, year=2025, monthly_base="3000", acting_user=staff_user)
    dues_base_set(member=c, year=2026, monthly_base="3100", acting_user=staff_user)
    preview = dues_rebase_preview(
        members=[a, b, c], from_year=2025, percent="3", acting_user=staff_user
    )
    by_name = {line.member.name: line for line in preview}
    assert by_name["甲"].new_base == Decimal("5047.00") and by_name["甲"].new_dues == Decimal(
        "50.47"
    )
    assert by_name["乙"].new_dues == Decimal("0.00")
    assert by_name["丙"].skipped
    assert DuesBase.objects.filter(year=2026).count() == 1  # the preview writes nothing
    dues_rebase(members=[a, b, c], from_year=2025, percent="3", acting_user=staff_user)
    new = {b.member.name: b for b in DuesBase.objects.filter(year=2026).select_related("member")}
    assert new["甲"].monthly_base == Decimal("5047.00")
    assert new["乙"].mode == DuesMode.EXEMPT and new["乙"].approved_by == "支委会"
    assert new["丙"].monthly_base == Decimal("3100.00")  # kept
    with pytest.raises(MemberError):
        dues_rebase(members=[a, b, c], from_year=2025, percent="3", acting_user=staff_user)
