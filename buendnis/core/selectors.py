"""Questions about the tasks' queue in the database (django-tasks-db): for monitoring
(`manage.py check_queue`), the worker's start and `prune_task_results`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.tasks import task_backends
from django.utils import timezone

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django_tasks_db.models import DBTaskResult

# No task runs this long (a mail takes seconds, the longest job minutes): a row still RUNNING
# after it has lost its worker (killed, out of memory) and will never finish.
RUNNING_AT_MOST = timedelta(days=1)


@dataclass(frozen=True)
class QueueHealth:
    ready: int  # tasks due now and not yet taken by a worker
    oldest_ready_age: timedelta | None  # how long the longest-waiting of them has waited
    abandoned: int  # RUNNING for longer than RUNNING_AT_MOST


def database_queue(alias: str = "default") -> str | None:
    """The backend's alias if it is a database queue, else None (the immediate backend)."""
    from django_tasks_db.backend import DatabaseBackend

    return alias if isinstance(task_backends[alias], DatabaseBackend) else None


def abandoned_tasks(alias: str, now: datetime | None = None) -> QuerySet[DBTaskResult]:
    from django_tasks_db.models import DBTaskResult

    started_before = (now or timezone.now()) - RUNNING_AT_MOST
    return DBTaskResult.objects.running().filter(backend_name=alias, started_at__lt=started_before)


def queue_health(alias: str = "default", now: datetime | None = None) -> QueueHealth | None:
    """How the queue keeps up; None without a database queue. A task is due since it was
    queued, a retry since its `run_after`."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    if database_queue(alias) is None:
        return None
    now = now or timezone.now()
    ready = DBTaskResult.objects.ready().filter(backend_name=alias)
    at_once = ready.filter(run_after=get_date_max()).order_by("enqueued_at")
    deferred = ready.exclude(run_after=get_date_max()).order_by("run_after")
    due = [
        *at_once.values_list("enqueued_at", flat=True)[:1],
        *deferred.values_list("run_after", flat=True)[:1],
    ]
    return QueueHealth(
        ready=ready.count(),
        oldest_ready_age=now - min(due) if due else None,
        abandoned=abandoned_tasks(alias, now).count(),
    )
