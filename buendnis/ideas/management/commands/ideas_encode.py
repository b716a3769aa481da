"""Encode ideas and projects for the similarity search: those without an up-to-date encoding
(new, changed since, or made by an older encoder). The worker runs it every 10 minutes (buendnis/ideas/tasks.py); by hand after
an encoder update once with --all."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from buendnis.alliances.models import Alliance
from buendnis.funding.models import Project
from buendnis.ideas import matching
from buendnis.ideas.models import Idea


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
            # Encoded again in place: the workers keep matching on the old encodings meanwhile.
            ideas_of = Idea.objects.all()
            projects_of = Project.objects.all()
            if alliance_id is not None:
                ideas_of = ideas_of.filter(alliance_id=alliance_id)
                projects_of = projects_of.filter(alliance_id=alliance_id)
            idea_ids = list(ideas_of.order_by("pk").values_list("pk", flat=True))
            project_ids = list(projects_of.order_by("pk").values_list("pk", flat=True))
        else:
            idea_ids = matching.pending_ideas(alliance_id)
            project_ids = matching.pending_projects(alliance_id)
        ideas = matching.encode_ideas(idea_ids)
        projects = matching.encode_projects(project_ids)
        matching.forget_corpora()
        self.stdout.write(
            f"{ideas} Ideen und {projects} Vorhaben kodiert "
            f"({time.perf_counter() - started:.1f} s)."
        )
