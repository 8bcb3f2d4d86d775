"""gunicorn settings for the portal: `gunicorn -c gunicorn.conf.py config.wsgi` (`make serve`).

Every value can be changed from the environment, so one file serves a laptop and a province:
  BIND                127.0.0.1:8000 (nginx in front; see docs/deploy.md)
  WEB_CONCURRENCY     worker processes, default 2 × cores + 1, at most 12
  GUNICORN_THREADS    threads per worker (gthread), default 4
  GUNICORN_TIMEOUT    seconds a request may take before its worker is restarted, default 60
  GUNICORN_MAX_REQUESTS  a worker restarts after this many requests (± jitter), default 1000
  GUNICORN_ACCESS_LOG "-" (stdout, the default) or a file path; "" for none
Long work (exports over EXPORT_JOB_THRESHOLD rows, reminders) runs in `manage.py run_worker`,
never inside a request, so the 60 s timeout only cuts a request that is stuck.
"""

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BASE_DIR))

from core.checks import stale_catalogs  # noqa: E402 (needs BASE_DIR on the path)


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 12))
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4)
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)
# Off: each worker imports the portal itself and opens its own database connections (a
# connection or pool opened in the master and shared across fork would be corrupted).
preload_app = False
# Proxy headers come from nginx on the same host or a private network only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Client address (as forwarded by nginx), request line, status, bytes, duration in ms.
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
proc_name = "alliance-portal"


def on_starting(server):
    """Compile stale message catalogs once, in the master, before any worker serves."""
    if stale_catalogs():
        server.log.info("compiling message catalogs")
        subprocess.run(
            [sys.executable, str(BASE_DIR / "manage.py"), "compile_catalogs"],
            check=True,
            cwd=BASE_DIR,
        )
