"""The two-stage funding procedure as one table. Read it and you know the procedure.

Stage 1: consultation → Kurzskizze → Sprecherkreis → Steuerkreis (vote).
Stage 2: Projektbeschreibung → Sprecherkreis → Steuerkreis (Votum) → endorsed.
Then: formal application with the funding bank → granted/declined → running → closed.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrOrPromise


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

# What the public reads about a project in each state: fewer, plainer words than the office's.
PUBLIC_LABELS: dict[str, StrOrPromise] = {
    S.IDEA: pgettext_lazy("public status", "In Vorbereitung"),
    S.CONSULTATION: pgettext_lazy("public status", "In Vorbereitung"),
    S.SKETCH_SUBMITTED: pgettext_lazy("public status", "Kurzskizze in Beratung"),
    S.SKETCH_SPEAKERS: pgettext_lazy("public status", "Kurzskizze in Beratung"),
    S.SKETCH_STEERING: pgettext_lazy("public status", "Kurzskizze in Beratung"),
    S.DESCRIPTION_REQUESTED: pgettext_lazy("public status", "Projektbeschreibung in Arbeit"),
    S.DESCRIPTION_SUBMITTED: pgettext_lazy("public status", "Projektbeschreibung in Beratung"),
    S.DESCRIPTION_SPEAKERS: pgettext_lazy("public status", "Projektbeschreibung in Beratung"),
    S.DESCRIPTION_STEERING: pgettext_lazy("public status", "Projektbeschreibung in Beratung"),
    S.ENDORSED: pgettext_lazy("public status", "Vom Bündnis befürwortet"),
    S.APPLICATION_FILED: pgettext_lazy("public status", "Förderantrag gestellt"),
    S.GRANTED: pgettext_lazy("public status", "Bewilligt"),
    S.DECLINED: pgettext_lazy("public status", "Nicht bewilligt"),
    S.RUNNING: pgettext_lazy("public status", "In Umsetzung"),
    S.CLOSED: pgettext_lazy("public status", "Abgeschlossen"),
    S.REVISION_REQUESTED: pgettext_lazy("public status", "In Überarbeitung"),
    S.DEFERRED: pgettext_lazy("public status", "Vertagt"),
    S.REJECTED: pgettext_lazy("public status", "Nicht befürwortet"),
    S.WITHDRAWN: pgettext_lazy("public status", "Zurückgezogen"),
}

# The allowed moves. Every transition service checks its move against this table.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.IDEA: frozenset({S.CONSULTATION, S.WITHDRAWN}),
    S.CONSULTATION: frozenset({S.SKETCH_SUBMITTED, S.WITHDRAWN}),
    S.SKETCH_SUBMITTED: frozenset({S.SKETCH_SPEAKERS, S.WITHDRAWN}),
    S.SKETCH_SPEAKERS: frozenset(
        {S.SKETCH_STEERING, S.REVISION_REQUESTED, S.DEFERRED, S.WITHDRAWN}
    ),
    S.SKETCH_STEERING: frozenset(
        {S.DESCRIPTION_REQUESTED, S.REJECTED, S.REVISION_REQUESTED, S.DEFERRED, S.WITHDRAWN}
    ),
    S.DESCRIPTION_REQUESTED: frozenset({S.DESCRIPTION_SUBMITTED, S.WITHDRAWN}),
    S.DESCRIPTION_SUBMITTED: frozenset({S.DESCRIPTION_SPEAKERS, S.WITHDRAWN}),
    S.DESCRIPTION_SPEAKERS: frozenset(
        {S.DESCRIPTION_STEERING, S.REVISION_REQUESTED, S.DEFERRED, S.WITHDRAWN}
    ),
    S.DESCRIPTION_STEERING: frozenset(
        {S.ENDORSED, S.REJECTED, S.REVISION_REQUESTED, S.DEFERRED, S.WITHDRAWN}
    ),
    S.ENDORSED: frozenset({S.APPLICATION_FILED, S.WITHDRAWN}),
    S.APPLICATION_FILED: frozenset({S.GRANTED, S.DECLINED, S.WITHDRAWN}),
    S.GRANTED: frozenset({S.RUNNING, S.WITHDRAWN}),
    S.RUNNING: frozenset({S.CLOSED, S.WITHDRAWN}),
    # A revision returns to the submission of the same stage; a deferral to the body it left.
    S.REVISION_REQUESTED: frozenset({S.SKETCH_SUBMITTED, S.DESCRIPTION_SUBMITTED, S.WITHDRAWN}),
    S.DEFERRED: frozenset(
        {
            S.SKETCH_SPEAKERS,
            S.SKETCH_STEERING,
            S.DESCRIPTION_SPEAKERS,
            S.DESCRIPTION_STEERING,
            S.WITHDRAWN,
        }
    ),
    S.DECLINED: frozenset(),
    S.CLOSED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

FINAL_STATES = frozenset(state for state, targets in TRANSITIONS.items() if not targets)

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


def can_move(source: str, target: str) -> bool:
    return target in TRANSITIONS.get(source, frozenset())


class Actor(models.TextChoices):
    """Who may trigger an action: the project's own applicant, or the alliance's office."""

    APPLICANT = "applicant", _("Antragsteller/in")
    OFFICE = "office", _("Geschäftsstelle")


A = Actor

# Every action of the procedure with the roles that may trigger it. The API's
# `projects/{id}/transitions/` takes these names as `action`.
ACTIONS: dict[str, frozenset[str]] = {
    "record_consultation": frozenset({A.OFFICE}),
    "submit_sketch": frozenset({A.APPLICANT, A.OFFICE}),
    "forward": frozenset({A.OFFICE}),
    "record_outcome": frozenset({A.OFFICE}),
    "submit_description": frozenset({A.APPLICANT, A.OFFICE}),
    "resubmit": frozenset({A.APPLICANT, A.OFFICE}),
    "resume": frozenset({A.OFFICE}),
    "file_application": frozenset({A.APPLICANT, A.OFFICE}),
    "record_bank_decision": frozenset({A.OFFICE}),
    "start": frozenset({A.APPLICANT, A.OFFICE}),
    "close": frozenset({A.OFFICE}),
    "withdraw": frozenset({A.APPLICANT, A.OFFICE}),
}

# The applicant edits the project's data only while it is in their hands.
APPLICANT_EDITABLE = frozenset(
    {S.IDEA, S.CONSULTATION, S.DESCRIPTION_REQUESTED, S.REVISION_REQUESTED}
)

# From the Votum on, the amounts the alliance endorsed are fixed (the ledger holds them).
MONEY_FIXED_STATES = frozenset(
    {S.ENDORSED, S.APPLICATION_FILED, S.GRANTED, S.DECLINED, S.RUNNING, S.CLOSED}
)
