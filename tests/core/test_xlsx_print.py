"""The members export prints one page wide: LibreOffice converts it to PDF and every page is
A4 landscape, and a few members take one page (a sheet wider than a page would print each
band of columns on pages of its own). Skipped when LibreOffice is not installed
(Debian: libreoffice-calc-nogui)."""

import io
import re
import shutil
import subprocess

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation

from core.exports import prepare_export
from core.xlsx import build_workbook, openpyxl_page_setup
from home.reports import annual_sheets
from tests.alliance.helpers import make_member

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
]

A4_LANDSCAPE = (842, 595)  # points, rounded


def pdf_pages(pdf: bytes) -> list[tuple[int, int]]:
    """The (width, height) of each page, in points (LibreOffice writes plain page objects)."""
    text = pdf.decode("latin-1")
    pages = re.findall(r"/Type\s*/Page[^s].*?/MediaBox\s*\[\s*([\d.\s-]+)\]", text, re.S)
    sizes = []
    for box in pages:
        x0, y0, x1, y1 = (float(n) for n in box.split())
        sizes.append((round(x1 - x0), round(y1 - y0)))
    return sizes


def convert(workbook_path, out_dir) -> bytes:
    subprocess.run(
        [
            SOFFICE,
            "--headless",
            f"-env:UserInstallation=file://{out_dir}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            str(workbook_path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return (out_dir / (workbook_path.stem + ".pdf")).read_bytes()


def test_the_members_export_prints_one_page_wide(tmp_path, staff_user, org_tree):
    members = 3
    for number in range(members):
        make_member(org_tree.branch_a, name=f"成员{number:03d}")
    with translation.override("zh-hans"):
        prepared = prepare_export("members", user=staff_user, query=QueryDict(""))
        path = tmp_path / "members.xlsx"
        with path.open("wb") as target:
            rows = build_workbook(prepared.sheets(), target)
    assert rows == members
    sizes = pdf_pages(convert(path, tmp_path))
    assert sizes and set(sizes) == {A4_LANDSCAPE}
    # One page wide: unscaled, the 24 columns would take three or more pages across.
    assert len(sizes) == 1


# --- Page setup as written (no conversion needed) ------------------------------------------


def page_setups(content: bytes) -> dict:
    """{sheet title: worksheet} of a workbook, read back with openpyxl."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content))
    return {ws.title: ws for ws in workbook.worksheets if ws.sheet_state == "visible"}


def assert_prints_one_page_wide(ws, *, landscape: bool | None = None) -> None:
    assert str(ws.page_setup.paperSize) == "9", ws.title  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    assert ws.page_setup.fitToWidth in (1, None), ws.title  # 1 is Excel's default
    assert ws.print_title_rows, f"{ws.title}: no header row repeated on every page"
    assert "&P" in (ws.oddFooter.right.text or ""), ws.title
    assert re.search(r"\d{4}-\d{2}-\d{2}", ws.oddFooter.left.text or ""), ws.title
    if landscape is not None:
        assert (ws.page_setup.orientation == "landscape") is landscape, ws.title


def test_the_rubric_workbooks_keep_the_page_setup_openpyxl_writes_back(client, staff_user):
    """The rubric and its template are written by the exporter, then reopened with openpyxl
    for their drop-down lists: the page setup survives the second save."""
    client.force_login(staff_user)
    response = client.get(reverse("assessment:rubric_template"))
    assert response.status_code == 200
    sheets = page_setups(b"".join(response.streaming_content))
    assert sheets
    for ws in sheets.values():
        assert_prints_one_page_wide(ws)


def test_openpyxl_page_setup_matches_the_exporter():
    from openpyxl import Workbook

    workbook = Workbook()
    ws = workbook.active
    ws.append([f"列{n}" for n in range(12)])
    for n in range(12):
        ws.column_dimensions[chr(ord("A") + n)].width = 14
    openpyxl_page_setup(ws)
    buffer = io.BytesIO()
    workbook.save(buffer)
    (read,) = page_setups(buffer.getvalue()).values()
    assert_prints_one_page_wide(read, landscape=True)
    assert read.print_title_rows == "$1:$1"


def test_the_annual_overview_is_set_to_one_page_and_wide_sheets_to_landscape(staff_user, org_tree):
    with translation.override("zh-hans"):
        sheets = annual_sheets(staff_user, timezone.localdate().year)
        buffer = io.BytesIO()
        build_workbook(sheets, buffer)
    read = page_setups(buffer.getvalue())
    overview, activities = read["概况"], read["活动"]
    # one page down and across (1, Excel's default, is left out of the file: None)
    assert overview.page_setup.fitToHeight in (1, None)
    assert_prints_one_page_wide(overview, landscape=True)  # 140 characters wide
    assert activities.page_setup.fitToHeight == 0
    assert_prints_one_page_wide(activities, landscape=True)  # 16 columns
