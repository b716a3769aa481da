"""`manage.py create_api_token <username> <name> [--days N] [--read-only]`: a token for a script.

Without `--days` the token is valid for settings.BUENDNIS_API_TOKEN_DAYS (90) days; there is no
token without an expiry.

The token goes to stdout alone, the explanation to stderr, so `TOKEN=$(… create_api_token …)`
captures just the token. It is shown once: only its SHA-256 is stored.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from buendnis.accounts import permissions, tokens
from buendnis.accounts.models import User


class Command(BaseCommand):
    help = (
        "Legt einen API-Schlüssel für einen Zugang an und zeigt ihn einmal an. Der Schlüssel hat "
        "die Rechte des Zugangs (Authorization: Bearer …)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "username", help="Benutzername des Zugangs, für den das Skript handelt."
        )
        parser.add_argument("name", help="Bezeichnung, z. B. „Statistik-Export“.")
        parser.add_argument(
            "--days",
            "--expires-in-days",
            dest="expires_in_days",
            type=int,
            default=None,
            help="Gültigkeit in Tagen; ohne: BUENDNIS_API_TOKEN_DAYS (90).",
        )
        parser.add_argument(
            "--read-only",
            action="store_true",
            help="Der Schlüssel darf nur lesen (GET); Änderungen werden abgelehnt.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Es gibt keinen Zugang „{options['username']}“.")
        if not permissions.can_use_api_token(user):
            raise CommandError(
                f"Der Zugang „{user.username}“ ist gesperrt (inaktiv oder Demo-Zugang in der "
                "Produktion); ein Schlüssel würde nichts öffnen."
            )
        days = options["expires_in_days"]
        if days is not None and days < 1:
            raise CommandError("--days muss mindestens 1 sein.")
        expires_at = timezone.now() + timedelta(days=days) if days is not None else None
        try:
            token, secret = tokens.token_create(
                actor=None,
                user=user,
                name=options["name"],
                expires_at=expires_at,
                read_only=options["read_only"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        until = (
            f"gültig bis {timezone.localtime(token.expires_at):%d.%m.%Y %H:%M}"
            if token.expires_at
            else "ohne Ablaufdatum"
        )
        if token.read_only:
            until += ", nur lesen"
        self.stderr.write(
            f"API-Schlüssel „{token.name}“ für {user.username} angelegt (Kennung {token.prefix}, "
            f"{until}). Er wird nur jetzt angezeigt; gespeichert ist nur seine Prüfsumme:"
        )
        self.stdout.write(secret)
