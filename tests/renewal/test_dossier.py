"""The application dossier: its figures on the phase before (worked out by hand below, not by the
code under test), the PDF and the workbook read back, the pages that serve them per persona, and
the copy kept with the submitted application."""

import io
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from buendnis.accounts.models import Role, User
from buendnis.alliances.models import (
    Alliance,
    FundingPhase,
    Organisation,
    RecognitionStatus,
)
from buendnis.budget import services as budget_services
from buendnis.funding import services as funding_services
from buendnis.funding.models import Project
from buendnis.funding.states import Status
from buendnis.meetings.models import Circulation, CirculationStatus, Decision, DecisionOutcome
from buendnis.renewal import dossier, services
from buendnis.renewal.models import ExtensionApplication, SignatureStatus
from tests.factories import (
    AgendaItemFactory,
    AgreementFactory,
    AllianceStructure,
    MeetingFactory,
    MembershipFactory,
    OrganisationFactory,
    PhaseFactory,
    ProjectFactory,
    TopicFactory,
    UserFactory,
    build_alliance_structure,
    pdf_upload,
    project_in_state,
)

pytestmark = pytest.mark.django_db

PDFTOTEXT = shutil.which("pdftotext")


def euro(value: str) -> Decimal:
    return Decimal(value)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text as pdftotext reads it, whitespace folded."""
    if PDFTOTEXT is None:
        pytest.skip("pdftotext fehlt (Debian: poppler-utils; scripts/ensure-test-deps.sh)")
    source = tmp_path / "antrag.pdf"
    source.write_bytes(pdf)
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own file
        [PDFTOTEXT, "-enc", "UTF-8", str(source), "-"], capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())


def pdf_info(pdf: bytes, tmp_path: Path) -> str:
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        pytest.skip("pdfinfo fehlt (Debian: poppler-utils)")
    source = tmp_path / "antrag-info.pdf"
    source.write_bytes(pdf)
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own file
        [pdfinfo, str(source)], capture_output=True, check=True
    )
    return result.stdout.decode()


# --- The story: a phase before with projects in several states, a draft with every answer -----


@dataclass
class Cycle:
    structure: AllianceStructure
    office: User
    draft: FundingPhase
    projects: dict[str, Project] = field(default_factory=dict)
    partners: dict[str, Organisation] = field(default_factory=dict)


def half(costs: str, **extra: object) -> dict[str, object]:
    """A project asking for half of its costs; the rest is co-financed by its applicant."""
    eligible = euro(costs)
    return {"eligible_costs": eligible, "requested_grant": eligible / 2, **extra}


def _previous_phase_projects(structure: AllianceStructure) -> dict[str, Project]:
    """The current phase of the structure (2.000.000,00 € at 70 %) is the phase before the
    draft. Bookings through the services; the figures are summed up in EXPECTED."""
    p: dict[str, Project] = {}
    # Closed: reserved 100.000, granted 90.000 (10.000 released), settled 85.000 on final
    # eligible costs of 170.000; 38 entered, 30 exited.
    p["closed"] = project_in_state(
        structure,
        Status.RUNNING,
        granted_amount=euro("90000.00"),
        **half("200000.00", title="Welcome Center", planned_participants=40),
    )
    funding_services.project_close(
        actor=None,
        project=p["closed"],
        closed_on=timezone.localdate(),
        final_eligible_costs=euro("170000.00"),
        final_grant=euro("85000.00"),
        final_report=pdf_upload("abschlussbericht.pdf"),
        participants_entered=38,
        participants_exited=30,
    )
    p["running"] = project_in_state(
        structure,
        Status.RUNNING,
        granted_amount=euro("120000.00"),
        **half("300000.00", title="Digitales Lernen im Betrieb", planned_participants=25),
    )
    p["granted"] = project_in_state(
        structure,
        Status.GRANTED,
        **half("100000.00", title="Pflegekräfte gewinnen", planned_participants=10),
    )
    p["endorsed"] = project_in_state(
        structure,
        Status.ENDORSED,
        **half("60000.00", title="Stille Reserve", planned_participants=12),
    )
    # Neither volume, nor co-financing, nor planned participants: declined, withdrawn, pending.
    p["declined"] = project_in_state(
        structure,
        Status.DECLINED,
        **half("80000.00", title="Abgelehnt von der Bank", planned_participants=20),
    )
    p["withdrawn"] = project_in_state(
        structure,
        Status.WITHDRAWN,
        **half("10000.00", title="Zurückgezogen", planned_participants=5),
    )
    p["pending"] = project_in_state(
        structure,
        Status.SKETCH_SPEAKERS,
        **half("40000.00", title="=Noch in Beratung", planned_participants=8),
    )
    budget_services.budget_adjust(
        actor=None,
        phase=structure.phase,
        amount=euro("250000.00"),
        note="Erhöhung durch das Ministerium",
    )
    budget_services.carry_over(
        actor=None,
        source=structure.previous_phase,
        target=structure.phase,
        amount=euro("100000.00"),
        note="Übertrag aus 2018–2021",
    )
    return p


EXPECTED = {
    "projects_total": 7,
    "funded": 3,  # closed, running, granted
    # 170.000 (closed, final) + 300.000 + 100.000 + 60.000
    "volume": euro("630000.00"),
    "granted": euro("260000.00"),  # 90.000 + 120.000 + 50.000
    "final_grants": euro("85000.00"),
    "cofinancing": euro("330000.00"),  # 100.000 + 150.000 + 50.000 + 30.000
    # The ledger: 30.000 reserved (endorsed), 170.000 committed, 85.000 paid.
    "grants": euro("285000.00"),
    "leverage": Decimal("2.2"),  # 630.000 / 285.000 = 2,21
    "planned_participants": 87,  # 40 + 25 + 10 + 12
    "participants_entered": 38,
    "participants_exited": 30,
    "budget": euro("2350000.00"),  # 2.000.000 + 250.000 raise + 100.000 carried over
    "adjustments": euro("350000.00"),
    "reserved": euro("30000.00"),
    "committed": euro("170000.00"),
    "paid": euro("85000.00"),
    "available": euro("2065000.00"),
}


def _decisions(structure: AllianceStructure, *, steering: int = 2, speakers: int = 1) -> None:
    """Decisions of the bodies during the phase before: in a meeting of each, one passed and
    one failed circulation of the Steuerkreis; one decision before the phase and a cancelled
    circulation, which do not count."""
    alliance = structure.alliance
    bodies = structure.bodies
    now = timezone.now()
    for body, count, days in ((bodies["steering"], steering, 3), (bodies["speakers"], speakers, 4)):
        meeting = MeetingFactory(body=body, starts_at=now - timedelta(days=days))
        for number in range(count):
            item = AgendaItemFactory(
                meeting=meeting, position=number, title=f"{body.name}: Beschluss {number + 1}"
            )
            Decision.objects.create(
                alliance=alliance,
                item=item,
                outcome=DecisionOutcome.AGREED,
                decided_at=now - timedelta(days=days, minutes=-number),
            )
    before = MeetingFactory(
        body=bodies["steering"],
        starts_at=datetime(2021, 6, 30, 10, tzinfo=UTC),
    )
    Decision.objects.create(
        alliance=alliance,
        item=AgendaItemFactory(meeting=before, title="Vor der Förderphase"),
        outcome=DecisionOutcome.AGREED,
        decided_at=before.starts_at,
    )
    for status, title in (
        (CirculationStatus.FAILED, "Umlauf ohne Einvernehmen"),
        (CirculationStatus.CANCELLED, "Zurückgezogener Umlauf"),
    ):
        Circulation.objects.create(
            alliance=alliance,
            body=bodies["steering"],
            title=title,
            text="…",
            deadline=now - timedelta(days=2),
            status=status,
            closed_at=now - timedelta(days=2) if status == CirculationStatus.FAILED else None,
        )


def _draft(structure: AllianceStructure, office: User) -> FundingPhase:
    """The next phase with its strategy (version 2), a field of action with two topics (one
    nested) adopted by the Steuerkreis in a circulation."""
    ends = structure.phase.ends_on
    draft = services.phase_prepare(
        actor=office,
        alliance=structure.alliance,
        name=f"{ends.year}–{ends.year + 3}",
        starts_on=ends + timedelta(days=1),
        ends_on=date(ends.year + 3, 6, 30),
        virtual_budget=euro("1800000.00"),
        funding_rate=Decimal("62.50"),
    )
    services.strategy_revise(
        actor=office,
        phase=draft,
        analysis="Die Region altert; bis 2035 fehlen 40.000 Fachkräfte.",
        review="Zehn Vorhaben haben 3 Mio. € Projektvolumen bewegt.",
        fields_intro="Zwei Felder tragen die Strategie.",
        working_methods="Konsens im Steuerkreis, vierteljährlich.",
        change_note="Nach der Klausur",
    )
    from tests.factories import ActionFieldFactory

    action_field = ActionFieldFactory(phase=draft, title="Fachkräfte binden", position=1)
    parent = TopicFactory(action_field=action_field, title="Betriebliche Gesundheit", position=0)
    TopicFactory(action_field=action_field, title="Pflege im Betrieb", parent=parent, position=1)
    circulation = Circulation.objects.create(
        alliance=structure.alliance,
        body=structure.bodies["steering"],
        title="Handlungsfelder der neuen Förderphase",
        text="Der Steuerkreis beschließt die Handlungsfelder.",
        deadline=timezone.now(),
        status=CirculationStatus.PASSED,
        closed_at=timezone.now(),
    )
    services.strategy_adopt(actor=office, phase=draft, circulation=circulation)
    return draft


def _signatures(structure: AllianceStructure, office: User, draft: FundingPhase) -> None:
    """Every answer: six sign (one with a council's paper), the Jobcenter waits for its board,
    the Handwerkskammer has not answered, the host declines; a university signed in the admin
    without a request."""
    orgs = structure.organisations
    today = timezone.localdate()
    asked = [orgs[key] for key in orgs if key != "arl"]
    requests = {
        request.organisation_id: request
        for request in services.signatures_request(
            actor=office,
            phase=draft,
            organisations=asked,
            asked_on=today,
            due_on=today + timedelta(days=30),
        )
    }
    for key in ("agency", "district", "union", "employers", "ihk"):
        services.signature_sign(actor=office, request=requests[orgs[key].pk], signed_on=today)
    services.signature_sign(
        actor=office,
        request=requests[orgs["city"].pk],
        signed_on=today,
        decision_body="Rat der Stadt",
        reference="DS 26-08123",
        decision_date=today,
    )
    services.signature_mark_pending(
        actor=office,
        request=requests[orgs["jobcenter"].pk],
        decision_body="Trägerversammlung",
        reference="TV 3/2026",
        decision_date=today + timedelta(days=20),
    )
    services.signature_decline(actor=office, request=requests[orgs["host"].pk], declined_on=today)
    university = OrganisationFactory(
        alliance=structure.alliance,
        group=structure.groups["other"],
        name="Technische Universität Braunschweig",
    )
    AgreementFactory(
        phase=draft,
        organisation=university,
        signed_on=today,
        decision_body="Präsidium",
        decision_reference="P 12/2026",
    )


@pytest.fixture
def cycle(alliance: Alliance) -> Cycle:
    # Its city and district are what the state's rules ask for (an independent city, a district).
    structure = build_alliance_structure(alliance, place="Braunschweig")
    office = UserFactory(username="geschaeftsstelle")
    MembershipFactory(user=office, alliance=alliance, role=Role.OFFICE)
    projects = _previous_phase_projects(structure)
    _decisions(structure)
    draft = _draft(structure, office)
    _signatures(structure, office, draft)
    return Cycle(structure=structure, office=office, draft=draft, projects=projects)


def fresh(phase: FundingPhase) -> FundingPhase:
    """The phase as the views hand it over: read anew, its alliance known."""
    return FundingPhase.objects.select_related("alliance").get(pk=phase.pk)


# --- The figures --------------------------------------------------------------------------------


def test_figures_of_the_phase_before(cycle: Cycle) -> None:
    data = dossier.dossier_data(fresh(cycle.draft))
    report = data.previous
    assert report is not None
    assert report.phase == cycle.structure.phase
    actual = {
        "projects_total": report.projects_total,
        "funded": report.funded,
        "volume": report.volume,
        "granted": report.granted,
        "final_grants": report.final_grants,
        "cofinancing": report.cofinancing,
        "grants": report.grants,
        "leverage": report.leverage,
        "planned_participants": report.planned_participants,
        "participants_entered": report.participants_entered,
        "participants_exited": report.participants_exited,
        "budget": report.budget.budget,
        "adjustments": report.adjustments,
        "reserved": report.budget.reserved,
        "committed": report.budget.committed,
        "paid": report.budget.paid,
        "available": report.budget.available,
    }
    assert actual == EXPECTED
    assert {entry.key: entry.count for entry in report.by_status} == {
        Status.CLOSED: 1,
        Status.RUNNING: 1,
        Status.GRANTED: 1,
        Status.ENDORSED: 1,
        Status.DECLINED: 1,
        Status.WITHDRAWN: 1,
        Status.SKETCH_SPEAKERS: 1,
    }
    assert {entry.label for entry in report.by_status} >= {"Abgeschlossen", "In Umsetzung"}
    assert [project.title for project in report.funded_projects] == [
        "Welcome Center",
        "Digitales Lernen im Betrieb",
        "Pflegekräfte gewinnen",
    ]


def test_decisions_of_the_phase_before(cycle: Cycle) -> None:
    report = dossier.dossier_data(fresh(cycle.draft)).previous
    assert report is not None
    # Steuerkreis: two in a meeting, the failed circulation and the one adopting the strategy;
    # not the decision of 30.06.2021 nor the cancelled circulation.
    assert (report.steering_decisions, report.speakers_decisions) == (4, 1)
    assert [line.title for line in report.decisions] == [
        "Handlungsfelder der neuen Förderphase",
        "Umlauf ohne Einvernehmen",
        "Steuerkreis: Beschluss 2",
        "Steuerkreis: Beschluss 1",
        "Sprecherkreis: Beschluss 1",
    ]
    assert report.decisions[1].procedure == "Umlaufverfahren"
    assert report.decisions[1].outcome == "kein Einvernehmen"
    assert report.decisions[2].procedure.startswith("Sitzung am ")
    assert report.decisions[2].procedure.endswith(", TOP 2")


def test_the_decision_list_is_bounded(cycle: Cycle) -> None:
    _decisions(cycle.structure, steering=dossier.DECISION_LIMIT, speakers=0)
    report = dossier.dossier_data(fresh(cycle.draft)).previous
    assert report is not None
    # The first four and one of the Steuerkreis, thirty more and another failed circulation.
    assert report.decisions_total == 4 + 1 + dossier.DECISION_LIMIT + 1
    assert len(report.decisions) == dossier.DECISION_LIMIT
    assert report.decisions_left_out == 6


def test_partners_application_and_strategy(cycle: Cycle) -> None:
    data = dossier.dossier_data(fresh(cycle.draft), cover_note="Wir bitten um Verlängerung.")
    assert {entry.label: entry.count for entry in data.partner_totals} == {
        "Unterzeichnet": 7,
        "Beschluss ausstehend": 1,
        "Angefragt": 1,
        "Abgelehnt": 1,
    }
    assert data.partners_total == 10
    assert [group.name for group in data.partner_groups] == [
        "Arbeitsagenturen/Jobcenter",
        "Kommunen",
        "Gewerkschaften",
        "Arbeitgeberverbände",
        "Kammern",
        "Weitere Partner",
    ]
    lines = {line.organisation: line for group in data.partner_groups for line in group.lines}
    city = lines["Stadt Braunschweig"]
    assert (city.status_label, city.decision_body, city.reference) == (
        "Unterzeichnet",
        "Rat der Stadt",
        "DS 26-08123",
    )
    assert city.signed_on == timezone.localdate()
    assert lines["Jobcenter Braunschweig"].status_label == "Beschluss ausstehend"
    assert lines["Jobcenter Braunschweig"].reference == "TV 3/2026"
    assert lines["Handwerkskammer Braunschweig"].status_label == "Angefragt"
    assert lines["Allianz für die Region Braunschweig GmbH"].status_label == "Abgelehnt"
    university = lines["Technische Universität Braunschweig"]
    assert (university.status_label, university.reference) == ("Unterzeichnet", "P 12/2026")
    assert data.composition_problems == []
    assert data.speakers_problems == []
    # Applied for: the draft's own figures; 1.800.000 at 62,5 % set 2.880.000 in motion.
    assert (data.requested_budget, data.requested_rate) == (
        euro("1800000.00"),
        Decimal("62.50"),
    )
    assert data.requested_volume == euro("2880000.00")
    assert data.cover_note == "Wir bitten um Verlängerung."
    strategy = data.strategy
    assert strategy.version is not None and strategy.version.number == 2
    assert [section.text for section in strategy.sections][0].startswith("Die Region altert")
    assert [field.title for field in strategy.fields] == [
        "Fachkräfte binden",
        services.OPEN_FIELD_TITLE,
    ]
    assert strategy.adopted_on == timezone.localdate()
    assert strategy.adopted_in == "im Umlaufverfahren „Handlungsfelder der neuen Förderphase“"
    assert not strategy.changed_since_adoption


def test_a_field_added_after_the_adoption_shows(cycle: Cycle) -> None:
    from tests.factories import ActionFieldFactory

    ActionFieldFactory(phase=cycle.draft, title="Nachträglich", position=2)
    assert dossier.dossier_data(fresh(cycle.draft)).strategy.changed_since_adoption


def test_constant_number_of_queries(cycle: Cycle, django_assert_num_queries: object) -> None:
    """More partners, projects and decisions cost no further query."""
    phase = fresh(cycle.draft)
    queries = [
        "application",
        "partner_rows: signature requests with organisation, group and agreement",
        "partner_rows: agreements without a request",
        "composition_problems: the organisations that signed",
        "speakers_problems: the Sprecherkreis",
        "speakers_problems: its seats on the phase's first day",
        "speakers_problems: the groups that send a deputy",
        "speakers_problems: the organisations that signed",
        "speakers_problems: the seats again, with their organisations",
        "strategy with the decision or circulation that adopted it",
        "latest version of the strategy",
        "fields of action",
        "their topics",
        "previous_phase",
        "projects of the phase before per state",
        "their sums: grants, final grants, participants",
        "their volume (funding.figures.volume_by_phase)",
        "their co-financing",
        "the participants they reached (grants.selectors.participants_by_phase)",
        "the ledger of the phase before (budget.selectors.budget_figures)",
        "Steuerkreis decisions in the period (meetings and circulations, one UNION count)",
        "Sprecherkreis decisions in the period",
        "keys of the latest decisions",
        "those of them taken in meetings",
        "those of them taken in circulations",
        # with paid out and participants reached (grants.selectors.with_results: subqueries)
        "the projects of the phase before with their applicant",
    ]
    with django_assert_num_queries(len(queries)):  # type: ignore[operator]
        dossier.dossier_data(phase)
    # Grow every list: the count stays.
    structure = cycle.structure
    _decisions(structure, steering=5, speakers=3)
    for number in range(3):
        ProjectFactory(phase=structure.phase, title=f"Weiteres Vorhaben {number}")
        organisation = OrganisationFactory(
            alliance=structure.alliance, group=structure.groups["unions"], name=f"Verdi {number}"
        )
        services.signatures_request(
            actor=cycle.office,
            phase=cycle.draft,
            organisations=[organisation],
            asked_on=timezone.localdate(),
        )
    phase = fresh(cycle.draft)
    with django_assert_num_queries(len(queries)):  # type: ignore[operator]
        grown = dossier.dossier_data(phase)
    assert grown.partners_total == 13


def test_without_a_phase_before(alliance: Alliance) -> None:
    office = UserFactory(username="geschaeftsstelle")
    MembershipFactory(user=office, alliance=alliance, role=Role.OFFICE)
    phase = services.phase_prepare(
        actor=office,
        alliance=alliance,
        name="2027–2030",
        starts_on=date(2027, 7, 1),
        ends_on=date(2030, 6, 30),
        virtual_budget=euro("1000000.00"),
        funding_rate=Decimal("50.00"),
    )
    data = dossier.dossier_data(fresh(phase))
    assert data.previous is None
    assert data.partners_total == 0
    html = dossier.render_html(fresh(phase))
    assert "keine vorige anerkannte Förderphase" in html
    assert "Für diese Förderphase ist noch keine Organisation angefragt." in html


def test_after_submission_the_application_holds_what_was_applied_for(cycle: Cycle) -> None:
    services.application_submit(actor=cycle.office, phase=cycle.draft, cover_note="Bitte.")
    phase = fresh(cycle.draft)
    # The ministry's figures later differ; the dossier keeps what was applied for.
    FundingPhase.objects.filter(pk=phase.pk).update(virtual_budget=euro("1.00"))
    data = dossier.dossier_data(fresh(cycle.draft))
    assert data.requested_budget == euro("1800000.00")
    assert data.submitted_on == timezone.localdate()
    assert data.cover_note == "Bitte."
    html = " ".join(dossier.render_html(fresh(cycle.draft)).split())
    today = timezone.localdate().strftime("%d.%m.%Y")
    assert f"{today} (1. Einreichung)" in html
    assert "1.800.000,00 €" in html


# --- The documents ------------------------------------------------------------------------------


def test_html_in_german_with_the_problems_listed(cycle: Cycle) -> None:
    """The HTML behind the PDF, in German whatever the page's language; a chamber that declines
    shows in the composition and the Sprecherkreis."""
    from django.utils import translation

    request = cycle.draft.signature_requests.get(organisation__name="Handwerkskammer Braunschweig")
    services.signature_decline(
        actor=cycle.office, request=request, declined_on=timezone.localdate()
    )
    # Had the IHK declined too (written directly: a signature is never taken back).
    ihk = cycle.structure.organisations["ihk"]
    cycle.draft.signature_requests.filter(organisation=ihk).update(
        status=SignatureStatus.DECLINED,
        signed_on=None,
        agreement=None,
        declined_on=timezone.localdate(),
    )
    ihk.agreements.filter(phase=cycle.draft).delete()
    with translation.override("en"):
        html = dossier.render_html(fresh(cycle.draft))
    assert '<html lang="de">' in html
    assert "Unter den Partnern fehlt eine Kammer." in html
    assert "IHK Braunschweig sitzt im Sprecherkreis" in html
    assert "Vorgaben des Landes sind erfüllt" not in html


def test_pdf_reads_back(cycle: Cycle, tmp_path: Path) -> None:
    pytest.importorskip("weasyprint")
    pdf = dossier.render_pdf(fresh(cycle.draft), cover_note="Wir bitten um Verlängerung.")
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    today = timezone.localdate().strftime("%d.%m.%Y")
    draft = cycle.draft
    expected = [
        # Cover
        "Fachkräftebündnis SüdOstNiedersachsen",
        "Region Braunschweig und Umland",
        "Allianz für die Region Braunschweig GmbH",
        "Frankfurter Straße 2",
        "Niedersächsisches Ministerium für Wirtschaft, Verkehr, Bauen und Digitalisierung",
        f"Datum: {today}",
        f"Antrag auf Verlängerung der Anerkennung – Förderphase {draft.name}",
        "Das Fachkräftebündnis SüdOstNiedersachsen beantragt hiermit die Verlängerung",
        f"{draft.starts_on:%d.%m.%Y} – {draft.ends_on:%d.%m.%Y}",
        "Beantragtes virtuelles Budget 1.800.000,00 €",
        "Beantragter Fördersatz 62,5 %",
        "2.880.000,00 €",
        "7 von 10 angefragten Organisationen haben unterzeichnet",
        "Die Vorgaben des Landes sind erfüllt.",
        "Anschreiben Wir bitten um Verlängerung.",
        # Partners
        "1. Partner und Kooperationsvereinbarung",
        "Unterzeichnet 7",
        "Beschluss ausstehend 1",
        "Angefragt 1",
        "Abgelehnt 1",
        "Insgesamt 10",
        "Rat der Stadt, DS 26-08123, vom",
        "Trägerversammlung",
        f"TV 3/2026, geplant am {timezone.localdate() + timedelta(days=20):%d.%m.%Y}",
        "Präsidium, P 12/2026",
        # Strategy
        "2. Regionale Fachkräftestrategie",
        "Fassung 2 vom",
        "2.1 Analyse der Region",
        "Die Region altert; bis 2035 fehlen 40.000 Fachkräfte.",
        "Fachkräfte binden",
        "Betriebliche Gesundheit",
        "Pflege im Betrieb",
        f"Die Handlungsfelder und Themen hat der Steuerkreis am {today} beschlossen",
        "im Umlaufverfahren „Handlungsfelder der neuen Förderphase“",
        "2.4 Arbeitsweise des Bündnisses",
        # The phase before
        f"3. Bericht über die Förderphase {cycle.structure.phase.name}",
        "Abgeschlossen 1",
        "Von der Förderbank abgelehnt 1",
        "Insgesamt 7",
        "630.000,00 €",
        "260.000,00 €",
        "85.000,00 €",
        "285.000,00 €",
        "330.000,00 €",
        "Hebel (Projektvolumen je Euro Zuschuss) 2,2",
        "Geplant (Vorhaben mit Votum) 87",
        "Eintritte (abgeschlossene Vorhaben) 38",
        "Austritte (abgeschlossene Vorhaben) 30",
        "hat das Bündnis 5 Beschlüsse gefasst (Steuerkreis: 4, Sprecherkreis: 1",
        "Umlauf ohne Einvernehmen",
        "2.350.000,00 €",
        "350.000,00 €",
        "2.065.000,00 €",
        # Annex
        "Anlage: Geförderte Vorhaben",
        cycle.projects["closed"].reference,
        "Welcome Center",
        "Seite 1 von",
    ]
    missing = [snippet for snippet in expected if snippet not in text]
    assert not missing, (missing, text)
    assert "Abgelehnt von der Bank" not in text  # the annex lists funded projects only
    info = pdf_info(pdf, tmp_path)
    assert (
        f"Title:           Antrag auf Verlängerung der Anerkennung – Förderphase {draft.name}"
        in info
    )
    assert "Author:          Fachkräftebündnis SüdOstNiedersachsen" in info


def test_workbook_reads_back(cycle: Cycle) -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(dossier.render_xlsx(fresh(cycle.draft))))
    assert workbook.sheetnames == [
        "Antrag",
        "Partner",
        "Strategie",
        "Vorphase",
        "Vorhaben Vorphase",
    ]

    facts = {row[0].value: row[1] for row in workbook["Antrag"].iter_rows(min_row=2)}
    assert facts["Bündnis"].value == "Fachkräftebündnis SüdOstNiedersachsen"
    assert facts["Beantragtes virtuelles Budget"].value == 1800000
    assert facts["Beantragtes virtuelles Budget"].number_format == dossier.EURO_FORMAT
    assert facts["Beantragter Fördersatz"].value == pytest.approx(0.625)
    assert facts["Beginn"].value.date() == cycle.draft.starts_on
    assert facts["Beginn"].number_format == dossier.DATE_FORMAT
    assert facts["Partner: Unterzeichnet"].value == 7
    assert facts["Zusammensetzung nach den Vorgaben des Landes"].value == "erfüllt"

    partners = list(workbook["Partner"].iter_rows(values_only=True))
    assert partners[0] == (
        "Gruppe",
        "Organisation",
        "Stand",
        "Beschließendes Gremium",
        "Beschluss/Drucksache",
        "Beschluss vom",
        "Unterzeichnet am",
        "Abgelehnt am",
    )
    by_name = {row[1]: row for row in partners[1:]}
    assert len(by_name) == 10
    city = by_name["Stadt Braunschweig"]
    assert city[:5] == (
        "Kommunen",
        "Stadt Braunschweig",
        "Unterzeichnet",
        "Rat der Stadt",
        "DS 26-08123",
    )
    assert city[6].date() == timezone.localdate()
    assert by_name["Allianz für die Region Braunschweig GmbH"][7].date() == timezone.localdate()

    strategy = list(workbook["Strategie"].iter_rows(values_only=True))
    assert strategy[1][0] == "Analyse der Region"
    assert strategy[1][3].startswith("Die Region altert")
    assert ("Thema", "Fachkräfte binden", "Pflege im Betrieb", None) in strategy

    figures = {row[0].value: row[1] for row in workbook["Vorphase"].iter_rows(min_row=2)}
    assert figures["Projektvolumen"].value == 630000
    assert figures["Projektvolumen"].number_format == dossier.EURO_FORMAT
    assert figures["Zuschüsse (reserviert, gebunden, ausgezahlt)"].value == 285000
    assert figures["Kofinanzierung"].value == 330000
    assert figures["Hebel (Projektvolumen je Euro Zuschuss)"].value == pytest.approx(2.2)
    assert figures["Teilnehmende geplant"].value == 87
    assert figures["Verfügbar"].value == 2065000
    assert figures["Vorhaben: Abgeschlossen"].value == 1

    projects = list(workbook["Vorhaben Vorphase"].iter_rows(values_only=True))
    assert projects[0][:6] == (
        "Aktenzeichen",
        "Titel",
        "Projektträger",
        "Stand",
        "Förderfähige Gesamtkosten (€)",
        "Abgerechnete förderfähige Kosten (€)",
    )
    assert len(projects) == 1 + 7
    closed = next(row for row in projects if row[1] == "Welcome Center")
    assert closed[3] == "Abgeschlossen"
    # … the final grant, what the ledger paid, planned participants, entries, exits.
    assert closed[4:] == (200000, 170000, 100000, 90000, 85000, 85000, 40, 38, 30)
    # A title that looks like a formula is written as text.
    assert any(row[1] == "'=Noch in Beratung" for row in projects)
    sheet = workbook["Vorhaben Vorphase"]
    assert sheet.cell(row=2, column=5).number_format == dossier.EURO_FORMAT


def test_running_projects_add_what_is_paid_and_the_participants_reported(cycle: Cycle) -> None:
    """A running project of the phase before has drawn a tranche and reported figures: the
    dossier lists what the ledger paid and the participants so far, per project and in sum; a
    request the office has only checked is not paid."""
    from openpyxl import load_workbook

    from buendnis.grants import services as grants
    from buendnis.grants.selectors import Reached

    from ..factories import applicant_of
    from ..grants.results import breakdown, payment_request, period

    running = Project.objects.get(title="Digitales Lernen im Betrieb")
    applicant = applicant_of(running)
    released = payment_request(running, applicant, euro("40000.00"), 0)
    grants.payment_request_check(actor=cycle.office, request=released)
    grants.payment_request_release(actor=cycle.office, request=released)
    checked = payment_request(running, applicant, euro("12345.67"), 1)
    grants.payment_request_check(actor=cycle.office, request=checked)
    start, end = period(0)
    grants.participants_record(
        actor=applicant,
        project=running,
        period_from=start,
        period_to=end,
        entries=9,
        exits=2,
        breakdown=breakdown(9, 2),
    )

    report = dossier.dossier_data(fresh(cycle.draft)).previous
    assert report is not None
    # The closed project's 38/30 and the running one's 9/2; the closing count stays as it was.
    assert report.participants_reached == Reached(entries=47, exits=32)
    assert (report.participants_entered, report.participants_exited) == (38, 30)
    html = " ".join(dossier.render_html(fresh(cycle.draft)).split())
    assert "(40.000,00 €)" in html and "12.345,67" not in html
    assert "25 / 9" in html  # planned / entered so far

    workbook = load_workbook(io.BytesIO(dossier.render_xlsx(fresh(cycle.draft))))
    figures = {row[0].value: row[1].value for row in workbook["Vorphase"].iter_rows(min_row=2)}
    assert figures["Teilnehmende bisher eingetreten (alle geförderten Vorhaben)"] == 47
    assert figures["Teilnehmende bisher ausgetreten (alle geförderten Vorhaben)"] == 32
    rows = list(workbook["Vorhaben Vorphase"].iter_rows(values_only=True))
    row = next(row for row in rows if row[1] == "Digitales Lernen im Betrieb")
    assert row[-4:] == (40000, 25, 9, 2)


# --- The pages ----------------------------------------------------------------------------------


ACCESS = [
    ("public", 302),
    ("office", 200),
    ("speaker", 200),
    ("member", 200),
    ("advisory", 200),
    ("ministry", 200),
    ("admin", 200),
    ("applicant", 403),
    ("outsider", 403),
]


@pytest.fixture
def stand_ins(monkeypatch: pytest.MonkeyPatch) -> None:
    """The documents replaced by stand-ins: the pages' access is tested here, the rendering
    above."""
    monkeypatch.setattr(dossier, "render_pdf", lambda phase, **kwargs: b"%PDF-stand-in")
    monkeypatch.setattr(dossier, "render_xlsx", lambda phase: b"PK-stand-in")


@pytest.fixture
def draft(alliance: Alliance) -> FundingPhase:
    return PhaseFactory(
        alliance=alliance,
        name="2027–2030",
        starts_on=date(2027, 7, 1),
        ends_on=date(2030, 6, 30),
        recognition_status=RecognitionStatus.DRAFT,
    )


@pytest.mark.parametrize("suffix", ["pdf", "xlsx"])
@pytest.mark.parametrize(("persona", "status"), ACCESS)
def test_access_per_persona(
    client_as: Callable[[str], Client],
    draft: FundingPhase,
    stand_ins: None,
    persona: str,
    status: int,
    suffix: str,
) -> None:
    url = f"/son/intern/phasen/{draft.pk}/antrag.{suffix}"
    response = client_as(persona).get(url)
    assert response.status_code == status
    if status == 302:
        assert response["Location"] == f"/konto/anmelden/?next={url}"
    if status == 200:
        assert response.content == (b"%PDF-stand-in" if suffix == "pdf" else b"PK-stand-in")
        assert (
            f'filename="Verlaengerungsantrag-son-2027.{suffix}"' in response["Content-Disposition"]
        )


@pytest.mark.parametrize("suffix", ["pdf", "xlsx"])
def test_a_phase_of_another_alliance_is_not_found(
    client_as: Callable[[str], Client], other_alliance: Alliance, stand_ins: None, suffix: str
) -> None:
    theirs = PhaseFactory(alliance=other_alliance, recognition_status=RecognitionStatus.DRAFT)
    response = client_as("office").get(f"/son/intern/phasen/{theirs.pk}/antrag.{suffix}")
    assert response.status_code == 404


def test_the_real_documents_from_the_pages(cycle: Cycle, tmp_path: Path) -> None:
    client = Client()
    client.force_login(cycle.office)
    base = f"/son/intern/phasen/{cycle.draft.pk}/antrag"
    xlsx = client.get(base + ".xlsx")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert xlsx.content.startswith(b"PK")
    pytest.importorskip("weasyprint")
    pdf = client.get(base + ".pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert "Antrag auf Verlängerung der Anerkennung" in pdf_text(pdf.content, tmp_path)


def test_missing_weasyprint_gives_a_german_page(
    client_as: Callable[[str], Client], draft: FundingPhase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import now fails like a missing library
    response = client_as("office").get(f"/son/intern/phasen/{draft.pk}/antrag.pdf")
    assert response.status_code == 503
    page = response.content.decode()
    assert "Die Antragsunterlagen können gerade nicht als PDF erzeugt werden" in page
    assert f"/son/intern/phasen/{draft.pk}/antrag.xlsx" in page


def test_submitting_keeps_the_pdf_with_the_application(cycle: Cycle, tmp_path: Path) -> None:
    pytest.importorskip("weasyprint")
    client = Client()
    client.force_login(cycle.office)
    response = client.post(
        f"/son/intern/phasen/{cycle.draft.pk}/antrag/",
        {"antrag-cover_note": "Wir bitten um die Verlängerung unserer Anerkennung."},
    )
    assert response.status_code == 302
    application = ExtensionApplication.objects.get(phase=cycle.draft)
    assert application.submitted_at is not None
    assert application.dossier.name.endswith(".pdf")
    with application.dossier.open("rb") as stored:
        pdf = stored.read()
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    # The cover note submitted with it is in the copy the ministry receives.
    assert "Wir bitten um die Verlängerung unserer Anerkennung." in text
    assert "Bericht über die Förderphase" in text


def test_the_dossier_module_reexports_pdf_unavailable() -> None:
    from buendnis.core.pdf import PdfUnavailable

    assert dossier.PdfUnavailable is PdfUnavailable


def test_rendering_never_fetches_from_the_network() -> None:
    pytest.importorskip("weasyprint")
    from buendnis.core.pdf import local_fetcher

    fetcher = local_fetcher(dossier.ASSETS, document=dossier.DOCUMENT)
    assert b"@page" in fetcher.fetch((dossier.ASSETS / "dossier.css").as_uri()).read()
    for url in ("https://example.org/x.css", "file:///etc/passwd"):
        with pytest.raises(
            ValueError, match="Nur lokale Dateien|Keine Datei der Antragsunterlagen"
        ):
            fetcher.fetch(url)
