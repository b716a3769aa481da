"""Reads of meetings and circulations. Lists fetch their relations up front, so the number of
queries does not grow with the number of items, seats or answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from buendnis.alliances.models import VOTING_ROLES, Alliance, Body, BodyKind, Seat
from buendnis.funding.models import BodyOutcome, ProjectDocument
from buendnis.funding.states import BODY_STAGES

from .models import (
    AgendaDocument,
    AgendaItem,
    Attendance,
    Circulation,
    CirculationAnswer,
    CirculationStatus,
    Meeting,
    MeetingStatus,
    Presence,
)
from .rules import Quorum


def seats_on(body: Body, day: date) -> QuerySet[Seat]:
    """The body's seats in office on that day."""
    return (
        Seat.objects.filter(body=body, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .select_related("organisation", "person")
        .order_by("organisation__name", "id")
    )


def voting_organisations(body: Body, day: date) -> dict[int, str]:
    """Organisations with a vote on the body on that day (one vote per organisation), by id."""
    return {
        seat.organisation_id: seat.organisation.name
        for seat in seats_on(body, day)
        if seat.role in VOTING_ROLES
    }


def meeting_day(meeting: Meeting) -> date:
    return timezone.localtime(meeting.starts_at).date()


def meeting_list(alliance: Alliance) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(alliance=alliance).select_related("body").order_by("starts_at", "id")
    )


def meeting_detail(alliance: Alliance, pk: int) -> Meeting:
    """One meeting with everything its page shows, in a fixed number of queries."""
    documents = ProjectDocument.objects.order_by("kind", "-version")
    items = (
        AgendaItem.objects.select_related(
            "project__applicant_organisation", "decision", "recommended_by__meeting__body"
        )
        .prefetch_related(
            "documents",
            "recusals__organisation",
            Prefetch("project__documents", queryset=documents),
            # What changed since a body's vote (funding.selectors.vote_changes reads these).
            Prefetch("project__outcomes", queryset=BodyOutcome.objects.select_related("body")),
            "project__cofinancing",
        )
        .order_by("position", "id")
    )
    return (
        Meeting.objects.select_related("body", "prepares__body", "minutes__approved_in__body")
        .prefetch_related(
            Prefetch("items", queryset=items),
            Prefetch("attendances", queryset=Attendance.objects.select_related("organisation")),
            "guests",
            "preparatory_meetings__body",
        )
        .get(alliance=alliance, pk=pk)
    )


def next_meeting(body: Body, after: datetime) -> Meeting | None:
    """The next meeting of the body that can still take items."""
    return (
        Meeting.objects.filter(
            body=body,
            starts_at__gt=after,
            status__in=(MeetingStatus.PLANNED, MeetingStatus.INVITED),
        )
        .order_by("starts_at", "id")
        .first()
    )


def upcoming_deadlines(
    alliance: Alliance, *, on: date | None = None, limit: int = 4
) -> list[Meeting]:
    """Steuerkreis meetings whose submission deadline has not passed: "Einreichung bis … für die
    Sitzung am …" in the applicant portal and on the office board."""
    day = on or timezone.localdate()
    return list(
        Meeting.objects.filter(
            alliance=alliance,
            body__kind=BodyKind.STEERING,
            submission_deadline__gte=day,
            status__in=(MeetingStatus.PLANNED, MeetingStatus.INVITED),
        )
        .select_related("body")
        .order_by("submission_deadline", "starts_at")[:limit]
    )


def projects_waiting_for(body: Body) -> QuerySet:
    """Projects at the body's stage that are not on an agenda of a meeting still to come or
    being held (their item has no decision yet). An undecided item of an earlier stage (the
    project went on by circulation, say) does not hold the project back: it can never be
    decided."""
    from buendnis.funding.models import Project

    stages = [status for status, kind in BODY_STAGES.items() if kind == body.kind]
    pending = AgendaItem.objects.filter(
        meeting__body=body,
        decision__isnull=True,
        meeting__status__in=(MeetingStatus.PLANNED, MeetingStatus.INVITED, MeetingStatus.HELD),
        stage_status=F("project__status"),
    )
    return (
        Project.objects.filter(alliance_id=body.alliance_id, status__in=stages)
        .exclude(pk__in=pending.filter(project__isnull=False).values("project_id"))
        .select_related("applicant_organisation")
        .order_by("status_changed_at", "id")
    )


def circulation_list(alliance: Alliance) -> QuerySet[Circulation]:
    return (
        Circulation.objects.filter(alliance=alliance)
        .select_related("body", "project")
        .prefetch_related(
            Prefetch("answers", queryset=CirculationAnswer.objects.select_related("organisation"))
        )
    )


def open_circulations(alliance: Alliance) -> QuerySet[Circulation]:
    return circulation_list(alliance).filter(status=CirculationStatus.OPEN)


# --- The office's meeting pages ------------------------------------------------------------------


def meeting_overview(alliance: Alliance) -> QuerySet[Meeting]:
    """Every meeting of the alliance with its body and its number of agenda items, one query."""
    return meeting_list(alliance).annotate(item_count=Count("items"))


def meeting_get(alliance: Alliance, pk: int) -> Meeting:
    """One meeting of the alliance with its body (Meeting.DoesNotExist for another alliance's)."""
    return Meeting.objects.select_related("body").get(alliance=alliance, pk=pk)


def agenda_item_get(meeting: Meeting, pk: int) -> AgendaItem:
    """One item of the meeting with its project and applicant (AgendaItem.DoesNotExist else)."""
    item = AgendaItem.objects.select_related("project__applicant_organisation", "decision").get(
        meeting=meeting, pk=pk
    )
    item.meeting = meeting  # known already: spares a query
    return item


def meeting_attendance(alliance: Alliance, pk: int) -> Meeting:
    """One meeting with its attendance rows (and their organisations) and its guests: three
    queries."""
    return (
        Meeting.objects.select_related("body")
        .prefetch_related(
            Prefetch("attendances", queryset=Attendance.objects.select_related("organisation")),
            "guests",
        )
        .get(alliance=alliance, pk=pk)
    )


def agenda_open(meeting: Meeting) -> bool:
    """Whether the agenda can still change (the services refuse otherwise); for the pages to
    offer only what can work."""
    return meeting.status in (MeetingStatus.PLANNED, MeetingStatus.INVITED, MeetingStatus.HELD)


@dataclass(frozen=True)
class AttendanceLine:
    """One seat-holding organisation at a meeting: its recorded row, or (`recorded` False) a
    seat without a row yet, shown as absent."""

    organisation_id: int
    organisation: str
    can_vote: bool
    presence: str
    attendee_name: str
    seat_holders: str
    recorded: bool

    @property
    def is_present(self) -> bool:
        return self.presence != Presence.ABSENT

    @property
    def presence_label(self) -> str:
        return str(Presence(self.presence).label)


@dataclass(frozen=True)
class AttendanceSheet:
    lines: list[AttendanceLine]
    quorum: Quorum

    @property
    def complete(self) -> bool:
        """Every organisation with a seat has its attendance row."""
        return all(line.recorded for line in self.lines)

    @property
    def present_voting(self) -> list[AttendanceLine]:
        return [line for line in self.lines if line.can_vote and line.is_present]

    @property
    def present_advisory(self) -> list[AttendanceLine]:
        return [line for line in self.lines if not line.can_vote and line.is_present]


def attendance_sheet(meeting: Meeting) -> AttendanceSheet:
    """Who represents each seat-holding organisation, and the quorum that follows.

    The rows come from `meeting.attendances` (prefetch them); organisations with a seat on the
    meeting's day but no row yet (before the invitation, or a seat added since) are shown as
    absent. Nothing is written here: the rows are the services' (`attendance_prefill`). One
    query for the seats.
    """
    seats = list(seats_on(meeting.body, meeting_day(meeting)))
    holders: dict[int, list[str]] = {}
    seat_votes: dict[int, bool] = {}
    seat_names: dict[int, str] = {}
    for seat in seats:
        seat_names[seat.organisation_id] = seat.organisation.name
        seat_votes[seat.organisation_id] = seat_votes.get(seat.organisation_id, False) or (
            seat.role in VOTING_ROLES
        )
        if seat.person is not None:
            holders.setdefault(seat.organisation_id, []).append(seat.person.full_name)
    lines = [
        AttendanceLine(
            organisation_id=row.organisation_id,
            organisation=row.organisation.name,
            can_vote=row.can_vote,
            presence=row.presence,
            attendee_name=row.attendee_name,
            seat_holders=", ".join(holders.get(row.organisation_id, [])),
            recorded=True,
        )
        for row in meeting.attendances.all()
    ]
    recorded = {line.organisation_id for line in lines}
    lines.extend(
        AttendanceLine(
            organisation_id=organisation_id,
            organisation=name,
            can_vote=seat_votes[organisation_id],
            presence=Presence.ABSENT,
            attendee_name="",
            seat_holders=", ".join(holders.get(organisation_id, [])),
            recorded=False,
        )
        for organisation_id, name in seat_names.items()
        if organisation_id not in recorded
    )
    lines.sort(key=lambda line: (not line.can_vote, line.organisation.casefold()))
    voting = [line for line in lines if line.can_vote]
    quorum = Quorum(
        voting_seats=len(voting),
        present=sum(1 for line in voting if line.is_present),
        percent=meeting.body.quorum_percent,
    )
    return AttendanceSheet(lines=lines, quorum=quorum)


def minutes_approvers(meeting: Meeting) -> QuerySet[Meeting]:
    """Later meetings of the same body that can approve the minutes (invited or held)."""
    return (
        Meeting.objects.filter(
            body_id=meeting.body_id,
            starts_at__gt=meeting.starts_at,
            status__in=(MeetingStatus.INVITED, MeetingStatus.HELD),
        )
        .select_related("body")
        .order_by("starts_at", "id")
    )


def steering_meetings(alliance: Alliance) -> QuerySet[Meeting]:
    """Steering committee meetings a Sprecherkreis meeting can prepare (not cancelled)."""
    return (
        Meeting.objects.filter(alliance=alliance, body__kind=BodyKind.STEERING)
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("body")
        .order_by("starts_at", "id")
    )


def meeting_bodies(alliance: Alliance) -> QuerySet[Body]:
    """The bodies that meet: Steuerkreis and Sprecherkreis (the office does not)."""
    return Body.objects.filter(
        alliance=alliance, kind__in=(BodyKind.STEERING, BodyKind.SPEAKERS)
    ).order_by("kind")


def circulations_to_answer(
    alliance: Alliance, organisation_ids: frozenset[int], *, limit: int
) -> tuple[list[Circulation], int]:
    """Open circulations that one of these organisations has not answered yet, soonest deadline
    first: at most `limit` and how many there are (two queries; none without organisations)."""
    if not organisation_ids:
        return [], 0
    answered = CirculationAnswer.objects.filter(
        circulation=OuterRef("pk"), organisation_id__in=organisation_ids
    )
    waiting = Circulation.objects.filter(alliance=alliance, status=CirculationStatus.OPEN).filter(
        ~Exists(answered)
    )
    shown = list(waiting.select_related("body", "project").order_by("deadline", "id")[:limit])
    return shown, waiting.count()


def recent_papers(alliance: Alliance, *, limit: int) -> list[AgendaDocument]:
    """The papers most recently added to the agendas, newest first, with their meeting and body
    (one query)."""
    return list(
        AgendaDocument.objects.filter(alliance=alliance)
        .select_related("item__meeting__body")
        .order_by("-created_at", "-id")[:limit]
    )
