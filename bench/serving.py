"""Serving under gunicorn on PostgreSQL: requests per second for each way of holding database
connections (CONN_MAX_AGE=0, CONN_MAX_AGE=60, a psycopg pool of DB_POOL_MAX_SIZE=4).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance_serve \\
        .venv/bin/python bench/serving.py --requests 400 --concurrency 8

The database must be migrated and seeded (`manage.py migrate && manage.py seed_demo`); the
script never writes to it except sessions and the export log. For each setting it starts
gunicorn (gunicorn.conf.py, DEBUG off) on a free port, logs in as the demo staff account,
warms the pages, then sends N requests from C threads (keep-alive connections) over a few
pages, and reports requests/s for those pages and for a floor page (the login page, one
template and no query), so the figures can be read as ratios on a loaded machine.

The helpers (free_port, start_gunicorn, Session) are used by bench/two_instances.py too.
"""

from __future__ import annotations

import argparse
import http.client
import http.cookies
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PAGES = ["/", "/members/", "/activities/", "/branches/"]
FLOOR = "/accounts/login/"
SETTINGS = {
    "CONN_MAX_AGE=0": {"CONN_MAX_AGE": "0", "DB_POOL_MAX_SIZE": "0"},
    "CONN_MAX_AGE=60": {"CONN_MAX_AGE": "60", "DB_POOL_MAX_SIZE": "0"},
    "DB_POOL_MAX_SIZE=4": {"CONN_MAX_AGE": "0", "DB_POOL_MAX_SIZE": "4", "DB_POOL_MIN_SIZE": "2"},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serving_environment(database_url: str, **extra: str) -> dict[str, str]:
    """A production-like environment for a local gunicorn (plain HTTP on 127.0.0.1)."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO", "PYTEST", "CONN_", "DB_POOL"))
    }
    environment.update(
        ALLIANCE_IGNORE_DOTENV="1",
        DEBUG="false",
        SECRET_KEY=os.environ.get("BENCH_SECRET_KEY", "bench-" + secrets.token_urlsafe(40)),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        GUNICORN_ACCESS_LOG="",
        LOG_LEVEL="ERROR",
    )
    environment.update(extra)
    return environment


def collectstatic(environment: dict[str, str]) -> None:
    """DEBUG off serves static files from STATIC_ROOT's manifest, as `make serve` builds it."""
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=environment,
        check=True,
    )


RECOVERY_CODE_SNIPPET = """
import secrets
from core.auth_otp import second_factor_required
from core.models import User
from django_otp.plugins.otp_static.models import StaticDevice
user = User.objects.get(username={username!r})
if second_factor_required(user):
    device, _ = StaticDevice.objects.get_or_create(user=user, name="bench", defaults={{"confirmed": True}})
    code = secrets.token_hex(5)
    device.token_set.create(token=code)
    print("CODE", code)
"""


def bench_second_factor(environment: dict[str, str], username: str) -> str | None:
    """A one-time recovery code for `username` when the account must give a second factor
    (bureau staff with DEBUG off), from a static device named "bench"; None otherwise."""
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", RECOVERY_CODE_SNIPPET.format(username=username)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    for line in result.stdout.splitlines():
        if line.startswith("CODE "):
            return line.split()[1]
    return None


def start_gunicorn(port: int, environment: dict[str, str], log: Path) -> subprocess.Popen:
    """gunicorn -c gunicorn.conf.py config.wsgi on 127.0.0.1:port, answering /healthz."""
    environment = {**environment, "BIND": f"127.0.0.1:{port}"}
    handle = log.open("ab")
    process = subprocess.Popen(
        [GUNICORN, "-c", "gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT,
        env=environment,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn on {port} exited; see {log}")
        try:
            status, _body, _headers = Session(port).request("GET", "/healthz")
            if status in (200, 503):
                return process
        except OSError:
            pass
        time.sleep(0.3)
    stop(process)
    raise RuntimeError(f"gunicorn on {port} did not answer within 90 s; see {log}")


def stop(process: subprocess.Popen) -> None:
    """Stop a process this script started (its own process group), gracefully then hard."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


class Session:
    """One browser: cookies, CSRF, one keep-alive connection."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, form: dict | None = None, referer: bool = True):
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        if referer:
            headers["Referer"] = f"http://127.0.0.1:{self.port}/"
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                content = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                self.connection = None
                if attempt:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            morsel = http.cookies.SimpleCookie(header)
            for key, value in morsel.items():
                self.cookies[key] = value.value
        return response.status, content, response.headers

    def login(self, username: str, password: str, *, second_factor: str | None = None) -> None:
        """Sign in; `second_factor` is a code (TOTP or a recovery code) for an account that
        must give one (bureau staff)."""
        status, content, _headers = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        form = {"username": username, "password": password, "csrfmiddlewaretoken": token[1]}
        status, _content, headers = self.request("POST", "/accounts/login/", form)
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login as {username} failed ({status})")
        if second_factor is not None:
            form = {
                "token": second_factor,
                "csrfmiddlewaretoken": self.csrf_token("/accounts/two-step/"),
            }
            status, _content, _headers = self.request("POST", "/accounts/two-step/", form)
            if status != 302:
                raise RuntimeError(f"the second factor of {username} was refused ({status})")

    def csrf_token(self, path: str) -> str:
        _status, content, _headers = self.request("GET", path)
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        return match[1].decode()


def hammer(port: int, cookies: dict, paths: Iterable[str], total: int, concurrency: int):
    """`total` GETs over `paths` from `concurrency` threads; (requests/s, failures)."""
    paths = list(paths)
    counter = iter(range(total))
    lock = threading.Lock()
    failures = []

    def worker():
        session = Session(port)
        session.cookies = dict(cookies)
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                return
            status, _content, _headers = session.request("GET", paths[index % len(paths)])
            if status != 200:
                failures.append(status)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return total / (time.perf_counter() - started), failures


def measure(database_url: str, args) -> dict[str, list[tuple[float, float]]]:
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in SETTINGS}
    log = Path("/tmp/alliance_bench_serving.log")
    for round_number in range(args.rounds):
        for name, extra in SETTINGS.items():
            environment = serving_environment(
                database_url,
                WEB_CONCURRENCY=str(args.workers),
                GUNICORN_THREADS=str(args.threads),
                CACHE_URL=args.cache_url,
                **extra,
            )
            port = free_port()
            process = start_gunicorn(port, environment, log)
            try:
                session = Session(port)
                session.login(
                    args.username,
                    args.password,
                    second_factor=bench_second_factor(environment, args.username),
                )
                hammer(port, session.cookies, PAGES, len(PAGES) * 3, 2)  # warm caches
                pages, failures = hammer(
                    port, session.cookies, PAGES, args.requests, args.concurrency
                )
                floor, floor_failures = hammer(port, {}, [FLOOR], args.requests, args.concurrency)
            finally:
                stop(process)
            if failures or floor_failures:
                raise RuntimeError(f"{name}: non-200 answers {failures[:5]} {floor_failures[:5]}")
            results[name].append((pages, floor))
            print(
                f"round {round_number + 1} {name:<20} pages {pages:7.1f} req/s  "
                f"floor {floor:7.1f} req/s  ratio {pages / floor:.3f}",
                flush=True,
            )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--username", default="bureau")
    parser.add_argument("--password", default=os.environ.get("DEMO_PASSWORD", "alliance-demo"))
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("bench/serving.py measures PostgreSQL: set DATABASE_URL=postgres://…")
    print(
        f"gunicorn {args.workers} workers × {args.threads} threads; {args.requests} requests, "
        f"{args.concurrency} at a time; pages {PAGES}; floor {FLOOR}"
    )
    collectstatic(serving_environment(database_url))
    results = measure(database_url, args)
    print("\nmedian over rounds:")
    print("| setting | pages req/s | floor req/s | pages ÷ floor |")
    print("|---|---|---|---|")
    for name, runs in results.items():
        pages = statistics.median(run[0] for run in runs)
        floor = statistics.median(run[1] for run in runs)
        ratio = statistics.median(run[0] / run[1] for run in runs)
        print(f"| {name} | {pages:.1f} | {floor:.1f} | {ratio:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
