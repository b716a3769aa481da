"""The whole procedure in the real browser, as the people who take its steps.

The applicant works in the applicant portal, the office in its workspace (it records the bodies'
outcomes until meetings exist), each in a browser context of their own, logged in through the real
login form. One project goes from the idea to the closed project; a second one is sent back for
revision, deferred, resumed and rejected. After every step the page shows the new state, and the
budget dashboard shows the money the procedure booked.

Amounts (phase of `build_alliance_structure`: virtual budget 2.000.000,00 €, rate 70 %): costs
200.000,00 €, requested grant 140.000,00 € (the most the rate allows), co-financing 40.000,00 €
(Stadt) + 20.000,00 € (a foundation). The bank grants 120.000,00 €; the final account is
180.000,00 € costs and 110.000,00 € grant.
"""

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from buendnis.accounts.models import Role, User

from ..factories import PDF_BYTES, AllianceStructure, MembershipFactory, UserFactory
from .conftest import PageProblems, assert_accessible, log_in, screenshot

pytestmark = pytest.mark.browser

PORTAL = "/son/vorhaben/"
BOARD = "/son/intern/vorhaben/"
BUDGET = "/son/intern/budget/"


@pytest.fixture
def applicant(site: AllianceStructure) -> User:
    """Erika works for the Stadt Braunschweig and holds the applicant role for it."""
    user = UserFactory(username="erika", first_name="Erika", last_name="Antrag")
    MembershipFactory(
        user=user,
        alliance=site.alliance,
        role=Role.APPLICANT,
        organisation=site.organisations["city"],
    )
    return user


@pytest.fixture
def pdf(tmp_path: Path) -> Callable[[str], Path]:
    """A small valid PDF written to disk, as a person would pick it in the file dialogue."""

    def write(name: str) -> Path:
        path = tmp_path / name
        path.write_bytes(PDF_BYTES)
        return path

    return write


# --- What the pages show --------------------------------------------------------------------------


def applicant_sees(page: Any, label: str) -> None:
    """The public label of the state in the applicant portal's project header."""
    expect(page.locator(".project-meta .badge")).to_have_text(label)


def office_sees(page: Any, label: str) -> None:
    """The internal label of the state in the office workspace's project header."""
    expect(page.locator(".project-status .badge")).to_have_text(label)


def flash(page: Any, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)


BUDGET_ROWS = {
    "budget": "Virtuelles Budget",
    "paid": "Ausgezahlt",
    "committed": "Gebunden (bewilligt)",
    "reserved": "Reserviert (Votum)",
    "available": "Verfügbar",
}


def budget_cell(page: Any, key: str) -> Any:
    """The amount cell of one row of the dashboard's figures table."""
    row = page.locator("#budget-zahlen tbody tr").filter(
        has=page.get_by_role("rowheader", name=BUDGET_ROWS[key])
    )
    return row.locator("td").first


def dashboard_shows(page: Any, **figures: str) -> None:
    """Open the budget dashboard and compare the named figures, in German notation."""
    page.goto(BUDGET)
    expect(page.locator("h1")).to_contain_text("Budget")
    for key, amount in figures.items():
        expect(budget_cell(page, key)).to_have_text(amount)


def dashboard_figures(page: Any) -> dict[str, str]:
    page.goto(BUDGET)
    return {key: budget_cell(page, key).inner_text().strip() for key in BUDGET_ROWS}


def log_in_both(new_page: Callable[..., Any]) -> tuple[Any, Any]:
    """The applicant and the office, each in a browser context of their own."""
    erika = new_page()
    log_in(erika, "erika", PORTAL)
    expect(erika).to_have_url(re.compile(f"{PORTAL}$"))
    expect(erika.locator("h1")).to_have_text("Meine Vorhaben")
    office = new_page()
    log_in(office, "office", BOARD)
    expect(office).to_have_url(re.compile(f"{BOARD}$"))
    expect(office.locator("h1")).to_have_text("Vorhaben im Verfahren")
    return erika, office


# --- The steps -----------------------------------------------------------------------------------


def create_project(page: Any, site: AllianceStructure, title: str) -> str:
    """The applicant creates the project and completes its data; returns its reference."""
    page.goto(PORTAL)
    page.get_by_role("link", name="Neues Vorhaben anlegen").click()
    expect(page.locator("h1")).to_have_text("Neues Vorhaben")
    page.get_by_label("Titel").fill(title)
    page.get_by_label("Kurzbeschreibung").fill(
        "Ein Anlaufpunkt für internationale Fachkräfte und die Betriebe der Region."
    )
    page.get_by_label("Handlungsfeld").select_option(label="Beratungsinfrastruktur")
    page.get_by_label("Förderschwerpunkt").select_option(label="Strukturprojekt")
    page.get_by_role("button", name="Vorhaben anlegen").click()
    expect(page).to_have_url(re.compile(r"/son/vorhaben/SON-\d{4}-\d{3}/$"))
    flash(page, "ist angelegt")
    applicant_sees(page, "In Vorbereitung")
    reference = page.url.rstrip("/").rsplit("/", 1)[-1]

    page.get_by_role("link", name="Angaben bearbeiten").click()
    expect(page.locator("h1")).to_have_text("Angaben bearbeiten")
    page.get_by_label("Ziele").fill("Fachkräfte gewinnen und in der Region halten.")
    page.get_by_label("Zielgruppe").fill("Internationale Fachkräfte und KMU")
    page.get_by_label("Betriebe zur Beschäftigung Geflüchteter beraten").check()
    page.get_by_label("Laufzeit ab").fill(site.phase.starts_on.isoformat())
    page.get_by_label("Laufzeit bis").fill(site.phase.ends_on.isoformat())
    page.get_by_label("Förderfähige Gesamtkosten (€)").fill("200.000,00")
    page.get_by_label("Beantragter Zuschuss (€)").fill("140.000,00")
    first = page.get_by_role("group", name="Anteil 1")
    first.get_by_label("Organisation im Bündnis").select_option(label="Stadt Braunschweig")
    first.get_by_label("Betrag (€)").fill("40.000,00")
    second = page.get_by_role("group", name="Anteil 2")
    second.get_by_label("oder anderer Geldgeber").fill("Bürgerstiftung Braunschweig")
    second.get_by_label("Betrag (€)").fill("20.000")
    page.get_by_role("button", name="Speichern").click()
    flash(page, "Die Angaben zum Vorhaben sind gespeichert.")
    applicant_sees(page, "In Vorbereitung")
    costs = page.locator("section[aria-labelledby=kosten]")
    expect(costs).to_contain_text("200.000,00 €")
    expect(costs).to_contain_text("140.000,00 €")
    expect(costs).to_contain_text("Bürgerstiftung Braunschweig: 20.000,00 €")
    expect(costs).not_to_contain_text("entspricht nicht den Gesamtkosten")
    expect(page.locator("#fehlt-noch")).to_have_count(0)
    return reference


def open_in_office(page: Any, reference: str, label: str) -> None:
    page.goto(f"{BOARD}{reference}/")
    office_sees(page, label)


def record_consultation(page: Any, reference: str) -> None:
    open_in_office(page, reference, "Idee")
    card = page.locator(".action-card", has_text="Beratung erfassen")
    card.get_by_label("Teilnehmende").fill("Geschäftsstelle (M. Lindner), Stadt (E. Antrag)")
    card.get_by_label("Notizen").fill("Kofinanzierung durch die Stadt besprochen.")
    card.get_by_role("button", name="Beratung erfassen").click()
    flash(page, "ist erfasst. Stand: Beratung")
    office_sees(page, "Beratung")


def submit_upload(page: Any, reference: str, link: str, label: str, file: Path) -> None:
    """The applicant's upload steps (sketch, description, revision) from the project page."""
    page.goto(f"{PORTAL}{reference}/")
    page.get_by_role("link", name=link).click()
    expect(page.locator("h1")).to_have_text(link)
    page.get_by_label(label).set_input_files(file)
    page.get_by_role("button", name="Hochladen und einreichen").click()
    expect(page).to_have_url(re.compile(rf"{PORTAL}{reference}/$"))


def forward(page: Any, reference: str, before: str, after: str) -> None:
    open_in_office(page, reference, before)
    page.get_by_role("button", name="An den Sprecherkreis weiterleiten").click()
    flash(page, f"Neuer Stand: {after}")
    office_sees(page, after)


def record_outcome(
    page: Any,
    body: str,
    outcome: str,
    after: str,
    *,
    reference: str = "",
    reasons: str = "",
) -> None:
    """The office records what the Sprecherkreis or Steuerkreis concluded; the page is the
    project's workspace, the body follows from the state."""
    card = page.locator(".action-card", has_text="Ergebnis des Gremiums erfassen")
    expect(card).to_contain_text(f"Gremium: {body}")
    card.get_by_label(outcome, exact=True).check()
    if reference:
        card.get_by_label("Fundstelle").fill(reference)
    if reasons:
        card.get_by_label("Begründung").fill(reasons)
    card.get_by_role("button", name="Ergebnis erfassen").click()
    flash(page, f"Das Ergebnis ist erfasst. Neuer Stand: {after}")
    office_sees(page, after)


# --- One project from the idea to the end -----------------------------------------------------


def test_project_from_idea_to_closed(
    new_page: Callable[..., Any],
    page_problems: PageProblems,
    site: AllianceStructure,
    applicant: User,
    make_persona: Callable[[str], User | None],
    pdf: Callable[[str], Path],
) -> None:
    make_persona("office")
    erika, office = log_in_both(new_page)

    # Nothing booked yet.
    dashboard_shows(
        office,
        budget="2.000.000,00 €",
        reserved="0,00 €",
        committed="0,00 €",
        paid="0,00 €",
        available="2.000.000,00 €",
    )

    # The idea, then the consultation the sketch needs.
    reference = create_project(erika, site, "Welcome Center Braunschweig")
    expect(erika.get_by_role("link", name="Kurzskizze einreichen")).to_have_count(0)
    record_consultation(office, reference)
    erika.goto(f"{PORTAL}{reference}/")
    applicant_sees(erika, "In Vorbereitung")
    expect(erika.locator("section[aria-labelledby=beratungen]")).to_contain_text(
        "Geschäftsstelle (M. Lindner)"
    )

    # Stage 1: the sketch.
    submit_upload(erika, reference, "Kurzskizze einreichen", "Kurzskizze", pdf("kurzskizze.pdf"))
    flash(erika, "Die Kurzskizze ist eingereicht.")
    applicant_sees(erika, "Kurzskizze in Beratung")
    expect(erika.get_by_role("link", name="Version 1")).to_be_visible()

    forward(office, reference, "Kurzskizze eingereicht", "Kurzskizze im Sprecherkreis")
    office.reload()  # axe on the page as the office finds it, without the message
    assert_accessible(office)
    screenshot(office, "journey-office-sketch-speakers")
    record_outcome(
        office,
        "Sprecherkreis",
        "befürwortet",
        "Kurzskizze im Steuerkreis",
        reference="Sprecherkreis 1/2026, TOP 2",
    )
    record_outcome(
        office,
        "Steuerkreis",
        "befürwortet",
        "Projektbeschreibung angefordert",
        reference="Steuerkreis 1/2026, TOP 5",
    )
    expect(office.locator("section[aria-labelledby=ergebnisse]")).to_contain_text(
        "Steuerkreis 1/2026, TOP 5"
    )

    # Stage 2: the description.
    erika.goto(f"{PORTAL}{reference}/")
    applicant_sees(erika, "Projektbeschreibung in Arbeit")
    submit_upload(
        erika,
        reference,
        "Projektbeschreibung einreichen",
        "Projektbeschreibung",
        pdf("projektbeschreibung.pdf"),
    )
    flash(erika, "Die Projektbeschreibung ist eingereicht.")
    applicant_sees(erika, "Projektbeschreibung in Beratung")
    erika.reload()
    assert_accessible(erika)
    screenshot(erika, "journey-applicant-description-submitted")

    forward(
        office, reference, "Projektbeschreibung eingereicht", "Projektbeschreibung im Sprecherkreis"
    )
    record_outcome(
        office,
        "Sprecherkreis",
        "befürwortet",
        "Projektbeschreibung im Steuerkreis",
        reference="Sprecherkreis 2/2026, TOP 1",
    )
    record_outcome(
        office,
        "Steuerkreis",
        "befürwortet",
        "Votum erteilt",
        reference="Steuerkreis 2/2026, TOP 3",
    )
    held = office.locator("dl[aria-labelledby=budget-vorhaben]")
    expect(held).to_contain_text("140.000,00 €")
    screenshot(office, "journey-office-endorsed")

    # The Votum reserved the requested grant.
    dashboard_shows(
        office,
        reserved="140.000,00 €",
        committed="0,00 €",
        paid="0,00 €",
        available="1.860.000,00 €",
    )
    expect(
        office.locator("#feld-zahlen tbody tr").filter(has_text="Beratungsinfrastruktur")
    ).to_contain_text("140.000,00 €")

    # The Stellungnahme for the funding bank, through the workspace's link.
    office.goto(f"{BOARD}{reference}/")
    link = office.get_by_role("link", name=re.compile("Stellungnahme"))
    href = link.get_attribute("href")
    assert href == f"{BOARD}{reference}/stellungnahme.pdf"
    response = office.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    # The applicant files the formal application with the funding bank.
    erika.goto(f"{PORTAL}{reference}/")
    applicant_sees(erika, "Vom Bündnis befürwortet")
    erika.get_by_role("link", name="Förderantrag vermerken").click()
    expect(erika.locator("h1")).to_have_text("Förderantrag vermerken")
    erika.get_by_label("Aktenzeichen der Förderbank").fill("NBank 2026-0815")
    erika.get_by_role("button", name="Förderantrag vermerken").click()
    flash(erika, "Der Förderantrag ist vermerkt.")
    applicant_sees(erika, "Förderantrag gestellt")
    expect(erika.locator("section[aria-labelledby=angaben]")).to_contain_text("NBank 2026-0815")

    # The bank grants less than requested: the commitment holds the granted amount, the
    # difference goes back to the budget.
    open_in_office(office, reference, "Förderantrag gestellt")
    card = office.locator(".action-card", has_text="Entscheidung der Förderbank erfassen")
    card.get_by_label("Bewilligt", exact=True).check()
    card.get_by_label("Bewilligter Zuschuss (€)").fill("120.000,00")
    card.get_by_role("button", name="Entscheidung erfassen").click()
    flash(office, "Neuer Stand: Bewilligt")
    office_sees(office, "Bewilligt")
    dashboard_shows(
        office,
        reserved="0,00 €",
        committed="120.000,00 €",
        paid="0,00 €",
        available="1.880.000,00 €",
    )
    expect(
        office.locator("section[aria-labelledby=buchungen] tbody tr").filter(
            has_text="Differenz zwischen Votum und Bewilligung"
        )
    ).to_contain_text("-20.000,00 €")
    erika.goto(f"{PORTAL}{reference}/")
    applicant_sees(erika, "Bewilligt")
    expect(erika.locator("section[aria-labelledby=angaben]")).to_contain_text("120.000,00 €")

    # Start and close with the final account and the final report.
    open_in_office(office, reference, "Bewilligt")
    office.get_by_role("button", name="Projekt starten").click()
    flash(office, "Neuer Stand: In Umsetzung")
    office_sees(office, "In Umsetzung")
    card = office.locator(".action-card", has_text="Projekt abschließen")
    card.get_by_label("Abgerechnete förderfähige Kosten (€)").fill("180.000,00")
    card.get_by_label("Abgerechneter Zuschuss (€)").fill("110.000,00")
    card.get_by_label("Abschlussbericht").set_input_files(pdf("abschlussbericht.pdf"))
    card.get_by_label("Eintritte (Teilnehmende)").fill("42")
    card.get_by_role("button", name="Projekt abschließen").click()
    flash(office, "Neuer Stand: Abgeschlossen")
    office_sees(office, "Abgeschlossen")
    expect(office.locator("section[aria-labelledby=umsetzung]")).to_contain_text("110.000,00 €")
    expect(office.locator("section[aria-labelledby=dokumente]")).to_contain_text("Abschlussbericht")

    dashboard_shows(
        office,
        budget="2.000.000,00 €",
        reserved="0,00 €",
        committed="0,00 €",
        paid="110.000,00 €",
        available="1.890.000,00 €",
    )
    expect(
        office.locator("section[aria-labelledby=buchungen] tbody tr").filter(
            has_text="Nicht abgerufener Zuschuss"
        )
    ).to_contain_text("-10.000,00 €")
    screenshot(office, "journey-budget-closed")

    erika.goto(f"{PORTAL}{reference}/")
    applicant_sees(erika, "Abgeschlossen")
    expect(erika.locator("#naechster-schritt ~ p")).to_have_text(
        "Keiner: das Verfahren ist abgeschlossen."
    )
    screenshot(erika, "journey-applicant-closed")
    page_problems.check()


# --- Revision, deferral and rejection -----------------------------------------------------------


def test_project_through_revision_deferral_and_rejection(
    new_page: Callable[..., Any],
    page_problems: PageProblems,
    site: AllianceStructure,
    applicant: User,
    make_persona: Callable[[str], User | None],
    pdf: Callable[[str], Path],
) -> None:
    make_persona("office")
    erika, office = log_in_both(new_page)
    before = dashboard_figures(office)
    assert before["available"] == "2.000.000,00 €"

    reference = create_project(erika, site, "Stille Reserve aktivieren")
    record_consultation(office, reference)
    submit_upload(erika, reference, "Kurzskizze einreichen", "Kurzskizze", pdf("skizze-v1.pdf"))
    applicant_sees(erika, "Kurzskizze in Beratung")

    # The Sprecherkreis sends the sketch back, with reasons the applicant reads in the portal.
    reasons = "Bitte die Zielgruppe genauer beschreiben und die Kooperationspartner nennen."
    forward(office, reference, "Kurzskizze eingereicht", "Kurzskizze im Sprecherkreis")
    record_outcome(
        office,
        "Sprecherkreis",
        "zur Überarbeitung zurück",
        "Überarbeitung angefordert",
        reference="Sprecherkreis 1/2026, TOP 4",
        reasons=reasons,
    )

    erika.goto(f"{PORTAL}{reference}/")
    applicant_sees(erika, "In Überarbeitung")
    feedback = erika.locator(".notice", has=erika.locator("#rueckmeldung"))
    expect(feedback.locator("#rueckmeldung")).to_have_text(
        "Rückmeldung des Gremiums: Sprecherkreis"
    )
    expect(feedback).to_contain_text(reasons)
    expect(feedback).to_contain_text("Sprecherkreis 1/2026, TOP 4")
    assert_accessible(erika)
    screenshot(erika, "journey-applicant-revision")

    # A new version of the sketch goes back to the same stage.
    submit_upload(
        erika,
        reference,
        "Überarbeitung einreichen",
        "Überarbeitete Kurzskizze",
        pdf("skizze-v2.pdf"),
    )
    flash(erika, "Die überarbeitete Fassung ist eingereicht.")
    applicant_sees(erika, "Kurzskizze in Beratung")
    documents = erika.locator("section[aria-labelledby=dokumente]")
    expect(documents.get_by_role("link", name="Version 2")).to_be_visible()
    expect(documents.get_by_role("link", name="Version 1")).to_be_visible()
    expect(documents).to_contain_text("aktuell")

    open_in_office(office, reference, "Kurzskizze eingereicht")
    expect(office.locator("section[aria-labelledby=dokumente]")).to_contain_text("Fassung 2")
    forward(office, reference, "Kurzskizze eingereicht", "Kurzskizze im Sprecherkreis")
    record_outcome(office, "Sprecherkreis", "befürwortet", "Kurzskizze im Steuerkreis")

    # The Steuerkreis defers; the office puts it before the Steuerkreis again.
    record_outcome(
        office, "Steuerkreis", "vertagt", "Vertagt", reference="Steuerkreis 1/2026, TOP 7"
    )
    office.reload()
    assert_accessible(office)
    screenshot(office, "journey-office-deferred")
    erika.goto(f"{PORTAL}{reference}/")
    applicant_sees(erika, "Vertagt")

    office.get_by_role("button", name="Wieder vorlegen").click()
    flash(office, "Neuer Stand: Kurzskizze im Steuerkreis")
    office_sees(office, "Kurzskizze im Steuerkreis")

    # The Steuerkreis rejects, with reasons.
    rejection = "Das Vorhaben passt nicht zu den Themen der Förderphase."
    record_outcome(
        office,
        "Steuerkreis",
        "nicht befürwortet",
        "Abgelehnt",
        reference="Steuerkreis 2/2026, TOP 2",
        reasons=rejection,
    )
    expect(office.locator("#schritte")).to_contain_text("ist kein weiterer Schritt möglich")

    erika.goto(f"{PORTAL}{reference}/")
    applicant_sees(erika, "Nicht befürwortet")
    feedback = erika.locator(".notice", has=erika.locator("#rueckmeldung"))
    expect(feedback.locator("#rueckmeldung")).to_have_text("Rückmeldung des Gremiums: Steuerkreis")
    expect(feedback).to_contain_text(rejection)
    expect(erika.locator("section[aria-labelledby=rueckmeldungen]")).to_contain_text(reasons)
    expect(erika.locator("#naechster-schritt ~ p")).to_have_text(
        "Keiner: das Verfahren ist abgeschlossen."
    )
    screenshot(erika, "journey-applicant-rejected")

    # Nothing reached the budget.
    assert dashboard_figures(office) == before
    expect(office.locator("section[aria-labelledby=buchungen]")).to_contain_text(
        "In dieser Förderphase wurde noch nichts gebucht."
    )
    page_problems.check()
