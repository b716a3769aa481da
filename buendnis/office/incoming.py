"""A mail that came into the office's mailbox, read into what the inbox needs: who wrote, which
thread it answers (Message-ID, In-Reply-To, References, the subject's token), the text, and what
it carried besides.

Attachments are not taken over: their names and sizes become a note in the thread, and the mail
itself stays in the mailbox, so nothing is lost. Storing strangers' files on the platform would
add files to check (`core.uploads` reads PDF, Office and images only) and to erase, for answers
that are almost always plain text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import parseaddr, parsedate_to_datetime

from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.html import strip_tags

from . import rules

# The text kept of one mail; a longer one is cut (and says so).
MAX_BODY = 20_000
# Answers by machines: out-of-office notes, bounces, lists. They would reopen an inquiry that
# nobody has to act on.
_AUTOMATIC = {"auto-replied", "auto-generated", "auto-notified"}
_BULK = {"bulk", "junk", "list", "auto_reply"}


@dataclass(frozen=True)
class IncomingMail:
    message_id: str
    in_reply_to: list[str]
    references: list[str]
    from_name: str
    from_email: str
    subject: str
    sent_at: datetime | None
    body: str
    attachments: list[tuple[str, int]] = field(default_factory=list)
    automatic: bool = False

    @property
    def thread_candidates(self) -> list[str]:
        """The Message-IDs this mail answers, the most telling first: In-Reply-To, then the
        References from the newest to the root."""
        ordered: list[str] = []
        for message_id in [*self.in_reply_to, *reversed(self.references)]:
            if message_id not in ordered:
                ordered.append(message_id)
        return ordered

    @property
    def token(self) -> int | None:
        return rules.token_in(self.subject)

    def attachment_note(self) -> str:
        return "\n".join(f"{name} ({filesizeformat(size)})" for name, size in self.attachments)


def _text_of(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeDecodeError):  # an unknown or lying charset
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    if part.get_content_type() == "text/html":
        content = strip_tags(content)
    text = content.replace("\r\n", "\n").strip()
    if len(text) > MAX_BODY:
        text = text[:MAX_BODY] + "\n[…]"
    return text


def _attachments(mail: EmailMessage) -> list[tuple[str, int]]:
    found = []
    for part in mail.iter_attachments():
        if not isinstance(part, Message):
            continue
        payload = part.get_payload(decode=True)
        size = len(payload) if isinstance(payload, bytes) else 0
        found.append((" ".join(str(part.get_filename() or "").split())[:200] or "?", size))
    return found


def _sent_at(mail: EmailMessage) -> datetime | None:
    raw = mail.get("Date")
    if not raw:
        return None
    try:
        sent = parsedate_to_datetime(str(raw))
    except (TypeError, ValueError, IndexError):
        return None
    if sent is None or timezone.is_naive(sent):
        return None
    return sent


def _is_automatic(mail: EmailMessage) -> bool:
    auto = str(mail.get("Auto-Submitted", "")).strip().lower()
    precedence = str(mail.get("Precedence", "")).strip().lower()
    return (
        auto in _AUTOMATIC
        or precedence in _BULK
        or bool(mail.get("X-Autoreply") or mail.get("X-Autorespond"))
        or parseaddr(str(mail.get("From", "")))[1] == ""
    )


def parse_mail(raw: bytes) -> IncomingMail:
    """Read a mail as it came from the mailbox. A mail without Message-ID gets one from its
    content, so that reading the mailbox twice stores it once."""
    mail = message_from_bytes(raw, policy=policy.default)
    if not isinstance(mail, EmailMessage):  # never: policy.default builds EmailMessage
        raise TypeError("Unerwartete Nachricht")
    ids = rules.message_ids_in(str(mail.get("Message-ID", "")))
    message_id = ids[0] if ids else f"<{hashlib.sha256(raw).hexdigest()}@eingang.invalid>"
    name, address = parseaddr(str(mail.get("From", "")))
    return IncomingMail(
        message_id=message_id,
        in_reply_to=rules.message_ids_in(str(mail.get("In-Reply-To", ""))),
        references=rules.message_ids_in(str(mail.get("References", ""))),
        from_name=" ".join(name.split())[:200],
        from_email=address.strip()[:254],
        subject=" ".join(str(mail.get("Subject", "")).split())[:500],
        sent_at=_sent_at(mail),
        body=_text_of(mail),
        attachments=_attachments(mail),
        automatic=_is_automatic(mail),
    )
