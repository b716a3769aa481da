"""`manage.py reset_two_factor <username>`: remove a person's two-factor devices (lost phone and
recovery codes). At the next login they set it up anew (or may, where it is not required). The
same can be done in the admin under "TOTP devices" and "Static devices"; this command audits it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from buendnis.accounts import twofactor
from buendnis.accounts.models import User


class Command(BaseCommand):
    help = (
        "Setzt die Zwei-Faktor-Anmeldung eines Zugangs zurück (Authenticator-App und "
        "Wiederherstellungscodes). Bei der nächsten Anmeldung wird sie neu eingerichtet."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="Benutzername des Zugangs.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Es gibt keinen Zugang „{options['username']}“.")
        if twofactor.two_factor_reset(actor=None, user=user):
            self.stdout.write(f"Die Zwei-Faktor-Anmeldung von {user.username} ist zurückgesetzt.")
        else:
            self.stdout.write(f"{user.username} hatte keine Zwei-Faktor-Anmeldung eingerichtet.")
