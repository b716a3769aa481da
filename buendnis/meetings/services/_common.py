"""Helpers the topic modules share: the manager check, the meeting and item locks (and their
order), the version check, the meeting's status move and the funding procedure's outcome step.
Private to `meetings.services`: callers import a topic module."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from buendnis.accounts import permissions
from buendnis.alliances.models import Alliance
from buendnis.core.audit import audit_record
from buendnis.core.errors import NotPermitted, StaleEdit, TransitionNotAllowed
from buendnis.funding import services as funding
from buendnis.funding.models import BodyOutcome, Project
from buendnis.funding.states import Status
from buendnis.meetings.models import MEETING_TRANSITIONS, AgendaItem, Meeting

if TYPE_CHECKING:
    from buendnis.accounts.models import User


def _record_outcome(*, actor: User | None, project: Project, **params: Any) -> BodyOutcome:
    """A body's decision takes the procedure's `record_outcome` step (caller's transaction)."""
    outcome = funding.project_act(actor=actor, project=project, action="record_outcome", **params)
    if not isinstance(outcome, BodyOutcome):  # the step returns the outcome row it wrote
        raise TypeError(outcome)
    return outcome


def _day(value: date | datetime) -> str:
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return formats.date_format(value, "d.m.Y")


def _require_manager(actor: User | None, alliance: Alliance, message: str | None = None) -> None:
    if actor is not None and not permissions.can_manage(actor, alliance):
        raise NotPermitted(message or _("Sitzungen und Beschlüsse pflegt die Geschäftsstelle."))


def _lock_meeting(meeting: Meeting) -> Meeting:
    """Lock the meeting row only (`of`): without it PostgreSQL locks the joined body as well and
    so serialises every step of every meeting of that body. FOR NO KEY UPDATE: rows that merely
    point to the meeting (a guest, an attendance row) may still be added meanwhile.

    Lock order: a meeting before its items, minutes and attendance; a Sprecherkreis meeting before
    the Steuerkreis meeting it prepares."""
    return (
        Meeting.objects.select_for_update(of=("self",), no_key=True)
        .select_related("body")
        .get(pk=meeting.pk)
    )


def _lock_item(item: AgendaItem) -> AgendaItem:
    """Lock one agenda item (the caller holds its meeting's lock already). Only the item's row:
    its project is a nullable relation, and PostgreSQL refuses FOR UPDATE on the nullable side of
    an outer join ("FOR UPDATE cannot be applied to the nullable side of an outer join")."""
    return (
        AgendaItem.objects.select_for_update(of=("self",), no_key=True)
        .select_related("meeting__body", "project__applicant_organisation")
        .get(pk=item.pk)
    )


def _check_version(current: int, expected: int | None) -> None:
    if expected is not None and expected != current:
        raise StaleEdit(
            _(
                "Der Datensatz wurde inzwischen von jemand anderem geändert. Bitte laden Sie die "
                "Seite neu; Ihre Eingaben sind unten noch einmal aufgeführt."
            )
        )


def _move(actor: User | None, meeting: Meeting, target: str, **changes: Any) -> Meeting:
    """Move the meeting to `target` under its lock, as `MEETING_TRANSITIONS` allows, with the audit
    row (caller's transaction). Shared by invitation, cancellation, closing and approval."""
    locked = _lock_meeting(meeting)
    if target not in MEETING_TRANSITIONS[locked.status]:
        raise TransitionNotAllowed(
            _("Im Stand „%(status)s“ ist dieser Schritt nicht möglich.")
            % {"status": locked.get_status_display()}
        )
    source = locked.status
    locked.status = target
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.save()
    audit_record(
        actor=actor, action=f"meeting.{target}", instance=locked, from_state=source, to_state=target
    )
    return locked


def _entry(pk: int, names: Mapping[int, str], **extra: str) -> dict[str, Any]:
    return {"id": pk, "name": names.get(pk, str(pk)), **extra}


def _require_stage(project: Project, stage_status: str) -> None:
    """Refuse a decision on a project that has left the stage the item or circulation was made
    for, with that reason. The procedure checks the same under the project's lock
    (`expected_status`), but says only that the step is not possible from the new state."""
    if stage_status and project.status != stage_status:
        raise TransitionNotAllowed(
            _("Das Vorhaben ist nicht mehr im Stand „%(status)s“.")
            % {"status": Status(stage_status).label}
        )


def _objection_summary(decision_snapshot: Mapping[str, Any]) -> str:
    return _("Kein Einvernehmen. Einwände: %(objections)s") % {
        "objections": "; ".join(
            f"{entry['name']} ({entry['reason']})"
            for entry in decision_snapshot.get("objecting", [])
        )
        or _("keine")
    }
