"""Excel downloads of the assessment app, through the one exporter (core.xlsx). The rubric
workbook is written by it too, then given its drop-down lists (which the exporter's streamed
sheets cannot hold) and logged like every export."""

from __future__ import annotations

import json
import tempfile

from django.http import FileResponse, Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from assessment import selectors
from assessment.filters import ResultFilter
from assessment.models import (
    Assessment,
    DeductionKind,
    Grade,
    GradeBasis,
    GradeTotal,
    ItemKind,
    ItemScore,
    Round,
    RoundState,
    Rubric,
    VetoConsequence,
)
from assessment.selectors import supervisors_by_organization
from assessment.services.rubric_xlsx import (
    BAND_COLUMNS,
    COLUMNS,
    SETTINGS,
    YES_NO,
    choice_label,
    yes_no_labels,
)
from assessment.services.rubrics import default_bands
from branches.models import Category
from core.exports import ExportRefused, PreparedExport, register_export
from core.services import export_log_record
from core.xlsx import XLSX_CONTENT_TYPE, Sheet, as_download, build_workbook, download_name


def _rubric_rows(rubric: Rubric | None):
    """Items, then one row per deduction line, in the columns of `rubric_xlsx.COLUMNS`."""
    if rubric is None:
        return
    yes, no = yes_no_labels()
    for section in rubric.sections.prefetch_related("items__deductions"):
        for item in section.items.all():
            values = {
                "section": section.title,
                "code": item.code,
                "title": item.title,
                "criterion": item.criterion,
                "max_points": item.max_points,
                "kind": choice_label(ItemKind, item.kind),
                "cumulative": yes if item.cumulative else no,
                "veto_consequence": choice_label(VetoConsequence, item.veto_consequence)
                if item.kind == ItemKind.VETO
                else "",
                "veto_grade": choice_label(Grade, item.veto_grade),
                "metric": item.metric or "",
                "metric_params": json.dumps(item.metric_params, ensure_ascii=False)
                if item.metric_params
                else "",
            }
            yield [values.get(c.key, "") for c in COLUMNS]
            for line in item.deductions.all():
                values = {
                    "code": item.code,
                    "deduction": line.text,
                    "deduction_kind": choice_label(DeductionKind, line.kind),
                    "deduction_points": line.points if line.kind != DeductionKind.ZERO else None,
                    "unit": line.unit,
                    "cap": line.cap,
                }
                yield [values.get(c.key, "") for c in COLUMNS]


def _instructions() -> list[list[str]]:
    kinds = "；".join(f"{label}" for _v, label in DeductionKind.choices)
    return [
        [_("One row per item: section, code, item, maximum points and kind.")],
        [
            _(
                "Below an item, one row per deduction line: its code, the deduction text, its kind and points."
            )
        ],
        [
            _(
                "Deduction kinds: %(kinds)s. A per-occurrence line takes its points each time (扣2分/人), up to “At most” when given."
            )
            % {"kinds": kinds}
        ],
        [
            _(
                "Deduction lines may add up to more than the item's points: the item never scores below 0 (扣完为止)."
            )
        ],
        [_("Lines add up: answer No for 不累计 (only the largest line applied counts).")],
        [
            _(
                "A bonus item adds its lines' points (or the points entered) up to its maximum; all bonus together up to the bonus cap."
            )
        ],
        [
            _(
                "A veto item has maximum 0; its consequence is Fail, at best a grade (不得评为优秀: at best Good), down one grade, or a fixed grade — give the grade for “at best” and “fixed”."
            )
        ],
        [
            _(
                "Grade bands: each grade from a threshold up, in points or in percent of the declared total, on the total with or without bonus (see the settings sheet)."
            )
        ],
        [
            _(
                "Use the drop-down lists; an upload with an error is refused whole, with the row and column of each error."
            )
        ],
    ]


def rubric_sheets(rubric: Rubric | None) -> list[Sheet]:
    """The rubric workbook (`assessment.services.rubric_xlsx` reads it back): items and lines,
    settings, grade bands, instructions. Without a rubric: the empty template."""
    yes, no = yes_no_labels()
    items = Sheet(
        title=_("Rubric"),
        headers=[str(c.label) for c in COLUMNS],
        rows=_rubric_rows(rubric),
        widths=[c.width for c in COLUMNS],
    )
    if rubric is not None:
        values = {
            "title": rubric.title,
            "max_total": rubric.max_total,
            "bonus_cap": rubric.bonus_cap,
            "bonus_cumulative": yes if rubric.bonus_cumulative else no,
            "grade_basis": choice_label(GradeBasis, rubric.grade_basis),
            "grade_total": choice_label(GradeTotal, rubric.grade_total),
        }
        bands = [[choice_label(Grade, b.grade), b.minimum] for b in rubric.bands.all()]
    else:
        values = {
            "title": "",
            "max_total": 100,
            "bonus_cap": 0,
            "bonus_cumulative": yes,
            "grade_basis": choice_label(GradeBasis, GradeBasis.POINTS),
            "grade_total": choice_label(GradeTotal, GradeTotal.WITH_BONUS),
        }
        bands = [[choice_label(Grade, b.grade), b.minimum] for b in default_bands()]
    settings = Sheet(
        title=_("Settings"),
        headers=[_("Key"), _("Setting"), _("Value")],
        rows=[[key, str(label), values[key]] for key, label in SETTINGS],
        widths=[16, 26, 40],
    )
    band_sheet = Sheet(
        title=_("Grade bands"),
        headers=[str(label) for label in BAND_COLUMNS],
        rows=bands,
        widths=[12, 10],
    )
    instructions = Sheet(
        title=_("Instructions"),
        headers=[_("How to fill in this workbook")],
        rows=_instructions(),
        widths=[120],
    )
    return [items, settings, band_sheet, instructions]


def _list_validation(values: list[str], cells: str) -> DataValidation:
    validation = DataValidation(
        type="list", formula1='"' + ",".join(values) + '"', allow_blank=True, showDropDown=False
    )
    validation.add(cells)
    return validation


def _with_drop_downs(source, target) -> None:
    """Add the drop-down lists (kind, consequence, grade, yes/no) to a written workbook; the
    one exporter streams write-only sheets, which cannot hold them."""
    workbook = load_workbook(source)
    items, settings, bands = workbook.worksheets[:3]
    last = 500
    for index, column in enumerate(COLUMNS, start=1):
        if column.choices is None:
            continue
        if column.choices == YES_NO:
            labels = yes_no_labels()
        else:
            labels = [str(label) for _v, label in column.choices.choices]
        letter = get_column_letter(index)
        items.add_data_validation(_list_validation(labels, f"{letter}2:{letter}{last}"))
    settings.add_data_validation(_list_validation(yes_no_labels(), "C5"))
    settings.add_data_validation(
        _list_validation([str(label) for _v, label in GradeBasis.choices], "C6")
    )
    settings.add_data_validation(
        _list_validation([str(label) for _v, label in GradeTotal.choices], "C7")
    )
    bands.add_data_validation(
        _list_validation([str(label) for _v, label in Grade.choices], "A2:A10")
    )
    workbook.save(target)


def _rubric_workbook_response(filename: str, rubric: Rubric | None, *, user, export, query):
    with tempfile.TemporaryFile() as plain:
        rows = build_workbook(rubric_sheets(rubric), plain)
        plain.seek(0)
        spool = tempfile.TemporaryFile()  # noqa: SIM115 — FileResponse closes it
        _with_drop_downs(plain, spool)
    spool.seek(0)
    export_log_record(user=user, export=export, query=query, rows=rows)
    return as_download(FileResponse(spool, content_type=XLSX_CONTENT_TYPE), filename, stem=export)


def rubric_download(rubric: Rubric, *, user):
    filename = download_name(
        _("Assessment rubric"), detail=rubric.get_category_display(), year=rubric.year
    )
    return _rubric_workbook_response(
        filename, rubric, user=user, export="assessment.rubric", query={"rubric": rubric.pk}
    )


def rubric_template_download(*, user):
    return _rubric_workbook_response(
        download_name(_("Assessment rubric template")),
        None,
        user=user,
        export="assessment.rubric_template",
        query={},
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


@register_export("assessment.score_sheet", title=_lazy("Score sheet"))
def score_sheet_export(user, query: QueryDict) -> PreparedExport:
    """The score sheet of the round `?round=` names, for a user who may read its results."""
    try:
        round_ = selectors.get_round_for(user, int(query.get("round", "")))
    except ValueError:
        raise Http404 from None
    if not user.has_perm("assessment.view_results", round_):
        raise ExportRefused(_("You may no longer download this export."))
    return PreparedExport(
        filename=download_name(_("Score sheet"), detail=round_.title, day=timezone.localdate()),
        sheets=lambda: score_sheets(round_),
        rows_total=round_.assessments.count,
        query={"round": round_.pk},
    )


def results_filterset(user, query: QueryDict) -> ResultFilter:
    """Final results (totals, grades and ranks of finalized rounds) of the rounds the user
    may read, filtered as the results page."""
    rounds = selectors.rounds_for(user).filter(state=RoundState.FINALIZED)
    queryset = (
        Assessment.objects.filter(round__in=rounds.values("pk"))
        .exclude(grade="")
        .select_related("round", "organization")
        .order_by("-round__year", "round__pk", "organization__category", "rank", "pk")
    )
    return ResultFilter(query or None, queryset=queryset)


def filtered_results(filterset: ResultFilter):
    if filterset.is_bound and filterset.is_valid():
        return filterset.qs
    return filterset.queryset


def results_sheet(queryset) -> Sheet:
    categories = dict(Category.choices)

    def rows():
        for a in queryset.iterator(chunk_size=500):
            yield [
                a.round.year,
                a.round.title,
                a.organization.name,
                str(categories.get(a.organization.category, "")),
                a.total,
                a.get_grade_display(),
                a.rank,
                _("Yes") if a.vetoed else _("No"),
            ]

    return Sheet(
        title=_("Results"),
        headers=[
            _("Year"),
            _("Round"),
            _("Organization"),
            _("Organization type"),
            pgettext("assessment", "Total"),
            pgettext("assessment", "Grade"),
            pgettext("assessment", "Rank"),
            _("Vetoed"),
        ],
        rows=rows(),
        caption=_("Assessment results (exported %(when)s)")
        % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
        widths=[8, 36, 36, 12, 10, 10, 8, 10],
    )


@register_export(
    "assessment.results", title=_lazy("Assessment results"), permission="assessment.view_results"
)
def results_export(user, query: QueryDict) -> PreparedExport:
    queryset = filtered_results(results_filterset(user, query))
    return PreparedExport(
        filename=download_name(_("Assessment results"), day=timezone.localdate()),
        sheets=lambda: [results_sheet(queryset)],
        rows_total=queryset.order_by().count,
        query=query,
    )
