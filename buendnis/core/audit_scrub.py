"""Scrubbing a person's data out of audit rows written before `core.audit` kept it out.

Used once by the migration `core.0005_audit_scrub_personal_data`, which lifts the table's
append-only trigger for it (as the owner, who migrates) and restores it. Only the personal parts
of a row change: who acted, what, when and on which record stay.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Fixed here, not imported from `core.audit`: a migration must do tomorrow what it did today,
# whatever later code keeps out of new rows.
REDACTED = "[entfernt]"
PERSONAL_KEYS = frozenset(
    {
        "username",
        "first_name",
        "last_name",
        "email",
        "phone",
        "position_title",
        "asker_name",
        "asker_email",
        "asker_phone",
        "author_name",
        "author_email",
        "contact_name",
        "contact_email",
        "contact_phone",
        "attendee_name",
        "user",
        "guest",
    }
)
EMAIL_ADDRESS = re.compile(r"[^\s@<>\"'(),;:\[\]]+@[^\s@<>\"'(),;:\[\]]+\.[A-Za-z]{2,}")


def redacted(value: Any) -> Any:
    if isinstance(value, list):
        return [redacted(item) for item in value]
    return value if value in ("", None) else REDACTED


# The records of people the audit trail names by reference, with their German names, fixed here
# so that the migration does not change with the models.
REFERENCED_TYPES = {
    "accounts.user": "Benutzer/in",
    "accounts.membership": "Rolle im Bündnis",
    "alliances.person": "Person",
    "notifications.subscription": "Abonnement",
    "notifications.notificationpreference": "Benachrichtigungseinstellung",
    "notifications.publicsubscription": "Öffentliches Abonnement",
    "meetings.calendarfeed": "Kalenderabo",
}


def _text(text: str, users_by_email: Mapping[str, int]) -> str:
    """An address of an account becomes a reference to it (`Benutzer/in #12`), others go."""

    def replace(match: Any) -> str:
        user_id = users_by_email.get(match.group(0).lower())
        return f"Benutzer/in #{user_id}" if user_id is not None else REDACTED

    return EMAIL_ADDRESS.sub(replace, text)


def _changes(value: Any, users_by_email: Mapping[str, int], key: str = "") -> Any:
    if key in PERSONAL_KEYS:
        return redacted(value)
    if isinstance(value, dict):
        return {name: _changes(item, users_by_email, name) for name, item in value.items()}
    if isinstance(value, list):
        return [_changes(item, users_by_email) for item in value]
    if isinstance(value, str):
        return _text(value, users_by_email)
    return value


def scrubbed(row: Mapping[str, Any], users_by_email: Mapping[str, int]) -> dict[str, Any]:
    """The personal fields of one audit row (`object_repr`, `changes`, `comment`) that must
    change, with their new values; empty if the row holds no person's data.

    `row` has `object_type`, `object_id` and those fields; `users_by_email` maps lower-cased
    addresses to account ids."""
    label = REFERENCED_TYPES.get(row["object_type"])
    new = {
        "object_repr": (
            f"{label} #{row['object_id']}" if label else _text(row["object_repr"], users_by_email)
        ),
        "changes": _changes(row["changes"], users_by_email),
        "comment": _text(row["comment"], users_by_email),
    }
    return {name: value for name, value in new.items() if value != row[name]}
