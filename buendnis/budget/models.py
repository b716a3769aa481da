"""The virtual budget of a phase as an append-only ledger. Every figure is a sum over its rows."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from buendnis.alliances.models import money_field
from buendnis.core.append_only import AppendOnlyModel


class EntryKind(models.TextChoices):
    RESERVATION = "reservation", _("Reservierung (Votum)")
    COMMITMENT = "commitment", _("Bindung (Bewilligung)")
    RELEASE = "release", _("Freigabe")
    PAYMENT = "payment", _("Auszahlung/Abrechnung")
    ADJUSTMENT = "adjustment", _("Budgetänderung")
    CARRY_OVER = "carry_over", _("Übertrag zwischen Förderphasen")


class LedgerEntry(AppendOnlyModel):
    """One booking. The deltas say how it moves each column; the columns are never stored."""

    alliance = models.ForeignKey(
        "alliances.Alliance",
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("Bündnis"),
    )
    phase = models.ForeignKey(
        "alliances.FundingPhase",
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("Förderphase"),
    )
    project = models.ForeignKey(
        "funding.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("Vorhaben"),
    )
    kind = models.CharField(_("Art"), max_length=20, choices=EntryKind.choices)
    budget_delta = money_field(_("Budget ±"), default=Decimal("0"))
    reserved_delta = money_field(_("Reserviert ±"), default=Decimal("0"))
    committed_delta = money_field(_("Gebunden ±"), default=Decimal("0"))
    paid_delta = money_field(_("Ausgezahlt ±"), default=Decimal("0"))
    note = models.CharField(_("Vermerk"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("Gebucht von"),
    )
    created_at = models.DateTimeField(_("Gebucht am"), auto_now_add=True)

    append_only_message = "Buchungen sind unveränderlich; eine Korrektur ist eine neue Buchung."

    class Meta:
        verbose_name = _("Buchung")
        verbose_name_plural = _("Buchungen")
        ordering = ["created_at", "id"]
        indexes = [
            # The budget dashboard's ledger, newest first: a page is read from the index instead
            # of sorting every booking of the phase.
            models.Index(fields=["phase", "-created_at", "-id"], name="budget_ledger_phase_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%d.%m.%Y}"
