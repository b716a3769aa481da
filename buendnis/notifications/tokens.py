"""The signed links of the public's subscriptions (django.core.signing, with SECRET_KEY).

- Confirmation: names the subscription, its secret and the topics the person chose; valid for
  `CONFIRM_MAX_AGE`. The topics travel in the link, so a request to change a confirmed
  subscription changes nothing until the address's owner confirms it.
- Unsubscribe: names the subscription and its secret; valid as long as the subscription exists
  (an unsubscribe link must keep working, RFC 8058).

The secret (`PublicSubscription.secret`) ties a link to one row: a link of an address that
unsubscribed and subscribed again does not act on the new subscription. Each kind has its salt,
so neither can stand in for the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core import signing
from django.utils.translation import gettext as _

from buendnis.core.errors import DomainError

from .models import PublicSubscription, PublicTopic

CONFIRM_MAX_AGE = timedelta(days=7)
_CONFIRM_SALT = "buendnis.notifications.public.confirm"
_UNSUBSCRIBE_SALT = "buendnis.notifications.public.unsubscribe"


class InvalidLink(DomainError):
    """A link that was changed, made up, or belongs to no subscription any more."""


class ExpiredLink(DomainError):
    """A confirmation link older than `CONFIRM_MAX_AGE`."""


@dataclass(frozen=True)
class Claim:
    subscription_id: int
    secret: str
    topics: tuple[str, ...] = ()


def confirm_token(subscription: PublicSubscription, topics: list[str]) -> str:
    return signing.dumps(
        {"s": subscription.pk, "k": subscription.secret, "t": sorted(topics)},
        salt=_CONFIRM_SALT,
        compress=True,
    )


def unsubscribe_token(subscription: PublicSubscription) -> str:
    return signing.dumps({"s": subscription.pk, "k": subscription.secret}, salt=_UNSUBSCRIBE_SALT)


def _invalid() -> InvalidLink:
    return InvalidLink(
        _(
            "Dieser Link ist ungültig. Bitte verwenden Sie den vollständigen Link aus der E-Mail "
            "oder melden Sie sich auf der Seite „Abonnieren“ neu an."
        )
    )


def _claim(data: Any, *, with_topics: bool) -> Claim:
    if not isinstance(data, dict):
        raise _invalid()
    pk, secret, chosen = data.get("s"), data.get("k"), data.get("t", [])
    if not isinstance(pk, int) or not isinstance(secret, str) or not isinstance(chosen, list):
        raise _invalid()
    if with_topics and (not chosen or not set(chosen) <= set(PublicTopic.values)):
        raise _invalid()
    return Claim(pk, secret, tuple(str(topic) for topic in chosen))


def read_confirm(token: str) -> Claim:
    """The claim of a confirmation link; ExpiredLink or InvalidLink with a German message."""
    try:
        data = signing.loads(token, salt=_CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ExpiredLink(
            _(
                "Dieser Bestätigungslink ist abgelaufen (er gilt sieben Tage). Bitte melden Sie "
                "sich auf der Seite „Abonnieren“ erneut an; Sie erhalten dann einen neuen Link."
            )
        ) from exc
    except signing.BadSignature as exc:
        raise _invalid() from exc
    return _claim(data, with_topics=True)


def read_unsubscribe(token: str) -> Claim:
    """The claim of an unsubscribe link; InvalidLink with a German message."""
    try:
        data = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except signing.BadSignature as exc:
        raise _invalid() from exc
    return _claim(data, with_topics=False)
