"""Reads of the notification centre, the header's count and the list of one's subscriptions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.paginator import Page
from django.db.models import Count

from buendnis.accounts.models import User
from buendnis.accounts.permissions import is_active_user
from buendnis.alliances.models import Alliance
from buendnis.core.paging import page_of

from . import topics
from .models import DEFAULT_DELIVERY, Notification, NotificationPreference, Subscription

CENTRE_PAGE_SIZE = 20
SUBSCRIPTIONS_PAGE_SIZE = 50

# Unread counts asked during one request, on the user object (as accounts.permissions caches
# the roles): the header and the centre ask once between them.
_UNREAD = "_buendnis_unread"


def unread_count(user: User, alliance: Alliance | None = None) -> int:
    """The user's unread notifications in this alliance (all alliances: None). One query, on the
    partial index of unread rows; cached on the user object for the request."""
    if not is_active_user(user):
        return 0
    cache: dict[int | None, int] = user.__dict__.setdefault(_UNREAD, {})
    key = alliance.pk if alliance is not None else None
    if key not in cache:
        rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
        if alliance is not None:
            rows = rows.filter(alliance=alliance)
        cache[key] = rows.count()
    return cache[key]


def forget_unread(user: User) -> None:
    """After marking read: the next `unread_count` asks the database again."""
    user.__dict__.pop(_UNREAD, None)


def centre_page(user: User, alliance: Alliance, number: object) -> Page:
    """Page `number` of the user's notifications in the alliance, newest first (one query)."""
    rows = Notification.objects.filter(recipient=user, alliance=alliance).order_by(
        "-created_at", "-id"
    )
    return page_of(rows, number, CENTRE_PAGE_SIZE)


def notification_of(user: User, pk: int) -> Notification | None:
    return Notification.objects.filter(recipient=user, pk=pk).first()


def is_following(user: User, alliance: Alliance, topic: str) -> bool:
    return Subscription.objects.filter(user=user, alliance=alliance, topic=topic).exists()


def subscription_of(user: User, pk: int) -> Subscription | None:
    """One of the user's subscriptions, with its alliance."""
    return Subscription.objects.select_related("alliance").filter(user=user, pk=pk).first()


def delivery_of(user: User) -> str:
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference.delivery if preference is not None else DEFAULT_DELIVERY


@dataclass(frozen=True)
class SubscriptionRow:
    subscription: Subscription
    label: str
    link: str


def subscriptions_page(user: User, number: object) -> tuple[Page, list[SubscriptionRow]]:
    """Page `number` of the user's subscriptions, by alliance and topic, each named as its app
    names it (a query for the page, one per alliance and kind of topic on it)."""
    rows = (
        Subscription.objects.filter(user=user)
        .select_related("alliance")
        .order_by("alliance__name", "topic", "id")
    )
    page = page_of(rows, number, SUBSCRIPTIONS_PAGE_SIZE)
    subscriptions: list[Subscription] = list(page.object_list)
    named: dict[tuple[int, str], topics.Subject] = {}
    for alliance in _alliances_of(subscriptions):
        keys = [row.topic for row in subscriptions if row.alliance_id == alliance.pk]
        for topic, subject in topics.describe(user, alliance, keys).items():
            named[(alliance.pk, topic)] = subject
    listed = []
    for row in subscriptions:
        # A thing that is gone since keeps its key as name, so it can still be unsubscribed.
        named_row = named.get((row.alliance_id, row.topic), topics.Subject(row.topic))
        listed.append(SubscriptionRow(row, named_row.label, named_row.link))
    return page, listed


def _alliances_of(subscriptions: Iterable[Subscription]) -> list[Alliance]:
    seen: dict[int, Alliance] = {}
    for row in subscriptions:
        seen.setdefault(row.alliance_id, row.alliance)
    return list(seen.values())


@dataclass(frozen=True)
class UnreadIn:
    slug: str
    name: str
    count: int


def unread_by_alliance(user: User) -> list[UnreadIn]:
    """The alliances in which the user has unread notifications, with the number (one query)."""
    rows = (
        Notification.objects.filter(recipient=user, read_at__isnull=True)
        .values("alliance__slug", "alliance__name")
        .annotate(unread=Count("id"))
        .order_by("alliance__name")
    )
    return [UnreadIn(row["alliance__slug"], row["alliance__name"], row["unread"]) for row in rows]
