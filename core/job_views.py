"""我的导出: the user's own jobs, one job's progress page and its JSON status, the download and
the retry; and `deliver_export`, which every export view calls: a small export downloads at
once, a large one becomes a job and the user lands on its progress page.

Every page here is about the user's own jobs only. Another user's job is a 404 — staff
included: the file holds personal data as *that* user could see it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core import auth_otp, jobs
from core.audit import access_log_record
from core.exports import ExportRefused, prepare_export
from core.models import AccessLog, Job
from core.uploads import open_stored
from core.xlsx import XLSX_CONTENT_TYPE, as_download, xlsx_response

PER_PAGE = 20


def deliver_export(
    request: HttpRequest, name: str, *, query: QueryDict | None = None
) -> HttpResponse:
    """Export `name` (core.exports registry) for the request's user with this filter
    (`request.GET` unless given): written at once when it has at most EXPORT_JOB_THRESHOLD
    rows, else queued as a job (sent to the worker on commit) and the user redirected to it."""
    query = (request.GET if query is None else query).copy()
    query.pop("page", None)
    try:
        prepared = prepare_export(name, user=request.user, query=query)
    except ExportRefused as exc:
        raise PermissionDenied(str(exc)) from exc
    if prepared.unmasked and not auth_otp.recently_reauthenticated(request):
        # Personal data in full: the password (and code) again unless given lately.
        return redirect_to_login(request.get_full_path(), reverse("reauth"))
    if prepared.unmasked:
        # Personal data unmasked: in the access log too, with the address it was asked from
        # (the export log records the file once it is written).
        access_log_record(
            user=request.user,
            what=AccessLog.What.UNMASKED_EXPORT,
            detail=f"{name}?{query.urlencode()}",
            request=request,
        )
    rows_total = prepared.rows_total()
    if rows_total <= settings.EXPORT_JOB_THRESHOLD:
        return xlsx_response(
            prepared.filename,
            prepared.sheets(),
            user=request.user,
            export=name,
            query=prepared.query or query,
            unmasked=prepared.unmasked,
        )
    job = jobs.job_create_export(
        user=request.user,
        export=name,
        query=query.urlencode(),
        unmasked=prepared.unmasked,
        rows_total=rows_total,
    )
    messages.info(
        request,
        _(
            "This export has %(rows)s rows: it is being prepared in the background. "
            "You will find it here and under My exports."
        )
        % {"rows": rows_total},
    )
    return redirect("jobs:detail", job.pk)


def job_state(job: Job) -> dict:
    """What the progress page shows, as the JSON status endpoint sends it."""
    expired = jobs.is_expired(job)
    return {
        "status": "expired" if expired else job.status,
        "status_label": _("Expired") if expired else job.get_status_display(),
        "finished": job.status in (Job.Status.DONE, Job.Status.FAILED),
        "percent": job.percent,
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "error": job.error,
        "download_url": (
            reverse("jobs:download", args=[job.pk])
            if job.status == Job.Status.DONE and not expired
            else ""
        ),
    }


class JobListView(View):
    """/jobs/ — 我的导出: the user's own jobs, newest first."""

    def get(self, request):
        page = Paginator(
            jobs.jobs_for(request.user).only(
                "id",
                "title",
                "status",
                "rows_total",
                "rows_done",
                "file",
                "filename",
                "error",
                "created_at",
                "finished_at",
                "expires_at",
            ),
            PER_PAGE,
        ).get_page(request.GET.get("page"))
        for job in page.object_list:
            job.state = job_state(job)
        return render(request, "core/jobs/list.html", {"page_obj": page, "jobs": page.object_list})


class JobDetailView(View):
    """/jobs/<id>/ — the progress bar, then the download button."""

    def get(self, request, pk):
        job = jobs.get_job_for(request.user, pk)
        return render(request, "core/jobs/detail.html", {"job": job, "state": job_state(job)})


class JobStatusView(View):
    """/jobs/<id>/status/ — the progress page's JSON (polled every 2 s)."""

    def get(self, request, pk):
        job = jobs.get_job_for(request.user, pk)
        return JsonResponse(job_state(job))


class JobDownloadView(View):
    """/jobs/<id>/download/ — the file, streamed from storage; 404 once expired."""

    def get(self, request, pk):
        job = jobs.get_job_for(request.user, pk)
        if job.status != Job.Status.DONE or jobs.is_expired(job):
            raise Http404
        handle = open_stored(job.file, what=f"job {job.pk}")
        return as_download(
            FileResponse(handle, content_type=XLSX_CONTENT_TYPE),
            job.filename or f"{job.pk}.xlsx",
            stem=job.export,
        )


class JobRetryView(View):
    """/jobs/<id>/retry/ — POST only: queue a failed job again."""

    http_method_names = ["post"]

    def post(self, request, pk):
        job = jobs.get_job_for(request.user, pk)
        try:
            jobs.job_retry(job=job, user=request.user)
        except jobs.JobError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The export is queued again."))
        return redirect("jobs:detail", job.pk)
