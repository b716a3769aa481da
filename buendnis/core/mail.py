"""Mail through the tasks' queue (config/settings/base.py, TASKS and MAILERS).

With a queue, `mailers.default` is `TaskMailBackend`: it renders every message as the request
sends it – headers, Message-ID, Reply-To, List-Unsubscribe, attachments such as the ICS of an
invitation – and queues the finished bytes with their envelope; the worker hands them unchanged
to `mailers["outgoing"]`, the real backend (buendnis/core/tasks.py, `deliver_mail`). Callers
keep sending with `mailers.default`, `EmailMessage.send()` and `send_mail()`.

The queue lives in the same database as the change a mail reports: queued inside a transaction,
the mail is sent only if the transaction commits (callers send after the commit anyway). A mail
server that refuses shows in the worker's log and the queue's table, no longer in the request:
`notifications.mail.deliver` then reports success as soon as the mail is queued.

The periodic jobs run in the worker already: inside `inline()` their mail goes straight to the
real backend, over one connection per batch, and their services see a refusal as before (a
digest that was refused stays unmailed for the next run).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from email.utils import getaddresses
from typing import Any

from django.core.mail import EmailMessage, mailers
from django.core.mail.backends.base import BaseEmailBackend

from .tasks import Envelope, deliver_mail

_inline: ContextVar[bool] = ContextVar("mail_inline", default=False)


@contextmanager
def inline() -> Iterator[None]:
    """Mail sent inside the block skips the queue (see the module docstring)."""
    token = _inline.set(True)
    try:
        yield
    finally:
        _inline.reset(token)


def envelope(message: EmailMessage) -> Envelope:
    # message() also validates the headers, so a bad address fails in the request as before.
    raw = message.message().as_bytes()
    return {
        "raw": base64.b64encode(raw).decode("ascii"),
        "sender": str(message.from_email),
        "recipients": message.recipients(),
    }


class TaskMailBackend(BaseEmailBackend):
    """`mailers.default` with a queue: one `deliver_mail` task per message, so that a retry
    concerns that message only."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if _inline.get():
            return mailers["outgoing"].send_messages(list(email_messages))
        queued = 0
        for message in email_messages:
            if message.recipients():
                deliver_mail.enqueue(envelope(message))
                queued += 1
        return queued


def queued_mail_delete(address: str, *, pending: bool) -> int:
    """Delete the queue's copies of mail to `address` (an erasure, buendnis/privacy): those sent
    or failed, and with `pending` also those not sent yet. Returns the number deleted."""
    from django_tasks_db.models import DBTaskResult

    wanted = address.strip().lower()
    if not wanted:
        return 0
    rows = DBTaskResult.objects.filter(
        task_path=deliver_mail.module_path, args_kwargs__icontains=wanted
    )
    statuses = ["SUCCESSFUL", "FAILED", *(["READY"] if pending else [])]
    # The text search finds candidates; the envelope's recipients decide (not "xerika@…").
    ids = [
        row.pk
        for row in rows.filter(status__in=statuses).only("pk", "args_kwargs")
        if wanted in _recipients_of(row.args_kwargs)
    ]
    # The status again: a worker may have claimed a pending one since (READY → RUNNING), and a
    # running row deleted under it makes the worker fail when it records the result.
    deleted, _kinds = DBTaskResult.objects.filter(pk__in=ids, status__in=statuses).delete()
    return deleted


def _recipients_of(args_kwargs: dict[str, Any]) -> set[str]:
    envelopes = [*args_kwargs.get("args", [])[:1], args_kwargs.get("kwargs", {}).get("message")]
    return {
        mailbox.lower()
        for envelope in envelopes
        if isinstance(envelope, dict)
        for _name, mailbox in getaddresses(list(envelope.get("recipients", [])))
    }
