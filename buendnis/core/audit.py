"""Writing the audit trail. Callers are services inside their own transaction."""

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import models, transaction
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
        object_repr=str(instance)[:300],
        from_state=from_state,
        to_state=to_state,
        changes=changes or {},
        comment=comment,
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
