"""Budget figures, always summed from the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from buendnis.alliances.models import FundingPhase

from .models import LedgerEntry

ZERO = Decimal("0.00")


def ledger_sum(field: str, condition: Q | None = None) -> Coalesce:
    """The sum of an amount column (of the rows `condition` picks), 0,00 € for none."""
    return Coalesce(
        Sum(field, filter=condition),
        Value(ZERO),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def to_cents(value: Decimal) -> Decimal:
    """SQLite sums decimals as floats (0.1 + 0.2 …) and hands back e.g. 2.9E-11 for zero; a
    comparison with such a sum could refuse a booking that fits exactly. PostgreSQL sums exactly;
    on both the figure is then a Decimal with cents."""
    return Decimal(value).quantize(Decimal("0.01"))


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

    @property
    def granted(self) -> Decimal:
        """The grants the bank has decided, as far as the projects keep them: committed or paid
        (a closed project's unused rest has gone back to the budget)."""
        return self.committed + self.paid

    @property
    def paid_share(self) -> Decimal | None:
        """Paid out in per cent of `granted`; None while nothing is granted."""
        if not self.granted:
            return None
        return (self.paid * 100 / self.granted).quantize(Decimal("0.1"))


def budget_figures(phase: FundingPhase) -> BudgetFigures:
    """One query: the ledger's columns for the phase."""
    sums = LedgerEntry.objects.filter(phase=phase).aggregate(
        budget=ledger_sum("budget_delta"),
        reserved=ledger_sum("reserved_delta"),
        committed=ledger_sum("committed_delta"),
        paid=ledger_sum("paid_delta"),
    )
    return BudgetFigures(
        budget=to_cents(phase.virtual_budget + to_cents(sums["budget"])),
        reserved=to_cents(sums["reserved"]),
        committed=to_cents(sums["committed"]),
        paid=to_cents(sums["paid"]),
    )


def budget_figures_by_phase(
    phase_ids: list[int], base: dict[int, Decimal]
) -> dict[int, BudgetFigures]:
    """The figures of several phases in one query; `base` maps phase id → virtual budget."""
    rows = (
        LedgerEntry.objects.filter(phase_id__in=phase_ids)
        .values("phase_id")
        .annotate(
            budget=ledger_sum("budget_delta"),
            reserved=ledger_sum("reserved_delta"),
            committed=ledger_sum("committed_delta"),
            paid=ledger_sum("paid_delta"),
        )
    )
    found = {row["phase_id"]: row for row in rows}
    result = {}
    for phase_id in phase_ids:
        row = found.get(
            phase_id, {"budget": ZERO, "reserved": ZERO, "committed": ZERO, "paid": ZERO}
        )
        result[phase_id] = BudgetFigures(
            budget=to_cents(base[phase_id] + to_cents(row["budget"])),
            reserved=to_cents(row["reserved"]),
            committed=to_cents(row["committed"]),
            paid=to_cents(row["paid"]),
        )
    return result


@dataclass(frozen=True)
class ProjectBalance:
    reserved: Decimal
    committed: Decimal
    paid: Decimal


def project_balance(project_id: int) -> ProjectBalance:
    sums = LedgerEntry.objects.filter(project_id=project_id).aggregate(
        reserved=ledger_sum("reserved_delta"),
        committed=ledger_sum("committed_delta"),
        paid=ledger_sum("paid_delta"),
    )
    return ProjectBalance(
        reserved=to_cents(sums["reserved"]),
        committed=to_cents(sums["committed"]),
        paid=to_cents(sums["paid"]),
    )


def ledger_entries(phase: FundingPhase) -> QuerySet[LedgerEntry]:
    """The phase's bookings, newest first, with project and booking user fetched alongside."""
    return (
        LedgerEntry.objects.filter(phase=phase)
        .select_related("project", "actor")
        .order_by("-created_at", "-id")
    )
