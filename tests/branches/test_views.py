import datetime
import io
from urllib.parse import unquote

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from alliance import demo as alliance_demo
from alliance import services as alliance_services
from alliance.models import AllianceMembership
from branches import demo as branches_demo
from branches import sections, services
from branches.models import Organization
from core import demo as core_demo
from core.actors import system_actor
from core.models import User
from home.management.commands import seed_demo
from tests.branches.conftest import add_members
from tests.factories import make_org

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _only_our_sections(monkeypatch):
    """Other apps' sections are theirs to test; keep query counts about this page."""
    monkeypatch.setattr(sections, "_SECTIONS", [])


def add_groups(parent, count, start=0):
    for n in range(start, start + count):
        org = make_org(
            name=f"功能党小组{n:03d}",
            kind="party_group",
            category="three_affinity",
            affinity="interest",
            parent=parent,
        )
        add_members(org, 2)
        alliance_services.alliance_join(
            organization=org,
            acting_user=system_actor(),
            joined_on=datetime.date(2025, 1, 1),
            hub="elderly_centre",
        )


def count_queries(client, url):
    cache.clear()  # each count from a cold page (the list's banner figure is cached a minute)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_list_queries_do_not_grow_with_rows(client, org_tree, staff_user):
    client.force_login(staff_user)
    url = reverse("branches:list") + "?kind=party_group"
    add_groups(org_tree.branch_a, 10)
    few = count_queries(client, url)
    add_groups(org_tree.branch_a, 90, start=10)
    many = count_queries(client, url)
    assert few == many
    assert many <= 12


def test_detail_queries_do_not_grow_with_rows(client, org_tree, staff_user):
    client.force_login(staff_user)
    url = reverse("branches:detail", args=[org_tree.branch_a.pk])
    term = services.committee_term_start(
        organization=org_tree.branch_a,
        acting_user=system_actor(),
        started_on=datetime.date(2025, 1, 1),
    )
    for position in ("secretary", "deputy_secretary", "organization"):
        services.committee_position_add(
            term=term, acting_user=system_actor(), position=position, person_name="王建国"
        )
    add_groups(org_tree.branch_a, 10)
    few = count_queries(client, url)
    add_groups(org_tree.branch_a, 90, start=10)
    many = count_queries(client, url)
    assert few == many
    # The organization's and its page of children's warnings: three index probes each.
    assert many <= 17


def test_tree_is_one_query_for_the_organizations(client, org_tree, staff_user):
    client.force_login(staff_user)
    url = reverse("branches:tree")
    add_groups(org_tree.branch_a, 5)
    few = count_queries(client, url)
    add_groups(org_tree.branch_a, 300, start=5)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert len(queries) == few
    body = response.content.decode()
    body = body[body.index('<ul class="org-tree') : body.index("<footer")]
    assert body.count("<details") == 3  # committee, joint committee, branch A
    assert body.count("<details") == body.count("</details>")
    assert "功能党小组304" in body
    assert body.count("<ul") == body.count("</ul>")
    assert body.count("<li>") == body.count("</li>")


def test_list_filters_and_search(client, org_tree, staff_user):
    client.force_login(staff_user)
    add_members(org_tree.branch_b, 1)
    response = client.get(
        reverse("branches:list"), {"needs_attention": "yes", "category": "established"}
    )
    names = [org.name for org in response.context["object_list"]]
    assert names == ["教育局离退休干部党支部"]
    response = client.get(reverse("branches:list"), {"q": "书画"})
    assert [org.name for org in response.context["object_list"]] == ["书画功能党小组"]
    response = client.get(reverse("branches:list"), {"community": org_tree.community.pk})
    assert '<optgroup label="金凤区">' in response.content.decode()  # grouped by district
    assert [org.name for org in response.context["object_list"]] == ["阅海万家地缘党支部"]
    assert "需关注".encode() in response.content or "需要关注".encode() in response.content


def test_export_is_exactly_the_filtered_list(client, org_tree, staff_user):
    client.force_login(staff_user)
    add_groups(org_tree.branch_a, 3)
    query = {"kind": "party_group", "in_alliance": "yes"}
    page = client.get(reverse("branches:list"), query)
    listed = [org.name for org in page.context["object_list"]]
    response = client.get(reverse("branches:export"), query)
    disposition = response["Content-Disposition"]
    assert unquote(disposition.split("filename*=UTF-8''")[1]).startswith("组织列表-")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "名称"
    assert [row[0] for row in rows[1:]] == listed
    assert len(listed) == 3
    assert all(row[13] == "是" for row in rows[1:])


def test_secretary_export_is_scoped(client, org_tree, secretary_user):
    client.force_login(secretary_user)
    response = client.get(reverse("branches:export"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    names = {row[0] for row in workbook.active.iter_rows(min_row=2, values_only=True)}
    assert names == {"阅海万家地缘党支部", "书画功能党小组"}


def test_detail_shows_committee_warnings_children_alliance_and_six_haves(
    client, org_tree, staff_user
):
    client.force_login(staff_user)
    services.organization_update(
        organization=org_tree.branch_a,
        acting_user=system_actor(),
        has_theme=True,
        has_theme_note="2026 年度主题：银发生辉",
        has_plan=True,
    )
    term = services.committee_term_start(
        organization=org_tree.branch_a,
        acting_user=system_actor(),
        started_on=datetime.date(2024, 1, 20),
    )
    services.committee_position_add(
        term=term, acting_user=system_actor(), position="secretary", person_name="王建国"
    )
    alliance_services.alliance_join(
        organization=org_tree.branch_a,
        acting_user=system_actor(),
        joined_on=datetime.date(2025, 3, 1),
        hub="elderly_centre",
    )
    partner = make_org(
        name="阅海万家社区党委",
        kind="community_org",
        district=org_tree.district,
        community=org_tree.community,
    )
    alliance_services.alliance_join(
        organization=partner,
        acting_user=system_actor(),
        joined_on=datetime.date(2025, 3, 1),
        hub="elderly_centre",
    )
    body = client.get(reverse("branches:detail", args=[org_tree.branch_a.pk])).content.decode()
    assert "王建国" in body and "书记" in body
    assert "2027-01-20" in body  # term end, within 90 days → warning
    assert "90" in body
    assert "书画功能党小组" in body  # sub-organization
    assert "阅海万家社区党委" in body  # alliance partner
    assert "33%" in body  # 2 of 6 六有
    assert "2026 年度主题：银发生辉" in body


def test_sections_of_other_apps_are_rendered(
    client, org_tree, staff_user, monkeypatch, tmp_path, settings
):
    (tmp_path / "sec.html").write_text(
        "<section><h2>章节</h2>{{ greeting }} {{ organization.name }}</section>"
    )
    engine = dict(settings.TEMPLATES[0])
    engine["DIRS"] = [*engine["DIRS"], str(tmp_path)]
    settings.TEMPLATES = [engine, *settings.TEMPLATES[1:]]
    sections.register_organization_section(
        order=1, template="sec.html", context=lambda request, org: {"greeting": "你好"}
    )
    client.force_login(staff_user)
    body = client.get(reverse("branches:detail", args=[org_tree.branch_a.pk])).content.decode()
    assert "你好 阅海万家地缘党支部" in body


def test_bad_parent_kind_is_a_chinese_form_error_and_nothing_saved(client, org_tree, staff_user):
    client.force_login(staff_user)
    response = client.post(
        reverse("branches:create"),
        {
            "name": "小组下的支部",
            "kind": "branch",
            "category": "established",
            "parent": org_tree.group_a1.pk,
        },
    )
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    assert "不能" in " ".join(response.context["form"].errors["parent"])
    assert not Organization.objects.filter(name="小组下的支部").exists()


def test_duplicate_name_is_a_form_error_on_name(client, org_tree, staff_user):
    client.force_login(staff_user)
    response = client.post(
        reverse("branches:create"),
        {
            "name": "书画功能党小组",
            "kind": "party_group",
            "category": "three_affinity",
            "affinity": "interest",
            "parent": org_tree.branch_a.pk,
        },
    )
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert Organization.objects.filter(name="书画功能党小组").count() == 1


def test_cycle_through_the_edit_form_is_refused(client, org_tree, staff_user):
    client.force_login(staff_user)
    data = {
        "name": "三缘型联合党委",
        "kind": "joint_committee",
        "category": "three_affinity",
        "parent": org_tree.branch_a.pk,
    }
    response = client.post(reverse("branches:edit", args=[org_tree.joint.pk]), data)
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    org_tree.joint.refresh_from_db()
    assert org_tree.joint.parent_id == org_tree.committee.pk


def test_staff_moves_a_branch_and_the_subtree_follows(client, org_tree, staff_user):
    client.force_login(staff_user)
    data = {
        "name": "阅海万家地缘党支部",
        "kind": "branch",
        "category": "three_affinity",
        "affinity": "residence",
        "parent": org_tree.committee.pk,
        "district": org_tree.district.pk,
        "community": org_tree.community.pk,
    }
    response = client.post(reverse("branches:edit", args=[org_tree.branch_a.pk]), data)
    assert response.status_code == 302
    org_tree.group_a1.refresh_from_db()
    assert org_tree.group_a1.path.startswith(
        f"{org_tree.committee.pk:08d}/{org_tree.branch_a.pk:08d}/"
    )


def test_term_ending_before_start_through_the_form(client, org_tree, secretary_user):
    client.force_login(secretary_user)
    response = client.post(
        reverse("branches:term_create", args=[org_tree.branch_a.pk]),
        {"started_on": "2026-03-01", "ends_on": "2025-03-01"},
    )
    assert response.status_code == 200
    assert "ends_on" in response.context["form"].errors
    assert "结束" in " ".join(response.context["form"].errors["ends_on"])


def test_extension_over_a_year_through_the_form(client, org_tree, secretary_user):
    client.force_login(secretary_user)
    term = services.committee_term_start(
        organization=org_tree.branch_a,
        acting_user=system_actor(),
        started_on=datetime.date(2023, 3, 1),
    )
    url = reverse("branches:term_edit", args=[org_tree.branch_a.pk, term.pk])
    response = client.post(
        url,
        {
            "started_on": "2023-03-01",
            "ends_on": "2026-03-01",
            "extended_until": "2027-06-01",
            "extension_reason": "延期",
        },
    )
    assert response.status_code == 200
    assert "extended_until" in response.context["form"].errors
    term.refresh_from_db()
    assert term.extended_until is None


def test_secretary_adds_a_committee_seat(client, org_tree, secretary_user):
    client.force_login(secretary_user)
    services.committee_term_start(
        organization=org_tree.branch_a,
        acting_user=system_actor(),
        started_on=datetime.date(2025, 3, 1),
    )
    response = client.post(
        reverse("branches:position_add", args=[org_tree.branch_a.pk]),
        {"position": "publicity", "person_name": "李秀兰"},
    )
    assert response.status_code == 302
    body = client.get(reverse("branches:detail", args=[org_tree.branch_a.pk])).content.decode()
    assert "李秀兰" in body and "宣传委员" in body


def test_staff_dissolves_through_the_page(client, org_tree, staff_user):
    client.force_login(staff_user)
    response = client.post(
        reverse("branches:dissolve", args=[org_tree.branch_a.pk]), {"dissolved_on": "2026-11-01"}
    )
    assert response.status_code == 200  # it still has an active group
    assert "dissolved_on" in response.context["form"].errors
    response = client.post(
        reverse("branches:dissolve", args=[org_tree.group_a1.pk]), {"dissolved_on": "2026-11-01"}
    )
    assert response.status_code == 302
    org_tree.group_a1.refresh_from_db()
    assert org_tree.group_a1.status == "dissolved"


OUR_STEPS = (
    core_demo.seed_accounts,
    branches_demo.seed,
    alliance_demo.seed_registry,
)


@pytest.fixture
def only_our_seed_steps(monkeypatch, settings):
    """seed_demo with the accounts and this app's step only: other apps' steps are theirs to
    test (tests/home/test_seed.py runs them all)."""

    settings.DEBUG = True  # seed_demo refuses to run with DEBUG off
    monkeypatch.setattr(seed_demo, "STEPS", OUR_STEPS)


def test_seed_demo_figures(client, only_our_seed_steps, staff_user):
    call_command("seed_demo", stdout=io.StringIO())
    branches = Organization.objects.filter(kind="branch")
    assert branches.filter(category="established").count() == 61
    assert branches.filter(category="established", directly_managed=True).count() == 23
    three = Organization.objects.filter(category="three_affinity")
    assert three.filter(kind="joint_committee").count() == 1
    assert three.filter(kind="general_branch").count() == 1
    assert three.filter(kind="branch").count() == 22
    assert three.filter(kind="party_group").count() == 135
    assert AllianceMembership.objects.filter(left_on__isnull=True).count() == 135
    pilots = Organization.objects.filter(kind="community_org", pilot_year__isnull=False)
    assert sorted(pilots.values_list("community__name", flat=True)) == sorted(
        ["北关社区", "阅海万家社区", "地矿局社区", "宝湖社区", "玫瑰园社区", "信义社区"]
    )
    assert Organization.objects.filter(kind="working_committee", parent=None).count() == 1

    secretary = User.objects.get(username="secretary")
    assert secretary.organization.category == "three_affinity"
    liaison = User.objects.get(username="liaison")
    assert liaison.community.name == "阅海万家社区"
    assert liaison.organization.community_id == liaison.community_id

    # What the pages show
    client.force_login(staff_user)
    response = client.get(reverse("branches:list"), {"in_alliance": "yes"})
    assert response.context["paginator"].count == 135
    response = client.get(reverse("branches:list"), {"kind": "party_group"})
    assert response.context["paginator"].count == 135
    response = client.get(reverse("branches:list"), {"pilot": "yes"})
    assert response.context["paginator"].count == 6
    body = client.get(reverse("alliance:registry")).content.decode()
    assert "135" in body

    # Idempotent: a second run changes nothing.
    before = list(Organization.objects.values_list("pk", "name", "path", "updated_at"))
    memberships = list(AllianceMembership.objects.values_list())
    call_command("seed_demo", stdout=io.StringIO())
    assert list(Organization.objects.values_list("pk", "name", "path", "updated_at")) == before
    assert list(AllianceMembership.objects.values_list()) == memberships


def test_seed_demo_scale_multiplies_the_tree(only_our_seed_steps):
    call_command("seed_demo", "--scale", "2", stdout=io.StringIO())
    assert Organization.objects.filter(kind="branch", category="established").count() == 122
    assert Organization.objects.filter(kind="party_group").count() == 270
    assert Organization.objects.filter(kind="working_committee").count() == 1
    assert AllianceMembership.objects.filter(left_on__isnull=True).count() == 270
    assert Organization.objects.filter(name="北关社区党委（2）", pilot_year=2021).exists()
