"""Background jobs: exports too large for a request, run by the job worker
(`manage.py run_worker`) through Django's tasks API (the django-tasks backport: the database
backend by default, RQ on Redis by configuration).

The Job row is the portal's record; the task carries only the job's id. A run re-derives the
export from (user, export name, filter) through the export registry (core.exports), so a job
run again — retried, or re-queued after a worker restart — starts over, checks the user's
permissions again and overwrites its file.
"""

from __future__ import annotations

import datetime
import logging
import tempfile
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus, task
from django_tasks.exceptions import TaskResultDoesNotExist

from core.errors import ServiceError
from core.exports import ExportRefused, PreparedExport, get_export, prepare_export
from core.models import Job, ScheduledRun, User
from core.notifications import notify
from core.services import export_log_record
from core.xlsx import build_workbook

logger = logging.getLogger(__name__)

# A running job that has shown no sign of life for this long lost its worker.
STALE_AFTER = datetime.timedelta(minutes=2)
# A queued job whose task was never handed to the backend (a crash between commit and
# enqueue) is re-queued after this long.
UNSENT_AFTER = datetime.timedelta(minutes=1)


class JobError(ServiceError):
    pass


# --- Reads --------------------------------------------------------------------------------------


def jobs_for(user: User) -> QuerySet[Job]:
    """The user's own jobs, newest first. Nobody else's, staff included: a job's file holds
    what *its* user could see."""
    return Job.objects.filter(user=user).order_by("-created_at", "-pk")


def get_job_for(user: User, job_id) -> Job:
    """The user's job `job_id`, else Http404."""
    try:
        return jobs_for(user).get(pk=job_id)
    except (Job.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def job_storage_name(job: Job) -> str:
    """Where the job's file lives: a name the portal makes (never the user's filter)."""
    return f"jobs/{timezone.localtime(job.created_at):%Y/%m}/{job.pk}.xlsx"


def is_expired(job: Job, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return job.status == Job.Status.DONE and (
        not job.file or (job.expires_at is not None and job.expires_at <= now)
    )


# --- Writes -------------------------------------------------------------------------------------


@transaction.atomic
def job_create_export(
    *, user: User, export: str, query: str, unmasked: bool, rows_total: int | None = None
) -> Job:
    """Queue export `export` for `user` with this filter; the task is sent on commit."""
    spec = get_export(export)
    job = Job(
        user=user,
        kind="export",
        export=export,
        # Stored in the portal's language, as the workbook is written (not the page's).
        title=_title_in_portal_language(spec.title),
        query=query,
        unmasked=unmasked,
        rows_total=rows_total,
    )
    job.full_clean()
    job.save()
    enqueue_job(job)
    return job


def _title_in_portal_language(title) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(title)


def enqueue_job(job: Job) -> None:
    """Send the job's task to the backend once the transaction that wrote the job commits."""
    transaction.on_commit(partial(_send, job.pk))


def _send(job_id) -> None:
    result = run_job_task.enqueue(str(job_id))
    Job.objects.filter(pk=job_id).update(task_id=result.id)


@transaction.atomic
def job_retry(*, job: Job, user: User) -> Job:
    """Queue a failed job again (its next run counts one more attempt)."""
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.user_id != user.pk:
        raise Http404
    if job.status != Job.Status.FAILED:
        raise JobError(_("Only a failed export can be tried again."))
    job.status = Job.Status.QUEUED
    job.error = ""
    job.rows_done = 0
    job.finished_at = None
    job.save(update_fields=["status", "error", "rows_done", "finished_at"])
    enqueue_job(job)
    return job


# --- The run ------------------------------------------------------------------------------------


@task()
def run_job_task(job_id: str) -> None:
    run_job(job_id)


def run_job(job_id) -> Job | None:
    """Run the job from the start: write its workbook, store it, log the export, tell the user.

    A refusal (account inactive, permission gone) fails the job with its reason; any other
    error fails it with the error's text, is logged with its traceback and raised again so
    the task backend records the failure too."""
    now = timezone.now()
    started = Job.objects.filter(pk=job_id).update(
        status=Job.Status.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        rows_done=0,
        error="",
        finished_at=None,
    )
    if not started:
        logger.warning("job %s no longer exists; nothing to run", job_id)
        return None
    job = Job.objects.select_related("user").get(pk=job_id)
    # The workbook's words: the portal's language (the worker has no request to take one from).
    with translation.override(settings.LANGUAGE_CODE):
        try:
            prepared = _prepare(job)
            _write(job, prepared)
        except (ExportRefused, PermissionDenied, Http404) as exc:
            message = str(exc) if isinstance(exc, ExportRefused) else ""
            _fail(job, message or _("You may no longer download this export."))
            logger.warning("job %s refused: %s", job.pk, message or type(exc).__name__)
        except Exception as exc:
            logger.exception("job %s (%s) failed", job.pk, job.export)
            _fail(job, _("The export could not be written: %(error)s") % {"error": exc})
            raise
        else:
            _notify_done(job)
    job.refresh_from_db()
    return job


def _prepare(job: Job) -> PreparedExport:
    prepared = prepare_export(job.export, user=job.user, query=QueryDict(job.query))
    if job.unmasked and not prepared.unmasked:
        raise ExportRefused(_("You may no longer see personal data unmasked."))
    return prepared


def _write(job: Job, prepared: PreparedExport) -> None:
    rows_total = prepared.rows_total()
    Job.objects.filter(pk=job.pk).update(rows_total=rows_total)

    def progress(rows_done: int) -> None:
        Job.objects.filter(pk=job.pk).update(rows_done=rows_done, heartbeat_at=timezone.now())

    name = job_storage_name(job)
    with tempfile.TemporaryFile() as spool:
        rows = build_workbook(prepared.sheets(), spool, progress=progress)
        spool.seek(0)
        # Starting over overwrites: the earlier run's file (if any) goes first.
        for old in {job.file.name, name} - {""}:
            if default_storage.exists(old):
                default_storage.delete(old)
        saved = default_storage.save(name, File(spool, name=name))
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE,
        file=saved,
        filename=prepared.filename,
        rows_done=rows,
        rows_total=max(rows, rows_total),
        heartbeat_at=now,
        finished_at=now,
        expires_at=now + datetime.timedelta(days=settings.JOB_FILE_DAYS),
    )
    export_log_record(
        user=job.user,
        export=job.export,
        query=prepared.query or job.query,
        unmasked=prepared.unmasked,
        rows=rows,
    )


def _fail(job: Job, message: str) -> None:
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED, error=message[:2000], finished_at=now, heartbeat_at=now
    )


def _notify_done(job: Job) -> None:
    notify(
        recipients=[job.user],
        kind="job_done",
        title=_("Export completed: %(title)s") % {"title": job.title},
        body=_("Your export is ready to download for %(days)s days.")
        % {"days": settings.JOB_FILE_DAYS},
        url=reverse("jobs:detail", args=[job.pk]),
    )


# --- The worker's housekeeping ------------------------------------------------------------------


def _task_is_live(task_id: str) -> bool:
    """Whether the backend still holds the task waiting or running."""
    if not task_id:
        return False
    try:
        result = run_job_task.get_result(task_id)
    except (TaskResultDoesNotExist, NotImplementedError):
        return False
    return result.status in (TaskResultStatus.READY, TaskResultStatus.RUNNING)


def requeue_stale_jobs(now: datetime.datetime | None = None) -> list[Job]:
    """Jobs a dead worker left behind, queued again: `running` with no sign of life for
    STALE_AFTER, or `queued` whose task the backend no longer holds. Run when a worker starts."""
    now = now or timezone.now()
    stale = Q(status=Job.Status.RUNNING) & (
        Q(heartbeat_at__lt=now - STALE_AFTER)
        | Q(heartbeat_at__isnull=True, started_at__lt=now - STALE_AFTER)
    )
    queued = Q(status=Job.Status.QUEUED) & (~Q(task_id="") | Q(created_at__lt=now - UNSENT_AFTER))
    requeued = []
    for job in Job.objects.filter(stale | queued).order_by("created_at"):
        if job.status == Job.Status.QUEUED and _task_is_live(job.task_id):
            continue
        with transaction.atomic():
            changed = Job.objects.filter(pk=job.pk, status=job.status).update(
                status=Job.Status.QUEUED
            )
            if changed:
                enqueue_job(job)
                requeued.append(job)
                logger.warning("job %s (%s) re-queued after a worker stopped", job.pk, job.status)
    return requeued


def run_schedule(now: datetime.datetime | None = None) -> list[str]:
    """Enqueue each JOB_SCHEDULE task whose time of day has passed and that has not run today
    (the ScheduledRun row, unique per name and day, decides between several workers).
    Returns the names enqueued."""
    now = timezone.localtime(now or timezone.now())
    fired = []
    for name, (path, at) in settings.JOB_SCHEDULE.items():
        hour, minute = (int(part) for part in at.split(":"))
        if (now.hour, now.minute) < (hour, minute):
            continue
        if ScheduledRun.objects.filter(name=name, run_on=now.date()).exists():
            continue
        try:
            scheduled_task = import_string(path)
        except Exception:
            # A misconfigured entry must not stop the worker (nor the other entries).
            logger.exception("scheduled task %s: cannot load %s", name, path)
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(name=name, run_on=now.date())
        except IntegrityError:
            continue  # another worker fired it
        result = scheduled_task.enqueue()
        ScheduledRun.objects.filter(pk=run.pk).update(task_id=result.id)
        logger.info("scheduled task %s enqueued (%s)", name, result.id)
        fired.append(name)
    return fired


def prune_expired_jobs(now: datetime.datetime | None = None) -> int:
    """Delete the files of jobs kept past their day; the rows stay (file emptied: expired)."""
    now = now or timezone.now()
    pruned = 0
    for job in Job.objects.filter(expires_at__lte=now).exclude(file=""):
        if default_storage.exists(job.file.name):
            default_storage.delete(job.file.name)
        pruned += Job.objects.filter(pk=job.pk).update(file="")
    return pruned


@task()
def prune_expired_jobs_task() -> int:
    return prune_expired_jobs()
