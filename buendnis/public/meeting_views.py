"""Meetings on the alliance's public site, and their public calendars: /<slug>/sitzungen/….

The public part of a meeting is published: its date and place, the public items of its agenda
once the invitation has gone out, their decisions and the approved minutes' public part. The
non-public items, internal notes, the non-public part of the minutes and draft minutes never
reach these pages or the public calendars, for anyone: members read them on the office's pages
(`portal.meeting_views`) and in their private calendar (`portal.calendar_views`).

Every yes/no comes from `meetings.permissions` (roles from `accounts.permissions`); reads from
`meetings.public_selectors`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from buendnis.alliances import selectors as alliance_selectors
from buendnis.alliances.models import Alliance
from buendnis.meetings import calendar, links, public_selectors
from buendnis.meetings import permissions as meeting_permissions
from buendnis.meetings.models import AgendaItem, Decision, Meeting, MeetingStatus, MinutesStatus
from buendnis.meetings.selectors import meeting_day
from buendnis.web.files import file_response
from buendnis.web.pages import public_page, render_alliance_page

SECTION = "meetings_public"
HELD = frozenset({MeetingStatus.HELD, MeetingStatus.MINUTES_APPROVED})


# --- Pages ---------------------------------------------------------------------------------------


@public_page
def meeting_list(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    """Meetings with a public part: the coming ones (soonest first), then the past ones."""
    meetings = public_selectors.public_meeting_list(alliance)
    today = timezone.localdate()

    def done(meeting: Meeting) -> bool:
        return meeting.status in HELD or meeting_day(meeting) < today

    context = {
        "upcoming": [meeting for meeting in meetings if not done(meeting)],
        "past": [meeting for meeting in reversed(meetings) if done(meeting)],
        "feeds": links.public_feeds(alliance),
        "cancelled": MeetingStatus.CANCELLED,
    }
    return render_alliance_page(
        request, alliance, "meetings/public/meeting_list.html", SECTION, context
    )


@dataclass(frozen=True)
class PublicItem:
    item: AgendaItem
    decision: Decision | None
    objecting: list[str] = field(default_factory=list)
    abstaining: list[str] = field(default_factory=list)
    recused: list[str] = field(default_factory=list)


def _public_items(meeting: Meeting) -> list[PublicItem]:
    if not meeting_permissions.is_agenda_published(meeting):
        return []
    rows = []
    # The selector fetched the public items only; the filter holds even if it changes.
    for item in meeting.items.all():
        if not item.is_public:
            continue
        decision: Decision | None = getattr(item, "decision", None)
        rows.append(
            PublicItem(
                item=item,
                decision=decision,
                objecting=decision.names("objecting") if decision else [],
                abstaining=decision.names("abstaining") if decision else [],
                recused=decision.names("recused") if decision else [],
            )
        )
    return rows


@public_page
def meeting_detail(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    meeting = public_selectors.public_meeting(alliance, pk)
    if meeting is None or not meeting_permissions.can_view_meeting_publicly(meeting):
        raise Http404(_("Sitzung nicht gefunden."))
    minutes = getattr(meeting, "minutes", None)
    context: dict[str, Any] = {
        "meeting": meeting,
        "agenda_published": meeting_permissions.is_agenda_published(meeting),
        "items": _public_items(meeting),
        # Only approved minutes are published, and only their public part.
        "minutes_text": minutes.public_text
        if minutes is not None and minutes.status == MinutesStatus.APPROVED
        else "",
        "minutes_approved_at": minutes.approved_at if minutes is not None else None,
        "is_cancelled": meeting.status == MeetingStatus.CANCELLED,
        "feed_url": links.body_feed_path(alliance, meeting.body.kind),
    }
    return render_alliance_page(
        request, alliance, "meetings/public/meeting_detail.html", SECTION, context
    )


# --- Calendars -----------------------------------------------------------------------------------


@public_page
def body_feed(request: HttpRequest, alliance: Alliance, body_kind: str) -> HttpResponse:
    """The public calendar of a body: its meetings with a public part, public items only."""
    kind = links.FEED_KINDS.get(body_kind)
    body = next(
        (body for body in public_selectors.calendar_bodies(alliance) if body.kind == kind), None
    )
    if body is None:
        raise Http404(_("Kalender nicht gefunden."))
    meetings = public_selectors.calendar_meetings(alliance, public=True, body_kind=kind)
    ics = calendar.build_calendar(
        meetings,
        alliance,
        audience=calendar.Audience.PUBLIC,
        name=f"{body.name} – {alliance.display_short_name}",
    )
    return file_response(
        calendar.to_ical(ics), content_type=calendar.CONTENT_TYPE, filename=f"{body_kind}.ics"
    )


@require_safe
@never_cache
def meeting_ics(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One meeting as a calendar file: members get every item, everyone else the public
    version of a public meeting; a non-public meeting does not exist for outsiders."""
    alliance = alliance_selectors.get_alliance_for_user(request.user, slug)
    members = meeting_permissions.can_view_meetings(request.user, alliance)
    found = public_selectors.calendar_meetings(alliance, public=not members, pk=pk)
    if not found or not meeting_permissions.can_view_meeting_calendar(request.user, found[0]):
        raise Http404(_("Sitzung nicht gefunden."))
    audience = calendar.Audience.MEMBERS if members else calendar.Audience.PUBLIC
    ics = calendar.build_calendar(found, alliance, audience=audience)
    return file_response(
        calendar.to_ical(ics),
        content_type=calendar.CONTENT_TYPE,
        filename=f"sitzung-{pk}.ics",
        attachment=True,
    )
