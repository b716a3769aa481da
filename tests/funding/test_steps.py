"""The procedure declared once (`states.STEPS`): the derived tables, the bookings each move makes,
and `services.project_act`, the one entry every caller takes a step through."""

from decimal import Decimal

import pytest
from django.utils import timezone

from buendnis.budget.models import EntryKind, LedgerEntry
from buendnis.core.errors import DomainError, StaleEdit, TransitionNotAllowed
from buendnis.funding import services
from buendnis.funding.models import BodyOutcome, Outcome, Project, Transition
from buendnis.funding.states import (
    ACTION_STATES,
    ACTIONS,
    CONSULTATION_STATES,
    FINAL_STATES,
    MONEY_FIXED_STATES,
    STEPS,
    TRANSITIONS,
    Actor,
    Booking,
    actions_possible,
    booking_for,
)
from buendnis.funding.states import Status as S
from buendnis.funding.wording import (
    NEXT_STEPS,
    PUBLIC_LABELS,
    RELEASE_NOTES,
    STATEMENT_STATES,
    WAITING_FOR,
)
from tests.factories import PhaseFactory, body_of, project_in_state

# The procedure as the council paper describes it, written out by hand: the derivation from
# STEPS must give exactly this table.
EXPECTED_TRANSITIONS = {
    S.IDEA: {S.CONSULTATION, S.WITHDRAWN},
    S.CONSULTATION: {S.SKETCH_SUBMITTED, S.WITHDRAWN},
    S.SKETCH_SUBMITTED: {S.SKETCH_SPEAKERS, S.WITHDRAWN},
    S.SKETCH_SPEAKERS: {S.SKETCH_STEERING, S.REVISION_REQUESTED, S.DEFERRED, S.WITHDRAWN},
    S.SKETCH_STEERING: {
        S.DESCRIPTION_REQUESTED,
        S.REJECTED,
        S.REVISION_REQUESTED,
        S.DEFERRED,
        S.WITHDRAWN,
    },
    S.DESCRIPTION_REQUESTED: {S.DESCRIPTION_SUBMITTED, S.WITHDRAWN},
    S.DESCRIPTION_SUBMITTED: {S.DESCRIPTION_SPEAKERS, S.WITHDRAWN},
    S.DESCRIPTION_SPEAKERS: {
        S.DESCRIPTION_STEERING,
        S.REVISION_REQUESTED,
        S.DEFERRED,
        S.WITHDRAWN,
    },
    S.DESCRIPTION_STEERING: {S.ENDORSED, S.REJECTED, S.REVISION_REQUESTED, S.DEFERRED, S.WITHDRAWN},
    S.ENDORSED: {S.APPLICATION_FILED, S.WITHDRAWN},
    S.APPLICATION_FILED: {S.GRANTED, S.DECLINED, S.WITHDRAWN},
    S.GRANTED: {S.RUNNING, S.WITHDRAWN},
    S.RUNNING: {S.CLOSED, S.WITHDRAWN},
    S.REVISION_REQUESTED: {S.SKETCH_SUBMITTED, S.DESCRIPTION_SUBMITTED, S.WITHDRAWN},
    S.DEFERRED: {
        S.SKETCH_SPEAKERS,
        S.SKETCH_STEERING,
        S.DESCRIPTION_SPEAKERS,
        S.DESCRIPTION_STEERING,
        S.WITHDRAWN,
    },
    S.DECLINED: set(),
    S.CLOSED: set(),
    S.REJECTED: set(),
    S.WITHDRAWN: set(),
}


def test_transitions_are_derived_from_the_steps() -> None:
    assert {state: set(targets) for state, targets in TRANSITIONS.items()} == EXPECTED_TRANSITIONS


def test_final_states_are_exactly_those_without_a_move() -> None:
    assert {state for state, targets in TRANSITIONS.items() if not targets} == FINAL_STATES


def test_actions_and_their_states_come_from_the_steps() -> None:
    assert set(ACTIONS) == set(STEPS) == set(ACTION_STATES)
    assert ACTIONS["close"] == {Actor.OFFICE}
    assert ACTIONS["submit_sketch"] == {Actor.APPLICANT, Actor.OFFICE}
    # A consultation moves only an idea but may be recorded in the procedure up to the bank's
    # decision: not once the bank has granted (granted, running), not after the end.
    assert ACTION_STATES["record_consultation"] == set(S.values) - FINAL_STATES - {
        S.GRANTED,
        S.RUNNING,
    }
    assert ACTION_STATES["record_consultation"] == CONSULTATION_STATES
    assert ACTION_STATES["withdraw"] == set(S.values) - FINAL_STATES
    assert ACTION_STATES["forward"] == {S.SKETCH_SUBMITTED, S.DESCRIPTION_SUBMITTED}


def test_actions_possible_per_state() -> None:
    assert actions_possible(S.IDEA) == ["record_consultation", "withdraw"]
    assert actions_possible(S.APPLICATION_FILED) == [
        "record_consultation",
        "record_bank_decision",
        "withdraw",
    ]
    assert actions_possible(S.CLOSED) == []


def test_every_booking_is_made_on_a_move_of_its_step() -> None:
    for name, step in STEPS.items():
        targets = {target for targets in step.moves.values() for target in targets}
        assert set(step.books) <= targets, name


@pytest.mark.parametrize(
    ("source", "target", "booking"),
    [
        (S.DESCRIPTION_STEERING, S.ENDORSED, Booking.RESERVE),
        (S.APPLICATION_FILED, S.GRANTED, Booking.COMMIT),
        # The bank declines after the Votum: the reservation goes back to the phase.
        (S.APPLICATION_FILED, S.DECLINED, Booking.RELEASE),
        (S.RUNNING, S.CLOSED, Booking.SETTLE),
        (S.GRANTED, S.WITHDRAWN, Booking.RELEASE),
        (S.IDEA, S.WITHDRAWN, Booking.RELEASE),
        (S.SKETCH_STEERING, S.REJECTED, None),
        (S.DESCRIPTION_STEERING, S.REJECTED, None),
        (S.ENDORSED, S.APPLICATION_FILED, None),
    ],
)
def test_booking_of_each_move(source: str, target: str, booking: Booking | None) -> None:
    assert booking_for(source, target) is booking


def test_money_is_fixed_from_the_votum_on() -> None:
    assert {
        S.ENDORSED,
        S.APPLICATION_FILED,
        S.GRANTED,
        S.DECLINED,
        S.RUNNING,
        S.CLOSED,
    } == MONEY_FIXED_STATES
    assert STATEMENT_STATES == MONEY_FIXED_STATES


def test_every_state_has_its_wording() -> None:
    assert set(PUBLIC_LABELS) == set(S.values) == set(NEXT_STEPS)
    waiting = [state for group in WAITING_FOR for state in group.statuses]
    assert len(waiting) == len(set(waiting))  # nobody waits for the same state twice
    assert set(RELEASE_NOTES) == {
        target
        for step in STEPS.values()
        for target, booking in step.books.items()
        if booking is Booking.RELEASE
    }


def test_every_step_has_a_service() -> None:
    assert set(services.STEP_SERVICES) == set(STEPS)


# --- project_act ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_project_act_takes_the_step_by_name() -> None:
    project = project_in_state(PhaseFactory(), S.SKETCH_SUBMITTED)
    services.project_act(actor=None, project=project, action="forward", comment="Sitzung März")
    project.refresh_from_db()
    assert project.status == S.SKETCH_SPEAKERS
    assert Transition.objects.filter(project=project, to_status=S.SKETCH_SPEAKERS).exists()


@pytest.mark.django_db
def test_project_act_refuses_an_unknown_action() -> None:
    project = project_in_state(PhaseFactory(), S.SKETCH_SUBMITTED)
    with pytest.raises(DomainError) as refused:
        services.project_act(actor=None, project=project, action="approve_everything")
    assert "Unbekannte Aktion" in str(refused.value)
    assert Project.objects.get(pk=project.pk).status == S.SKETCH_SUBMITTED


@pytest.mark.django_db
def test_project_act_refuses_a_stale_version() -> None:
    project = project_in_state(PhaseFactory(), S.SKETCH_SUBMITTED)
    seen = project.version
    services.project_act(actor=None, project=project, action="forward", expected_version=seen)
    stale = Project.objects.get(pk=project.pk)
    stale.version = seen  # what a second tab still shows
    with pytest.raises(StaleEdit):
        services.project_act(
            actor=None, project=stale, action="withdraw", reason="doppelt", expected_version=seen
        )
    assert Project.objects.get(pk=project.pk).status == S.SKETCH_SPEAKERS


@pytest.mark.django_db
def test_project_act_refuses_a_move_the_state_does_not_offer() -> None:
    project = project_in_state(PhaseFactory(), S.SKETCH_SPEAKERS)
    with pytest.raises(TransitionNotAllowed):
        services.project_act(actor=None, project=project, action="forward")
    assert Project.objects.get(pk=project.pk).status == S.SKETCH_SPEAKERS


@pytest.mark.django_db
def test_project_act_books_what_the_step_declares() -> None:
    project = project_in_state(PhaseFactory(), S.DESCRIPTION_STEERING)
    outcome = services.project_act(
        actor=None,
        project=project,
        action="record_outcome",
        body=body_of(project.alliance, "steering"),
        outcome=Outcome.POSITIVE,
        decided_on=timezone.localdate(),
    )
    assert isinstance(outcome, BodyOutcome)
    rows = list(LedgerEntry.objects.filter(project=project).values_list("kind", "reserved_delta"))
    assert rows == [(EntryKind.RESERVATION, project.requested_grant)]
    services.project_act(actor=None, project=project, action="withdraw", reason="Träger aufgelöst")
    release = LedgerEntry.objects.filter(project=project, kind=EntryKind.RELEASE).get()
    assert release.reserved_delta == -project.requested_grant
    assert release.note == "Vorhaben zurückgezogen"
    assert sum(
        LedgerEntry.objects.filter(project=project).values_list("reserved_delta", flat=True),
        Decimal(0),
    ) == Decimal(0)
