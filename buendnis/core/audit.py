"""Writing the audit trail. Callers are services inside their own transaction.

The trail is append-only, so it must not hold a person's data of its own: an erasure
(`buendnis.privacy`) could never reach it. Records of people (`audit_by_reference` on the model)
are named by reference (`Benutzer/in #12`) and their name is read from the record when shown
(`object_label`), pseudonymised after an erasure; the values of personal fields (PERSONAL_KEYS)
are recorded as changed, not what they are; any e-mail address left in a text is cut out.
"""

import re
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .errors import DomainError
from .models import AuditEntry
from .public_cache import bump_on_commit


def _plain(value: Any) -> Any:
    """JSON-safe form of a field value: amounts stay exact as strings, dates as ISO."""
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return value


# What a person's data is replaced with in the audit trail (new rows and the scrubbed old ones).
REDACTED = "[entfernt]"
# Fields of people (accounts, contact persons, askers, subscribers): the row says they changed.
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
        # Older rows: a calendar feed's owner by username, a meeting's guest by name.
        "user",
        "guest",
    }
)
EMAIL_ADDRESS = re.compile(r"[^\s@<>\"'(),;:\[\]]+@[^\s@<>\"'(),;:\[\]]+\.[A-Za-z]{2,}")


def without_addresses(text: str, replacement: str = REDACTED) -> str:
    """`text` with every e-mail address replaced."""
    return EMAIL_ADDRESS.sub(replacement, text)


def redacted(value: Any) -> Any:
    """A personal value as the audit trail keeps it: empty stays empty (set or cleared shows)."""
    if isinstance(value, list):
        return [redacted(item) for item in value]
    return value if value in ("", None) else REDACTED


def clean_changes(changes: Any, key: str = "") -> Any:
    """`changes` without personal values: those of PERSONAL_KEYS redacted, addresses cut out."""
    if key in PERSONAL_KEYS:
        return redacted(changes)
    if isinstance(changes, dict):
        return {name: clean_changes(value, name) for name, value in changes.items()}
    if isinstance(changes, list):
        return [clean_changes(item) for item in changes]
    if isinstance(changes, str):
        return without_addresses(changes)
    return changes


def is_by_reference(model: type[models.Model]) -> bool:
    return bool(getattr(model, "audit_by_reference", False))


def reference(model: type[models.Model], pk: Any) -> str:
    """`Benutzer/in #12`: a record of a person as the audit trail names it (platform language)."""
    with translation.override(settings.LANGUAGE_CODE):
        return f"{capfirst(str(model._meta.verbose_name))} #{pk}"


def object_repr_of(instance: models.Model) -> str:
    if is_by_reference(type(instance)):
        return reference(type(instance), instance.pk)
    return without_addresses(str(instance))[:300]


def object_label(entry: AuditEntry) -> str:
    """The audit row's object as shown: a person's record by its name today (one query), which
    is the pseudonym after an erasure; every other record as written."""
    try:
        model = apps.get_model(entry.object_type)
    except (LookupError, ValueError):
        return entry.object_repr
    if not is_by_reference(model):
        return entry.object_repr
    record = model._default_manager.filter(pk=entry.object_id).first()
    return str(record) if record is not None else entry.object_repr


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The concrete field values of a record, for diffing before/after a change."""
    # The change's own time stamp (auto_now) is the audit row's `created_at`, not a change.
    return {
        field.attname: _plain(getattr(instance, field.attname))
        for field in instance._meta.concrete_fields
        if not getattr(field, "auto_now", False)
    }


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }


def audit_record(
    *,
    actor: Any,
    action: str,
    instance: models.Model,
    alliance: Any = None,
    changes: dict[str, Any] | None = None,
    from_state: str = "",
    to_state: str = "",
    comment: str = "",
) -> AuditEntry:
    """Append one audit row. Precondition: the caller runs inside the change's transaction."""
    # alliance_id, not alliance: reading the relation would cost a query per audit row.
    alliance_id = alliance.pk if alliance is not None else getattr(instance, "alliance_id", None)
    # Every service write passes here: cached public pages are stale once it commits.
    bump_on_commit()
    return AuditEntry.objects.create(
        alliance_id=alliance_id,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=object_repr_of(instance),
        from_state=from_state,
        to_state=to_state,
        changes=clean_changes(changes or {}),
        comment=without_addresses(comment),
    )


def record_delete(*, actor: Any, instance: models.Model, alliance: Any = None) -> None:
    """Delete with an audit row. Protected references raise a German error instead of a crash.
    `alliance` names the alliance the row belongs to where the record has no `alliance_id`."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=f"{instance._meta.model_name}.delete",
            instance=instance,
            alliance=alliance,
            changes=snapshot(instance),
        )
        try:
            instance.delete()
        except models.ProtectedError as exc:
            raise DomainError(
                _("„%(record)s“ wird noch verwendet und kann nicht gelöscht werden.")
                % {"record": instance}
            ) from exc
