"""The mailbox import against a real IMAP server: Debian's dovecot, started by the test itself in
a temporary folder as an unprivileged process (as `nobody` when the tests run as root), on a free
port of 127.0.0.1, without TLS (`security: none`, local only). `make test` installs it
(scripts/ensure-test-deps.sh); without dovecot the tests are skipped and say so.

The round trip: the office answers an inquiry by mail; the person's answer arrives in the mailbox
(IMAP APPEND, with In-Reply-To to our Message-ID and a PDF attached); `fetch_inquiry_mail` puts it
into the thread; a second run stores nothing twice.
"""

from __future__ import annotations

import grp
import imaplib
import io
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from buendnis.accounts.models import User
from buendnis.office import services
from buendnis.office.imap import IMPORTED, UNMATCHED
from buendnis.office.models import Direction, Inquiry, Status
from tests.factories import AllianceStructure

from .factories import contact_inquiry

pytestmark = pytest.mark.django_db

DOVECOT = shutil.which("dovecot") or (
    "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
)
USER = "anfragen"
PASSWORD = "postfach-geheim"
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _config(folder: Path, port: int, user: str, group: str, uid: int, gid: int) -> str:
    return f"""
base_dir = {folder}/run
state_dir = {folder}/state
instance_name = buendnis-test-{port}
log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
mail_location = maildir:{folder}/mail/%u
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={folder}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


@pytest.fixture(scope="module")
def dovecot() -> Iterator[dict[str, Any]]:
    """A throwaway dovecot; its mailbox user is `anfragen`."""
    if DOVECOT is None:
        pytest.skip(
            "dovecot fehlt (Debian-Paket dovecot-imapd; `make test` installiert es über "
            "scripts/ensure-test-deps.sh)"
        )
    # A short path: dovecot's sockets live under base_dir (at most 107 characters).
    folder = Path(tempfile.mkdtemp(prefix="dovecot-"))
    for part in ("run", "state", "mail"):
        (folder / part).mkdir()
    port = _free_port()
    command = [DOVECOT, "-F", "-c", str(folder / "dovecot.conf")]
    if os.geteuid() == 0:
        # Never as root: the server runs as `nobody`, which owns the folder.
        nobody = pwd.getpwnam("nobody")
        group = "nogroup"
        (folder / "dovecot.conf").write_text(
            _config(folder, port, "nobody", group, nobody.pw_uid, nobody.pw_gid)
        )
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
        command = [
            "setpriv",
            f"--reuid={nobody.pw_uid}",
            f"--regid={nobody.pw_gid}",
            "--clear-groups",
            *command,
        ]
    else:
        me = pwd.getpwuid(os.getuid())
        group = grp.getgrgid(os.getgid()).gr_name
        (folder / "dovecot.conf").write_text(
            _config(folder, port, me.pw_name, group, os.getuid(), os.getgid())
        )
    server = subprocess.Popen(  # noqa: S603 - fixed arguments, our own config
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            if server.poll() is not None:
                output = server.stdout.read().decode() if server.stdout else ""
                log = (
                    (folder / "dovecot.log").read_text()
                    if (folder / "dovecot.log").exists()
                    else ""
                )
                pytest.fail(f"dovecot startete nicht:\n{output}\n{log}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("dovecot antwortet nicht auf seinem Port")
                time.sleep(0.1)
        yield {"host": "127.0.0.1", "port": port, "user": USER, "password": PASSWORD}
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        if server.stdout:
            server.stdout.close()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def mailbox(dovecot: dict[str, Any], settings: Any) -> Iterator[imaplib.IMAP4]:
    """An empty INBOX, the settings pointing at it, and a client of our own to look inside."""
    settings.BUENDNIS_INQUIRY_IMAP = {
        **dovecot,
        "security": "none",
        "folder": "INBOX",
        "days": 14,
    }
    client = imaplib.IMAP4(dovecot["host"], dovecot["port"])
    client.login(USER, PASSWORD)
    client.select("INBOX")
    if client.search(None, "ALL")[1][0]:
        client.store("1:*", "+FLAGS", "(\\Deleted)")
        client.expunge()
    yield client
    client.logout()


def _append(client: imaplib.IMAP4, message: EmailMessage) -> None:
    status, _data = client.append(
        "INBOX", None, imaplib.Time2Internaldate(time.time()), message.as_bytes()
    )
    assert status == "OK"


def _flags(client: imaplib.IMAP4) -> dict[str, str]:
    """Message-ID → the flags the server keeps for it."""
    client.select("INBOX")
    found: dict[str, str] = {}
    _status, data = client.fetch("1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
    for part in data:
        if isinstance(part, tuple):
            flags = part[0].decode()
            header = part[1].decode().split(":", 1)[1].strip()
            found[header] = flags
    return found


def _mail(**headers: str) -> EmailMessage:
    message = EmailMessage()
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message["Date"] = format_datetime(timezone.now())
    return message


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
    reply = _mail(
        From="Erika Fragesteller <erika.frage@example.org>",
        To="anfragen@portal.example.org",
        Subject=f"AW: {sent.subject}",
        Message_ID="<antwort-erika@mail.example.org>",
        In_Reply_To=answer.message_id,
        References=answer.message_id,
    )
    reply.set_content("Vielen Dank, eine Rückfrage noch: gilt das auch für Teilzeit?")
    reply.add_attachment(PDF, maintype="application", subtype="pdf", filename="Nachweis.pdf")
    _append(mailbox, reply)
    # A mail to the office that belongs to no inquiry, and an out-of-office note to ours.
    stranger = _mail(
        From="newsletter@example.com",
        To="anfragen@portal.example.org",
        Subject="Unser Newsletter",
        Message_ID="<newsletter-1@example.com>",
    )
    stranger.set_content("Neuigkeiten")
    _append(mailbox, stranger)
    away = _mail(
        From="erika.frage@example.org",
        To="anfragen@portal.example.org",
        Subject=f"Abwesend: {sent.subject}",
        Message_ID="<abwesend@mail.example.org>",
        In_Reply_To=answer.message_id,
        Auto_Submitted="auto-replied",
    )
    away.set_content("Ich bin bis Montag nicht im Büro.")
    _append(mailbox, away)

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

    flags = _flags(mailbox)
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
