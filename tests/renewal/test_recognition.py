"""The ministry's decision and the state machine of recognition:

draft → applied → changes_requested → applied → recognised, and applied → refused. Every other
move is a TransitionNotAllowed. Recognition opens the phase: it becomes current, takes projects,
books the carry-over in both phases and the Steuerkreis follows the signatures."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import transaction

from buendnis.alliances.models import FundingPhase, RecognitionStatus, Seat, SeatRole
from buendnis.alliances.selectors import current_phase, phase_list
from buendnis.budget import services as budget
from buendnis.budget.models import EntryKind, LedgerEntry
from buendnis.budget.selectors import budget_figures
from buendnis.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from buendnis.core.models import AuditEntry
from buendnis.funding.states import Status
from buendnis.renewal import services
from buendnis.renewal.models import ExtensionApplication, RecognitionDecision, SignatureStatus
from tests.factories import PhaseFactory, ProjectFactory, project_in_state

from .conftest import NEW_START, Cycle, days, today

pytestmark = pytest.mark.django_db


def status(phase: FundingPhase) -> str:
    return FundingPhase.objects.get(pk=phase.pk).recognition_status


# --- The state machine --------------------------------------------------------------------------


def test_changes_requested_then_resubmitted_then_recognised(cycle: Cycle) -> None:
    phase = cycle.applied()
    cycle.decide(phase, "changes_requested", reason="Bitte die Pflege ergänzen.")
    assert status(phase) == RecognitionStatus.CHANGES_REQUESTED
    # The office revises and applies again: a second submission of the same application.
    services.strategy_revise(
        actor=cycle.office,
        phase=phase,
        analysis="Mit Pflege.",
        review="",
        fields_intro="Drei Felder.",
        working_methods="",
    )
    application = services.application_submit(actor=cycle.office, phase=phase)
    assert application.submissions == 2
    assert status(phase) == RecognitionStatus.APPLIED
    cycle.decide(
        phase,
        "recognised",
        reference="MS 21-12345",
        virtual_budget=Decimal("1500000.00"),
        funding_rate=Decimal("50.00"),
        conditions="Bericht zur Halbzeit",
    )
    assert phase.recognition_status == RecognitionStatus.RECOGNISED
    assert (phase.recognised_on, phase.recognition_reference) == (today(), "MS 21-12345")
    assert (phase.virtual_budget, phase.funding_rate) == (Decimal("1500000.00"), Decimal("50.00"))
    assert phase.recognition_conditions == "Bericht zur Halbzeit"
    outcomes = list(
        RecognitionDecision.objects.filter(phase=phase).values_list("outcome", flat=True)
    )
    assert outcomes == ["changes_requested", "recognised"]
    moves = list(
        AuditEntry.objects.filter(
            object_type="alliances.fundingphase",
            object_id=str(phase.pk),
            action__in=("renewal.applied", "renewal.recognition_decided"),
        )
        .order_by("id")
        .values_list("from_state", "to_state")
    )
    assert moves == [
        ("draft", "applied"),
        ("applied", "changes_requested"),
        ("changes_requested", "applied"),
        ("applied", "recognised"),
    ]


def test_a_refusal_ends_the_phase_for_good(cycle: Cycle) -> None:
    phase = cycle.applied()
    cycle.decide(phase, "refused", reason="Die Zusammensetzung trägt nicht.")
    assert phase.recognition_status == RecognitionStatus.REFUSED
    assert phase.recognised_on is None
    with pytest.raises(TransitionNotAllowed, match="schon gestellt oder entschieden"):
        services.application_submit(actor=cycle.office, phase=phase)
    for outcome in ("recognised", "refused", "changes_requested"):
        with pytest.raises(TransitionNotAllowed, match="nichts zu entscheiden: „Abgelehnt“"):
            cycle.decide(phase, outcome)
    with pytest.raises(TransitionNotAllowed):
        services.phase_draft_update(actor=cycle.office, phase=phase, name="x")
    assert RecognitionDecision.objects.filter(phase=phase).count() == 1
    assert status(phase) == RecognitionStatus.REFUSED


@pytest.mark.parametrize("outcome", ["recognised", "changes_requested", "refused"])
def test_nothing_to_decide_on_a_draft(cycle: Cycle, outcome: str) -> None:
    phase = cycle.ready()
    with pytest.raises(TransitionNotAllowed, match="„In Vorbereitung“"):
        cycle.decide(phase, outcome)
    assert status(phase) == RecognitionStatus.DRAFT
    assert not RecognitionDecision.objects.exists()


@pytest.mark.parametrize("outcome", ["recognised", "changes_requested", "refused"])
def test_nothing_to_decide_while_changes_are_made(cycle: Cycle, outcome: str) -> None:
    phase = cycle.applied()
    cycle.decide(phase, "changes_requested")
    with pytest.raises(TransitionNotAllowed, match="„Änderungen erbeten“"):
        cycle.decide(phase, outcome)
    assert status(phase) == RecognitionStatus.CHANGES_REQUESTED
    assert RecognitionDecision.objects.count() == 1


@pytest.mark.parametrize("outcome", ["recognised", "changes_requested", "refused"])
def test_a_recognised_phase_is_decided(cycle: Cycle, outcome: str) -> None:
    phase = cycle.applied()
    cycle.decide(phase, "recognised")
    with pytest.raises(TransitionNotAllowed, match="„Anerkannt“"):
        cycle.decide(phase, outcome)
    assert status(phase) == RecognitionStatus.RECOGNISED
    assert RecognitionDecision.objects.count() == 1


def test_a_phase_recorded_directly_is_not_decided_again(cycle: Cycle) -> None:
    with pytest.raises(TransitionNotAllowed):
        cycle.decide(cycle.previous, "refused")


@pytest.mark.parametrize("persona", ["office", "speaker", "member", "advisory", "outsider"])
def test_only_the_ministry_decides(cycle: Cycle, persona: str) -> None:
    phase = cycle.applied()
    with pytest.raises(NotPermitted, match="entscheidet das Ministerium"):
        services.recognition_decide(
            actor=cycle.personas[persona],  # type: ignore[arg-type]
            phase=phase,
            outcome="recognised",
            decided_on=today(),
            reference="x",
            virtual_budget=Decimal("1.00"),
            funding_rate=Decimal("50"),
        )
    assert status(phase) == RecognitionStatus.APPLIED
    assert not RecognitionDecision.objects.exists()


def test_platform_admins_decide_for_the_ministry(cycle: Cycle) -> None:
    phase = cycle.applied()
    services.recognition_decide(
        actor=cycle.personas["admin"],  # type: ignore[arg-type]
        phase=phase,
        outcome="refused",
        decided_on=today(),
        reason="Nein",
    )
    assert status(phase) == RecognitionStatus.REFUSED


# --- What a decision must say -------------------------------------------------------------------


def test_recognition_names_reference_budget_and_rate(cycle: Cycle) -> None:
    phase = cycle.applied()
    with pytest.raises(DomainError) as refused:
        services.recognition_decide(
            actor=cycle.ministry,
            phase=phase,
            outcome="recognised",
            decided_on=today(),
            reference=" ",
            funding_rate=Decimal("0"),
        )
    assert set(refused.value.message_dict) == {"reference", "virtual_budget", "funding_rate"}
    assert refused.value.message_dict["funding_rate"] == [
        "Der Fördersatz muss größer als 0 % und höchstens 100 % sein."
    ]
    with pytest.raises(DomainError, match="auf den Cent genau"):
        cycle.decide(phase, "recognised", virtual_budget=Decimal("1.005"))
    with pytest.raises(DomainError, match="höchstens 100 %"):
        cycle.decide(phase, "recognised", funding_rate=Decimal("100.01"))
    assert status(phase) == RecognitionStatus.APPLIED
    cycle.decide(phase, "recognised", funding_rate=Decimal("100"))
    assert phase.funding_rate == Decimal("100")


@pytest.mark.parametrize("outcome", ["changes_requested", "refused"])
def test_a_request_for_changes_or_a_refusal_is_reasoned(cycle: Cycle, outcome: str) -> None:
    phase = cycle.applied()
    with pytest.raises(DomainError, match="begründen"):
        cycle.decide(phase, outcome, reason="  ")
    assert status(phase) == RecognitionStatus.APPLIED
    cycle.decide(phase, outcome, reason="Weil.")
    assert status(phase) == outcome


def test_decided_not_in_the_future(cycle: Cycle) -> None:
    phase = cycle.applied()
    with pytest.raises(DomainError, match="Entscheidung darf nicht in der Zukunft"):
        cycle.decide(phase, "recognised", decided_on=today() + days(1))
    assert status(phase) == RecognitionStatus.APPLIED
    cycle.decide(phase, "recognised", decided_on=today())
    assert phase.recognised_on == today()


def test_decided_not_before_the_application(cycle: Cycle) -> None:
    phase = cycle.applied()
    with pytest.raises(DomainError, match="nicht vor dem Antrag"):
        cycle.decide(phase, "refused", decided_on=today() - days(1))
    assert status(phase) == RecognitionStatus.APPLIED
    assert not RecognitionDecision.objects.exists()


def test_the_last_submission_is_the_application_date(cycle: Cycle) -> None:
    phase = cycle.applied()
    cycle.decide(phase, "changes_requested")
    # Pretend the first submission and the request for changes lie a month back; the
    # resubmission today is what the next decision follows.
    ExtensionApplication.objects.filter(phase=phase).update(
        submitted_at=ExtensionApplication.objects.get(phase=phase).submitted_at - days(30)
    )
    services.application_submit(actor=cycle.office, phase=phase)
    with pytest.raises(DomainError, match="nicht vor dem Antrag"):
        cycle.decide(phase, "recognised", decided_on=today() - days(10))
    cycle.decide(phase, "recognised", decided_on=today())


def test_the_decision_keeps_the_ministrys_name(cycle: Cycle, settings) -> None:  # type: ignore[no-untyped-def]
    settings.BUENDNIS_MINISTRY_NAME = "Niedersächsisches Ministerium für Soziales"
    phase = cycle.applied()
    cycle.decide(phase, "recognised")
    decision = RecognitionDecision.objects.get(phase=phase)
    assert decision.authority == "Niedersächsisches Ministerium für Soziales"
    assert decision.actor == cycle.ministry
    assert (decision.virtual_budget, decision.funding_rate) == (
        Decimal("1500000.00"),
        Decimal("50.00"),
    )


def test_the_default_ministry_name_is_a_setting() -> None:
    assert settings.BUENDNIS_MINISTRY_NAME.startswith("Niedersächsisches Ministerium")


# --- A phase is current and takes projects only once recognised ---------------------------------


def test_current_phase_ignores_a_draft_that_runs_today(other_alliance) -> None:  # type: ignore[no-untyped-def]
    ended = PhaseFactory(
        alliance=other_alliance,
        name="2021–2024",
        starts_on=date(2021, 7, 1),
        ends_on=today() - days(40),
    )
    draft = PhaseFactory(
        alliance=other_alliance,
        name="neu",
        starts_on=today() - days(39),
        ends_on=today() + days(900),
        recognition_status=RecognitionStatus.DRAFT,
    )
    assert current_phase(other_alliance) == ended
    assert list(phase_list(other_alliance)) == [ended]
    assert list(phase_list(other_alliance, with_unrecognised=True)) == [ended, draft]
    for unrecognised in (
        RecognitionStatus.APPLIED,
        RecognitionStatus.CHANGES_REQUESTED,
        RecognitionStatus.REFUSED,
    ):
        FundingPhase.objects.filter(pk=draft.pk).update(recognition_status=unrecognised)
        assert current_phase(other_alliance) == ended
    FundingPhase.objects.filter(pk=draft.pk).update(recognition_status=RecognitionStatus.RECOGNISED)
    assert current_phase(other_alliance) == draft


def test_current_phase_without_any_recognised_phase_is_none(other_alliance) -> None:  # type: ignore[no-untyped-def]
    PhaseFactory(alliance=other_alliance, recognition_status=RecognitionStatus.DRAFT)
    assert current_phase(other_alliance) is None


def test_no_project_in_a_phase_before_its_recognition(cycle: Cycle) -> None:
    phase = cycle.applied()
    with pytest.raises(DomainError) as refused:
        ProjectFactory(phase=phase)
    assert refused.value.message_dict["phase"] == [
        "Die Förderphase 2027–2030 ist noch nicht vom Ministerium anerkannt; Vorhaben werden "
        "erst danach in ihr angelegt."
    ]
    cycle.decide(phase, "recognised")
    assert ProjectFactory(phase=phase).phase == phase


# --- The carry-over: two bookings, never an overdraft -------------------------------------------


def test_the_carry_over_is_booked_in_both_phases(cycle: Cycle) -> None:
    phase = cycle.applied()
    before = budget_figures(cycle.previous)
    cycle.decide(phase, "recognised", carry_over=Decimal("100000.00"))
    out, into = LedgerEntry.objects.filter(kind=EntryKind.CARRY_OVER).order_by("id")
    assert (out.phase, out.budget_delta) == (cycle.previous, Decimal("-100000.00"))
    assert (into.phase, into.budget_delta) == (phase, Decimal("100000.00"))
    assert into.note == "Übertrag von 2024–2027 nach 2027–2030 (Anerkennung MS 21-12345)"
    assert budget_figures(cycle.previous).budget == before.budget - Decimal("100000.00")
    assert budget_figures(phase).budget == Decimal("1600000.00")
    assert RecognitionDecision.objects.get(phase=phase).carry_over == Decimal("100000.00")
    assert AuditEntry.objects.filter(action="budget.carry_over").count() == 2


def test_exactly_what_is_available_may_be_carried_over(cycle: Cycle) -> None:
    project_in_state(cycle.previous, Status.ENDORSED, requested_grant=Decimal("100000.00"))
    available = budget_figures(cycle.previous).available
    assert available == Decimal("1400000.00")
    phase = cycle.applied()
    cycle.decide(phase, "recognised", carry_over=available)
    assert budget_figures(cycle.previous).available == Decimal("0.00")


def test_a_carry_over_beyond_what_is_available_refuses_the_whole_decision(cycle: Cycle) -> None:
    project_in_state(cycle.previous, Status.ENDORSED, requested_grant=Decimal("100000.00"))
    phase = cycle.applied()
    seats_before = list(Seat.objects.values_list("pk", "ends_on"))
    with pytest.raises(DomainError) as refused:
        cycle.decide(phase, "recognised", carry_over=Decimal("1400000.01"))
    [message] = refused.value.message_dict["carry_over"]
    assert message.startswith("Aus der Phase 2024–2027 sind höchstens 1.400.000,00")
    assert message.endswith("verfügbar; mehr kann nicht übertragen werden.")
    # Nothing booked, nothing decided, nothing seated.
    assert not LedgerEntry.objects.filter(kind=EntryKind.CARRY_OVER).exists()
    assert status(phase) == RecognitionStatus.APPLIED
    assert not RecognitionDecision.objects.exists()
    assert list(Seat.objects.values_list("pk", "ends_on")) == seats_before
    assert not AuditEntry.objects.filter(action="renewal.recognition_decided").exists()


def test_no_carry_over_without_a_phase_before(cycle: Cycle) -> None:
    phase = cycle.applied()
    FundingPhase.objects.filter(pk=cycle.previous.pk).update(
        recognition_status=RecognitionStatus.REFUSED
    )
    with pytest.raises(DomainError, match="keine vorige Förderphase"):
        cycle.decide(phase, "recognised", carry_over=Decimal("1.00"))
    assert status(phase) == RecognitionStatus.APPLIED


def test_a_negative_carry_over_is_refused(cycle: Cycle) -> None:
    phase = cycle.applied()
    with pytest.raises(DomainError, match="positiver Betrag"):
        cycle.decide(phase, "recognised", carry_over=Decimal("-5.00"))
    assert not LedgerEntry.objects.exists()


def test_no_carry_over_on_a_refusal(cycle: Cycle) -> None:
    phase = cycle.applied()
    cycle.decide(phase, "refused", carry_over=Decimal("100.00"))
    assert not LedgerEntry.objects.exists()
    assert RecognitionDecision.objects.get(phase=phase).carry_over is None


def test_carry_over_rules(cycle: Cycle, other_alliance) -> None:  # type: ignore[no-untyped-def]
    target = PhaseFactory(alliance=cycle.alliance, starts_on=NEW_START, ends_on=date(2030, 6, 30))
    foreign = PhaseFactory(alliance=other_alliance)
    for source, into, amount in (
        (cycle.previous, cycle.previous, Decimal("1.00")),
        (foreign, target, Decimal("1.00")),
    ):
        with pytest.raises(DomainError, match="desselben Bündnisses"):
            budget.carry_over(actor=None, source=source, target=into, amount=amount, note="x")
    for amount in (Decimal("0"), Decimal("0.001")):
        with pytest.raises(DomainError, match="auf den Cent genau"):
            budget.carry_over(
                actor=None, source=cycle.previous, target=target, amount=amount, note="x"
            )
    assert not LedgerEntry.objects.exists()


def test_both_bookings_are_one_transaction(cycle: Cycle, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """If the second booking fails, the first is undone with it (fault injected into the
    ledger's writer: the database itself fails nothing here)."""
    target = PhaseFactory(alliance=cycle.alliance, starts_on=NEW_START, ends_on=date(2030, 6, 30))
    real_book = budget._book
    calls: list[int] = []

    def book_once(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs["phase"].pk)
        if len(calls) == 2:
            raise RuntimeError("Datenbank weg")
        return real_book(**kwargs)

    monkeypatch.setattr(budget, "_book", book_once)
    with pytest.raises(RuntimeError), transaction.atomic():
        budget.carry_over(
            actor=None, source=cycle.previous, target=target, amount=Decimal("10.00"), note="x"
        )
    assert calls == [cycle.previous.pk, target.pk]
    assert not LedgerEntry.objects.exists()


# --- Seats follow the signatures ----------------------------------------------------------------


def test_seats_follow_the_signatures_on_recognition(cycle: Cycle) -> None:
    structure = cycle.structure
    phase = cycle.prepare()
    cycle.write_strategy(phase)
    cycle.adopt(phase)
    stays_away = cycle.org("AGV Wolfsburg")
    newcomer = structure.unsigned  # Gemeinde Cremlingen: no seat so far
    requests = cycle.ask(phase, [*cycle.partners, newcomer, structure.arl])
    for request in requests:
        if request.organisation == stays_away:
            services.signature_decline(actor=cycle.office, request=request, declined_on=today())
        else:
            services.signature_sign(actor=cycle.office, request=request, signed_on=today())
    services.application_submit(actor=cycle.office, phase=phase)
    steering = structure.steering

    def seats_of(organisation) -> list[tuple[str, date, date | None]]:  # type: ignore[no-untyped-def]
        return list(
            Seat.objects.filter(body=steering, organisation=organisation)
            .order_by("starts_on")
            .values_list("role", "starts_on", "ends_on")
        )

    cycle.decide(phase, "changes_requested")
    assert seats_of(stays_away) == [(SeatRole.MEMBER, date(2024, 7, 1), None)]
    services.application_submit(actor=cycle.office, phase=phase)
    cycle.decide(phase, "recognised")

    # The partner that did not sign leaves the Steuerkreis the day before the phase.
    assert seats_of(stays_away) == [(SeatRole.MEMBER, date(2024, 7, 1), date(2027, 6, 30))]
    # A signer without a seat gets one from the phase's first day.
    assert seats_of(newcomer) == [(SeatRole.MEMBER, NEW_START, None)]
    # The advisory Amt signed too, and stays advisory, with its one seat.
    assert seats_of(structure.arl) == [(SeatRole.ADVISORY, date(2024, 7, 1), None)]
    # Partners who signed again keep their seat as it is.
    assert seats_of(cycle.org("IHK Braunschweig")) == [(SeatRole.MEMBER, date(2024, 7, 1), None)]
    assert AuditEntry.objects.filter(action="seat.create").count() == 1
    assert AuditEntry.objects.filter(action="seat.update").count() == 1


def test_advisory_seats_stay_even_without_a_signature(cycle: Cycle) -> None:
    phase = cycle.applied()
    cycle.decide(phase, "recognised")
    arl = Seat.objects.get(organisation=cycle.structure.arl)
    assert (arl.role, arl.ends_on) == (SeatRole.ADVISORY, None)


def test_a_refusal_changes_no_seat(cycle: Cycle) -> None:
    phase = cycle.ready()
    [late] = cycle.ask(phase, [cycle.structure.unsigned])
    cycle.sign_all([late])
    services.application_submit(actor=cycle.office, phase=phase)
    seats_before = list(Seat.objects.values_list("pk", "ends_on"))
    cycle.decide(phase, "refused")
    assert list(Seat.objects.values_list("pk", "ends_on")) == seats_before
    assert late.organisation.signature_requests.get().status == SignatureStatus.SIGNED


def test_a_partner_signing_after_the_recognition_gets_its_vote(cycle: Cycle) -> None:
    phase = cycle.ready()
    [late] = cycle.ask(phase, [cycle.structure.unsigned])
    services.application_submit(actor=cycle.office, phase=phase)
    cycle.decide(phase, "recognised")
    steering = cycle.structure.steering
    assert not Seat.objects.filter(body=steering, organisation=late.organisation).exists()

    services.signature_sign(actor=cycle.office, request=late, signed_on=today())
    # The phase lies ahead: the vote begins with it (after its start: with the signature).
    assert list(
        Seat.objects.filter(body=steering, organisation=late.organisation).values_list(
            "role", "starts_on", "ends_on"
        )
    ) == [(SeatRole.MEMBER, max(NEW_START, today()), None)]
