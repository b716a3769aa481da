"""Meetings as iCalendar (RFC 5545): invitations and cancellations by mail, the public calendar
of each body, members' private calendars and single downloads.

One meeting is one event everywhere: its UID is `<meeting.uid>@<host>` and its SEQUENCE the
meeting's `sequence`, which the services raise when time, place or title change and on
cancellation. A calendar that received the invitation therefore updates the entry it has instead
of adding a second one, and a cancelled meeting stays in every feed with STATUS:CANCELLED, so
subscribers see it struck through rather than silently gone.

Times are written in Europe/Berlin (the platform's TIME_ZONE) with a VTIMEZONE covering the
years of the events, so that clients show the local time the office entered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import STATUS, Calendar, Event, vCalAddress

from buendnis.alliances.models import Alliance
from buendnis.meetings import permissions as meeting_permissions

from . import links
from .models import AgendaItem, Meeting, MeetingStatus

PRODID = "-//Buendnisportal//Sitzungen//DE"
# A meeting entered without an end is shown with this length: an event without DTEND is a point
# in time (RFC 5545 3.6.1), which calendars draw as a sliver nobody notices.
DEFAULT_DURATION = timedelta(hours=2)
CONTENT_TYPE = "text/calendar; charset=utf-8"


class Method(StrEnum):
    """METHOD of the calendar object (RFC 5546). Feeds and downloads carry none."""

    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


class Audience(StrEnum):
    PUBLIC = "public"  # public meetings, public items, the public page as URL
    MEMBERS = "members"  # every item, the online access or the members' page as URL


@dataclass(frozen=True)
class Recipient:
    """The addressee of a mailed invitation: named as ATTENDEE so that calendar programs treat
    the mail as an invitation to them."""

    email: str
    name: str = ""


def event_uid(meeting: Meeting) -> str:
    return f"{meeting.uid}@{links.calendar_domain()}"


def _local(value: datetime) -> datetime:
    return timezone.localtime(value, ZoneInfo(settings.TIME_ZONE))


def _end(meeting: Meeting) -> datetime:
    return meeting.ends_at or meeting.starts_at + DEFAULT_DURATION


def summary(meeting: Meeting, alliance: Alliance) -> str:
    return f"{meeting.display_title} – {alliance.display_short_name}"


def _items(meeting: Meeting, audience: Audience) -> list[AgendaItem]:
    """The agenda as the audience may read it. Callers prefetch `items` (the public feeds with
    the public items only); the filter here holds even if one forgets."""
    if audience == Audience.PUBLIC:
        if not meeting_permissions.is_agenda_published(meeting):
            return []
        return [item for item in meeting.items.all() if item.is_public]
    return list(meeting.items.all())


def description(meeting: Meeting, audience: Audience) -> str:
    lines: list[str] = []
    if meeting.status == MeetingStatus.CANCELLED:
        lines.append(_("Die Sitzung ist abgesagt."))
        if audience == Audience.MEMBERS and meeting.cancelled_reason:
            lines.append(_("Grund: %(reason)s") % {"reason": meeting.cancelled_reason})
        lines.append("")
    items = _items(meeting, audience)
    if items:
        lines.append(_("Tagesordnung:"))
        for item in items:
            line = f"TOP {item.number}: {item.title}"
            if audience == Audience.MEMBERS and not item.is_public:
                line += " " + _("(nichtöffentlich)")
            lines.append(line)
    elif audience == Audience.PUBLIC and not meeting_permissions.is_agenda_published(meeting):
        lines.append(_("Die Tagesordnung wird mit der Einladung veröffentlicht."))
    if audience == Audience.MEMBERS and meeting.online_url:
        lines += ["", _("Online-Zugang: %(url)s") % {"url": meeting.online_url}]
    return "\n".join(lines).strip()


def _url(meeting: Meeting, audience: Audience) -> str:
    # The online access of a meeting admits to its non-public part too: it is for members only.
    if audience == Audience.MEMBERS:
        if meeting.online_url:
            return meeting.online_url
        path = links.internal_meeting_path(meeting)
    else:
        path = links.public_meeting_path(meeting)
    return links.absolute(path) if path else ""


def meeting_event(
    meeting: Meeting,
    alliance: Alliance,
    *,
    audience: Audience,
    stamp: datetime | None = None,
    organizer: Recipient | None = None,
    attendee: Recipient | None = None,
) -> Event:
    """One VEVENT. `stamp` is DTSTAMP: the time of sending for mailed invitations; without it,
    the meeting's last change (RFC 5545 3.8.7.2 for objects without METHOD)."""
    meeting.alliance = alliance  # links need the slug; spare the query
    cancelled = meeting.status == MeetingStatus.CANCELLED
    event = Event.new(
        uid=event_uid(meeting),
        sequence=meeting.sequence,
        stamp=(stamp or meeting.updated_at).astimezone(UTC),
        start=_local(meeting.starts_at),
        end=_local(_end(meeting)),
        summary=summary(meeting, alliance),
        status=STATUS.CANCELLED if cancelled else STATUS.CONFIRMED,
    )
    event.add("last-modified", meeting.updated_at.astimezone(UTC))
    if meeting.location:
        event.add("location", meeting.location)
    url = _url(meeting, audience)
    if url:
        event.add("url", url)
    text = description(meeting, audience)
    if text:
        event.add("description", text)
    if organizer is not None:
        address = vCalAddress(f"mailto:{organizer.email}")
        if organizer.name:
            address.params["cn"] = organizer.name
        event.add("organizer", address)
    if attendee is not None:
        address = vCalAddress(f"mailto:{attendee.email}")
        if attendee.name:
            address.params["cn"] = attendee.name
        # Replies are not collected through the calendar: attendance is recorded by the office.
        address.params["rsvp"] = "FALSE"
        event.add("attendee", address)
    return event


def build_calendar(
    meetings: Iterable[Meeting],
    alliance: Alliance,
    *,
    audience: Audience,
    name: str = "",
    method: Method | None = None,
    stamp: datetime | None = None,
    organizer: Recipient | None = None,
    attendee: Recipient | None = None,
) -> Calendar:
    """A VCALENDAR with one event per meeting (none is fine: an empty feed is a valid feed).
    Precondition: the meetings belong to `alliance`, with `body` and `items` fetched."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method is not None:
        calendar.add("method", str(method))
    if name:
        calendar.add("name", name)  # RFC 7986
        calendar.add("x-wr-calname", name)  # what most programs read
        calendar.add("x-wr-timezone", settings.TIME_ZONE)
    days: list[date] = []
    for meeting in meetings:
        calendar.add_component(
            meeting_event(
                meeting,
                alliance,
                audience=audience,
                stamp=stamp,
                organizer=organizer,
                attendee=attendee,
            )
        )
        days += [_local(meeting.starts_at).date(), _local(_end(meeting)).date()]
    if days:
        # The rules of the years the events fall in (and one after), not of 1970–2038.
        calendar.add_missing_timezones(
            first_date=date(min(days).year, 1, 1), last_date=date(max(days).year + 2, 1, 1)
        )
    return calendar


def to_ical(calendar: Calendar) -> bytes:
    return calendar.to_ical()
