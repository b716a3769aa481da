"""Reads of meetings and circulations. Lists fetch their relations up front, so the number of
queries does not grow with the number of items, seats or answers."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from buendnis.alliances.models import VOTING_ROLES, Alliance, Body, BodyKind, Seat
from buendnis.funding.models import ProjectDocument
from buendnis.funding.states import BODY_STAGES

from .models import (
    AgendaItem,
    Attendance,
    Circulation,
    CirculationAnswer,
    CirculationStatus,
    Meeting,
    MeetingStatus,
)


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
    being held (their item has no decision yet)."""
    from buendnis.funding.models import Project

    stages = [status for status, kind in BODY_STAGES.items() if kind == body.kind]
    pending = AgendaItem.objects.filter(
        meeting__body=body,
        decision__isnull=True,
        meeting__status__in=(MeetingStatus.PLANNED, MeetingStatus.INVITED, MeetingStatus.HELD),
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
