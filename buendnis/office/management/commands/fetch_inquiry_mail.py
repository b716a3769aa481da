"""`manage.py fetch_inquiry_mail`: answers to inquiries from the office's IMAP mailbox into their
threads (buendnis/office/imap.py says how and why IMAP). The worker runs it every five minutes
(buendnis/office/tasks.py; README, "The worker"); repeated and overlapping runs store every mail
once. Prints a German summary; with `--verbosity 0` nothing unless it fails.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import formats, timezone

from buendnis.office.imap import ImapConfig, MailboxError, fetch_inquiry_mail


class Command(BaseCommand):
    help = (
        "Holt Antworten auf Anfragen aus dem IMAP-Postfach der Geschäftsstelle und hängt sie an "
        "ihre Anfrage. Der Worker (run_worker) tut das alle fünf Minuten; wiederholte Aufrufe "
        "schaden nicht."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        config = ImapConfig.from_settings()
        if not config.host:
            raise CommandError(
                "Kein Postfach eingerichtet: BUENDNIS_INQUIRY_IMAP_HOST (und _USER, _PASSWORD) "
                "setzen."
            )
        now = timezone.now()
        try:
            summary = fetch_inquiry_mail(config, today=timezone.localdate(now))
        except MailboxError as error:
            raise CommandError(f"Postfach nicht lesbar: {error}") from error
        if options["verbosity"] < 1:
            if summary.failed:
                raise CommandError(f"{summary.failed} Nachricht(en) nicht verarbeitet (Log).")
            return
        stamp = formats.date_format(timezone.localtime(now), "d.m.Y H:i")
        self.stdout.write(
            f"{stamp}: {summary.seen} Nachricht(en) gelesen, {summary.stored} an ihre Anfrage "
            f"gehängt, {summary.duplicate} schon vorhanden, {summary.unmatched} ohne passende "
            f"Anfrage und {summary.automatic} automatische im Postfach markiert"
            + (f", {summary.failed} nicht verarbeitet (Log)." if summary.failed else ".")
        )
        if summary.failed:
            raise CommandError(f"{summary.failed} Nachricht(en) nicht verarbeitet (Log).")
