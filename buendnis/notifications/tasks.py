"""The notifications' daily job as a task (buendnis/core/periodic.py; by hand:
`manage.py notifications_digest`)."""

from __future__ import annotations

from dataclasses import asdict

from django.tasks import task
from django.utils import timezone

from buendnis.core.mail import inline

from . import services


@task()
def notifications_digest() -> dict[str, dict[str, int]]:
    """The daily digest, then the deletion of expired notifications and unconfirmed addresses."""
    now = timezone.now()
    # Straight to the mail server: a refused digest stays unmailed for the next run.
    with inline():
        run = services.digest_send(now=now)
    purged = services.purge_expired(now=now)
    return {"digest": asdict(run), "purged": asdict(purged)}
