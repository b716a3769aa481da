"""`manage.py restore ARCHIVE`: an archive of `manage.py backup` into an empty database and an
empty MEDIA_ROOT, checked against its manifest (`buendnis.core.backup`). README, "Backup and
restore"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from buendnis.core.backup import backup_restore, media_folder
from buendnis.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Spielt eine Sicherung in eine leere Datenbank und einen leeren Dateiordner ein und "
        "prüft Zeilen, Prüfsummen, Migrationsstand und die Schutz-Trigger."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="Ein Archiv von `manage.py backup`.")
        parser.add_argument(
            "--database-url",
            default=None,
            help="Die Zieldatenbank, wenn nicht DATABASE_URL (z. B. postgres://…/buendnis_neu).",
        )
        parser.add_argument(
            "--media-root", type=Path, default=None, help="Statt MEDIA_ROOT (DJANGO_MEDIA_ROOT)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            media_root = media_folder(options["media_root"])
            manifest = backup_restore(
                archive=Path(options["archive"]),
                media_root=media_root,
                database_url=options["database_url"],
            )
        except DomainError as error:
            raise CommandError(" ".join(error.messages)) from error
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Sicherung vom {manifest['created_at']} eingespielt und geprüft: "
                f"{sum(manifest['tables'].values())} Zeilen, {len(manifest['files'])} Datei(en), "
                "Protokoll und Buchungen unverändert und geschützt."
            )
            if manifest["vendor"] == "postgresql":
                self.stdout.write(
                    "Rechte sind nicht mitgesichert: jetzt als Eigentümerrolle "
                    "`manage.py grant_app_role <Anwendungsrolle>` ausführen."
                )
