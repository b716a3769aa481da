"""The cycle's pages at work: every page renders in every stand of a phase (no id twice, every
control labelled), a refused form comes back with the German reason and its status, and the
office, a partner and the ministry take their steps through the pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client

from buendnis.accounts.models import User
from buendnis.alliances.models import ActionField, FundingPhase, RecognitionStatus, Topic
from buendnis.budget.models import EntryKind, LedgerEntry
from buendnis.renewal import services
from buendnis.renewal.models import (
    RecognitionDecision,
    SignatureRequest,
    SignatureStatus,
    Strategy,
    StrategyVersion,
)
from tests.factories import pdf_upload

from .conftest import DOSSIER, Cycle, days, today
from .html import assert_well_formed, duplicate_ids, unlabelled_controls

pytestmark = pytest.mark.django_db


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def url(phase: FundingPhase, tail: str = "") -> str:
    return f"/son/intern/phasen/{phase.pk}/{tail}"


def test_the_page_reader_finds_what_it_looks_for() -> None:
    assert duplicate_ids('<p id="a"></p><div id="b"></div><p id="a"></p>') == ["a"]
    html = (
        '<label for="x">X</label><input id="x" name="x"><input type="hidden" name="h">'
        '<textarea id="t"></textarea><select name="s"></select>'
    )
    assert unlabelled_controls(html) == [("textarea", "t"), ("select", "")]


# --- Every page renders in every stand ----------------------------------------------------------


def draft(cycle: Cycle) -> FundingPhase:
    phase = cycle.prepare()
    cycle.write_strategy(phase)
    cycle.adopt(phase)
    requests = cycle.ask(phase, due_on=today() + days(30))
    cycle.sign_all(requests[:4])
    return phase


def applied(cycle: Cycle) -> FundingPhase:
    return cycle.applied()


def changes_requested(cycle: Cycle) -> FundingPhase:
    phase = cycle.applied()
    cycle.decide(phase, "changes_requested")
    return phase


def recognised(cycle: Cycle) -> FundingPhase:
    phase = cycle.applied()
    cycle.decide(phase, "recognised", carry_over=Decimal("1000.00"), conditions="Bericht")
    return phase


def refused(cycle: Cycle) -> FundingPhase:
    phase = cycle.applied()
    cycle.decide(phase, "refused")
    return phase


STANDS = [draft, applied, changes_requested, recognised, refused]


@pytest.mark.parametrize("stand", STANDS, ids=[stand.__name__ for stand in STANDS])
@pytest.mark.parametrize("persona", ["office", "speaker", "ministry"])
def test_every_page_renders_in_every_stand(
    cycle: Cycle, stand: Callable[[Cycle], FundingPhase], persona: str
) -> None:
    phase = stand(cycle)
    client = cycle.client(persona)
    request = SignatureRequest.objects.filter(phase=phase).first()
    assert request is not None
    pages = [
        "/son/intern/phasen/",
        url(phase),
        url(phase, "strategie/"),
        url(phase, "strategie/?fassung=1"),
        url(phase, f"partner/{request.pk}/"),
    ]
    if persona == "office":
        pages += ["/son/intern/phasen/neu/", url(phase, "bearbeiten/")]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert_well_formed(html)
        assert "2027–2030" in html, page
    detail = client.get(url(phase)).content.decode()
    assert phase.get_recognition_status_display() in detail
    office_may_change = persona == "office" and stand in (draft, changes_requested)
    assert ("Handlungsfeld hinzufügen" in detail) is office_may_change
    assert ("Antrag beim Ministerium einreichen" in detail) is office_may_change
    assert ("Entscheidung speichern" in detail) is (persona == "ministry" and stand is applied)
    assert ("Prüfung vor dem Antrag" in detail) is (stand is not recognised)
    strategy = client.get(url(phase, "strategie/")).content.decode()
    assert ("Neue Fassung schreiben" in strategy) is office_may_change


def test_the_pages_say_what_is_missing_and_what_was_decided(cycle: Cycle) -> None:
    phase = cycle.prepare()
    office = cycle.client("office")
    detail = office.get(url(phase)).content.decode()
    assert "Noch fehlt:" in detail
    assert "Unter den Partnern fehlt eine Kammer." in detail
    assert "Der Steuerkreis hat die Handlungsfelder der Strategie noch nicht beschlossen." in detail
    assert "Noch niemand angefragt." in detail
    phase = recognised_later(cycle, phase)
    detail = office.get(url(phase)).content.decode()
    assert "Anerkannt, " + today().strftime("%d.%m.%Y") in detail
    assert "Az. MS 21-12345" in detail
    assert "Übertrag aus der vorigen Phase: 1.000,00" in detail
    assert "10 unterzeichnet, 0 Beschluss ausstehend, 0 angefragt, 0 abgelehnt." in detail


def recognised_later(cycle: Cycle, phase: FundingPhase) -> FundingPhase:
    cycle.write_strategy(phase)
    cycle.adopt(phase)
    cycle.sign_all(cycle.ask(phase))
    services.application_submit(actor=cycle.office, phase=phase)
    cycle.decide(phase, "recognised", carry_over=Decimal("1000.00"))
    return phase


def test_the_list_shows_phases_in_preparation_to_the_circle_only(cycle: Cycle) -> None:
    phase = cycle.prepare()
    listing = cycle.client("speaker").get("/son/intern/phasen/").content.decode()
    assert "In Vorbereitung" in listing and phase.name in listing
    assert "Nächste Förderphase vorbereiten" not in listing
    assert "Nächste Förderphase vorbereiten" in (
        cycle.client("office").get("/son/intern/phasen/").content.decode()
    )
    # The public phase list shows recognised phases only.
    public = Client().get("/son/foerderphasen/").content.decode()
    assert "2024–2027" in public and "2027–2030" not in public


# --- The office's steps through the pages -------------------------------------------------------


def test_the_office_prepares_a_phase_through_the_pages(cycle: Cycle) -> None:
    office = cycle.client("office")
    form = office.get("/son/intern/phasen/neu/").content.decode()
    assert 'value="2027-07-01"' in form  # the day after the running phase
    response = office.post(
        "/son/intern/phasen/neu/",
        {
            "name": "2027–2030",
            "starts_on": "2027-07-01",
            "ends_on": "2030-06-30",
            "virtual_budget": "1.800.000,00",
            "funding_rate": "70",
            "signature_deadline": "2027-03-31",
        },
    )
    phase = FundingPhase.objects.get(name="2027–2030")
    assert response.status_code == 302 and response["Location"] == url(phase)
    assert phase.recognition_status == RecognitionStatus.DRAFT
    assert phase.virtual_budget == Decimal("1800000.00")

    response = office.post(
        url(phase, "bearbeiten/"),
        {
            "name": "2027–2030",
            "starts_on": "2027-07-01",
            "ends_on": "2030-06-30",
            "virtual_budget": "2.000.000,00",
            "funding_rate": "70",
            "signature_deadline": "2027-04-30",
        },
    )
    assert response.status_code == 302
    phase.refresh_from_db()
    assert phase.virtual_budget == Decimal("2000000.00")
    assert phase.extension_application.signature_deadline == date(2027, 4, 30)

    response = office.post(
        url(phase, "strategie/"),
        {
            "analysis": "Die Region altert.",
            "review": "Zehn Vorhaben.",
            "fields_intro": "Drei Felder.",
            "working_methods": "Konsens.",
            "change_note": "Entwurf",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url(phase, "strategie/")
    assert StrategyVersion.objects.filter(strategy__phase=phase).count() == 2

    assert (
        office.post(url(phase, "handlungsfelder/"), {"feld-title": "Matching"}).status_code == 302
    )
    field = ActionField.objects.get(phase=phase, title="Matching")
    response = office.post(
        url(phase, "handlungsfelder/"), {"thema-action_field": field.pk, "thema-title": "Börse"}
    )
    assert response.status_code == 302
    assert response["Location"] == url(phase) + "#handlungsfelder"
    assert Topic.objects.get(action_field=field).title == "Börse"

    circulation = cycle.passed_circulation()
    detail = office.get(url(phase)).content.decode()
    assert f'value="c{circulation.pk}"' in detail
    response = office.post(url(phase, "beschluss/"), {"beschluss-source": f"c{circulation.pk}"})
    assert response.status_code == 302
    assert Strategy.objects.get(phase=phase).adopted_circulation == circulation

    # The partners of the phase before are preselected.
    detail = office.get(url(phase)).content.decode()
    ihk = cycle.org("IHK Braunschweig")
    assert f'value="{ihk.pk}" id="id_anfrage-organisations_' in detail
    response = office.post(
        url(phase, "partner/"),
        {
            "anfrage-organisations": [org.pk for org in cycle.partners],
            "anfrage-asked_on": today().isoformat(),
            "anfrage-due_on": (today() + days(30)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url(phase) + "#partner"
    assert SignatureRequest.objects.filter(phase=phase).count() == 10

    request = SignatureRequest.objects.get(phase=phase, organisation=ihk)
    response = office.post(
        url(phase, f"partner/{request.pk}/"),
        {
            "action": "sign",
            "sign-signed_on": today().isoformat(),
            "sign-decision_body": "Vollversammlung",
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == SignatureStatus.SIGNED
    assert request.agreement.decision_body == "Vollversammlung"  # type: ignore[union-attr]


REFUSALS: list[tuple[str, str | None, str, dict[str, str], int, str]] = [
    # (name, how the phase stands, address, data, status, German reason on the page)
    (
        "create: end before start",
        None,
        "neu/",
        {
            "name": "x",
            "starts_on": "2030-07-01",
            "ends_on": "2030-06-30",
            "virtual_budget": "1,00",
            "funding_rate": "50",
        },
        400,
        "Das Ende der Förderphase muss nach ihrem Beginn liegen.",
    ),
    (
        "create: overlap",
        None,
        "neu/",
        {
            "name": "x",
            "starts_on": "2027-01-01",
            "ends_on": "2029-06-30",
            "virtual_budget": "1,00",
            "funding_rate": "50",
        },
        400,
        "überschneidet sich mit „2024–2027“",
    ),
    (
        "edit: with the ministry",
        "applied",
        "bearbeiten/",
        {
            "name": "neu",
            "starts_on": "2027-07-01",
            "ends_on": "2030-06-30",
            "virtual_budget": "1,00",
            "funding_rate": "50",
        },
        409,
        "liegt beim Ministerium oder ist entschieden: „Verlängerung beantragt“",
    ),
    (
        "strategy: unchanged",
        "draft",
        "strategie/",
        {},
        400,
        "Der Text ist unverändert; es entsteht keine neue Fassung.",
    ),
    (
        "strategy: with the ministry",
        "applied",
        "strategie/",
        {"analysis": "anders"},
        409,
        "liegt beim Ministerium oder ist entschieden",
    ),
    (
        "field: empty",
        "draft",
        "handlungsfelder/",
        {"feld-title": ""},
        400,
        "Dieses Feld ist zwingend erforderlich.",
    ),
    (
        "field: with the ministry",
        "applied",
        "handlungsfelder/",
        {"feld-title": "Nachzügler"},
        409,
        "Die Handlungsfelder einer beantragten Phase bleiben, wie sie sind.",
    ),
    (
        "adopt: nothing chosen",
        "draft",
        "beschluss/",
        {"beschluss-source": ""},
        400,
        "Dieses Feld ist zwingend erforderlich.",
    ),
    (
        "ask: in the future",
        "draft",
        "partner/",
        {"anfrage-organisations": "IHK", "anfrage-asked_on": "tomorrow"},
        400,
        "Das Datum der Anfrage darf nicht in der Zukunft liegen.",
    ),
    (
        "decide: no reference",
        "applied",
        "entscheidung/",
        {"entscheidung-outcome": "recognised", "entscheidung-decided_on": "today"},
        400,
        "Bitte das Aktenzeichen der Anerkennung angeben.",
    ),
    (
        "decide: twice",
        "recognised",
        "entscheidung/",
        {
            "entscheidung-outcome": "refused",
            "entscheidung-decided_on": "today",
            "entscheidung-reason": "Doch nicht",
        },
        409,
        "Über diese Förderphase ist nichts zu entscheiden: „Anerkannt“",
    ),
]
if DOSSIER:  # the submission renders the dossier first (test_pages_access.test_the_office_submits)
    REFUSALS.append(
        ("submit: not ready", "draft", "antrag/", {}, 400, "Der Antrag kann noch nicht gestellt")
    )


@pytest.mark.parametrize(
    ("stand", "tail", "data", "status", "reason"),
    [case[1:] for case in REFUSALS],
    ids=[case[0] for case in REFUSALS],
)
def test_a_refused_form_comes_back_with_the_reason(  # noqa: PLR0913
    cycle: Cycle,
    stand: str | None,
    tail: str,
    data: dict[str, str],
    status: int,
    reason: str,
) -> None:
    phase = None
    if stand == "draft":
        phase = cycle.prepare()
        cycle.write_strategy(phase)
    elif stand == "applied":
        phase = cycle.applied()
    elif stand == "recognised":
        phase = cycle.applied()
        cycle.decide(phase, "recognised")
    address = f"/son/intern/phasen/{tail}" if phase is None else url(phase, tail)
    values = {
        key: {
            "today": today().isoformat(),
            "tomorrow": (today() + days(1)).isoformat(),
            "IHK": str(cycle.org("IHK Braunschweig").pk),
        }.get(value, value)
        for key, value in data.items()
    }
    if tail == "strategie/" and not values:
        values = {  # the text as it stands
            "analysis": "Die Region altert; Betriebe finden keine Auszubildenden.",
            "review": "Zehn Vorhaben, 1,5 Mio. Euro.",
            "fields_intro": "Drei Handlungsfelder, thematisch offen.",
            "working_methods": "Konsens im Steuerkreis.",
        }
    actor = "ministry" if tail == "entscheidung/" else "office"
    before = (
        FundingPhase.objects.count(),
        StrategyVersion.objects.count(),
        ActionField.objects.count(),
        SignatureRequest.objects.count(),
        RecognitionDecision.objects.count(),
    )
    response = cycle.client(actor).post(address, values)
    assert response.status_code == status
    html = response.content.decode()
    assert reason in html
    assert "Bitte prüfen Sie Ihre Eingaben." in html
    assert_well_formed(html)
    assert before == (
        FundingPhase.objects.count(),
        StrategyVersion.objects.count(),
        ActionField.objects.count(),
        SignatureRequest.objects.count(),
        RecognitionDecision.objects.count(),
    )


def test_a_refused_answer_keeps_the_input(cycle: Cycle) -> None:
    phase = cycle.prepare()
    [request] = cycle.ask(phase, [cycle.org("IHK Braunschweig")], asked_on=today() - days(3))
    response = cycle.client("office").post(
        url(phase, f"partner/{request.pk}/"),
        {
            "action": "sign",
            "sign-signed_on": (today() - days(4)).isoformat(),
            "sign-decision_body": "Vollversammlung",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Unterzeichnet werden kann erst nach der Anfrage" in html
    assert 'value="Vollversammlung"' in html
    assert "<details open>" in html
    assert_well_formed(html)
    assert SignatureRequest.objects.get(pk=request.pk).status == SignatureStatus.ASKED


# --- A partner answers on their own page --------------------------------------------------------


def test_a_partner_signs_with_the_document_on_their_page(
    cycle: Cycle,
    contact: User,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    phase = cycle.prepare()
    [request] = cycle.ask(phase, [cycle.org("Stadt Braunschweig")], due_on=today() + days(9))
    client = client_for(contact)
    page = client.get("/son/intern/vereinbarung/").content.decode()
    assert_well_formed(page)
    assert "Rückmeldung erbeten bis" in page
    prefix = f"r{request.pk}-sign"
    # Without the signed document the partner cannot confirm.
    response = client.post(
        "/son/intern/vereinbarung/",
        {"request": request.pk, "action": "sign", f"{prefix}-signed_on": today().isoformat()},
    )
    assert response.status_code == 400
    assert "Bitte die unterzeichnete Vereinbarung hochladen." in response.content.decode()
    assert_well_formed(response.content.decode())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/son/intern/vereinbarung/",
            {
                "request": request.pk,
                "action": "sign",
                f"{prefix}-signed_on": today().isoformat(),
                f"{prefix}-document": pdf_upload("kooperationsvereinbarung.pdf"),
                f"{prefix}-decision_body": "Rat",
                f"{prefix}-reference": "DS 27-00153",
            },
        )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == SignatureStatus.SIGNED
    assert request.document.name.endswith(".pdf")
    assert request.agreement.decision_reference == "DS 27-00153"  # type: ignore[union-attr]
    assert [message.to for message in mail.outbox] == [
        ["geschaeftsstelle@son.example.org", "office@example.org"]
    ]
    # Answered: the page has nothing open any more.
    page = client.get("/son/intern/vereinbarung/").content.decode()
    assert "Für Ihre Organisation ist keine Unterschrift offen." in page


# --- The ministry decides through the page ------------------------------------------------------


def test_the_ministry_recognises_with_a_carry_over(
    cycle: Cycle,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    phase = cycle.applied()
    ministry = cycle.client("ministry")
    detail = ministry.get(url(phase)).content.decode()
    assert "Ein Übertrag kommt aus der Phase 2024–2027" in detail
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = ministry.post(
            url(phase, "entscheidung/"),
            {
                "entscheidung-outcome": "recognised",
                "entscheidung-decided_on": today().isoformat(),
                "entscheidung-reference": "MS 21-12345",
                "entscheidung-virtual_budget": "1.500.000,00",
                "entscheidung-funding_rate": "50",
                "entscheidung-carry_over": "25.000,00",
            },
        )
    assert response.status_code == 302
    phase.refresh_from_db()
    assert phase.recognition_status == RecognitionStatus.RECOGNISED
    assert LedgerEntry.objects.filter(
        kind=EntryKind.CARRY_OVER, phase=phase
    ).get().budget_delta == (Decimal("25000.00"))
    assert len(mail.outbox) == 1
    follow = ministry.get(url(phase)).content.decode()
    assert "Entscheidung erfasst: Anerkannt. Die Geschäftsstelle erhält eine E-Mail." in follow


def test_an_overdrawing_carry_over_comes_back_on_its_field(cycle: Cycle) -> None:
    phase = cycle.applied()
    response = cycle.client("ministry").post(
        url(phase, "entscheidung/"),
        {
            "entscheidung-outcome": "recognised",
            "entscheidung-decided_on": today().isoformat(),
            "entscheidung-reference": "MS 21-12345",
            "entscheidung-virtual_budget": "1.500.000,00",
            "entscheidung-funding_rate": "50",
            "entscheidung-carry_over": "1.500.000,01",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "höchstens 1.500.000,00" in html
    assert 'id="id_entscheidung-carry_over_error"' in html
    phase.refresh_from_db()
    assert phase.recognition_status == RecognitionStatus.APPLIED
    assert not LedgerEntry.objects.exists()


# --- Submitting and resubmitting through the page -----------------------------------------------


@pytest.mark.skipif(not DOSSIER, reason="the submission renders the dossier")
def test_submit_ask_for_changes_resubmit_through_the_pages(
    cycle: Cycle,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    phase = cycle.ready()
    office = cycle.client("office")
    ministry = cycle.client("ministry")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = office.post(url(phase, "antrag/"), {"antrag-cover_note": "Bitte verlängern."})
    assert response.status_code == 302
    phase.refresh_from_db()
    assert phase.recognition_status == RecognitionStatus.APPLIED
    assert [message.to for message in mail.outbox] == [["ministry@example.org"]]
    # A second submission while the ministry has it: refused, the reason above the page.
    response = office.post(url(phase, "antrag/"), {"antrag-cover_note": "Nochmal"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Der Antrag ist schon gestellt oder entschieden: „Verlängerung beantragt“." in html
    assert_well_formed(html)
    response = ministry.post(
        url(phase, "entscheidung/"),
        {
            "entscheidung-outcome": "changes_requested",
            "entscheidung-decided_on": today().isoformat(),
            "entscheidung-reason": "Bitte die Pflege ergänzen.",
        },
    )
    assert response.status_code == 302
    detail = office.get(url(phase)).content.decode()
    assert "Begründung: Bitte die Pflege ergänzen." in detail
    assert "Antrag beim Ministerium einreichen" in detail
    response = office.post(url(phase, "antrag/"), {"antrag-cover_note": "Ergänzt."})
    assert response.status_code == 302
    phase.refresh_from_db()
    assert phase.recognition_status == RecognitionStatus.APPLIED
    assert phase.extension_application.submissions == 2
    assert "(2. Einreichung)" in office.get(url(phase)).content.decode()


def test_a_refused_phase_offers_no_answer_forms(cycle: Cycle) -> None:
    phase = cycle.ready()
    [late] = cycle.ask(phase, [cycle.structure.unsigned])
    services.application_submit(actor=cycle.office, phase=phase)
    office = cycle.client("office")
    assert (
        "Unterschrift bestätigen" in office.get(url(phase, f"partner/{late.pk}/")).content.decode()
    )
    cycle.decide(phase, "refused")
    page = office.get(url(phase, f"partner/{late.pk}/")).content.decode()
    assert "Unterschrift bestätigen" not in page
    response = office.post(
        url(phase, f"partner/{late.pk}/"),
        {"action": "decline", "decline-declined_on": today().isoformat()},
    )
    assert response.status_code == 409
    assert "Die Anerkennung dieser Förderphase ist abgelehnt." in response.content.decode()
    assert SignatureRequest.objects.get(pk=late.pk).status == SignatureStatus.ASKED


def test_the_phase_page_links_the_adopting_decision(cycle: Cycle) -> None:
    phase = cycle.prepare()
    cycle.write_strategy(phase)
    cycle.adopt(phase)
    from buendnis.renewal.models import Strategy

    circulation = Strategy.objects.get(phase=phase).adopted_circulation
    assert circulation is not None
    client = Client()
    client.force_login(cycle.personas["member"])  # type: ignore[arg-type]
    html = client.get(f"/son/intern/phasen/{phase.pk}/").content.decode()
    assert f'href="/son/intern/umlaufbeschluesse/{circulation.pk}/"' in html
    assert "Umlaufbeschluss „Handlungsfelder 2027–2030“" in html
