"""Inquiries for tests: through the services where the rules matter, through the ORM where a
test needs a state or a date that only time would bring."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance
from buendnis.office import services
from buendnis.office.models import (
    Channel,
    Direction,
    Inquiry,
    InquiryCategory,
    InquiryMessage,
    ReplyTemplate,
    Source,
    Status,
)


def contact_inquiry(
    alliance: Alliance,
    *,
    name: str = "Erika Fragesteller",
    email: str = "erika.frage@example.org",
    subject: str = "Frage zur Förderung",
    message: str = "Wie beantrage ich einen Zuschuss?",
) -> Inquiry:
    """A message through the contact form, as the public page stores it."""
    return services.inquiry_submit_contact(
        alliance=alliance, name=name, email=email, subject=subject, message=message
    )


def stored_inquiry(
    alliance: Alliance,
    *,
    source: str = Source.CONTACT_FORM,
    status: str = Status.NEW,
    due_on: date | None = None,
    created_at: Any = None,
    subject: str = "Gespeicherte Anfrage",
    asker_name: str = "Olaf Gespeichert",
    asker_email: str = "olaf@example.org",
    body: str = "Text der Anfrage",
    **fields: Any,
) -> Inquiry:
    """Straight into the database (no rules, no audit): for dates and states in the past."""
    created = created_at or timezone.now()
    inquiry = Inquiry.objects.create(
        alliance=alliance,
        source=source,
        status=status,
        subject=subject,
        asker_name=asker_name,
        asker_email=asker_email,
        due_on=due_on or (timezone.localdate(created) + timedelta(days=7)),
        created_at=created,
        closed_at=created if status == Status.DONE else None,
        **fields,
    )
    InquiryMessage.objects.create(
        inquiry=inquiry,
        direction=Direction.IN,
        channel=Channel.WEB,
        author_name=asker_name,
        author_email=asker_email,
        body=body,
        sent_at=created,
    )
    return inquiry


def category(alliance: Alliance, name: str = "Förderung", **fields: Any) -> InquiryCategory:
    return InquiryCategory.objects.create(alliance=alliance, name=name, **fields)


def reply_template(
    alliance: Alliance, name: str = "Eingangsbestätigung", body: str | None = None
) -> ReplyTemplate:
    return ReplyTemplate.objects.create(
        alliance=alliance,
        name=name,
        body=body
        or "Guten Tag {name},\n\nvielen Dank für Ihre Anfrage „{betreff}“.\n\n"
        "Mit freundlichen Grüßen\n{bearbeiter}\n{geschaeftsstelle}",
    )


def full_name(user: User, first: str, last: str) -> User:
    user.first_name, user.last_name = first, last
    user.save()
    return user
