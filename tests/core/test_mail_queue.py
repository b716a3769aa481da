"""Mail through the tasks' queue (buendnis/core/mail.py): a request only queues the mail, the
worker (`db_worker`, here one pass) sends it as the request rendered it; a refused delivery is
tried again later. With the immediate backend (tests, `make run`) mail goes out at once."""

from __future__ import annotations

import base64
import logging
import smtplib
from collections.abc import Iterator, Sequence
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMessage, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django.tasks import Task
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from buendnis.alliances.models import Alliance
from buendnis.core import tasks
from buendnis.core.mail import TaskMailBackend
from tests.factories import build_alliance_structure

LOCMEM = {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
QUEUED_MAIL = {"default": {"BACKEND": "buendnis.core.mail.TaskMailBackend"}, "outgoing": LOCMEM}

ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"


class RefusingBackend(BaseEmailBackend):
    """A mail server that is away."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise ConnectionRefusedError("Verbindung abgelehnt")


class PermanentlyRefusingBackend(BaseEmailBackend):
    """A mail server that refuses every recipient for good; its text quotes the address."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise smtplib.SMTPRecipientsRefused(
            {"brandt@ihk.example.org": (550, b"5.1.1 <brandt@ihk.example.org>: User unknown")}
        )


class SenderRefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise smtplib.SMTPSenderRefused(553, b"5.7.1 Sender rejected", "noreply@example.org")


class GreylistingBackend(BaseEmailBackend):
    """A mail server that asks to try again later (4xx)."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise smtplib.SMTPRecipientsRefused(
            {"brandt@ihk.example.org": (450, b"4.2.0 <brandt@ihk.example.org>: Greylisted")}
        )


class TemporarilyFailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise smtplib.SMTPDataError(451, b"4.3.0 Try again later")


def work_off_queue() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


@pytest.fixture
def queued() -> Iterator[None]:
    with override_settings(TASKS=QUEUE, MAILERS=QUEUED_MAIL):
        mail.outbox = []
        yield


def invitation() -> EmailMessage:
    message = EmailMessage(
        subject="Einladung: Sitzung des Steuerkreises am 05.06.2026",
        body="Montag, 05.06.2026, 14:00 Uhr, Rathaus – Tagesordnung anbei.\n",
        to=["Helene Brandt <brandt@ihk.example.org>"],
        cc=["buero@ihk.example.org"],
        bcc=["archiv@example.org"],
        reply_to=["geschaeftsstelle@example.org"],
        headers={
            "Message-ID": "<einladung-4@portal.example.org>",
            "List-Unsubscribe": "<https://portal.example.org/son/abonnieren/abmelden/x/>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach("einladung.ics", ICS, "text/calendar; method=REQUEST")
    return message


@pytest.mark.django_db(transaction=True)
def test_a_mail_of_a_request_waits_for_the_worker(queued: None, alliance: Alliance) -> None:
    build_alliance_structure(alliance, place="Braunschweig")
    sent = Client().post(
        "/son/abonnieren/",
        {"email": "leser@example.org", "topics": ["meetings"]},
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert sent.status_code == 302
    assert mail.outbox == []
    (row,) = DBTaskResult.objects.all()
    assert row.task_path == "buendnis.core.tasks.deliver_mail"

    work_off_queue()
    (confirmation,) = mail.outbox
    assert confirmation.to == ["leser@example.org"]
    assert confirmation.subject.startswith("Bitte bestätigen Sie Ihr Abonnement")
    assert "/son/abonnieren/bestaetigen/" in confirmation.body
    assert confirmation.sent_using == "outgoing"
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_bytes_the_request_rendered(queued: None) -> None:
    assert mailers.default.send_messages([invitation()]) == 1
    (row,) = DBTaskResult.objects.all()
    queued_bytes = base64.b64decode(row.args_kwargs["args"][0]["raw"])

    work_off_queue()
    (sent,) = mail.outbox
    assert sent.message().as_bytes() == queued_bytes
    rendered = sent.message()
    assert rendered["Message-ID"] == "<einladung-4@portal.example.org>"
    assert rendered["Reply-To"] == "geschaeftsstelle@example.org"
    assert rendered["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Bcc" not in rendered
    # The envelope keeps the Bcc recipient the header must not show.
    assert sent.recipients() == [
        "Helene Brandt <brandt@ihk.example.org>",
        "buero@ihk.example.org",
        "archiv@example.org",
    ]
    assert sent.to == ["Helene Brandt <brandt@ihk.example.org>"]
    assert sent.reply_to == ["geschaeftsstelle@example.org"]
    assert sent.body.startswith("Montag, 05.06.2026")
    (calendar,) = [part for part in rendered.iter_attachments()]
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_filename() == "einladung.ics"
    assert calendar.get_content().replace("\r\n", "\n") == ICS.replace("\r\n", "\n")


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_sends_nothing(queued: None) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        invitation().send()
        raise RuntimeError("Änderung verworfen")
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_refused_delivery_is_tried_again_later_then_fails(queued: None) -> None:
    refusing = {"BACKEND": "tests.core.test_mail_queue.RefusingBackend"}
    with override_settings(MAILERS={**QUEUED_MAIL, "outgoing": refusing}):
        invitation().send()
        work_off_queue()  # the retry waits
        first, retry = DBTaskResult.objects.order_by("enqueued_at")
        assert first.status == "SUCCESSFUL"
        assert retry.status == "READY"
        assert retry.args_kwargs["kwargs"] == {"attempt": 2}
        assert retry.run_after > timezone.now() + tasks.RETRY_DELAYS[0] / 2

        # The last attempt fails and stays in the table with its error.
        DBTaskResult.objects.filter(pk=retry.pk).update(
            run_after=timezone.now(), args_kwargs={**retry.args_kwargs, "kwargs": {"attempt": 4}}
        )
        work_off_queue()
        retry.refresh_from_db()
        assert retry.status == "FAILED"
        assert "ConnectionRefusedError" in retry.traceback
        assert DBTaskResult.objects.count() == 2
    # Once the server is back, the mail is sent by hand or by a new attempt; nothing went out.
    assert mail.outbox == []


@pytest.mark.django_db
def test_without_a_queue_mail_goes_out_at_once() -> None:
    # The test settings (and `make run`): the immediate backend, the real mailer as default.
    assert not isinstance(mailers.default, TaskMailBackend)
    mail.outbox = []
    invitation().send()
    assert len(mail.outbox) == 1
    # TaskMailBackend with the immediate backend delivers inline, too.
    with override_settings(MAILERS=QUEUED_MAIL):
        invitation().send()
    assert len(mail.outbox) == 2
    assert mail.outbox[1].message()["Message-ID"] == "<einladung-4@portal.example.org>"
    assert not DBTaskResult.objects.exists()


def test_settings_queue_mail_in_production_and_not_with_the_immediate_backend() -> None:
    from config.settings.base import mailers as configured
    from config.settings.base import tasks as backends

    smtp = "django.core.mail.backends.smtp.EmailBackend"
    production = configured(smtp, "database")
    assert production["default"]["BACKEND"] == "buendnis.core.mail.TaskMailBackend"
    assert production["outgoing"]["BACKEND"] == smtp
    assert production["outgoing"]["OPTIONS"]
    inline = configured(smtp, "immediate")
    assert inline["default"] == inline["outgoing"]
    assert backends("database")["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert backends("immediate")["default"]["BACKEND"].endswith("ImmediateBackend")


@pytest.mark.django_db(transaction=True)
def test_an_erasure_leaves_a_mail_a_worker_has_claimed_meanwhile(
    queued: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from buendnis.core import mail as core_mail

    invitation().send()
    (row,) = DBTaskResult.objects.all()
    recipients_of = core_mail._recipients_of

    def claimed_meanwhile(args_kwargs: dict[str, object]) -> set[str]:
        # A worker takes the mail between the erasure's look and its delete.
        DBTaskResult.objects.filter(pk=row.pk).update(status="RUNNING")
        return recipients_of(args_kwargs)

    monkeypatch.setattr(core_mail, "_recipients_of", claimed_meanwhile)
    assert core_mail.queued_mail_delete("brandt@ihk.example.org", pending=True) == 0
    row.refresh_from_db()
    assert row.status == "RUNNING"  # the worker records its result as usual


PERSONAL = ("brandt@ihk.example.org", "archiv@example.org", "Steuerkreis")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("backend", "code"), [("PermanentlyRefusingBackend", "550"), ("SenderRefusingBackend", "553")]
)
def test_a_permanent_refusal_fails_at_once_and_logs_no_personal_data(
    queued: None, backend: str, code: str, caplog: pytest.LogCaptureFixture
) -> None:
    refusing = {"BACKEND": f"tests.core.test_mail_queue.{backend}"}
    with override_settings(MAILERS={**QUEUED_MAIL, "outgoing": refusing}):
        invitation().send()
        with caplog.at_level(logging.INFO):
            work_off_queue()
    (row,) = DBTaskResult.objects.all()  # no retry queued
    assert row.status == "FAILED"
    assert "MailNotSent" in row.exception_class_path
    assert "3 Empfänger" in row.traceback and "Versuch 1" in row.traceback
    assert code in row.traceback  # the server's code, not its text
    assert "3 Empfänger" in caplog.text
    for text in PERSONAL:
        assert text not in caplog.text
        assert text not in row.traceback


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "backend", ["GreylistingBackend", "TemporarilyFailingBackend", "RefusingBackend"]
)
def test_a_temporary_refusal_is_tried_again_and_logs_no_personal_data(
    queued: None, backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    refusing = {"BACKEND": f"tests.core.test_mail_queue.{backend}"}
    with override_settings(MAILERS={**QUEUED_MAIL, "outgoing": refusing}):
        invitation().send()
        with caplog.at_level(logging.INFO):
            work_off_queue()
    first, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert (first.status, retry.status) == ("SUCCESSFUL", "READY")
    assert "3 Empfänger" in caplog.text and "Versuch 1" in caplog.text
    for text in PERSONAL:
        assert text not in caplog.text


@pytest.mark.django_db
def test_pruning_deletes_sent_mail_after_a_day_and_fails_tasks_whose_worker_was_lost(
    queued: None,
) -> None:
    from buendnis.core.mail import envelope

    now = timezone.now()

    def row(task: Task, status: str, **times: object) -> str:
        result = (
            task.enqueue(envelope(invitation())) if task is tasks.deliver_mail else task.enqueue()
        )
        DBTaskResult.objects.filter(id=result.id).update(status=status, **times)
        return str(result.id)

    sent_yesterday = row(tasks.deliver_mail, "SUCCESSFUL", finished_at=now - timedelta(hours=25))
    sent_today = row(tasks.deliver_mail, "SUCCESSFUL", finished_at=now - timedelta(hours=23))
    job_last_week = row(tasks.prune_task_results, "SUCCESSFUL", finished_at=now - timedelta(7))
    job_long_ago = row(tasks.prune_task_results, "SUCCESSFUL", finished_at=now - timedelta(15))
    lost = row(tasks.deliver_mail, "RUNNING", started_at=now - timedelta(hours=25))
    sending = row(tasks.deliver_mail, "RUNNING", started_at=now - timedelta(minutes=1))
    pending = row(tasks.deliver_mail, "READY")

    assert tasks.prune_task_results.call() == {"tasks": 2, "abandoned": 1, "runs": 0}
    left = dict(DBTaskResult.objects.values_list("id", "status"))
    assert {str(id): status for id, status in left.items()} == {
        sent_today: "SUCCESSFUL",
        job_last_week: "SUCCESSFUL",
        lost: "FAILED",
        sending: "RUNNING",
        pending: "READY",
    }
    assert sent_yesterday not in left and job_long_ago not in left
    failed = DBTaskResult.objects.get(id=lost)
    assert failed.exception_class_path == "buendnis.core.tasks.WorkerLost"
    assert failed.finished_at is not None
    # An erasure now takes the lost one with the other finished mail.
    from buendnis.core.mail import queued_mail_delete

    assert queued_mail_delete("brandt@ihk.example.org", pending=False) == 2


@pytest.mark.django_db
def test_check_queue_fails_when_no_worker_takes_the_mail(queued: None) -> None:
    from io import StringIO

    from buendnis.core.selectors import queue_health

    now = timezone.now()
    out, err = StringIO(), StringIO()
    call_command("check_queue", stdout=out)
    assert "keine fällige Aufgabe" in out.getvalue()

    invitation().send()
    (row,) = DBTaskResult.objects.all()
    DBTaskResult.objects.update(enqueued_at=now - timedelta(minutes=20))
    # A retry waiting for its time is not overdue; one due for 5 minutes is.
    retry = tasks.deliver_mail.using(run_after=now + timedelta(minutes=30)).enqueue(
        row.args_kwargs["args"][0], attempt=2
    )
    health = queue_health(now=now)
    assert health is not None
    assert (health.ready, health.oldest_ready_age) == (1, timedelta(minutes=20))
    DBTaskResult.objects.filter(id=retry.id).update(run_after=now - timedelta(minutes=5))
    health = queue_health(now=now)
    assert health is not None
    assert (health.ready, health.oldest_ready_age) == (2, timedelta(minutes=20))

    with pytest.raises(SystemExit) as exited:
        call_command("check_queue", stdout=out, stderr=err)
    assert exited.value.code == 1
    assert "Die älteste fällige Aufgabe wartet seit 20 Minuten (Grenze 15)" in err.getvalue()
    out = StringIO()
    call_command("check_queue", "--minutes", "30", stdout=out)
    assert "Warteschlange in Ordnung: 2 fällige Aufgaben" in out.getvalue()


@pytest.mark.django_db
def test_check_queue_has_nothing_to_check_without_a_queue() -> None:
    from io import StringIO

    out = StringIO()
    call_command("check_queue", stdout=out)
    assert "nichts zu prüfen" in out.getvalue()
