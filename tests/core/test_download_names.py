"""Download file names say what is in the file and when, in Chinese, sent as RFC 6266 with an
ASCII fallback and RFC 5987's UTF-8 name; no two different downloads share a name. Checked
over every registered export (immediate and as a job) and the workbooks outside the registry
(the rubric and its template)."""

from __future__ import annotations

import datetime
import re
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import translation

from assessment.models import Rubric
from core.exports import registered_exports
from core.jobs import run_job
from core.models import Job, User
from core.xlsx import ascii_name, content_disposition, download_name
from tests.core.test_every_export_as_job import export_urls, seeded  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

DISPOSITION = re.compile(
    r"""^attachment; filename="(?P<ascii>[\x20-\x7e]+)"; filename\*=UTF-8''(?P<encoded>[A-Za-z0-9%!#$&+\-.^_`|~]+)$"""
)
HAN = re.compile(r"[\u4e00-\u9fff]")
WHEN = re.compile(r"\d{4}年(\d{2}月\d{2}日)?")


def parse(header: str) -> tuple[str, str]:
    """(ASCII fallback, the real name) of a Content-Disposition header; fails when the header
    is not both parts in the RFC 6266/5987 form."""
    match = DISPOSITION.match(header)
    assert match, header
    assert '"' not in match["ascii"] and "\\" not in match["ascii"]
    return match["ascii"], unquote(match["encoded"])


def test_a_name_says_what_and_when():
    with translation.override("zh-hans"):
        assert download_name("党员名册", day=datetime.date(2026, 12, 1)) == (
            "党员名册-2026年12月01日.xlsx"
        )
        assert download_name("活动台账", year=2026) == "活动台账-2026年.xlsx"
        assert download_name("出勤表", detail="支部大会", day=datetime.date(2026, 3, 5)) == (
            "出勤表-支部大会-2026年03月05日.xlsx"
        )


def test_a_name_holds_no_character_a_file_system_refuses():
    with translation.override("zh-hans"):
        name = download_name("出勤表", detail='a/b\\c:d*e?f"g<h>i|j\tk', year=2026)
    assert not re.search(r'[\\/:*?"<>|\x00-\x1f]', name)
    assert name.startswith("出勤表-a_b_c_d_e_f_g_h_i_j_k-2026")


def test_the_header_carries_an_ascii_fallback_and_the_utf8_name():
    fallback, name = parse(content_disposition("党员名册-2026年12月01日.xlsx", stem="members"))
    assert fallback == "members-2026-12-01.xlsx"
    assert name == "党员名册-2026年12月01日.xlsx"
    assert ascii_name("rubric.xlsx", "x") == "rubric.xlsx"
    assert ascii_name("需求清单-2026年.xlsx", "alliance.coordination") == (
        "alliance-coordination-2026.xlsx"
    )


@pytest.mark.parametrize("name", sorted(registered_exports()))
def test_every_export_downloads_under_its_chinese_name(seeded, client, settings, name):  # noqa: F811
    """The immediate download and the job's download of the same export carry the same
    Chinese name: the export's title and a year or a day."""
    client.force_login(User.objects.get(username="bureau"))
    url = export_urls()[name]
    settings.EXPORT_JOB_THRESHOLD = 10**9
    immediate = client.get(url)
    assert immediate.status_code == 200
    fallback, filename = parse(immediate["Content-Disposition"])
    with translation.override("zh-hans"):
        title = str(registered_exports()[name].title)
    assert filename.startswith(title + "-") and filename.endswith(".xlsx"), filename
    assert HAN.search(filename) and WHEN.search(filename), filename
    assert fallback.endswith(".xlsx") and re.search(r"\d{4}", fallback), fallback

    settings.EXPORT_JOB_THRESHOLD = 0
    client.get(url)
    job = Job.objects.get(export=name, status=Job.Status.QUEUED)
    run_job(job.pk)
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200
    assert parse(download["Content-Disposition"]) == (fallback, filename)


def test_no_two_downloads_share_a_name(seeded, client, settings):  # noqa: F811
    """Every registered export and the rubric workbooks: all names differ."""
    client.force_login(User.objects.get(username="bureau"))
    settings.EXPORT_JOB_THRESHOLD = 10**9
    urls = dict(export_urls())
    rubric = Rubric.objects.order_by("-year", "category").first()
    urls["assessment.rubric"] = reverse("assessment:rubric_download", args=[rubric.pk])
    urls["assessment.rubric_template"] = reverse("assessment:rubric_template")
    names: dict[str, str] = {}
    fallbacks: dict[str, str] = {}
    for export, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, export
        fallback, filename = parse(response["Content-Disposition"])
        assert HAN.search(filename), filename
        names.setdefault(filename, export)
        fallbacks.setdefault(fallback, export)
        assert names[filename] == export, f"{export} and {names[filename]} both: {filename}"
        assert fallbacks[fallback] == export, f"{export} and {fallbacks[fallback]}: {fallback}"
    assert len(names) == len(urls)
