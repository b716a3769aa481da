"""Encode ideas and projects for the similarity search: those without an up-to-date encoding
(new, changed since, or made by an older encoder). Run periodically (README's cron lines); after
an encoder update once with --all."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from buendnis.alliances.models import Alliance
from buendnis.ideas import matching
from buendnis.ideas.models import Encoding


class Command(BaseCommand):
    help = "Kodiert Ideen und Vorhaben für die Ähnlichkeitssuche (nur fehlende oder veraltete)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all", action="store_true", help="alles neu kodieren, auch aktuelle Kodierungen"
        )
        parser.add_argument("--alliance", help="nur dieses Bündnis (Kurzname in Adressen)")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        alliance_id: int | None = None
        if options["alliance"]:
            alliance = Alliance.objects.filter(slug=options["alliance"]).first()
            if alliance is None:
                raise CommandError(f"Kein Bündnis mit dem Kurznamen „{options['alliance']}“.")
            alliance_id = alliance.pk
        if options["all"]:
            encodings = Encoding.objects.all()
            if alliance_id is not None:
                encodings = encodings.filter(alliance_id=alliance_id)
            encodings.delete()
        ideas = matching.encode_ideas(matching.pending_ideas(alliance_id))
        projects = matching.encode_projects(matching.pending_projects(alliance_id))
        matching.forget_corpora()
        self.stdout.write(
            f"{ideas} Ideen und {projects} Vorhaben kodiert "
            f"({time.perf_counter() - started:.1f} s)."
        )
