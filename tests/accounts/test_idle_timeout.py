"""Internal roles (office, Sprecherkreis, Steuerkreis, advisory members, ministry, platform admins,
staff) are logged out after 30 minutes without a request; applicants are not."""

from collections.abc import Callable

import pytest
from django.test import Client

from buendnis.accounts.idle import LAST_ACTIVITY_KEY

pytestmark = pytest.mark.django_db

PAGE = "/konto/benachrichtigungen/"
MESSAGE = "Sie wurden nach 30 Minuten ohne Aktivität abgemeldet."


def _idle(client: Client, minutes: float) -> None:
    """Move the last request `minutes` into the past."""
    session = client.session
    session[LAST_ACTIVITY_KEY] -= int(minutes * 60)
    session.save()


@pytest.mark.parametrize(
    "persona", ["office", "speaker", "member", "advisory", "ministry", "admin", "outsider"]
)
def test_an_internal_role_is_logged_out_after_30_idle_minutes(
    client_as: Callable[[str], Client], persona: str
) -> None:
    client = client_as(persona)
    assert client.get(PAGE).status_code == 200
    _idle(client, 31)
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == f"/konto/anmelden/?next={PAGE.replace('/', '%2F')}"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert MESSAGE in page


def test_an_applicant_stays_logged_in(client_as: Callable[[str], Client]) -> None:
    client = client_as("applicant")
    client.get(PAGE)
    session = client.session
    if LAST_ACTIVITY_KEY in session:
        _idle(client, 24 * 60)
    assert client.get(PAGE).status_code == 200
    assert "_auth_user_id" in client.session


def test_a_request_within_the_30_minutes_keeps_the_session(
    client_as: Callable[[str], Client],
) -> None:
    client = client_as("office")
    _idle(client, 29)
    assert client.get(PAGE).status_code == 200
    _idle(client, 29)  # 58 minutes after login, 29 after the last request
    assert client.get(PAGE).status_code == 200
    assert "_auth_user_id" in client.session


def test_the_session_is_written_at_most_once_a_minute(
    client_as: Callable[[str], Client],
) -> None:
    client = client_as("office")
    client.get(PAGE)
    first = client.session[LAST_ACTIVITY_KEY]
    client.get(PAGE)
    assert client.session[LAST_ACTIVITY_KEY] == first
    _idle(client, 2)
    client.get(PAGE)
    assert client.session[LAST_ACTIVITY_KEY] >= first


def test_the_timeout_is_a_setting(client_as: Callable[[str], Client], settings) -> None:
    settings.BUENDNIS_IDLE_TIMEOUT_MINUTES = 60
    client = client_as("office")
    _idle(client, 45)
    assert client.get(PAGE).status_code == 200
    _idle(client, 61)
    response = client.get(PAGE, follow=True)
    assert "Sie wurden nach 60 Minuten ohne Aktivität abgemeldet." in response.content.decode()


def test_the_api_ends_an_idle_session_too(client_as: Callable[[str], Client]) -> None:
    """The API reads the session only where it authenticates; there the timeout applies too."""
    client = client_as("ministry")
    assert client.get("/api/v1/overview/").status_code == 200
    _idle(client, 31)
    assert client.get("/api/v1/overview/").status_code in (401, 403)
    assert "_auth_user_id" not in client.session


def test_an_idle_htmx_request_loads_the_login_as_a_page(
    client_as: Callable[[str], Client],
) -> None:
    client = client_as("office")
    client.get(PAGE)
    _idle(client, 31)
    response = client.get(PAGE, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/konto/anmelden/?next={PAGE.replace('/', '%2F')}"
    assert "_auth_user_id" not in client.session
