"""Demo subscriptions and notifications, loaded after the meetings.

The demo's steps run muted (the load walks many at once), so nobody was told of them. So that
the notification centre shows what a member sees, the `steuerkreis` login follows the
Steuerkreis' meetings and `sprecher` the Sprecherkreis' (both of SüdOstNiedersachsen), and each
finds the notification of their body's latest invitation, unread, if there was one (those of
November 2026; the meetings of 2027 are not invited yet). The notifications count as mailed: the daily digest never writes to the demo's illustrative
addresses.

A second load creates nothing: a login that follows its body already is left as it is.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance, Body, BodyKind
from buendnis.meetings import links
from buendnis.meetings.models import Meeting
from buendnis.meetings.notifications import MeetingEvent, member_notice
from buendnis.notifications import services, topics
from buendnis.notifications.models import Notification, Subscription

FOLLOWERS = (("steuerkreis", BodyKind.STEERING), ("sprecher", BodyKind.SPEAKERS))


def _count() -> int:
    return Subscription.objects.count() + Notification.objects.count()


def load_demo_notifications() -> int:
    """Returns how many records were created (0 when loaded, or without the demo alliance)."""
    before = _count()
    alliance = Alliance.objects.filter(slug="son").first()
    if alliance is None:
        return 0
    for username, kind in FOLLOWERS:
        user = User.objects.filter(username=username).first()
        body = Body.objects.filter(alliance=alliance, kind=kind).first()
        if user is None or body is None:
            continue
        topic = topics.body(body.pk)
        if Subscription.objects.filter(user=user, alliance=alliance, topic=topic).exists():
            continue
        services.subscribe(user=user, alliance=alliance, topic=topic, by_system=True)
        meeting = (
            Meeting.objects.filter(body=body, invited_at__isnull=False)
            .select_related("alliance", "body")
            .order_by("-invited_at", "-id")
            .first()
        )
        if meeting is None or meeting.invited_at is None:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            title, text = member_notice(meeting, MeetingEvent.INVITED)
        Notification.objects.create(
            recipient=user,
            alliance=alliance,
            topic=topic,
            kind=f"meeting.{MeetingEvent.INVITED}",
            title=title,
            text=text,
            link=links.internal_meeting_path(meeting),
            created_at=meeting.invited_at,
            mailed_at=meeting.invited_at,
        )
    return _count() - before
