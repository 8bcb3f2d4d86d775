"""What the floors below the members app know of it by name."""

from branches.selectors import MEMBER_NORMAL
from members.models import MemberStatus


def test_branches_names_the_normal_member_status_as_members_does():
    # branches counts members through the reverse relation and cannot import MemberStatus.
    assert MemberStatus.NORMAL == MEMBER_NORMAL
