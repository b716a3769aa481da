"""Reading the office's mailbox over IMAP (Python's imaplib) for answers to inquiries.

Why IMAP and not an inbound webhook: the office has a mailbox already, and reading it needs no
third-party mail provider that would receive the people's mail first (data protection), no public
endpoint to secure, and it can be tested against a real server (Debian's dovecot).

Each run looks at the mails of the last `days` days that it has not looked at before, reads them
without marking them read (`BODY.PEEK[]`), and hands each to `services.inquiry_receive_mail`. A
mail that joined a thread is marked read and tagged `BuendnisImported`; one that belongs to no
thread of ours (or is an out-of-office note) is flagged for the people who read the mailbox and
tagged `BuendnisUnmatched`, and stays unread. Neither is looked at again. Where the server keeps no
keywords of its own, the run falls back on \\Seen and \\Flagged. A mail is stored at most once in
any case (its Message-ID is unique in the database), so overlapping or repeated runs are harmless.
"""

from __future__ import annotations

import imaplib
import logging
import ssl
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings

from . import services
from .incoming import parse_mail

log = logging.getLogger(__name__)

IMPORTED = "BuendnisImported"
UNMATCHED = "BuendnisUnmatched"
# Mails handled per run at most; the next run takes the rest.
MAX_PER_RUN = 500
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
TIMEOUT_SECONDS = 60


class MailboxError(Exception):
    """The mailbox could not be read (connection, login, folder)."""


@dataclass(frozen=True)
class ImapConfig:
    host: str
    port: int
    user: str
    password: str
    security: str = "ssl"
    folder: str = "INBOX"
    days: int = 14

    @classmethod
    def from_settings(cls) -> ImapConfig:
        values: dict[str, Any] = settings.BUENDNIS_INQUIRY_IMAP
        return cls(
            host=str(values.get("host", "")),
            port=int(values.get("port", 993)),
            user=str(values.get("user", "")),
            password=str(values.get("password", "")),
            security=str(values.get("security", "ssl")).lower(),
            folder=str(values.get("folder", "INBOX")),
            days=int(values.get("days", 14)),
        )


@dataclass
class FetchSummary:
    stored: int = 0
    duplicate: int = 0
    unmatched: int = 0
    automatic: int = 0
    failed: int = 0

    @property
    def seen(self) -> int:
        return self.stored + self.duplicate + self.unmatched + self.automatic + self.failed


def imap_date(day: date) -> str:
    """`05-Jun-2026`: IMAP's date, with English month names whatever the locale says."""
    return f"{day.day:02d}-{_MONTHS[day.month - 1]}-{day.year}"


def _connect(config: ImapConfig) -> imaplib.IMAP4:
    if config.security == "ssl":
        return imaplib.IMAP4_SSL(
            config.host,
            config.port,
            ssl_context=ssl.create_default_context(),
            timeout=TIMEOUT_SECONDS,
        )
    client = imaplib.IMAP4(config.host, config.port, timeout=TIMEOUT_SECONDS)
    if config.security == "starttls":
        client.starttls(ssl_context=ssl.create_default_context())
    elif config.security != "none":
        raise MailboxError(
            f"Unbekannte Verschlüsselung „{config.security}“ (ssl, starttls oder none)."
        )
    return client


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ok(result: tuple[str, Any], what: str) -> Any:
    status, data = result
    if status != "OK":
        detail = b" ".join(part for part in data if isinstance(part, bytes)).decode(
            "utf-8", "replace"
        )
        raise MailboxError(f"{what}: {detail}")
    return data


def _raw_mail(data: Any) -> bytes | None:
    for part in data or []:
        if isinstance(part, tuple) and len(part) == 2 and isinstance(part[1], bytes):
            return part[1]
    return None


def fetch_inquiry_mail(config: ImapConfig, *, today: date) -> FetchSummary:
    """Read the mailbox once (see the module docstring). Raises MailboxError when the mailbox
    cannot be opened; a single mail that fails is logged, counted and left for the next run."""
    summary = FetchSummary()
    try:
        client = _connect(config)
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailboxError(f"Keine Verbindung zu {config.host}:{config.port}: {error}") from error
    try:
        try:
            client.login(config.user, config.password)
            _ok(client.select(_quoted(config.folder)), f"Ordner {config.folder}")
        except imaplib.IMAP4.error as error:
            raise MailboxError(f"Anmeldung oder Ordner abgelehnt: {error}") from error
        _status, flags = client.response("PERMANENTFLAGS")
        keywords = any(isinstance(item, bytes) and b"\\*" in item for item in flags or [])
        since = imap_date(today - timedelta(days=config.days))
        if keywords:
            criteria = ["SINCE", since, "UNKEYWORD", IMPORTED, "UNKEYWORD", UNMATCHED]
        else:
            criteria = ["SINCE", since, "UNSEEN", "UNFLAGGED"]
        found = _ok(client.uid("SEARCH", *criteria), "Suche")
        uids = (found[0] or b"").split()[:MAX_PER_RUN]
        for uid in uids:
            _one(client, uid.decode(), summary, keywords=keywords)
    finally:
        try:
            client.logout()
        except (OSError, imaplib.IMAP4.error):
            log.warning("Abmelden vom Postfach fehlgeschlagen", exc_info=True)
    return summary


def _one(client: imaplib.IMAP4, uid: str, summary: FetchSummary, *, keywords: bool) -> None:
    try:
        raw = _raw_mail(_ok(client.uid("FETCH", uid, "(BODY.PEEK[])"), f"Abruf {uid}"))
        if raw is None:
            raise MailboxError(f"Abruf {uid}: keine Nachricht")
        outcome = services.inquiry_receive_mail(mail=parse_mail(raw))
    except Exception:
        # One broken mail must not stop the others; it stays untouched for the next run.
        log.exception("Nachricht %s im Postfach nicht verarbeitet", uid)
        summary.failed += 1
        return
    kind = services.MailOutcome
    if outcome in (kind.STORED, kind.DUPLICATE):
        flags = f"(\\Seen {IMPORTED})" if keywords else "(\\Seen)"
    else:
        flags = f"(\\Flagged {UNMATCHED})" if keywords else "(\\Flagged)"
    field = {
        kind.STORED: "stored",
        kind.DUPLICATE: "duplicate",
        kind.UNMATCHED: "unmatched",
        kind.AUTOMATIC: "automatic",
    }[outcome]
    setattr(summary, field, getattr(summary, field) + 1)
    try:
        _ok(client.uid("STORE", uid, "+FLAGS", flags), f"Markieren {uid}")
    except (MailboxError, imaplib.IMAP4.error):
        # Stored anyway; the next run finds it again and counts it as a duplicate.
        log.warning("Nachricht %s nicht markiert", uid, exc_info=True)
