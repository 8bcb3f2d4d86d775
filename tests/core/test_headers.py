"""Security headers (issue #18, build 5), read from a real DEBUG=false server: gunicorn with
the production settings (behind a TLS proxy: X-Forwarded-Proto), against a copy of the test
database (SQLite) or the test database itself (PostgreSQL), static files collected by
WhiteNoise's manifest storage. And a browser with the policy on finds no violation on 首页,
a chart page and the search combobox."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import browser_login

ROOT = Path(__file__).resolve().parents[2]
HOST = "portal.example.gov.cn"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url(tmp_path: Path) -> str:
    if connection.vendor == "sqlite":
        target = tmp_path / "portal.sqlite3"
        import sqlite3

        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        return f"sqlite:///{target}"
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def _environment(tmp_path: Path, port: int) -> dict:
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "PYTEST"))}
    for name in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CACHE_URL"):
        kept.pop(name, None)
    return {
        **kept,
        "ALLIANCE_IGNORE_DOTENV": "1",
        "DEBUG": "false",
        # The test's own key: the session made by force_login must be valid on the server.
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": HOST,
        "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "USE_X_FORWARDED_PROTO": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_ACCESS_LOG": "",
        "JOBS_BACKEND": "db",
    }


class Server:
    def __init__(self, port: int):
        self.port = port

    def get(self, path: str, *, cookie: str = "") -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Host": HOST, "X-Forwarded-Proto": "https"}
        if cookie:
            headers["Cookie"] = cookie
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.body = response.read()
        conn.close()
        return response


@pytest.fixture
def production_server(transactional_db, tmp_path):
    port = _free_port()
    env = _environment(tmp_path, port)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    # The database is copied (SQLite) or named (PostgreSQL) when the test starts the server,
    # after it has made its rows.
    yield lambda: _start({**env, "DATABASE_URL": _database_url(tmp_path)}, port)


def _start(env: dict, port: int):
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if process.poll() is not None:
                raise AssertionError(process.stdout.read().decode()) from None
            time.sleep(0.3)
    return process, Server(port)


def test_a_debug_false_server_sends_the_security_headers(
    production_server, client, org_tree, make_user
):
    secretary = make_user("secretary", role="secretary", organization=org_tree.branch_a)
    client.force_login(secretary)  # the session row is committed (transactional_db)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    process, server = production_server()
    try:
        page = server.get("/members/", cookie=cookie)
        assert page.status == 200, page.getheader("Location")
        csp = page.getheader("Content-Security-Policy")
        assert "script-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert "camera=()" in page.getheader("Permissions-Policy")
        assert "no-store" in page.getheader("Cache-Control")
        assert page.getheader("X-Frame-Options") == "DENY"
        assert "max-age=31536000" in page.getheader("Strict-Transport-Security")
        html = page.body.decode()
        # A page with an inline block: it carries this response's nonce, and every other
        # script on it is a file from 'self'.
        tree = server.get("/branches/tree/", cookie=cookie)
        assert tree.status == 200
        nonce = re.search(r"'nonce-([^']+)'", tree.getheader("Content-Security-Policy")).group(1)
        tags = re.findall(r"<script[^>]*>", tree.body.decode())
        assert any(f'nonce="{nonce}"' in tag for tag in tags)
        for tag in tags:
            assert 'src="/static/' in tag or f'nonce="{nonce}"' in tag, tag

        export = server.get("/members/export.xlsx", cookie=cookie)
        assert export.status == 200, export.body[:2000]
        assert "attachment" in export.getheader("Content-Disposition")
        assert "no-store" in export.getheader("Cache-Control")

        static_path = re.search(r'src="(/static/js/combobox\.[0-9a-f]+\.js)"', html).group(1)
        static = server.get(static_path)
        assert static.status == 200
        assert "no-store" not in (static.getheader("Cache-Control") or "")
        assert "max-age" in static.getheader("Cache-Control")

        login = server.get("/accounts/login/")
        assert login.status == 200
        assert "frame-ancestors 'none'" in login.getheader("Content-Security-Policy")
    finally:
        process.terminate()
        process.wait(timeout=30)


# --- The policy in a browser ----------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_csp_violation_on_home_a_chart_page_and_the_combobox(page, make_user, org_tree):
    """The `page` fixture fails on any console error, and a CSP violation is one; the
    violation events are also collected in the page and read back."""
    make_user("staff", role="staff")
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => (window.__csp = "
        "window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample))"
    )
    browser_login(page, "staff")
    response = page.goto(page.base_url + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    assert page.locator("canvas").count() >= 1  # the 首页's charts (Chart.js) are drawn
    assert page.evaluate("() => window.__csp || []") == []

    page.goto(page.base_url + "/activities/")
    box = page.locator("input[role=combobox]").first
    box.fill(org_tree.branch_a.name[:2])
    page.locator("[role=listbox] [role=option]").first.wait_for(state="visible")
    assert page.evaluate("() => window.__csp || []") == []

    page.goto(page.base_url + "/branches/tree/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => window.__csp || []") == []
    assert page.console_errors == []
