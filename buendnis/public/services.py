"""Writes of the public site: a message through the contact form (stored in the office's inbox,
`buendnis.office`) and the form's rate limit."""

from __future__ import annotations

from buendnis.alliances.models import Alliance
from buendnis.core.rate_limit import RateLimit
from buendnis.office.models import Inquiry
from buendnis.office.services import inquiry_submit_contact

# Five messages per client address in ten minutes: enough for a person, too few for a script.
CONTACT_LIMIT = 5
CONTACT_WINDOW_SECONDS = 10 * 60
_CONTACT_RATE = RateLimit("contact", CONTACT_LIMIT, CONTACT_WINDOW_SECONDS)


def contact_rate_exceeded(*, client: str) -> bool:
    """Has this client address sent its allowance within the window?"""
    return _CONTACT_RATE.exceeded(client)


def contact_rate_count(*, client: str) -> None:
    """Count one sent message (a fixed window from the first message: core.rate_limit)."""
    _CONTACT_RATE.count(client)


def contact_message_submit(
    *, alliance: Alliance, name: str, email: str, subject: str, message: str
) -> Inquiry:
    """A message from the contact page goes into the office's inbox as an inquiry (the office
    hears of it by mail after the commit: `office.services.inquiry_submit_contact`)."""
    return inquiry_submit_contact(
        alliance=alliance, name=name, email=email, subject=subject, message=message
    )
