from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .append_only import AppendOnlyModel


class AuditEntry(AppendOnlyModel):
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

    append_only_message = _("Protokolleinträge sind unveränderlich.")

    class Meta:
        verbose_name = _("Protokolleintrag")
        verbose_name_plural = pgettext_lazy("audit trail", "Protokoll")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%d.%m.%Y %H:%M} {self.action} {self.object_repr}"


class Timestamped(models.Model):
    """When a record was created and last changed: open data (OParl's `created`/`modified` and
    its `modified_since` filter) and HTTP caching (Last-Modified) read these."""

    created_at = models.DateTimeField(_("angelegt am"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


class PeriodicRun(models.Model):
    """One row per periodic job and due time (buendnis/core/periodic.py): whichever worker
    inserts it first queues the job; the unique constraint turns every other worker away, so a
    slot runs once however many workers tick."""

    job = models.CharField(_("Periodische Aufgabe"), max_length=64)
    slot = models.DateTimeField(_("fällig um"))
    queued_at = models.DateTimeField(_("eingereiht am"), default=timezone.now)
    task_id = models.CharField(_("Task-ID"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("Periodischer Lauf")
        verbose_name_plural = _("Periodische Läufe")
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="core_periodicrun_once_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.slot:%d.%m.%Y %H:%M}"
