"""Mail of notifications: one per event, the daily digest, and the public's confirmation and news.

Called after the commit of what they report, so a rolled-back change sends nothing; a failure
here (mail server away) is logged and never turns that change into an error page. Every mail has
one recipient (addresses are not shown to each other); the mails of one event go out over one
connection. Mail speaks the platform's language, not the acting user's choice for the screen.

Every mail to the public carries its one-click unsubscribe link in the text and in the
`List-Unsubscribe` and `List-Unsubscribe-Post` headers (RFC 8058; mail providers show an
"unsubscribe" button and POST to the link). RFC 8058 also asks for a DKIM signature covering both
headers: that is the outgoing mail server's job (README, "Notifications").
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance

from . import tokens, topics
from .models import Notification, PublicSubscription, PublicTopic

log = logging.getLogger(__name__)


def absolute(path: str) -> str:
    """`/son/sitzungen/4/` → `https://portal.example.org/son/sitzungen/4/`."""
    return f"{settings.BUENDNIS_SITE_URL}{path}" if path.startswith("/") else path


def render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """Subject (one line) and body of `notifications/mail/<template>`."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"notifications/mail/{template}_subject.txt", context)
        body = render_to_string(f"notifications/mail/{template}.txt", context)
    return " ".join(subject.split()), re.sub(r"\n\s*\n(\s*\n)+", "\n\n", body).strip() + "\n"


def deliver(messages: Sequence[EmailMessage], what: str) -> bool:
    """Send over one connection; False (logged) when the mail server refused. With the tasks'
    queue (production) this only queues the mails, so it is True unless the queue is away; a
    refusal then shows in the worker (buendnis/core/tasks.py, `deliver_mail`, with retries)."""
    if not messages:
        return True
    try:
        mailers.default.send_messages(list(messages))
    except OSError:
        log.exception("%s: %s Mails konnten nicht gesendet werden", what, len(messages))
        return False
    return True


def _settings_url() -> str:
    return absolute(reverse("accounts:notifications"))


def _reply_to(alliance: Alliance) -> list[str] | None:
    return [alliance.office_email] if alliance.office_email else None


# --- Members ---------------------------------------------------------------------------------


def send_events(notification_ids: Iterable[int]) -> int:
    """One mail per notification, to recipients who chose mail per event; marks them mailed.
    Returns the number sent."""
    rows = list(
        Notification.objects.filter(pk__in=list(notification_ids), mailed_at__isnull=True)
        .exclude(recipient__email="")
        .select_related("recipient", "alliance")
        .order_by("id")
    )
    if not rows:
        return 0
    named: dict[tuple[int, str], topics.Subject] = {}
    messages = []
    for row in rows:
        key = (row.alliance_id, row.topic)
        if not row.topic:
            named[key] = topics.Subject("")  # told directly, not as a follower
        elif key not in named:
            subjects = topics.describe(row.recipient, row.alliance, [row.topic])
            named[key] = subjects.get(row.topic, topics.Subject(row.topic))
        subject, body = render(
            "event",
            {
                "notification": row,
                "alliance": row.alliance,
                "name": row.recipient.get_full_name(),
                "url": absolute(row.link) if row.link else "",
                "about": named[key].label,
                "settings_url": _settings_url(),
            },
        )
        messages.append(
            EmailMessage(
                subject=subject,
                body=body,
                to=[row.recipient.email],
                reply_to=_reply_to(row.alliance),
            )
        )
    if not deliver(messages, "Benachrichtigung"):
        return 0
    Notification.objects.filter(pk__in=[row.pk for row in rows]).update(mailed_at=timezone.now())
    return len(messages)


def send_digest(user: User, rows: Sequence[Notification], more: int) -> bool:
    """The day's notifications of one member in one mail, by alliance (`rows` carry their
    alliance); `more` were left out of the mail (the centre has them)."""
    by_alliance: dict[int, dict[str, Any]] = {}
    for row in rows:
        entry = by_alliance.setdefault(
            row.alliance_id,
            {
                "alliance": row.alliance,
                "centre_url": absolute(reverse("notifications:centre", args=[row.alliance.slug])),
                "rows": [],
            },
        )
        entry["rows"].append({"notification": row, "url": absolute(row.link) if row.link else ""})
    subject, body = render(
        "digest",
        {
            "name": user.get_full_name(),
            "groups": list(by_alliance.values()),
            "count": len(rows) + more,
            "more": more,
            "day": timezone.localdate(),
            "settings_url": _settings_url(),
        },
    )
    return deliver([EmailMessage(subject=subject, body=body, to=[user.email])], "Zusammenfassung")


# --- The public ------------------------------------------------------------------------------


def _topic_labels(chosen: Iterable[str]) -> list[str]:
    return [str(PublicTopic(topic).label) for topic in chosen]


def send_confirmation(subscription_id: int, token: str, chosen: list[str], changing: bool) -> None:
    """The double opt-in: the link that confirms the subscription (or its change)."""
    subscription = (
        PublicSubscription.objects.select_related("alliance").filter(pk=subscription_id).first()
    )
    if subscription is None:
        return
    alliance = subscription.alliance
    subject, body = render(
        "public_confirm",
        {
            "alliance": alliance,
            "topics": _topic_labels(chosen),
            "changing": changing,
            "url": absolute(reverse("public:subscription_confirm", args=[alliance.slug, token])),
            "days": tokens.CONFIRM_MAX_AGE.days,
        },
    )
    deliver(
        [
            EmailMessage(
                subject=subject, body=body, to=[subscription.email], reply_to=_reply_to(alliance)
            )
        ],
        "Bestätigung des Abonnements",
    )


def unsubscribe_url(subscription: PublicSubscription, alliance: Alliance) -> str:
    token = tokens.unsubscribe_token(subscription)
    return absolute(reverse("public:subscription_unsubscribe", args=[alliance.slug, token]))


def public_news_message(
    subscription: PublicSubscription, alliance: Alliance, context: dict[str, Any]
) -> EmailMessage:
    """One subscriber's mail about one event, with the one-click unsubscribe (RFC 8058)."""
    link = unsubscribe_url(subscription, alliance)
    subject, body = render("public_news", {**context, "unsubscribe_url": link})
    return EmailMessage(
        subject=subject,
        body=body,
        to=[subscription.email],
        reply_to=_reply_to(alliance),
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # Automatic mail: no out-of-office answers to it (RFC 3834).
            "Auto-Submitted": "auto-generated",
        },
    )


def send_public_news(
    subscribers: QuerySet[PublicSubscription], alliance: Alliance, context: dict[str, Any]
) -> int:
    """The event's mail to every confirmed subscriber of its topic, in batches of one connection
    each. Returns the number sent."""
    sent = 0
    batch: list[EmailMessage] = []
    for subscription in subscribers.iterator(chunk_size=200):
        batch.append(public_news_message(subscription, alliance, context))
        if len(batch) == 200:
            sent += len(batch) if deliver(batch, "Nachricht an Abonnenten") else 0
            batch = []
    sent += len(batch) if deliver(batch, "Nachricht an Abonnenten") else 0
    return sent
