"""`manage.py run_worker`: the worker of a deployment (README, "Deploying"). Works off the tasks'
queue in the database (django-tasks-db's `db_worker`, whose options it takes) and, once a minute,
queues the periodic jobs that are due (buendnis/core/periodic.py). Several workers on several
hosts may run: each task runs once, each job's slot is queued once.

`--batch` queues what is due, works off the queue and exits (cron, tests).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from argparse import ArgumentParser
from typing import Any

from django.db import close_old_connections, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorker

from buendnis.core import periodic, selectors

log = logging.getLogger(__name__)


def schedule_forever(interval: float = 60) -> None:
    """The scheduler's thread: a tick shortly after every minute; an error (database away) is
    logged and the next minute tries again."""
    while True:
        time.sleep(interval - time.time() % interval + 1)
        try:
            close_old_connections()
            periodic.tick()
        except Exception:
            log.exception("Periodische Aufgaben nicht eingereiht")
        finally:
            connections.close_all()  # this thread's connections only


class Command(DbWorker):
    help = (
        "Arbeitet die Warteschlange der Aufgaben ab (E-Mails, periodische Aufgaben) und reiht "
        "jede Minute die fälligen periodischen Aufgaben ein. Mehrere Worker dürfen laufen."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--no-scheduler",
            action="store_false",
            dest="scheduler",
            help="Nur die Warteschlange abarbeiten, keine periodischen Aufgaben einreihen.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        lost = selectors.abandoned_tasks(options["backend_name"]).count()
        if lost:
            log.warning(
                "Seit über %s Stunden laufende Aufgaben: %s – ihr Worker wurde beendet. "
                "prune_task_results markiert sie nachts als fehlgeschlagen; eine E-Mail darunter "
                "ist vielleicht nicht gesendet worden.",
                int(selectors.RUNNING_AT_MOST.total_seconds() // 3600),
                lost,
            )
        if options.pop("scheduler"):
            if options["batch"]:
                periodic.tick()
            elif not options["reload"] or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                # With --reload only the reloaded child process schedules.
                threading.Thread(target=schedule_forever, name="scheduler", daemon=True).start()
        super().handle(*args, **options)
