"""Every registered export prints: LibreOffice converts the demo's workbook of each to PDF,
and the pages are A4, as many as the rows need when every column fits one page width (not
one band of columns per page, headings on page 1 only), and the annual workbook's 概况 is one
page. Skipped when LibreOffice is not installed (Debian: libreoffice-calc-nogui).

The page count is read from the PDF's page objects (LibreOffice writes them plainly)."""

from __future__ import annotations

import math
import subprocess

import pytest
from django.http import QueryDict
from django.utils import translation

from assessment.models import Round, RoundState
from core.exports import prepare_export, registered_exports
from core.models import User
from core.xlsx import build_workbook
from home.reports import annual_sheets
from tests.core.test_every_export_as_job import seeded  # noqa: F401 (fixture)
from tests.core.test_xlsx_print import SOFFICE, pdf_pages

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
]

A4_SIZES = {(595, 842), (842, 595)}  # points, portrait and landscape
# Fewer data rows than this on a full page means the sheet did not fit the page width (a
# band of columns per page multiplies the pages by the bands) or its rows are split.
MIN_ROWS_PER_PAGE = 15


def export_queries() -> dict[str, str]:
    finalized = Round.objects.filter(state=RoundState.FINALIZED).order_by("-year").first()
    return {
        "alliance.annual": f"year={finalized.year}",
        "assessment.score_sheet": f"round={finalized.pk}",
    }


def convert_all(paths, out_dir) -> dict[str, bytes]:
    """Each workbook as PDF, converted in one LibreOffice run (it starts once)."""
    subprocess.run(
        [
            SOFFICE,
            "--headless",
            f"-env:UserInstallation=file://{out_dir}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            *[str(path) for path in paths],
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return {path.stem: (out_dir / (path.stem + ".pdf")).read_bytes() for path in paths}


@pytest.fixture(scope="module")
def printed(seeded, tmp_path_factory, django_db_blocker):  # noqa: F811
    """{export name: (data rows, sheets, page sizes)} for the demo's bureau staff, and the
    annual workbook's 概况 alone under "overview"."""
    out_dir = tmp_path_factory.mktemp("print")
    written = {}
    with django_db_blocker.unblock(), translation.override("zh-hans"):
        staff = User.objects.get(username="bureau")
        queries = export_queries()
        for name in sorted(registered_exports()):
            prepared = prepare_export(name, user=staff, query=QueryDict(queries.get(name, "")))
            sheets = list(prepared.sheets())
            path = out_dir / f"{name}.xlsx"
            with path.open("wb") as target:
                rows = build_workbook(sheets, target)
            written[name] = (path, rows, len(sheets))
        year = int(queries["alliance.annual"].split("=")[1])
        overview = annual_sheets(staff, year)[0]
        overview_rows = len(overview.rows)
        path = out_dir / "overview.xlsx"
        with path.open("wb") as target:
            build_workbook([overview], target)
        written["overview"] = (path, overview_rows, 1)
    pdfs = convert_all([path for path, _rows, _sheets in written.values()], out_dir)
    return {
        name: (rows, sheets, pdf_pages(pdfs[path.stem]))
        for name, (path, rows, sheets) in written.items()
    }


@pytest.mark.parametrize("name", sorted(registered_exports()))
def test_every_export_prints_on_a4_one_page_wide(printed, name):
    rows, sheets, pages = printed[name]
    assert pages, f"{name}: no pages"
    assert set(pages) <= A4_SIZES, f"{name}: {set(pages)}"
    # one page per MIN_ROWS_PER_PAGE rows at most (and a page for each sheet's start)
    most = sheets + math.ceil(rows / MIN_ROWS_PER_PAGE)
    assert len(pages) <= most, f"{name}: {len(pages)} pages for {rows} rows in {sheets} sheets"


def test_the_members_export_of_the_demo_fits_the_page_width(printed):
    """The roster's 24 columns on one landscape page width: pages ≈ rows / rows per page."""
    rows, _sheets, pages = printed["members"]
    assert rows > 100  # the demo's roster, enough for several pages
    assert set(pages) == {(842, 595)}
    assert len(pages) <= math.ceil(rows / MIN_ROWS_PER_PAGE)


def test_the_annual_overview_prints_on_one_page(printed):
    rows, _sheets, pages = printed["overview"]
    assert rows > 10
    assert len(pages) == 1
