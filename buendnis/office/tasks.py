"""The inbox's periodic jobs as tasks (buendnis/core/periodic.py; by hand:
`manage.py fetch_inquiry_mail` and `manage.py erase_inquiries`)."""

from __future__ import annotations

from dataclasses import asdict

from django.tasks import task
from django.utils import timezone

from buendnis.core.mail import inline

from .imap import ImapConfig
from .imap import fetch_inquiry_mail as fetch
from .services import inquiries_erase_due


@task()
def fetch_inquiry_mail() -> dict[str, int]:
    """Answers to inquiries from the office's mailbox into their threads. A mailbox that cannot
    be opened fails the task (MailboxError, in the queue's table); the next slot tries again."""
    config = ImapConfig.from_settings()
    if not config.host:
        return {}
    with inline():  # the office hears of answers; the job runs in the worker already
        return asdict(fetch(config, today=timezone.localdate()))


@task()
def erase_inquiries() -> dict[str, int]:
    """Erases the personal data of inquiries past their alliance's retention period; returns
    the number erased per alliance (by id)."""
    return {str(alliance): count for alliance, count in inquiries_erase_due().items()}
