"""`manage.py meetings_periodic`: the timed work of the meetings app, which the worker runs every 15
minutes (buendnis/meetings/tasks.py; README, "The worker"); this command runs it by hand.

1. Reminds the organisations that have not answered a circulation, once, two days before its
   deadline (`circulations_remind_due`).
2. Evaluates every circulation whose deadline has passed (`circulations_close_due`); a passed
   circulation on a project moves the procedure on like a positive Steuerkreis vote.

Idempotent: both services pick only what is due and mark it under a lock or a compare-and-swap
update (the reminder's time stamp, the circulation's state), so a second run finds nothing left
to do and two overlapping runs never remind or evaluate twice. Prints a German summary; with `--verbosity 0` nothing unless it fails.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import formats, timezone

from buendnis.meetings.services import circulations


class Command(BaseCommand):
    help = (
        "Erinnert an Umlaufbeschlüsse kurz vor Fristende und wertet abgelaufene aus. Der Worker "
        "(run_worker) tut das alle 15 Minuten; wiederholte Aufrufe schaden nicht."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        reminded = circulations.circulations_remind_due(now=now)
        closed = circulations.circulations_close_due(now=now)
        if options["verbosity"] < 1:
            return
        stamp = formats.date_format(timezone.localtime(now), "d.m.Y H:i")
        self.stdout.write(
            f"{stamp}: {reminded} Erinnerung(en) an Umlaufbeschlüsse versandt, "
            f"{len(closed)} abgelaufene(r) Umlaufbeschluss/-beschlüsse ausgewertet."
        )
        for circulation in closed:
            line = (
                f"– „{circulation.title}“ ({circulation.alliance.display_short_name}): "
                f"{circulation.get_status_display()}"
            )
            if circulation.result.get("error"):
                line += f" – {circulation.result['error']}"
            self.stdout.write(line)
