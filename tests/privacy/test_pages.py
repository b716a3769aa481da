"""/<slug>/intern/datenschutz/…: every page and form for every persona and for the other
alliance, the export as page and JSON, the erasure with its confirmation step, and what the
platform shows of an erased person afterwards."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from buendnis.accounts.models import Role, User
from buendnis.core.models import AuditEntry
from tests.conftest import PERSONAS
from tests.factories import MembershipFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

BASE = "/son/intern/datenschutz/"
PAGES = [BASE, f"{BASE}auskunft/", f"{BASE}loeschen/"]
# None: allowed. The office and platform admins; the ministry reads but hands out nothing;
# `outsider` is the office (and every other role) of the other alliance.
EXPECTED = {
    "public": 302,
    "office": None,
    "speaker": 403,
    "member": 403,
    "advisory": 403,
    "applicant": 403,
    "ministry": 403,
    "admin": None,
    "outsider": 403,
}


@pytest.fixture
def erika(alliance) -> User:
    user = UserFactory(
        username="erika", email="erika@example.org", first_name="Erika", last_name="Musterfrau"
    )
    MembershipFactory(user=user, alliance=alliance, role=Role.STEERING)
    PersonFactory(
        organisation__alliance=alliance,
        user=user,
        first_name="Erika",
        last_name="Musterfrau",
        email="erika@example.org",
    )
    return user


def _text(response: Any) -> str:
    return response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_and_form_per_persona(
    persona: str, client_as: Callable[[str], Client], erika: User
) -> None:
    client = client_as(persona)
    expected = EXPECTED[persona]
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == (expected or 200), url
        if expected == 302:
            assert response["Location"].startswith("/konto/anmelden/?next=")
    shown = client.post(f"{BASE}auskunft/", {"person": "erika", "format": "html"})
    download = client.post(f"{BASE}auskunft/", {"person": "erika", "format": "json"})
    step = client.post(f"{BASE}loeschen/", {"person": "erika", "reason": "Verlangen"})
    if expected is None:
        assert shown.status_code == 200 and "Musterfrau" in _text(shown)
        assert download.status_code == 200 and download["Content-Type"].startswith(
            "application/json"
        )
        assert json.loads(download.content)["konto"] == erika.pk
        assert step.status_code == 200 and "Endgültig löschen" in _text(step)
        assert AuditEntry.objects.filter(action="privacy.export").count() == 2
    else:
        for response in (shown, download, step):
            assert response.status_code == expected
            assert "Musterfrau" not in _text(response)
        assert not AuditEntry.objects.filter(action="privacy.export").exists()
    # The first step of an erasure erases nothing.
    assert User.objects.get(pk=erika.pk).username == "erika"


REFUSAL = "keine Daten, die Sie bearbeiten"


def test_the_office_refers_an_account_of_two_alliances_to_the_platform_admins(
    client_as: Callable[[str], Client], erika: User, other_alliance
) -> None:
    MembershipFactory(user=erika, alliance=other_alliance, role=Role.APPLICANT)
    office = client_as("office")
    response = office.post(f"{BASE}auskunft/", {"person": "erika", "format": "html"})
    assert response.status_code == 400 and "Musterfrau" not in _text(response)
    assert REFUSAL in _text(response)
    erase = office.post(f"{BASE}loeschen/", {"person": "erika", "reason": "x", "confirmed": "1"})
    assert erase.status_code == 400 and REFUSAL in _text(erase)
    assert User.objects.get(pk=erika.pk).is_active
    admin = Client()
    admin.force_login(
        UserFactory(username="root", platform_role="admin", is_staff=True, is_superuser=True)
    )
    assert admin.post(f"{BASE}auskunft/", {"person": "erika"}).status_code == 200


def test_unknown_people_and_missing_reasons_are_said_in_german(
    client_as: Callable[[str], Client],
) -> None:
    office = client_as("office")
    nobody = office.post(f"{BASE}auskunft/", {"person": "niemand"})
    assert nobody.status_code == 400 and REFUSAL in _text(nobody)
    address = office.post(f"{BASE}auskunft/", {"person": "fremd@example.org"})
    assert address.status_code == 400 and REFUSAL in _text(address)
    no_reason = office.post(f"{BASE}loeschen/", {"person": "office", "reason": ""})
    assert no_reason.status_code == 400


def test_after_the_erasure_the_person_is_a_pseudonym_everywhere(
    client_as: Callable[[str], Client], erika: User
) -> None:
    office = client_as("office")
    erika_client = Client()
    erika_client.force_login(erika)
    assert "Musterfrau" in _text(office.get("/son/intern/kontakte/"))
    response = office.post(
        f"{BASE}loeschen/",
        {"person": "erika", "reason": "Verlangen vom 05.06.2025", "confirmed": "1"},
    )
    assert response.status_code == 302 and response["Location"] == BASE
    assert f"geloescht-{erika.pk}" in _text(office.get(BASE))
    # No login: neither the old session nor the old password.
    assert erika_client.get("/son/intern/").status_code == 302
    login = Client().post("/konto/anmelden/", {"username": "erika", "password": "geheim-genug-123"})
    assert login.status_code != 302
    # Pages that showed the name show the pseudonym.
    contacts = _text(office.get("/son/intern/kontakte/"))
    assert "Musterfrau" not in contacts and "Gelöschte Person" in contacts
    # The audit trail still renders, with the erasure and without the name.
    admin = client_as("admin")
    listing = admin.get("/admin/core/auditentry/")
    assert listing.status_code == 200 and "Musterfrau" not in _text(listing)
    entry = AuditEntry.objects.get(action="privacy.erase")
    detail = admin.get(f"/admin/core/auditentry/{entry.pk}/change/")
    assert detail.status_code == 200 and "Gelöschte Person" in _text(detail)
    assert "erika@example.org" not in json.dumps(entry.changes) + entry.comment


def test_an_account_elsewhere_and_no_account_at_all_answer_alike(
    client_as: Callable[[str], Client], other_alliance
) -> None:
    """The office learns nothing about accounts of other alliances: same status, same words."""
    stranger = UserFactory(username="fremd", email="fremd@example.org")
    MembershipFactory(user=stranger, alliance=other_alliance, role=Role.STEERING)
    office = client_as("office")
    for url, extra in ((f"{BASE}auskunft/", {}), (f"{BASE}loeschen/", {"reason": "x"})):
        answers = [
            office.post(url, {"person": person, **extra})
            for person in ("fremd", "fremd@example.org", "niemand", "niemand@example.org")
        ]
        assert {a.status_code for a in answers} == {400}, url
        assert all(REFUSAL in _text(a) for a in answers), url


def test_the_confirmation_counts_what_the_erasure_changes(
    client_as: Callable[[str], Client], erika: User
) -> None:
    """Not the export's sections: the roles stay, so they are not counted; the person record is."""
    step = client_as("office").post(f"{BASE}loeschen/", {"person": "erika", "reason": "x"})
    text = _text(step)
    assert step.status_code == 200 and "Was die Löschung ändert" in text
    assert "Personen" in text and "Rollen im Bündnis" not in text
    assert User.objects.get(pk=erika.pk).username == "erika"
