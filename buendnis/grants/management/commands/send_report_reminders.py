"""`manage.py send_report_reminders`: reminds the applicants of funded projects of reports due
within two weeks or overdue, at most once a week (`grants.services.report_reminders_send`), once
a day by the worker (buendnis/grants/tasks.py). Idempotent: a second run on the same day reminds nobody."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from buendnis.grants import services


class Command(BaseCommand):
    help = (
        "Erinnert Projektträger an fällige und überfällige Berichte (höchstens einmal pro "
        "Woche). Der Worker (run_worker) tut das einmal täglich; wiederholte Aufrufe schaden "
        "nicht."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        reminded = services.report_reminders_send(today=timezone.localdate())
        if options["verbosity"] > 0:
            self.stdout.write(f"{reminded} Bericht(e) erinnert.")
