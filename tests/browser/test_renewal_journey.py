"""The alliance's own cycle in the real browser (issue 11).

The office opens the next phase as a draft, adds a field of action with a topic and writes the
strategy; the Steuerkreis adopts the fields in writing (a circulation, answered through the
services: the circulation pages have their own journey) and the office links that decision.
The office asks the partners of the running phase and one new partner to sign. The city's
contact person signs in her own portal with the signed document as upload; the district's
council has yet to decide (pending, with its paper's reference); the chamber of crafts declines.
The check before the application lists what is missing, then — once the district has signed and
the office has recorded the others' signatures — passes. The dossier is generated as PDF and read
back; the office applies. The ministry's login recognises the phase with a budget, a rate and a
carry-over from the running phase; the phase opens, and an applicant creates a project in it.
The ministry's overview shows both alliances.

Every person works in a browser context of their own through the real login form; every page
visited is checked with axe, and for CSP refusals and console errors at the end.
"""

import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from buendnis.accounts.models import Role, User
from buendnis.alliances.models import FundingPhase, RecognitionStatus
from buendnis.budget.models import EntryKind, LedgerEntry
from buendnis.budget.selectors import budget_figures
from buendnis.funding.models import Project
from buendnis.meetings.models import Answer
from buendnis.meetings.services import circulations
from buendnis.renewal.models import SignatureRequest, SignatureStatus

from ..factories import AllianceStructure, MembershipFactory, UserFactory
from .conftest import PageProblems, assert_accessible, log_in, screenshot

pytestmark = pytest.mark.browser

PHASES = "/son/intern/phasen/"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _visit(page: Any, url: str) -> None:
    page.goto(url)
    assert_accessible(page)


def _pdf_text(content: bytes) -> str:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext fehlt (Debian: poppler-utils; scripts/ensure-test-deps.sh)")
    result = subprocess.run(  # noqa: S603 - a fixed local program reading the PDF from stdin
        [pdftotext, "-", "-"], input=content, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())


@pytest.fixture
def people(site: AllianceStructure, make_persona: Callable[[str], User | None]) -> dict[str, Any]:
    office = make_persona("office")
    ministry = make_persona("ministry")
    assert office is not None and ministry is not None
    office.email = "office@son.example.org"
    office.save()
    city = site.organisations["city"]
    contact = UserFactory(username="ole", first_name="Ole", last_name="Stadtmann")
    MembershipFactory(user=contact, alliance=site.alliance, role=Role.STEERING, organisation=city)
    applicant = UserFactory(username="jana", first_name="Jana", last_name="Antrag")
    MembershipFactory(
        user=applicant, alliance=site.alliance, role=Role.APPLICANT, organisation=city
    )
    return {"office": office, "ministry": ministry, "contact": contact, "applicant": applicant}


def _adopting_circulation(site: AllianceStructure, office: User) -> None:
    """The Steuerkreis adopts the fields in writing: every voting member agrees."""
    circulation = circulations.circulation_open(
        actor=office,
        alliance=site.alliance,
        title="Handlungsfelder der Förderphase 2028–2031",
        text="Der Steuerkreis beschließt die Handlungsfelder und Themen der Strategie.",
        deadline=timezone.now() + timedelta(days=7),
    )
    for entry in circulation.entitled:
        organisation = next(org for org in site.organisations.values() if org.pk == entry["id"])
        circulations.circulation_answer(
            actor=None, circulation=circulation, organisation=organisation, answer=Answer.AGREE
        )
    circulations.circulation_close(actor=office, circulation=circulation)


def test_renewal_journey(
    new_page: Callable[..., Any],
    site: AllianceStructure,
    people: dict[str, Any],
    page_problems: PageProblems,
) -> None:
    today = timezone.localdate()
    orgs = site.organisations
    next_start = site.phase.ends_on + timedelta(days=1)
    next_end = next_start.replace(year=next_start.year + 3) - timedelta(days=1)
    name = f"{next_start.year}–{next_end.year}"

    # --- The office opens the next phase ---------------------------------------------------
    office = new_page()
    log_in(office, "office", PHASES)
    assert_accessible(office)
    office.get_by_role("link", name="Nächste Förderphase vorbereiten").click()
    assert_accessible(office)
    office.fill("#id_name", name)
    office.fill("#id_starts_on", next_start.isoformat())
    office.fill("#id_ends_on", next_end.isoformat())
    office.fill("#id_virtual_budget", "1.800.000,00")
    office.fill("#id_funding_rate", "70")
    office.fill("#id_signature_deadline", (today + timedelta(days=60)).isoformat())
    office.get_by_role("button", name="Förderphase anlegen").click()
    expect(office.locator(".messages").first).to_contain_text("in Vorbereitung")
    phase = FundingPhase.objects.get(alliance=site.alliance, name=name)
    assert phase.recognition_status == RecognitionStatus.DRAFT
    assert office.url.endswith(f"{PHASES}{phase.pk}/")
    assert_accessible(office)

    # A field of action with a topic, and the strategy's text.
    office.fill("#id_feld-title", "Fachkräfte sichern und binden")
    office.get_by_role("button", name="Handlungsfeld hinzufügen").click()
    office.select_option("#id_thema-action_field", label="Fachkräfte sichern und binden")
    office.fill("#id_thema-title", "Ausbildung in kleinen Betrieben stärken")
    office.get_by_role("button", name="Thema hinzufügen").click()
    expect(office.locator("section[aria-labelledby=handlungsfelder]")).to_contain_text(
        "Ausbildung in kleinen Betrieben stärken"
    )
    office.get_by_role("link", name="Strategie lesen und fortschreiben").click()
    assert_accessible(office)
    office.fill("#id_analysis", "Die Region verliert bis 2035 jede zehnte Arbeitskraft.")
    office.fill("#id_fields_intro", "Drei Handlungsfelder, offen für weitere Themen.")
    office.fill("#id_working_methods", "Der Steuerkreis entscheidet im Konsens.")
    office.fill("#id_change_note", "Analyse 2027")
    office.get_by_role("button", name="Als neue Fassung speichern").click()
    expect(office.locator("main")).to_contain_text("Fassung 2")
    assert_accessible(office)

    # The Steuerkreis adopts the fields; the office links the decision.
    _adopting_circulation(site, people["office"])
    office.goto(f"{PHASES}{phase.pk}/")
    office.select_option("#id_beschluss-source", index=1)
    office.get_by_role("button", name="Beschluss verknüpfen").click()
    expect(office.locator("section[aria-labelledby=handlungsfelder]")).to_contain_text(
        "Vom Steuerkreis beschlossen am"
    )

    # --- The partners are asked ------------------------------------------------------------
    mail.outbox.clear()
    office.get_by_text("Partner um Unterschrift bitten").click()
    # Preselected: the partners of the running phase; the Amt (advisory) is added as new.
    office.get_by_label(orgs["arl"].name).check()
    office.get_by_role("button", name="Anfragen und per E-Mail benachrichtigen").click()
    expect(office.locator("section[aria-labelledby=partner]")).to_contain_text("angefragt")
    asked = SignatureRequest.objects.filter(phase=phase)
    assert asked.count() == 10
    assert any(orgs["city"].email in message.to for message in mail.outbox)
    assert_accessible(office)

    # The check lists what is missing: nobody has signed yet.
    check = office.locator("section[aria-labelledby=zusammensetzung]")
    expect(check).to_contain_text("fehlt eine Kammer")
    expect(check).to_contain_text("Gewerkschaft")

    # --- The city signs in its own portal ---------------------------------------------------
    city = new_page()
    log_in(city, "ole", "/son/intern/")
    expect(city.locator("#desk-vereinbarung")).to_be_visible()
    assert_accessible(city)
    city.get_by_role("link", name="Antworten und Vereinbarung hochladen").click()
    assert_accessible(city)
    city_request = asked.get(organisation=orgs["city"])
    prefix = f"r{city_request.pk}-sign"
    city.get_by_text("Unterzeichnet", exact=True).first.click()
    city.fill(f"#id_{prefix}-decision_body", "Verwaltungsausschuss")
    city.fill(f"#id_{prefix}-reference", "DS 27-04711")
    city.fill(f"#id_{prefix}-decision_date", today.isoformat())
    city.fill(f"#id_{prefix}-signed_on", today.isoformat())
    city.set_input_files(
        f"#id_{prefix}-document",
        files=[{"name": "vereinbarung.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    city.get_by_role("button", name="Unterschrift bestätigen").click()
    expect(city.locator("main")).to_contain_text("hat unterzeichnet")
    assert_accessible(city)
    city_request.refresh_from_db()
    assert city_request.status == SignatureStatus.SIGNED and city_request.document
    assert city_request.agreement is not None

    # --- The office records the district's pending council decision and a refusal -----------
    def answer(org_key: str, action: str, fields: dict[str, str], button: str) -> None:
        request = asked.get(organisation=orgs[org_key])
        office.goto(f"{PHASES}{phase.pk}/partner/{request.pk}/")
        assert_accessible(office)
        summary = {
            "sign": "Unterzeichnet",
            "pending": "Beschluss in den eigenen Gremien steht aus",
            "decline": "Unterzeichnet nicht",
        }[action]
        office.locator("summary", has_text=summary).first.click()
        for field, value in fields.items():
            office.fill(f"#id_{action}-{field}", value)
        office.get_by_role("button", name=button).click()
        expect(office.locator("section[aria-labelledby=partner]")).to_be_visible()

    answer(
        "district",
        "pending",
        {
            "decision_body": "Kreistag",
            "reference": "DS 2027/0815",
            "decision_date": (today + timedelta(days=30)).isoformat(),
        },
        "Vermerken",
    )
    answer(
        "hwk",
        "decline",
        {"declined_on": today.isoformat(), "note": "Keine Mittel für die Kofinanzierung."},
        "Absage vermerken",
    )
    expect(office.locator("section[aria-labelledby=partner]")).to_contain_text("DS 2027/0815")
    expect(office.locator("section[aria-labelledby=partner]")).to_contain_text("Abgelehnt")

    # The district has not signed: the territory is one independent city only.
    expect(office.locator("section[aria-labelledby=zusammensetzung]")).to_contain_text(
        "mindestens zwei Landkreise"
    )

    # The others sign (recorded by the office from the paper it received); the district's
    # council decided earlier than planned and it signs too.
    for key in ("agency", "jobcenter", "union", "employers", "ihk", "host"):
        answer(key, "sign", {"signed_on": today.isoformat()}, "Unterschrift bestätigen")
    answer(
        "district",
        "sign",
        {"signed_on": today.isoformat(), "decision_date": today.isoformat()},
        "Unterschrift bestätigen",
    )
    expect(office.locator("section[aria-labelledby=zusammensetzung]")).to_contain_text(
        "Der Antrag kann gestellt werden"
    )
    assert_accessible(office)

    # --- The dossier, read back; the application ------------------------------------------
    dossier = office.context.request.get(f"{PHASES}{phase.pk}/antrag.pdf")
    assert dossier.status == 200 and dossier.headers["content-type"] == "application/pdf"
    text = _pdf_text(dossier.body())
    assert orgs["city"].name in text and "DS 27-04711" in text
    assert "Fachkräfte sichern und binden" in text
    assert "Handwerkskammer" in text and "Abgelehnt" in text
    mail.outbox.clear()
    office.fill("#id_antrag-cover_note", "Wir beantragen die Verlängerung der Anerkennung.")
    office.get_by_role("button", name="Antrag beim Ministerium einreichen").click()
    expect(office.locator("h1")).to_contain_text("Verlängerung beantragt")
    assert [message.to for message in mail.outbox] == [["ministry@example.org"]] or any(
        "Verlängerung" in message.subject for message in mail.outbox
    )
    assert_accessible(office)

    # --- The ministry recognises the phase ---------------------------------------------------
    before = budget_figures(site.phase).budget
    ministry = new_page()
    log_in(ministry, "ministry", f"{PHASES}{phase.pk}/")
    assert_accessible(ministry)
    ministry.get_by_label("Anerkannt").check()
    ministry.fill("#id_entscheidung-reference", "MW 21-2027-004")
    ministry.fill("#id_entscheidung-virtual_budget", "1.500.000,00")
    ministry.fill("#id_entscheidung-funding_rate", "70")
    ministry.fill("#id_entscheidung-carry_over", "50.000,00")
    ministry.fill("#id_entscheidung-conditions", "Jährlicher Sachbericht an das Ministerium.")
    mail.outbox.clear()
    ministry.get_by_role("button", name="Entscheidung speichern").click()
    expect(ministry.locator("h1")).to_contain_text("Anerkannt")
    assert_accessible(ministry)
    phase.refresh_from_db()
    assert phase.recognition_status == RecognitionStatus.RECOGNISED
    assert phase.recognition_reference == "MW 21-2027-004"
    assert budget_figures(phase).budget == Decimal("1550000.00")
    assert budget_figures(site.phase).budget == before - Decimal("50000.00")
    assert LedgerEntry.objects.filter(kind=EntryKind.CARRY_OVER).count() == 2
    assert any("office@son.example.org" in message.to for message in mail.outbox)

    # The ministry's overview across the alliances.
    _visit(ministry, "/ministerium/")
    expect(ministry.locator("main")).to_contain_text(site.alliance.name)
    expect(ministry.locator("main")).to_contain_text("Fachkräftebündnis Leine-Weser")
    screenshot(ministry, "renewal-ministry-overview")

    # --- The phase takes projects -----------------------------------------------------------
    applicant = new_page()
    log_in(applicant, "jana", "/son/vorhaben/neu/")
    assert_accessible(applicant)
    applicant.get_by_role("link", name=name).click()
    assert_accessible(applicant)
    applicant.fill("#id_title", "Ausbildungsverbund kleiner Betriebe")
    applicant.fill("#id_summary", "Kleine Betriebe bilden gemeinsam aus.")
    applicant.select_option("#id_action_field", label="Fachkräfte sichern und binden")
    applicant.get_by_role("button", name="Vorhaben anlegen").click()
    expect(applicant.locator("main")).to_contain_text("ist angelegt")
    project = Project.objects.get(title="Ausbildungsverbund kleiner Betriebe")
    assert project.phase == phase
    assert re.match(rf"SON-{next_start.year}-\d+", project.reference)
    assert_accessible(applicant)
    screenshot(office, "renewal-phase")
    page_problems.check()
