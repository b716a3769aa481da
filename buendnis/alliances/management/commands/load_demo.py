from typing import Any

from django.core.management.base import BaseCommand

from buendnis.alliances.demo import DEMO_LOGINS, load_demo


class Command(BaseCommand):
    help = "Lädt die Demo-Bündnisse (idempotent: ein zweiter Lauf ändert nichts)."

    def handle(self, *args: Any, **options: Any) -> None:
        created = load_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo-Daten geladen ({created} neue Datensätze)."))
        self.stdout.write("Demo-Zugänge (nur lokal, in der Produktion gesperrt):")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.username:<12} {login.password:<20} {login.description}")
