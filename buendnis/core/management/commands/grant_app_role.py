"""`manage.py grant_app_role ROLE`: the application's login may read and write, but never rewrite
the audit trail, the ledger or the other append-only records (`buendnis.core.db_roles`).

Run as the owner of the tables (the role that ran `migrate`), after every `migrate`: new tables
get their privileges only here. README, "Deploying on PostgreSQL behind gunicorn".
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from buendnis.core.db_roles import app_role_grant
from buendnis.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Gibt der Datenbankrolle der Anwendung ihre Rechte: Lesen und Schreiben, auf Protokoll, "
        "Buchungen und den anderen unveränderlichen Tabellen nur Lesen und Anfügen. Als "
        "Eigentümerrolle nach jedem `migrate` ausführen."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="Die Rolle, mit der sich die Anwendung anmeldet.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            granted = app_role_grant(
                connection=connections[options["database"]], role=options["role"]
            )
        except DomainError as error:
            raise CommandError(" ".join(error.messages)) from error
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Rolle „{options['role']}“: {len(granted['ordinary'])} Tabellen lesen und "
                f"schreiben, {len(granted['append_only'])} nur lesen und anfügen "
                f"({', '.join(granted['append_only'])})."
            )
