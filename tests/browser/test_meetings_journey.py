"""Meetings in the real browser, as the office and the Steuerkreis members take their steps.

The office plans last year's meetings (decisions need a meeting that has taken place, so every
date lies in the past), prepares the fourth quarter's Sprecherkreis meeting from the projects
waiting for it, reorders the agenda with the keyboard and with the mouse, invites, records the
attendance and the Sprecherkreis' recommendations, which reach the Steuerkreis meeting it
prepares. The Steuerkreis gives a Votum (the budget reserves it), blocks a sketch by one
objection and decides on the city's own sketch without the city. The office closes the meeting,
edits the draft minutes and downloads them as PDF. Then an urgent sketch is decided in writing:
the members answer the Umlaufbeschluss for their organisations and the office evaluates it.

Every page a person works on is checked with axe and for CSP refusals and console errors.

Projects (phase of `build_alliance_structure`: virtual budget 2.000.000,00 €, rate 70 %): each
costs 200.000,00 € and requests 140.000,00 €, the most the rate allows.
"""

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from buendnis.accounts.models import Role, User
from buendnis.demo.clock import as_of, moment
from buendnis.funding.models import Project
from buendnis.funding.states import Status
from buendnis.meetings.models import Answer, Circulation
from buendnis.meetings.services import circulations

from ..factories import (
    AllianceStructure,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    project_in_state,
)
from .conftest import PageProblems, assert_accessible, log_in, screenshot

pytestmark = pytest.mark.browser

MEETINGS = "/son/intern/sitzungen/"
CIRCULATIONS = "/son/intern/umlaufbeschluesse/"
BOARD = "/son/intern/vorhaben/"
BUDGET = "/son/intern/budget/"
PUBLIC_MEETINGS = "/son/sitzungen/"

# The Steuerkreis' voting organisations of `build_alliance_structure` (the Amt advises, the host
# of the office has no seat).
VOTING = ["agency", "jobcenter", "city", "district", "union", "employers", "ihk", "hwk"]
OBJECTION = "Die Anschlussfinanzierung nach dem Ende der Förderung ist ungeklärt."


@pytest.fixture
def projects(site: AllianceStructure) -> dict[str, Project]:
    """Three projects waiting for the Sprecherkreis: a description whose Votum reserves the
    budget, a sketch of an outside association and a sketch of the city, which holds a vote in
    the Steuerkreis and so is recused on its own project. Walked at the start of last year:
    the bodies decide on them in last year's meetings, and no body decides on a project before
    it exists."""
    care = OrganisationFactory(
        alliance=site.alliance, group=site.groups["other"], name="Pflegenetz Braunschweig e. V."
    )
    with as_of(moment(date(timezone.localdate().year - 1, 1, 5)), restamp=False):
        return _waiting_projects(site, care)


def _waiting_projects(site: AllianceStructure, care: Any) -> dict[str, Project]:
    orgs = site.organisations
    return {
        "A": project_in_state(
            site,
            Status.DESCRIPTION_SPEAKERS,
            title="Welcome Center Braunschweig",
            applicant_organisation=orgs["host"],
        ),
        "B": project_in_state(
            site,
            Status.SKETCH_SPEAKERS,
            title="Pflegekräfte aus dem Ausland",
            applicant_organisation=care,
        ),
        "C": project_in_state(
            site,
            Status.SKETCH_SPEAKERS,
            title="Ausbildungslotsen im Quartier",
            applicant_organisation=orgs["city"],
        ),
    }


@pytest.fixture
def members(site: AllianceStructure) -> dict[str, User]:
    """One Steuerkreis member login per voting organisation, answering for it in circulations."""
    users = {}
    for key in VOTING:
        user = UserFactory(username=f"sk-{key}", first_name="Mitglied", last_name=key)
        MembershipFactory(
            user=user,
            alliance=site.alliance,
            role=Role.STEERING,
            organisation=site.organisations[key],
        )
        users[key] = user
    return users


# --- What the pages show --------------------------------------------------------------------------


def flash(page: Any, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)


def looks_right(page: Any, problems: PageProblems, name: str = "") -> None:
    """axe on the page as rendered, no CSP refusal or console error so far, a screenshot."""
    assert_accessible(page)
    problems.check()
    if name:
        screenshot(page, name)


def german(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def agenda_titles(page: Any) -> list[str]:
    return [
        text.strip() for text in page.locator("ol.agenda > li.agenda-item h3").all_inner_texts()
    ]


def agenda_item(page: Any, project: Project) -> Any:
    return page.locator("ol.agenda > li.agenda-item").filter(has_text=project.title)


def office_sees(page: Any, project: Project, label: str) -> None:
    """The internal label of the project's state in the office workspace."""
    page.goto(f"{BOARD}{project.reference}/")
    expect(page.locator(".project-status .badge")).to_have_text(label)
    project.refresh_from_db()


BUDGET_ROWS = {
    "reserved": "Reserviert (Votum)",
    "available": "Verfügbar",
}


def budget_cell(page: Any, key: str) -> Any:
    row = page.locator("#budget-zahlen tbody tr").filter(
        has=page.get_by_role("rowheader", name=BUDGET_ROWS[key])
    )
    return row.locator("td").first


def mark_presence(page: Any, organisation: str, presence: str) -> None:
    """One organisation's row of the attendance form (its legend carries the seat's badge)."""
    group = page.get_by_role("group", name=re.compile(rf"^{re.escape(organisation)}\b"))
    group.get_by_label(presence, exact=True).check()


# --- The steps -----------------------------------------------------------------------------------


def plan_last_year(page: Any, problems: PageProblems) -> date:
    """Plan last year through the form; returns the fourth quarter's Steuerkreis day."""
    year = timezone.localdate().year - 1
    page.goto(MEETINGS)
    expect(page.locator("h1")).to_have_text("Sitzungen von Steuerkreis und Sprecherkreis")
    expect(page.locator("#anstehend ~ p")).to_have_text("Keine Sitzung geplant.")
    page.get_by_role("link", name="Sitzungsjahr planen").click()
    page.get_by_label("Jahr", exact=True).fill(str(year))
    page.get_by_role("button", name="Termine vorschlagen").click()
    expect(page.locator("h1")).to_have_text(f"Sitzungsjahr {year} planen")
    proposed = [
        date.fromisoformat(page.get_by_label(f"Steuerkreis im {quarter}. Quartal").input_value())
        for quarter in range(1, 5)
    ]
    assert [day.year for day in proposed] == [year] * 4
    assert [(day.month - 1) // 3 for day in proposed] == [0, 1, 2, 3]
    page.get_by_label("Ort").fill("Haus der Wirtschaft, Braunschweig")
    looks_right(page, problems, "meetings-plan")
    page.get_by_role("button", name="Sitzungen anlegen").click()
    expect(page).to_have_url(re.compile(f"{MEETINGS}$"))
    flash(page, "Geplant: 4 Sitzungen des Steuerkreises und ebenso viele des Sprecherkreises")
    return proposed[3]


def propose_and_reorder(page: Any, problems: PageProblems, projects: dict[str, Project]) -> None:
    """The agenda from the waiting projects, reordered by keyboard and by drag and drop."""
    expect(page.locator("#wartende")).to_have_text("3 Vorhaben warten auf den Sprecherkreis.")
    page.get_by_role("button", name="Tagesordnung aus wartenden Vorhaben vorschlagen").click()
    flash(page, "3 Vorhaben stehen jetzt auf der Tagesordnung.")
    expect(page.locator("ol.agenda > li.agenda-item")).to_have_count(3)
    for project in projects.values():
        expect(agenda_item(page, project)).to_contain_text(project.reference)
    first, second, third = agenda_titles(page)

    # The keyboard: the first item's "nach unten" takes the focus, Enter moves it.
    down = page.get_by_role("button", name="nach unten (TOP 1)")
    down.focus()
    expect(down).to_be_focused()
    page.keyboard.press("Enter")
    flash(page, "ist jetzt TOP 2.")
    after_keys = agenda_titles(page)
    assert [title.split(" ", 2)[2] for title in after_keys] == [
        title.split(" ", 2)[2] for title in (second, first, third)
    ]

    # The mouse: the script marks the list sortable; the last item dragged onto the first.
    agenda = page.locator("ol.agenda")
    expect(agenda).to_have_class(re.compile(r"\bis-sortable\b"))
    items = page.locator("ol.agenda > li.agenda-item")
    with page.expect_navigation():
        drag(page, items.nth(2).locator("h3"), items.nth(0).locator("h3"))
    page.set_viewport_size({"width": 1280, "height": 900})
    flash(page, "Die neue Reihenfolge der Tagesordnung ist gespeichert.")
    after_drag = [title.split(" ", 2)[2] for title in agenda_titles(page)]
    assert after_drag == [title.split(" ", 2)[2] for title in (third, second, first)]


def drag(page: Any, source: Any, target: Any) -> None:
    """Drag with the mouse, as a person does. Both ends in view first (a taller window, the
    target's item at the top): scrolling during the drag would start it on whatever lies under
    the pointer afterwards."""
    page.set_viewport_size({"width": 1280, "height": 1400})
    target.evaluate("element => element.closest('li').scrollIntoView({block: 'start'})")
    start, end = source.bounding_box(), target.bounding_box()
    assert end["y"] >= 0 and start["y"] + start["height"] <= 1400, (start, end)
    page.mouse.move(start["x"] + 20, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + 20, end["y"] + 2, steps=12)
    page.mouse.up()


def invite(page: Any) -> None:
    page.get_by_role("button", name="Einladung verschicken").click()
    flash(page, "Die Einladung ist verschickt; die Anwesenheitsliste ist angelegt.")
    expect(page.locator(".project-status .meeting-status")).to_contain_text("Eingeladen")


def decide(
    page: Any,
    project: Project,
    *,
    objections: dict[str, str] | None = None,
    recused: str = "",
    outcome: str,
    all_agree: bool = False,
    problems: PageProblems | None = None,
    screenshot_name: str = "",
) -> None:
    """From the meeting page to the item's decision form and back; `all_agree` takes the one
    button „Alle stimmen zu“ instead of the form."""
    agenda_item(page, project).get_by_role("link", name=re.compile("^Beschluss erfassen")).click()
    expect(page.locator("h1")).to_contain_text(project.title)
    if recused:
        expect(page.locator("section[aria-labelledby=beschlusslage]")).to_contain_text(
            f"{recused} – Antragstellerin des Vorhabens"
        )
        # No vote for the recused organisation.
        expect(page.get_by_role("group", name=recused, exact=True)).to_have_count(0)
    for organisation, reason in (objections or {}).items():
        group = page.get_by_role("group", name=organisation, exact=True)
        group.get_by_label("Einwand", exact=True).check()
        page.get_by_label(f"Einwand von {organisation}").fill(reason)
    if problems is not None:
        looks_right(page, problems, screenshot_name)
    if all_agree:
        page.get_by_role("button", name="Alle stimmen zu").click()
    else:
        page.get_by_role("button", name="Beschluss erfassen").click()
    flash(page, f"erfasst: {outcome}.")
    expect(agenda_item(page, project).locator(".decision-summary")).to_contain_text(outcome)


# --- The journey ---------------------------------------------------------------------------------


def test_meetings_from_planning_to_circulation(
    new_page: Callable[..., Any],
    page_problems: PageProblems,
    site: AllianceStructure,
    projects: dict[str, Project],
    members: dict[str, User],
    make_persona: Callable[[str], User | None],
) -> None:
    orgs = site.organisations
    name = {key: organisation.name for key, organisation in orgs.items()}
    make_persona("office")
    office = new_page()
    log_in(office, "office", MEETINGS)
    expect(office).to_have_url(re.compile(f"{MEETINGS}$"))

    # 1. A year of meetings, the quarter's two in the list.
    steering_day = plan_last_year(office, page_problems)
    speakers_day = steering_day - timedelta(days=14)
    past = office.locator("section[aria-labelledby=vergangen] table")
    steering_title = f"Sitzung des Steuerkreises am {german(steering_day)}"
    speakers_title = f"Sitzung des Sprecherkreises am {german(speakers_day)}"
    expect(past.get_by_role("rowheader", name=steering_title)).to_be_visible()
    expect(past.get_by_role("rowheader", name=speakers_title)).to_be_visible()
    expect(past.locator("tbody tr")).to_have_count(8)
    office.reload()
    looks_right(office, page_problems, "meetings-list")

    # 2. The Sprecherkreis: agenda, order, invitation, attendance, recommendations.
    office.get_by_role("link", name=speakers_title).click()
    expect(office.locator("h1")).to_have_text(speakers_title)
    propose_and_reorder(office, page_problems, projects)
    invite(office)
    office.reload()
    looks_right(office, page_problems, "meetings-speakers-agenda")

    office.get_by_role("link", name="Anwesenheit und Gäste").click()
    rows = office.locator(".attendance-row")
    expect(rows).to_have_count(5)
    for number in range(5):
        rows.nth(number).get_by_label("vertreten durch Vertreter/in", exact=True).check()
    office.get_by_label(f"Teilgenommen hat ({name['ihk']})").fill("Dr. Helene Brandt")
    office.get_by_role("button", name="Anwesenheit speichern").click()
    flash(office, "Die Anwesenheit ist gespeichert.")
    expect(office.locator(".quorum")).to_contain_text("5 von 5 stimmberechtigten Organisationen")
    office.get_by_role("link", name="Zurück zur Sitzung").click()
    for project in projects.values():
        decide(office, project, outcome="einvernehmlich beschlossen")

    # The recommendations stand on the items of the Steuerkreis meeting it prepares.
    office.get_by_role("link", name=steering_title).first.click()
    expect(office.locator("h1")).to_have_text(steering_title)
    expect(office.locator("ol.agenda > li.agenda-item")).to_have_count(3)
    for project in projects.values():
        item = agenda_item(office, project)
        expect(item.locator("dt", has_text="Empfehlung des Sprecherkreises")).to_be_visible()
        expect(item).to_contain_text("Der Sprecherkreis empfiehlt, das Vorhaben zu befürworten.")
        expect(item).to_contain_text(speakers_title)

    # 3. The Steuerkreis: invitation, attendance with quorum, three decisions.
    invite(office)
    office.get_by_role("link", name="Anwesenheit und Gäste").click()
    # Everyone at once, then the one exception.
    office.get_by_role("button", name="Alle anwesend").click()
    flash(office, "Alle Organisationen mit Sitz sind als anwesend erfasst (9 Einträge geändert).")
    for key in VOTING:
        expect(
            office.get_by_role(
                "group", name=re.compile(rf"^{re.escape(name[key])}\b")
            ).get_by_label("vertreten durch Vertreter/in", exact=True)
        ).to_be_checked()
    mark_presence(office, name["hwk"], "nicht vertreten")
    office.get_by_role("button", name="Anwesenheit speichern").click()
    flash(office, "Die Anwesenheit ist gespeichert.")
    quorum = office.locator(".quorum")
    expect(quorum).to_contain_text("Beschlussfähig")
    expect(quorum).to_contain_text("7 von 8 stimmberechtigten Organisationen sind vertreten")
    looks_right(office, page_problems, "meetings-attendance")
    office.get_by_role("link", name="Zurück zur Sitzung").click()

    decide(office, projects["A"], outcome="einvernehmlich beschlossen", all_agree=True)
    decide(
        office,
        projects["B"],
        objections={name["union"]: OBJECTION},
        outcome="kein Einvernehmen",
        problems=page_problems,
        screenshot_name="meetings-decision-objection",
    )
    blocked = agenda_item(office, projects["B"]).locator(".decision-summary")
    expect(blocked).to_contain_text(f"{name['union']}: {OBJECTION}")
    # Blocked, it carries no decision text (the form's prefilled proposal would say "befürwortet").
    expect(blocked).not_to_contain_text("Beschluss:")
    decide(
        office,
        projects["C"],
        recused=name["city"],
        outcome="einvernehmlich beschlossen",
    )
    expect(agenda_item(office, projects["C"]).locator(".decision-summary")).to_contain_text(
        f"Befangen, nicht mitgewirkt: {name['city']} (Antragstellerin des Vorhabens)"
    )
    office.reload()
    looks_right(office, page_problems, "meetings-steering-decided")
    steering_url = office.url.split("#")[0]

    # The procedure moved on with every decision; the Votum reserved the grant.
    office_sees(office, projects["A"], "Votum erteilt")
    office_sees(office, projects["B"], "Abgelehnt")
    expect(office.locator("section[aria-labelledby=ergebnisse]")).to_contain_text(
        f"Kein Einvernehmen. Einwände: {name['union']} ({OBJECTION})"
    )
    office_sees(office, projects["C"], "Projektbeschreibung angefordert")
    assert [projects[key].status for key in "ABC"] == [
        Status.ENDORSED,
        Status.REJECTED,
        Status.DESCRIPTION_REQUESTED,
    ]
    office.goto(BUDGET)
    expect(budget_cell(office, "reserved")).to_have_text("140.000,00 €")
    expect(budget_cell(office, "available")).to_have_text("1.860.000,00 €")

    # 4. Closed as held; the draft minutes, edited and as PDF.
    office.goto(steering_url)
    office.get_by_role("button", name="Sitzung abschließen").click()
    flash(office, "Die Sitzung ist als durchgeführt abgeschlossen")
    expect(office.locator(".project-status .meeting-status")).to_contain_text("Durchgeführt")
    office.get_by_role("navigation", name="Zu dieser Sitzung").get_by_role(
        "link", name="Protokoll", exact=True
    ).click()
    expect(office.locator("h1")).to_have_text(f"Protokoll: {steering_title}")
    nonpublic = office.get_by_label("Nichtöffentlicher Teil", exact=True)
    expect(nonpublic).to_have_value(
        re.compile(
            re.escape(f"Ergebnis: kein Einvernehmen\nEinwand: {name['union']} – {OBJECTION}")
        )
    )
    expect(nonpublic).to_have_value(
        re.compile(
            re.escape(f"Befangen, nicht mitgewirkt: {name['city']} (Antragstellerin des Vorhabens)")
        )
    )
    public = office.get_by_label("Öffentlicher Teil", exact=True)
    expect(public).to_have_value(re.compile(f"Nicht vertreten:\n- {re.escape(name['hwk'])}"))
    public.fill(public.input_value() + "\n\nDie Sitzung endete um 12:45 Uhr.")
    office.get_by_role("button", name="Entwurf speichern").click()
    flash(office, "Der Protokollentwurf ist gespeichert.")
    expect(office.get_by_label("Öffentlicher Teil", exact=True)).to_have_value(
        re.compile("Die Sitzung endete um 12:45 Uhr.$")
    )
    office.reload()
    looks_right(office, page_problems, "meetings-minutes")
    href = office.get_by_role("link", name="Protokoll mit beiden Teilen als PDF").get_attribute(
        "href"
    )
    response = office.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    # 5. An urgent sketch decided in writing.
    urgent = project_in_state(
        site,
        Status.SKETCH_STEERING,
        title="Sommerschule Pflege",
        applicant_organisation=OrganisationFactory(
            alliance=site.alliance, group=site.groups["other"], name="Pflegeschule am Wall"
        ),
    )
    office.goto(CIRCULATIONS)
    office.get_by_role("link", name="Neuen Umlaufbeschluss eröffnen").click()
    office.get_by_label("Betreff").fill("Eilentscheidung: Sommerschule Pflege")
    office.get_by_label("Beschlussvorschlag").fill(
        "Der Steuerkreis befürwortet die Kurzskizze und fordert die Projektbeschreibung an."
    )
    office.get_by_label("Vorhaben").select_option(
        label=f"{urgent.reference} – {urgent.title} (Kurzskizze im Steuerkreis)"
    )
    office.get_by_role("button", name="Umlaufbeschluss eröffnen").click()
    flash(office, "Der Umlaufbeschluss ist eröffnet: 8 Organisationen sind gefragt")
    circulation_url = office.url
    circulation = Circulation.objects.get(project=urgent)

    member = new_page()
    log_in(member, "sk-agency", circulation_url)
    expect(member.locator("h1")).to_have_text("Eilentscheidung: Sommerschule Pflege")
    card = member.locator(".action-card", has_text=name["agency"])
    card.get_by_label("Zustimmung", exact=True).check()
    looks_right(member, page_problems, "meetings-circulation-answer")
    card.get_by_role("button", name="Antwort abgeben").click()
    flash(member, f"Die Antwort für {name['agency']} ist gespeichert: Zustimmung.")
    row = member.locator("#antworten-liste tbody tr").filter(has_text=name["agency"])
    expect(row).to_contain_text("Zustimmung")
    for key in VOTING[1:]:
        circulations.circulation_answer(
            actor=members[key],
            circulation=circulation,
            organisation=orgs[key],
            answer=Answer.AGREE,
        )

    office.reload()
    expect(office.locator("#antworten")).to_contain_text("(8 von 8)")
    office.get_by_role("button", name="Jetzt auswerten").click()
    flash(office, "Der Umlaufbeschluss ist ausgewertet: Beschlossen.")
    office.reload()
    looks_right(office, page_problems, "meetings-circulation-passed")
    office_sees(office, urgent, "Projektbeschreibung angefordert")
    assert urgent.status == Status.DESCRIPTION_REQUESTED

    # 6. The public meetings page, as anyone sees it.
    visitor = new_page()
    visitor.goto(PUBLIC_MEETINGS)
    expect(visitor.locator("h1")).to_have_text("Sitzungen")
    held = visitor.locator("section[aria-labelledby=vergangene] tbody tr").filter(
        has_text=steering_title
    )
    expect(held).to_contain_text("Durchgeführt")
    expect(visitor.locator("main")).not_to_contain_text(speakers_title)
    looks_right(visitor, page_problems, "meetings-public-list")
    page_problems.check()
