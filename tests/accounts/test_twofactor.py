"""Two-factor login: set-up, the code step after the password, recovery codes, turning it off,
and the gate (accounts.middleware) for the roles that must use it."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from buendnis.accounts import twofactor
from buendnis.core.models import AuditEntry
from tests.factories import UserFactory
from tests.twofactor import code_for, device_for, force_login_unverified

pytestmark = pytest.mark.django_db

PASSWORD = "geheim-genug-123"


def password_step(client: Client, username: str, next_url: str = "") -> str:
    response = client.post(
        "/konto/anmelden/", {"username": username, "password": PASSWORD, "next": next_url}
    )
    assert response.status_code == 302
    return response["Location"]


def make_codes(user) -> list[str]:
    device_for(user)
    return twofactor.recovery_codes_renew(user=user)


# --- Set-up ---------------------------------------------------------------------------------------


def test_member_sets_up_the_app_and_gets_recovery_codes_once(client):
    erika = UserFactory(username="erika")
    client.force_login(erika)
    page = client.get("/konto/zwei-faktor/")
    assert page.status_code == 200
    assert "Zwei-Faktor-Anmeldung einrichten" in page.content.decode()

    assert client.post("/konto/zwei-faktor/einrichten/").status_code == 302
    page = client.get("/konto/zwei-faktor/").content.decode()
    device = TOTPDevice.objects.get(user=erika)
    assert not device.confirmed
    assert "<svg" in page  # the QR code, inline
    assert "otpauth://totp/B%C3%BCndnisportal%3Aerika?secret=" in page

    # A wrong code confirms nothing.
    wrong = client.post("/konto/zwei-faktor/bestaetigen/", {"code": "000000"})
    assert wrong.status_code == 400
    assert "Der Code stimmt nicht." in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    device.throttle_reset()
    response = client.post("/konto/zwei-faktor/bestaetigen/", {"code": code_for(device)})
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    codes = response.context["codes"]
    assert len(codes) == 10
    html = response.content.decode()
    assert all(code in html for code in codes)
    assert AuditEntry.objects.filter(action="twofactor.enable", object_id=str(erika.pk)).exists()
    # The session that confirmed the app is verified; the codes are never shown again.
    settings_page = client.get("/konto/zwei-faktor/").content.decode()
    assert "10 unbenutzte Wiederherstellungscodes" in settings_page
    assert codes[0] not in settings_page


def test_renewing_recovery_codes_replaces_the_old_ones(client):
    erika = UserFactory(username="erika")
    old = make_codes(erika)
    client.force_login(erika)  # verified (tests/conftest.py)
    response = client.post("/konto/zwei-faktor/codes/")
    assert response.status_code == 200
    new = response.context["codes"]
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)
    assert not set(old) & set(new)


# --- The code step after the password -------------------------------------------------------------


def test_login_with_an_app_asks_for_the_code(client):
    erika = UserFactory(username="erika")
    device = device_for(erika)

    location = password_step(client, "erika", "/konto/benachrichtigungen/")

    assert location == "/konto/anmelden/code/?next=%2Fkonto%2Fbenachrichtigungen%2F"
    # Signed in with the password only, the pages send to the code step.
    response = client.get("/konto/benachrichtigungen/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/anmelden/code/")

    response = client.post(
        "/konto/anmelden/code/",
        {"code": code_for(device, steps_ahead=1), "next": "/konto/benachrichtigungen/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/konto/benachrichtigungen/"
    assert client.get("/konto/benachrichtigungen/").status_code == 200


def test_a_wrong_code_is_refused_counted_and_throttled(client):
    erika = UserFactory(username="erika")
    device = device_for(erika)
    password_step(client, "erika")

    response = client.post("/konto/anmelden/code/", {"code": "123456"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Der Code stimmt nicht oder wurde schon benutzt." in html
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # Right after a wrong one even the right code waits (django-otp's throttling is on).
    response = client.post("/konto/anmelden/code/", {"code": code_for(device)})
    assert response.status_code == 400
    assert "Nach falschen Codes wartet die Anmeldung kurz" in response.content.decode()
    assert client.get("/konto/benachrichtigungen/").status_code == 302


def test_a_recovery_code_works_once(client):
    erika = UserFactory(username="erika")
    codes = make_codes(erika)
    password_step(client, "erika")

    response = client.post("/konto/anmelden/code/", {"code": codes[0].upper()})

    assert response.status_code == 302
    assert client.get("/konto/benachrichtigungen/").status_code == 200
    assert twofactor.recovery_codes_left(erika) == 9
    # Used up: the next login cannot use it again.
    again = Client()
    password_step(again, "erika")
    for device in TOTPDevice.objects.filter(user=erika):
        device.throttle_reset()
    response = again.post("/konto/anmelden/code/", {"code": codes[0]})
    assert response.status_code == 400
    assert again.get("/konto/benachrichtigungen/").status_code == 302


def test_login_without_an_app_needs_no_code(client):
    UserFactory(username="erika")
    location = password_step(client, "erika", "/konto/benachrichtigungen/")
    assert location == "/konto/benachrichtigungen/"
    assert client.get(location).status_code == 200


# --- Turning it off -------------------------------------------------------------------------------


def test_member_turns_it_off_with_password_and_code(client):
    erika = UserFactory(username="erika")
    device = device_for(erika)
    client.force_login(erika)

    wrong = client.post(
        "/konto/zwei-faktor/ausschalten/", {"password": "falsch", "code": code_for(device)}
    )
    assert wrong.status_code == 400
    assert "Das Passwort stimmt nicht." in wrong.content.decode()

    response = client.post(
        "/konto/zwei-faktor/ausschalten/", {"password": PASSWORD, "code": code_for(device)}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=erika).exists()
    assert AuditEntry.objects.filter(action="twofactor.disable").exists()


def test_office_may_not_turn_it_off(client_as):
    client = client_as("office")  # verified, with an app (tests/conftest.py)
    device = TOTPDevice.objects.get(user__username="office")
    page = client.get("/konto/zwei-faktor/").content.decode()
    assert "vorgeschrieben" in page
    assert "/konto/zwei-faktor/ausschalten/" not in page
    response = client.post(
        "/konto/zwei-faktor/ausschalten/", {"password": PASSWORD, "code": code_for(device)}
    )
    assert response.status_code == 400
    assert "vorgeschrieben" in response.content.decode()
    assert TOTPDevice.objects.filter(user__username="office").exists()


def test_reset_command_removes_the_devices(client):
    erika = UserFactory(username="erika")
    make_codes(erika)
    out = StringIO()
    call_command("reset_two_factor", "erika", stdout=out)
    assert "zurückgesetzt" in out.getvalue()
    assert not twofactor.has_two_factor(erika)
    assert not StaticToken.objects.filter(device__user=erika).exists()
    assert AuditEntry.objects.filter(action="twofactor.reset", object_id=str(erika.pk)).exists()


# --- The gate -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["office", "ministry", "admin"])
def test_required_roles_without_an_app_are_sent_to_the_set_up(persona, make_persona, alliance):
    user = make_persona(persona)
    client = Client()
    force_login_unverified(client, user)

    for path in ["/son/intern/", "/ministerium/", "/admin/", "/konto/benachrichtigungen/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/konto/zwei-faktor/?next="), path

    assert client.get("/konto/zwei-faktor/").status_code == 200
    assert client.post("/konto/abmelden/").status_code == 302


@pytest.mark.parametrize("persona", ["office", "ministry", "admin"])
def test_required_roles_with_an_app_are_sent_to_the_code(persona, make_persona, alliance):
    user = make_persona(persona)
    device_for(user)
    client = Client()
    force_login_unverified(client, user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/konto/anmelden/code/?next=%2Fadmin%2F"


def test_office_password_login_leads_to_the_set_up(make_persona, alliance):
    make_persona("office")
    client = Client()
    location = password_step(client, "office")
    assert location.startswith("/konto/zwei-faktor/?next=")


def test_a_member_is_not_forced(make_persona, alliance):
    member = make_persona("member")
    client = Client()
    force_login_unverified(client, member)
    assert client.get("/son/intern/").status_code == 200
    assert not twofactor.has_two_factor(member)


def test_htmx_requests_are_sent_to_the_page_not_swapped(make_persona, alliance):
    client = Client()
    force_login_unverified(client, make_persona("office"))
    response = client.get("/son/intern/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/konto/zwei-faktor/")


def test_the_admin_removes_devices_without_showing_a_secret(client_as, make_persona):
    client = client_as("admin")
    erika = UserFactory(username="erika")
    device = device_for(erika)
    codes = make_codes(erika)
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    static = client.get("/admin/otp_static/staticdevice/").content.decode()
    assert not any(code in static for code in codes)
    response = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not twofactor.has_two_factor(erika)
