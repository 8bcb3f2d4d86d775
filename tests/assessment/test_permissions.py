"""One permission table: every page × every role (anonymous → login, another organization's
secretary → 404, visible but not changeable → 403)."""

import pytest
from django.urls import reverse

from assessment import services
from tests.assessment.conftest import make_rubric

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "staff", "supervisor", "secretary", "other_secretary", "viewer", "liaison"]

# page → expected status per role, in ROLES order (anonymous is always a redirect to login)
TABLE = {
    "index": [302, 200, 200, 200, 200, 200, 200],
    "rubric_list": [302, 200, 200, 403, 403, 200, 403],
    "rubric_detail": [302, 200, 200, 403, 403, 200, 403],
    "rubric_download": [302, 200, 200, 403, 403, 200, 403],
    "rubric_copy": [302, 200, 403, 403, 403, 403, 403],
    "rubric_upload": [302, 200, 403, 403, 403, 403, 403],
    "rubric_start": [302, 200, 403, 403, 403, 403, 403],
    "rubric_template": [302, 200, 403, 403, 403, 403, 403],
    "rubric_edit": [302, 200, 403, 403, 403, 403, 403],
    "rubric_print": [302, 200, 200, 403, 403, 200, 403],
    "round_list": [302, 200, 200, 403, 403, 200, 403],
    "round_create": [302, 200, 403, 403, 403, 403, 403],
    "round_detail": [302, 200, 200, 403, 403, 200, 403],
    "round_assign": [302, 200, 403, 403, 403, 403, 403],
    "round_results": [302, 200, 200, 403, 403, 200, 403],
    "round_sheet": [302, 200, 200, 403, 403, 200, 403],
    "my_assignments": [302, 403, 200, 403, 403, 403, 403],
    "my_self_assessment": [302, 403, 403, 200, 200, 403, 403],
    "score_a": [302, 200, 200, 403, 404, 403, 404],
    "score_b": [302, 200, 404, 404, 403, 403, 404],
    "self_assess_a": [302, 403, 403, 200, 404, 403, 404],
    "score_card_a": [302, 200, 200, 403, 404, 200, 404],
    "thresholds": [302, 200, 403, 403, 403, 403, 403],
    "inspection_list": [302, 200, 200, 200, 200, 200, 403],
    "inspection_create": [302, 200, 200, 403, 403, 403, 403],
    "rectification_list": [302, 200, 200, 200, 200, 200, 403],
}


def _url(name, ctx):
    rubric = ctx.rubric_a.pk
    round_ = ctx.round.pk
    return {
        "index": reverse("assessment:index"),
        "rubric_list": reverse("assessment:rubric_list"),
        "rubric_detail": reverse("assessment:rubric_detail", args=[rubric]),
        "rubric_download": reverse("assessment:rubric_download", args=[rubric]),
        "rubric_copy": reverse("assessment:rubric_copy"),
        "rubric_upload": reverse("assessment:rubric_upload"),
        "rubric_start": reverse("assessment:rubric_start"),
        "rubric_template": reverse("assessment:rubric_template"),
        "rubric_edit": reverse("assessment:rubric_edit", args=[rubric]),
        "rubric_print": reverse("assessment:rubric_print", args=[rubric]),
        "round_list": reverse("assessment:round_list"),
        "round_create": reverse("assessment:round_create"),
        "round_detail": reverse("assessment:round_detail", args=[round_]),
        "round_assign": reverse("assessment:round_assign", args=[round_]),
        "round_results": reverse("assessment:round_results", args=[round_]),
        "round_sheet": reverse("assessment:round_sheet", args=[round_]),
        "my_assignments": reverse("assessment:my_assignments"),
        "my_self_assessment": reverse("assessment:my_self_assessment"),
        "score_a": reverse("assessment:score", args=[ctx.a.pk]),
        "score_b": reverse("assessment:score", args=[ctx.b.pk]),
        "self_assess_a": reverse("assessment:self_assess", args=[ctx.a.pk]),
        "score_card_a": reverse("assessment:score_card", args=[ctx.a.pk]),
        "thresholds": reverse("assessment:thresholds"),
        "inspection_list": reverse("assessment:inspection_list"),
        "inspection_create": reverse("assessment:inspection_create"),
        "rectification_list": reverse("assessment:rectification_list"),
    }[name]


@pytest.fixture
def users(staff_user, supervisor_user, secretary_user, other_secretary, viewer_user, liaison_user):
    return {
        "staff": staff_user,
        "supervisor": supervisor_user,
        "secretary": secretary_user,
        "other_secretary": other_secretary,
        "viewer": viewer_user,
        "liaison": liaison_user,
    }


@pytest.mark.parametrize("page", list(TABLE))
def test_permission_table(client, scoring_round, users, page):
    url = _url(page, scoring_round)
    for role, expected in zip(ROLES, TABLE[page], strict=True):
        client.logout()
        if role != "anonymous":
            client.force_login(users[role])
        response = client.get(url)
        assert response.status_code == expected, f"{page} as {role}: {response.status_code}"
        if expected == 302:
            assert "/accounts/login/" in response["Location"]


def test_only_staff_change_rounds(client, scoring_round, users):
    url = reverse("assessment:round_transition", args=[scoring_round.round.pk])
    for role in ("supervisor", "secretary", "viewer", "liaison"):
        client.force_login(users[role])
        assert client.post(url, {"action": "finalize"}).status_code == 403
    scoring_round.round.refresh_from_db()
    assert scoring_round.round.state == "scoring"


def test_nobody_else_changes_scores(client, scoring_round, users):
    a = scoring_round.a
    item = a.rubric.items.get(code="1.2")
    url = reverse("assessment:score", args=[a.pk])
    data = {"version": a.version, "item": [item.pk], f"score_{item.pk}": "60"}
    expected = {"secretary": 403, "other_secretary": 404, "viewer": 403, "liaison": 404}
    for role, status in expected.items():
        client.force_login(users[role])
        assert client.post(url, data).status_code == status
    assert not a.scores.filter(score__isnull=False).exists()
    # the unassigned supervisor of branch B cannot score A either
    client.force_login(scoring_round.other_supervisor)
    assert client.post(url, data).status_code == 404
    assert not a.scores.filter(score__isnull=False).exists()


def test_secretary_sees_own_scores_only_after_finalization(
    client, scoring_round, users, staff_user
):
    from tests.assessment.conftest import score_all

    score_all(scoring_round.a, users["supervisor"], normal={"1.1": "33.5"})
    client.force_login(users["secretary"])
    card = reverse("assessment:score_card", args=[scoring_round.a.pk])
    assert client.get(card).status_code == 403
    page = client.get(reverse("assessment:self_assess", args=[scoring_round.a.pk]))
    assert "33.5" not in page.content.decode()
    listing = client.get(reverse("assessment:my_self_assessment")).content.decode()
    assert "33.5" not in listing and "93.5" not in listing
    score_all(scoring_round.b, scoring_round.other_supervisor)
    services.round_finalize(round=scoring_round.round, acting_user=staff_user)
    response = client.get(card)
    assert response.status_code == 200
    html = response.content.decode()
    assert "33.5" in html and "93.5" in html  # 33.5 + 60, no bonus


def test_only_staff_change_a_rubric_on_the_editor(client, scoring_round, users, staff_user):
    unused = make_rubric(2025, "established")
    url = reverse("assessment:rubric_edit", args=[unused.pk])
    data = {"title": "改过的标题", "max_total": "100", "bonus_cap": "3"}
    for role in ("supervisor", "secretary", "other_secretary", "viewer", "liaison"):
        client.force_login(users[role])
        assert client.post(url, data).status_code == 403, role
    client.logout()
    assert "/accounts/login/" in client.post(url, data)["Location"]
    unused.refresh_from_db()
    assert unused.title == "2025 考核细则"
    # a rubric a round uses is not changed, even by bureau staff
    client.force_login(staff_user)
    used = scoring_round.rubric_a
    response = client.post(reverse("assessment:rubric_edit", args=[used.pk]), data)
    assert response.status_code == 400
    assert "已被考核轮次使用" in response.content.decode()
    used.refresh_from_db()
    assert used.title == "2026 考核细则"
