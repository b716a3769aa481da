"""The periodic jobs (buendnis/core/periodic.py, `manage.py run_worker`): when a slot is due in
Berlin time across the changes of summer time, that each slot is queued once however many
workers tick, and that a queued job runs in the worker."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance
from buendnis.core import periodic
from buendnis.core.models import PeriodicRun
from buendnis.notifications import services, topics
from buendnis.notifications.models import Notification
from tests.factories import build_alliance_structure

BERLIN = ZoneInfo("Europe/Berlin")
QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
QUEUED_MAIL = {
    "default": {"BACKEND": "buendnis.core.mail.TaskMailBackend"},
    "outgoing": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
}
DAILY = periodic.Job("digest", "buendnis.notifications.tasks.notifications_digest", at=time(6, 30))
NIGHTLY = periodic.Job("night", "buendnis.core.tasks.prune_task_results", at=time(2, 30))
QUARTER = periodic.Job(
    "quarter", "buendnis.meetings.tasks.meetings_periodic", every=timedelta(minutes=15)
)


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_a_daily_job_is_due_at_its_berlin_time_in_winter_and_summer() -> None:
    assert DAILY.slot(berlin(2026, 1, 15, 6, 30)) == utc(2026, 1, 15, 5, 30)
    assert DAILY.slot(berlin(2026, 7, 15, 6, 30)) == utc(2026, 7, 15, 4, 30)
    # Before 06:30 the latest slot is yesterday's.
    assert DAILY.slot(berlin(2026, 7, 15, 6, 29)) == utc(2026, 7, 14, 4, 30)
    # The days of the change: 29 March and 25 October 2026.
    assert DAILY.slot(berlin(2026, 3, 29, 12, 0)) == utc(2026, 3, 29, 4, 30)
    assert DAILY.slot(berlin(2026, 3, 29, 6, 0)) == utc(2026, 3, 28, 5, 30)
    assert DAILY.slot(berlin(2026, 10, 25, 12, 0)) == utc(2026, 10, 25, 5, 30)


def test_a_time_skipped_or_repeated_by_the_change_runs_once() -> None:
    # 02:30 does not exist on 29 March: the slot is 01:30 UTC (03:30 summer time).
    assert NIGHTLY.slot(utc(2026, 3, 29, 1, 29)) == utc(2026, 3, 28, 1, 30)
    assert NIGHTLY.slot(utc(2026, 3, 29, 1, 30)) == utc(2026, 3, 29, 1, 30)
    # 02:30 comes twice on 25 October: the first (00:30 UTC) is the slot, the second is not.
    assert NIGHTLY.slot(utc(2026, 10, 25, 0, 30)) == utc(2026, 10, 25, 0, 30)
    assert NIGHTLY.slot(utc(2026, 10, 25, 1, 45)) == utc(2026, 10, 25, 0, 30)
    slots = {NIGHTLY.slot(utc(2026, 10, 24, 20, 0) + timedelta(minutes=m)) for m in range(0, 1440)}
    assert slots == {utc(2026, 10, 24, 0, 30), utc(2026, 10, 25, 0, 30)}


def test_a_job_every_quarter_hour_is_due_on_the_quarter_hours() -> None:
    assert QUARTER.slot(berlin(2026, 3, 29, 3, 14, 59)) == utc(2026, 3, 29, 1, 0)
    assert QUARTER.slot(berlin(2026, 3, 29, 3, 15)) == utc(2026, 3, 29, 1, 15)
    assert QUARTER.slot(utc(2026, 10, 25, 0, 59)) == utc(2026, 10, 25, 0, 45)


def test_the_schedule_names_existing_tasks() -> None:
    from django.tasks import Task
    from django.utils.module_loading import import_string

    names = [job.name for job in periodic.JOBS]
    assert len(names) == len(set(names))
    for job in periodic.JOBS:
        assert isinstance(import_string(job.task), Task), job.task
        assert (job.every is None) != (job.at is None), job.name


@pytest.mark.django_db
def test_a_slot_is_queued_once_however_often_the_schedulers_tick() -> None:
    now = berlin(2026, 7, 15, 6, 31)
    first = periodic.tick(now, jobs=(DAILY, QUARTER))
    assert [run.job for run in first] == ["digest", "quarter"]
    assert all(run.task_id for run in first)  # the immediate backend ran them already
    assert periodic.tick(now, jobs=(DAILY, QUARTER)) == []
    assert periodic.tick(now + timedelta(minutes=10), jobs=(DAILY, QUARTER)) == []
    (later,) = periodic.tick(now + timedelta(minutes=14), jobs=(DAILY, QUARTER))
    assert later.job == "quarter" and later.slot == utc(2026, 7, 15, 4, 45)
    assert PeriodicRun.objects.count() == 3


@pytest.mark.django_db
def test_a_job_that_cannot_be_queued_does_not_hold_up_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken_check() -> bool:
        raise KeyError("BUENDNIS_INQUIRY_IMAP")

    missing = periodic.Job("missing", "buendnis.gone.tasks.gone", every=timedelta(minutes=5))
    unsure = periodic.Job("unsure", QUARTER.task, every=timedelta(minutes=5), enabled=broken_check)
    with caplog.at_level(logging.ERROR, logger="buendnis.core.periodic"):
        queued = periodic.tick(berlin(2026, 7, 15, 6, 31), jobs=(missing, unsure, DAILY, QUARTER))
    assert [run.job for run in queued] == ["digest", "quarter"]
    assert set(PeriodicRun.objects.values_list("job", flat=True)) == {"digest", "quarter"}
    failed = [record.getMessage() for record in caplog.records]
    assert failed == [
        "Periodische Aufgabe missing nicht eingereiht",
        "Periodische Aufgabe unsure nicht eingereiht",
    ]


@pytest.mark.django_db
def test_a_first_start_at_night_leaves_yesterday_s_daily_slot_to_its_time() -> None:
    # No runs yet; at 01:00 yesterday's 06:30 is long past: the digest waits for 06:30.
    night = periodic.tick(berlin(2026, 7, 15, 1, 0), jobs=(DAILY, QUARTER))
    assert [run.job for run in night] == ["quarter"]
    assert [run.job for run in periodic.tick(berlin(2026, 7, 15, 6, 30), jobs=(DAILY,))] == [
        "digest"
    ]
    assert PeriodicRun.objects.filter(job="digest").count() == 1
    # A worker away in the morning catches up within six hours of the time, not later.
    assert periodic.due_slot(DAILY, berlin(2026, 7, 16, 12, 30)) == utc(2026, 7, 16, 4, 30)
    assert periodic.due_slot(DAILY, berlin(2026, 7, 16, 12, 31)) is None
    # An interval job always catches up with its latest slot.
    assert periodic.due_slot(QUARTER, berlin(2026, 7, 16, 12, 31)) == utc(2026, 7, 16, 10, 30)


@pytest.mark.django_db
def test_the_inbox_is_fetched_only_when_a_mailbox_is_configured() -> None:
    queued = {run.job for run in periodic.tick(berlin(2026, 7, 15, 7, 0))}
    assert "fetch_inquiry_mail" not in queued
    assert {"meetings_periodic", "notifications_digest", "erase_inquiries"} <= queued


@pytest.mark.django_db(transaction=True)
def test_two_workers_ticking_at_once_queue_each_slot_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Gleichzeitige Schreiber prüft PostgreSQL (scripts/with_postgres.py).")
    now = berlin(2026, 7, 15, 6, 31)
    start = threading.Barrier(4)
    counts: list[int] = []

    def worker() -> None:
        try:
            start.wait()
            counts.append(len(periodic.tick(now, jobs=(DAILY, QUARTER))))
        finally:
            connections.close_all()

    with override_settings(TASKS=QUEUE):
        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sum(counts) == 2
        assert PeriodicRun.objects.count() == 2
        assert DBTaskResult.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def _digest_reader(alliance: Alliance, make_persona: Callable[[str], User | None]) -> User:
    """A member with the default delivery (the daily digest) and one unmailed notification."""
    structure = build_alliance_structure(alliance, place="Braunschweig")
    reader = make_persona("speaker")
    assert reader is not None
    topic = topics.body(structure.bodies["steering"].pk)
    services.subscribe(user=reader, alliance=alliance, topic=topic)
    services.notify(
        topic=topic,
        alliance=alliance,
        kind="meeting.invited",
        title="Einladung: Sitzung des Steuerkreises am 05.06.2026",
        text="Freitag, 05.06.2026, 14:00 Uhr",
        link="/son/intern/sitzungen/4/",
    )
    return reader


@pytest.mark.django_db(transaction=True)
def test_a_digest_the_server_refuses_stays_unmailed_for_the_next_run(
    alliance: Alliance,
    make_persona: Callable[[str], User | None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The worker ticks at the real time: today's digest may be due for up to a day.
    monkeypatch.setattr(periodic, "DAILY_CATCH_UP", timedelta(days=1))
    reader = _digest_reader(alliance, make_persona)
    refusing = {"BACKEND": "tests.core.test_mail_queue.RefusingBackend"}
    with override_settings(TASKS=QUEUE, MAILERS={**QUEUED_MAIL, "outgoing": refusing}):
        call_command("run_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
        run = PeriodicRun.objects.get(job="notifications_digest")
        result = DBTaskResult.objects.get(id=run.task_id)
    assert result.status == "SUCCESSFUL"
    assert result.return_value["digest"]["failed"] == 1
    assert Notification.objects.get(recipient=reader).mailed_at is None


@pytest.mark.django_db(transaction=True)
def test_the_worker_queues_the_due_digest_and_sends_it(
    alliance: Alliance,
    make_persona: Callable[[str], User | None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The worker ticks at the real time: today's digest may be due for up to a day.
    monkeypatch.setattr(periodic, "DAILY_CATCH_UP", timedelta(days=1))
    reader = _digest_reader(alliance, make_persona)
    with override_settings(TASKS=QUEUE, MAILERS=QUEUED_MAIL):
        mail.outbox = []
        call_command("run_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
        digest = [m for m in mail.outbox if m.to == [reader.email]]
        assert len(digest) == 1
        assert "Einladung: Sitzung des Steuerkreises" in digest[0].body
        run = PeriodicRun.objects.get(job="notifications_digest")
        assert DBTaskResult.objects.get(id=run.task_id).status == "SUCCESSFUL"
        assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()
        # The job runs in the worker: its mail went straight out, not through the queue again.
        assert not DBTaskResult.objects.filter(task_path__endswith="deliver_mail").exists()

        # A second worker pass in the same minute queues nothing again.
        call_command("run_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
        assert PeriodicRun.objects.filter(job="notifications_digest").count() == 1


def test_the_worker_s_scheduler_ticks_every_minute_and_survives_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from buendnis.core.management.commands import run_worker

    class Stop(BaseException):
        pass

    sleeps: list[float] = []
    ticks: list[int] = []

    def sleep(seconds: float) -> None:
        if len(sleeps) == 3:
            raise Stop
        sleeps.append(seconds)

    def tick() -> None:
        ticks.append(1)
        if len(ticks) == 1:
            raise ConnectionError("Datenbank weg")

    monkeypatch.setattr(run_worker.time, "sleep", sleep)
    monkeypatch.setattr(run_worker.time, "time", lambda: 1_800_000_015.5)
    monkeypatch.setattr(run_worker.periodic, "tick", tick)
    monkeypatch.setattr(run_worker, "close_old_connections", lambda: None)
    with pytest.raises(Stop):
        run_worker.schedule_forever()
    assert sleeps == [45.5, 45.5, 45.5]  # to one second past the next full minute
    assert len(ticks) == 3  # the failed tick did not end the loop


@pytest.mark.django_db(transaction=True)
def test_the_worker_warns_at_its_start_of_tasks_whose_worker_was_lost(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from django.utils import timezone

    from buendnis.core.tasks import prune_task_results

    with override_settings(TASKS=QUEUE):
        result = prune_task_results.enqueue()
        DBTaskResult.objects.filter(id=result.id).update(
            status="RUNNING", started_at=timezone.now() - timedelta(days=2)
        )
        with caplog.at_level(logging.WARNING, logger="buendnis.core.management.commands"):
            call_command(
                "run_worker", "--batch", "--no-scheduler", "--no-startup-delay", "--no-reload"
            )
    assert "Seit über 24 Stunden laufende Aufgaben: 1 –" in caplog.text
