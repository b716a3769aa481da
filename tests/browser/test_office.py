"""The office workspace in the real browser: the board, a project, steps through the real forms."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from buendnis.accounts.models import User
from buendnis.budget.selectors import project_balance
from buendnis.funding.models import Project
from buendnis.funding.states import Status

from ..factories import AllianceStructure, project_in_state
from .conftest import PageProblems, assert_accessible, log_in, screenshot

pytestmark = pytest.mark.browser

BOARD = "/son/intern/vorhaben/"


@pytest.fixture
def projects(site: AllianceStructure) -> dict[str, Project]:
    orgs = site.organisations
    return {
        "idea": project_in_state(
            site, Status.IDEA, title="Zweitbewerber-Börse", applicant_organisation=orgs["ihk"]
        ),
        "submitted": project_in_state(
            site,
            Status.SKETCH_SUBMITTED,
            title="Stille Reserve",
            applicant_organisation=orgs["agency"],
        ),
        "speakers": project_in_state(
            site,
            Status.DESCRIPTION_SPEAKERS,
            title="Welcome Center",
            applicant_organisation=orgs["city"],
        ),
        "steering": project_in_state(
            site,
            Status.DESCRIPTION_STEERING,
            title="AWO-Praktikumsbörse für Migrantinnen und Migranten",
            applicant_organisation=orgs["host"],
        ),
        "running": project_in_state(
            site,
            Status.RUNNING,
            title="Digitales Lernen im Handwerk",
            applicant_organisation=orgs["hwk"],
        ),
    }


def no_horizontal_scroll(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_office_works_the_pipeline(
    new_page: Callable[..., Any],
    page_problems: PageProblems,
    projects: dict[str, Project],
    make_persona: Callable[[str], User | None],
) -> None:
    make_persona("office")
    page = new_page()
    log_in(page, "office", BOARD)
    assert page.url.endswith(BOARD)
    expect(page.locator("h1")).to_have_text("Vorhaben im Verfahren")
    expect(page.locator(".internal-nav a[aria-current=page]")).to_have_text("Vorhaben")
    expect(page.locator(".waiting-speakers")).to_contain_text("Welcome Center")
    expect(page.locator(".waiting-steering")).to_contain_text("AWO-Praktikumsbörse")
    assert_accessible(page)
    screenshot(page, "desktop-office-pipeline")

    # The board's one-click step: forward the submitted sketch, back on the board.
    page.get_by_role("button", name="An den Sprecherkreis weiterleiten (Stille Reserve)").click()
    page.wait_for_load_state()
    assert page.url.endswith(BOARD)
    expect(page.locator(".messages")).to_contain_text("Neuer Stand: Kurzskizze im Sprecherkreis")
    expect(page.locator(".waiting-speakers")).to_contain_text("Stille Reserve")

    # Filter by state through the real form.
    page.select_option("#id_status", Status.DESCRIPTION_SPEAKERS.value)
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_load_state()
    expect(page.locator(".result-count")).to_have_text("1 Vorhaben gefunden")
    expect(page.locator("table.pipeline-table tbody tr")).to_have_count(1)
    screenshot(page, "desktop-office-pipeline-filtered")

    # The project's workspace, and the Sprecherkreis' recommendation through its form.
    page.locator("table.pipeline-table").get_by_role(
        "link", name="Welcome Center", exact=True
    ).click()
    page.wait_for_load_state()
    project = projects["speakers"]
    assert page.url.endswith(f"{BOARD}{project.reference}/")
    expect(page.locator(".project-status .badge")).to_have_text(
        "Projektbeschreibung im Sprecherkreis"
    )
    assert_accessible(page)
    screenshot(page, "desktop-office-project")

    card = page.locator(".action-card", has_text="Ergebnis des Gremiums erfassen")
    expect(card).to_contain_text("Sprecherkreis")
    card.get_by_label("befürwortet", exact=True).check()
    card.get_by_label("Fundstelle").fill("Sprecherkreis 2/2026, TOP 3")
    card.get_by_role("button", name="Ergebnis erfassen").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"{BOARD}{project.reference}/")
    expect(page.locator(".messages")).to_contain_text(
        "Neuer Stand: Projektbeschreibung im Steuerkreis"
    )
    expect(page.locator(".project-status .badge")).to_have_text(
        "Projektbeschreibung im Steuerkreis"
    )
    expect(page.locator("#ergebnisse").locator("xpath=..")).to_contain_text(
        "Sprecherkreis 2/2026, TOP 3"
    )
    screenshot(page, "desktop-office-project-message")
    # axe runs on the page without the flash message: includes/messages.html puts role="status"
    # on the <ul>, which takes the list role from its items (axe "listitem", reported upstream).
    page.reload()
    assert_accessible(page)
    screenshot(page, "desktop-office-project-after-step")

    # The Steuerkreis' Votum reserves the grant in the budget.
    card = page.locator(".action-card", has_text="Ergebnis des Gremiums erfassen")
    expect(card).to_contain_text("Steuerkreis")
    card.get_by_label("befürwortet", exact=True).check()
    card.get_by_role("button", name="Ergebnis erfassen").click()
    page.wait_for_load_state()
    expect(page.locator(".project-status .badge")).to_have_text("Votum erteilt")
    assert project_balance(project.pk).reserved == project.requested_grant

    # A refused step: the withdrawal needs a reason; the disclosure stays open with the message.
    page.locator(".action-card-danger summary").click()
    page.get_by_role("button", name="Endgültig zurückziehen").click()
    page.wait_for_load_state()
    expect(page.locator(".error-summary")).to_contain_text(
        "„Vorhaben zurückziehen“ wurde nicht ausgeführt"
    )
    expect(page.locator(".action-card-danger details")).to_have_attribute("open", "")
    assert Project.objects.get(pk=project.pk).status == Status.ENDORSED
    assert_accessible(page)
    screenshot(page, "desktop-office-project-refused")
    page_problems.check()


def test_readers_see_no_buttons(
    new_page: Callable[..., Any],
    page_problems: PageProblems,
    projects: dict[str, Project],
    make_persona: Callable[[str], User | None],
) -> None:
    make_persona("speaker")
    page = new_page()
    log_in(page, "speaker", f"{BOARD}{projects['steering'].reference}/")
    expect(page.locator("h1")).to_have_text("AWO-Praktikumsbörse für Migrantinnen und Migranten")
    expect(page.locator("form[action*='/aktion/']")).to_have_count(0)
    expect(page.locator("#schritte")).to_contain_text(
        "Schritte im Verfahren erfasst die Geschäftsstelle"
    )
    assert_accessible(page)
    page_problems.check()


@pytest.mark.parametrize("width", [320, 768])
def test_office_pages_on_small_screens(
    new_page: Callable[..., Any],
    page_problems: PageProblems,
    projects: dict[str, Project],
    make_persona: Callable[[str], User | None],
    width: int,
) -> None:
    make_persona("office")
    page = new_page(width=width, height=800)
    log_in(page, "office", BOARD)
    no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, f"w{width}-office-pipeline")
    page.goto(f"{BOARD}{projects['running'].reference}/")
    no_horizontal_scroll(page)
    assert_accessible(page)
    screenshot(page, f"w{width}-office-project")
    page_problems.check()


def test_office_follows_a_full_column_to_its_list(
    new_page: Callable[..., Any],
    page_problems: PageProblems,
    site: AllianceStructure,
    make_persona: Callable[[str], User | None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """More ideas than the board shows: the count, the link, the paged list and back."""
    from buendnis.portal import office_views

    from ..factories import ProjectFactory

    monkeypatch.setattr(office_views, "BOARD_CARDS", 2)
    monkeypatch.setattr(office_views, "LIST_PAGE_SIZE", 3)
    for number in range(5):
        ProjectFactory(phase=site.phase, title=f"Idee {number}")
    make_persona("office")
    page = new_page()
    log_in(page, "office", BOARD)
    section = page.locator("#stand-idea")
    expect(section.locator("tbody tr")).to_have_count(2)
    expect(section.locator("h2")).to_contain_text("(5)")
    expect(page.locator(".waiting-office .count-pill")).to_have_text("5")
    section.get_by_role("link", name="Alle 5 Vorhaben im Stand „Idee“ anzeigen").click()
    page.wait_for_load_state()
    assert "/son/intern/vorhaben/liste/?" in page.url and "status=idea" in page.url
    expect(page.locator(".result-count")).to_have_text("5 Vorhaben gefunden")
    expect(page.locator("table.pipeline-table tbody tr")).to_have_count(3)
    expect(page.locator("#id_status")).to_have_value("idea")
    assert_accessible(page)
    screenshot(page, "desktop-office-list")
    page.get_by_role("link", name="Nächste Seite").click()
    page.wait_for_load_state()
    expect(page.locator("table.pipeline-table tbody tr")).to_have_count(2)
    expect(page.locator(".pagination")).to_contain_text("Seite 2 von 2")
    page.get_by_role("link", name="Zurück zur Übersicht der Vorhaben").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Vorhaben im Verfahren")
    page_problems.check()
