"""The ministry's overview across every alliance of the platform: per alliance and phase the
budget from the ledger, the projects per state, volume, leverage, participants and where the phase
stands with the ministry. Read by the page `/ministerium/` (with its XLSX) and by the API's
`overview/`; both are edge modules, so the composition lives here, on the domain selectors
(`budget.selectors`, `funding.figures`) that sum many phases at once.

Every function reads in a fixed number of queries, whatever the number of alliances, phases,
projects and bookings (`overview_rows`: four, five with the participants reached). Filtering, sorting and paging the rows are plain
Python on the rows read: a platform holds a few dozen phases, and the sort columns (available,
leverage …) are sums that only exist after the reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from buendnis.alliances.models import Alliance, FundingPhase, RecognitionStatus
from buendnis.alliances.selectors import phase_pick_current, today
from buendnis.budget import selectors as budget_selectors
from buendnis.budget.selectors import BudgetFigures
from buendnis.funding import figures as project_money
from buendnis.funding.figures import PhaseProjects
from buendnis.funding.states import VOLUME_STATES, Status
from buendnis.grants import selectors as grant_selectors
from buendnis.grants.selectors import Reached
from buendnis.renewal.models import RecognitionDecision

S = Status

# The procedure's states in six stages, for a table that cannot hold nineteen columns. Every
# state is in exactly one stage (tests/reports/test_ministry_overview.py checks it).
STAGES: tuple[tuple[str, StrOrPromise, frozenset[str]], ...] = (
    ("preparation", _("In Vorbereitung"), frozenset({S.IDEA, S.CONSULTATION})),
    (
        "procedure",
        _("Im Verfahren"),
        frozenset(
            {
                S.SKETCH_SUBMITTED,
                S.SKETCH_SPEAKERS,
                S.SKETCH_STEERING,
                S.DESCRIPTION_REQUESTED,
                S.DESCRIPTION_SUBMITTED,
                S.DESCRIPTION_SPEAKERS,
                S.DESCRIPTION_STEERING,
                S.REVISION_REQUESTED,
                S.DEFERRED,
            }
        ),
    ),
    ("endorsed", _("Votum und Förderantrag"), frozenset({S.ENDORSED, S.APPLICATION_FILED})),
    ("granted", _("Bewilligt und in Umsetzung"), frozenset({S.GRANTED, S.RUNNING})),
    ("closed", _("Abgeschlossen"), frozenset({S.CLOSED})),
    ("ended", _("Nicht gefördert"), frozenset({S.REJECTED, S.DECLINED, S.WITHDRAWN})),
)


@dataclass(frozen=True)
class StageCount:
    key: str
    label: StrOrPromise
    count: int


@dataclass(frozen=True)
class OverviewRow:
    """One phase of one alliance with its figures."""

    alliance: Alliance
    phase: FundingPhase
    budget: BudgetFigures
    projects: PhaseProjects
    # The day of the ministry's latest decision on the phase (renewal.RecognitionDecision).
    decided_on: date | None
    # The alliance's current phase (alliances.selectors.current_phase's rule).
    is_current: bool
    # Participants reached by the phase's funded projects, running ones with what they reported
    # so far (`overview_rows(with_reached=True)`); None when not read.
    reached: Reached | None = None

    @property
    def participants_entered(self) -> int:
        """Entries so far; without `reached`, those of the closed projects."""
        if self.reached is not None:
            return self.reached.entries
        return self.projects.participants_entered

    @property
    def participants_exited(self) -> int:
        if self.reached is not None:
            return self.reached.exits
        return self.projects.participants_exited

    @property
    def status(self) -> str:
        return self.phase.recognition_status

    @property
    def status_label(self) -> str:
        return str(RecognitionStatus(self.status).label)

    @property
    def recognition_date(self) -> date | None:
        """The day that belongs to the phase's status: recognised on, applied for on, the day the
        ministry asked for changes or refused; none for a draft."""
        status = self.status
        if status == RecognitionStatus.RECOGNISED:
            return self.phase.recognised_on or self.decided_on
        if status == RecognitionStatus.APPLIED:
            return self.phase.extension_applied_on
        if status in (RecognitionStatus.CHANGES_REQUESTED, RecognitionStatus.REFUSED):
            return self.decided_on
        return None

    @property
    def grants(self) -> Decimal:
        """Every euro the phase's projects hold: reserved, committed or paid."""
        return self.budget.distributed

    @property
    def volume(self) -> Decimal:
        return self.projects.volume

    @property
    def leverage(self) -> Decimal | None:
        return project_money.leverage(self.projects.volume, self.grants)

    @property
    def stages(self) -> list[StageCount]:
        counts = self.projects.by_status
        return [
            StageCount(key, label, sum(counts.get(status, 0) for status in states))
            for key, label, states in STAGES
        ]

    @property
    def years(self) -> range:
        return range(self.phase.starts_on.year, self.phase.ends_on.year + 1)


def _latest_decision_day() -> Subquery:
    latest = RecognitionDecision.objects.filter(phase=OuterRef("pk")).order_by("-created_at", "-id")
    return Subquery(latest.values("decided_on")[:1])


def overview_rows(
    alliance_ids: Iterable[int] | None = None,
    *,
    on: date | None = None,
    with_reached: bool = False,
) -> list[OverviewRow]:
    """Every phase of every active alliance (or of those in `alliance_ids`), drafts and
    applications included, by alliance name and start. Four queries, whatever the data: the
    phases with their alliance and the day of the ministry's latest decision; the ledger's sums
    by phase; the projects by phase and state; the co-financing by phase. `with_reached`: a fifth,
    the participants reached by phase (`grants.selectors.participants_by_phase`)."""
    phases = FundingPhase.objects.filter(alliance__is_active=True)
    if alliance_ids is not None:
        phases = phases.filter(alliance_id__in=list(alliance_ids))
    phase_list = list(
        phases.select_related("alliance")
        .annotate(decided_on=_latest_decision_day())
        .order_by("alliance__name", "alliance_id", "starts_on", "id")
    )
    ids = [phase.pk for phase in phase_list]
    figures = budget_selectors.budget_figures_by_phase(
        ids, {phase.pk: phase.virtual_budget for phase in phase_list}
    )
    projects = project_money.projects_by_phase(ids)
    # As PhaseProjects counts participants: the projects in VOLUME_STATES.
    reached = (
        grant_selectors.participants_by_phase(ids, projects=Q(status__in=VOLUME_STATES))
        if with_reached
        else {}
    )
    by_alliance: dict[int, list[FundingPhase]] = {}
    for phase in phase_list:
        by_alliance.setdefault(phase.alliance_id, []).append(phase)
    day = on or today()
    current_ids = {
        current.pk
        for phases_of_one in by_alliance.values()
        if (current := phase_pick_current(phases_of_one, day)) is not None
    }
    return [
        OverviewRow(
            alliance=phase.alliance,
            phase=phase,
            budget=figures[phase.pk],
            projects=projects[phase.pk],
            decided_on=phase.decided_on,
            is_current=phase.pk in current_ids,
            reached=reached.get(phase.pk),
        )
        for phase in phase_list
    ]


# --- Filtering and sorting the table (page and XLSX) -------------------------------------------


def _status_rank(row: OverviewRow) -> int:
    return RecognitionStatus.values.index(row.status)


# `?sort=<key>` (ascending) or `?sort=-<key>` (descending); the keys are the table's columns.
SORT_KEYS: dict[str, Callable[[OverviewRow], Any]] = {
    "alliance": lambda row: row.alliance.name.casefold(),
    "phase": lambda row: row.phase.starts_on,
    "status": _status_rank,
    "budget": lambda row: row.budget.budget,
    "reserved": lambda row: row.budget.reserved,
    "committed": lambda row: row.budget.committed,
    "paid": lambda row: row.budget.paid,
    "available": lambda row: row.budget.available,
    "projects": lambda row: row.projects.total,
    "volume": lambda row: row.projects.volume,
    "leverage": lambda row: row.leverage,
    "participants": lambda row: row.projects.planned_participants,
}
DEFAULT_SORT = "alliance"


@dataclass(frozen=True)
class Selection:
    """What the reader asked for: a recognition status, a year the phase runs in, an order."""

    status: str = ""
    year: int | None = None
    sort: str = DEFAULT_SORT
    descending: bool = False

    @property
    def sort_param(self) -> str:
        return f"-{self.sort}" if self.descending else self.sort

    @property
    def is_narrowed(self) -> bool:
        return bool(self.status) or self.year is not None


def read_selection(params: Mapping[str, str]) -> Selection:
    """The selection from the query string; what it does not know is left out (no error: the
    page then shows everything, in the default order)."""
    status = params.get("status", "")
    if status not in RecognitionStatus.values:
        status = ""
    year: int | None
    try:
        year = int(params.get("year", ""))
    except ValueError:
        year = None
    if year is not None and not 1900 <= year <= 2200:
        year = None
    sort = params.get("sort", "")
    descending = sort.startswith("-")
    sort = sort.removeprefix("-")
    if sort not in SORT_KEYS:
        sort, descending = DEFAULT_SORT, False
    return Selection(status=status, year=year, sort=sort, descending=descending)


def select_rows(rows: list[OverviewRow], selection: Selection) -> list[OverviewRow]:
    """The rows the selection admits, in its order. Rows the order cannot place (a phase without
    leverage) come last either way; ties keep the order of `overview_rows` (alliance, start)."""
    chosen = [
        row
        for row in rows
        if (not selection.status or row.status == selection.status)
        and (selection.year is None or selection.year in row.years)
    ]
    key = SORT_KEYS[selection.sort]
    placed = [row for row in chosen if key(row) is not None]
    unplaced = [row for row in chosen if key(row) is None]
    placed.sort(key=key, reverse=selection.descending)
    return placed + unplaced


def status_counts(rows: list[OverviewRow]) -> dict[str, int]:
    """How many phases are in each recognition status (every status, zero where none)."""
    counts = dict.fromkeys(RecognitionStatus.values, 0)
    for row in rows:
        counts[row.status] += 1
    return counts


def years_of(rows: list[OverviewRow]) -> list[int]:
    """Every year some phase runs in, newest first."""
    return sorted({year for row in rows for year in row.years}, reverse=True)


# --- The charts' data ---------------------------------------------------------------------------


def current_rows(rows: list[OverviewRow]) -> list[OverviewRow]:
    """The current phase of each alliance (alliances without a recognised phase have none)."""
    return [row for row in rows if row.is_current]


@dataclass(frozen=True)
class PeriodFigures:
    """The recognised phases of one funding period (the same first and last year), summed over
    the alliances: the trend from phase to phase."""

    label: str
    starts: int
    phases: int
    budget: BudgetFigures


def period_figures(rows: list[OverviewRow]) -> list[PeriodFigures]:
    """Recognised phases only: a draft's budget is what the office applies for, not what the
    ministry assigned. Oldest period first."""
    sums: dict[tuple[int, int], list[Decimal]] = {}
    counts: dict[tuple[int, int], int] = {}
    for row in rows:
        if row.status != RecognitionStatus.RECOGNISED:
            continue
        key = (row.phase.starts_on.year, row.phase.ends_on.year)
        total = sums.setdefault(key, [Decimal("0.00")] * 4)
        figures = row.budget
        for index, amount in enumerate(
            (figures.budget, figures.reserved, figures.committed, figures.paid)
        ):
            total[index] += amount
        counts[key] = counts.get(key, 0) + 1
    return [
        PeriodFigures(
            label=f"{start}–{end}",
            starts=start,
            phases=counts[(start, end)],
            budget=BudgetFigures(
                budget=total[0], reserved=total[1], committed=total[2], paid=total[3]
            ),
        )
        for (start, end), total in sorted(sums.items())
    ]
