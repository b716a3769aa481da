"""Tasks of the core app: handing queued mail to the mail server (buendnis/core/mail.py)."""

from __future__ import annotations

import base64
import email
import email.policy
import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage as StdlibEmailMessage
from email.policy import Policy
from typing import Any, TypedDict

from django.core.mail import EmailMessage, mailers
from django.tasks import task
from django.utils import timezone

log = logging.getLogger(__name__)

# A mail server that is away for a while (restart, greylisting) gets three more chances within
# about an hour; then the task fails and stays in the queue's table with its traceback.
RETRY_DELAYS = (timedelta(minutes=2), timedelta(minutes=10), timedelta(minutes=45))


class Envelope(TypedDict):
    """A rendered message as a task's JSON argument."""

    raw: str  # base64 of the message's bytes
    sender: str
    recipients: list[str]


class QueuedMail(EmailMessage):
    """A message rendered earlier, sent as it was rendered: `message()` parses the stored bytes
    again (an SMTP backend asks for its line endings), `recipients()` is the stored envelope
    (Bcc included). Subject, To, Cc, Reply-To and the text are filled for logs and tests."""

    def __init__(self, data: Envelope) -> None:
        self.raw = base64.b64decode(data["raw"])
        self.envelope_recipients = list(data["recipients"])
        parsed = self.message()
        body: Any = parsed.get_body(preferencelist=("plain",))
        super().__init__(
            subject=str(parsed.get("Subject", "")),
            body=body.get_content() if body is not None else "",
            from_email=data["sender"],
            to=_addresses(parsed, "To"),
            cc=_addresses(parsed, "Cc"),
            reply_to=_addresses(parsed, "Reply-To"),
        )

    def message(self, *, policy: Policy | None = email.policy.default) -> StdlibEmailMessage:
        # The modern policies (default, SMTP) parse into email.message.EmailMessage.
        parsed: Any = email.message_from_bytes(self.raw, policy=policy or email.policy.default)
        return parsed

    def recipients(self) -> list[str]:
        return list(self.envelope_recipients)


def _addresses(parsed: StdlibEmailMessage, name: str) -> list[str]:
    header: Any = parsed.get(name)
    return [str(address) for address in header.addresses] if header is not None else []


class MailNotSent(Exception):
    """A delivery that failed for good. It replaces the mail server's error, whose text names
    the refused addresses, in the worker's log and the task's traceback."""


@task()
def deliver_mail(message: Envelope, attempt: int = 1) -> None:
    mail = QueuedMail(message)
    try:
        mailers["outgoing"].send_messages([mail])
    except OSError as error:  # smtplib's errors, refused connections, timeouts
        # No addresses, no subject in the log (personal data): the task's row has the mail.
        count = len(mail.recipients())
        retry = (
            not _permanent(error)
            and deliver_mail.get_backend().supports_defer
            and attempt <= len(RETRY_DELAYS)
        )
        if not retry:
            text = (
                f"Mail an {count} Empfänger nicht gesendet (Versuch {attempt}): {_describe(error)}"
            )
            log.error("%s", text)
            raise MailNotSent(text) from None
        log.warning(
            "Mail an %s Empfänger nicht gesendet (Versuch %s), neuer Versuch später: %s",
            count,
            attempt,
            _describe(error),
        )
        deliver_mail.using(run_after=timezone.now() + RETRY_DELAYS[attempt - 1]).enqueue(
            message, attempt=attempt + 1
        )


def _permanent(error: OSError) -> bool:
    """A refusal that a later attempt would meet again: the server refused the recipients or the
    sender, or the message, with a 5xx code. A 4xx code is temporary – greylisting answers the
    recipients with 450 – and so is a broken connection: both are tried again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    return isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600


def _describe(error: OSError) -> str:
    # The server's text often quotes the address (“<x@example.org>: User unknown”): codes only.
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(code) for code, _text in error.recipients.values()})
        return f"SMTPRecipientsRefused {', '.join(codes)}"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{type(error).__name__} {error.smtp_code}"
    if isinstance(error, smtplib.SMTPException):
        return type(error).__name__
    return f"{type(error).__name__} {error}".strip()  # the socket's error, no addresses


# Finished tasks stay in the queue's table for a look back; failed ones longer, to be read.
# A sent mail goes sooner: it holds the whole message – password-reset and confirmation links
# included – and every backup would carry it along.
KEEP_SENT_MAIL_DAYS = 1
KEEP_SUCCESSFUL_DAYS = 14
KEEP_FAILED_DAYS = 60


class WorkerLost(Exception):
    """The row's worker ended during the task (killed, out of memory)."""


@task()
def prune_task_results() -> dict[str, int]:
    """Deletes finished tasks of the database queue and the periodic runs older than that, and
    marks the tasks whose worker was lost as failed."""
    from django_tasks_db.models import DBTaskResult

    from .models import PeriodicRun
    from .selectors import abandoned_tasks, database_queue

    now = timezone.now()
    tasks = abandoned = 0
    alias = database_queue(prune_task_results.backend)
    if alias is not None:
        # Failed, not deleted: whether a mail went out is unknown, so it is not sent again by
        # itself, and the row shows in the admin among the failed ones (and goes with them after
        # KEEP_FAILED_DAYS; an erasure takes it). A worker that does finish after all records
        # its result over this one; a deleted row would make it fail.
        abandoned = abandoned_tasks(alias, now).update(
            status="FAILED",
            finished_at=now,
            return_value=None,
            exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
            traceback="Der Worker wurde während der Aufgabe beendet; ob sie ausgeführt wurde, "
            "ist unbekannt.",
        )
        finished = DBTaskResult.objects.finished().filter(backend_name=alias)
        successful = finished.filter(status="SUCCESSFUL")
        tasks, _kinds = (
            successful.filter(
                task_path=deliver_mail.module_path,
                finished_at__lte=now - timedelta(KEEP_SENT_MAIL_DAYS),
            )
            | successful.filter(finished_at__lte=now - timedelta(KEEP_SUCCESSFUL_DAYS))
            | finished.filter(status="FAILED", finished_at__lte=now - timedelta(KEEP_FAILED_DAYS))
        ).delete()
    runs, _kinds = PeriodicRun.objects.filter(slot__lt=now - timedelta(KEEP_FAILED_DAYS)).delete()
    return {"tasks": tasks, "abandoned": abandoned, "runs": runs}
