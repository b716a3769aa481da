"""Reads of the transparency site: funded projects, their public record and the public budget.

Only public fields and public records ever leave these functions: a project's contact person,
consultations, documents, internal reasons and comments are not selected for a public page (the
timeline reads the transitions' states and dates, never their comments).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_stubs_ext import StrOrPromise

from buendnis.alliances.models import Alliance, FundingPhase, Topic
from buendnis.alliances.selectors import phase_overview
from buendnis.budget import selectors as budget_selectors
from buendnis.budget.selectors import ZERO, BudgetFigures
from buendnis.funding import figures as project_money
from buendnis.funding import permissions as funding_permissions
from buendnis.funding.models import CoFinancing, Project, Transition
from buendnis.funding.states import GRANTED_STATES
from buendnis.funding.wording import PUBLIC_LABELS
from buendnis.grants import selectors as grant_selectors
from buendnis.meetings import permissions as meeting_permissions
from buendnis.meetings.decision_selectors import DECIDED_CIRCULATIONS
from buendnis.meetings.models import Circulation, Decision
from buendnis.renewal import selectors as renewal_selectors

# --- Funded projects -----------------------------------------------------------------------------


def public_projects(alliance: Alliance) -> QuerySet[Project]:
    """The alliance's projects the public sees (`states.PUBLIC_STATES`), with phase, field of
    action and applicant organisation joined, and `grant` annotated: the granted amount once the
    bank has decided, the requested grant until then."""
    return (
        Project.objects.filter(funding_permissions.public_projects_q(), alliance=alliance)
        .select_related("phase", "action_field", "applicant_organisation")
        .annotate(grant=Coalesce("granted_amount", "requested_grant"))
    )


def with_export_relations(projects: QuerySet[Project]) -> QuerySet[Project]:
    """Topics and co-financing partners for the exports: two more queries, whatever the number
    of projects; paid out and participants reached in the projects' query
    (`grants.selectors.with_results`)."""
    return grant_selectors.with_results(projects).prefetch_related(
        Prefetch("topics", queryset=Topic.objects.order_by("position", "id")),
        Prefetch("cofinancing", queryset=CoFinancing.objects.select_related("organisation")),
    )


def uses_postgres_search() -> bool:
    return connection.vendor == "postgresql"


def search_projects(projects: QuerySet[Project], text: str) -> QuerySet[Project]:
    """Free text over title, summary, goals, applicant name and region.

    Every database: a case-insensitive substring of any of them. On PostgreSQL additionally the
    German full-text search, which finds inflected forms ("Betrieben" finds "Betriebe") that a
    substring misses; a project matching either way is found."""
    text = text.strip()
    if not text:
        return projects
    substring = (
        Q(title__icontains=text)
        | Q(summary__icontains=text)
        | Q(goals__icontains=text)
        | Q(applicant_organisation__name__icontains=text)
        | Q(region__icontains=text)
    )
    if not uses_postgres_search():
        return projects.filter(substring)
    from django.contrib.postgres.search import SearchQuery, SearchVector

    vector = SearchVector(
        "title", "summary", "goals", "applicant_organisation__name", "region", config="german"
    )
    query = SearchQuery(text, config="german", search_type="websearch")
    return projects.annotate(search_document=vector).filter(substring | Q(search_document=query))


def public_project(alliance: Alliance, reference: str) -> Project | None:
    """One public project with what its page shows: the project with phase, field and owner, and
    what it has achieved (`grants.selectors.with_results`: paid out by the ledger, participants
    reached, in the same query); its topics; its co-financing partners; its transitions (states
    and dates only). Four queries; None for unknown and non-public projects alike."""
    projects = Project.objects.filter(
        funding_permissions.public_projects_q(), alliance=alliance, reference=reference
    )
    return (
        grant_selectors.with_results(projects)
        .select_related("phase", "action_field", "applicant_organisation")
        .prefetch_related(
            Prefetch("topics", queryset=Topic.objects.order_by("position", "id")),
            Prefetch("cofinancing", queryset=CoFinancing.objects.select_related("organisation")),
            Prefetch(
                "transitions",
                queryset=Transition.objects.only(
                    "id", "project_id", "from_status", "to_status", "created_at"
                ).order_by("created_at", "id"),
            ),
        )
        .first()
    )


def public_results(project: Project) -> grant_selectors.Results | None:
    """What a granted, running or closed project has achieved, from `public_project`'s
    annotations: the amount the ledger has paid (never a request still in the office's hands)
    and the participants reached, aggregates only. None before the grant."""
    if project.status not in GRANTED_STATES:
        return None
    return grant_selectors.results_of(project)


@dataclass(frozen=True)
class TimelineEntry:
    day: date
    label: StrOrPromise


def public_timeline(project: Project) -> list[TimelineEntry]:
    """The procedure in the public's words (`PUBLIC_LABELS`), one entry per change of the public
    label, with its day. Uses the prefetched transitions; comments are never read."""
    entries: list[TimelineEntry] = []
    for transition in project.transitions.all():
        label = PUBLIC_LABELS[transition.to_status]
        if entries and str(entries[-1].label) == str(label):
            continue
        entries.append(TimelineEntry(timezone.localtime(transition.created_at).date(), label))
    return entries


@dataclass(frozen=True)
class PublishedDecisions:
    decisions: list[Decision]
    circulations: list[Circulation]

    def __bool__(self) -> bool:
        return bool(self.decisions or self.circulations)


def published_decisions(project: Project) -> PublishedDecisions:
    """What the bodies decided about the project in public: decisions on public agenda items of
    meetings whose public agenda has been published (`meetings.permissions.published_decisions_q`),
    and circulations whose result is public (`meetings.permissions.published_circulations_q`) and
    decided (`DECIDED_CIRCULATIONS`). Two queries."""
    decisions = list(
        Decision.objects.filter(meeting_permissions.published_decisions_q(), item__project=project)
        .select_related("item__meeting__body")
        .only(
            "id",
            "outcome",
            "text",
            "decided_at",
            "item__id",
            "item__title",
            "item__position",
            "item__meeting__id",
            "item__meeting__title",
            "item__meeting__starts_at",
            "item__meeting__body__id",
            "item__meeting__body__kind",
            "item__meeting__body__name",
        )
        .order_by("decided_at", "id")
    )
    circulations = list(
        # Public, and decided: a running or withdrawn circulation has no result to publish.
        Circulation.objects.filter(
            meeting_permissions.published_circulations_q(),
            project=project,
            status__in=DECIDED_CIRCULATIONS,
        )
        .select_related("body")
        .only("id", "title", "text", "status", "closed_at", "body__id", "body__name")
        .order_by("closed_at", "id")
    )
    return PublishedDecisions(decisions=decisions, circulations=circulations)


# --- The public budget -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PhaseBudget:
    """Where one phase's virtual budget stands, and the project volume it has set in motion."""

    phase: FundingPhase
    figures: BudgetFigures
    volume: Decimal
    reached: grant_selectors.Reached

    @property
    def grants(self) -> Decimal:
        return self.figures.distributed

    @property
    def leverage(self) -> Decimal | None:
        return project_money.leverage(self.volume, self.grants)


def public_budget(alliance: Alliance) -> tuple[list[PhaseBudget], FundingPhase | None]:
    """Every phase, newest first, with its figures from the ledger, plus the current phase.
    Four queries, whatever the number of phases, projects and bookings: phases; the ledger's
    columns by phase; the project volume by phase; the participants the public projects have
    reached by phase."""
    phases, current = phase_overview(alliance)
    ids = [phase.pk for phase in phases]
    figures = budget_selectors.budget_figures_by_phase(
        ids, {phase.pk: phase.virtual_budget for phase in phases}
    )
    volumes = project_money.volume_by_phase(ids)
    reached = grant_selectors.participants_by_phase(
        ids, projects=funding_permissions.public_projects_q()
    )
    rows = [
        PhaseBudget(
            phase=phase,
            figures=figures[phase.pk],
            volume=volumes[phase.pk],
            reached=reached[phase.pk],
        )
        for phase in phases
    ]
    rows.sort(key=lambda row: row.phase.starts_on, reverse=True)
    return rows, current


# --- The phases' recognition and history ---------------------------------------------------------


def phase_recognised_by(alliance: Alliance, phase: FundingPhase) -> str:
    """Who recognised the phase: the authority of the ministry's latest decision that recognised
    it, else the recognising authority recorded for the alliance (phases recorded before the
    platform kept the decisions). One query."""
    authorities = renewal_selectors.recognition_authorities([phase.pk])
    return authorities.get(phase.pk) or alliance.recognising_authority


@dataclass(frozen=True)
class PhaseHistoryRow:
    """One recognised phase: who recognised it, and what its budget and projects came to."""

    phase: FundingPhase
    authority: str
    figures: BudgetFigures
    projects: int
    volume: Decimal

    @property
    def grants(self) -> Decimal:
        """Every euro the projects hold: reserved, committed or paid."""
        return self.figures.distributed


@dataclass(frozen=True)
class PhaseHistory:
    rows: list[PhaseHistoryRow]

    @property
    def budget(self) -> Decimal:
        return sum((row.figures.budget for row in self.rows), ZERO)

    @property
    def grants(self) -> Decimal:
        return sum((row.grants for row in self.rows), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((row.figures.paid for row in self.rows), ZERO)

    @property
    def projects(self) -> int:
        return sum(row.projects for row in self.rows)

    @property
    def volume(self) -> Decimal:
        return sum((row.volume for row in self.rows), ZERO)


def public_phase_history(alliance: Alliance) -> PhaseHistory:
    """Every recognised phase, oldest first (`partner_count`, `is_current` as in
    `phase_overview`), with who recognised it, the ledger's figures and the projects it set in
    motion. Five queries, whatever the number of phases, decisions, projects and bookings:
    phases; the recognising decisions; the ledger's columns by phase; the projects by phase and
    state; their co-financing by phase (`funding.figures.projects_by_phase`, as the ministry's
    overview reads them)."""
    phases, _current = phase_overview(alliance)
    ids = [phase.pk for phase in phases]
    authorities = renewal_selectors.recognition_authorities(ids)
    figures = budget_selectors.budget_figures_by_phase(
        ids, {phase.pk: phase.virtual_budget for phase in phases}
    )
    projects = project_money.projects_by_phase(ids)
    return PhaseHistory(
        rows=[
            PhaseHistoryRow(
                phase=phase,
                authority=authorities.get(phase.pk) or alliance.recognising_authority,
                figures=figures[phase.pk],
                projects=projects[phase.pk].funded,
                volume=projects[phase.pk].volume,
            )
            for phase in phases
        ]
    )
