"""Budget figures, always summed from the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import Coalesce

from buendnis.alliances.models import FundingPhase

from .models import LedgerEntry

ZERO = Decimal("0.00")


def _total(field: str) -> Coalesce:
    return Coalesce(
        Sum(field), Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2)
    )


@dataclass(frozen=True)
class BudgetFigures:
    """Where the virtual budget of a phase stands. `budget` includes every adjustment."""

    budget: Decimal
    reserved: Decimal
    committed: Decimal
    paid: Decimal

    @property
    def available(self) -> Decimal:
        return self.budget - self.reserved - self.committed - self.paid

    @property
    def distributed(self) -> Decimal:
        return self.reserved + self.committed + self.paid


def budget_figures(phase: FundingPhase) -> BudgetFigures:
    """One query: the ledger's columns for the phase."""
    sums = LedgerEntry.objects.filter(phase=phase).aggregate(
        budget=_total("budget_delta"),
        reserved=_total("reserved_delta"),
        committed=_total("committed_delta"),
        paid=_total("paid_delta"),
    )
    return BudgetFigures(
        budget=phase.virtual_budget + sums["budget"],
        reserved=sums["reserved"],
        committed=sums["committed"],
        paid=sums["paid"],
    )


def budget_figures_by_phase(
    phase_ids: list[int], base: dict[int, Decimal]
) -> dict[int, BudgetFigures]:
    """The figures of several phases in one query; `base` maps phase id → virtual budget."""
    rows = (
        LedgerEntry.objects.filter(phase_id__in=phase_ids)
        .values("phase_id")
        .annotate(
            budget=_total("budget_delta"),
            reserved=_total("reserved_delta"),
            committed=_total("committed_delta"),
            paid=_total("paid_delta"),
        )
    )
    found = {row["phase_id"]: row for row in rows}
    result = {}
    for phase_id in phase_ids:
        row = found.get(
            phase_id, {"budget": ZERO, "reserved": ZERO, "committed": ZERO, "paid": ZERO}
        )
        result[phase_id] = BudgetFigures(
            budget=base[phase_id] + row["budget"],
            reserved=row["reserved"],
            committed=row["committed"],
            paid=row["paid"],
        )
    return result


@dataclass(frozen=True)
class ProjectBalance:
    reserved: Decimal
    committed: Decimal
    paid: Decimal


def project_balance(project_id: int) -> ProjectBalance:
    sums = LedgerEntry.objects.filter(project_id=project_id).aggregate(
        reserved=_total("reserved_delta"),
        committed=_total("committed_delta"),
        paid=_total("paid_delta"),
    )
    return ProjectBalance(reserved=sums["reserved"], committed=sums["committed"], paid=sums["paid"])
