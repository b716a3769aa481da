"""The renewal's daily job as a task (buendnis/core/periodic.py; by hand:
`manage.py send_signature_reminders`)."""

from __future__ import annotations

from django.tasks import task
from django.utils import timezone

from buendnis.core.mail import inline

from . import services


@task()
def send_signature_reminders() -> int:
    """Reminds partners of the cooperation agreement whose answer is due; returns how many."""
    with inline():  # the job runs in the worker already
        return services.signature_reminders_send(today=timezone.localdate())
