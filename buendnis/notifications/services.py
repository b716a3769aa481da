"""Writes of members' notifications: the fan-out of an event to the subscribers of its topics,
subscriptions, reading, the choice of delivery and the daily digest.

`notify` is the one call of the domain apps above (funding, meetings, the idea pool, the inbox):
after their change has committed, they name the topics (`topics`: every key), the alliance and
what happened. Who is told: every active subscriber of any of the topics, once, except the actor,
and only if they may still see the topic's thing by the rule of the app that owns it (registered
in `topics`). Mail follows each recipient's choice (`Delivery`): one per event after the commit,
the daily digest (`digest_send`, `manage.py notifications_digest`), or none.

Subscriptions and the choice of delivery are audited; reading is not: it changes only what one
member has seen, like a mail program's unread flag, and would write a row for every click.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance
from buendnis.core.audit import audit_record
from buendnis.core.errors import DomainError, NotPermitted

from . import mail, permissions, selectors, topics
from .models import (
    DEFAULT_DELIVERY,
    Delivery,
    Notification,
    NotificationPreference,
    PublicSubscription,
    Subscription,
)
from .tokens import CONFIRM_MAX_AGE

log = logging.getLogger(__name__)

_muted: ContextVar[bool] = ContextVar("notifications_muted", default=False)

# The topic of a notification sent to its recipients directly (`notify_users`), not to followers.
DIRECT = ""

# What a notification links to: a path of this site, or a path per recipient (a project's page
# is the office's workspace for the internal circle and the applicant portal for its applicant).
Link = str | Callable[[User], str]

DIGEST_WINDOW = timedelta(days=1)
# A digest lists at most this many; the rest it counts and leaves to the centre.
DIGEST_MAX_ROWS = 50
# Notifications older than this are deleted by the daily run.
RETENTION = timedelta(days=365)


@contextmanager
def muted() -> Iterator[None]:
    """Create no notification and send no notification mail inside the block (the demo load
    walks many projects and meetings at once). The domain apps' own `muted()` enter this one.

    Notifications are made after the commit, so the block must enclose the outermost transaction
    of the steps it mutes: `with muted(), transaction.atomic(): ...`."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def is_muted() -> bool:
    return _muted.get()


def _keys(topic: str | Iterable[str]) -> list[str]:
    keys = [topic] if isinstance(topic, str) else list(dict.fromkeys(topic))
    for key in keys:
        topics.kind_of(key)  # LookupError: a kind nobody registered is a programming error
    return keys


def _deliveries(user_ids: Iterable[int]) -> dict[int, str]:
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=list(user_ids)).values_list(
            "user_id", "delivery"
        )
    )
    return chosen


def notify(
    *,
    topic: str | Iterable[str],
    alliance: Alliance,
    kind: str,
    title: str,
    text: str = "",
    link: Link = "",
    actor: Any = None,
) -> list[Notification]:
    """Tell the subscribers of `topic` (a key of `topics`, or several: each subscriber is told
    once) that something happened; returns the notifications made.

    `kind` names the event for code (`"project.moved"`, `"meeting.invited"`, `"idea.created"`),
    `title` and `text` say it for people (German, plain text), `link` is the thing's page (a path
    of this site, or a function of the recipient that returns one). `actor`, the one who caused
    it, is not told. Call it after the change has committed (`transaction.on_commit`): the check
    of who may see the thing then reads the committed state. Queries: the subscribers (without
    any, nothing more); the followed topics' things (one each); each subscriber's right (their
    roles: one each); their choices of delivery; the insert."""
    if _muted.get():
        return []
    keys = _keys(topic)
    subscriptions = (
        Subscription.objects.filter(alliance=alliance, topic__in=keys, user__is_active=True)
        .select_related("user")
        .order_by("user_id", "id")
    )
    actor_id = getattr(actor, "pk", None)
    if actor_id is not None:
        subscriptions = subscriptions.exclude(user_id=actor_id)
    followed: dict[int, tuple[User, list[str]]] = {}
    for row in subscriptions:
        followed.setdefault(row.user_id, (row.user, []))[1].append(row.topic)
    if not followed:
        return []
    # The things of the topics someone follows (most events have no subscriber: no query then).
    things = {
        key: topics.load(alliance, key) for key in {k for _u, ks in followed.values() for k in ks}
    }
    recipients: list[tuple[User, str]] = []
    for user, their_keys in followed.values():
        for key in their_keys:
            thing = things[key]
            if thing is not None and topics.kind_of(key).can_see(user, thing):
                recipients.append((user, key))
                break
    return _store(recipients, alliance=alliance, kind=kind, title=title, text=text, link=link)


def notify_users(
    *,
    users: Iterable[User],
    alliance: Alliance,
    kind: str,
    title: str,
    text: str = "",
    link: Link = "",
    actor: Any = None,
) -> list[Notification]:
    """Tell these members directly, without a subscription (the inbox's new assignee, say), with
    the same delivery as `notify`. The caller has decided that each of them may see the thing;
    inactive accounts and the actor are left out, and each member is told once."""
    if _muted.get():
        return []
    actor_id = getattr(actor, "pk", None)
    chosen: dict[int, User] = {}
    for user in users:
        if user.is_active and user.pk != actor_id:
            chosen.setdefault(user.pk, user)
    recipients = [(user, DIRECT) for user in chosen.values()]
    return _store(recipients, alliance=alliance, kind=kind, title=title, text=text, link=link)


def _store(
    recipients: list[tuple[User, str]],
    *,
    alliance: Alliance,
    kind: str,
    title: str,
    text: str,
    link: Link,
) -> list[Notification]:
    """One notification per (recipient, topic), and the mail per event after the commit."""
    if not recipients:
        return []
    now = timezone.now()
    rows = [
        Notification(
            recipient=user,
            alliance=alliance,
            topic=key,
            kind=kind[:60],
            title=title[:300],
            text=text,
            link=(link(user) if callable(link) else link)[:500],
            created_at=now,
        )
        for user, key in recipients
    ]
    deliveries = _deliveries(user.pk for user, _key in recipients)
    with transaction.atomic():
        made = Notification.objects.bulk_create(rows)
        per_event = [
            row.pk
            for row in made
            if deliveries.get(row.recipient_id, DEFAULT_DELIVERY) == Delivery.EVENT
        ]
        if per_event:
            transaction.on_commit(lambda: _mail_events(per_event))
    return made


def _mail_events(notification_ids: list[int]) -> None:
    if _muted.get():
        return
    try:
        mail.send_events(notification_ids)
    except Exception:
        # The notifications are stored and in the centre; a broken mail must not hide that.
        log.exception("Benachrichtigungsmails %s konnten nicht gesendet werden", notification_ids)


# --- Subscriptions ---------------------------------------------------------------------------


def subscribe(
    *, user: User, alliance: Alliance, topic: str, by_system: bool = False
) -> Subscription:
    """Follow a topic (again: nothing changes). Refused for a topic the user may not see.
    `by_system`: not the user's own click (the demo load): the audit row names no actor."""
    if not permissions.can_follow(user, alliance, topic):
        raise NotPermitted(
            _("Dieses Thema können Sie nicht abonnieren: Sie haben keinen Zugang dazu.")
        )
    with transaction.atomic():
        subscription, created = Subscription.objects.get_or_create(
            user=user, alliance=alliance, topic=topic
        )
        if created:
            audit_record(
                actor=None if by_system else user,
                action="subscription.create",
                instance=subscription,
                changes={"topic": topic},
            )
    return subscription


def unsubscribe(*, user: User, alliance: Alliance, topic: str) -> bool:
    """Stop following a topic; False if the user did not follow it. Always allowed, even after
    the user lost the right to see the thing."""
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update()
            .filter(user=user, alliance=alliance, topic=topic)
            .first()
        )
        if subscription is None:
            return False
        audit_record(
            actor=user,
            action="subscription.delete",
            instance=subscription,
            changes={"topic": topic},
        )
        subscription.delete()
    return True


def delivery_set(*, user: User, delivery: str) -> NotificationPreference:
    """Choose how notifications arrive (`Delivery`)."""
    if delivery not in Delivery.values:
        raise DomainError({"delivery": [_("Bitte wählen Sie eine der angebotenen Zustellungen.")]})
    with transaction.atomic():
        preference, created = NotificationPreference.objects.select_for_update().get_or_create(
            user=user, defaults={"delivery": delivery}
        )
        before = "" if created else preference.delivery
        if preference.delivery != delivery:
            preference.delivery = delivery
            preference.save(update_fields=["delivery", "updated_at"])
        if before != delivery:
            audit_record(
                actor=user,
                action="notification_preference.update",
                instance=preference,
                changes={"delivery": [before or DEFAULT_DELIVERY, delivery]},
            )
    return preference


# --- Reading ---------------------------------------------------------------------------------


def mark_read(*, user: User, notification: Notification) -> Notification:
    """Mark one of the user's notifications read (once; again changes nothing)."""
    if not permissions.can_open_notification(user, notification):
        raise NotPermitted(_("Diese Benachrichtigung ist nicht für Sie bestimmt."))
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
        selectors.forget_unread(user)
    return notification


def mark_all_read(*, user: User, alliance: Alliance) -> int:
    """Mark every unread notification of the user in the alliance read; returns how many."""
    count = Notification.objects.filter(
        recipient=user, alliance=alliance, read_at__isnull=True
    ).update(read_at=timezone.now())
    selectors.forget_unread(user)
    return count


# --- The daily digest and clean-up -----------------------------------------------------------


@dataclass(frozen=True)
class DigestRun:
    mailed: int  # digest mails sent
    notifications: int  # notifications they covered (listed or counted)
    failed: int  # recipients whose mail the server refused (their rows stay unmailed)


def digest_send(*, now: datetime | None = None) -> DigestRun:
    """Mail every member who chose the daily digest (or never chose) their unmailed
    notifications of the last day, in one mail, and mark them mailed.

    Idempotent: a second run finds nothing unmailed. Each member's rows are claimed by setting
    `mailed_at` where it is still empty (a compare-and-swap `update`) before the mail goes out,
    so two runs at once never mail the same row; if the server refuses the mail, the claim is
    undone and the next run tries again."""
    now = now or timezone.now()
    pending = (
        Notification.objects.filter(
            mailed_at__isnull=True, created_at__gt=now - DIGEST_WINDOW, created_at__lte=now
        )
        .exclude(recipient__notification_preference__delivery__in=[Delivery.EVENT, Delivery.IN_APP])
        .filter(recipient__is_active=True)
        .exclude(recipient__email="")
    )
    recipients = list(
        pending.order_by("recipient_id").values_list("recipient_id", flat=True).distinct()
    )
    mailed = covered = failed = 0
    for recipient_id in recipients:
        stamp = timezone.now()
        ids = list(pending.filter(recipient_id=recipient_id).values_list("pk", flat=True))
        claimed = Notification.objects.filter(pk__in=ids, mailed_at__isnull=True).update(
            mailed_at=stamp
        )
        if not claimed:
            continue
        mine = Notification.objects.filter(pk__in=ids, mailed_at=stamp).select_related(
            "alliance", "recipient"
        )
        rows = list(mine.order_by("alliance__name", "-created_at", "-id")[:DIGEST_MAX_ROWS])
        if not rows:
            continue
        if mail.send_digest(rows[0].recipient, rows, more=claimed - len(rows)):
            mailed += 1
            covered += claimed
        else:
            mine.update(mailed_at=None)
            failed += 1
    return DigestRun(mailed, covered, failed)


@dataclass(frozen=True)
class Purge:
    notifications: int
    unconfirmed: int


def purge_expired(*, now: datetime | None = None) -> Purge:
    """Delete notifications older than `RETENTION`, and the addresses of the public that never
    confirmed within the confirmation link's lifetime (nothing was ever sent to them; keeping
    them would keep personal data for nothing)."""
    now = now or timezone.now()
    old, _kinds = Notification.objects.filter(created_at__lt=now - RETENTION).delete()
    unconfirmed, _kinds = PublicSubscription.objects.filter(
        confirmed_at__isnull=True, created_at__lt=now - CONFIRM_MAX_AGE
    ).delete()
    return Purge(old, unconfirmed)
