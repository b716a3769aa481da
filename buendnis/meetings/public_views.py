"""Meetings on the alliance's public site, and the calendars: /<slug>/sitzungen/….

The public part of a meeting is published: its date and place, the public items of its agenda
once the invitation has gone out, their decisions and the approved minutes' public part. The
non-public items, internal notes, the non-public part of the minutes and draft minutes never
reach these pages or the public calendars, for anyone: members read them on the office's pages
and in their private calendar.

Every yes/no comes from `meetings.permissions` (roles from `accounts.permissions`); reads from
`public_selectors`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from buendnis.accounts import permissions
from buendnis.alliances.models import Alliance, BodyKind
from buendnis.meetings import permissions as meeting_permissions
from buendnis.web.pages import (
    AllianceView,
    PageView,
    public_page,
    render_alliance_page,
    signed_in_page,
    signed_in_user,
)

from . import calendar, feeds, public_selectors
from .models import AgendaItem, CalendarFeed, Decision, Meeting, MeetingStatus, MinutesStatus
from .selectors import meeting_day

SECTION = "meetings_public"
HELD = frozenset({MeetingStatus.HELD, MeetingStatus.MINUTES_APPROVED})

# The public calendar of each body, by the word in its address.
FEED_KINDS: dict[str, str] = {"steuerkreis": BodyKind.STEERING, "sprecherkreis": BodyKind.SPEAKERS}
FEED_SLUGS: dict[str, str] = {str(kind): slug for slug, kind in FEED_KINDS.items()}


def _alliance(request: HttpRequest, slug: str) -> Alliance:
    return permissions.get_alliance_for_user(request.user, slug)


def _ics(content: bytes, filename: str, *, attachment: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=calendar.CONTENT_TYPE)
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


# --- Pages ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Feed:
    name: str
    url: str


def _public_feeds(alliance: Alliance) -> list[Feed]:
    return [
        Feed(
            body.name,
            reverse("public_meetings:body_feed", args=[alliance.slug, FEED_SLUGS[body.kind]]),
        )
        for body in public_selectors.calendar_bodies(alliance)
    ]


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
        "feeds": _public_feeds(alliance),
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
        "feed_url": reverse(
            "public_meetings:body_feed", args=[alliance.slug, FEED_SLUGS[meeting.body.kind]]
        ),
    }
    return render_alliance_page(
        request, alliance, "meetings/public/meeting_detail.html", SECTION, context
    )


# --- Calendars -----------------------------------------------------------------------------------


@public_page
def body_feed(request: HttpRequest, alliance: Alliance, body_kind: str) -> HttpResponse:
    """The public calendar of a body: its meetings with a public part, public items only."""
    kind = FEED_KINDS.get(body_kind)
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
    return _ics(calendar.to_ical(ics), f"{body_kind}.ics")


@require_safe
@never_cache
def private_feed(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """A member's calendar: every meeting of both bodies with every item. The key is the
    credential (calendar programs do not log in); a wrong or dead key looks like no page."""
    alliance = _alliance(request, slug)
    if feeds.feed_authenticate(alliance=alliance, key=key) is None:
        raise Http404(_("Kalender nicht gefunden."))
    meetings = public_selectors.calendar_meetings(alliance, public=False)
    ics = calendar.build_calendar(
        meetings,
        alliance,
        audience=calendar.Audience.MEMBERS,
        name=_("Sitzungen – %(alliance)s") % {"alliance": alliance.display_short_name},
    )
    response = _ics(calendar.to_ical(ics), "sitzungen.ics")
    # The address itself is secret: keep it out of logs of whoever follows a link from it.
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_safe
@never_cache
def meeting_ics(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One meeting as a calendar file: members get every item, everyone else the public
    version of a public meeting; a non-public meeting does not exist for outsiders."""
    alliance = _alliance(request, slug)
    members = meeting_permissions.can_view_meetings(request.user, alliance)
    found = public_selectors.calendar_meetings(alliance, public=not members, pk=pk)
    if not found or not meeting_permissions.can_view_meeting_calendar(request.user, found[0]):
        raise Http404(_("Sitzung nicht gefunden."))
    audience = calendar.Audience.MEMBERS if members else calendar.Audience.PUBLIC
    ics = calendar.build_calendar(found, alliance, audience=audience)
    return _ics(calendar.to_ical(ics), f"sitzung-{pk}.ics", attachment=True)


# --- The members' calendar address ---------------------------------------------------------------


def member_page(*, methods: list[str]) -> Callable[[AllianceView], PageView]:
    """A member's own calendar address: for those who may subscribe to the meetings."""
    return signed_in_page(
        methods=methods,
        allowed=meeting_permissions.can_subscribe_meetings,
        refused=gettext_lazy("Kein Zugang zu den Sitzungen dieses Bündnisses."),
    )


@member_page(methods=["GET", "HEAD", "POST"])
def calendar_keys(request: HttpRequest, alliance: Alliance) -> HttpResponseBase:
    """Whether the member has a calendar address; POST makes a new one (replacing the old) and
    shows it once, in this response: it is not stored anywhere it could be shown again, not
    even in the session, so it is not redirected to a page that would have to read it back."""
    user = signed_in_user(request)
    address = ""
    feed: CalendarFeed | None
    if request.method == "POST":
        feed, key = feeds.feed_create(actor=user, user=user, alliance=alliance)
        address = request.build_absolute_uri(
            reverse("public_meetings:private_feed", args=[alliance.slug, key])
        )
    else:
        feed = feeds.feed_of(user=user, alliance=alliance)
    context = {
        "feed": feed,
        "address": address,
        "webcal": address.replace("https://", "webcal://", 1).replace("http://", "webcal://", 1),
        "public_feeds": _public_feeds(alliance),
    }
    return render_alliance_page(
        request, alliance, "meetings/public/calendar_keys.html", SECTION, context
    )


@member_page(methods=["POST"])
def calendar_key_delete(request: HttpRequest, alliance: Alliance) -> HttpResponseBase:
    user = signed_in_user(request)
    if feeds.feed_delete(actor=user, user=user, alliance=alliance):
        messages.success(
            request,
            _(
                "Ihre Kalenderadresse ist gelöscht; Kalender, die sie abonniert haben, erhalten nichts mehr."
            ),
        )
    else:
        messages.info(request, _("Sie hatten keine Kalenderadresse."))
    return redirect("public_meetings:calendar", alliance.slug)
