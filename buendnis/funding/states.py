"""The two-stage funding procedure, declared once: read `STEPS` and you know the procedure.

Stage 1: consultation → Kurzskizze → Sprecherkreis → Steuerkreis (vote).
Stage 2: Projektbeschreibung → Sprecherkreis → Steuerkreis (Votum) → endorsed.
Then: formal application with the funding bank → granted/declined → running → closed.

Each step names who may take it, from which state to which, and what it books on the virtual
budget. `TRANSITIONS`, `ACTIONS` and `ACTION_STATES` are derived from `STEPS`; the services in
`services.py` check every move against it and make the booking it declares. What people read about
each state (next step, who is waiting, public label) lives in `wording.py`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    IDEA = "idea", _("Idee")
    CONSULTATION = "consultation", _("Beratung")
    SKETCH_SUBMITTED = "sketch_submitted", _("Kurzskizze eingereicht")
    SKETCH_SPEAKERS = "sketch_speakers", _("Kurzskizze im Sprecherkreis")
    SKETCH_STEERING = "sketch_steering", _("Kurzskizze im Steuerkreis")
    DESCRIPTION_REQUESTED = "description_requested", _("Projektbeschreibung angefordert")
    DESCRIPTION_SUBMITTED = "description_submitted", _("Projektbeschreibung eingereicht")
    DESCRIPTION_SPEAKERS = "description_speakers", _("Projektbeschreibung im Sprecherkreis")
    DESCRIPTION_STEERING = "description_steering", _("Projektbeschreibung im Steuerkreis")
    ENDORSED = "endorsed", _("Votum erteilt")
    APPLICATION_FILED = "application_filed", _("Förderantrag gestellt")
    GRANTED = "granted", _("Bewilligt")
    DECLINED = "declined", _("Von der Förderbank abgelehnt")
    RUNNING = "running", _("In Umsetzung")
    CLOSED = "closed", _("Abgeschlossen")
    REVISION_REQUESTED = "revision_requested", _("Überarbeitung angefordert")
    DEFERRED = "deferred", _("Vertagt")
    REJECTED = "rejected", _("Abgelehnt")
    WITHDRAWN = "withdrawn", _("Zurückgezogen")


S = Status

# The procedure ends in these states: nothing moves a project out of them.
FINAL_STATES = frozenset({S.DECLINED, S.CLOSED, S.REJECTED, S.WITHDRAWN})
OPEN_STATES = frozenset(S.values) - FINAL_STATES


class Actor(models.TextChoices):
    """Who may trigger an action: the project's own applicant, or the alliance's office."""

    APPLICANT = "applicant", _("Antragsteller/in")
    OFFICE = "office", _("Geschäftsstelle")


A = Actor


class Booking(enum.Enum):
    """What a step books on the phase's virtual budget (`budget.rules` computes the rows)."""

    # Votum: the requested grant is reserved; refused when the phase cannot carry it.
    RESERVE = "reserve"
    # Grant: the granted amount moves from reserved to committed, the rest of the reservation is
    # released; a grant above the reservation is refused.
    COMMIT = "commit"
    # Closing: the final grant is paid out of the commitment, the rest is released.
    SETTLE = "settle"
    # Declined or withdrawn: whatever the project holds (reserved, committed) goes back.
    RELEASE = "release"


@dataclass(frozen=True)
class Step:
    """One action of the procedure.

    `moves` maps each state the step starts from to the states it may lead to (which one depends
    on what is recorded: an outcome, the bank's answer). `books` maps a target state to the budget
    booking made on arrival. `records_in` are states in which the step is possible without moving
    the project (a further consultation)."""

    actors: frozenset[str]
    moves: Mapping[str, frozenset[str]]
    books: Mapping[str, Booking] = field(default_factory=dict)
    records_in: frozenset[str] = frozenset()

    @property
    def sources(self) -> frozenset[str]:
        """Every state in which the step can be taken."""
        return frozenset(self.moves) | self.records_in

    def allows(self, source: str, target: str) -> bool:
        return target in self.moves.get(source, frozenset())


OFFICE_ONLY = frozenset({A.OFFICE})
BOTH = frozenset({A.APPLICANT, A.OFFICE})
# What a body may conclude besides moving the project on: send it back, or defer it.
_BACK_OR_LATER = frozenset({S.REVISION_REQUESTED, S.DEFERRED})

# The API's `projects/{id}/transitions/` takes these names as `action`; the office workspace
# offers them in its forms; the meetings' decisions take `record_outcome`.
STEPS: dict[str, Step] = {
    # The office advises before any sketch; the first consultation moves an idea on, later ones
    # are recorded while the project is in the procedure, up to the bank's decision. Once the bank
    # has granted, the alliance's procedure is over: a question during the implementation is an
    # inquiry, not a consultation of the procedure.
    "record_consultation": Step(
        actors=OFFICE_ONLY,
        moves={S.IDEA: frozenset({S.CONSULTATION})},
        records_in=OPEN_STATES - {S.IDEA, S.GRANTED, S.RUNNING},
    ),
    "submit_sketch": Step(actors=BOTH, moves={S.CONSULTATION: frozenset({S.SKETCH_SUBMITTED})}),
    "forward": Step(
        actors=OFFICE_ONLY,
        moves={
            S.SKETCH_SUBMITTED: frozenset({S.SKETCH_SPEAKERS}),
            S.DESCRIPTION_SUBMITTED: frozenset({S.DESCRIPTION_SPEAKERS}),
        },
    ),
    # The Sprecherkreis recommends (positive or negative, it goes on to the Steuerkreis); the
    # Steuerkreis votes: positive moves on (the Votum reserves the grant), negative rejects.
    "record_outcome": Step(
        actors=OFFICE_ONLY,
        moves={
            S.SKETCH_SPEAKERS: frozenset({S.SKETCH_STEERING}) | _BACK_OR_LATER,
            S.SKETCH_STEERING: frozenset({S.DESCRIPTION_REQUESTED, S.REJECTED}) | _BACK_OR_LATER,
            S.DESCRIPTION_SPEAKERS: frozenset({S.DESCRIPTION_STEERING}) | _BACK_OR_LATER,
            S.DESCRIPTION_STEERING: frozenset({S.ENDORSED, S.REJECTED}) | _BACK_OR_LATER,
        },
        books={S.ENDORSED: Booking.RESERVE},
    ),
    "submit_description": Step(
        actors=BOTH, moves={S.DESCRIPTION_REQUESTED: frozenset({S.DESCRIPTION_SUBMITTED})}
    ),
    # A revision returns to the submission of the stage it came from.
    "resubmit": Step(
        actors=BOTH,
        moves={S.REVISION_REQUESTED: frozenset({S.SKETCH_SUBMITTED, S.DESCRIPTION_SUBMITTED})},
    ),
    # A deferred project returns to the body that deferred it.
    "resume": Step(
        actors=OFFICE_ONLY,
        moves={
            S.DEFERRED: frozenset(
                {
                    S.SKETCH_SPEAKERS,
                    S.SKETCH_STEERING,
                    S.DESCRIPTION_SPEAKERS,
                    S.DESCRIPTION_STEERING,
                }
            )
        },
    ),
    "file_application": Step(actors=BOTH, moves={S.ENDORSED: frozenset({S.APPLICATION_FILED})}),
    "record_bank_decision": Step(
        actors=OFFICE_ONLY,
        moves={S.APPLICATION_FILED: frozenset({S.GRANTED, S.DECLINED})},
        books={S.GRANTED: Booking.COMMIT, S.DECLINED: Booking.RELEASE},
    ),
    "start": Step(actors=BOTH, moves={S.GRANTED: frozenset({S.RUNNING})}),
    "close": Step(
        actors=OFFICE_ONLY,
        moves={S.RUNNING: frozenset({S.CLOSED})},
        books={S.CLOSED: Booking.SETTLE},
    ),
    "withdraw": Step(
        actors=BOTH,
        moves={state: frozenset({S.WITHDRAWN}) for state in OPEN_STATES},
        books={S.WITHDRAWN: Booking.RELEASE},
    ),
}


def _derive_transitions() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {state: set() for state in S.values}
    for step in STEPS.values():
        for source, targets in step.moves.items():
            table[source] |= targets
    return {state: frozenset(targets) for state, targets in table.items()}


# Derived, never written by hand: the allowed moves, who takes each action, where each is offered.
TRANSITIONS: dict[str, frozenset[str]] = _derive_transitions()
ACTIONS: dict[str, frozenset[str]] = {name: step.actors for name, step in STEPS.items()}
ACTION_STATES: dict[str, frozenset[str]] = {name: step.sources for name, step in STEPS.items()}


# Where the office records a consultation, and so where an applicant may ask for one.
CONSULTATION_STATES: frozenset[str] = ACTION_STATES["record_consultation"]


def can_move(source: str, target: str) -> bool:
    return target in TRANSITIONS.get(source, frozenset())


def actions_possible(status: str) -> list[str]:
    """The actions (names of `STEPS`) that a project in `status` allows, in declaration order."""
    return [name for name, step in STEPS.items() if status in step.sources]


def booking_for(source: str, target: str) -> Booking | None:
    """The booking the move source → target makes, if any."""
    for step in STEPS.values():
        if step.allows(source, target) and target in step.books:
            return step.books[target]
    return None


# States in which a body is discussing the project, and which body (BodyKind value) that is.
BODY_STAGES: dict[str, str] = {
    S.SKETCH_SPEAKERS: "speakers",
    S.SKETCH_STEERING: "steering",
    S.DESCRIPTION_SPEAKERS: "speakers",
    S.DESCRIPTION_STEERING: "steering",
}
SKETCH_STAGE = frozenset({S.SKETCH_SUBMITTED, S.SKETCH_SPEAKERS, S.SKETCH_STEERING})
DESCRIPTION_STAGE = frozenset(
    {
        S.DESCRIPTION_REQUESTED,
        S.DESCRIPTION_SUBMITTED,
        S.DESCRIPTION_SPEAKERS,
        S.DESCRIPTION_STEERING,
    }
)

# Where a positive outcome of a body leads.
NEXT_ON_POSITIVE: dict[str, str] = {
    S.SKETCH_SPEAKERS: S.SKETCH_STEERING,
    S.SKETCH_STEERING: S.DESCRIPTION_REQUESTED,
    S.DESCRIPTION_SPEAKERS: S.DESCRIPTION_STEERING,
    S.DESCRIPTION_STEERING: S.ENDORSED,
}

# Projects the public sees: the alliance has given its Votum (or more).
PUBLIC_STATES = frozenset({S.ENDORSED, S.APPLICATION_FILED, S.GRANTED, S.RUNNING, S.CLOSED})

# Projects the funding bank has granted ("Bewilligt" and after): the public's news of newly funded
# projects (mail and Atom feed) announce a project when it arrives in `granted`.
GRANTED_STATES = frozenset({S.GRANTED, S.RUNNING, S.CLOSED})

# The applicant edits the project's data only while it is in their hands.
APPLICANT_EDITABLE = frozenset(
    {S.IDEA, S.CONSULTATION, S.DESCRIPTION_REQUESTED, S.REVISION_REQUESTED}
)


def _reachable_before_votum() -> frozenset[str]:
    """States a project can reach from an idea without passing a RESERVE booking."""
    seen = {S.IDEA.value}
    todo = [S.IDEA.value]
    while todo:
        source = todo.pop()
        for target in TRANSITIONS[source]:
            if target not in seen and booking_for(source, target) is not Booking.RESERVE:
                seen.add(target)
                todo.append(target)
    return frozenset(seen)


# From the Votum on, the amounts the alliance endorsed are fixed (the ledger holds them): every
# state a project reaches only through the Votum's reservation (endorsed … closed, declined).
MONEY_FIXED_STATES = frozenset(S.values) - _reachable_before_votum()

# Projects whose volume the alliance has set in motion: its Votum is given and the project has not
# fallen away since (declined by the bank). Declined and withdrawn projects hold no money in the
# ledger either, so volume and grants describe the same projects.
VOLUME_STATES = MONEY_FIXED_STATES - {S.DECLINED}

# The states in which a project arrives from an alliance's own records (onboarding,
# `services.project_import`): the bank has granted it (and it runs or is closed), or the procedure
# has ended without money. Every earlier state is the procedure's own: such projects go through it.
IMPORT_STATES = (S.CLOSED, S.RUNNING, S.GRANTED, S.WITHDRAWN, S.DECLINED, S.REJECTED)
