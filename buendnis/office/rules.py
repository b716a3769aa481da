"""The inbox's rules as pure functions: the states and their moves, due dates in working days,
overdue, the placeholders of reply templates, the token that ties a mail to its inquiry, and the
median of the response times. No database, no settings: the services and selectors apply them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NEW = "new", _("neu")
    IN_PROGRESS = "in_progress", _("in Bearbeitung")
    WAITING = "waiting", _("wartet auf Rückmeldung")
    DONE = "done", _("erledigt")


S = Status

# The one table of moves. Nothing goes back to "neu": once someone looked at an inquiry, it is
# being worked on. A closed inquiry reopens (the asker wrote again, or it was closed by mistake).
TRANSITIONS: Mapping[str, frozenset[str]] = {
    S.NEW: frozenset({S.IN_PROGRESS, S.WAITING, S.DONE}),
    S.IN_PROGRESS: frozenset({S.WAITING, S.DONE}),
    S.WAITING: frozenset({S.IN_PROGRESS, S.DONE}),
    S.DONE: frozenset({S.IN_PROGRESS}),
}
OPEN_STATES = frozenset({S.NEW, S.IN_PROGRESS, S.WAITING})


def can_move(from_status: str, to_status: str) -> bool:
    """May an inquiry move from one state to the other? Staying where it is is no move."""
    return to_status in TRANSITIONS.get(from_status, frozenset())


def working_days_after(start: date, days: int) -> date:
    """The day `days` working days (Monday to Friday) after `start`. Public holidays differ by
    state and year and are not counted out: the office moves a due date by hand where one falls."""
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def is_overdue(status: str, due_on: date | None, today: date) -> bool:
    """Open and past its due date (due today is not overdue yet)."""
    return status in OPEN_STATES and due_on is not None and due_on < today


# --- Reply templates -------------------------------------------------------------------------------

# The placeholders a reply template may use, with what they stand for (shown to the office).
PLACEHOLDERS: Mapping[str, object] = {
    "name": _("Name der anfragenden Person"),
    "betreff": _("Betreff der Anfrage"),
    "anfrage": _("Nummer der Anfrage"),
    "buendnis": _("Name des Bündnisses"),
    "geschaeftsstelle": _("Träger der Geschäftsstelle"),
    "bearbeiter": _("Ihr Name"),
}
# `{name}`: letters, digits and underscores between single braces. Nothing else is read: no
# attribute access, no index, no format spec, no template tag. The text never reaches a template
# engine or str.format, so `{{ settings.SECRET_KEY }}`, `{% debug %}` or `{name.__class__}` stay
# the characters they are.
_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]+)\}")


def unknown_placeholders(text: str) -> list[str]:
    """The `{…}` names in `text` that are not placeholders, in order, each once."""
    seen: list[str] = []
    for name in _PLACEHOLDER.findall(text):
        if name not in PLACEHOLDERS and name not in seen:
            seen.append(name)
    return seen


def fill_placeholders(text: str, values: Mapping[str, str]) -> str:
    """`text` with every known placeholder replaced by its value, in one pass: a value that
    itself contains `{betreff}` stays as it is. Unknown names are left untouched."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in PLACEHOLDERS:
            return str(values.get(name, ""))
        return match.group(0)

    return _PLACEHOLDER.sub(replace, text)


# --- Mail subjects ---------------------------------------------------------------------------------

# `[Anfrage #123]` in a subject ties an answer to its inquiry when the mail program dropped the
# threading headers. Replies in English keep the German token: it is a key, not prose.
_TOKEN = re.compile(r"\[Anfrage #(\d{1,12})\]")
_REPLY_PREFIX = re.compile(r"^\s*((re|aw|antw|wg|fwd?)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)


def subject_token(inquiry_id: int) -> str:
    return f"[Anfrage #{inquiry_id}]"


def token_in(subject: str) -> int | None:
    """The inquiry number of the last token in a subject, if any."""
    found = _TOKEN.findall(subject or "")
    return int(found[-1]) if found else None


def reply_subject(subject: str, inquiry_id: int) -> str:
    """`Re: <subject> [Anfrage #123]`, on one line, without stacked prefixes or tokens."""
    plain = " ".join(_TOKEN.sub(" ", subject or "").split())
    plain = _REPLY_PREFIX.sub("", plain).strip()
    return (
        f"Re: {plain} {subject_token(inquiry_id)}" if plain else f"Re: {subject_token(inquiry_id)}"
    )


# --- Message-IDs ---------------------------------------------------------------------------------

_MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")


def message_ids_in(header: str | None) -> list[str]:
    """The `<…>` message ids of an In-Reply-To or References header, in order."""
    return _MESSAGE_ID.findall(header or "")


def references_for(parent_references: str, parent_id: str, *, keep: int = 20) -> str:
    """RFC 5322: a reply's References are its parent's References and the parent's Message-ID,
    the oldest dropped beyond `keep` (the first, the thread's root, is always kept)."""
    chain = [*message_ids_in(parent_references), *message_ids_in(parent_id)]
    if len(chain) > keep:
        chain = [chain[0], *chain[-(keep - 1) :]]
    return " ".join(chain)


# --- Response times --------------------------------------------------------------------------------

DAY_SECONDS = Decimal(24 * 60 * 60)


def median_days(seconds: Iterable[float]) -> Decimal | None:
    """The median of durations in seconds, in days with one decimal (None without any)."""
    values = sorted(seconds)
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        median = Decimal(str(values[middle]))
    else:
        median = (Decimal(str(values[middle - 1])) + Decimal(str(values[middle]))) / 2
    return (median / DAY_SECONDS).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def due_after(created: date, response_days: int) -> date:
    """The default due date of an inquiry that came in on `created`."""
    return working_days_after(created, response_days)
