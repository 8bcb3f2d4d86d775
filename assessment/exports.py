"""Excel downloads of the assessment app, through the one exporter (core.xlsx)."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from assessment.models import ItemScore, Round, Rubric
from assessment.selectors import supervisors_by_organization
from core.xlsx import Sheet, xlsx_response


def rubric_sheets(rubric: Rubric) -> list[Sheet]:
    """Items, then one row per deduction line; a second sheet holds the rubric's settings.
    `assessment.services.rubric_parse_xlsx` reads exactly this layout back."""

    def rows():
        for section in rubric.sections.prefetch_related("items__deductions"):
            for item in section.items.all():
                yield [
                    section.title,
                    item.code,
                    item.title,
                    item.criterion,
                    item.max_points,
                    item.kind,
                    item.metric or "",
                    json.dumps(item.metric_params, ensure_ascii=False)
                    if item.metric_params
                    else "",
                    "",
                    None,
                ]
                for deduction in item.deductions.all():
                    yield [
                        "",
                        item.code,
                        "",
                        "",
                        None,
                        "",
                        "",
                        "",
                        deduction.text,
                        deduction.points,
                    ]

    items = Sheet(
        title=_("Rubric"),
        headers=[
            _("Section"),
            _("Code"),
            _("Item"),
            _("Criterion"),
            _("Maximum points"),
            _("Kind (normal/bonus/veto)"),
            _("Evidence metric"),
            _("Metric parameters (JSON)"),
            _("Deduction"),
            _("Deduction points"),
        ],
        rows=rows(),
        widths=[14, 8, 30, 50, 10, 12, 20, 24, 40, 10],
    )
    settings = Sheet(
        title=_("Settings"),
        headers=[_("Key"), _("Setting"), _("Value")],
        rows=[
            ["title", _("Title"), rubric.title],
            ["max_total", _("Declared maximum total"), rubric.max_total],
            ["bonus_cap", _("Bonus cap"), rubric.bonus_cap],
        ],
        widths=[12, 20, 40],
    )
    return [items, settings]


def rubric_download(rubric: Rubric, *, user):
    filename = f"rubric-{rubric.year}-{rubric.category}.xlsx"
    return xlsx_response(
        filename,
        rubric_sheets(rubric),
        user=user,
        export="assessment.rubric",
        query={"rubric": rubric.pk},
    )


def score_sheets(round_: Round) -> list[Sheet]:
    """One sheet per rubric (organization type): one row per organization with, per item, the
    self score and the assessed score, then total, grade, rank and supervisors."""
    supervisors = supervisors_by_organization(round_)
    sheets = []
    for rubric in round_.rubrics.order_by("category"):
        items = list(rubric.items.order_by("section__position", "position", "pk"))
        headers = [_("Organization")]
        for item in items:
            headers += [
                _("%(code)s self score") % {"code": item.code},
                _("%(code)s assessed score") % {"code": item.code},
            ]
        headers += [
            pgettext("assessment", "Total"),
            pgettext("assessment", "Grade"),
            pgettext("assessment", "Rank"),
            _("Supervisors"),
        ]

        def rows(rubric=rubric, items=items):
            assessments = (
                round_.assessments.filter(rubric=rubric)
                .select_related("organization")
                .order_by("rank", "organization__path")
            )
            scores = {
                (a_id, i_id): (self_score, score, veto)
                for a_id, i_id, self_score, score, veto in ItemScore.objects.filter(
                    assessment__round=round_, assessment__rubric=rubric
                ).values_list("assessment_id", "item_id", "self_score", "score", "veto_triggered")
            }
            for assessment in assessments.iterator(chunk_size=200):
                row = [assessment.organization.name]
                for item in items:
                    self_score, score, vetoed = scores.get(
                        (assessment.pk, item.pk), (None, None, False)
                    )
                    if item.kind == "veto":
                        row += ["", _("Veto") if vetoed else ""]
                    else:
                        row += [self_score, score]
                row += [
                    assessment.total,
                    assessment.get_grade_display(),
                    assessment.rank,
                    "、".join(str(u) for u in supervisors.get(assessment.organization_id, [])),
                ]
                yield row

        sheets.append(
            Sheet(
                title=str(rubric.get_category_display()),
                headers=headers,
                rows=rows(),
                caption=_("%(round)s · score sheet (%(state)s)")
                % {"round": round_.title, "state": round_.get_state_display()},
                widths=[30] + [10] * (2 * len(items)) + [10, 10, 8, 20],
            )
        )
    return sheets


def score_sheet_download(round_: Round, *, user):
    return xlsx_response(
        f"score-sheet-{round_.year}-{round_.pk}.xlsx",
        score_sheets(round_),
        user=user,
        export="assessment.score_sheet",
        query={"round": round_.pk},
    )
