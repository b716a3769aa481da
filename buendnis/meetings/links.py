"""Absolute addresses for mail and calendar entries, which are made without a request to ask for
the host: they come from `settings.BUENDNIS_SITE_URL`."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve, reverse

from .models import Circulation, Meeting


def absolute(path: str) -> str:
    """`/son/sitzungen/` → `https://portal.example.org/son/sitzungen/`."""
    return f"{settings.BUENDNIS_SITE_URL}{path}"


def calendar_domain() -> str:
    """The right-hand side of every event UID: the platform's host, or a fixed name."""
    return urlsplit(settings.BUENDNIS_SITE_URL).hostname or "buendnisportal"


def public_meeting_path(meeting: Meeting) -> str:
    return reverse("public_meetings:detail", args=[meeting.alliance.slug, meeting.pk])


def _existing(path: str) -> str:
    """`path` if a page answers there, else "". The office's meeting and circulation pages come
    from `meetings.office_urls` and `circulation_urls`, whose paths are a contract
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


def internal_circulation_path(circulation: Circulation) -> str:
    slug = circulation.alliance.slug
    return _existing(f"/{slug}/intern/umlaufbeschluesse/{circulation.pk}/") or _existing(
        f"/{slug}/intern/umlaufbeschluesse/"
    )
