from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from buendnis.demo.load import load_demo
from buendnis.demo.structure import DEMO_LOGINS


class Command(BaseCommand):
    help = "Lädt die Demo-Bündnisse (idempotent: ein zweiter Lauf ändert nichts)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created = load_demo()
        except ValidationError as exc:
            # `make run` loads the demo before every start. When someone has reshaped the demo in
            # the admin so that a rule refuses a record, the load is rolled back as a whole and
            # the server still starts on the data as it is.
            self.stderr.write(
                self.style.WARNING(
                    "Demo-Daten nicht nachgeladen, weil die Datenbank seither geändert wurde: "
                    + " ".join(exc.messages)
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Demo-Daten geladen ({created} neue Datensätze).")
            )
        self.stdout.write("Demo-Zugänge (nur lokal, in der Produktion gesperrt):")
        width = max(len(login.username) for login in DEMO_LOGINS)
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.username:<{width}}  {login.password}  {login.description}")
