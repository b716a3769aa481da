"""Business rules of meetings, agendas, decisions, minutes and written circulations.

Every change runs in one transaction with its audit row. A decision on a project item drives the
funding procedure through `funding.services.project_act` in the same transaction: when the
procedure refuses (the project moved on, the budget cannot carry the Votum), nothing is recorded.
Mail goes out on commit (`notifications`), so a refused step sends nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from buendnis.accounts import permissions
from buendnis.alliances.models import Alliance, Body, BodyKind, Organisation
from buendnis.core.audit import audit_record, diff, snapshot
from buendnis.core.errors import DomainError, NotPermitted, StaleEdit, TransitionNotAllowed
from buendnis.funding import services as funding
from buendnis.funding.models import BodyOutcome, Outcome, Project
from buendnis.funding.states import BODY_STAGES, Status
from buendnis.meetings import permissions as meeting_permissions

from . import notifications, rules, selectors
from .models import (
    MEETING_TRANSITIONS,
    AgendaDocument,
    AgendaItem,
    Answer,
    Attendance,
    Circulation,
    CirculationAnswer,
    CirculationStatus,
    Decision,
    DecisionOutcome,
    Guest,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    Presence,
    Recusal,
)

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

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


# --- Meetings ------------------------------------------------------------------------------------

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
    meeting.refresh_from_db()
    return meeting


def _move(actor: User | None, meeting: Meeting, target: str, **changes: Any) -> Meeting:
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


def meeting_invite(*, actor: User | None, meeting: Meeting) -> Meeting:
    """Send the invitation with the agenda and an .ics to every seat holder of the body."""
    _require_manager(actor, meeting.alliance)
    with transaction.atomic():
        locked = _move(actor, meeting, MeetingStatus.INVITED, invited_at=timezone.now())
        attendance_prefill(locked)
        meeting_id = locked.pk
        transaction.on_commit(lambda: notifications.send_invitations(meeting_id))
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
    meeting.refresh_from_db()
    return meeting


def meeting_close(*, actor: User | None, meeting: Meeting) -> Meeting:
    """The meeting took place: its draft minutes are generated from attendance and decisions."""
    _require_manager(actor, meeting.alliance)
    if meeting.starts_at > timezone.now():
        raise TransitionNotAllowed(_("Die Sitzung hat noch nicht stattgefunden."))
    with transaction.atomic():
        locked = _move(actor, meeting, MeetingStatus.HELD)
        minutes_generate(actor=actor, meeting=locked)
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


# --- Agenda -------------------------------------------------------------------------------------

ITEM_FIELDS = ("title", "is_public", "proposed_decision", "recommendation", "notes")


def _require_agenda_open(meeting: Meeting) -> None:
    if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.INVITED, MeetingStatus.HELD):
        raise TransitionNotAllowed(
            _("Die Tagesordnung einer Sitzung im Stand „%(status)s“ wird nicht mehr geändert.")
            % {"status": meeting.get_status_display()}
        )


def _stage_title(project: Project) -> str:
    if project.status in (Status.SKETCH_SPEAKERS, Status.SKETCH_STEERING):
        return _("Kurzskizze „%(title)s“ (%(applicant)s)")
    return _("Projektbeschreibung „%(title)s“ (%(applicant)s)")


def _project_item(meeting: Meeting, project: Project, position: int, **fields: Any) -> AgendaItem:
    body_kind = meeting.body.kind
    stage = BODY_STAGES.get(project.status)
    if stage != body_kind:
        raise DomainError(
            {
                "project": [
                    _(
                        "Das Vorhaben %(project)s steht im Stand „%(status)s“ nicht vor diesem Gremium."
                    )
                    % {"project": project.reference, "status": project.get_status_display()}
                ]
            }
        )
    if project.alliance_id != meeting.alliance_id:
        raise DomainError({"project": [_("Dieses Vorhaben gehört zu einem anderen Bündnis.")]})
    if body_kind == BodyKind.STEERING:
        proposal = _("Der Steuerkreis befürwortet das Vorhaben.")
    else:
        proposal = _("Der Sprecherkreis empfiehlt dem Steuerkreis, das Vorhaben zu befürworten.")
    defaults = {
        "title": _stage_title(project)
        % {"title": project.title, "applicant": project.applicant_organisation.name},
        "proposed_decision": proposal,
        # Projects become public with the Votum: before that their items are non-public.
        "is_public": False,
    }
    defaults.update(fields)
    return AgendaItem(
        alliance=meeting.alliance,
        meeting=meeting,
        position=position,
        project=project,
        stage_status=project.status,
        **defaults,
    )


def _next_position(meeting: Meeting) -> int:
    last = meeting.items.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


def agenda_propose(*, actor: User | None, meeting: Meeting) -> list[AgendaItem]:
    """Put every project waiting for the body on the agenda (the office then orders and edits).
    For the Steuerkreis the Sprecherkreis' latest recommendation comes along."""
    _require_manager(actor, meeting.alliance)
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_agenda_open(locked)
        position = _next_position(locked)
        created = []
        for project in selectors.projects_waiting_for(locked.body):
            fields: dict[str, Any] = {}
            if locked.body.kind == BodyKind.STEERING:
                fields.update(_recommendation_of(project))
            item = _project_item(locked, project, position, **fields)
            item.save()
            created.append(item)
            position += 1
        if created:
            audit_record(
                actor=actor,
                action="meeting.agenda_propose",
                instance=locked,
                changes={"items": [item.title for item in created]},
            )
    return created


def _recommendation_of(project: Project) -> dict[str, Any]:
    """The Sprecherkreis item that recommended this project at its current stage, if any."""
    speakers_stage = {
        Status.SKETCH_STEERING: Status.SKETCH_SPEAKERS,
        Status.DESCRIPTION_STEERING: Status.DESCRIPTION_SPEAKERS,
    }.get(Status(project.status))
    source = (
        AgendaItem.objects.filter(
            project=project,
            stage_status=speakers_stage,
            # A recommendation, for or against; a deferral or revision recommends nothing.
            decision__outcome__in=(DecisionOutcome.AGREED, DecisionOutcome.NOT_AGREED),
        )
        .select_related("decision")
        .order_by("-decision__decided_at")
        .first()
    )
    if source is None:
        return {}
    return {"recommendation": _recommendation_text(source.decision), "recommended_by": source}


def agenda_item_create(
    *, actor: User | None, meeting: Meeting, project: Project | None = None, **fields: Any
) -> AgendaItem:
    _require_manager(actor, meeting.alliance)
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"Unbekannte Felder: {sorted(unknown)}")
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_agenda_open(locked)
        position = _next_position(locked)
        if project is not None:
            project = Project.objects.select_related("applicant_organisation").get(pk=project.pk)
            if locked.items.filter(project=project, decision__isnull=True).exists():
                raise DomainError(
                    {"project": [_("Das Vorhaben steht bereits auf dieser Tagesordnung.")]}
                )
            extra = _recommendation_of(project) if locked.body.kind == BodyKind.STEERING else {}
            item = _project_item(
                locked,
                project,
                position,
                **{**extra, **{k: v for k, v in fields.items() if v not in ("", None)}},
            )
        else:
            if not str(fields.get("title", "")).strip():
                raise DomainError({"title": [_("Bitte geben Sie einen Titel an.")]})
            item = AgendaItem(alliance=locked.alliance, meeting=locked, position=position, **fields)
        item.full_clean()
        item.save()
        audit_record(actor=actor, action="agenda.create", instance=item, changes=snapshot(item))
    return item


def agenda_item_update(*, actor: User | None, item: AgendaItem, **fields: Any) -> AgendaItem:
    _require_manager(actor, item.alliance)
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"Unbekannte Felder: {sorted(unknown)}")
    with transaction.atomic():
        _lock_meeting(item.meeting)
        locked = _lock_item(item)
        _require_agenda_open(locked.meeting)
        if Decision.objects.filter(item=locked).exists():
            raise TransitionNotAllowed(_("Über diesen Tagesordnungspunkt ist bereits beschlossen."))
        before = snapshot(locked)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        changes = diff(before, snapshot(locked))
        if changes:
            locked.save()
            audit_record(actor=actor, action="agenda.update", instance=locked, changes=changes)
    item.refresh_from_db()
    return item


def agenda_item_delete(*, actor: User | None, item: AgendaItem) -> None:
    _require_manager(actor, item.alliance)
    with transaction.atomic():
        _lock_meeting(item.meeting)
        locked = _lock_item(item)
        _require_agenda_open(locked.meeting)
        if Decision.objects.filter(item=locked).exists():
            raise TransitionNotAllowed(
                _("Ein Tagesordnungspunkt mit Beschluss bleibt auf der Tagesordnung.")
            )
        audit_record(actor=actor, action="agenda.delete", instance=locked, changes=snapshot(locked))
        meeting = locked.meeting
        locked.delete()
        _renumber(meeting, list(meeting.items.order_by("position", "id")))


def _renumber(meeting: Meeting, items: list[AgendaItem]) -> None:
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
    AgendaItem.objects.bulk_update(items, ["position"])


def agenda_reorder(*, actor: User | None, meeting: Meeting, item_ids: Sequence[int]) -> None:
    """Set the agenda's order: `item_ids` names every item of the meeting exactly once."""
    _require_manager(actor, meeting.alliance)
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        _require_agenda_open(locked)
        items = {item.pk: item for item in locked.items.all()}
        if sorted(item_ids) != sorted(items) or len(set(item_ids)) != len(item_ids):
            raise StaleEdit(
                _("Die Tagesordnung wurde inzwischen geändert. Bitte laden Sie die Seite neu.")
            )
        before = [item.pk for item in sorted(items.values(), key=lambda i: (i.position, i.pk))]
        _renumber(locked, [items[pk] for pk in item_ids])
        if before != list(item_ids):
            audit_record(
                actor=actor,
                action="agenda.reorder",
                instance=locked,
                changes={"order": [before, list(item_ids)]},
            )


def agenda_move(*, actor: User | None, item: AgendaItem, offset: int) -> None:
    """Move one item up (-1) or down (+1): the keyboard's and the no-script way to reorder."""
    ordered = list(
        AgendaItem.objects.filter(meeting_id=item.meeting_id)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    index = ordered.index(item.pk)
    target = max(0, min(len(ordered) - 1, index + offset))
    ordered.insert(target, ordered.pop(index))
    agenda_reorder(actor=actor, meeting=item.meeting, item_ids=ordered)


def agenda_document_add(
    *, actor: User | None, item: AgendaItem, title: str, upload: UploadedFile
) -> AgendaDocument:
    _require_manager(actor, item.alliance)
    if not title.strip():
        raise DomainError({"title": [_("Bitte geben Sie einen Titel an.")]})
    with transaction.atomic():
        document = AgendaDocument(
            alliance=item.alliance, item=item, title=title, file=upload, uploaded_by=actor
        )
        document.full_clean()
        document.save()
        audit_record(
            actor=actor, action="agenda.document", instance=item, changes={"document": title}
        )
    return document


# --- Attendance ---------------------------------------------------------------------------------


def attendance_prefill(meeting: Meeting) -> None:
    """One row per organisation with a seat on the body on the meeting's day (absent until
    recorded); a seat added later gets its row too. Rows already recorded stay as they are."""
    day = selectors.meeting_day(meeting)
    existing = set(meeting.attendances.values_list("organisation_id", flat=True))
    rows: dict[int, Attendance] = {}
    for seat in selectors.seats_on(meeting.body, day):
        if seat.organisation_id in existing:
            continue
        row = rows.get(seat.organisation_id)
        if row is None:
            rows[seat.organisation_id] = Attendance(
                alliance_id=meeting.alliance_id,
                meeting=meeting,
                organisation_id=seat.organisation_id,
                seat=seat,
                can_vote=seat.can_vote,
            )
        elif seat.can_vote and not row.can_vote:
            row.seat, row.can_vote = seat, True
    Attendance.objects.bulk_create(rows.values())


@dataclass(frozen=True)
class AttendanceEntry:
    presence: str
    attendee_name: str = ""


def attendance_record(
    *, actor: User | None, meeting: Meeting, entries: Mapping[int, AttendanceEntry]
) -> None:
    """Record who represented each organisation (by organisation id)."""
    _require_manager(actor, meeting.alliance)
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        if not locked.is_open_for_decisions:
            raise TransitionNotAllowed(
                _(
                    "Die Anwesenheit wird erfasst, sobald eingeladen ist und bis die Sitzung abgeschlossen ist."
                )
            )
        attendance_prefill(locked)
        rows = {
            row.organisation_id: row for row in locked.attendances.select_related("organisation")
        }
        unknown = set(entries) - set(rows)
        if unknown:
            raise DomainError(
                _("Nur Organisationen mit einem Sitz im Gremium können anwesend sein.")
            )
        changed: dict[str, list[str]] = {}
        for organisation_id, entry in entries.items():
            if entry.presence not in Presence.values:
                raise DomainError(_("Unbekannte Angabe zur Anwesenheit."))
            row = rows[organisation_id]
            if row.presence != entry.presence or row.attendee_name != entry.attendee_name:
                changed[row.organisation.name] = [row.presence, entry.presence]
                row.presence = entry.presence
                row.attendee_name = entry.attendee_name.strip()[:200]
        Attendance.objects.bulk_update(rows.values(), ["presence", "attendee_name"])
        if changed:
            audit_record(actor=actor, action="meeting.attendance", instance=locked, changes=changed)


def guest_add(*, actor: User | None, meeting: Meeting, name: str, affiliation: str = "") -> Guest:
    _require_manager(actor, meeting.alliance)
    if not name.strip():
        raise DomainError({"name": [_("Bitte geben Sie den Namen an.")]})
    with transaction.atomic():
        guest = Guest.objects.create(
            alliance=meeting.alliance,
            meeting=meeting,
            name=name.strip(),
            affiliation=affiliation.strip(),
        )
        audit_record(
            actor=actor, action="meeting.guest", instance=meeting, changes={"guest": guest.name}
        )
    return guest


def guest_remove(*, actor: User | None, guest: Guest) -> None:
    _require_manager(actor, guest.alliance)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="meeting.guest_remove",
            instance=guest.meeting,
            changes={"guest": guest.name},
        )
        guest.delete()


def recusal_declare(
    *, actor: User | None, item: AgendaItem, organisation: Organisation, reason: str
) -> Recusal:
    """An organisation declares itself biased on an item (recorded by the office)."""
    _require_manager(actor, item.alliance)
    if not reason.strip():
        raise DomainError({"reason": [_("Bitte geben Sie den Grund der Befangenheit an.")]})
    if organisation.alliance_id != item.alliance_id:
        raise DomainError(
            {"organisation": [_("Diese Organisation gehört zu einem anderen Bündnis.")]}
        )
    with transaction.atomic():
        if Decision.objects.filter(item=item).exists():
            raise TransitionNotAllowed(_("Über diesen Tagesordnungspunkt ist bereits beschlossen."))
        recusal, created = Recusal.objects.get_or_create(
            item=item,
            organisation=organisation,
            defaults={"alliance": item.alliance, "reason": reason.strip()},
        )
        if not created:
            raise DomainError({"organisation": [_("Diese Befangenheit ist bereits erfasst.")]})
        audit_record(
            actor=actor,
            action="agenda.recusal",
            instance=item,
            changes={"organisation": organisation.name, "reason": reason},
        )
    return recusal


# --- Decisions ----------------------------------------------------------------------------------

_FUNDING_OUTCOME = {
    DecisionOutcome.AGREED: Outcome.POSITIVE,
    DecisionOutcome.NOT_AGREED: Outcome.NEGATIVE,
    DecisionOutcome.DEFERRED: Outcome.DEFERRED,
    DecisionOutcome.REVISION: Outcome.REVISION,
}


class Proposal:
    """What the chair puts to the body: take a decision (consensus decides whether it is agreed),
    defer the item, or send the project back for revision."""

    DECIDE = "decide"
    DEFER = "defer"
    REVISION = "revision"
    CHOICES = (DECIDE, DEFER, REVISION)


def _entry(pk: int, names: Mapping[int, str], **extra: str) -> dict[str, Any]:
    return {"id": pk, "name": names.get(pk, str(pk)), **extra}


def decision_recused(item: AgendaItem) -> dict[int, str]:
    """Who is recused on an item, with the reason: declared bias, and the project's applicant."""
    recused = {recusal.organisation_id: recusal.reason for recusal in item.recusals.all()}
    if item.project is not None:
        recused.setdefault(
            item.project.applicant_organisation_id, _("Antragstellerin des Vorhabens")
        )
    return recused


def _require_stage(project: Project, stage_status: str) -> None:
    """Refuse a decision on a project that has left the stage the item or circulation was made
    for, with that reason. The procedure checks the same under the project's lock
    (`expected_status`), but says only that the step is not possible from the new state."""
    if stage_status and project.status != stage_status:
        raise TransitionNotAllowed(
            _("Das Vorhaben ist nicht mehr im Stand „%(status)s“.")
            % {"status": Status(stage_status).label}
        )


def decision_record(
    *,
    actor: User | None,
    item: AgendaItem,
    proposal: str,
    objections: Mapping[int, str] | None = None,
    abstentions: Iterable[int] = (),
    text: str = "",
    reasons: str = "",
) -> Decision:
    """Record the body's decision on an item.

    `objections` maps each objecting organisation to its reason; `abstentions` names those that
    abstain; every other present voting organisation agrees. A decision needs a quorum (a
    deferral does not: a body without quorum can still postpone). On a project item the decision
    drives the procedure in the same transaction.
    """
    _require_manager(actor, item.alliance)
    objections = dict(objections or {})
    abstaining = frozenset(abstentions)
    if proposal not in Proposal.CHOICES:
        raise DomainError({"proposal": [_("Bitte wählen Sie, worüber entschieden wird.")]})
    if proposal == Proposal.REVISION and not reasons.strip():
        raise DomainError({"reasons": [_("Bitte begründen Sie die Rückgabe zur Überarbeitung.")]})
    with transaction.atomic():
        # The meeting first: decisions of one meeting, its cancellation and the attendance they
        # fill in are one after the other (two decisions would both add a missing attendance row).
        _lock_meeting(item.meeting)
        locked = _lock_item(item)
        meeting = locked.meeting
        if Decision.objects.filter(item=locked).exists():
            raise TransitionNotAllowed(_("Über diesen Tagesordnungspunkt ist bereits beschlossen."))
        if not meeting.is_open_for_decisions:
            raise TransitionNotAllowed(
                _("In einer Sitzung im Stand „%(status)s“ wird nicht beschlossen.")
                % {"status": meeting.get_status_display()}
            )
        if meeting.starts_at > timezone.now():
            raise TransitionNotAllowed(_("Die Sitzung hat noch nicht stattgefunden."))
        if locked.project is not None:
            _require_stage(locked.project, locked.stage_status)
        attendance_prefill(meeting)
        attendances = list(meeting.attendances.select_related("organisation"))
        names = {row.organisation_id: row.organisation.name for row in attendances}
        entitled = frozenset(row.organisation_id for row in attendances if row.can_vote)
        present = frozenset(row.organisation_id for row in attendances if row.is_present)
        recused_reasons = decision_recused(locked)
        recused = frozenset(recused_reasons) & entitled
        for organisation_id in set(objections) | abstaining:
            name = names.get(organisation_id, str(organisation_id))
            if organisation_id not in entitled:
                raise DomainError(
                    _("%(organisation)s hat in diesem Gremium keine Stimme.")
                    % {"organisation": name}
                )
            if organisation_id not in present:
                raise DomainError(
                    _(
                        "%(organisation)s ist nicht anwesend und kann weder widersprechen noch sich enthalten."
                    )
                    % {"organisation": name}
                )
            if organisation_id in recused:
                raise DomainError(
                    _(
                        "%(organisation)s ist befangen und kann weder widersprechen noch sich enthalten."
                    )
                    % {"organisation": name}
                )
        overlap = set(objections) & abstaining
        if overlap:
            raise DomainError(
                _("Eine Organisation kann nicht zugleich widersprechen und sich enthalten.")
            )
        missing_reason = [pk for pk, reason in objections.items() if not reason.strip()]
        if missing_reason:
            raise DomainError(
                _("Bitte nennen Sie den Einwand von %(organisation)s.")
                % {"organisation": names.get(missing_reason[0], "")}
            )
        result = rules.consensus(
            entitled=entitled,
            present=present,
            recused=recused,
            objecting=frozenset(objections),
            abstaining=abstaining,
            quorum_percent=meeting.body.quorum_percent,
        )
        quorum = result.quorum
        if proposal != Proposal.DEFER and not quorum.met:
            raise DomainError(
                _(
                    "Der %(body)s ist nicht beschlussfähig: %(present)s von %(seats)s stimmberechtigten "
                    "Organisationen sind vertreten, nötig sind mindestens %(required)s. Der Punkt kann "
                    "nur vertagt werden."
                )
                % {
                    "body": meeting.body.name,
                    "present": quorum.present,
                    "seats": quorum.voting_seats,
                    "required": quorum.required,
                }
            )
        if proposal == Proposal.DEFER:
            outcome = DecisionOutcome.DEFERRED
        elif proposal == Proposal.REVISION:
            outcome = DecisionOutcome.REVISION
        else:
            outcome = DecisionOutcome.AGREED if result.agreed else DecisionOutcome.NOT_AGREED
        if outcome == DecisionOutcome.NOT_AGREED and not result.objecting and not result.agreeing:
            reasons = reasons or _("Alle stimmberechtigten Organisationen haben sich enthalten.")
        advisory = [
            row.organisation_id for row in attendances if row.is_present and not row.can_vote
        ]
        decision_snapshot = {
            "quorum": {
                "voting_seats": quorum.voting_seats,
                "present": quorum.present,
                "required": quorum.required,
                "percent": quorum.percent,
                "met": quorum.met,
            },
            "entitled": [
                _entry(pk, names) for pk in sorted(entitled, key=lambda pk: names.get(pk, ""))
            ],
            "present": [
                _entry(pk, names)
                for pk in sorted(present & entitled, key=lambda pk: names.get(pk, ""))
            ],
            "advisory_present": [
                _entry(pk, names) for pk in sorted(advisory, key=lambda pk: names.get(pk, ""))
            ],
            "agreeing": [
                _entry(pk, names)
                for pk in sorted(result.agreeing, key=lambda pk: names.get(pk, ""))
            ],
            "objecting": [
                _entry(pk, names, reason=objections[pk].strip())
                for pk in sorted(result.objecting, key=lambda pk: names.get(pk, ""))
            ],
            "abstaining": [
                _entry(pk, names)
                for pk in sorted(result.abstaining, key=lambda pk: names.get(pk, ""))
            ],
            "recused": [
                _entry(pk, names, reason=recused_reasons[pk])
                for pk in sorted(recused, key=lambda pk: names.get(pk, ""))
            ],
            "guests": list(meeting.guests.values_list("name", flat=True)),
        }
        decision = Decision(
            alliance=locked.alliance,
            item=locked,
            outcome=outcome,
            text=text.strip()
            or (locked.proposed_decision if outcome == DecisionOutcome.AGREED else ""),
            snapshot=decision_snapshot,
            recorded_by=actor,
            decided_at=max(
                meeting.starts_at, min(timezone.now(), meeting.ends_at or timezone.now())
            ),
        )
        if locked.project is not None:
            funding_reasons = reasons.strip()
            if outcome == DecisionOutcome.NOT_AGREED and not funding_reasons:
                funding_reasons = _objection_summary(decision_snapshot)
            decision.body_outcome = _record_outcome(
                actor=actor,
                project=locked.project,
                body=meeting.body,
                outcome=_FUNDING_OUTCOME[DecisionOutcome(outcome)],
                decided_on=selectors.meeting_day(meeting),
                reference=f"{meeting.display_title}, TOP {locked.number}"[:200],
                reasons=funding_reasons,
                expected_status=locked.stage_status or None,
            )
        decision.save()
        audit_record(
            actor=actor,
            action="meeting.decision",
            instance=locked,
            to_state=outcome,
            changes={
                "objecting": decision.names("objecting"),
                "abstaining": decision.names("abstaining"),
                "recused": decision.names("recused"),
            },
        )
        if (
            locked.project is not None
            and meeting.body.kind == BodyKind.SPEAKERS
            and outcome in (DecisionOutcome.AGREED, DecisionOutcome.NOT_AGREED)
        ):
            _carry_recommendation(actor, locked, decision)
    return decision


def _objection_summary(decision_snapshot: Mapping[str, Any]) -> str:
    return _("Kein Einvernehmen. Einwände: %(objections)s") % {
        "objections": "; ".join(
            f"{entry['name']} ({entry['reason']})"
            for entry in decision_snapshot.get("objecting", [])
        )
        or _("keine")
    }


def _recommendation_text(decision: Decision) -> str:
    if decision.outcome == DecisionOutcome.AGREED:
        text = _("Der Sprecherkreis empfiehlt, das Vorhaben zu befürworten.")
    else:
        text = (
            _("Der Sprecherkreis empfiehlt nicht, das Vorhaben zu befürworten.")
            + " "
            + _objection_summary(decision.snapshot)
        )
    meeting = decision.item.meeting
    return _("%(text)s (Sitzung vom %(day)s)") % {"text": text, "day": _day(meeting.starts_at)}


def _carry_recommendation(actor: User | None, source: AgendaItem, decision: Decision) -> None:
    """The Sprecherkreis' recommendation goes onto the item of the Steuerkreis meeting it prepares
    (or the next one that still takes items)."""
    project = Project.objects.select_related("applicant_organisation").get(agenda_items=source)
    if BODY_STAGES.get(project.status) != BodyKind.STEERING:
        return
    meeting = source.meeting
    target = meeting.prepares
    if target is None or target.status not in (MeetingStatus.PLANNED, MeetingStatus.INVITED):
        steering = Body.objects.filter(
            alliance_id=meeting.alliance_id, kind=BodyKind.STEERING
        ).first()
        target = selectors.next_meeting(steering, meeting.starts_at) if steering else None
    if target is None:
        return
    # Lock order: the Sprecherkreis meeting (held by the caller), then the one it prepares; the
    # lock keeps agenda_propose on the target from adding the project a second time.
    target = _lock_meeting(target)
    recommendation = _recommendation_text(decision)
    existing = target.items.filter(project=project, decision__isnull=True).first()
    if existing is not None:
        existing.recommendation = recommendation
        existing.recommended_by = source
        if existing.stage_status != project.status:
            # An item left from an earlier stage now stands for this one: a sketch's title
            # would misname the description.
            existing.title = _stage_title(project) % {
                "title": project.title,
                "applicant": project.applicant_organisation.name,
            }
            existing.stage_status = project.status
        existing.save(
            update_fields=[
                "recommendation",
                "recommended_by",
                "stage_status",
                "title",
                "updated_at",
            ]
        )
        item = existing
    else:
        item = _project_item(
            target,
            project,
            _next_position(target),
            recommendation=recommendation,
            recommended_by=source,
            is_public=source.is_public,
        )
        item.save()
    audit_record(
        actor=actor,
        action="agenda.recommendation",
        instance=item,
        changes={"recommendation": recommendation, "from_item": source.pk},
    )


# --- Minutes ------------------------------------------------------------------------------------


def minutes_draft_text(meeting: Meeting) -> tuple[str, str]:
    """The public and the non-public part, generated from attendance and decisions."""
    from django.template.loader import render_to_string

    meeting = selectors.meeting_detail(meeting.alliance, meeting.pk)
    items = list(meeting.items.all())
    context = {
        "meeting": meeting,
        "present": [row for row in meeting.attendances.all() if row.is_present and row.can_vote],
        "advisory": [
            row for row in meeting.attendances.all() if row.is_present and not row.can_vote
        ],
        "absent": [row for row in meeting.attendances.all() if not row.is_present],
        "guests": list(meeting.guests.all()),
    }
    public = render_to_string(
        "meetings/minutes_draft.txt",
        {**context, "items": [item for item in items if item.is_public], "part": "public"},
    ).strip()
    nonpublic = render_to_string(
        "meetings/minutes_draft.txt",
        {**context, "items": [item for item in items if not item.is_public], "part": "nonpublic"},
    ).strip()
    return public, nonpublic


def minutes_generate(*, actor: User | None, meeting: Meeting) -> Minutes:
    """Create the draft, or regenerate it while it is a draft (the office's edits are replaced)."""
    _require_manager(actor, meeting.alliance)
    with transaction.atomic():
        public, nonpublic = minutes_draft_text(meeting)
        minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
        if minutes is None:
            minutes = Minutes.objects.create(
                alliance=meeting.alliance,
                meeting=meeting,
                public_text=public,
                nonpublic_text=nonpublic,
            )
            audit_record(actor=actor, action="minutes.create", instance=minutes)
            return minutes
        if minutes.status != MinutesStatus.DRAFT:
            raise TransitionNotAllowed(_("Ein genehmigtes Protokoll wird nicht neu erstellt."))
        minutes.public_text, minutes.nonpublic_text = public, nonpublic
        minutes.version += 1
        minutes.save()
        audit_record(actor=actor, action="minutes.regenerate", instance=minutes)
    return minutes


def minutes_update(
    *,
    actor: User | None,
    minutes: Minutes,
    public_text: str,
    nonpublic_text: str,
    expected_version: int | None = None,
) -> Minutes:
    _require_manager(actor, minutes.alliance)
    with transaction.atomic():
        locked = Minutes.objects.select_for_update().get(pk=minutes.pk)
        _check_version(locked.version, expected_version)
        if locked.status != MinutesStatus.DRAFT:
            raise TransitionNotAllowed(_("Ein genehmigtes Protokoll wird nicht mehr geändert."))
        before = snapshot(locked)
        locked.public_text, locked.nonpublic_text = public_text, nonpublic_text
        locked.version += 1
        locked.save()
        audit_record(
            actor=actor,
            action="minutes.update",
            instance=locked,
            changes=diff(before, snapshot(locked)),
        )
    minutes.refresh_from_db()
    return minutes


def minutes_approve(*, actor: User | None, minutes: Minutes, approved_in: Meeting) -> Minutes:
    """The next meeting of the same body approves the minutes; the public part is published."""
    _require_manager(actor, minutes.alliance)
    with transaction.atomic():
        # The meeting before its minutes, as closing a meeting (which writes them) does.
        meeting = _lock_meeting(minutes.meeting)
        locked = (
            Minutes.objects.select_for_update(of=("self",))
            .select_related("meeting__body")
            .get(pk=minutes.pk)
        )
        if locked.status != MinutesStatus.DRAFT:
            raise TransitionNotAllowed(_("Das Protokoll ist bereits genehmigt."))
        if approved_in.body_id != meeting.body_id or approved_in.starts_at <= meeting.starts_at:
            raise DomainError(
                {
                    "approved_in": [
                        _("Ein Protokoll genehmigt eine spätere Sitzung desselben Gremiums.")
                    ]
                }
            )
        if not approved_in.is_open_for_decisions or approved_in.starts_at > timezone.now():
            raise DomainError(
                {
                    "approved_in": [
                        _("Die genehmigende Sitzung muss eingeladen sein und begonnen haben.")
                    ]
                }
            )
        locked.status = MinutesStatus.APPROVED
        locked.approved_in = approved_in
        locked.approved_at = timezone.now()
        locked.version += 1
        locked.save()
        audit_record(
            actor=actor,
            action="minutes.approve",
            instance=locked,
            to_state=MinutesStatus.APPROVED,
            changes={"approved_in": str(approved_in)},
        )
        _move(actor, meeting, MeetingStatus.MINUTES_APPROVED)
    minutes.refresh_from_db()
    return minutes


# --- Umlaufbeschluss ----------------------------------------------------------------------------


def circulation_open(
    *,
    actor: User | None,
    alliance: Alliance,
    title: str,
    text: str,
    deadline: datetime,
    project: Project | None = None,
    is_public: bool = False,
) -> Circulation:
    """The office asks every voting organisation of the Steuerkreis in writing."""
    _require_manager(actor, alliance)
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Bitte geben Sie einen Betreff an.")]
    if not text.strip():
        errors["text"] = [_("Bitte formulieren Sie den Beschlussvorschlag.")]
    if deadline <= timezone.now():
        errors["deadline"] = [_("Die Antwortfrist muss in der Zukunft liegen.")]
    if project is not None and project.alliance_id != alliance.pk:
        errors["project"] = [_("Dieses Vorhaben gehört zu einem anderen Bündnis.")]
    if errors:
        raise DomainError(errors)
    body = Body.objects.filter(alliance=alliance, kind=BodyKind.STEERING).first()
    if body is None:
        raise DomainError(_("Das Bündnis hat noch keinen Steuerkreis."))
    with transaction.atomic():
        stage = ""
        recused: list[dict[str, Any]] = []
        voting = selectors.voting_organisations(body, timezone.localdate())
        if project is not None:
            # The project row only, as the procedure locks it (funding.services._lock); it also
            # keeps a second circulation on the same project from opening meanwhile.
            project = (
                Project.objects.select_for_update(of=("self",), no_key=True)
                .select_related("applicant_organisation")
                .get(pk=project.pk)
            )
            if BODY_STAGES.get(project.status) != BodyKind.STEERING:
                raise DomainError(
                    {
                        "project": [
                            _(
                                "Im Stand „%(status)s“ entscheidet der Steuerkreis nicht über das Vorhaben."
                            )
                            % {"status": project.get_status_display()}
                        ]
                    }
                )
            if Circulation.objects.filter(project=project, status=CirculationStatus.OPEN).exists():
                # Two at once would both try to move the project on; the second would fail.
                raise DomainError(
                    {"project": [_("Für dieses Vorhaben läuft bereits ein Umlaufbeschluss.")]}
                )
            stage = project.status
            if project.applicant_organisation_id in voting:
                recused.append(
                    _entry(
                        project.applicant_organisation_id,
                        voting,
                        reason=_("Antragstellerin des Vorhabens"),
                    )
                )
        if not voting:
            raise DomainError(_("Der Steuerkreis hat keine stimmberechtigten Organisationen."))
        circulation = Circulation.objects.create(
            alliance=alliance,
            body=body,
            title=title.strip(),
            text=text.strip(),
            project=project,
            stage_status=stage,
            deadline=deadline,
            is_public=is_public,
            silence_is_consent=body.silence_is_consent,
            entitled=[
                _entry(pk, voting) for pk in sorted(voting, key=lambda pk: voting.get(pk, ""))
            ],
            recused=recused,
            opened_by=actor,
        )
        audit_record(
            actor=actor,
            action="circulation.open",
            instance=circulation,
            to_state=CirculationStatus.OPEN,
            changes={"deadline": deadline.isoformat(), "entitled": len(voting)},
        )
        circulation_id = circulation.pk
        transaction.on_commit(lambda: notifications.send_circulation(circulation_id))
    return circulation


def _lock_circulation(circulation: Circulation) -> Circulation:
    return Circulation.objects.select_for_update().get(pk=circulation.pk)


def circulation_answer(
    *,
    actor: User | None,
    circulation: Circulation,
    organisation: Organisation,
    answer: str,
    comment: str = "",
    now: datetime | None = None,
) -> CirculationAnswer:
    """One answer per organisation, which it may change until the deadline."""
    now = now or timezone.now()
    if answer not in Answer.values:
        raise DomainError({"answer": [_("Bitte wählen Sie Zustimmung, Einwand oder Enthaltung.")]})
    if answer == Answer.OBJECT and not comment.strip():
        raise DomainError({"comment": [_("Bitte begründen Sie Ihren Einwand.")]})
    with transaction.atomic():
        locked = _lock_circulation(circulation)
        if actor is not None:
            answers_for = meeting_permissions.answering_organisation_ids(actor, locked.alliance)
            if organisation.pk not in answers_for:
                raise NotPermitted(
                    _("Sie können nicht für %(organisation)s antworten.")
                    % {"organisation": organisation.name}
                )
        if locked.status != CirculationStatus.OPEN:
            raise TransitionNotAllowed(
                _("Der Umlauf ist abgeschlossen (%(status)s); Antworten sind nicht mehr möglich.")
                % {"status": locked.get_status_display()}
            )
        if now >= locked.deadline:
            raise TransitionNotAllowed(
                _("Die Antwortfrist ist am %(deadline)s abgelaufen.")
                % {
                    "deadline": formats.date_format(
                        timezone.localtime(locked.deadline), "d.m.Y H:i"
                    )
                }
            )
        if organisation.pk not in locked.entitled_ids:
            raise DomainError(
                _("%(organisation)s ist in diesem Umlauf nicht stimmberechtigt.")
                % {"organisation": organisation.name}
            )
        if organisation.pk in {entry["id"] for entry in locked.recused}:
            raise DomainError(
                _("%(organisation)s ist befangen und gibt keine Antwort ab.")
                % {"organisation": organisation.name}
            )
        existing = (
            CirculationAnswer.objects.select_for_update()
            .filter(circulation=locked, organisation=organisation)
            .first()
        )
        previous = existing.answer if existing else ""
        if existing is None:
            existing = CirculationAnswer(
                alliance_id=locked.alliance_id, circulation=locked, organisation=organisation
            )
        existing.answer = answer
        existing.comment = comment.strip()
        existing.answered_by = actor if getattr(actor, "is_authenticated", False) else None
        existing.answered_at = now
        existing.save()
        audit_record(
            actor=actor,
            action="circulation.answer",
            instance=locked,
            from_state=previous,
            to_state=answer,
            changes={"organisation": organisation.name, "comment": existing.comment},
        )
    return existing


def circulation_tally(circulation: Circulation) -> rules.CirculationTally:
    answers = {row.organisation_id: row.answer for row in circulation.answers.all()}
    return rules.circulation_tally(
        entitled=frozenset(circulation.entitled_ids),
        recused=frozenset(entry["id"] for entry in circulation.recused),
        answers=answers,
        silence_is_consent=circulation.silence_is_consent,
    )


def _circulation_result(circulation: Circulation, tally: rules.CirculationTally) -> dict[str, Any]:
    """Who agreed, objected (with the comment), abstained, stayed silent or was recused."""
    names = {entry["id"]: entry["name"] for entry in circulation.entitled}
    comments = {row.organisation_id: row.comment for row in circulation.answers.all()}

    def entries(ids: frozenset[int]) -> list[dict[str, Any]]:
        return [_entry(pk, names) for pk in sorted(ids, key=lambda pk: names.get(pk, ""))]

    return {
        "agreeing": entries(tally.agreeing),
        "objecting": [
            _entry(pk, names, reason=comments.get(pk, ""))
            for pk in sorted(tally.objecting, key=lambda pk: names.get(pk, ""))
        ],
        "abstaining": entries(tally.abstaining),
        "silent": entries(tally.silent),
        "recused": circulation.recused,
        "silence_is_consent": circulation.silence_is_consent,
    }


def circulation_close(
    *, actor: User | None, circulation: Circulation, now: datetime | None = None
) -> Circulation:
    """Evaluate the circulation: after the deadline, or earlier once every organisation has
    answered (the answers are then final). A passed circulation on a project drives the
    procedure like a positive Steuerkreis vote; a failed one leaves the project for the next
    meeting."""
    now = now or timezone.now()
    if actor is not None:
        _require_manager(actor, circulation.alliance)
    with transaction.atomic():
        locked = _lock_circulation(circulation)
        if locked.status != CirculationStatus.OPEN:
            raise TransitionNotAllowed(_("Der Umlauf ist bereits ausgewertet."))
        tally = circulation_tally(locked)
        if now < locked.deadline and not tally.complete:
            raise TransitionNotAllowed(
                _(
                    "Vor Ablauf der Frist wird erst ausgewertet, wenn alle stimmberechtigten "
                    "Organisationen geantwortet haben (es fehlen noch %(count)s)."
                )
                % {"count": len(tally.silent)}
            )
        locked.result = _circulation_result(locked, tally)
        locked.status = CirculationStatus.PASSED if tally.passed else CirculationStatus.FAILED
        locked.closed_at = now
        if tally.passed and locked.project_id is not None:
            project = Project.objects.get(pk=locked.project_id)
            _require_stage(project, locked.stage_status)
            locked.body_outcome = _record_outcome(
                actor=actor,
                project=project,
                body=locked.body,
                outcome=Outcome.POSITIVE,
                decided_on=timezone.localtime(now).date(),
                reference=_("Umlaufbeschluss „%(title)s“") % {"title": locked.title[:150]},
                expected_status=locked.stage_status or None,
            )
        locked.save()
        audit_record(
            actor=actor,
            action="circulation.close",
            instance=locked,
            from_state=CirculationStatus.OPEN,
            to_state=locked.status,
            changes=locked.result,
        )
        circulation_id = locked.pk
        transaction.on_commit(lambda: notifications.send_circulation_result(circulation_id))
    circulation.refresh_from_db()
    return circulation


def circulation_cancel(*, actor: User | None, circulation: Circulation, reason: str) -> Circulation:
    _require_manager(actor, circulation.alliance)
    if not reason.strip():
        raise DomainError({"reason": [_("Bitte geben Sie den Grund an.")]})
    with transaction.atomic():
        locked = _lock_circulation(circulation)
        if locked.status != CirculationStatus.OPEN:
            raise TransitionNotAllowed(_("Der Umlauf ist bereits ausgewertet."))
        locked.status = CirculationStatus.CANCELLED
        locked.closed_at = timezone.now()
        locked.result = {"reason": reason.strip()}
        locked.save()
        audit_record(
            actor=actor,
            action="circulation.cancel",
            instance=locked,
            from_state=CirculationStatus.OPEN,
            to_state=CirculationStatus.CANCELLED,
            comment=reason,
        )
    circulation.refresh_from_db()
    return circulation


def circulations_close_due(*, now: datetime | None = None) -> list[Circulation]:
    """Evaluate every circulation whose deadline has passed (run periodically). A circulation
    the procedure refuses (the project moved on) is closed as failed, with the reason."""
    now = now or timezone.now()
    closed = []
    for circulation in Circulation.objects.filter(status=CirculationStatus.OPEN, deadline__lte=now):
        try:
            closed.append(circulation_close(actor=None, circulation=circulation, now=now))
        except DomainError as error:
            if _close_as_failed(circulation, reason=" ".join(error.messages), now=now):
                circulation.refresh_from_db()
                closed.append(circulation)
    return closed


def _close_as_failed(circulation: Circulation, *, reason: str, now: datetime) -> bool:
    """Close a circulation the procedure refused as failed, keeping the answers and the reason.
    False when someone else evaluated it meanwhile (then it is not this run's to report)."""
    with transaction.atomic():
        locked = _lock_circulation(circulation)
        if locked.status != CirculationStatus.OPEN:
            return False
        locked.status = CirculationStatus.FAILED
        locked.closed_at = now
        locked.result = {**_circulation_result(locked, circulation_tally(locked)), "error": reason}
        locked.save()
        audit_record(
            actor=None,
            action="circulation.close",
            instance=locked,
            from_state=CirculationStatus.OPEN,
            to_state=CirculationStatus.FAILED,
            comment=reason,
        )
        circulation_id = locked.pk
        transaction.on_commit(lambda: notifications.send_circulation_result(circulation_id))
    return True


def _reminder(circulation_id: int) -> Callable[[], None]:
    return lambda: notifications.send_circulation_reminder(circulation_id)


def circulations_remind_due(
    *, now: datetime | None = None, before: timedelta = timedelta(days=2)
) -> int:
    """Remind the organisations that have not answered, once, `before` the deadline."""
    now = now or timezone.now()
    due = Circulation.objects.filter(
        status=CirculationStatus.OPEN,
        reminder_sent_at__isnull=True,
        deadline__gt=now,
        deadline__lte=now + before,
    )
    count = 0
    for circulation in due:
        with transaction.atomic():
            updated = Circulation.objects.filter(
                pk=circulation.pk, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now)
            if updated:
                circulation_id = circulation.pk
                transaction.on_commit(_reminder(circulation_id))
                count += 1
    return count
