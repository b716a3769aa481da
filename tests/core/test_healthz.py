import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _healthz_in_fresh_process(**environment: str) -> tuple[str, str]:
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(r.status_code, json.dumps(r.json()))"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=dict(os.environ, **environment),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    status, _, body = result.stdout.strip().partition(" ")
    return status, body


@pytest.mark.django_db
def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_healthz_is_503_with_reason_when_database_unreachable():
    # A real unreachable server (nothing listens on port 9), in a fresh process so that the
    # suite's own database connection is untouched.
    status, body = _healthz_in_fresh_process(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL="postgres://nobody@127.0.0.1:9/nothing",
    )
    assert status == "503"
    assert '"database": "unreachable"' in body
    assert '"reason": "' in body


@pytest.mark.django_db
def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405


def test_healthz_reports_an_unreachable_shared_cache_as_degraded(tmp_path):
    """With BUENDNIS_REDIS_URL the cache is Redis; a Redis that does not answer (nothing listens
    on port 9) is reported, but the server stays in the load balancer's rotation: its pages work
    without the cache, and one Redis down must not take every server out."""
    status, body = _healthz_in_fresh_process(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_ALLOWED_HOSTS="testserver",
        BUENDNIS_REDIS_URL="redis://127.0.0.1:9/0",
    )
    assert status == "200"
    assert '"status": "degraded"' in body
    assert '"cache": "unreachable"' in body
