"""Addresses of the meeting pages and calendars. Absolute ones for mail and calendar entries,
which are made without a request to ask for the host: they come from
`settings.BUENDNIS_SITE_URL`."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve, reverse

from buendnis.alliances.models import Alliance, BodyKind

from .models import Circulation, Meeting
from .public_selectors import calendar_bodies

# The public calendar of each body, by the word in its address (/<slug>/sitzungen/<word>.ics).
FEED_KINDS: dict[str, str] = {"steuerkreis": BodyKind.STEERING, "sprecherkreis": BodyKind.SPEAKERS}
FEED_SLUGS: dict[str, str] = {str(kind): slug for slug, kind in FEED_KINDS.items()}


def absolute(path: str) -> str:
    """`/son/sitzungen/` → `https://portal.example.org/son/sitzungen/`."""
    return f"{settings.BUENDNIS_SITE_URL}{path}"


def calendar_domain() -> str:
    """The right-hand side of every event UID: the platform's host, or a fixed name."""
    return urlsplit(settings.BUENDNIS_SITE_URL).hostname or "buendnisportal"


def public_meeting_path(meeting: Meeting) -> str:
    return reverse("public_meetings:detail", args=[meeting.alliance.slug, meeting.pk])


def body_feed_path(alliance: Alliance, kind: str) -> str:
    """The public calendar of the alliance's body of this kind."""
    return reverse("public_meetings:body_feed", args=[alliance.slug, FEED_SLUGS[kind]])


@dataclass(frozen=True)
class Feed:
    name: str
    url: str


def public_feeds(alliance: Alliance) -> list[Feed]:
    """The public calendars of the alliance's bodies, by name (one query)."""
    return [
        Feed(body.name, body_feed_path(alliance, body.kind)) for body in calendar_bodies(alliance)
    ]


def _existing(path: str) -> str:
    """`path` if a page answers there, else "". The office's meeting and circulation pages come
    from `portal.meeting_urls` and `portal.circulation_urls`, whose paths are a contract
    (`/<slug>/intern/sitzungen/<pk>/`); mail links to them only once they exist."""
    try:
        resolve(path)
    except Resolver404:
        return ""
    return path


def internal_meeting_path(meeting: Meeting) -> str:
    """The meeting's page for members: the office's page, else the public one (if any)."""
    path = _existing(f"/{meeting.alliance.slug}/intern/sitzungen/{meeting.pk}/")
    if not path and meeting.has_public_part:
        path = public_meeting_path(meeting)
    return path


def internal_meetings_path(alliance: Alliance) -> str:
    """The office's list of meetings, if it exists."""
    return _existing(f"/{alliance.slug}/intern/sitzungen/")


def internal_circulation_path(circulation: Circulation) -> str:
    slug = circulation.alliance.slug
    return _existing(f"/{slug}/intern/umlaufbeschluesse/{circulation.pk}/") or _existing(
        f"/{slug}/intern/umlaufbeschluesse/"
    )
