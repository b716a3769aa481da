"""Login, logout and password reset by mail, in German."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail

from buendnis.core.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_login_page_is_german(client):
    response = client.get("/konto/anmelden/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Anmelden</h1>" in html
    assert 'lang="de"' in html


def test_login_with_wrong_password_says_so_in_german_and_stays_anonymous(client):
    UserFactory(username="erika")
    response = client.post("/konto/anmelden/", {"username": "erika", "password": "falsch"})
    assert response.status_code == 200
    assert "Benutzername oder Passwort ist falsch." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_and_logout(client):
    UserFactory(username="erika")
    response = client.post(
        "/konto/anmelden/", {"username": "erika", "password": "geheim-genug-123"}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    response = client.post("/konto/abmelden/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_logout_refuses_get(client):
    # Logging out changes state: only POST (with CSRF) may do it.
    assert client.get("/konto/abmelden/").status_code == 405


def test_password_reset_by_mail_end_to_end(client):
    user = UserFactory(username="erika", email="erika@example.org")
    response = client.post("/konto/passwort-vergessen/", {"email": "erika@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["erika@example.org"]
    assert message.subject == "Bündnisportal: Passwort zurücksetzen"
    assert "neues Passwort" in message.body
    link = re.search(r"https?://[^/]+(/konto/passwort-neu/[^\s]+)", message.body).group(1)

    response = client.get(link, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "ein-neues-passwort-9", "new_password2": "ein-neues-passwort-9"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("ein-neues-passwort-9")
    # Set through the service: audited, the account itself acting, the password nowhere in it.
    entry = AuditEntry.objects.get(action="user.password")
    assert (entry.actor, entry.object_id, entry.changes) == (user, str(user.pk), {})


def test_password_reset_for_unknown_address_sends_nothing_and_reveals_nothing(client):
    response = client.post("/konto/passwort-vergessen/", {"email": "niemand@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_reset_rejects_weak_password_in_german(client):
    UserFactory(username="erika", email="erika@example.org")
    client.post("/konto/passwort-vergessen/", {"email": "erika@example.org"})
    link = re.search(r"https?://[^/]+(/konto/passwort-neu/[^\s]+)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200
    assert "Dieses Passwort ist zu kurz" in response.content.decode()


def test_demo_login_refused_where_demo_logins_are_off(client, settings):
    UserFactory(username="demo", is_demo=True)
    settings.BUENDNIS_ALLOW_DEMO_LOGINS = False
    response = client.post("/konto/anmelden/", {"username": "demo", "password": "geheim-genug-123"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_demo_login_allowed_locally(client):
    UserFactory(username="demo", is_demo=True)
    response = client.post("/konto/anmelden/", {"username": "demo", "password": "geheim-genug-123"})
    assert response.status_code == 302


def _production_settings(**env):
    """Load config.settings.production in a fresh process, as gunicorn would."""
    script = (
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.DEBUG, settings.BUENDNIS_ALLOW_DEMO_LOGINS, settings.SESSION_COOKIE_SECURE)"
    )
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))
    }
    environment.update(DJANGO_SETTINGS_MODULE="config.settings.production", **env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_refuse_demo_logins():
    result = _production_settings(
        DJANGO_SECRET_KEY="x" * 50, DATABASE_URL="postgres://u:p@localhost:5432/db"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "True"]


def test_production_settings_demand_secret_and_postgres():
    result = _production_settings(DATABASE_URL="postgres://u:p@localhost:5432/db")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY muss in der Produktion gesetzt sein." in result.stderr
    result = _production_settings(DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "In der Produktion muss DATABASE_URL auf PostgreSQL zeigen." in result.stderr


def test_login_name_is_matched_without_regard_to_case(client):
    UserFactory(username="Erika.Neumann@example.org")
    response = client.post(
        "/konto/anmelden/",
        {"username": "erika.neumann@EXAMPLE.org", "password": "geheim-genug-123"},
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
