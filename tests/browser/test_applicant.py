"""The applicant portal in the real browser: log in, create a project, edit it, upload the sketch
after the office recorded a consultation — and axe on every applicant page, also on a phone."""

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from buendnis.accounts.models import Role, User
from buendnis.funding import services
from buendnis.funding.models import Project, ProjectDocument
from buendnis.funding.states import Status

from ..factories import (
    AllianceStructure,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
    advance,
)
from .conftest import PageProblems, assert_accessible, log_in, screenshot

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def applicant(site: AllianceStructure) -> User:
    user = UserFactory(username="erika", first_name="Erika", last_name="Antrag")
    MembershipFactory(
        user=user,
        alliance=site.alliance,
        role=Role.APPLICANT,
        organisation=site.organisations["city"],
    )
    return user


def _fits(page: Any, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, (page.url, scroll)


def test_applicant_creates_edits_and_submits_a_sketch(
    new_page: Callable[..., Any],
    page_problems: PageProblems,
    site: AllianceStructure,
    applicant: User,
    make_persona: Callable[[str], User | None],
) -> None:
    office = make_persona("office")
    page = new_page()
    log_in(page, "erika", "/son/vorhaben/")
    assert page.url.endswith("/son/vorhaben/")
    assert page.locator("h1").inner_text() == "Meine Vorhaben"
    assert page.locator(".internal-nav a[aria-current=page]").inner_text() == "Meine Vorhaben"
    assert_accessible(page)
    screenshot(page, "desktop-applicant-list-empty")

    # Create.
    page.get_by_role("link", name="Neues Vorhaben anlegen").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Neues Vorhaben"
    assert_accessible(page)
    page.get_by_role("button", name="Vorhaben anlegen").click()  # empty: the error summary
    page.wait_for_load_state()
    assert page.locator(".error-summary").is_visible()
    assert_accessible(page)
    screenshot(page, "desktop-applicant-create-errors")
    page.get_by_label("Titel").fill("Welcome Center Braunschweig")
    page.get_by_label("Kurzbeschreibung").fill("Ein Anlaufpunkt für internationale Fachkräfte.")
    page.get_by_label("Handlungsfeld").select_option(label="Beratungsinfrastruktur")
    page.get_by_label("Förderschwerpunkt").select_option(label="Strukturprojekt")
    page.get_by_role("button", name="Vorhaben anlegen").click()
    page.wait_for_load_state()
    project = Project.objects.get(title="Welcome Center Braunschweig")
    assert page.url.endswith(f"/son/vorhaben/{project.reference}/")
    assert "ist angelegt" in page.locator(".messages").inner_text()
    assert page.locator(".project-meta .badge").inner_text() == "In Vorbereitung"
    screenshot(page, "desktop-applicant-detail-new")
    assert_accessible(page)  # with the message shown

    # Edit: the rest of the data, a topic and two co-financing shares.
    page.get_by_role("link", name="Angaben bearbeiten").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Ziele").fill("Fachkräfte gewinnen und halten.")
    page.get_by_label("Zielgruppe").fill("Internationale Fachkräfte und KMU")
    page.get_by_label("Betriebe zur Beschäftigung Geflüchteter beraten").check()
    page.get_by_label("Laufzeit ab").fill(site.phase.starts_on.isoformat())
    page.get_by_label("Laufzeit bis").fill(site.phase.ends_on.isoformat())
    page.get_by_label("Förderfähige Gesamtkosten (€)").fill("100.000,00")
    page.locator("#id_kofi-0-organisation").select_option(label="Stadt Braunschweig")
    page.locator("#id_kofi-0-amount").fill("20.000")
    page.locator("#id_kofi-1-name").fill("Volkswagen Stiftung")
    page.locator("#id_kofi-1-amount").fill("10000,00")
    screenshot(page, "desktop-applicant-edit")
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_load_state()
    assert "gespeichert" in page.locator(".messages").inner_text()
    costs = page.locator("#kosten").locator("..").inner_text()
    assert "70.000,00 €" in costs  # proposed grant: 70 % of the costs
    assert "Volkswagen Stiftung" in costs
    assert page.locator("#fehlt-noch").count() == 0
    assert_accessible(page)  # with the message shown

    # The sketch: first only the explanation, after the consultation the upload.
    page.get_by_role("link", name="Beratung anfragen").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.goto(f"/son/vorhaben/{project.reference}/kurzskizze/")
    assert page.get_by_role("heading", name="Zuerst eine Beratung").is_visible()
    assert_accessible(page)
    services.consultation_record(
        actor=office, project=project, held_on=timezone.localdate(), participants="GS, Stadt"
    )
    page.goto(f"/son/vorhaben/{project.reference}/")
    page.get_by_role("link", name="Kurzskizze einreichen").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Hochladen und einreichen").click()  # no file: German error
    page.wait_for_load_state()
    assert "Dieses Feld ist zwingend erforderlich." in page.locator(".error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Kurzskizze").set_input_files(
        files=[{"name": "kurzskizze.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    screenshot(page, "desktop-applicant-sketch")
    page.get_by_role("button", name="Hochladen und einreichen").click()
    page.wait_for_load_state()
    assert "Kurzskizze ist eingereicht" in page.locator(".messages").inner_text()
    assert page.locator(".project-meta .badge").inner_text() == "Kurzskizze in Beratung"
    assert ProjectDocument.objects.filter(project=project, kind="sketch").count() == 1
    assert page.get_by_role("link", name="Version 1").is_visible()
    # Created; consulted ("In Vorbereitung"); sketch submitted ("Kurzskizze in Beratung").
    assert page.locator(".timeline li").count() == 3
    screenshot(page, "desktop-applicant-detail-submitted")
    assert_accessible(page)  # with the message shown

    page.goto("/son/vorhaben/")
    assert "Abwarten" in page.locator("table").inner_text()
    assert_accessible(page)
    screenshot(page, "desktop-applicant-list")
    page_problems.check()


def test_every_applicant_page_is_accessible(
    new_page: Callable[..., Any],
    page_problems: PageProblems,
    site: AllianceStructure,
    applicant: User,
) -> None:
    """The pages the walk above does not reach: each step page in and out of turn, the locked
    edit page, withdrawal with its confirmation, the registration, a 403, and a phone's width."""
    owner = site.organisations["city"]
    revised = advance(
        ProjectFactory(phase=site.phase, applicant_organisation=owner, title="Zurückgegeben"),
        Status.REVISION_REQUESTED,
    )
    described = advance(
        ProjectFactory(phase=site.phase, applicant_organisation=owner, title="Beschreibung fällig"),
        Status.DESCRIPTION_REQUESTED,
    )
    endorsed = advance(
        ProjectFactory(phase=site.phase, applicant_organisation=owner, title="Befürwortet"),
        Status.ENDORSED,
    )
    foreign = ProjectFactory(phase=site.phase, applicant_organisation=site.organisations["union"])
    pages = [
        ("revision", f"/son/vorhaben/{revised.reference}/ueberarbeitung/"),
        ("revision-detail", f"/son/vorhaben/{revised.reference}/"),
        ("description", f"/son/vorhaben/{described.reference}/beschreibung/"),
        ("application", f"/son/vorhaben/{endorsed.reference}/antrag-gestellt/"),
        ("locked", f"/son/vorhaben/{endorsed.reference}/bearbeiten/"),
        ("out-of-turn", f"/son/vorhaben/{endorsed.reference}/kurzskizze/"),
        ("consultation", f"/son/vorhaben/{endorsed.reference}/beratung/"),
        ("withdraw", f"/son/vorhaben/{endorsed.reference}/zurueckziehen/"),
        ("forbidden", f"/son/vorhaben/{foreign.reference}/"),
    ]
    page = new_page()
    log_in(page, "erika", "/son/vorhaben/")
    for name, url in pages:
        response = page.goto(url)
        assert response.status == (403 if name == "forbidden" else 200), url
        assert_accessible(page)
        screenshot(page, f"desktop-applicant-{name}")

    # Withdrawal: reason, then the confirmation step.
    page.goto(f"/son/vorhaben/{endorsed.reference}/zurueckziehen/")
    page.get_by_label("Grund für den Rückzug").fill("Die Finanzierung ist weggefallen.")
    page.get_by_role("button", name="Weiter").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Wirklich zurückziehen?"
    assert_accessible(page)
    screenshot(page, "desktop-applicant-withdraw-confirm")
    page.get_by_role("button", name="Ja, Vorhaben zurückziehen").click()
    page.wait_for_load_state()
    assert page.locator(".project-meta .badge").inner_text() == "Zurückgezogen"
    assert_accessible(page)  # with the message shown

    # On a phone nothing runs sideways.
    phone = new_page(width=320, height=640)
    log_in(phone, "erika", "/son/vorhaben/")
    for url in (
        "/son/vorhaben/",
        f"/son/vorhaben/{revised.reference}/",
        f"/son/vorhaben/{revised.reference}/bearbeiten/",
        f"/son/vorhaben/{revised.reference}/ueberarbeitung/",
    ):
        phone.goto(url)
        _fits(phone, 320)
        assert_accessible(phone)
        screenshot(phone, "mobile-applicant-" + (url.strip("/").split("/")[-1]))
    page_problems.check()


def test_registration_pages_are_accessible(
    new_page: Callable[..., Any], page_problems: PageProblems, site: AllianceStructure
) -> None:
    page = new_page()
    page.goto("/konto/registrieren/?buendnis=son")
    assert page.locator("h1").inner_text() == "Als Projektträger registrieren"
    assert_accessible(page)
    page.get_by_role("button", name="Registrieren").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").is_visible()
    assert_accessible(page)
    screenshot(page, "desktop-register-errors")
    page.get_by_label("Vorname").fill("Ali")
    page.get_by_label("Nachname").fill("Neu")
    page.get_by_label("E-Mail-Adresse").fill("ali@example.org")
    page.locator("#id_password1").fill("Fachkraefte-2024!")
    page.locator("#id_password2").fill("Fachkraefte-2024!")
    page.locator("#id_organisation").select_option(label="Stadt Braunschweig")
    page.get_by_role("button", name="Registrieren").click()
    page.wait_for_load_state()
    assert page.url.endswith("/konto/registrieren/gesendet/")
    assert_accessible(page)
    screenshot(page, "desktop-register-done")
    page.goto("/konto/bestaetigen/xx/kaputt/")
    assert_accessible(page)
    page_problems.check()
