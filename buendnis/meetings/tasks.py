"""The meetings app's periodic job as a task (buendnis/core/periodic.py; by hand:
`manage.py meetings_periodic`)."""

from __future__ import annotations

from django.tasks import task
from django.utils import timezone

from buendnis.core.mail import inline

from .services import circulations


@task()
def meetings_periodic() -> dict[str, int]:
    """Reminds of circulations shortly before their deadline and evaluates the passed ones."""
    now = timezone.now()
    with inline():  # the job runs in the worker: its mail needs no second trip through the queue
        reminded = circulations.circulations_remind_due(now=now)
        closed = circulations.circulations_close_due(now=now)
    return {"reminded": reminded, "closed": len(closed)}
