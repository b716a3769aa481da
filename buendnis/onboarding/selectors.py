"""What an alliance holds already, read once for an import's plan and for the export: a fixed
number of queries, whatever the number of rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from buendnis.alliances.models import (
    ActionField,
    Alliance,
    CooperationAgreement,
    FundingPhase,
    Organisation,
    OrganisationGroup,
    Person,
)
from buendnis.budget.models import LedgerEntry
from buendnis.budget.selectors import budget_figures_by_phase
from buendnis.funding.models import CoFinancing, Project


@dataclass
class Holdings:
    """The alliance's records by their natural keys (names; projects by reference)."""

    groups: dict[str, OrganisationGroup] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    people: list[Person] = field(default_factory=list)
    phases: dict[str, FundingPhase] = field(default_factory=dict)
    # Phases with bookings: their budget changes through the ledger only.
    booked_phase_ids: set[int] = field(default_factory=set)
    available: dict[int, Decimal] = field(default_factory=dict)
    agreements: list[CooperationAgreement] = field(default_factory=list)
    action_fields: list[ActionField] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)


def holdings(alliance: Alliance) -> Holdings:
    """Nine queries: groups, organisations, people, phases, phases with bookings, their figures,
    agreements, fields of action, projects with their co-financing."""
    held = Holdings()
    for group in OrganisationGroup.objects.filter(alliance=alliance).order_by("position", "name"):
        held.groups[group.name] = group
    organisations = (
        Organisation.objects.filter(alliance=alliance).select_related("group").order_by("name")
    )
    held.organisations = {organisation.name: organisation for organisation in organisations}
    held.people = list(
        Person.objects.filter(alliance=alliance)
        .select_related("organisation")
        .order_by("organisation__name", "last_name", "first_name", "id")
    )
    phases = list(FundingPhase.objects.filter(alliance=alliance).order_by("starts_on"))
    held.phases = {phase.name: phase for phase in phases}
    held.booked_phase_ids = set(
        LedgerEntry.objects.filter(phase__alliance=alliance)
        .order_by()
        .values_list("phase_id", flat=True)
        .distinct()
    )
    figures = budget_figures_by_phase(
        [phase.pk for phase in phases], {phase.pk: phase.virtual_budget for phase in phases}
    )
    held.available = {phase_id: figure.available for phase_id, figure in figures.items()}
    held.agreements = list(
        CooperationAgreement.objects.filter(alliance=alliance)
        .select_related("phase", "organisation")
        .order_by("phase__starts_on", "organisation__name")
    )
    held.action_fields = list(
        ActionField.objects.filter(alliance=alliance).select_related("phase").order_by("id")
    )
    held.projects = list(
        Project.objects.filter(alliance=alliance)
        .select_related("phase", "applicant_organisation", "action_field")
        .prefetch_related(
            Prefetch(
                "cofinancing",
                queryset=CoFinancing.objects.select_related("organisation").order_by("id"),
            )
        )
        .order_by("phase__starts_on", "reference")
    )
    return held


def references_elsewhere(alliance: Alliance, references: Iterable[str]) -> set[str]:
    """Which of these project references another alliance uses already (they are unique on the
    platform)."""
    wanted = {reference for reference in references if reference}
    if not wanted:
        return set()
    return set(
        Project.objects.filter(reference__in=wanted)
        .exclude(alliance=alliance)
        .values_list("reference", flat=True)
    )
