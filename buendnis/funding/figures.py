"""The money the projects set in motion, beside the ledger: project volume, leverage, and each
field of action's share of a phase (the budget dashboard, the public budget and phase figures).

The ledger's own figures are in `budget.selectors`; this module joins them with the projects.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, DecimalField, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from buendnis.alliances.models import ActionField, FundingPhase
from buendnis.budget.models import LedgerEntry
from buendnis.budget.selectors import ZERO, BudgetFigures, budget_figures, ledger_sum, to_cents

from .models import CoFinancing, Project
from .states import VOLUME_STATES, Status

# --- The budget dashboard: volume set in motion, leverage, per field of action --------------------

TENTH = Decimal("0.1")


def leverage(volume: Decimal, grants: Decimal) -> Decimal | None:
    """Project volume per euro of grant (3 Mio. € volume on 1,5 Mio. € grants → 2,0); None
    without grants."""
    if grants <= 0:
        return None
    return (volume / grants).quantize(TENTH, rounding=ROUND_HALF_UP)


def _volume_expression() -> Coalesce:
    """Eligible costs; for closed projects the eligible costs of the final settlement."""
    money = DecimalField(max_digits=14, decimal_places=2)
    per_project = Case(
        When(
            Q(status=Status.CLOSED) & Q(final_eligible_costs__isnull=False),
            then=F("final_eligible_costs"),
        ),
        default=F("eligible_costs"),
        output_field=money,
    )
    return Coalesce(Sum(per_project), Value(ZERO), output_field=money)


@dataclass(frozen=True)
class FieldFigures:
    """A field of action's share of the phase. `field` None collects projects without a field."""

    field: ActionField | None
    projects: int
    volume: Decimal
    reserved: Decimal
    committed: Decimal
    paid: Decimal

    @property
    def grants(self) -> Decimal:
        """Every euro the field's projects hold: reserved, committed or paid."""
        return self.reserved + self.committed + self.paid

    @property
    def leverage(self) -> Decimal | None:
        return leverage(self.volume, self.grants)


@dataclass(frozen=True)
class BudgetOverview:
    """Everything the budget dashboard shows about one phase, apart from the ledger list."""

    phase: FundingPhase
    figures: BudgetFigures
    projects: int
    volume: Decimal
    fields: list[FieldFigures]

    @property
    def adjustments(self) -> Decimal:
        """The sum of every raise and cut of the virtual budget since the ministry assigned it."""
        return self.figures.budget - self.phase.virtual_budget

    @property
    def grants(self) -> Decimal:
        return self.figures.distributed

    @property
    def leverage(self) -> Decimal | None:
        return leverage(self.volume, self.grants)


def budget_overview(phase: FundingPhase) -> BudgetOverview:
    """Four queries, whatever the number of projects and bookings: the ledger's columns; the
    ledger's project columns by field of action; volume and number of projects by field; the
    phase's fields of action (so fields without projects, the open one included, are listed)."""
    figures = budget_figures(phase)
    booked: dict[int | None, dict[str, Decimal]] = {
        row["project__action_field_id"]: {
            "reserved": to_cents(row["reserved"]),
            "committed": to_cents(row["committed"]),
            "paid": to_cents(row["paid"]),
        }
        for row in LedgerEntry.objects.filter(phase=phase, project__isnull=False)
        .values("project__action_field_id")
        .annotate(
            reserved=ledger_sum("reserved_delta"),
            committed=ledger_sum("committed_delta"),
            paid=ledger_sum("paid_delta"),
        )
        .order_by()
    }
    moved: dict[int | None, tuple[Decimal, int]] = {
        row["action_field_id"]: (to_cents(row["volume"]), row["projects"])
        for row in Project.objects.filter(phase=phase, status__in=VOLUME_STATES)
        .values("action_field_id")
        .annotate(volume=_volume_expression(), projects=Count("id"))
        .order_by()
    }
    # The open field last, as on the public page of the fields (Meta.ordering of ActionField).
    known: list[ActionField | None] = list(ActionField.objects.filter(phase=phase))
    if None in booked or None in moved:
        known.append(None)
    no_money = {"reserved": ZERO, "committed": ZERO, "paid": ZERO}
    fields = []
    for action_field in known:
        key = action_field.pk if action_field is not None else None
        money = booked.get(key, no_money)
        volume, projects = moved.get(key, (ZERO, 0))
        fields.append(
            FieldFigures(
                field=action_field,
                projects=projects,
                volume=volume,
                reserved=money["reserved"],
                committed=money["committed"],
                paid=money["paid"],
            )
        )
    return BudgetOverview(
        phase=phase,
        figures=figures,
        projects=sum(entry.projects for entry in fields),
        volume=sum((entry.volume for entry in fields), ZERO),
        fields=fields,
    )


def volume_by_phase(phase_ids: list[int]) -> dict[int, Decimal]:
    """The project volume each phase has set in motion (projects in VOLUME_STATES, as on the
    budget dashboard), for several phases in one query; phases without such projects get zero."""
    rows = (
        Project.objects.filter(phase_id__in=phase_ids, status__in=VOLUME_STATES)
        .values("phase_id")
        .annotate(volume=_volume_expression())
        .order_by()
    )
    found = {row["phase_id"]: to_cents(row["volume"]) for row in rows}
    return {phase_id: found.get(phase_id, ZERO) for phase_id in phase_ids}


# --- Many phases at once: the ministry's overview across the alliances -----------------------------


@dataclass(frozen=True)
class PhaseProjects:
    """What a phase's projects add up to. `by_status` counts every project (every state, zero
    where none); money and participants count the projects in VOLUME_STATES only, as the budget
    dashboard does: the projects the alliance has set in motion and that have not fallen away."""

    by_status: dict[str, int]
    volume: Decimal
    co_financing: Decimal
    planned_participants: int
    participants_entered: int
    participants_exited: int

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def funded(self) -> int:
        """The projects the money and volume count (VOLUME_STATES): funded from the Votum on."""
        return sum(count for status, count in self.by_status.items() if status in VOLUME_STATES)


def _empty_counts() -> dict[str, int]:
    return dict.fromkeys(Status.values, 0)


def projects_by_phase(phase_ids: list[int]) -> dict[int, PhaseProjects]:
    """The projects' figures of several phases in two queries, whatever the number of phases and
    projects: count, volume and participants by phase and state; the co-financing shares by phase.
    Phases without projects get zeros."""
    counts: dict[int, dict[str, int]] = {phase_id: _empty_counts() for phase_id in phase_ids}
    volume: dict[int, Decimal] = dict.fromkeys(phase_ids, ZERO)
    planned: dict[int, int] = dict.fromkeys(phase_ids, 0)
    entered: dict[int, int] = dict.fromkeys(phase_ids, 0)
    exited: dict[int, int] = dict.fromkeys(phase_ids, 0)
    if phase_ids:
        rows = (
            Project.objects.filter(phase_id__in=phase_ids)
            .values("phase_id", "status")
            .annotate(
                projects=Count("id"),
                volume=_volume_expression(),
                planned=Coalesce(Sum("planned_participants"), 0),
                entered=Coalesce(Sum("participants_entered"), 0),
                exited=Coalesce(Sum("participants_exited"), 0),
            )
            .order_by()
        )
        for row in rows:
            phase_id = row["phase_id"]
            counts[phase_id][row["status"]] = row["projects"]
            if row["status"] in VOLUME_STATES:
                volume[phase_id] += to_cents(row["volume"])
                planned[phase_id] += row["planned"]
                entered[phase_id] += row["entered"]
                exited[phase_id] += row["exited"]
    shares: dict[int, Decimal] = {}
    if phase_ids:
        shares = {
            row["project__phase_id"]: to_cents(row["amount"])
            for row in CoFinancing.objects.filter(
                project__phase_id__in=phase_ids, project__status__in=VOLUME_STATES
            )
            .values("project__phase_id")
            .annotate(amount=ledger_sum("amount"))
            .order_by()
        }
    return {
        phase_id: PhaseProjects(
            by_status=counts[phase_id],
            volume=volume[phase_id],
            co_financing=shares.get(phase_id, ZERO),
            planned_participants=planned[phase_id],
            participants_entered=entered[phase_id],
            participants_exited=exited[phase_id],
        )
        for phase_id in phase_ids
    }
