"""The office answers a request for information and then for erasure, in the real browser."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from buendnis.accounts.models import Role, User

from ..factories import AllianceStructure, MembershipFactory, UserFactory
from .conftest import assert_accessible, log_in, screenshot

pytestmark = pytest.mark.browser


def test_the_office_exports_and_then_erases_a_persons_data(
    new_page: Callable[..., Any],
    site: AllianceStructure,
    make_persona: Callable[[str], User | None],
) -> None:
    make_persona("office")
    erika = UserFactory(
        username="erika", email="erika@example.org", first_name="Erika", last_name="Muster"
    )
    MembershipFactory(user=erika, alliance=site.alliance, role=Role.STEERING)
    page = new_page()
    log_in(page, "office", "/son/intern/datenschutz/")
    expect(page.locator("h1")).to_have_text("Datenschutz: Auskunft und Löschung")
    assert_accessible(page)

    page.get_by_role("link", name="Auskunft über die Daten einer Person").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Benutzername oder E-Mail-Adresse").fill("erika@example.org")
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Erika")
    expect(page.locator("main")).to_contain_text("erika@example.org")
    assert_accessible(page)
    screenshot(page, "desktop-privacy-export")

    page.goto("/son/intern/datenschutz/loeschen/")
    page.get_by_label("Benutzername oder E-Mail-Adresse").fill("erika")
    page.get_by_role("button", name="Weiter: prüfen, was gelöscht wird").click()
    page.wait_for_load_state()
    # Without a reason nothing goes on, and what was typed stays.
    expect(page.locator("main")).to_contain_text("Grund")
    expect(page.get_by_label("Benutzername oder E-Mail-Adresse")).to_have_value("erika")
    page.get_by_label("Grund der Löschung").fill("Verlangen vom 01.12.2026 (Art. 17 DSGVO)")
    page.get_by_role("button", name="Weiter: prüfen, was gelöscht wird").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Löschung bestätigen")
    assert_accessible(page)
    screenshot(page, "desktop-privacy-erase-confirm")
    page.get_by_role("button", name="Endgültig löschen").click()
    page.wait_for_load_state()

    erika.refresh_from_db()
    assert (erika.username, erika.email, erika.is_active) == (f"geloescht-{erika.pk}", "", False)
    expect(page.locator(".messages")).to_be_visible()
