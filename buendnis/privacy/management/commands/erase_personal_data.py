"""`manage.py erase_personal_data <username|email> --confirm [--reason TEXT]`: pseudonymise an
account, or erase the records of an address without one, across all alliances (Art. 17 GDPR);
audited with the system as actor. Without --confirm it only says what it would erase."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from buendnis.privacy import selectors, services


class Command(BaseCommand):
    help = (
        "Löschung: ersetzt die personenbezogenen Daten eines Zugangs (Benutzername) oder einer "
        "Person ohne Zugang (E-Mail-Adresse) durch ein Pseudonym. Nur mit --confirm."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("person", help="Benutzername oder E-Mail-Adresse")
        parser.add_argument("--confirm", action="store_true", help="Wirklich löschen")
        parser.add_argument(
            "--reason",
            default="Löschung auf Verlangen (Art. 17 DSGVO)",
            help="Grund, ins Protokoll",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = selectors.person_data(options["person"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if not options["confirm"]:
            try:
                preview = services.erasure_preview(
                    actor=None, account=data.account, email=data.email
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            for key, count in sorted(preview.counts.items()):
                self.stdout.write(f"{key}: {count}")
            raise CommandError("Nichts gelöscht: zum Löschen --confirm angeben.")
        try:
            erasure = services.erase(
                actor=None, account=data.account, email=data.email, reason=options["reason"]
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if erasure.pseudonym:
            self.stdout.write(f"Zugang gelöscht, Pseudonym: {erasure.pseudonym}")
        for key, count in sorted(erasure.counts.items()):
            self.stdout.write(f"– {key}: {count}")
