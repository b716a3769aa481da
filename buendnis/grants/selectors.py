"""Reads after the grant: what a project owes and has drawn, its participant figures, and what
is overdue for the office's desk and board."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce

from buendnis.budget.models import LedgerEntry
from buendnis.budget.selectors import ZERO, ledger_sum, to_cents
from buendnis.funding.models import Project

from .models import (
    HOLDING,
    ParticipantFigures,
    PaymentRequest,
    PaymentStatus,
    ReportStatus,
    ScheduledReport,
)

OPEN_REPORT_STATES = (ReportStatus.DUE, ReportStatus.CHANGES_REQUESTED)
MONEY = DecimalField(max_digits=14, decimal_places=2)


def reports_of(project: Project) -> QuerySet[ScheduledReport]:
    return ScheduledReport.objects.filter(project=project).order_by("due_on", "pk")


def overdue_reports(alliance_id: int, today: date) -> QuerySet[ScheduledReport]:
    """Reports past their due date and not yet in: the office's desk, oldest first."""
    return (
        ScheduledReport.objects.filter(
            alliance_id=alliance_id, status__in=OPEN_REPORT_STATES, due_on__lt=today
        )
        .select_related("project")
        .order_by("due_on", "pk")
    )


def next_open_report(project: Project) -> ScheduledReport | None:
    """The report the applicant owes next (the earliest open one), for the project's page."""
    return reports_of(project).filter(status__in=OPEN_REPORT_STATES).first()


def report_deadlines(
    projects: QuerySet[Project], *, until: date, limit: int
) -> tuple[list[ScheduledReport], int]:
    """The open reports of `projects` due by `until` (the overdue ones too), soonest first, at
    most `limit`, each with its project, and how many there are in all: one query, the total a
    window count taken before the limit (the office's board)."""
    rows: list[ScheduledReport] = list(
        ScheduledReport.objects.filter(
            project__in=projects, status__in=OPEN_REPORT_STATES, due_on__lte=until
        )
        .select_related("project")
        .annotate(matching=Window(Count("id")))
        .order_by("due_on", "id")[:limit]
    )
    return rows, (int(rows[0].matching) if rows else 0)  # type: ignore[attr-defined]


def reports_to_review(alliance_id: int, *, limit: int) -> list[ScheduledReport]:
    """Reports handed in and waiting for the office's answer, longest waiting first, one more
    than `limit` (so the desk can say there are more): the office's desk."""
    return list(
        ScheduledReport.objects.filter(alliance_id=alliance_id, status=ReportStatus.SUBMITTED)
        .select_related("project")
        .order_by("submitted_on", "pk")[: limit + 1]
    )


def payments_to_decide(alliance_id: int, *, limit: int) -> list[PaymentRequest]:
    """Payment requests waiting for the office: to check, or checked and to release; longest
    waiting first, one more than `limit`: the office's desk."""
    return list(
        PaymentRequest.objects.filter(
            alliance_id=alliance_id,
            status__in=(PaymentStatus.SUBMITTED, PaymentStatus.CHECKED),
        )
        .select_related("project")
        .order_by("created_at", "pk")[: limit + 1]
    )


def payment_requests_of(project: Project) -> QuerySet[PaymentRequest]:
    return PaymentRequest.objects.filter(project=project).order_by("number")


@dataclass(frozen=True)
class Drawn:
    """Where a project's grant stands with its payment requests."""

    granted: Decimal
    held: Decimal  # submitted, checked or released
    released: Decimal

    @property
    def left(self) -> Decimal:
        """What may still be requested."""
        return self.granted - self.held


def drawn(project: Project) -> Drawn:
    """One query: the amounts held and released against the grant."""
    sums = PaymentRequest.objects.filter(project=project).aggregate(
        held=ledger_sum("amount", Q(status__in=HOLDING)),
        released=ledger_sum("amount", Q(status=PaymentStatus.RELEASED)),
    )
    return Drawn(
        granted=project.granted_amount or ZERO,
        held=to_cents(sums["held"]),
        released=to_cents(sums["released"]),
    )


def participant_periods(project: Project) -> QuerySet[ParticipantFigures]:
    return ParticipantFigures.objects.filter(project=project).order_by("period_from", "pk")


@dataclass(frozen=True)
class Reached:
    entries: int
    exits: int


def participants_reached(project: Project) -> Reached:
    sums = ParticipantFigures.objects.filter(project=project).aggregate(
        entries=Sum("entries"), exits=Sum("exits")
    )
    return Reached(entries=sums["entries"] or 0, exits=sums["exits"] or 0)


def participants_by_project(project_ids: list[int]) -> dict[int, Reached]:
    """The figures of many projects in one query (phase reports, the budget dashboard)."""
    rows = (
        ParticipantFigures.objects.filter(project_id__in=project_ids)
        .values("project_id")
        .annotate(entries=Sum("entries"), exits=Sum("exits"), periods=Count("pk"))
    )
    return {
        row["project_id"]: Reached(entries=row["entries"] or 0, exits=row["exits"] or 0)
        for row in rows
    }


# --- The API's reads (buendnis/api/grant_views.py) ----------------------------------------------


def api_project(alliance_id: int, pk: int, *, visible: Q) -> Project | None:
    """The alliance's project `pk` if `visible` admits it (`funding.permissions.ProjectAccess`),
    with its alliance and phase: one query."""
    return (
        Project.objects.filter(alliance_id=alliance_id, pk=pk)
        .filter(visible)
        .select_related("alliance", "phase")
        .first()
    )


def api_reports_of(project: Project) -> QuerySet[ScheduledReport]:
    """The schedule, each report with the number of its versions (`version_count`)."""
    return reports_of(project).annotate(version_count=Count("versions"))


def api_payment_requests_of(project: Project) -> QuerySet[PaymentRequest]:
    """The payment requests, each with the number of its receipts (`receipt_count`)."""
    return payment_requests_of(project).annotate(receipt_count=Count("receipts"))


# --- Rolled up: the public project page, the exports, the budget and the phase's reports --------


def _reported(column: str) -> Subquery:
    """The project's reported figures of `column` summed, as a subquery of a project query."""
    sums = (
        ParticipantFigures.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(total=Sum(column))
        .values("total")
    )
    return Subquery(sums, output_field=IntegerField())


def _reached(column: str, recorded: str) -> Coalesce:
    """A closed project counts the figures it was closed with (`funding.services.project_close`),
    any other what it has reported so far; None (in SQL: NULL) when neither."""
    return Coalesce(F(recorded), _reported(column), output_field=IntegerField())


def with_results(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Annotates what each project has achieved, in the same query (correlated subqueries, so a
    page or an export of projects costs no extra query): `paid_out`, what the ledger has paid the
    project (released tranches and the final settlement; a request still being checked has booked
    nothing), `entries_reached` / `exits_reached` (None without figures), and when the last
    booking and the last figures were written (a page's Last-Modified reads them: neither touches
    the project row). Read them with `results_of`."""
    paid = (
        LedgerEntry.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(total=Sum("paid_delta"))
        .values("total")
    )
    last_booking = LedgerEntry.objects.filter(project=OuterRef("pk")).order_by("-created_at")
    last_figures = ParticipantFigures.objects.filter(project=OuterRef("pk")).order_by("-updated_at")
    return projects.annotate(
        results_booked_at=Subquery(last_booking.values("created_at")[:1]),
        results_reported_at=Subquery(last_figures.values("updated_at")[:1]),
        paid_out=Coalesce(Subquery(paid, output_field=MONEY), Value(ZERO), output_field=MONEY),
        entries_reached=_reached("entries", "participants_entered"),
        exits_reached=_reached("exits", "participants_exited"),
    )


@dataclass(frozen=True)
class Results:
    paid: Decimal
    reached: Reached | None  # None: the project has no participant figures
    changed_at: datetime | None  # the last booking or figures; None without either


def results_of(project: Project) -> Results:
    """What `with_results` annotated on `project`."""
    annotated: Any = project  # the annotations are not on the model's type
    entries, exits = annotated.entries_reached, annotated.exits_reached
    reached = None if entries is None else Reached(entries=entries, exits=exits or 0)
    moments = [annotated.results_booked_at, annotated.results_reported_at]
    changed_at = max((moment for moment in moments if moment is not None), default=None)
    return Results(paid=to_cents(annotated.paid_out), reached=reached, changed_at=changed_at)


def participants_by_phase(phase_ids: list[int], *, projects: Q | None = None) -> dict[int, Reached]:
    """Participants reached by the phases' projects (only those `projects` admits, e.g. the public
    ones), each counted as `with_results` counts it (a closed project with its closing figures,
    any other with what it has reported so far): one query. Phases without get zeros."""
    rows = (
        Project.objects.filter(phase_id__in=phase_ids)
        .filter(projects if projects is not None else Q())
        .values("phase_id")
        .annotate(
            entries=Sum(_reached("entries", "participants_entered")),
            exits=Sum(_reached("exits", "participants_exited")),
        )
        .order_by()
    )
    found = {
        row["phase_id"]: Reached(entries=row["entries"] or 0, exits=row["exits"] or 0)
        for row in rows
    }
    return {phase_id: found.get(phase_id, Reached(entries=0, exits=0)) for phase_id in phase_ids}
