"""Planning meetings: create, change and cancel one, or a year's plan at once. The rules of a
meeting's own fields live here so that forms and the admin check them as the services do
(`meeting_validate`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buendnis.alliances.models import Alliance, Body, BodyKind
from buendnis.core.audit import audit_record, diff, snapshot
from buendnis.core.errors import DomainError, TransitionNotAllowed
from buendnis.meetings import notifications, selectors
from buendnis.meetings.models import Meeting, MeetingStatus
from buendnis.meetings.services._common import (
    _check_version,
    _day,
    _lock_meeting,
    _move,
    _require_manager,
)

if TYPE_CHECKING:
    from buendnis.accounts.models import User


MEETING_FIELDS = (
    "title",
    "starts_at",
    "ends_at",
    "location",
    "online_url",
    "has_public_part",
    "prepares",
    "submission_deadline",
)


# A change of these is news for everyone invited (an iCalendar update with a higher SEQUENCE).
_CALENDAR_FIELDS = frozenset({"starts_at", "ends_at", "location", "online_url", "title"})


def _validate_meeting(meeting: Meeting) -> None:
    errors: dict[str, list[str]] = {}
    if meeting.body.kind == BodyKind.OFFICE:
        errors.setdefault("body", []).append(
            _("Sitzungen haben der Steuerkreis und der Sprecherkreis, nicht die Geschäftsstelle.")
        )
    if meeting.ends_at is not None and meeting.ends_at <= meeting.starts_at:
        errors.setdefault("ends_at", []).append(_("Eine Sitzung muss nach ihrem Beginn enden."))
    prepares = meeting.prepares
    if prepares is not None:
        if meeting.body.kind != BodyKind.SPEAKERS or prepares.body.kind != BodyKind.STEERING:
            errors.setdefault("prepares", []).append(
                _("Nur eine Sitzung des Sprecherkreises bereitet eine des Steuerkreises vor.")
            )
        elif prepares.alliance_id != meeting.alliance_id:
            errors.setdefault("prepares", []).append(
                _("Diese Sitzung gehört zu einem anderen Bündnis.")
            )
        elif prepares.starts_at <= meeting.starts_at:
            errors.setdefault("prepares", []).append(
                _("Die vorbereitende Sitzung muss vor der Sitzung des Steuerkreises liegen.")
            )
    if (
        meeting.pk is not None
        and meeting.body.kind == BodyKind.STEERING
        and meeting.preparatory_meetings.exclude(status=MeetingStatus.CANCELLED)
        .filter(starts_at__gte=meeting.starts_at)
        .exists()
    ):
        # The same rule seen from the Steuerkreis: moved, it must still follow its preparation.
        errors.setdefault("starts_at", []).append(
            _("Die vorbereitende Sitzung muss vor der Sitzung des Steuerkreises liegen.")
        )
    if (
        meeting.submission_deadline is not None
        and meeting.submission_deadline > timezone.localtime(meeting.starts_at).date()
    ):
        errors.setdefault("submission_deadline", []).append(
            _("Die Einreichungsfrist muss vor der Sitzung enden.")
        )
    if meeting.body.alliance_id != meeting.alliance_id:
        errors.setdefault("body", []).append(_("Dieses Gremium gehört zu einem anderen Bündnis."))
    if errors:
        raise DomainError(errors)


def meeting_validate(meeting: Meeting) -> None:
    """The rules of a meeting's own fields, for forms (the admin's among them) to show before
    saving; `meeting_create` and `meeting_update` check them again."""
    _validate_meeting(meeting)


def meeting_create(
    *, actor: User | None, body: Body, starts_at: datetime, **fields: Any
) -> Meeting:
    alliance = body.alliance
    _require_manager(actor, alliance)
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"Unbekannte Felder: {sorted(unknown)}")
    meeting = Meeting(alliance=alliance, body=body, starts_at=starts_at, created_by=actor, **fields)
    with transaction.atomic():
        _validate_meeting(meeting)
        meeting.full_clean()
        meeting.save()
        audit_record(
            actor=actor, action="meeting.create", instance=meeting, changes=snapshot(meeting)
        )
    return meeting


def meeting_update(
    *, actor: User | None, meeting: Meeting, expected_version: int | None = None, **fields: Any
) -> Meeting:
    _require_manager(actor, meeting.alliance)
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"Unbekannte Felder: {sorted(unknown)}")
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _check_version(locked.version, expected_version)
        if locked.status in (MeetingStatus.CANCELLED, MeetingStatus.MINUTES_APPROVED):
            raise TransitionNotAllowed(
                _("Eine Sitzung im Stand „%(status)s“ wird nicht mehr geändert.")
                % {"status": locked.get_status_display()}
            )
        before = snapshot(locked)
        for name, value in fields.items():
            if isinstance(value, datetime) and timezone.is_aware(value):
                # A form hands local time, the database UTC: the same moment must not read as
                # a new time (a new calendar SEQUENCE and an update mail to everyone invited).
                value = value.astimezone(UTC)
            setattr(locked, name, value)
        _validate_meeting(locked)
        locked.full_clean()
        changes = diff(before, snapshot(locked))
        if not changes:
            return locked
        calendar_changed = bool(set(changes) & _CALENDAR_FIELDS)
        if calendar_changed:
            locked.sequence += 1
        locked.version += 1
        locked.save()
        audit_record(actor=actor, action="meeting.update", instance=locked, changes=changes)
        if calendar_changed and locked.status == MeetingStatus.INVITED:
            meeting_id = locked.pk
            transaction.on_commit(lambda: notifications.send_invitations(meeting_id, update=True))
            transaction.on_commit(
                lambda: notifications.meeting_notify(
                    meeting_id, notifications.MeetingEvent.INVITATION_CHANGED, actor
                )
            )
    meeting.refresh_from_db()
    return meeting


def meeting_cancel(*, actor: User | None, meeting: Meeting, reason: str) -> Meeting:
    _require_manager(actor, meeting.alliance)
    if not reason.strip():
        raise DomainError({"reason": _("Bitte geben Sie den Grund der Absage an.")})
    with transaction.atomic():
        # Under the meeting's lock, which every decision takes first: no decision slips in
        # between this check and the cancellation.
        was_invited = _lock_meeting(meeting).status == MeetingStatus.INVITED
        if meeting.items.filter(decision__isnull=False).exists():
            raise TransitionNotAllowed(
                _("Die Sitzung hat bereits Beschlüsse gefasst und kann nicht abgesagt werden.")
            )
        locked = _move(actor, meeting, MeetingStatus.CANCELLED, cancelled_reason=reason)
        locked.sequence += 1
        locked.save(update_fields=["sequence"])
        if was_invited:
            meeting_id = locked.pk
            transaction.on_commit(lambda: notifications.send_cancellation(meeting_id))
            transaction.on_commit(
                lambda: notifications.meeting_notify(
                    meeting_id, notifications.MeetingEvent.CANCELLED, actor
                )
            )
    meeting.refresh_from_db()
    return meeting


@dataclass(frozen=True)
class PlannedQuarter:
    steering: Meeting
    speakers: Meeting


def default_quarter_days(year: int) -> list[date]:
    """A proposal for the four Steuerkreis meetings: the third Wednesday of the middle month of
    each quarter."""
    days = []
    for month in (2, 5, 8, 11):
        first = date(year, month, 1)
        first_wednesday = first + timedelta(days=(2 - first.weekday()) % 7)
        days.append(first_wednesday + timedelta(weeks=2))
    return days


def meetings_plan_year(
    *,
    actor: User | None,
    alliance: Alliance,
    steering_days: Sequence[date],
    starts: time = time(10, 0),
    duration: timedelta = timedelta(hours=3),
    location: str = "",
    speakers_lead_days: int = 14,
    submission_lead_days: int = 14,
) -> list[PlannedQuarter]:
    """The office plans a year at once: a Steuerkreis meeting per quarter, each prepared by a
    Sprecherkreis meeting `speakers_lead_days` before it, with the applicants' submission deadline
    `submission_lead_days` before the Sprecherkreis meeting."""
    _require_manager(actor, alliance)
    errors: dict[str, list[str]] = {}
    if len(steering_days) != 4:
        errors.setdefault("steering_days", []).append(
            _("Der Steuerkreis tagt vierteljährlich: bitte vier Termine angeben.")
        )
    if len({(day.year, (day.month - 1) // 3) for day in steering_days}) != len(steering_days):
        errors.setdefault("steering_days", []).append(
            _("Bitte genau einen Termin je Quartal angeben.")
        )
    if len({day.year for day in steering_days}) > 1:
        errors.setdefault("steering_days", []).append(
            _("Alle Termine müssen im selben Jahr liegen.")
        )
    if not 1 <= speakers_lead_days <= 90:
        errors.setdefault("speakers_lead_days", []).append(
            _("Der Sprecherkreis tagt 1 bis 90 Tage vor dem Steuerkreis.")
        )
    if not 0 <= submission_lead_days <= 90:
        errors.setdefault("submission_lead_days", []).append(
            _("Die Einreichungsfrist endet 0 bis 90 Tage vor dem Sprecherkreis.")
        )
    if errors:
        raise DomainError(errors)
    bodies = {body.kind: body for body in Body.objects.filter(alliance=alliance)}
    if BodyKind.STEERING not in bodies or BodyKind.SPEAKERS not in bodies:
        raise DomainError(_("Das Bündnis hat noch keinen Steuerkreis und Sprecherkreis."))
    steering, speakers = bodies[BodyKind.STEERING], bodies[BodyKind.SPEAKERS]
    taken = {
        selectors.meeting_day(meeting)
        for meeting in Meeting.objects.filter(
            alliance=alliance, body__in=(steering, speakers)
        ).exclude(status=MeetingStatus.CANCELLED)
    }
    zone = timezone.get_current_timezone()
    planned: list[PlannedQuarter] = []
    with transaction.atomic():
        for steering_day in sorted(steering_days):
            speakers_day = steering_day - timedelta(days=speakers_lead_days)
            clash = sorted(day for day in (steering_day, speakers_day) if day in taken)
            # The plan's own days count too: a Sprecherkreis meeting must not land on the day
            # of the previous quarter's Steuerkreis.
            taken |= {steering_day, speakers_day}
            if clash:
                raise DomainError(
                    {
                        "steering_days": [
                            _("Am %(day)s ist bereits eine Sitzung geplant.")
                            % {"day": _day(clash[0])}
                        ]
                    }
                )
            deadline = speakers_day - timedelta(days=submission_lead_days)
            steering_start = datetime.combine(steering_day, starts, tzinfo=zone)
            steering_meeting = meeting_create(
                actor=actor,
                body=steering,
                starts_at=steering_start,
                ends_at=steering_start + duration,
                location=location,
                submission_deadline=deadline,
            )
            speakers_start = datetime.combine(speakers_day, starts, tzinfo=zone)
            speakers_meeting = meeting_create(
                actor=actor,
                body=speakers,
                starts_at=speakers_start,
                ends_at=speakers_start + duration,
                location=location,
                prepares=steering_meeting,
                submission_deadline=deadline,
                has_public_part=False,
            )
            planned.append(PlannedQuarter(steering=steering_meeting, speakers=speakers_meeting))
    return planned
