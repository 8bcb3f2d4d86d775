"""Scoring on a phone, over HTTP: the draft is saved and restored but is no score, an override
needs its reason, another supervisor's assessment is a 404, and the page's queries do not grow
with the rubric."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import selectors, services
from assessment.models import ItemScore, ScoreDraft
from assessment.services import AssessmentError, DeductionSpec, ItemSpec, SectionSpec

pytestmark = pytest.mark.django_db


def _items(assessment):
    return {row.item.code: row.item for row in assessment.scores.select_related("item")}


def _page(assessment, **values):
    """The scoring form as the page posts it; `values` maps item code → field → value."""
    items = _items(assessment)
    data = {"version": assessment.version, "item": [item.pk for item in items.values()]}
    for code, fields in values.items():
        pk = items[code].pk
        for name, value in fields.items():
            if name == "counts":
                for rule_pk, count in value.items():
                    data[f"count_{pk}_{rule_pk}"] = count
            else:
                data[f"{name}_{pk}"] = value
    return data


def _score_url(assessment):
    return reverse("assessment:score", args=[assessment.pk])


# --- Draft ---------------------------------------------------------------------------------


def test_a_draft_is_saved_restored_not_a_score_and_removed_on_submit(
    client, scoring_round, supervisor_user
):
    a = scoring_round.a
    items = _items(a)
    plan = items["1.1"]
    no_plan = plan.deductions.get(text="没有年度计划扣3分")
    client.force_login(supervisor_user)
    data = _page(
        a,
        **{
            "1.1": {"deduction": no_plan.pk, "comment": "未见年度计划", "assessed": "on"},
            "1.2": {"comment": "草稿里的半句话"},
        },
    )
    response = client.post(
        _score_url(a), {**data, "save_draft": "1"}, headers={"X-Requested-With": "fetch"}
    )
    assert response.status_code == 200, response.content
    assert "草稿" in response.json()["message"]

    # Not a score: nothing saved, no version, no progress, no total.
    assert not ItemScore.objects.filter(assessment=a, score__isnull=False).exists()
    assert not ItemScore.objects.filter(assessment=a).exclude(comment="").exists()
    a.refresh_from_db()
    assert a.version == 1
    assert selectors.with_progress(type(a).objects.filter(pk=a.pk)).get().scored == 0
    card = client.get(reverse("assessment:score_card", args=[a.pk])).content.decode()
    assert "未见年度计划" not in card

    # Restored when the supervisor comes back, with the score the ticks give.
    html = client.get(_score_url(a)).content.decode()
    assert 'id="draft-restored"' in html
    assert (
        f'value="{no_plan.pk}" id="d{no_plan.pk}" data-kind="fixed" data-points="3.00" checked'
        in (html)
    )
    assert "未见年度计划" in html and "草稿里的半句话" in html
    computed = f'<output class="fw-bold js-computed" for="score_{plan.pk}" aria-live="polite">'
    assert computed + "37</output>" in html

    # The draft is the supervisor's own.
    assert ScoreDraft.objects.get().user == supervisor_user

    # 提交评分 saves the scores and the draft is gone.
    response = client.post(_score_url(a), {**data, "submit_scores": "1"})
    assert response.status_code == 302
    row = a.scores.get(item=plan)
    assert (row.score, row.comment) == (Decimal("37"), "未见年度计划")
    assert not ScoreDraft.objects.exists()
    assert 'id="draft-restored"' not in client.get(_score_url(a)).content.decode()


def test_a_draft_keeps_only_the_fields_of_this_assessment(client, scoring_round, supervisor_user):
    a, b = scoring_round.a, scoring_round.b
    other_item = b.scores.first().item_id
    client.force_login(supervisor_user)
    data = _page(a, **{"1.1": {"comment": "x"}})
    data.update({f"comment_{other_item}": "别人的项", "evil": "1", "item": [other_item, "abc"]})
    client.post(_score_url(a), {**data, "save_draft": "1"})
    kept = ScoreDraft.objects.get().data
    assert f"comment_{other_item}" not in kept and "evil" not in kept
    assert kept["item"] == []


def test_a_draft_can_be_discarded(client, scoring_round, supervisor_user):
    a = scoring_round.a
    client.force_login(supervisor_user)
    client.post(_score_url(a), {**_page(a, **{"1.1": {"comment": "草稿"}}), "save_draft": "1"})
    response = client.post(_score_url(a), {"discard_draft": "1"}, follow=True)
    assert not ScoreDraft.objects.exists()
    assert "草稿" not in response.content.decode().split("<textarea", 1)[1].split("</textarea>")[0]


def test_no_draft_outside_scoring(client, scoring_round, supervisor_user, staff_user):
    a = scoring_round.a
    scoring_round.round.state = "finalized"
    scoring_round.round.save()
    a.refresh_from_db()
    with pytest.raises(AssessmentError):
        services.score_draft_save(assessment=a, data={"item": []}, acting_user=supervisor_user)
    assert not ScoreDraft.objects.exists()


# --- No silent change of a score ---------------------------------------------------------


def test_the_service_refuses_a_score_the_deductions_do_not_give_without_a_reason(
    scoring_round, supervisor_user
):
    """The issue: 采用建议分 set 0/6 with no deduction ticked and saved silently."""
    a = scoring_round.a
    items = _items(a)
    rule = items["1.1"].deductions.first()
    for code, entry in (
        ("1.2", services.ScoreEntry(item_id=items["1.2"].pk, score="0")),  # nothing ticked
        # ticked −3, typed the full 40
        ("1.1", services.ScoreEntry(item_id=items["1.1"].pk, score="40", deduction_ids=[rule.pk])),
    ):
        with pytest.raises(AssessmentError, match=code):
            services.scores_submit(
                assessment=a, version=1, entries=[entry], acting_user=supervisor_user
            )
    assert not a.scores.filter(score__isnull=False).exists()

    # With the reason, the score by hand is kept and marked as entered by hand.
    services.scores_submit(
        assessment=a,
        version=1,
        entries=[
            services.ScoreEntry(
                item_id=items["1.2"].pk, score="0", comment="“六有”均未达标，按督查结果"
            )
        ],
        acting_user=supervisor_user,
    )
    row = a.scores.get(item=items["1.2"])
    assert (row.score, row.overridden) == (Decimal("0"), True)


def test_the_page_refuses_an_override_without_reason_and_says_so(
    client, scoring_round, supervisor_user
):
    a = scoring_round.a
    client.force_login(supervisor_user)
    data = _page(a, **{"1.2": {"score": "0", "assessed": "on"}})
    response = client.post(_score_url(a), {**data, "submit_scores": "1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="save-error"' in html and "1.2" in html
    item = _items(a)["1.2"]
    card = html.split(f'id="card-{item.pk}"', 1)[1].split(">", 1)[0]
    assert 'data-error="1"' in card  # the script opens the card the message names
    assert not a.scores.filter(score__isnull=False).exists()
    # What was typed is shown again, flagged on its card (not silently applied).
    assert f'name="score_{item.pk}" id="score_{item.pk}"' in html
    assert 'value="0"' in html


def test_a_saved_override_is_shown_as_entered_by_hand(client, scoring_round, supervisor_user):
    a = scoring_round.a
    item = _items(a)["1.2"]
    services.scores_submit(
        assessment=a,
        version=1,
        entries=[services.ScoreEntry(item_id=item.pk, score="20", comment="按督查")],
        acting_user=supervisor_user,
    )
    client.force_login(supervisor_user)
    html = client.get(_score_url(a)).content.decode()
    assert "由扣分项计算为 60" in html or "扣分项计算为 60" in html
    assert "手工录入" in html


# --- Permission ------------------------------------------------------------------------------


def test_another_supervisors_assessment_is_404(client, scoring_round, supervisor_user):
    b = scoring_round.b
    client.force_login(supervisor_user)
    assert client.get(_score_url(b)).status_code == 404
    response = client.post(_score_url(b), {**_page(b), "save_draft": "1"})
    assert response.status_code == 404
    assert not ScoreDraft.objects.exists()


# --- N+1 ---------------------------------------------------------------------------------------


def _round_with_items(count, year, org_tree, staff_user, supervisor_user):
    sections = [
        SectionSpec(
            title="组织建设",
            items=[
                ItemSpec(
                    code=f"1.{n}",
                    title=f"第{n}项",
                    max_points=Decimal("5"),
                    deductions=[
                        DeductionSpec("缺一项扣1分", Decimal("1")),
                        DeductionSpec(
                            "每缺一人扣0.5分",
                            Decimal("0.5"),
                            kind="per_occurrence",
                            unit="人",
                            cap=Decimal("2"),
                        ),
                    ],
                )
                for n in range(1, count + 1)
            ],
        )
    ]
    rubric = services.rubric_create(
        year=year,
        category="three_affinity",
        title="考核细则",
        sections=sections,
        max_total=Decimal(5 * count),
    )
    round_ = services.round_create(
        year=year, title=f"{year} 年度考核", rubrics=[rubric], acting_user=staff_user
    )
    services.round_set_scope(
        round=round_, organizations=[org_tree.branch_a], acting_user=staff_user
    )
    services.round_assign(
        round=round_,
        organizations=[org_tree.branch_a],
        supervisors=[supervisor_user],
        acting_user=staff_user,
    )
    services.round_open_self_assessment(round=round_, acting_user=staff_user)
    services.round_open_scoring(round=round_, acting_user=staff_user)
    return round_.assessments.get()


@pytest.mark.parametrize("with_draft", [False, True])
def test_the_score_page_queries_do_not_grow_with_the_items(
    client, org_tree, staff_user, supervisor_user, with_draft
):
    counts = []
    for n, year in ((4, 2025), (20, 2026)):
        a = _round_with_items(n, year, org_tree, staff_user, supervisor_user)
        client.force_login(supervisor_user)
        if with_draft:
            first = a.scores.select_related("item").first().item
            client.post(
                _score_url(a), {**_page(a, **{first.code: {"comment": "x"}}), "save_draft": "1"}
            )
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(_score_url(a))
        assert response.status_code == 200
        assert response.content.decode().count('class="card mb-3 score-item"') == n
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts
