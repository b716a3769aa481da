"""The mailbox import against a real IMAP server: Debian's dovecot, started by the test itself
(tests/office/dovecot.py: in a temporary folder, unprivileged, on a free port of 127.0.0.1, without
TLS); without dovecot the tests are skipped and say so.

The round trip: the office answers an inquiry by mail; the person's answer arrives in the mailbox
(IMAP APPEND, with In-Reply-To to our Message-ID and a PDF attached); `fetch_inquiry_mail` puts it
into the thread; a second run stores nothing twice.
"""

from __future__ import annotations

import imaplib
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from buendnis.accounts.models import User
from buendnis.office import services
from buendnis.office.imap import IMPORTED, UNMATCHED
from buendnis.office.models import Direction, Inquiry, Status
from tests.factories import AllianceStructure

from .dovecot import *  # noqa: F403 - the server and the mailbox (fixtures)
from .dovecot import append_mail, mailbox_flags, new_mail
from .factories import contact_inquiry

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def test_round_trip_through_a_real_mailbox(
    site: AllianceStructure,
    office: User,
    mailbox: imaplib.IMAP4,
    settings: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    settings.BUENDNIS_INQUIRY_REPLY_TO = "anfragen@portal.example.org"
    settings.BUENDNIS_MAIL_DOMAIN = "portal.example.org"
    inquiry = contact_inquiry(site.alliance)
    with django_capture_on_commit_callbacks(execute=True):
        answer = services.inquiry_reply(actor=office, inquiry=inquiry, body="Unsere Antwort")
    sent = mail.outbox[-1]
    assert sent.reply_to == ["anfragen@portal.example.org"]

    # The person answers from their mail program: In-Reply-To our Message-ID, a PDF attached.
    reply = new_mail(
        From="Erika Fragesteller <erika.frage@example.org>",
        To="anfragen@portal.example.org",
        Subject=f"AW: {sent.subject}",
        Message_ID="<antwort-erika@mail.example.org>",
        In_Reply_To=answer.message_id,
        References=answer.message_id,
    )
    reply.set_content("Vielen Dank, eine Rückfrage noch: gilt das auch für Teilzeit?")
    reply.add_attachment(PDF, maintype="application", subtype="pdf", filename="Nachweis.pdf")
    append_mail(mailbox, reply)
    # A mail to the office that belongs to no inquiry, and an out-of-office note to ours.
    stranger = new_mail(
        From="newsletter@example.com",
        To="anfragen@portal.example.org",
        Subject="Unser Newsletter",
        Message_ID="<newsletter-1@example.com>",
    )
    stranger.set_content("Neuigkeiten")
    append_mail(mailbox, stranger)
    away = new_mail(
        From="erika.frage@example.org",
        To="anfragen@portal.example.org",
        Subject=f"Abwesend: {sent.subject}",
        Message_ID="<abwesend@mail.example.org>",
        In_Reply_To=answer.message_id,
        Auto_Submitted="auto-replied",
    )
    away.set_content("Ich bin bis Montag nicht im Büro.")
    append_mail(mailbox, away)

    call_command("fetch_inquiry_mail", verbosity=1, stdout=(out := io.StringIO()))
    assert "3 Nachricht(en) gelesen, 1 an ihre Anfrage gehängt" in out.getvalue()
    assert "1 ohne passende Anfrage und 1 automatische" in out.getvalue()

    inquiry.refresh_from_db()
    assert inquiry.status == Status.IN_PROGRESS
    came = inquiry.messages.get(message_id="<antwort-erika@mail.example.org>")
    assert came.direction == Direction.IN
    assert came.body == "Vielen Dank, eine Rückfrage noch: gilt das auch für Teilzeit?"
    assert came.in_reply_to == answer.message_id
    assert came.author_name == "Erika Fragesteller"
    assert "Nachweis.pdf" in came.attachment_note
    assert inquiry.messages.count() == 3

    flags = mailbox_flags(mailbox)
    assert "\\Seen" in flags["<antwort-erika@mail.example.org>"]
    assert IMPORTED in flags["<antwort-erika@mail.example.org>"]
    for unmatched in ("<newsletter-1@example.com>", "<abwesend@mail.example.org>"):
        assert "\\Flagged" in flags[unmatched] and UNMATCHED in flags[unmatched]
        assert "\\Seen" not in flags[unmatched]  # left unread for the office

    # The second run looks at nothing new and stores nothing twice.
    call_command("fetch_inquiry_mail", verbosity=1, stdout=(again := io.StringIO()))
    assert "0 Nachricht(en) gelesen" in again.getvalue()
    # Even if someone clears our keywords in the mailbox, the database stores each mail once.
    mailbox.store("1:*", "-FLAGS", f"({IMPORTED} {UNMATCHED})")
    call_command("fetch_inquiry_mail", verbosity=1, stdout=(third := io.StringIO()))
    assert "1 schon vorhanden" in third.getvalue()
    assert Inquiry.objects.get(pk=inquiry.pk).messages.count() == 3


def test_a_refused_login_is_a_clear_error(
    site: AllianceStructure, mailbox: imaplib.IMAP4, settings: Any
) -> None:
    settings.BUENDNIS_INQUIRY_IMAP = {**settings.BUENDNIS_INQUIRY_IMAP, "password": "falsch"}
    with pytest.raises(CommandError, match="Postfach nicht lesbar: Anmeldung oder Ordner"):
        call_command("fetch_inquiry_mail", verbosity=0)
