"""The public's e-mail subscriptions: public meetings and newly funded projects of an alliance.

Double opt-in: `public_subscribe` stores the address unconfirmed and mails a signed link
(`tokens`); only `public_confirm` with that link makes it receive anything. Every mail carries a
signed one-click unsubscribe link (`mail.public_news_message`); `public_unsubscribe` deletes the
row, so the address is gone. The audit trail records request, confirmation and unsubscription
with the subscription's number and the topics, nothing more (no address: the trail is
append-only and must forget the person with the row; no client address, no browser).

Whoever types an address can make the platform mail it, so the confirmation mails per address
are limited (`ADDRESS_LIMIT`), besides the form's limit per client (the public site's view). The
answer to the form is the same whether the address was new, unconfirmed or subscribed already:
the form tells nobody who subscribes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buendnis.alliances.models import Alliance
from buendnis.core.audit import audit_record
from buendnis.core.errors import DomainError
from buendnis.core.rate_limit import RateLimit

from . import mail, tokens
from .models import PublicSubscription, PublicTopic
from .services import is_muted

log = logging.getLogger(__name__)

# Three confirmation mails per address and alliance a day: enough to retry, useless to bomb.
ADDRESS_LIMIT = RateLimit("public-subscription-address", 3, 24 * 60 * 60)


def normalise_email(email: str) -> str:
    """One mailbox, one row: addresses are stored in lower case (as people type them, the
    domain is case-insensitive and local parts practically are)."""
    return email.strip().lower()


def _chosen(topics: Iterable[str]) -> list[str]:
    chosen = sorted(set(topics))
    if not chosen:
        raise DomainError({"topics": [_("Bitte wählen Sie mindestens ein Thema.")]})
    if not set(chosen) <= set(PublicTopic.values):
        raise DomainError({"topics": [_("Bitte wählen Sie nur die angebotenen Themen.")]})
    return chosen


def public_subscribe(
    *, alliance: Alliance, email: str, topics: Iterable[str]
) -> PublicSubscription:
    """Ask for the alliance's news on `topics` (values of `PublicTopic`) at `email`: stores the
    address unconfirmed (a confirmed one keeps its topics) and mails the confirmation link after
    the commit. The link carries the topics; confirming it sets them."""
    chosen = _chosen(topics)
    address = normalise_email(email)
    try:
        validate_email(address)
    except ValidationError as exc:
        raise DomainError(
            {"email": [_("Bitte geben Sie eine gültige E-Mail-Adresse an.")]}
        ) from exc
    with transaction.atomic():
        subscription, created = PublicSubscription.objects.select_for_update().get_or_create(
            alliance=alliance,
            email=address,
            defaults={topic: True for topic in chosen},
        )
        changing = subscription.confirmed_at is not None
        if created:
            audit_record(
                actor=None,
                action="public_subscription.request",
                instance=subscription,
                changes={"topics": chosen},
            )
        elif not changing:
            # Still unconfirmed: the new request replaces the old one (and its seven days).
            for topic in PublicTopic.values:
                setattr(subscription, topic, topic in chosen)
            subscription.created_at = timezone.now()
            subscription.save(update_fields=[*PublicTopic.values, "created_at"])
        if ADDRESS_LIMIT.exceeded(f"{alliance.pk}:{address}"):
            log.info("Bestätigungsmail an eine Adresse übersprungen: Tageslimit erreicht")
            return subscription
        ADDRESS_LIMIT.count(f"{alliance.pk}:{address}")
        token = tokens.confirm_token(subscription, chosen)
        subscription_id = subscription.pk
        transaction.on_commit(
            lambda: mail.send_confirmation(subscription_id, token, chosen, changing)
        )
    return subscription


def _subscription_of(alliance: Alliance, claim: tokens.Claim) -> PublicSubscription | None:
    """The link's subscription, locked; None if it is gone (or the link came with another
    alliance's address)."""
    return (
        PublicSubscription.objects.select_for_update()
        .filter(alliance=alliance, pk=claim.subscription_id, secret=claim.secret)
        .first()
    )


def public_confirm(*, alliance: Alliance, token: str) -> PublicSubscription:
    """Confirm with the link of the confirmation mail: the subscription gets the link's topics
    and receives news from now on. A second click changes nothing. Refused with a German message
    for an expired, changed or made-up link, or one of an address that unsubscribed since."""
    claim = tokens.read_confirm(token)
    with transaction.atomic():
        subscription = _subscription_of(alliance, claim)
        if subscription is None:
            raise tokens.InvalidLink(
                _(
                    "Dieses Abonnement gibt es nicht mehr. Bitte melden Sie sich auf der Seite "
                    "„Abonnieren“ neu an."
                )
            )
        before = subscription.topics
        first = subscription.confirmed_at is None
        if not first and before == list(claim.topics):
            return subscription
        for topic in PublicTopic.values:
            setattr(subscription, topic, topic in claim.topics)
        if first:
            subscription.confirmed_at = timezone.now()
        subscription.save()
        audit_record(
            actor=None,
            action="public_subscription.confirm" if first else "public_subscription.change",
            instance=subscription,
            changes={"topics": list(claim.topics)},
        )
    return subscription


def public_unsubscribe(*, alliance: Alliance, token: str) -> bool:
    """Unsubscribe with the link of any of its mails: the row is deleted. False if it was gone
    already (a second click, a second mail's link); InvalidLink for a changed or made-up link."""
    claim = tokens.read_unsubscribe(token)
    with transaction.atomic():
        subscription = _subscription_of(alliance, claim)
        if subscription is None:
            return False
        audit_record(
            actor=None,
            action="public_subscription.delete",
            instance=subscription,
        )
        subscription.delete()
    return True


def public_notify(*, alliance: Alliance, topic: str, title: str, text: str, link: str) -> int:
    """Mail the confirmed subscribers of `topic` (a `PublicTopic`) about one event: `title` and
    `text` in German plain text, `link` a public page (path). Call it after the commit. Returns
    the number of mails sent."""
    if is_muted():
        return 0
    subscribers = PublicSubscription.objects.filter(
        alliance=alliance, confirmed_at__isnull=False, **{PublicTopic(topic).value: True}
    ).order_by("id")
    context: dict[str, Any] = {
        "alliance": alliance,
        "title": title,
        "text": text,
        "url": mail.absolute(link) if link else "",
        "topic_label": PublicTopic(topic).label,
    }
    return mail.send_public_news(subscribers, alliance, context)
