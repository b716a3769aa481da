"""`manage.py send_signature_reminders`: reminds partners of the cooperation agreement of a phase
in preparation, once a day by the worker (buendnis/renewal/tasks.py; README, "The worker").

A partner whose answer is due within two weeks, or overdue, hears again at most once a week, as
long as the phase is in preparation or with the ministry (`services.signature_reminders_send`).
Idempotent: a second run on the same day reminds nobody. Prints a German summary; with
`--verbosity 0` nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import formats, timezone

from buendnis.renewal import services


class Command(BaseCommand):
    help = (
        "Erinnert Partner an die Unterschrift unter die Kooperationsvereinbarung einer neuen "
        "Förderphase (Frist in zwei Wochen oder überschritten, höchstens einmal pro Woche). Der "
        "Worker (run_worker) tut das einmal täglich; wiederholte Aufrufe schaden nicht."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        reminded = services.signature_reminders_send(today=today)
        if options["verbosity"] < 1:
            return
        stamp = formats.date_format(today, "d.m.Y")
        self.stdout.write(f"{stamp}: {reminded} Partner an die Unterschrift erinnert.")
