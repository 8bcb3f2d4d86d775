"""`/healthz`: 200 with each component's state when all answer; 503 naming the component
when the database or the cache is really unreachable (a closed port, not a mock); no login,
no data, GET/HEAD only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.test import override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tests.factories import make_org_tree

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CLOSED_REDIS = "redis://127.0.0.1:6390/0"  # nothing listens there
CLOSED_POSTGRES = "postgres://postgres@127.0.0.1:6391/alliance_serve"
REDIS_TEST_URL = "redis://127.0.0.1:6379/14"
COMPONENTS = {"database", "cache", "jobs", "storage"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _redis_or_skip():
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_TEST_URL}")
    client.flushdb()
    return client


def test_all_components_answer_200_for_an_anonymous_visitor(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["components"]) == COMPONENTS
    for name, state in body["components"].items():
        assert state["ok"] is True, name
        assert state["ms"] >= 0
    assert body["components"]["jobs"] == {
        "ok": True,
        "backend": "db",
        "waiting": 0,
        "ms": body["components"]["jobs"]["ms"],
    }
    assert "no-cache" in response["Cache-Control"]


def test_the_job_count_is_a_number_and_nothing_else(client, settings):
    """Waiting tasks are counted; nothing of them (arguments, names) is shown."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    make_org_tree()
    DBTaskResult.objects.create(
        args_kwargs={"args": ["secret-argument"], "kwargs": {}},
        priority=0,
        task_path="core.health.check_database",
        queue_name="default",
        backend_name="default",
    )
    response = client.get(reverse("healthz"))
    assert response.json()["components"]["jobs"]["waiting"] == 1
    assert "secret-argument" not in response.content.decode()
    assert "check_database" not in response.content.decode()


def test_redis_cache_and_rq_queue_answer_200(client, settings):
    connection = _redis_or_skip()
    settings.RQ_QUEUES = {"default": {"URL": REDIS_TEST_URL, "DEFAULT_TIMEOUT": 60}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_TEST_URL,
            }
        }
    ):
        response = client.get(reverse("healthz"))
    connection.flushdb()
    assert response.status_code == 200, response.content
    jobs = response.json()["components"]["jobs"]
    assert jobs["ok"] is True
    assert jobs["backend"] == "rq"
    assert jobs["waiting"] == 0


def test_an_unreachable_redis_cache_is_503_naming_the_cache(client):
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": CLOSED_REDIS,
                "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
            }
        }
    ):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["failing"] == ["cache"]
    assert body["components"]["cache"]["ok"] is False
    assert body["components"]["cache"]["error"] == "ConnectionError"
    assert "6390" not in response.content.decode()
    assert "127.0.0.1" not in response.content.decode()


def test_an_unreachable_rq_redis_is_503_naming_the_jobs(client, settings):
    settings.RQ_QUEUES = {"default": {"URL": CLOSED_REDIS, "DEFAULT_TIMEOUT": 60}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["failing"] == ["jobs"]


def test_an_unreachable_database_is_503_naming_the_database(tmp_path):
    """A real server process's settings pointing at a PostgreSQL port where nothing listens:
    the same failure as a database server that is down."""
    script = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "response = Client().get('/healthz')\n"
        "print(json.dumps({'status': response.status_code, 'body': response.json()}))\n"
    )
    environment = {
        **os.environ,
        "ALLIANCE_IGNORE_DOTENV": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "health-test-" + "x" * 50,
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": CLOSED_POSTGRES,
        "DB_CONNECT_TIMEOUT": "3",
        "CACHE_URL": "locmemcache://",
        "JOBS_BACKEND": "db",
        "MEDIA_ROOT": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    body = answer["body"]
    assert "database" in body["failing"]
    assert body["components"]["database"] == {
        "ok": False,
        "error": "OperationalError",
        "ms": body["components"]["database"]["ms"],
    }
    # The cache and the storage still answer; the job table is in the database too.
    assert body["components"]["cache"]["ok"] is True
    assert body["components"]["storage"]["ok"] is True
    assert "6391" not in json.dumps(body)
    assert "postgres" not in json.dumps(body)


def test_a_failing_storage_is_503_naming_the_storage(client, settings, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocked
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["failing"] == ["storage"]


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_only_get_and_head(client, method):
    assert getattr(client, method)(reverse("healthz")).status_code == 405


def test_head_answers(client):
    assert client.head(reverse("healthz")).status_code == 200


def test_not_redirected_to_https_behind_the_load_balancer(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("login")).status_code == 301
