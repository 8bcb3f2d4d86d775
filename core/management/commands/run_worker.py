"""The job worker: `manage.py run_worker` (started beside the web server by `make run`).

1. re-queues the jobs a stopped worker left behind (core.jobs.requeue_stale_jobs);
2. keeps the daily schedule (settings.JOB_SCHEDULE) in a background thread: each task is
   enqueued once a day, at or after its time, whatever the number of workers;
3. runs the configured backend's worker: the database backend's `db_worker`, or an RQ worker
   on the configured queues (JOBS_BACKEND=rq).

`--batch` runs what is queued and exits (tests, cron): the schedule is checked once first.
"""

from __future__ import annotations

import logging
import signal
import threading

import django_rq
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connections
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_rq import Job as RQTaskJob
from django_tasks_rq import RQBackend
from rq import SimpleWorker, Worker

from core.jobs import requeue_stale_jobs, run_schedule

logger = logging.getLogger("core.jobs")

SCHEDULE_EVERY = 30  # seconds between two looks at the schedule


def schedule_loop(stop: threading.Event, every: float = SCHEDULE_EVERY) -> None:
    """Fire due scheduled tasks until `stop` is set (runs in its own thread)."""
    while not stop.is_set():
        close_old_connections()
        try:
            run_schedule()
        except Exception:
            # The schedule must outlive one bad look (a locked SQLite file, a lost connection).
            logger.exception("the job schedule could not be checked; trying again")
        finally:
            connections.close_all()
        stop.wait(every)


class Command(BaseCommand):
    help = "Run the job worker (exports, reminders) with the daily schedule."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Run the queued jobs, then exit.")
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds between two looks at an empty queue (database backend).",
        )
        parser.add_argument(
            "--no-schedule", action="store_true", help="Do not run the daily schedule."
        )

    def handle(self, *, batch: bool, interval: float, no_schedule: bool, **options):
        verbosity = options["verbosity"]
        requeued = requeue_stale_jobs()
        if requeued:
            self.stdout.write(f"re-queued {len(requeued)} job(s) left by a stopped worker")
        stop = threading.Event()
        if not no_schedule:
            if batch:
                run_schedule()
            else:
                threading.Thread(
                    target=schedule_loop, args=(stop,), name="job-schedule", daemon=True
                ).start()
        backend = task_backends["default"]
        try:
            if isinstance(backend, DatabaseBackend):
                self._run_database_worker(
                    backend, batch=batch, interval=interval, verbosity=verbosity
                )
            elif isinstance(backend, RQBackend):
                self._run_rq_worker(backend, batch=batch)
            else:
                self.stdout.write(
                    f"{type(backend).__name__} runs tasks where they are enqueued; "
                    "nothing to work on"
                )
                if not batch:
                    stop.wait()
        finally:
            stop.set()

    def _run_database_worker(
        self, backend: DatabaseBackend, *, batch: bool, interval: float, verbosity: int
    ) -> None:
        handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            call_command(
                "db_worker",
                batch=batch,
                interval=interval,
                reload=False,
                startup_delay=False,
                queue_name=",".join(sorted(backend.queues)),
                verbosity=verbosity,
            )
        finally:
            # db_worker takes over Ctrl-C for a graceful stop; give it back (batch runs in tests).
            for sig, handler in handlers.items():
                signal.signal(sig, handler)

    def _run_rq_worker(self, backend: RQBackend, *, batch: bool) -> None:
        # SimpleWorker runs jobs in this process (batch runs, tests); Worker forks per job.
        worker = django_rq.get_worker(
            *sorted(backend.queues),
            job_class=RQTaskJob,
            worker_class=SimpleWorker if batch else Worker,
        )
        worker.work(burst=batch, with_scheduler=False, logging_level="WARNING")
