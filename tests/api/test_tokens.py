"""Token authentication (`Authorization: Bearer …`), the command that makes tokens, the admin list."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buendnis.accounts import tokens
from buendnis.accounts.models import ApiToken, User
from buendnis.core.errors import DomainError
from buendnis.core.models import AuditEntry
from buendnis.funding.models import Project

from .conftest import Projects, api_url, get_json, project_url, projects_url

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def office(api_client: Any) -> User:
    _client, user = api_client("office")
    return user


@pytest.fixture
def token(office: User) -> tuple[ApiToken, str]:
    return tokens.token_create(actor=None, user=office, name="Statistik-Export")


def refused(response: Any, message: str) -> None:
    assert response.status_code == 401, response.content
    assert response.json() == {"detail": message}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


# --- Using a token --------------------------------------------------------------------------------


def test_valid_token_reads_as_its_user(projects: Projects, token: tuple[ApiToken, str]) -> None:
    row, secret = token
    assert row.last_used_at is None

    data = get_json(Client(), projects_url(), **bearer(secret))

    # The office sees every project, with every field.
    assert data["count"] == 4
    assert "contact_email" in data["results"][0]
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_token_writes_without_csrf(projects: Projects, token: tuple[ApiToken, str]) -> None:
    _row, secret = token
    # A browser's CSRF check is on; the token carries no cookie, so it needs no CSRF token.
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        projects_url(),
        data={"title": "Per Skript", "applicant_organisation": "Stadt Braunschweig"},
        content_type="application/json",
        **bearer(secret),
    )

    assert response.status_code == 201, response.content
    project = Project.objects.get(pk=response.json()["id"])
    assert project.created_by == token[0].user
    assert AuditEntry.objects.filter(
        action="project.create", object_id=str(project.pk), actor=token[0].user
    ).exists()


def test_token_runs_a_procedure_step(projects: Projects, token: tuple[ApiToken, str]) -> None:
    _row, secret = token
    response = Client().post(
        project_url(projects.sketch, transitions=True),
        data={"action": "forward"},
        content_type="application/json",
        **bearer(secret),
    )
    assert response.status_code == 200
    assert response.json()["status"] == "sketch_speakers"


def test_keyword_is_case_insensitive(projects: Projects, token: tuple[ApiToken, str]) -> None:
    _row, secret = token
    response = Client().get(projects_url(), HTTP_AUTHORIZATION=f"bearer {secret}")
    assert response.status_code == 200
    assert response.json()["count"] == 4


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Bearer bp_000000000000_falsch", "Ungültiger API-Schlüssel."),
        ("Bearer irgendwas", "Ungültiger API-Schlüssel."),
        ("Bearer", "Ungültige Kopfzeile: nach „Bearer“ folgt genau ein API-Schlüssel."),
        ("Bearer a b", "Ungültige Kopfzeile: nach „Bearer“ folgt genau ein API-Schlüssel."),
    ],
)
def test_wrong_token_is_401(
    projects: Projects, token: tuple[ApiToken, str], header: str, message: str
) -> None:
    # Even a read: a script with a broken token must learn it, not silently get public data.
    refused(Client().get(projects_url(), HTTP_AUTHORIZATION=header), message)


def test_right_prefix_wrong_secret_is_401(projects: Projects, token: tuple[ApiToken, str]) -> None:
    row, secret = token
    forged = f"bp_{row.prefix}_{'x' * 43}"
    assert forged != secret
    refused(Client().get(projects_url(), **bearer(forged)), "Ungültiger API-Schlüssel.")
    row.refresh_from_db()
    assert row.last_used_at is None


def test_revoked_token_is_401(projects: Projects, token: tuple[ApiToken, str]) -> None:
    row, secret = token
    tokens.token_revoke(actor=None, token=row)
    refused(
        Client().get(projects_url(), **bearer(secret)), "Dieser API-Schlüssel wurde widerrufen."
    )


def test_expired_token_is_401(projects: Projects, office: User) -> None:
    row, secret = tokens.token_create(
        actor=None, user=office, name="Kurz", expires_at=timezone.now() + timedelta(minutes=5)
    )
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    refused(Client().get(projects_url(), **bearer(secret)), "Dieser API-Schlüssel ist abgelaufen.")


def test_inactive_users_token_is_401(projects: Projects, token: tuple[ApiToken, str]) -> None:
    row, secret = token
    User.objects.filter(pk=row.user_id).update(is_active=False)
    refused(Client().get(projects_url(), **bearer(secret)), "Dieser Zugang ist gesperrt.")


def test_demo_users_token_is_refused_in_production(
    projects: Projects, token: tuple[ApiToken, str], settings: Any
) -> None:
    row, secret = token
    User.objects.filter(pk=row.user_id).update(is_demo=True)

    # Where demo logins are allowed (development, the demo), the demo's token works ...
    assert Client().get(projects_url(), **bearer(secret)).status_code == 200
    # ... in production, like the demo login itself, it opens nothing.
    settings.BUENDNIS_ALLOW_DEMO_LOGINS = False
    refused(Client().get(projects_url(), **bearer(secret)), "Dieser Zugang ist gesperrt.")


def test_unauthenticated_write_names_the_scheme(projects: Projects) -> None:
    response = Client().post(projects_url(), data={"title": "x"}, content_type="application/json")
    refused(response, "Anmeldedaten fehlen.")


def test_other_schemes_are_left_to_the_session(projects: Projects) -> None:
    # Basic auth is not ours: the request is anonymous and sees the public projects.
    response = Client().get(projects_url(), HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_open_data_endpoints_ignore_the_header(projects: Projects) -> None:
    # The public read API reads no credentials at all: even a broken token gets the open data.
    response = Client().get(api_url("alliance-organisations"), HTTP_AUTHORIZATION="Bearer kaputt")
    assert response.status_code == 200
    # Except the phases, which show the internal circle more: there a broken token is refused
    # rather than answered with less than its script expects.
    refused(
        Client().get(api_url("alliance-phases"), HTTP_AUTHORIZATION="Bearer kaputt"),
        "Ungültiger API-Schlüssel.",
    )


# --- Making and revoking --------------------------------------------------------------------------


def test_only_the_hash_is_stored(token: tuple[ApiToken, str]) -> None:
    row, secret = token
    scheme, prefix, key = secret.split("_", 2)
    assert (scheme, prefix) == ("bp", row.prefix)
    assert len(key) >= 43  # 256 random bits
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    stored = ApiToken.objects.filter(pk=row.pk).values().get()
    assert key not in str(stored)
    created = AuditEntry.objects.get(action="apitoken.create", object_id=str(row.pk))
    assert key not in str(created.changes) and row.key_hash not in str(created.changes)
    assert created.changes["prefix"] == row.prefix


def test_every_token_is_different(office: User) -> None:
    first = tokens.token_create(actor=None, user=office, name="Eins")
    second = tokens.token_create(actor=None, user=office, name="Zwei")
    assert first[1] != second[1]
    assert first[0].prefix != second[0].prefix


def test_token_rules(office: User) -> None:
    with pytest.raises(DomainError) as empty:
        tokens.token_create(actor=None, user=office, name="  ")
    assert empty.value.message_dict == {"name": ["Bitte eine Bezeichnung angeben."]}
    with pytest.raises(DomainError) as past:
        tokens.token_create(
            actor=None, user=office, name="Alt", expires_at=timezone.now() - timedelta(days=1)
        )
    assert past.value.message_dict == {
        "expires_at": ["Das Ablaufdatum muss in der Zukunft liegen."]
    }


def test_revoking_twice_audits_once(token: tuple[ApiToken, str], office: User) -> None:
    row, _secret = token
    tokens.token_revoke(actor=office, token=row)
    first = row.revoked_at
    tokens.token_revoke(actor=office, token=row)
    assert row.revoked_at == first
    assert AuditEntry.objects.filter(action="apitoken.revoke", object_id=str(row.pk)).count() == 1


def test_command_prints_the_token_once(projects: Projects, office: User) -> None:
    out, err = StringIO(), StringIO()

    call_command(
        "create_api_token", "office", "Nachtlauf", "--expires-in-days", "30", stdout=out, stderr=err
    )

    secret = out.getvalue().strip()
    row = ApiToken.objects.get(user=office, name="Nachtlauf")
    assert secret.startswith(f"bp_{row.prefix}_")
    assert "nur jetzt angezeigt" in err.getvalue()
    assert row.expires_at is not None
    assert timedelta(days=29) < row.expires_at - timezone.now() <= timedelta(days=30)
    assert get_json(Client(), projects_url(), **bearer(secret))["count"] == 4


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["niemand", "x"], "Es gibt keinen Zugang „niemand“."),
        (["office", "x", "--expires-in-days", "0"], "--days muss mindestens 1 sein."),
        (["office", " "], "Bitte eine Bezeichnung angeben."),
    ],
)
def test_command_refuses(office: User, arguments: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("create_api_token", *arguments, stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()


def test_command_refuses_a_locked_account(office: User, settings: Any) -> None:
    settings.BUENDNIS_ALLOW_DEMO_LOGINS = False
    User.objects.filter(pk=office.pk).update(is_demo=True)
    with pytest.raises(CommandError, match="ist gesperrt"):
        call_command("create_api_token", "office", "Demo", stdout=StringIO(), stderr=StringIO())


# --- The admin ------------------------------------------------------------------------------------

CHANGELIST = "admin:accounts_apitoken_changelist"


@pytest.fixture
def two_tokens(api_client: Any, office: User) -> dict[str, ApiToken]:
    _client, admin_user = api_client("admin")
    own, _secret = tokens.token_create(actor=None, user=office, name="Büro-Skript")
    other, _secret = tokens.token_create(actor=None, user=admin_user, name="Admin-Skript")
    return {"office": own, "admin": other}


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("admin", {"Büro-Skript", "Admin-Skript"}),
        ("ministry", {"Büro-Skript", "Admin-Skript"}),
        ("office", {"Büro-Skript"}),
        ("outsider", set()),
    ],
)
def test_admin_lists_tokens_without_secrets(
    two_tokens: dict[str, ApiToken], api_client: Any, persona: str, sees: set[str]
) -> None:
    client, _user = api_client(persona)

    response = client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    page = response.content.decode()
    assert {name for name in ("Büro-Skript", "Admin-Skript") if name in page} == sees
    for row in two_tokens.values():
        assert row.key_hash not in page


def test_admin_detail_shows_no_hash(two_tokens: dict[str, ApiToken], api_client: Any) -> None:
    client, _user = api_client("admin")
    row = two_tokens["office"]
    response = client.get(reverse("admin:accounts_apitoken_change", args=[row.pk]))
    assert response.status_code == 200
    assert row.prefix in response.content.decode()
    assert row.key_hash not in response.content.decode()


@pytest.mark.parametrize("persona", ["public", "speaker", "applicant"])
def test_admin_list_is_closed_to_others(api_client: Any, persona: str) -> None:
    client, _user = api_client(persona)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 302  # to the admin's login page


def test_nobody_adds_or_deletes_tokens_in_the_admin(
    two_tokens: dict[str, ApiToken], api_client: Any
) -> None:
    client, _user = api_client("admin")
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    row = two_tokens["office"]
    assert client.get(reverse("admin:accounts_apitoken_delete", args=[row.pk])).status_code == 403


def revoke(client: Client, *rows: ApiToken) -> Any:
    return client.post(
        reverse(CHANGELIST),
        {"action": "revoke", "_selected_action": [row.pk for row in rows]},
        follow=True,
    )


def test_office_revokes_its_own_token(two_tokens: dict[str, ApiToken], api_client: Any) -> None:
    client, user = api_client("office")

    revoke(client, two_tokens["office"])

    two_tokens["office"].refresh_from_db()
    assert two_tokens["office"].revoked_at is not None
    assert AuditEntry.objects.filter(
        action="apitoken.revoke", object_id=str(two_tokens["office"].pk), actor=user
    ).exists()


def test_platform_admin_revokes_any_token(two_tokens: dict[str, ApiToken], api_client: Any) -> None:
    client, _user = api_client("admin")
    revoke(client, *two_tokens.values())
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 0


def test_ministry_reads_but_revokes_only_its_own(
    two_tokens: dict[str, ApiToken], api_client: Any
) -> None:
    client, _user = api_client("ministry")

    response = revoke(client, two_tokens["office"])

    assert "Sie dürfen nur Ihre eigenen API-Schlüssel widerrufen." in response.content.decode()
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 2


# --- Read-only tokens, the default expiry, and two-factor login -------------------------------------


def test_read_only_token_reads_but_is_refused_on_writes(projects: Projects, office: User) -> None:
    _row, secret = tokens.token_create(actor=None, user=office, name="Lesen", read_only=True)
    assert get_json(Client(), projects_url(), **bearer(secret))["count"] == 4

    response = Client().post(
        projects_url(),
        data={"title": "Per Skript", "applicant_organisation": "Stadt Braunschweig"},
        content_type="application/json",
        **bearer(secret),
    )

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Dieser API-Schlüssel darf nur lesen; Änderungen sind mit ihm nicht erlaubt."
    }
    assert not Project.objects.filter(title="Per Skript").exists()
    for method in ("put", "patch", "delete"):
        response = getattr(Client(), method)(
            project_url(projects.sketch), data={}, content_type="application/json", **bearer(secret)
        )
        assert response.status_code == 403, method


def test_a_new_token_expires_by_default(office: User, settings: Any) -> None:
    settings.BUENDNIS_API_TOKEN_DAYS = 90
    row, _secret = tokens.token_create(actor=None, user=office, name="Ohne Angabe")
    assert row.expires_at is not None
    assert timedelta(days=89) < row.expires_at - timezone.now() <= timedelta(days=90)
    assert not row.read_only
    assert (
        AuditEntry.objects.get(action="apitoken.create", object_id=str(row.pk)).changes["read_only"]
        is False
    )


def test_command_makes_read_only_tokens_with_days(office: User) -> None:
    out, err = StringIO(), StringIO()
    call_command(
        "create_api_token",
        "office",
        "Bericht",
        "--days",
        "7",
        "--read-only",
        stdout=out,
        stderr=err,
    )
    row = ApiToken.objects.get(name="Bericht")
    assert row.read_only
    assert row.expires_at is not None
    assert timedelta(days=6) < row.expires_at - timezone.now() <= timedelta(days=7)
    assert "nur lesen" in err.getvalue()
    # Without --days: the default expiry, never none.
    call_command("create_api_token", "office", "Standard", stdout=StringIO(), stderr=StringIO())
    assert ApiToken.objects.get(name="Standard").expires_at is not None


def test_session_without_the_code_step_is_refused_but_a_token_works(
    projects: Projects, office: User
) -> None:
    from tests.twofactor import device_for, force_login_unverified

    device_for(office)
    client = Client()
    force_login_unverified(client, office)

    response = client.get(projects_url())

    assert response.status_code == 403
    assert "Zwei-Faktor-Anmeldung" in response.json()["detail"]
    # A token is its own factor: the same person's script reads.
    _row, secret = tokens.token_create(actor=None, user=office, name="Skript")
    assert get_json(Client(), projects_url(), **bearer(secret))["count"] == 4
    # Even sent along with the unverified session cookie.
    assert client.get(projects_url(), **bearer(secret)).status_code == 200


def test_office_without_an_app_is_refused_in_the_api_by_session(
    projects: Projects, office: User
) -> None:
    from tests.twofactor import force_login_unverified

    client = Client()
    force_login_unverified(client, office)
    assert client.get(projects_url()).status_code == 403
