"""Mail of the inbox, sent after the commit (a rolled-back write sends nothing): the office hears
of a new inquiry or of an answer that came in, and the person receives the office's answer.

A mail server hiccup never turns into an error page: the inquiry is stored. An answer that could
not be sent is marked (`Delivery.FAILED`) and offered for sending again. So that this holds with
the tasks' queue too (buendnis/core/mail.py), an answer is its own task that sends straight to
the real mail server (`mailers["outgoing"]`) and notes the outcome in the worker.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

from buendnis.notifications import services as notification_services

from . import links
from .mail import reply_email
from .models import Delivery, Inquiry, InquiryMessage

log = logging.getLogger(__name__)

_muted: ContextVar[bool] = ContextVar("office_mail_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    """Send no mail of the inbox inside the block (the demo load). Mail goes out on commit, so
    the block must enclose the outermost transaction: `with muted(), transaction.atomic(): ...`.
    Answers stay `pending`: no mail left."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def _send_to_office(
    inquiry: Inquiry, template: str, context: dict[str, Any], *, to: str = "", reply: str = ""
) -> None:
    recipient = to or inquiry.alliance.office_email
    if not recipient or _muted.get():
        return
    # The office reads the platform's language, whatever the sender chose for the screen.
    with translation.override(settings.LANGUAGE_CODE):
        full = {
            "inquiry": inquiry,
            "alliance": inquiry.alliance,
            "url": links.absolute(links.inquiry_path(inquiry)),
            **context,
        }
        subject = " ".join(render_to_string(f"office/mail/{template}_subject.txt", full).split())
        body = render_to_string(f"office/mail/{template}.txt", full)
    message = EmailMessage(
        subject=subject, body=body, to=[recipient], reply_to=[reply] if reply else None
    )
    try:
        message.send()
    except OSError:
        log.exception("Mail zur Anfrage %s konnte nicht gesendet werden", inquiry.pk)


def _inquiry(inquiry_id: int) -> Inquiry:
    return Inquiry.objects.select_related("alliance", "project", "assigned_to").get(pk=inquiry_id)


def contact_received(inquiry_id: int) -> None:
    """A message came in through the contact page."""
    inquiry = _inquiry(inquiry_id)
    first = inquiry.messages.order_by("sent_at", "id").first()
    _send_to_office(inquiry, "contact", {"message": first})


def consultation_requested(inquiry_id: int, message_id: int, *, again: bool) -> None:
    """An applicant asks for a consultation (`again`: while an earlier request is open)."""
    inquiry = _inquiry(inquiry_id)
    message = InquiryMessage.objects.select_related("author").get(pk=message_id)
    sender_email = message.author.email if message.author else ""
    _send_to_office(
        inquiry,
        "consultation",
        {"message": message, "project": inquiry.project, "again": again, "sender": message.author},
        reply=sender_email,
    )


def member_asked(inquiry_id: int) -> None:
    """Someone of the alliance asked the office a question."""
    inquiry = _inquiry(inquiry_id)
    first = inquiry.messages.order_by("sent_at", "id").first()
    _send_to_office(inquiry, "member_question", {"message": first})


def answer_received(inquiry_id: int, message_id: int) -> None:
    """The person answered by mail: tell whoever has the inquiry (else the office's address)."""
    inquiry = _inquiry(inquiry_id)
    message = InquiryMessage.objects.get(pk=message_id)
    assignee = inquiry.assigned_to.email if inquiry.assigned_to else ""
    _send_to_office(inquiry, "answer_received", {"message": message}, to=assignee)


def send_answer_on_commit(message_id: int) -> None:
    if not _muted.get():
        transaction.on_commit(lambda: deliver_answer.enqueue(message_id))


@task()
def deliver_answer(message_id: int) -> None:
    send_answer(message_id)


def send_answer(message_id: int) -> None:
    """Send an answer by mail and note the outcome. Only a pending one is sent: a second call
    (a double click on "send again") finds it sent."""
    if _muted.get():
        return
    message = InquiryMessage.objects.select_related("inquiry__alliance").get(pk=message_id)
    if message.delivery != Delivery.PENDING:
        return
    try:
        reply_email(message, message.inquiry).send(using="outgoing")
    except (OSError, ValueError):
        # ValueError: an address or header the mail package refuses.
        log.exception("Antwort %s zur Anfrage %s nicht gesendet", message_id, message.inquiry_id)
        outcome = Delivery.FAILED
    else:
        outcome = Delivery.SENT
    InquiryMessage.objects.filter(pk=message_id, delivery=Delivery.PENDING).update(delivery=outcome)


def assigned_on_commit(inquiry_id: int, assignee_id: int, actor: Any) -> None:
    if not _muted.get():
        transaction.on_commit(lambda: assigned(inquiry_id, assignee_id, actor))


def assigned(inquiry_id: int, assignee_id: int, actor: Any) -> None:
    """The new assignee hears of the inquiry in the notification centre (and by mail, as they
    chose) — not when they took it themselves."""
    inquiry = (
        Inquiry.objects.select_related("alliance", "assigned_to").filter(pk=inquiry_id).first()
    )
    if inquiry is None or inquiry.assigned_to_id != assignee_id or inquiry.assigned_to is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        title = translation.gettext("Anfrage #%(number)s ist Ihnen zugewiesen: %(subject)s") % {
            "number": inquiry.pk,
            "subject": inquiry.subject,
        }
    notification_services.notify_users(
        users=[inquiry.assigned_to],
        alliance=inquiry.alliance,
        kind="inquiry.assigned",
        title=title[:200],
        link=links.inquiry_path(inquiry),
        actor=actor,
    )
