import datetime

import pytest

from members.identity import id_check_digit, make_id_number, pinyin_initials
from members.models import Member, TransferState
from members.services import (
    MemberError,
    commendation_add,
    member_create,
    member_transfer_approve,
    member_transfer_complete,
    member_transfer_request,
    member_transfer_return,
    member_update,
    participation_add,
)
from tests.members.conftest import member_fields

pytestmark = pytest.mark.django_db

BORN = datetime.date(1950, 3, 1)


def test_pinyin_initials_set_on_create_and_update(org_tree, staff_user):
    member = member_create(
        acting_user=staff_user, organization=org_tree.branch_a, **member_fields(name="王建国")
    )
    assert member.name_initials == "wjg"
    member_update(member=member, acting_user=staff_user, name="李秀兰")
    member.refresh_from_db()
    assert member.name_initials == "lxl"
    assert pinyin_initials("马 文华") == "mwh"


def test_age_is_computed(org_tree, make_member):
    member = make_member(org_tree.branch_a, born=datetime.date(1950, 3, 1))
    assert member.age_on(datetime.date(2026, 2, 28)) == 75
    assert member.age_on(datetime.date(2026, 3, 1)) == 76


@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        ("64010419500301025", "18"),  # too short
        ("64010419500301025Y", "17"),  # not a digit or X
        ("640104195003010258", "check digit"),  # last digit wrong (valid is 9)
    ],
)
def test_bad_id_numbers_refused(org_tree, staff_user, id_number, message):
    with pytest.raises(MemberError) as exc:
        member_create(
            acting_user=staff_user,
            organization=org_tree.branch_a,
            **member_fields(id_number=id_number),
        )
    assert "id_number" in exc.value.errors
    assert Member.objects.count() == 0


def test_id_number_birth_date_must_agree(org_tree, staff_user):
    id_number = make_id_number("640104", BORN, 3, "male")
    with pytest.raises(MemberError) as exc:
        member_create(
            acting_user=staff_user,
            organization=org_tree.branch_a,
            **member_fields(id_number=id_number, born=datetime.date(1950, 3, 2)),
        )
    assert "出生日期不一致" in str(exc.value)


def test_id_number_gender_must_agree(org_tree, staff_user):
    id_number = make_id_number("640104", BORN, 3, "male")
    with pytest.raises(MemberError) as exc:
        member_create(
            acting_user=staff_user,
            organization=org_tree.branch_a,
            **member_fields(id_number=id_number, gender="female"),
        )
    assert "性别不一致" in str(exc.value)


def test_x_check_digit_accepted_and_lower_case_normalised(org_tree, staff_user):
    # find a sequence whose check character is X
    for seq in range(500):
        number = make_id_number("640104", BORN, seq, "female")
        if number.endswith("X"):
            break
    assert id_check_digit(number[:17]) == "X"
    member = member_create(
        acting_user=staff_user,
        organization=org_tree.branch_a,
        **member_fields(id_number=number.lower(), gender="female"),
    )
    assert member.id_number == number


def test_duplicate_id_number_refused(org_tree, staff_user):
    fields = member_fields()
    member_create(acting_user=staff_user, organization=org_tree.branch_a, **fields)
    with pytest.raises(MemberError):
        member_create(acting_user=staff_user, organization=org_tree.branch_b, **fields)
    assert Member.objects.count() == 1


@pytest.mark.parametrize("phone", ["13912345678", "0951-1234567", "09511234567"])
def test_good_phones(org_tree, staff_user, phone):
    member = member_create(
        acting_user=staff_user, organization=org_tree.branch_a, **member_fields(phone=phone)
    )
    assert member.phone == phone


@pytest.mark.parametrize("phone", ["12912345678", "1391234567", "951-1234567", "abc"])
def test_bad_phones(org_tree, staff_user, phone):
    with pytest.raises(MemberError) as exc:
        member_create(
            acting_user=staff_user, organization=org_tree.branch_a, **member_fields(phone=phone)
        )
    assert "phone" in exc.value.errors


def test_secretary_cannot_create_in_other_branch(org_tree, secretary_user):
    with pytest.raises(MemberError):
        member_create(acting_user=secretary_user, organization=org_tree.branch_b, **member_fields())
    member = member_create(
        acting_user=secretary_user, organization=org_tree.branch_a, **member_fields()
    )
    assert member.organization == org_tree.branch_a


def test_relation_not_in_party_group(org_tree, staff_user):
    with pytest.raises(MemberError):
        member_create(acting_user=staff_user, organization=org_tree.group_a1, **member_fields())


def test_transfer_workflow_completed_keeps_history(
    org_tree, make_member, secretary_user, staff_user
):
    member = make_member(org_tree.branch_a)
    transfer = member_transfer_request(
        member=member, to_organization=org_tree.branch_b, reason="搬家", acting_user=secretary_user
    )
    assert transfer.state == TransferState.REQUESTED
    with pytest.raises(MemberError):  # a second open transfer
        member_transfer_request(
            member=member, to_organization=org_tree.branch_b, reason="x", acting_user=staff_user
        )
    with pytest.raises(MemberError):  # secretaries do not approve
        member_transfer_approve(transfer=transfer, acting_user=secretary_user)
    with pytest.raises(MemberError):  # not approved yet
        member_transfer_complete(transfer=transfer, acting_user=staff_user)
    member_transfer_approve(transfer=transfer, acting_user=staff_user)
    transfer = member_transfer_complete(transfer=transfer, acting_user=staff_user)
    member.refresh_from_db()
    assert member.organization == org_tree.branch_b
    assert transfer.state == TransferState.COMPLETED
    assert member.transfers.get().from_organization == org_tree.branch_a
    # The member's history names each action: created, then moved by the transfer.
    assert list(
        member.history.order_by("history_id").values_list("history_change_reason", flat=True)
    ) == ["members.member.create", "members.member.transfer"]


def test_transfer_returned_needs_reason_and_keeps_relation(org_tree, make_member, staff_user):
    member = make_member(org_tree.branch_a)
    transfer = member_transfer_request(
        member=member, to_organization=org_tree.branch_b, reason="搬家", acting_user=staff_user
    )
    with pytest.raises(MemberError):
        member_transfer_return(transfer=transfer, acting_user=staff_user, reason="  ")
    transfer = member_transfer_return(transfer=transfer, acting_user=staff_user, reason="材料不全")
    assert transfer.state == TransferState.RETURNED
    assert transfer.return_reason == "材料不全"
    member.refresh_from_db()
    assert member.organization == org_tree.branch_a
    # a returned transfer no longer blocks a new request
    member_transfer_request(
        member=member, to_organization=org_tree.branch_b, reason="补齐", acting_user=staff_user
    )


def test_other_secretary_cannot_request_transfer(org_tree, make_member, other_secretary):
    member = make_member(org_tree.branch_a)
    with pytest.raises(MemberError):
        member_transfer_request(
            member=member,
            to_organization=org_tree.branch_b,
            reason="x",
            acting_user=other_secretary,
        )


def test_participation_only_in_three_affinity(org_tree, make_member, staff_user):
    member = make_member(org_tree.branch_b)
    participation = participation_add(
        member=member, organization=org_tree.group_a1, role="组长", acting_user=staff_user
    )
    assert participation.organization == org_tree.group_a1
    member.refresh_from_db()
    assert member.organization == org_tree.branch_b
    with pytest.raises(MemberError):
        participation_add(member=member, organization=org_tree.branch_b, acting_user=staff_user)


def test_commendation(org_tree, make_member, staff_user):
    member = make_member(org_tree.branch_a)
    commendation_add(
        member=member,
        title="优秀共产党员",
        year=2021,
        awarded_by="银川市委",
        acting_user=staff_user,
    )
    assert member.commendations.get().title == "优秀共产党员"
    with pytest.raises(MemberError):
        commendation_add(
            member=member, title="x", year=2999, awarded_by="y", acting_user=staff_user
        )
