"""Masked ID numbers stay masked (issue 18, build 1): for every role that sees ID numbers
masked, no page about members and no export it may open shows a full ID number, nor a masked
ID number together with the birth date or the exact age of its member — the mask hides the
eight birth-date digits, so a birth date beside it would give the whole number back.

Run as each non-staff role over a small world built with the test factories (organizations,
members with care records); every registered export (core.exports) is prepared for each role
with the filters it understands.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict

import pytest
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils import timezone

from core.errors import ServiceError
from core.exports import prepare_export, registered_exports
from core.models import Role
from core.privacy import mask_id_number
from members.identity import make_id_number
from members.models import Member
from members.selectors import members_for
from members.services import member_create
from members.services.care import care_flag_add, care_visit_record

pytestmark = pytest.mark.django_db

# The demo accounts of the roles that see ID numbers masked (members.selectors
# .may_see_full_id_number: only bureau staff see them in full).
MASKED_ROLES = {
    "secretary": Role.SECRETARY,
    "supervisor": Role.SUPERVISOR,
    "liaison": Role.LIAISON,
    "viewer": Role.VIEWER,
}
FULL_ID = re.compile(r"(?<![\dX*])\d{17}[\dX](?![\dX*])")
MASKED_ID = re.compile(r"\d{6}\*{8}\d{3}[\dX*]")


@pytest.fixture
def world(org_tree, make_user, staff_user):
    """Members of two branches (some registered with the liaison's community), a few with care
    visits and flags, and one user per role that sees ID numbers masked."""
    today = timezone.localdate()
    members = []
    for n in range(12):
        # Some born this month in a round year (逢十寿辰), some 80 and over.
        born = datetime.date(today.year - (70, 80, 75, 90, 66, 84)[n % 6], today.month, 1 + n)
        gender = "male" if n % 2 else "female"
        members.append(
            member_create(
                acting_user=staff_user,
                organization=org_tree.branch_a if n < 8 else org_tree.branch_b,
                name=f"党员{n:02d}",
                gender=gender,
                birth_date=born,
                id_number=make_id_number("640104", born, n, gender),
                category="retired",
                phone=f"139{n:08d}",
                willing_to_volunteer=True,
                registered_community=org_tree.community if n % 3 == 0 else None,
                registered_on=today if n % 3 == 0 else None,
            )
        )
    for member in members[:4]:
        care_visit_record(
            member=member,
            visited_on=today,
            kind="birthday",
            visitors="王建国",
            acting_user=staff_user,
        )
        care_flag_add(member=member, kind="ill", since=today, acting_user=staff_user)
    return {
        "secretary": make_user("secretary", role=Role.SECRETARY, organization=org_tree.branch_a),
        "supervisor": make_user("supervisor", role=Role.SUPERVISOR),
        "liaison": make_user("liaison", role=Role.LIAISON, community=org_tree.community),
        "viewer": make_user("viewer", role=Role.VIEWER),
    }


@pytest.fixture
def people(world):
    """Every member's (ID number, birth date), by mask."""
    by_mask: dict[str, list[tuple[str, datetime.date]]] = defaultdict(list)
    for id_number, born in Member.objects.values_list("id_number", "birth_date"):
        by_mask[mask_id_number(id_number)].append((id_number, born))
    return by_mask


def birth_date_texts(born: datetime.date) -> list[str]:
    return [
        f"{born:%Y-%m-%d}",
        f"{born:%Y%m%d}",
        f"{born:%Y.%m.%d}",
        f"{born:%Y/%m/%d}",
        f"{born.year}年{born.month}月{born.day}日",
        f"{born.year}-{born.month}-{born.day}",
        f"{born.year}.{born.month}.{born.day}",
    ]


def age_of(born: datetime.date) -> int:
    today = timezone.localdate()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def rebuild_problems(text: str, people, *, where: str) -> list[str]:
    """What in `text` (one page, or one export row) gives a full ID number away."""
    problems = []
    full = {id_number for masked in people.values() for id_number, _born in masked}
    for found in set(FULL_ID.findall(text)) & full:
        problems.append(f"{where}: full ID number {found}")
    for masked in set(MASKED_ID.findall(text)):
        for _id_number, born in people.get(masked, []):
            for shown in birth_date_texts(born):
                if shown in text:
                    problems.append(f"{where}: {masked} beside its birth date {shown}")
            age = age_of(born)
            exact_age = (
                # (not a band: "70–79岁", "80岁及以上")
                rf"(?<![\d–\-~]){age}\s*(岁|周岁|years old)(?!\s*(及以上|以上|以下|or over))",
                rf"<td[^>]*>\s*{age}\s*</td>",
                rf"(?:^|\|){age}(?:\||$)",  # an export cell
            )
            if any(re.search(pattern, text) for pattern in exact_age):
                problems.append(f"{where}: {masked} beside the exact age {age}")
    return problems


def member_page_urls(user) -> list[str]:
    """Every members page this user may open, with members it may read."""
    urls = [
        reverse("members:list"),
        reverse("members:list") + "?per_page=100",
        reverse("members:list") + "?age_band=80-89&per_page=100",
        reverse("members:talent") + "?willing=on",
        reverse("members:care"),
        reverse("members:care_summary"),
        reverse("members:dues"),
        reverse("members:transfers"),
        reverse("members:create"),
        reverse("members:import"),
        reverse("members:search") + "?q=王",
        reverse("reports:index"),
        reverse("home"),
    ]
    today = timezone.localdate()
    for month in range(1, 13):
        urls.append(reverse("members:care") + f"?month={today.year}-{month:02d}")
    visible = list(members_for(user).order_by("pk").values_list("pk", flat=True)[:8])
    for pk in visible:
        for name in (
            "detail",
            "edit",
            "transfer_request",
            "participation_add",
            "commendation_add",
            "visit_add",
            "care_flag_add",
            "dues_base",
            "dues_pay",
        ):
            urls.append(reverse(f"members:{name}", args=[pk]))
    return urls


@pytest.mark.parametrize("role", sorted(MASKED_ROLES))
def test_no_member_page_lets_a_masked_role_rebuild_an_id_number(client, world, people, role):
    user = world[role]
    client.force_login(user)
    problems = []
    opened = 0
    for url in member_page_urls(user):
        response = client.get(url)
        if response.status_code != 200:
            continue
        opened += 1
        problems += rebuild_problems(response.content.decode(), people, where=url)
    assert opened > 10
    assert not problems, "\n".join(problems[:20])


def export_rows(prepared) -> list[str]:
    """Each row of every sheet of a prepared export as one '|'-joined text (dates as
    YYYY-MM-DD), headers and captions included."""
    rows = []
    for sheet in prepared.sheets():
        rows.append(sheet.caption)
        rows.append("|".join(str(h) for h in sheet.headers))
        for row in sheet.rows:
            cells = []
            for value in row:
                if isinstance(value, datetime.datetime):
                    value = value.date()
                cells.append("" if value is None else str(value))
            rows.append("|".join(cells))
    return rows


def export_queries(world) -> list[str]:
    """The filters the exports understand, each alone: none, unmasked, a year, an
    organization, an assessment round."""
    from assessment.models import Round

    year = timezone.localdate().year
    queries = ["", "unmasked=1", f"year={year}", f"year={year}&unmasked=1"]
    for organization in {u.organization for u in world.values() if u.organization}:
        queries.append(f"organization={organization.pk}&unmasked=1")
    queries += [f"round={pk}" for pk in Round.objects.values_list("pk", flat=True)]
    return queries


@pytest.mark.parametrize("role", sorted(MASKED_ROLES))
def test_no_export_lets_a_masked_role_rebuild_an_id_number(world, people, role):
    user = world[role]
    problems, opened, masked_rows = [], set(), 0
    for name in sorted(registered_exports()):
        for query in export_queries(world):
            try:
                prepared = prepare_export(name, user=user, query=QueryDict(query))
                rows = export_rows(prepared)
            except (ServiceError, Http404):
                continue  # not this role's, or not with this filter
            opened.add(name)
            for number, row in enumerate(rows, start=1):
                masked_rows += bool(MASKED_ID.search(row))
                problems += rebuild_problems(row, people, where=f"{name}?{query} row {number}")
    assert "members" in opened
    assert masked_rows, "no export row with a masked ID number: the test would prove nothing"
    assert not problems, "\n".join(problems[:20])
