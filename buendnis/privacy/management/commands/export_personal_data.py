"""`manage.py export_personal_data <username|email> [--output FILE]`: everything the platform
holds about a person as JSON (Art. 15 GDPR), across all alliances; audited with the system as
actor. Without --output the JSON goes to stdout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from buendnis.privacy import export, selectors, services


class Command(BaseCommand):
    help = (
        "Auskunft: alles, was die Plattform über eine Person speichert, als JSON "
        "(Benutzername oder E-Mail-Adresse). Wird protokolliert."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("person", help="Benutzername oder E-Mail-Adresse")
        parser.add_argument("--output", help="Datei für das JSON (sonst die Standardausgabe)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = selectors.person_data(options["person"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        services.export_record(actor=None, alliance=None, data=data, output="json")
        content = export.as_json(data, generated_at=timezone.now())
        if options["output"]:
            Path(options["output"]).write_bytes(content)
            self.stderr.write(f"Auskunft geschrieben: {options['output']}")
        else:
            self.stdout.write(content.decode())
