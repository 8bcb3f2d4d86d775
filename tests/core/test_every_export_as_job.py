"""Every registered export, asked through its page with the job threshold at 0, becomes a job
whose file the worker's run writes whole: the same rows as the immediate download of the same
filter, in the demo world. (The worker loop itself, RQ, restarts and ownership are covered in
test_jobs.py; here each export's registration is what is under test.)"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from assessment.models import Round, RoundState
from core.exports import registered_exports
from core.jobs import run_job
from core.models import Job, User

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One full seed_demo for this module, rolled back after it (as tests/home does)."""
    from django.conf import settings
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        debug, settings.DEBUG = settings.DEBUG, True
        try:
            call_command("seed_demo", stdout=io.StringIO())
        finally:
            settings.DEBUG = debug
        yield
        transaction.set_rollback(True)


def export_urls() -> dict[str, str]:
    finalized = Round.objects.filter(state=RoundState.FINALIZED).order_by("-year").first()
    return {
        "members": reverse("members:export"),
        "members.care_visits": reverse("members:care_export"),
        "members.dues": reverse("members:dues_export"),
        "branches.organizations": reverse("branches:export"),
        "branches.fund_ledger": reverse("branches:funds_overview_export"),
        "activities.ledger": reverse("activities:export_ledger"),
        "activities.attendance": reverse("activities:export_attendance"),
        "activities.points": reverse("activities:points_export"),
        "venues.bookings": reverse("venues:bookings_export"),
        "venues.stats": reverse("venues:stats_export"),
        "alliance.coordination": reverse("alliance:coordination_export"),
        "alliance.annual": reverse("reports:annual", args=[finalized.year]),
        "assessment.score_sheet": reverse("assessment:round_sheet", args=[finalized.pk]),
        "assessment.results": reverse("assessment:results_export"),
    }


def data_rows(content: bytes) -> dict[str, int]:
    """Rows below the header of every sheet (caption and header rows skipped)."""
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    counts = {}
    for sheet in workbook.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        header = next(
            (i for i, row in enumerate(rows[:3]) if sum(v is not None for v in row) > 1), 0
        )
        counts[sheet.title] = len(rows) - header - 1
    return counts


def test_every_registered_export_has_a_page_here():
    names = set(registered_exports())
    assert names == {
        "members",
        "members.care_visits",
        "members.dues",
        "branches.organizations",
        "branches.fund_ledger",
        "activities.ledger",
        "activities.attendance",
        "activities.points",
        "venues.bookings",
        "venues.stats",
        "alliance.coordination",
        "alliance.annual",
        "assessment.score_sheet",
        "assessment.results",
    }


@pytest.mark.parametrize("name", sorted(registered_exports()))
def test_the_job_file_holds_what_the_immediate_download_holds(seeded, client, settings, name):
    staff = User.objects.get(username="bureau")
    client.force_login(staff)
    url = export_urls()[name]

    settings.EXPORT_JOB_THRESHOLD = 10**9
    immediate = client.get(url)
    assert immediate.status_code == 200, name
    expected = data_rows(b"".join(immediate.streaming_content))

    settings.EXPORT_JOB_THRESHOLD = 0
    response = client.get(url)
    job = Job.objects.get(user=staff, export=name, status=Job.Status.QUEUED)
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=[job.pk])
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200
    assert data_rows(b"".join(download.streaming_content)) == expected
    assert job.rows_done == sum(expected.values())
