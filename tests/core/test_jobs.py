"""Background jobs: a large export becomes a job with a progress page, the job worker writes
the file, only its owner downloads it; failures say why and can be retried; a worker restart
re-queues what a dead worker left; the daily schedule fires once a day.

The end-to-end tests run the real worker (`manage.py run_worker --batch`) in this process, on
the database backend and on RQ against the Redis at 127.0.0.1:6379 (database 15, flushed).
They are transactional: the worker commits, and the job is sent to the backend on commit."""

from __future__ import annotations

import datetime
import io
import itertools
import uuid

import pytest
import redis
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from core import jobs
from core.models import ExportLog, Job, Notification, ScheduledRun
from core.xlsx import Sheet, build_workbook
from members import selectors
from members.exports import export_headers
from members.identity import make_id_number
from members.models import Member
from members.services import member_create

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/15"  # a database of its own, flushed by the fixture
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
RQ_TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
_ids = itertools.count(1)


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = DB_TASKS
    settings.EXPORT_JOB_THRESHOLD = 3


@pytest.fixture
def roster(org_tree, staff_user):
    """Five members of branch A: more than the (lowered) threshold of 3."""
    members = []
    for name in ["张三", "李四", "王五", "赵六", "=HYPERLINK(1)"]:
        born = datetime.date(1950, 1, 1) + datetime.timedelta(days=next(_ids))
        members.append(
            member_create(
                acting_user=staff_user,
                organization=org_tree.branch_a,
                name=name,
                gender="male",
                birth_date=born,
                id_number=make_id_number("640104", born, next(_ids) % 500, "male"),
                category="retired",
                phone="13912345678",
            )
        )
    return members


def run_worker() -> None:
    call_command("run_worker", batch=True, no_schedule=True, verbosity=0)


def ask_export(client, url="/members/export.xlsx"):
    """Ask for the export through the page; the job is sent to the backend on commit."""
    response = client.get(url)
    assert response.status_code == 302, response
    job = Job.objects.get()
    assert response.url == f"/jobs/{job.pk}/"
    return job


def read_back(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def roster_names(user) -> list[str]:
    return sorted(selectors.members_for(user).values_list("name", flat=True))


def assert_download_matches_roster(client, job, user):
    response = client.get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    rows = read_back(response)
    assert list(rows[1]) == export_headers()  # row 1 is the caption
    assert sorted(row[0] for row in rows[2:]) == roster_names(user)
    return rows


# --- End to end -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_large_export_is_a_job_written_by_the_database_worker(client, staff_user, roster):
    client.force_login(staff_user)
    job = ask_export(client)
    assert job.status == Job.Status.QUEUED and job.rows_total == 5 and job.task_id
    assert not ExportLog.objects.exists()  # nothing downloaded yet

    page = client.get(f"/jobs/{job.pk}/")
    assert page.status_code == 200
    assert 'data-progress="0"' in page.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page.content.decode()
    assert client.get(f"/jobs/{job.pk}/status/").json()["status"] == "queued"
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404  # not written yet

    run_worker()

    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total, job.attempts) == ("done", 5, 5, 1)
    assert job.file.name == f"jobs/{timezone.localtime(job.created_at):%Y/%m}/{job.pk}.xlsx"
    assert job.filename.startswith("党员名册-") and job.expires_at > timezone.now()
    status = client.get(f"/jobs/{job.pk}/status/").json()
    assert status["percent"] == 100 and status["download_url"] == f"/jobs/{job.pk}/download/"
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-progress="100"' in page and f"/jobs/{job.pk}/download/" in page
    assert 'http-equiv="refresh"' not in page
    rows = assert_download_matches_roster(client, job, staff_user)
    cells = {cell for row in rows for cell in row}
    full_ids = set(Member.objects.values_list("id_number", flat=True))
    assert full_ids and not full_ids & cells  # masked by default
    log = ExportLog.objects.get()
    assert (log.user, log.export, log.rows, log.unmasked) == (staff_user, "members", 5, False)
    assert Notification.objects.filter(user=staff_user, url=f"/jobs/{job.pk}/").exists()


@pytest.fixture
def rq_backend(settings):
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis at 127.0.0.1:6379 is unreachable ({exc}): the RQ backend is not tested")
    connection.flushdb()
    settings.TASKS = RQ_TASKS
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    yield connection
    connection.flushdb()


@pytest.mark.django_db(transaction=True)
def test_the_same_export_job_on_rq(client, staff_user, roster, rq_backend):
    client.force_login(staff_user)
    job = ask_export(client)
    assert rq_backend.exists(f"rq:job:{job.task_id}")  # the task went to Redis

    run_worker()

    job.refresh_from_db()
    assert (job.status, job.rows_done, job.attempts) == ("done", 5, 1)
    assert_download_matches_roster(client, job, staff_user)
    assert ExportLog.objects.filter(user=staff_user, export="members", rows=5).count() == 1


def test_a_small_export_downloads_at_once(client, staff_user, roster, settings):
    settings.EXPORT_JOB_THRESHOLD = 5
    client.force_login(staff_user)
    response = client.get("/members/export.xlsx")
    assert response.status_code == 200
    assert len(read_back(response)) == 2 + 5
    assert not Job.objects.exists()


# --- Only the owner ---------------------------------------------------------------------------


@pytest.fixture
def done_job(secretary_user):
    """A finished job of branch A's secretary, its file in storage."""
    job = Job.objects.create(
        user=secretary_user, export="members", title="党员名册", status=Job.Status.DONE
    )
    name = default_storage.save(jobs.job_storage_name(job), ContentFile(b"xlsx bytes"))
    Job.objects.filter(pk=job.pk).update(
        file=name,
        filename="members.xlsx",
        rows_total=5,
        rows_done=5,
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    job.refresh_from_db()
    return job


def test_only_the_owner_downloads(client, done_job, secretary_user, other_secretary, staff_user):
    client.force_login(secretary_user)
    response = client.get(f"/jobs/{done_job.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"xlsx bytes"
    for someone_else in (other_secretary, staff_user):
        client.force_login(someone_else)
        for url in ("", "status/", "download/"):
            assert client.get(f"/jobs/{done_job.pk}/{url}").status_code == 404
        assert client.post(f"/jobs/{done_job.pk}/retry/").status_code == 404


def test_an_expired_file_is_gone(client, done_job, secretary_user):
    client.force_login(secretary_user)
    Job.objects.filter(pk=done_job.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert client.get(f"/jobs/{done_job.pk}/download/").status_code == 404
    assert client.get(f"/jobs/{done_job.pk}/status/").json()["status"] == "expired"

    assert jobs.prune_expired_jobs() == 1
    done_job.refresh_from_db()
    assert done_job.file.name == "" and done_job.status == Job.Status.DONE  # the row stays
    assert not default_storage.exists(jobs.job_storage_name(done_job))
    assert "过期" in client.get(f"/jobs/{done_job.pk}/").content.decode()
    assert client.get(f"/jobs/{done_job.pk}/download/").status_code == 404
    assert jobs.prune_expired_jobs() == 0


def test_a_missing_file_is_a_404(client, done_job, secretary_user):
    default_storage.delete(done_job.file.name)
    client.force_login(secretary_user)
    assert client.get(f"/jobs/{done_job.pk}/download/").status_code == 404


# --- Failure, retry, restart ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_refused_job_says_why_in_chinese_and_a_retry_runs_it(client, staff_user, roster):
    client.force_login(staff_user)
    job = ask_export(client, "/members/export.xlsx?unmasked=1")
    assert job.unmasked
    staff_user.role = "viewer"  # may no longer see ID numbers unmasked when the worker runs
    staff_user.save(update_fields=["role"])

    run_worker()

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.attempts == 1
    assert job.error == "您已无权查看未脱敏的个人信息。"
    assert not ExportLog.objects.exists()
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert job.error in page and f'action="/jobs/{job.pk}/retry/"' in page
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404
    assert client.get(f"/jobs/{job.pk}/retry/").status_code == 405  # POST only

    staff_user.role = "staff"
    staff_user.save(update_fields=["role"])
    assert client.post(f"/jobs/{job.pk}/retry/").status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.error == ""
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2)
    rows = assert_download_matches_roster(client, job, staff_user)
    full_ids = set(Member.objects.values_list("id_number", flat=True))
    assert full_ids <= {cell for row in rows for cell in row}  # unmasked, as asked
    assert ExportLog.objects.get().unmasked
    # a finished job is not retried
    client.post(f"/jobs/{job.pk}/retry/")
    job.refresh_from_db()
    assert job.status == Job.Status.DONE


@pytest.mark.django_db(transaction=True)
def test_an_inactive_account_gets_no_file(client, staff_user, roster):
    client.force_login(staff_user)
    job = ask_export(client)
    staff_user.is_active = False
    staff_user.save(update_fields=["is_active"])
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.error == "该账号已停用。"
    assert not job.file


@pytest.mark.django_db(transaction=True)
def test_an_error_fails_the_job_with_its_reason_logged(
    client, staff_user, roster, monkeypatch, caplog
):
    client.force_login(staff_user)
    job = ask_export(client)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(jobs, "build_workbook", broken)
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "导出文件未能写成：disk full"
    assert any(r.exc_info and "disk full" in str(r.exc_info[1]) for r in caplog.records)


@pytest.mark.django_db(transaction=True)
def test_a_job_left_running_by_a_dead_worker_is_run_again(client, staff_user, roster):
    client.force_login(staff_user)
    job = ask_export(client)
    # A worker took it, wrote part of a file and died: its task is gone from the queue.
    run_worker()
    long_ago = timezone.now() - datetime.timedelta(minutes=10)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, rows_done=2, heartbeat_at=long_ago, attempts=1
    )
    default_storage.delete(jobs.job_storage_name(job))
    default_storage.save(jobs.job_storage_name(job), ContentFile(b"half a file"))

    run_worker()  # a new worker starts: re-queues the job, then runs it

    job.refresh_from_db()
    assert (job.status, job.attempts, job.rows_done) == ("done", 2, 5)
    assert_download_matches_roster(client, job, staff_user)


@pytest.mark.django_db(transaction=True)
def test_a_running_job_with_a_fresh_heartbeat_is_left_alone(staff_user):
    job = Job.objects.create(
        user=staff_user,
        export="members",
        title="党员名册",
        status=Job.Status.RUNNING,
        heartbeat_at=timezone.now(),
        started_at=timezone.now(),
    )
    assert jobs.requeue_stale_jobs() == []
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING


# --- Schedule ---------------------------------------------------------------------------------


def test_the_schedule_fires_once_a_day(settings, monkeypatch):
    sent = []

    class FakeTask:
        def enqueue(self):
            sent.append(1)
            return type("Result", (), {"id": "task-1"})()

    monkeypatch.setitem(jobs.__dict__, "import_string", lambda path: FakeTask())
    settings.JOB_SCHEDULE = {"prune_expired_jobs": ("core.jobs.prune_expired_jobs_task", "03:00")}
    day = timezone.make_aware(datetime.datetime(2025, 6, 1, 2, 59))
    assert jobs.run_schedule(day) == []  # not yet
    assert jobs.run_schedule(day + datetime.timedelta(minutes=1)) == ["prune_expired_jobs"]
    assert jobs.run_schedule(day + datetime.timedelta(hours=5)) == []  # once a day
    assert len(sent) == 1
    run = ScheduledRun.objects.get()
    assert (run.name, run.run_on, run.task_id) == ("prune_expired_jobs", day.date(), "task-1")
    assert jobs.run_schedule(day + datetime.timedelta(days=1, hours=1)) == ["prune_expired_jobs"]
    assert len(sent) == 2


def test_the_schedule_enqueues_the_real_task(settings):
    settings.JOB_SCHEDULE = {"prune_expired_jobs": ("core.jobs.prune_expired_jobs_task", "00:00")}
    assert jobs.run_schedule() == ["prune_expired_jobs"]
    assert ScheduledRun.objects.get().task_id


def test_a_broken_schedule_entry_does_not_stop_the_others(settings):
    settings.JOB_SCHEDULE = {
        "missing": ("core.jobs.no_such_task", "00:00"),
        "prune_expired_jobs": ("core.jobs.prune_expired_jobs_task", "00:00"),
    }
    assert jobs.run_schedule() == ["prune_expired_jobs"]
    assert not ScheduledRun.objects.filter(name="missing").exists()


# --- Permissions and the list -----------------------------------------------------------------


ROLES = ["staff", "secretary", "supervisor", "liaison", "viewer"]


@pytest.fixture
def users(make_user, org_tree):
    return {
        "staff": make_user("staff", role="staff"),
        "secretary": make_user("secretary", role="secretary", organization=org_tree.branch_a),
        "supervisor": make_user("supervisor", role="supervisor"),
        "liaison": make_user("liaison", role="liaison", community=org_tree.community),
        "viewer": make_user("viewer", role="viewer"),
    }


def _job(user, status=Job.Status.FAILED, **fields):
    return Job.objects.create(
        user=user, export="members", title="党员名册", status=status, error="x", **fields
    )


@pytest.mark.parametrize("role", [None, *ROLES])
@pytest.mark.parametrize(
    "url, method, own_status",
    [
        ("/jobs/", "get", 200),
        ("/jobs/{pk}/", "get", 200),
        ("/jobs/{pk}/status/", "get", 200),
        ("/jobs/{pk}/download/", "get", 404),  # failed: no file
        ("/jobs/{pk}/retry/", "post", 302),
    ],
)
def test_permission_table(client, users, role, url, method, own_status):
    owner = users["secretary"] if role in (None, "secretary") else users[role]
    job = _job(owner)
    if role is None:
        response = getattr(client, method)(url.format(pk=job.pk))
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
        return
    client.force_login(users[role])
    assert getattr(client, method)(url.format(pk=job.pk)).status_code == own_status
    if "{pk}" in url:
        others = _job(users["viewer" if role != "viewer" else "staff"])
        assert getattr(client, method)(url.format(pk=others.pk)).status_code == 404
        assert getattr(client, method)(url.format(pk=uuid.uuid4())).status_code == 404


def test_the_list_shows_only_my_jobs_newest_first(client, users):
    mine_old = _job(users["secretary"])
    Job.objects.filter(pk=mine_old.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    mine_new = _job(users["secretary"], status=Job.Status.QUEUED, rows_total=10, rows_done=3)
    theirs = _job(users["staff"])
    client.force_login(users["secretary"])
    page = client.get("/jobs/").content.decode()
    assert page.index(str(mine_new.pk)) < page.index(str(mine_old.pk))
    assert str(theirs.pk) not in page
    assert "我的导出" in page and "30%" in page


def test_the_list_does_not_query_per_job(client, users):
    client.force_login(users["secretary"])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/jobs/").status_code == 200
        return len(queries)

    for _ in range(3):
        _job(users["secretary"])
    few = count()
    for _ in range(12):
        _job(users["secretary"], status=Job.Status.RUNNING, rows_total=10, rows_done=5)
    assert count() == few


def test_a_job_the_user_may_no_longer_have_fails_with_the_reason(secretary_user):
    """The annual workbook is for staff and viewers: a secretary's job is refused."""
    job = Job.objects.create(
        user=secretary_user,
        export="alliance.annual",
        title="年度统计报表",
        query=f"year={timezone.localdate().year}",
    )
    jobs.run_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error, job.file.name) == ("failed", "您已无权下载此导出。", "")


def test_the_exporter_reports_progress_across_sheets():
    seen = []
    sheets = [
        Sheet(title="a", headers=["x"], rows=[[1], [2], [3]]),
        Sheet(title="b", headers=["x"], rows=[[4], [5]]),
    ]
    assert build_workbook(sheets, io.BytesIO(), progress=seen.append, every=2) == 5
    assert seen == [2, 4]
