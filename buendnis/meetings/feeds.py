"""Members' private calendar addresses: made, checked and removed here, nowhere else.

An address reads `/<slug>/sitzungen/kalender/<key>.ics`. As with API tokens (accounts.tokens),
only the SHA-256 of the key is stored and the key is shown exactly once, when the address is
made; it carries 256 random bits, so a plain SHA-256 is enough. Calendar programs cannot log in,
so the key is the whole credential: every fetch asks again whether its owner may still read
the meetings, and a new address replaces the old one (one per member and alliance).

Making and removing write an audit row in the same transaction; a fetch only stamps
`last_used_at`, at most once an hour (calendar programs poll every few minutes).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buendnis.alliances.models import Alliance
from buendnis.core.audit import audit_record
from buendnis.core.errors import NotPermitted
from buendnis.meetings import permissions as meeting_permissions

from .models import CalendarFeed

if TYPE_CHECKING:
    from buendnis.accounts.models import User

_KEY_BYTES = 32
STAMP_EVERY = timedelta(hours=1)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def feed_of(*, user: User, alliance: Alliance) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(alliance=alliance, user=user).first()


def feed_create(*, actor: User, user: User, alliance: Alliance) -> tuple[CalendarFeed, str]:
    """Make (or replace) the user's calendar address. Returns the row and the key, which is
    never stored: the caller shows it once. The old address stops working at once."""
    if not meeting_permissions.can_subscribe_meetings(user, alliance):
        raise NotPermitted(_("Kein Zugang zu den Sitzungen dieses Bündnisses."))
    key = secrets.token_urlsafe(_KEY_BYTES)
    with transaction.atomic():
        # update_or_create locks an existing row; two clicks at once leave one address.
        feed, created = CalendarFeed.objects.update_or_create(
            alliance=alliance,
            user=user,
            defaults={
                "key_hash": key_hash(key),
                "created_at": timezone.now(),
                "last_used_at": None,
            },
        )
        audit_record(
            actor=actor,
            action="calendarfeed.create" if created else "calendarfeed.replace",
            instance=feed,
            changes={"user_id": user.pk},
        )
    return feed, key


def feed_delete(*, actor: User, user: User, alliance: Alliance) -> bool:
    """Remove the user's address; False if there was none."""
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(alliance=alliance, user=user).first()
        if feed is None:
            return False
        audit_record(
            actor=actor,
            action="calendarfeed.delete",
            instance=feed,
            changes={"user_id": user.pk},
        )
        feed.delete()
    return True


def feed_authenticate(*, alliance: Alliance, key: str) -> CalendarFeed | None:
    """The live address for `key` with its user, or None: unknown key, or an owner who may no
    longer read the meetings (deactivated, role gone). Queries: the address with its user; the
    user's roles; at most hourly the stamp of `last_used_at`.

    The lookup is by the hash of a 256-bit secret: timing tells an attacker nothing about keys
    that match, since none will."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(alliance=alliance, key_hash=key_hash(key))
        .first()
    )
    if feed is None or not meeting_permissions.can_subscribe_meetings(feed.user, alliance):
        return None
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at >= STAMP_EVERY:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
        feed.last_used_at = now
    return feed
