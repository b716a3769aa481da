from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def _refuse_change() -> NoReturn:
    raise ValueError(gettext("Protokolleinträge sind unveränderlich."))


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    """Bulk writes would bypass `AuditEntry.save`/`delete`; they are refused just the same.

    Writers that skip the ORM meet the database's trigger (migration core 0003): it refuses
    every UPDATE, and on PostgreSQL every DELETE as well.
    """

    def update(self, **kwargs: Any) -> int:
        _refuse_change()

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        # Refused before Django opens its transaction, which the error would leave broken.
        _refuse_change()

    def delete(self) -> tuple[int, dict[str, int]]:
        _refuse_change()


class AuditEntry(models.Model):
    """One append-only row per change: who did what to which record, when, from what to what, why.

    Written by services in the same transaction as the change itself, so a change without its
    audit row cannot exist.
    """

    alliance = models.ForeignKey(
        "alliances.Alliance",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("Bündnis"),
    )
    # PROTECT, not SET_NULL: setting the actor to null would rewrite history (and the database
    # refuses every UPDATE of this table). Accounts that acted are deactivated, never deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("Handelnde Person"),
    )
    action = models.CharField(_("Aktion"), max_length=80)
    object_type = models.CharField(_("Objektart"), max_length=80)
    object_id = models.CharField(_("Objekt-ID"), max_length=40)
    object_repr = models.CharField(_("Objekt"), max_length=300)
    from_state = models.CharField(_("Von"), max_length=80, blank=True)
    to_state = models.CharField(_("Nach"), max_length=80, blank=True)
    changes = models.JSONField(_("Änderungen"), default=dict, blank=True)
    comment = models.TextField(_("Kommentar"), blank=True)
    created_at = models.DateTimeField(_("Zeitpunkt"), auto_now_add=True, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("Protokolleintrag")
        verbose_name_plural = _("Protokoll")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%d.%m.%Y %H:%M} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            _refuse_change()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        _refuse_change()
