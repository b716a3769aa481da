"""Writes of the public site: a message through the contact form, and the office marking it
handled. Mail goes out on commit, so a rolled-back write sends nothing."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from buendnis.alliances.models import Alliance
from buendnis.core.audit import audit_record

from .models import ContactMessage

log = logging.getLogger(__name__)

# Five messages per client address in ten minutes: enough for a person, too few for a script.
CONTACT_LIMIT = 5
CONTACT_WINDOW_SECONDS = 10 * 60


def _rate_key(client: str) -> str:
    return f"buendnis:contact:{client}"


def contact_rate_exceeded(*, client: str) -> bool:
    """Has this client address sent its allowance within the window?"""
    return int(cache.get(_rate_key(client), 0)) >= CONTACT_LIMIT


def contact_rate_count(*, client: str) -> None:
    """Count one sent message. The window starts with the first message (a fixed window: the
    key expires ten minutes after it was set)."""
    key = _rate_key(client)
    if cache.add(key, 1, timeout=CONTACT_WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=CONTACT_WINDOW_SECONDS)


def contact_message_submit(
    *, alliance: Alliance, name: str, email: str, subject: str, message: str
) -> ContactMessage:
    """Store a message from the contact page and tell the office by mail (after the commit)."""
    with transaction.atomic():
        stored = ContactMessage.objects.create(
            alliance=alliance, name=name, email=email, subject=subject, message=message
        )
        transaction.on_commit(lambda: contact_message_mail(stored.pk))
    return stored


def contact_message_mail(message_id: int) -> None:
    """The office reads the message in the portal; the mail says that one came and where."""
    message = ContactMessage.objects.select_related("alliance").get(pk=message_id)
    office = message.alliance.office_email
    if not office:
        return
    with translation.override(settings.LANGUAGE_CODE):
        context = {"message": message, "site_url": settings.BUENDNIS_SITE_URL}
        subject = render_to_string("public/mail/contact_subject.txt", context).strip()
        body = render_to_string("public/mail/contact.txt", context)
    try:
        send_mail(subject, body, None, [office])
    except OSError:
        # The message is stored; a mail server hiccup must not turn it into an error page.
        log.exception("Mail zur Kontaktanfrage %s konnte nicht gesendet werden", message_id)


def contact_message_mark_handled(*, actor: Any, message: ContactMessage) -> ContactMessage:
    """Mark a message handled (once; marking it again changes nothing). Audited.

    Precondition: the caller checked `public.permissions.can_handle_contact_messages`."""
    with transaction.atomic():
        locked = ContactMessage.objects.select_for_update().get(pk=message.pk)
        if locked.handled:
            return locked
        locked.handled = True
        locked.handled_at = timezone.now()
        locked.handled_by = actor
        locked.save(update_fields=["handled", "handled_at", "handled_by"])
        audit_record(
            actor=actor,
            action="contact_message.handled",
            instance=locked,
            from_state="open",
            to_state="handled",
        )
    return locked
