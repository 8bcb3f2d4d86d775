"""Production start-up: missing or malformed configuration stops with one line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _without_dotenv(tmp_path):
    """Settings read .env beside manage.py; these checks need a clean environment instead."""
    return {"DJANGO_SETTINGS_MODULE": "config.settings", "ALLIANCE_IGNORE_DOTENV": "1"}


def test_missing_secret_key_stops_with_one_line(tmp_path):
    result = run_manage("check", DEBUG="false", **_without_dotenv(tmp_path))
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "SECRET_KEY" in lines[0], result.stderr


@pytest.mark.parametrize("url", ["mysql-ish", "ftp://x/y", "postgres://host:notaport/db"])
def test_malformed_database_url_stops_with_one_line(tmp_path, url):
    result = run_manage(
        "check", DEBUG="false", SECRET_KEY="x" * 60, DATABASE_URL=url, **_without_dotenv(tmp_path)
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "DATABASE_URL" in lines[0], result.stderr


def test_check_deploy_is_clean_with_real_settings(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="k3Y-" + "a8Zq0pW7" * 8,
        ALLOWED_HOSTS="portal.example.gov.cn",
        **_without_dotenv(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr
