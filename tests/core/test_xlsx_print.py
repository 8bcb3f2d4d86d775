"""The members export prints one page wide: LibreOffice converts it to PDF and every page is
A4 landscape, and a few members take one page (a sheet wider than a page would print each
band of columns on pages of its own). Skipped when LibreOffice is not installed
(Debian: libreoffice-calc-nogui)."""

import re
import shutil
import subprocess

import pytest
from django.http import QueryDict
from django.utils import translation

from core.exports import prepare_export
from core.xlsx import build_workbook
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
