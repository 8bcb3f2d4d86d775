"""Production serving: `check --deploy` is clean with a production environment; the
catalogs check (core.E010) and every serving path that compiles stale catalogs (runserver,
gunicorn's on_starting, config/wsgi.py); gunicorn.conf.py read from the environment;
attachments served through the storage API, so a non-filesystem store works unchanged."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.checks import registry
from django.core.files.storage import InMemoryStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import get_commands, load_command_class
from django.test import override_settings
from django.urls import reverse
from whitenoise.runserver_nostatic.management.commands.runserver import (
    Command as WhitenoiseRunserverCommand,
)

from activities import services
from activities.models import Attachment
from core import checks as core_checks
from core import i18n
from core.actors import system_actor
from tests.activities.test_views import _activities

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "ALLIANCE_IGNORE_DOTENV": "1",
    "DEBUG": "false",
    "SECRET_KEY": "a-production-like-key-" + "k7#Qz9!mP2@" * 6,
    "ALLOWED_HOSTS": "portal.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://portal.example.gov.cn",
    "USE_X_FORWARDED_PROTO": "true",
}


def _environment(**extra) -> dict:
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "PYTEST"))}
    for name in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CACHE_URL"):
        kept.pop(name, None)
    return {**kept, **PRODUCTION_ENV, **extra}


def test_check_deploy_is_clean_with_a_production_environment():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_secret_key_the_server_refuses_to_start_naming_it():
    environment = _environment()
    del environment["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def one_catalog(tmp_path, monkeypatch):
    po_path = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    po_path.parent.mkdir(parents=True)
    po_path.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Members"\nmsgstr "党员"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "BASE_DIR", tmp_path)
    monkeypatch.setattr(i18n, "catalogs", lambda: [i18n.Catalog(tmp_path, po_path)])
    return po_path


def test_a_missing_compiled_catalog_is_an_error(one_catalog):
    errors = core_checks.check_catalogs_compiled()
    assert [error.id for error in errors] == ["core.E010"]
    assert "is missing" in errors[0].msg


def test_a_compiled_catalog_older_than_its_po_is_an_error(one_catalog):
    i18n.compile_all()
    assert core_checks.check_catalogs_compiled() == []
    mo_path = one_catalog.with_suffix(".mo")
    os.utime(mo_path, (mo_path.stat().st_atime, one_catalog.stat().st_mtime - 10))
    errors = core_checks.check_catalogs_compiled()
    assert [error.id for error in errors] == ["core.E010"]
    assert "older" in errors[0].msg


def test_the_check_runs_with_manage_py_check():
    """Registered: `manage.py check` (and runserver) run it; the repository's catalogs are
    compiled by the test session, so it passes."""
    assert core_checks.check_catalogs_compiled in registry.registry.registered_checks
    assert core_checks.check_catalogs_compiled() == []


def test_runserver_compiles_stale_catalogs_first(one_catalog, monkeypatch):
    assert get_commands()["runserver"] == "core"
    command = load_command_class("core", "runserver")
    # Still whitenoise's: static files are served by whitenoise, as under gunicorn.
    assert isinstance(command, WhitenoiseRunserverCommand)
    monkeypatch.setattr(WhitenoiseRunserverCommand, "handle", lambda self, *a, **o: None)
    command.handle(addrport="127.0.0.1:0")
    assert one_catalog.with_suffix(".mo").exists()
    assert core_checks.stale_catalogs() == []


def _gunicorn_config(monkeypatch, **environment) -> dict:
    for name in ("BIND", "WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_config_defaults(monkeypatch):
    config = _gunicorn_config(monkeypatch)
    assert config["bind"] == "127.0.0.1:8000"
    assert 3 <= config["workers"] <= 12
    assert config["worker_class"] == "gthread"
    assert config["timeout"] == 60
    assert config["preload_app"] is False
    assert config["max_requests"] > 0
    assert config["max_requests_jitter"] > 0


def test_gunicorn_config_from_the_environment(monkeypatch):
    config = _gunicorn_config(monkeypatch, BIND="0.0.0.0:9001", WEB_CONCURRENCY="3")
    assert config["bind"] == "0.0.0.0:9001"
    assert config["workers"] == 3


def test_gunicorn_on_starting_compiles_stale_catalogs(monkeypatch):
    config = _gunicorn_config(monkeypatch)
    ran = []
    monkeypatch.setattr(config["subprocess"], "run", lambda args, **kw: ran.append(args))
    server = SimpleNamespace(log=SimpleNamespace(info=lambda *a: None))
    monkeypatch.setitem(config["on_starting"].__globals__, "stale_catalogs", lambda: [])
    config["on_starting"](server)
    assert ran == []
    monkeypatch.setitem(config["on_starting"].__globals__, "stale_catalogs", lambda: [Path("x")])
    config["on_starting"](server)
    assert ran and ran[0][-1] == "compile_catalogs"


class NoLocalPathStorage(InMemoryStorage):
    """Files in memory and, as on S3, no path on a local disk: code that reads `.path`
    instead of opening through the storage fails here."""

    def _relative_path(self, name):  # InMemoryStorage's own bookkeeping uses a path
        return os.path.relpath(InMemoryStorage.path(self, name), self.location)

    def path(self, name):
        raise NotImplementedError("This backend doesn't support absolute paths.")


IN_MEMORY = {
    "default": {"BACKEND": "tests.core.test_serving.NoLocalPathStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def test_an_attachment_is_kept_and_downloaded_from_a_non_filesystem_storage(
    client, org_tree, secretary_user, settings, tmp_path
):
    """With a storage that has no local path (as S3), upload and download work unchanged and
    nothing lands on the disk."""
    settings.MEDIA_ROOT = tmp_path / "media"
    activity = _activities(org_tree, 1)[0]
    pdf = b"%PDF-1.4\n" + b"0" * 200
    with override_settings(STORAGES=IN_MEMORY):
        client.force_login(secretary_user)
        response = client.post(
            reverse("activities:attach", args=[activity.pk]),
            {"file": SimpleUploadedFile("会议记录.pdf", pdf)},
        )
        assert response.status_code == 302
        attachment = Attachment.objects.get()
        with pytest.raises(NotImplementedError):
            attachment.file.path  # noqa: B018 — no local path: nothing may rely on one
        download = client.get(reverse("activities:attachment", args=[attachment.pk]))
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        assert b"".join(download.streaming_content) == pdf
    assert not (tmp_path / "media").exists()


def test_attachments_added_by_a_service_use_the_configured_storage(org_tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    activity = _activities(org_tree, 1)[0]
    with override_settings(STORAGES=IN_MEMORY):
        attachment = services.attachment_add(
            activity=activity,
            upload=SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + b"0" * 50),
            acting_user=system_actor(),
        )
        with attachment.file.open("rb") as stored:
            assert stored.read().startswith(b"\x89PNG")
    assert not (tmp_path / "media").exists()
