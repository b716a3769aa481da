"""`manage.py backup ARCHIVE`: the database and the uploaded files in one tar.gz with a manifest
(`buendnis.core.backup`). Safe while the app runs; README, "Backup and restore"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from buendnis.core.backup import backup_create, media_folder
from buendnis.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Sichert Datenbank und hochgeladene Dateien in ein Archiv (tar.gz) mit Manifest: "
        "Migrationsstand, Zeilen je Tabelle, Prüfsummen."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "archive", type=Path, help="Die neue Archivdatei, z. B. buendnis.tar.gz"
        )
        parser.add_argument(
            "--media-root", type=Path, default=None, help="Statt MEDIA_ROOT (DJANGO_MEDIA_ROOT)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            media_root = media_folder(options["media_root"])
            manifest = backup_create(archive=Path(options["archive"]), media_root=media_root)
        except DomainError as error:
            raise CommandError(" ".join(error.messages)) from error
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"{options['archive']}: {sum(manifest['tables'].values())} Zeilen in "
                f"{len(manifest['tables'])} Tabellen, {len(manifest['files'])} Datei(en)."
            )
