"""The grants' daily job as a task (buendnis/core/periodic.py; by hand:
`manage.py send_report_reminders`)."""

from __future__ import annotations

from django.tasks import task
from django.utils import timezone

from buendnis.core.mail import inline

from . import services


@task()
def send_report_reminders() -> int:
    """Reminds applicants of reports due within two weeks or overdue; returns how many."""
    with inline():  # the job runs in the worker already
        return services.report_reminders_send(today=timezone.localdate())
