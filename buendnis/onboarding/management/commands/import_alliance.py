"""`manage.py import_alliance <slug> <file.xlsx> [--dry-run] [--sheet Vorhaben]`: brings an
alliance's partners, people, phases, agreements and past projects onto the platform from the
import's workbook (or one sheet as CSV), through the same service as the office's import page.
Prints what it would create and change, or every problem with sheet, row and column; exits with 1
when anything is wrong (then nothing is written).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from buendnis.alliances.models import Alliance
from buendnis.onboarding.columns import SHEETS, normalise
from buendnis.onboarding.planning import Plan
from buendnis.onboarding.services import import_file


class Command(BaseCommand):
    help = (
        "Übernimmt Organisationen, Personen, Förderphasen, Vereinbarungen und abgeschlossene "
        "Vorhaben eines Bündnisses aus einer Excel-Arbeitsmappe (oder ein Blatt als CSV). Alles "
        "oder nichts: mit einem Fehler wird nichts geschrieben (Rückgabewert 1)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="Kurzname des Bündnisses in Adressen, z. B. son")
        parser.add_argument("file", help="Die Datei (.xlsx, oder .csv mit --sheet)")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Nur prüfen und zeigen, was sich ändern würde; nichts schreiben.",
        )
        parser.add_argument(
            "--sheet",
            help="Bei einer CSV-Datei: welches Blatt sie enthält ("
            + ", ".join(sheet.title for sheet in SHEETS)
            + ").",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("de")
        alliance = Alliance.objects.filter(slug=options["slug"]).first()
        if alliance is None:
            raise CommandError(f"Ein Bündnis „{options['slug']}“ gibt es nicht.")
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                f"Die Datei „{path}“ lässt sich nicht lesen: {exc.strerror}"
            ) from exc
        sheet = None
        if options["sheet"]:
            wanted = normalise(options["sheet"])
            sheet = next(
                (candidate for candidate in SHEETS if normalise(candidate.title) == wanted), None
            )
            if sheet is None:
                raise CommandError(
                    f"Ein Blatt „{options['sheet']}“ gibt es nicht; möglich sind: "
                    + ", ".join(candidate.title for candidate in SHEETS)
                    + "."
                )
        outcome = import_file(
            alliance=alliance,
            content=content,
            filename=path.name,
            actor=None,
            sheet=sheet,
            dry_run=options["dry_run"],
        )
        self._print_plan(outcome.plan, verbose=options["verbosity"] >= 2)
        if outcome.problems:
            for problem in outcome.problems:
                where = ", ".join(
                    part
                    for part in (
                        f"Blatt „{problem.sheet}“" if problem.sheet else "",
                        f"Zeile {problem.row}" if problem.row else "",
                        f"Spalte „{problem.column}“" if problem.column else "",
                    )
                    if part
                )
                self.stderr.write(
                    f"– {where}: {problem.message}" if where else f"– {problem.message}"
                )
            raise CommandError(
                f"{len(outcome.problems)} Fehler; es wurde nichts übernommen.", returncode=1
            )
        if options["dry_run"]:
            self.stdout.write("Probelauf: es wurde nichts geschrieben.")
        elif outcome.imported:
            self.stdout.write(self.style.SUCCESS(f"Übernommen in „{alliance.name}“."))
        else:
            self.stdout.write("Nichts zu ändern: die Datei entspricht dem Stand des Bündnisses.")

    def _print_plan(self, plan: Plan, *, verbose: bool) -> None:
        for section in plan.shown_sections:
            self.stdout.write(
                f"{section.title}: {section.created} neu, {section.changed} geändert, "
                f"{section.unchanged} unverändert"
            )
            if not verbose:
                continue
            for step in section.created_rows:
                self.stdout.write(f"  + Zeile {step.row}: {step.label}")
            for step in section.changed_rows:
                changes = "; ".join(
                    f"{change.column}: {change.before or '–'} → {change.after or '–'}"
                    for change in step.changes
                )
                self.stdout.write(f"  ~ Zeile {step.row}: {step.label} ({changes})")
