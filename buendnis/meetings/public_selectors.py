"""Reads of what leaves the office: the public meeting pages, the calendars, and the meetings and
deadlines the portal's pages announce. Each fetches its relations up front, so the number of
queries does not grow with the number of meetings or items."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch

from buendnis.alliances.models import Alliance, Body, BodyKind

from .models import AgendaItem, Meeting, MeetingStatus

# The bodies that meet (the office does not), in the order pages list them.
MEETING_BODIES = (BodyKind.STEERING, BodyKind.SPEAKERS)


def _public_items() -> Prefetch:
    """Only the public items ever leave the database for a public page or feed."""
    return Prefetch(
        "items",
        queryset=AgendaItem.objects.filter(is_public=True)
        .select_related("decision")
        .order_by("position", "id"),
    )


def public_meeting_list(alliance: Alliance) -> list[Meeting]:
    """Meetings with a public part, oldest first (cancelled ones included, marked as such)."""
    return list(
        Meeting.objects.filter(alliance=alliance, has_public_part=True)
        .select_related("body")
        .order_by("starts_at", "id")
    )


def public_meeting(alliance: Alliance, pk: int) -> Meeting | None:
    """A meeting's public page: the meeting with its body and minutes; its public items with
    their decisions (two queries, however long the agenda)."""
    return (
        Meeting.objects.filter(alliance=alliance, pk=pk, has_public_part=True)
        .select_related("body", "minutes")
        .prefetch_related(_public_items())
        .first()
    )


def announced_meetings(alliance: Alliance, *, limit: int = 30) -> list[Meeting]:
    """The public meetings' feed: meetings with a public part whose agenda is published (the
    invitation went out: `permissions.is_agenda_published`), the latest invitation first, with
    their public items and decisions (two queries)."""
    return list(
        Meeting.objects.filter(alliance=alliance, has_public_part=True, invited_at__isnull=False)
        .select_related("body")
        .prefetch_related(_public_items())
        .order_by("-invited_at", "-id")[:limit]
    )


def calendar_bodies(alliance: Alliance) -> list[Body]:
    """The bodies with a public calendar: Steuerkreis, then Sprecherkreis."""
    bodies = Body.objects.filter(alliance=alliance, kind__in=MEETING_BODIES)
    return sorted(bodies, key=lambda body: MEETING_BODIES.index(BodyKind(body.kind)))


def calendar_meetings(
    alliance: Alliance, *, public: bool, body_kind: str | None = None, pk: int | None = None
) -> list[Meeting]:
    """Meetings for a calendar, with body and agenda (two queries). Public calendars get the
    meetings with a public part and only their public items; members get everything."""
    meetings = Meeting.objects.filter(alliance=alliance, body__kind__in=MEETING_BODIES)
    if body_kind is not None:
        meetings = meetings.filter(body__kind=body_kind)
    if pk is not None:
        meetings = meetings.filter(pk=pk)
    if public:
        meetings = meetings.filter(has_public_part=True).prefetch_related(_public_items())
    else:
        meetings = meetings.prefetch_related(
            Prefetch("items", queryset=AgendaItem.objects.order_by("position", "id"))
        )
    return list(meetings.select_related("body").order_by("starts_at", "id"))


def upcoming_meetings(alliance: Alliance, *, after: datetime, limit: int = 6) -> list[Meeting]:
    """The next meetings of both bodies that still take place (planned or invited)."""
    return list(
        Meeting.objects.filter(
            alliance=alliance,
            body__kind__in=MEETING_BODIES,
            starts_at__gte=after,
            status__in=(MeetingStatus.PLANNED, MeetingStatus.INVITED),
        )
        .select_related("body")
        .order_by("starts_at", "id")[:limit]
    )
