"""A member's private calendar: the page that makes its address, /<slug>/sitzungen/kalender/,
and the calendar itself, /<slug>/sitzungen/kalender/<key>.ics.

The private calendar holds every meeting of both bodies with every item, non-public ones too; the
key in its address is the credential, made, checked and removed by `meetings.feeds`. The public
calendars of the bodies are `public.meeting_views`'. The addresses sit among the public meeting
pages and share their URL namespace (`public_meetings`, config/urls.py).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from buendnis.alliances import selectors as alliance_selectors
from buendnis.alliances.models import Alliance
from buendnis.meetings import calendar, feeds, links, public_selectors
from buendnis.meetings import permissions as meeting_permissions
from buendnis.meetings.models import CalendarFeed
from buendnis.web.files import file_response
from buendnis.web.pages import (
    AllianceView,
    PageView,
    render_alliance_page,
    signed_in_page,
    signed_in_user,
)

# The page belongs to the public meetings' section of the navigation.
SECTION = "meetings_public"


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
        "public_feeds": links.public_feeds(alliance),
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


@require_safe
@never_cache
def private_feed(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    """A member's calendar: every meeting of both bodies with every item. The key is the
    credential (calendar programs do not log in); a wrong or dead key looks like no page."""
    alliance = alliance_selectors.get_alliance_for_user(request.user, slug)
    if feeds.feed_authenticate(alliance=alliance, key=key) is None:
        raise Http404(_("Kalender nicht gefunden."))
    meetings = public_selectors.calendar_meetings(alliance, public=False)
    ics = calendar.build_calendar(
        meetings,
        alliance,
        audience=calendar.Audience.MEMBERS,
        name=_("Sitzungen – %(alliance)s") % {"alliance": alliance.display_short_name},
    )
    response = file_response(
        calendar.to_ical(ics), content_type=calendar.CONTENT_TYPE, filename="sitzungen.ics"
    )
    # The address itself is secret: keep it out of logs of whoever follows a link from it.
    response["Referrer-Policy"] = "no-referrer"
    return response
