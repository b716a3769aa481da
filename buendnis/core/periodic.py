"""The periodic jobs and when they are due: the schedule that `manage.py run_worker` keeps.

Each job is a task (`buendnis/<app>/tasks.py`, named here by path: the core app imports no app
above it) wrapping the service that the job's management command runs by hand. Once a minute the
worker's scheduler asks `tick()` which slots are due and queues each job for its latest slot;
`PeriodicRun`'s unique (job, slot) lets exactly one of several workers queue it. Slots that a
stopped worker missed collapse into the latest one: every job is idempotent and catches up – a
daily job only within `DAILY_CATCH_UP` of its time, else on the next day.

Times of day are the platform's (TIME_ZONE, Europe/Berlin): a daily job at 06:30 runs at 06:30
in summer and winter. A time that the change to summer time skips runs at the instant it would
have been in winter time (02:30 → 03:30 summer time); one that the change back repeats, once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.tasks import Task
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import PeriodicRun

log = logging.getLogger(__name__)


def _always() -> bool:
    return True


def _inbox_configured() -> bool:
    return bool(settings.BUENDNIS_INQUIRY_IMAP["host"])


@dataclass(frozen=True)
class Job:
    name: str
    task: str  # dotted path of the task
    every: timedelta | None = None  # every so often, counted from midnight UTC …
    at: time | None = None  # … or daily at this time of day (TIME_ZONE)
    enabled: Callable[[], bool] = field(default=_always)

    def slot(self, now: datetime) -> datetime:
        """The latest time ≤ now at which the job is due (UTC)."""
        now = now.astimezone(ZoneInfo("UTC"))
        if self.every is not None:
            # Whole minutes from midnight UTC: Berlin's offsets are whole hours, so a
            # quarter-hour is the same quarter-hour there.
            midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
            return midnight + (now - midnight) // self.every * self.every
        assert self.at is not None  # noqa: S101 – a Job has one of the two
        zone = ZoneInfo(settings.TIME_ZONE)
        day = now.astimezone(zone).date()
        for date in (day, day - timedelta(days=1)):
            # fold=0: the first of a repeated time; a skipped one counts in the old offset.
            slot = datetime.combine(date, self.at, tzinfo=zone).astimezone(ZoneInfo("UTC"))
            if slot <= now:
                return slot
        raise AssertionError("unreachable: yesterday's time of day is always past")


JOBS: tuple[Job, ...] = (
    Job(
        "meetings_periodic",
        "buendnis.meetings.tasks.meetings_periodic",
        every=timedelta(minutes=15),
    ),
    Job(
        "fetch_inquiry_mail",
        "buendnis.office.tasks.fetch_inquiry_mail",
        every=timedelta(minutes=5),
        enabled=_inbox_configured,
    ),
    Job("ideas_encode", "buendnis.ideas.tasks.ideas_encode", every=timedelta(minutes=10)),
    Job("erase_inquiries", "buendnis.office.tasks.erase_inquiries", at=time(3, 30)),
    Job("prune_task_results", "buendnis.core.tasks.prune_task_results", at=time(4, 0)),
    Job(
        "notifications_digest", "buendnis.notifications.tasks.notifications_digest", at=time(6, 30)
    ),
    Job(
        "send_signature_reminders",
        "buendnis.renewal.tasks.send_signature_reminders",
        at=time(6, 45),
    ),
    Job("send_report_reminders", "buendnis.grants.tasks.send_report_reminders", at=time(6, 50)),
)


# A daily slot missed by more than this is left for the next day: a worker started at 01:00
# for the first time (or after a day away) would otherwise send yesterday's 06:30 digest at
# once and today's at 06:30 again. An interval job always catches up with its latest slot.
DAILY_CATCH_UP = timedelta(hours=6)


def due_slot(job: Job, now: datetime) -> datetime | None:
    """The slot to queue now, or None when the latest one is too old to catch up on."""
    slot = job.slot(now)
    if job.at is not None and now - slot > DAILY_CATCH_UP:
        return None
    return slot


def tick(now: datetime | None = None, jobs: tuple[Job, ...] | None = None) -> list[PeriodicRun]:
    """Queue every job whose latest slot nobody has queued yet; returns the runs this call
    queued. Safe to call from any number of workers at once. A job that fails to be queued
    (a task that cannot be imported, a failing `enabled()`) is logged and skipped, so the jobs
    after it still run."""
    now = now or timezone.now()
    queued = []
    for job in JOBS if jobs is None else jobs:
        try:
            run = _queue(job, now)
        except Exception:
            log.exception("Periodische Aufgabe %s nicht eingereiht", job.name)
            continue
        if run is not None:
            log.info(
                "Periodische Aufgabe %s (fällig %s) eingereiht", job.name, run.slot.isoformat()
            )
            queued.append(run)
    return queued


def _queue(job: Job, now: datetime) -> PeriodicRun | None:
    if not job.enabled():
        return None
    slot = due_slot(job, now)
    if slot is None or PeriodicRun.objects.filter(job=job.name, slot=slot).exists():
        return None  # the common case, without provoking an error in the database's log
    try:
        # The run and its task commit together: no run without its task, nor the reverse.
        with transaction.atomic():
            run = PeriodicRun.objects.create(job=job.name, slot=slot, queued_at=now)
            task: Task = import_string(job.task)
            result = task.enqueue()
            run.task_id = str(result.id)[:64]
            # update(), not save(): an immediate backend has run the job already.
            PeriodicRun.objects.filter(pk=run.pk).update(task_id=run.task_id)
    except IntegrityError:
        return None  # another worker was first
    return run
