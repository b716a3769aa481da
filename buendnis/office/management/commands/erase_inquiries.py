"""`manage.py erase_inquiries`: erases the personal data of public inquiries (contact form, phone,
letter, e-mail) closed longer ago than their alliance's retention period (Einstellungen der
Geschäftsstelle; default 180 days). Statistics stay; every erasure leaves an audit row. The worker
runs it daily (buendnis/office/tasks.py; README, "The worker"); a second run finds nothing left to erase.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import formats, timezone

from buendnis.alliances.models import Alliance
from buendnis.office.services import inquiries_erase_due


class Command(BaseCommand):
    help = (
        "Löscht die Personendaten erledigter öffentlicher Anfragen nach der Aufbewahrungsfrist "
        "des Bündnisses. Der Worker (run_worker) tut das täglich; wiederholte Aufrufe schaden "
        "nicht."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        erased = inquiries_erase_due(now=now)
        if options["verbosity"] < 1:
            return
        stamp = formats.date_format(timezone.localtime(now), "d.m.Y H:i")
        self.stdout.write(f"{stamp}: {sum(erased.values())} Anfrage(n) gelöscht.")
        names = dict(Alliance.objects.filter(pk__in=erased).values_list("pk", "name"))
        for alliance_id, count in sorted(erased.items()):
            self.stdout.write(f"– {names.get(alliance_id, alliance_id)}: {count}")
