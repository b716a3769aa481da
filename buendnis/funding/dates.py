"""When each recorded date of the procedure may lie: between the step before it and today (and
within the project's runtime where the date concerns the runtime).

A project's record is a chain: it is created, consulted, its sketch and description submitted and
forwarded, the bodies decide, the application is filed, the bank decides, the project starts and
closes. Each service that records a date asks here for its bounds and refuses a date outside them
with a German message that names the bound ("frühestens am 12.03.2026 (Sprecherkreis)"); the
corrections (`services.consultation_correct`, `outcome_correct`) ask for the same bounds, and
additionally keep the corrected date before the steps recorded after it.

Steps that carry no date of their own (a submission, a forwarding, a resumption, a withdrawal) are
dated by the day they were recorded: their Transition row's day. The dated steps
(`DATED_STEPS`) count with their own date instead, never with the day they were typed in: a
Sprecherkreis that met on 05.03 and was recorded on 12.03 does not push the Steuerkreis of 10.03
to a later day.

Consultations after the first accompany the procedure without ordering it (the office may record
a talk of last week after a body decided yesterday): the first consultation is the step that
opened the procedure, the later ones are bound only by the project's creation and today.

Reads only; the services hold the project lock while they ask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from buendnis.core.errors import DomainError

from .models import BodyOutcome, Consultation, Project, Transition
from .states import STEPS, Status

S = Status

# The steps whose moment is a date of their own (the field of the project or record that holds
# it); every other step of `states.STEPS` is dated by the day it was recorded.
DATED_STEPS: dict[str, str] = {
    "record_consultation": "Consultation.held_on",
    "record_outcome": "BodyOutcome.decided_on",
    "file_application": "Project.application_filed_on",
    "record_bank_decision": "Project.bank_decided_on",
    "start": "Project.started_on",
    "close": "Project.closed_on",
}

CREATED = gettext_lazy("Vorhaben angelegt")
CONSULTATION = gettext_lazy("Beratung")
TODAY = gettext_lazy("heute")
FILED = gettext_lazy("Förderantrag gestellt")
BANK = gettext_lazy("Entscheidung der Förderbank")
STARTED = gettext_lazy("Projektbeginn")
RUNTIME_START = gettext_lazy("Beginn der Laufzeit")
RUNTIME_END = gettext_lazy("Ende der Laufzeit")
SKETCH_SUBMITTED = gettext_lazy("Kurzskizze eingereicht")


@dataclass(frozen=True)
class Bound:
    """A day a date may not pass, and what happened on it (for the message)."""

    day: date
    label: StrOrPromise


def _d(day: date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _latest(*bounds: Bound | None) -> Bound | None:
    """The latest of the bounds; on a tie the one named last (callers list the closest step
    last, so that the message names it)."""
    found: Bound | None = None
    for bound in bounds:
        if bound is not None and (found is None or bound.day >= found.day):
            found = bound
    return found


def _latest_from(start: Bound, *bounds: Bound | None) -> Bound:
    """`_latest` of a bound that always exists (the project's creation) and others."""
    return _latest(start, *bounds) or start


def _earliest(*bounds: Bound | None) -> Bound | None:
    found: Bound | None = None
    for bound in bounds:
        if bound is not None and (found is None or bound.day < found.day):
            found = bound
    return found


def _local_day(moment: datetime) -> date:
    return timezone.localdate(moment)


def today() -> Bound:
    return Bound(timezone.localdate(), TODAY)


def created(project: Project) -> Bound:
    return Bound(_local_day(project.created_at), CREATED)


def check(
    field: str, day: date, *, what: StrOrPromise, earliest: Bound | None, latest: Bound | None
) -> None:
    """Refuse `day` outside [earliest, latest] with a DomainError on `field` that names the
    bound. `what` is the date's name in the message ("Das Datum der Beratung")."""
    if earliest is not None and day < earliest.day:
        raise DomainError(
            {
                field: _("%(what)s liegt zu früh: frühestens am %(day)s (%(step)s).")
                % {"what": what, "day": _d(earliest.day), "step": earliest.label}
            }
        )
    if latest is not None and day > latest.day:
        if latest.label == TODAY:
            message = _("%(what)s liegt in der Zukunft: spätestens am %(day)s (%(step)s).")
        else:
            message = _("%(what)s liegt zu spät: spätestens am %(day)s (%(step)s).")
        raise DomainError(
            {field: message % {"what": what, "day": _d(latest.day), "step": latest.label}}
        )


# --- The record of the procedure --------------------------------------------------------------


def _undated_moves() -> Q:
    """The Transition rows of the steps that carry no date of their own."""
    condition = Q(pk__in=[])
    for name, step in STEPS.items():
        if name in DATED_STEPS:
            continue
        for source, targets in step.moves.items():
            condition |= Q(from_status=source, to_status__in=targets)
    return condition


def _first_consultation(project: Project) -> Bound | None:
    first = (
        Consultation.objects.filter(project=project)
        .order_by("held_on", "id")
        .values_list("held_on", flat=True)
        .first()
    )
    return Bound(first, CONSULTATION) if first else None


def _outcome_bound(outcome: BodyOutcome | None) -> Bound | None:
    return Bound(outcome.decided_on, outcome.body.name) if outcome is not None else None


def _transition_bound(row: Transition | None) -> Bound | None:
    if row is None:
        return None
    return Bound(_local_day(row.created_at), Status(row.to_status).label)


def procedure_floor(project: Project) -> Bound:
    """The latest step of the project's record so far, which the next body outcome or the
    application may not precede: its creation, its first consultation, the bodies' outcomes, the
    days of the steps without a date of their own (three queries)."""
    outcome = (
        BodyOutcome.objects.filter(project=project)
        .select_related("body")
        .order_by("-decided_on", "-id")
        .first()
    )
    undated = (
        Transition.objects.filter(project=project)
        .filter(_undated_moves())
        .order_by("-created_at", "-id")
        .first()
    )
    return _latest_from(
        created(project),
        _first_consultation(project),
        _transition_bound(undated),
        _outcome_bound(outcome),
    )


# --- Recording ----------------------------------------------------------------------------------


def check_consultation(project: Project, held_on: date) -> None:
    """A consultation took place after the project was created, and not in the future."""
    check(
        "held_on",
        held_on,
        what=_("Das Datum der Beratung"),
        earliest=created(project),
        latest=today(),
    )


def check_outcome(project: Project, decided_on: date) -> None:
    """A body decided after the latest step of the record, and not in the future."""
    check(
        "decided_on",
        decided_on,
        what=_("Das Datum des Ergebnisses"),
        earliest=procedure_floor(project),
        latest=today(),
    )


def check_application(project: Project, filed_on: date) -> None:
    """The application follows the Votum (the latest step of the record), and not in the
    future."""
    check(
        "filed_on",
        filed_on,
        what=_("Das Datum des Förderantrags"),
        earliest=procedure_floor(project),
        latest=today(),
    )


def check_bank_decision(project: Project, decided_on: date) -> None:
    """The bank decides after the application was filed, and not in the future."""
    filed = project.application_filed_on
    check(
        "decided_on",
        decided_on,
        what=_("Das Datum der Entscheidung"),
        earliest=Bound(filed, FILED) if filed else None,
        latest=today(),
    )


def check_start(project: Project, started_on: date) -> None:
    """A project starts after the bank's grant, within its runtime, and not in the future."""
    granted = project.bank_decided_on
    check(
        "started_on",
        started_on,
        what=_("Der Projektbeginn"),
        earliest=_latest(
            Bound(project.starts_on, RUNTIME_START) if project.starts_on else None,
            Bound(granted, BANK) if granted else None,
        ),
        latest=_earliest(Bound(project.ends_on, RUNTIME_END) if project.ends_on else None, today()),
    )


def check_close(project: Project, closed_on: date) -> None:
    """A project closes after it started, and not in the future."""
    started = project.started_on
    check(
        "closed_on",
        closed_on,
        what=_("Das Datum des Abschlusses"),
        earliest=Bound(started, STARTED) if started else None,
        latest=today(),
    )


def runtime_errors(project: Project) -> dict[str, list[str]]:
    """A started project's runtime keeps its start: an edit of the runtime (the bank extends
    it, the office corrects a typo) may not leave the recorded start outside it."""
    started = project.started_on
    errors: dict[str, list[str]] = {}
    if started is None:
        return errors
    message = _("Das Vorhaben hat am %(day)s begonnen; die Laufzeit muss diesen Tag einschließen.")
    if project.starts_on and project.starts_on > started:
        errors["starts_on"] = [message % {"day": _d(started)}]
    if project.ends_on and project.ends_on < started:
        errors["ends_on"] = [message % {"day": _d(started)}]
    return errors


# --- Correcting ---------------------------------------------------------------------------------


def check_consultation_correction(consultation: Consultation, held_on: date) -> None:
    """A corrected consultation keeps the rule of a new one; and the sketch keeps a consultation
    before it: if this one was the only consultation on or before the sketch's submission, it
    stays on or before that day."""
    project = consultation.project
    check_consultation(project, held_on)
    sketch = (
        Transition.objects.filter(project=project, from_status=S.CONSULTATION)
        .filter(to_status=S.SKETCH_SUBMITTED)
        .order_by("created_at", "id")
        .first()
    )
    if sketch is None:
        return
    sketch_day = _local_day(sketch.created_at)
    others = (
        Consultation.objects.filter(project=project, held_on__lte=sketch_day)
        .exclude(pk=consultation.pk)
        .exists()
    )
    if not others:
        check(
            "held_on",
            held_on,
            what=_("Das Datum der Beratung"),
            earliest=None,
            latest=Bound(sketch_day, SKETCH_SUBMITTED),
        )


def check_outcome_correction(outcome: BodyOutcome, decided_on: date) -> None:
    """A corrected outcome lies between the steps recorded before it and those recorded after it
    (and today): the bodies' order stays the order of their dates."""
    project = outcome.project
    outcomes = BodyOutcome.objects.filter(project=project).select_related("body")
    before = outcomes.filter(id__lt=outcome.pk).order_by("-decided_on", "-id").first()
    after = outcomes.filter(id__gt=outcome.pk).order_by("decided_on", "id").first()
    undated = Transition.objects.filter(project=project).filter(_undated_moves())
    undated_before = (
        undated.filter(created_at__lt=outcome.recorded_at).order_by("-created_at", "-id").first()
    )
    undated_after = (
        undated.filter(created_at__gt=outcome.recorded_at).order_by("created_at", "id").first()
    )
    filed = project.application_filed_on
    check(
        "decided_on",
        decided_on,
        what=_("Das Datum des Ergebnisses"),
        earliest=_latest_from(
            created(project),
            _first_consultation(project),
            _transition_bound(undated_before),
            _outcome_bound(before),
        ),
        latest=_earliest(
            _outcome_bound(after),
            _transition_bound(undated_after),
            Bound(filed, FILED) if filed else None,
            today(),
        ),
    )
