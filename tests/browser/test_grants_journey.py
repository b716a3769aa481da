"""After the grant in the real browser (issue 12): a running project from its report schedule to
closed, as the applicant and the office take the steps.

The office schedules two interim reports (Sachbericht) and the final proof of use
(Verwendungsnachweis). The applicant hands in the first report; the office asks for changes with
a reason, the applicant reads it and hands in a second version, which is accepted; the second
report goes through at once. The applicant draws a first tranche with a receipt, which the office
checks and releases (the ledger pays it out of the commitment). A second request beyond what is
left of the grant is refused with a German message and nothing booked; corrected to a small
amount, the office refuses it with a reason. The applicant reports participant figures (once with
categories that do not add up), then the final proof with its total costs; the office accepts
it and closes the project: the grant not drawn goes back to the phase's budget.

After every step the page shows the new state; the budget dashboard shows the ledger's figures,
and the public project page its status and the granted amount, never a requested tranche. Every
person works in a browser context of their own through the real login form; every page visited is
checked with axe, and for CSP refusals and console errors at the end.

Amounts (phase of `build_alliance_structure`: virtual budget 2.000.000,00 €, rate 70 %): costs
150.000,00 €, requested 105.000,00 €, granted 100.000,00 €. Tranche 1: 80.000,00 € costs,
56.000,00 € paid; 44.000,00 € are left and go back at the closing.
"""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from buendnis.accounts.models import User
from buendnis.budget.selectors import budget_figures
from buendnis.funding.models import Project
from buendnis.funding.states import Status
from buendnis.grants.models import (
    ParticipantFigures,
    PaymentRequest,
    PaymentStatus,
    ReportStatus,
    ScheduledReport,
)

from ..factories import PDF_BYTES, AllianceStructure, applicant_of, project_in_state
from .conftest import PageProblems, assert_accessible, log_in, screenshot

pytestmark = pytest.mark.browser

BUDGET = "/son/intern/budget/"
GRANT = Decimal("100000.00")
INTERIM = "Sachbericht (Zwischenbericht)"
FINAL = "Verwendungsnachweis"


def _day(value: date) -> str:
    return f"{value:%d.%m.%Y}"


# --- What the pages show --------------------------------------------------------------------------


def flash(page: Any, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)


def visit(page: Any, url: str) -> None:
    page.goto(url)
    assert_accessible(page)


def fact(page: Any, scope: str, label: str) -> Any:
    """The <dd> after the <dt> named `label` in the facts list of `scope`."""
    return page.locator(scope).locator(
        f"xpath=.//dt[normalize-space()='{label}']/following-sibling::dd[1]"
    )


STANDING = {
    "granted": "Bewilligter Zuschuss",
    "held": "Abgerufen (eingereicht, geprüft oder freigegeben)",
    "released": "Davon ausgezahlt",
    "left": "Noch abrufbar",
}


def standing_shows(page: Any, **amounts: str) -> None:
    """The grant's standing on a payments page (the applicant's or the office's)."""
    for key, amount in amounts.items():
        expect(fact(page, "section[aria-labelledby=stand]", STANDING[key])).to_have_text(amount)


BUDGET_ROWS = {
    "paid": "Ausgezahlt",
    "committed": "Gebunden (bewilligt)",
    "available": "Verfügbar",
}


def dashboard_shows(page: Any, **figures: str) -> None:
    """The budget dashboard's figures (computed from the ledger), in German notation."""
    visit(page, BUDGET)
    for key, amount in figures.items():
        row = page.locator("#budget-zahlen tbody tr").filter(
            has=page.get_by_role("rowheader", name=BUDGET_ROWS[key], exact=True)
        )
        expect(row.locator("td").first).to_have_text(amount)


def ledger_row(page: Any, note: str) -> Any:
    return page.locator("section[aria-labelledby=buchungen] tbody tr").filter(has_text=note)


def public_page_shows(
    new_page: Callable[..., Any], project: Project, status: str, hidden: list[str]
) -> Any:
    """The public page as a new anonymous visitor sees it (a fresh browser: public pages may be
    kept for a minute, `web.caching`): the status and the granted amount, and none of the
    amounts in `hidden` (requested or refused tranches are the office's business)."""
    page = new_page()
    visit(page, f"/son/projekte/{project.reference}/")
    expect(page.locator(".project-meta .badge")).to_have_text(status)
    expect(
        fact(page, "section[aria-labelledby=finanzierung]", "Bewilligter Zuschuss")
    ).to_have_text("100.000,00 €")
    main = page.locator("main")
    for amount in hidden:
        expect(main).not_to_contain_text(amount)
    return page


# --- The steps ------------------------------------------------------------------------------------


def schedule(office: Any, kind: str, due_on: date) -> None:
    form = office.locator("section[aria-labelledby=planen]")
    form.get_by_label("Art").select_option(label=kind)
    form.get_by_label("Fällig am").fill(due_on.isoformat())
    form.get_by_role("button", name="Bericht einplanen").click()
    flash(office, f"„{kind}“ ist fällig am {_day(due_on)}.")


def submit_report(applicant: Any, kind: str, due_on: date, summary: str, costs: str = "") -> None:
    form = applicant.locator("section[aria-labelledby=einreichen]")
    form.get_by_role("combobox", name="Bericht", exact=True).select_option(
        label=f"{kind} – {_day(due_on)}"
    )
    form.get_by_label("Dokument").set_input_files(
        files=[{"name": "bericht.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    if costs:
        form.get_by_label("Ausgaben bis zum Stichtag (€)").fill(costs)
    form.get_by_label("Stand in Kürze").fill(summary)
    form.get_by_role("button", name="Bericht einreichen").click()


def review(office: Any, kind: str, due_on: date, outcome: str, reason: str = "") -> None:
    form = office.locator("section[aria-labelledby=pruefen]")
    form.get_by_role("combobox", name="Bericht", exact=True).select_option(
        label=f"{kind} – {_day(due_on)}"
    )
    form.get_by_role("radio", name=outcome, exact=True).check()
    if reason:
        form.get_by_label("Begründung (was soll geändert werden?)").fill(reason)
    form.get_by_role("button", name="Prüfung vermerken").click()
    flash(office, f"Die Prüfung ist vermerkt: {outcome}.")


def report_row(page: Any, kind: str, due_on: date) -> Any:
    return (
        page.locator("section[aria-labelledby=plan] tbody tr")
        .filter(has=page.get_by_role("rowheader", name=kind, exact=True))
        .filter(has_text=_day(due_on))
    )


def request_payment(
    applicant: Any, period: tuple[date, date], costs: str, amount: str, receipt: tuple[str, str]
) -> None:
    """The applicant's form, with one receipt row (paid on the period's last day)."""
    form = applicant.locator("section[aria-labelledby=neu]")
    form.get_by_label("Zeitraum von").fill(period[0].isoformat())
    form.get_by_label("Zeitraum bis").fill(period[1].isoformat())
    form.get_by_label("Förderfähige Ausgaben im Zeitraum (€)").fill(costs)
    form.get_by_label("Abgerufener Betrag (€)").fill(amount)
    row = form.get_by_role("group", name="Beleg 1", exact=True)
    row.get_by_label("Bezahlt am").fill(period[1].isoformat())
    row.get_by_label("Empfänger/in").fill(receipt[0])
    row.get_by_label("Zweck").fill(receipt[1])
    row.get_by_label("Betrag (€)").fill(costs)
    form.get_by_role("button", name="Mittel abrufen").click()


def decide(office: Any, number: int, period: tuple[date, date], status: str, decision: str) -> None:
    form = office.locator("section[aria-labelledby=entscheiden]")
    form.get_by_role("combobox", name="Mittelabruf", exact=True).select_option(
        label=f"Mittelabruf {number} ({_day(period[0])}–{_day(period[1])}, {status})"
    )
    form.get_by_role("radio", name=decision, exact=True).check()


# --- The journey ----------------------------------------------------------------------------------


@pytest.fixture
def project(site: AllianceStructure) -> Project:
    """Granted 100.000,00 € (less than the 105.000,00 € requested) and started today."""
    return project_in_state(
        site,
        Status.RUNNING,
        title="Ausbildungslotsen für kleine Betriebe",
        eligible_costs=Decimal("150000.00"),
        granted_amount=GRANT,
        planned_participants=40,
    )


@pytest.fixture
def people(project: Project, make_persona: Callable[[str], User | None]) -> dict[str, User]:
    office = make_persona("office")
    assert office is not None
    return {"office": office, "applicant": applicant_of(project, username="jana")}


def test_granted_project_from_its_reports_to_closed(
    new_page: Callable[..., Any],
    site: AllianceStructure,
    project: Project,
    people: dict[str, User],
    page_problems: PageProblems,
) -> None:
    today = timezone.localdate()
    reference = project.reference
    office_pages = f"/son/intern/vorhaben/{reference}/"
    applicant_pages = f"/son/vorhaben/{reference}/"
    first_due, second_due, final_due = (
        today + timedelta(days=30),
        today + timedelta(days=120),
        today + timedelta(days=400),
    )
    budget_before = budget_figures(site.phase)
    assert budget_before.committed == GRANT

    office = new_page()
    log_in(office, "office", office_pages)
    applicant = new_page()
    log_in(applicant, "jana", applicant_pages)
    public_page_shows(new_page, project, "In Umsetzung", hidden=[])

    # --- 1. The office sets the report schedule -----------------------------------------------
    assert_accessible(office)
    office.get_by_role("navigation", name="Nach der Bewilligung").get_by_role(
        "link", name="Berichte"
    ).click()
    expect(office.locator("h1")).to_have_text(f"Berichte: {project.title}")
    assert_accessible(office)
    expect(office.locator("section[aria-labelledby=plan]")).to_contain_text(
        "Die Geschäftsstelle hat noch keine Berichte in den Plan gesetzt."
    )
    schedule(office, INTERIM, first_due)
    schedule(office, INTERIM, second_due)
    schedule(office, FINAL, final_due)
    for kind, due_on in ((INTERIM, first_due), (INTERIM, second_due), (FINAL, final_due)):
        expect(report_row(office, kind, due_on)).to_contain_text("Offen")
    assert_accessible(office)

    # --- 2. Interim report 1: sent back once, then accepted; interim report 2 ------------------
    assert_accessible(applicant)
    applicant.get_by_role("link", name="Berichte", exact=True).first.click()
    expect(applicant.locator("h1")).to_have_text("Berichte")
    assert_accessible(applicant)
    submit_report(applicant, INTERIM, first_due, "Zwölf Betriebe beraten, vier Lotsen im Einsatz.")
    flash(applicant, f"„{INTERIM}“ ist eingereicht (Fassung 1).")
    expect(report_row(applicant, INTERIM, first_due)).to_contain_text("Eingereicht")
    assert_accessible(applicant)

    reason = "Bitte die Zahl der vermittelten Ausbildungsplätze ergänzen."
    office.reload()
    review(office, INTERIM, first_due, "Änderungen erbeten", reason)
    expect(report_row(office, INTERIM, first_due)).to_contain_text(reason)
    assert_accessible(office)

    applicant.reload()
    sent_back = report_row(applicant, INTERIM, first_due)
    expect(sent_back).to_contain_text("Änderungen erbeten")
    expect(sent_back).to_contain_text(reason)
    assert_accessible(applicant)
    submit_report(
        applicant,
        INTERIM,
        first_due,
        "Zwölf Betriebe beraten; sieben Ausbildungsplätze vermittelt.",
    )
    flash(applicant, f"„{INTERIM}“ ist eingereicht (Fassung 2).")
    expect(report_row(applicant, INTERIM, first_due)).to_contain_text("Fassung 2")

    office.reload()
    review(office, INTERIM, first_due, "Angenommen")
    expect(report_row(office, INTERIM, first_due)).to_contain_text("Angenommen")

    applicant.reload()
    submit_report(applicant, INTERIM, second_due, "Zwanzig Betriebe beraten.")
    flash(applicant, f"„{INTERIM}“ ist eingereicht (Fassung 1).")
    office.reload()
    review(office, INTERIM, second_due, "Angenommen")
    interims = ScheduledReport.objects.filter(project=project, kind="interim_report")
    assert sorted(interims.values_list("status", flat=True)) == [ReportStatus.ACCEPTED] * 2
    assert [report.versions.count() for report in interims.order_by("due_on")] == [2, 1]

    # --- 3. Payment request 1: checked, released, booked ------------------------------------
    first_period = (today - timedelta(days=180), today - timedelta(days=91))
    applicant.get_by_role("navigation", name="Nach der Bewilligung").get_by_role(
        "link", name="Mittelabrufe"
    ).click()
    expect(applicant.locator("h1")).to_have_text("Mittelabrufe")
    assert_accessible(applicant)
    standing_shows(
        applicant, granted="100.000,00 €", held="0,00 €", released="0,00 €", left="100.000,00 €"
    )
    request_payment(
        applicant, first_period, "80.000,00", "56.000,00", ("Lotsenbüro GmbH", "Honorare Lotsen")
    )
    flash(applicant, "Mittelabruf 1 über 56.000,00 € ist eingereicht")
    standing_shows(applicant, held="56.000,00 €", released="0,00 €", left="44.000,00 €")
    assert_accessible(applicant)

    # Requested, not released: nothing of it is public, nothing booked.
    public_page_shows(new_page, project, "In Umsetzung", hidden=["56.000,00"])
    assert budget_figures(site.phase) == budget_before

    visit(office, f"{office_pages}mittelabrufe/")
    standing_shows(office, held="56.000,00 €", released="0,00 €")
    decide(office, 1, first_period, "Eingereicht", "Sachlich geprüft")
    office.get_by_role("button", name="Entscheidung vermerken").click()
    flash(office, "Mittelabruf 1: Sachlich geprüft.")
    assert_accessible(office)
    decide(office, 1, first_period, "Sachlich geprüft", "Freigeben und buchen (nach der Prüfung)")
    office.get_by_role("button", name="Entscheidung vermerken").click()
    flash(office, "Mittelabruf 1: Freigegeben und gebucht.")
    standing_shows(
        office,
        granted="100.000,00 €",
        held="56.000,00 €",
        released="56.000,00 €",
        left="44.000,00 €",
    )
    receipts = office.locator("section[aria-labelledby=abrufe] tbody tr").first
    receipts.get_by_text("1 Beleg").click()
    expect(receipts).to_contain_text("Lotsenbüro GmbH, Honorare Lotsen: 80.000,00 €")
    assert_accessible(office)

    dashboard_shows(office, paid="56.000,00 €", committed="44.000,00 €", available="1.900.000,00 €")
    expect(ledger_row(office, "Mittelabruf 1")).to_contain_text("56.000,00 €")
    paid = budget_figures(site.phase)
    assert (paid.paid, paid.committed) == (Decimal("56000.00"), Decimal("44000.00"))
    visitor = public_page_shows(new_page, project, "In Umsetzung", hidden=[])
    expect(fact(visitor, "section[aria-labelledby=finanzierung]", "Ausgezahlt")).to_have_text(
        "56.000,00 €"
    )

    # --- 4. Payment request 2: beyond what is left, then refused by the office ------------------
    second_period = (today - timedelta(days=90), today - timedelta(days=1))
    applicant.reload()
    standing_shows(applicant, released="56.000,00 €", left="44.000,00 €")
    request_payment(
        applicant, second_period, "80.000,00", "56.000,00", ("Lotsenbüro GmbH", "Honorare Lotsen")
    )
    amount = applicant.get_by_label("Abgerufener Betrag (€)")
    expect(applicant.locator("section[aria-labelledby=neu]")).to_contain_text(
        "Der Abruf übersteigt den bewilligten Zuschuss: bewilligt 100.000,00 €, schon abgerufen "
        "56.000,00 €, übrig 44.000,00 €. Es wurde nichts gebucht."
    )
    expect(amount).to_have_value("56.000,00")  # the input comes back to be corrected
    standing_shows(applicant, held="56.000,00 €", released="56.000,00 €", left="44.000,00 €")
    assert_accessible(applicant)
    assert PaymentRequest.objects.filter(project=project).count() == 1
    assert budget_figures(site.phase) == paid

    # Corrected to a small tranche, which the office refuses for a missing proof.
    request_payment(applicant, second_period, "10.000,00", "7.000,00", ("Druckerei Weser", "Flyer"))
    flash(applicant, "Mittelabruf 2 über 7.000,00 € ist eingereicht")
    standing_shows(applicant, held="63.000,00 €", left="37.000,00 €")
    public_page_shows(new_page, project, "In Umsetzung", hidden=["7.000,00", "63.000,00"])

    refusal = "Die Rechnung der Druckerei fehlt; bitte mit dem nächsten Abruf einreichen."
    office.goto(f"{office_pages}mittelabrufe/")
    decide(office, 2, second_period, "Eingereicht", "Ablehnen")
    office.get_by_role("button", name="Entscheidung vermerken").click()
    expect(office.locator("section[aria-labelledby=entscheiden]")).to_contain_text(
        "Bitte begründen Sie die Ablehnung."
    )
    assert_accessible(office)
    decide(office, 2, second_period, "Eingereicht", "Ablehnen")
    office.get_by_label("Grund der Ablehnung").fill(refusal)
    office.get_by_role("button", name="Entscheidung vermerken").click()
    flash(office, "Mittelabruf 2: Abgelehnt.")
    standing_shows(office, held="56.000,00 €", released="56.000,00 €", left="44.000,00 €")

    applicant.reload()
    expect(applicant.locator("section[aria-labelledby=abrufe]")).to_contain_text(refusal)
    standing_shows(applicant, held="56.000,00 €", left="44.000,00 €")
    assert_accessible(applicant)
    assert list(
        PaymentRequest.objects.filter(project=project)
        .order_by("number")
        .values_list("status", flat=True)
    ) == [PaymentStatus.RELEASED, PaymentStatus.REFUSED]
    assert budget_figures(site.phase) == paid

    # --- 5. Participant figures -----------------------------------------------------------------
    applicant.get_by_role("navigation", name="Nach der Bewilligung").get_by_role(
        "link", name="Teilnehmende"
    ).click()
    expect(applicant.locator("h1")).to_have_text("Teilnehmende")
    assert_accessible(applicant)
    form = applicant.locator("section[aria-labelledby=melden]")
    form.get_by_label("Zeitraum von").fill(second_period[0].isoformat())
    form.get_by_label("Zeitraum bis").fill(second_period[1].isoformat())
    form.get_by_label("Eintritte insgesamt").fill("12")
    form.get_by_label("Austritte insgesamt").fill("3")
    counts = {
        "Geschlecht, weiblich": (7, 2),
        "Geschlecht, männlich": (4, 1),  # one short: corrected below
        "Alter, unter 25 Jahre": (9, 2),
        "Alter, 25 bis 54 Jahre": (3, 1),
        "Erwerbsstatus, arbeitslos": (8, 3),
        "Erwerbsstatus, nicht erwerbstätig": (4, 0),
        "Bildungsstand, ISCED 0–2 (höchstens Sekundarstufe I)": (12, 3),
    }
    for category, (entries, exits) in counts.items():
        form.get_by_label(f"{category}: Eintritte", exact=True).fill(str(entries))
        form.get_by_label(f"{category}: Austritte", exact=True).fill(str(exits))
    form.get_by_role("button", name="Zahlen melden").click()
    expect(applicant.locator("section[aria-labelledby=melden]")).to_contain_text(
        "Geschlecht: die Kategorien ergeben 11 Eintritte, insgesamt sind es 12."
    )
    assert_accessible(applicant)
    assert not ParticipantFigures.objects.exists()
    form.get_by_label("Geschlecht, männlich: Eintritte", exact=True).fill("5")
    form.get_by_role("button", name="Zahlen melden").click()
    flash(applicant, f"Die Zahlen für {_day(second_period[0])}–{_day(second_period[1])} sind")
    totals = applicant.locator("section[aria-labelledby=zeitraeume] tfoot tr")
    expect(totals).to_have_text("Insgesamt123")
    assert_accessible(applicant)
    figures = ParticipantFigures.objects.get(project=project)
    assert figures.breakdown["gender"]["male"] == {"entries": 5, "exits": 1}

    # --- 6. The final proof, accepted; the project closed -----------------------------------
    applicant.get_by_role("navigation", name="Nach der Bewilligung").get_by_role(
        "link", name="Berichte"
    ).click()
    submit_report(applicant, FINAL, final_due, "Alle Ausgaben belegt.")
    expect(applicant.locator("section[aria-labelledby=einreichen]")).to_contain_text(
        "Der Verwendungsnachweis nennt die förderfähigen Gesamtausgaben."
    )
    assert_accessible(applicant)
    submit_report(applicant, FINAL, final_due, "Alle Ausgaben belegt.", costs="80.000,00")
    flash(applicant, f"„{FINAL}“ ist eingereicht (Fassung 1).")
    expect(report_row(applicant, FINAL, final_due)).to_contain_text("Ausgaben 80.000,00 €")

    visit(office, f"{office_pages}abschliessen/")
    expect(office.locator("section[aria-labelledby=fehlt]")).to_contain_text(
        "Der Verwendungsnachweis ist noch nicht angenommen."
    )
    office.get_by_role("navigation", name="Nach der Bewilligung").get_by_role(
        "link", name="Berichte"
    ).click()
    review(office, FINAL, final_due, "Angenommen")
    office.get_by_role("navigation", name="Nach der Bewilligung").get_by_role(
        "link", name="Abschließen"
    ).click()
    expect(office.locator("section[aria-labelledby=fehlt]")).to_contain_text(
        "Nichts: der Verwendungsnachweis ist angenommen, kein Mittelabruf ist offen."
    )
    booked = "section[aria-labelledby=ergebnis]"
    expect(fact(office, booked, "Förderfähige Gesamtausgaben (Verwendungsnachweis)")).to_have_text(
        "80.000,00 €"
    )
    expect(fact(office, booked, "Endgültiger Zuschuss (ausgezahlte Tranchen)")).to_have_text(
        "56.000,00 €"
    )
    expect(fact(office, booked, "Zurück in das Budget der Förderphase")).to_have_text("44.000,00 €")
    expect(fact(office, booked, "Teilnehmende (Eintritte / Austritte)")).to_have_text("12 / 3")
    assert_accessible(office)
    office.get_by_label("Abgeschlossen am").fill(today.isoformat())
    office.get_by_role("button", name="Vorhaben abschließen").click()
    flash(office, "Das Vorhaben ist abgeschlossen.")
    expect(office.locator(".project-status .badge")).to_have_text("Abgeschlossen")
    # The closing takes the accepted proof's costs, the tranches paid and the figures reported.
    settled = "section[aria-labelledby=umsetzung]"
    expect(fact(office, settled, "Abgerechnete förderfähige Kosten")).to_have_text("80.000,00 €")
    expect(fact(office, settled, "Abgerechneter Zuschuss")).to_have_text("56.000,00 €")
    expect(fact(office, settled, "Eintritte")).to_have_text("12")
    expect(fact(office, settled, "Austritte")).to_have_text("3")
    expect(office.locator("section[aria-labelledby=dokumente]")).to_contain_text("Abschlussbericht")
    assert_accessible(office)
    screenshot(office, "grants-journey-office-closed")

    project.refresh_from_db()
    assert project.status == Status.CLOSED
    assert (project.final_grant, project.final_eligible_costs) == (
        Decimal("56000.00"),
        Decimal("80000.00"),
    )
    closed = budget_figures(site.phase)
    assert (closed.paid, closed.committed) == (Decimal("56000.00"), Decimal("0.00"))
    assert closed.available == paid.available + Decimal("44000.00")

    dashboard_shows(office, paid="56.000,00 €", committed="0,00 €", available="1.944.000,00 €")
    expect(ledger_row(office, "Nicht abgerufener Zuschuss")).to_contain_text("-44.000,00 €")
    screenshot(office, "grants-journey-budget")

    # The applicant's pages now only read.
    applicant.reload()
    expect(applicant.locator("main")).to_contain_text(
        "Eingereicht wird, solange das Vorhaben bewilligt ist oder läuft"
    )
    expect(applicant.locator("section[aria-labelledby=einreichen]")).to_have_count(0)
    assert_accessible(applicant)

    visitor = public_page_shows(new_page, project, "Abgeschlossen", hidden=["7.000,00"])
    reached = visitor.locator("section[aria-labelledby=erreicht]")
    expect(
        fact(visitor, "section[aria-labelledby=erreicht]", "Teilnehmende (Eintritte)")
    ).to_have_text("12")
    expect(fact(visitor, "section[aria-labelledby=erreicht]", "Austritte")).to_have_text("3")
    expect(reached).to_contain_text("abgeschlossen")
    expect(fact(visitor, "section[aria-labelledby=finanzierung]", "Ausgezahlt")).to_have_text(
        "56.000,00 €"
    )
    screenshot(visitor, "grants-journey-public-closed")
    page_problems.check()
