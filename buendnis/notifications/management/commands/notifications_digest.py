"""`manage.py notifications_digest`: the daily work of the notifications app, which the worker runs
once a day (buendnis/notifications/tasks.py; README, "The worker").

1. Mails every member who chose the daily digest (the default) their unmailed notifications of
   the last 24 hours in one mail, and marks them mailed (`services.digest_send`).
2. Deletes notifications older than a year and the public's addresses that were never confirmed
   within the confirmation link's seven days (`services.purge_expired`).

Idempotent: a second run finds nothing unmailed and nothing expired; two overlapping runs never
mail a notification twice (each member's rows are claimed by a compare-and-swap update). Prints
a German summary; with `--verbosity 0` nothing unless it fails.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import formats, timezone

from buendnis.notifications import services


class Command(BaseCommand):
    help = (
        "Versendet die tägliche Zusammenfassung der Benachrichtigungen und löscht abgelaufene "
        "Benachrichtigungen und unbestätigte Abonnements. Der Worker (run_worker) tut das einmal "
        "täglich; wiederholte Aufrufe schaden nicht."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        run = services.digest_send(now=now)
        purged = services.purge_expired(now=now)
        if options["verbosity"] < 1 and not run.failed:
            return
        stamp = formats.date_format(timezone.localtime(now), "d.m.Y H:i")
        self.stdout.write(
            f"{stamp}: {run.mailed} Zusammenfassung(en) mit {run.notifications} "
            f"Benachrichtigung(en) versandt; {purged.notifications} alte Benachrichtigung(en) "
            f"und {purged.unconfirmed} unbestätigte(s) Abonnement(s) gelöscht."
        )
        if run.failed:
            self.stderr.write(
                f"{run.failed} Zusammenfassung(en) konnten nicht gesendet werden; der nächste "
                "Lauf versucht es erneut."
            )
