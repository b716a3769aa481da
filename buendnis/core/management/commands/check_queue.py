"""`manage.py check_queue`: for monitoring (cron, Nagios, a systemd timer). Exits with 1 when
the oldest due task has waited longer than `--minutes`: no worker runs, or it cannot keep up –
after an upgrade without `buendnis-worker`, mail is queued and never sent."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from buendnis.core.selectors import queue_health


class Command(BaseCommand):
    help = (
        "Prüft, ob die Warteschlange der Aufgaben abgearbeitet wird: Exit-Code 1, wenn die "
        "älteste fällige Aufgabe länger als --minutes wartet (läuft kein Worker?)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--minutes",
            type=int,
            default=15,
            help="So lange darf die älteste fällige Aufgabe warten (Standard: 15 Minuten).",
        )

    def handle(self, *args: Any, minutes: int, **options: Any) -> None:
        health = queue_health()
        if health is None:
            self.stdout.write(
                "Keine Warteschlange in der Datenbank (BUENDNIS_TASKS_BACKEND=immediate): "
                "nichts zu prüfen."
            )
            return
        if health.abandoned:
            self.stdout.write(
                f"Hinweis: {health.abandoned} Aufgaben laufen seit über einem Tag, ihr Worker "
                "wurde beendet (prune_task_results markiert sie als fehlgeschlagen)."
            )
        if health.oldest_ready_age is None:
            self.stdout.write("Warteschlange in Ordnung: keine fällige Aufgabe.")
            return
        waited = int(health.oldest_ready_age.total_seconds() // 60)
        if waited >= minutes:
            self.stderr.write(
                f"Die älteste fällige Aufgabe wartet seit {waited} Minuten (Grenze {minutes}), "
                f"{health.ready} Aufgaben sind fällig: Läuft ein Worker? "
                "(systemctl status buendnis-worker)"
            )
            raise SystemExit(1)
        self.stdout.write(
            f"Warteschlange in Ordnung: {health.ready} fällige Aufgaben, die älteste wartet seit "
            f"{waited} Minuten."
        )
