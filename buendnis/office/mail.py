"""The office's answers as mail: sender, Reply-To, subject with the inquiry's token, and the
threading headers (Message-ID, In-Reply-To, References) that put the answer into the person's
thread and bring their answer back into ours.
"""

from __future__ import annotations

from email.headerregistry import Address
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, make_msgid
from django.utils import translation
from django.utils.translation import gettext as _

from buendnis.alliances.models import Alliance

from . import rules
from .models import Inquiry, InquiryMessage


def mailbox(name: str, address: str) -> str:
    """`"Name, with comma" <a@example.org>`: the name quoted where it must be, never able to
    add a second address or header."""
    plain = " ".join(name.split())
    try:
        return str(Address(display_name=plain, addr_spec=address))
    except (ValueError, IndexError):  # an address the email package cannot parse: no name
        return address


def mail_domain() -> str:
    """The right-hand side of our Message-IDs: BUENDNIS_MAIL_DOMAIN, else the platform's host.
    Stable on purpose: make_msgid's default is the machine's name, which changes with the
    server."""
    return (
        settings.BUENDNIS_MAIL_DOMAIN
        or urlsplit(settings.BUENDNIS_SITE_URL).hostname
        or "buendnisportal.invalid"
    )


def new_message_id(inquiry_id: int) -> str:
    """`<…anfrage-123…@domain>`: unique, and hard to guess (make_msgid adds time and random)."""
    return make_msgid(idstring=f"anfrage-{inquiry_id}", domain=mail_domain())


def office_sender(alliance: Alliance) -> str:
    """The platform's own address (DEFAULT_FROM_EMAIL: the one its mail server may send for, so
    that SPF and DMARC pass) under the name of the alliance's office."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    with translation.override(settings.LANGUAGE_CODE):
        label = _("Geschäftsstelle %(alliance)s") % {"alliance": alliance.display_short_name}
    return mailbox(label, address)


def reply_to(alliance: Alliance) -> list[str]:
    """Where the person's answer goes: the mailbox `fetch_inquiry_mail` reads, else the
    alliance's office address."""
    address = settings.BUENDNIS_INQUIRY_REPLY_TO or alliance.office_email
    return [address] if address else []


def reply_email(message: InquiryMessage, inquiry: Inquiry) -> EmailMessage:
    """The mail of an answer. Precondition: `message` is an answer by mail of `inquiry` with its
    Message-ID, and the inquiry knows the person's address."""
    headers = {"Message-ID": message.message_id}
    if message.in_reply_to:
        headers["In-Reply-To"] = message.in_reply_to
    if message.references:
        headers["References"] = message.references
    return EmailMessage(
        subject=rules.reply_subject(inquiry.subject, inquiry.pk),
        body=message.body,
        from_email=office_sender(inquiry.alliance),
        to=[mailbox(inquiry.asker_name, inquiry.asker_email)],
        reply_to=reply_to(inquiry.alliance),
        headers=headers,
    )
