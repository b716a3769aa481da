"""Reads of the bodies' decisions as one list: decisions on agenda items and results of
circulations (Umlaufbeschlüsse), for the decisions API and anyone else who lists them.

Who sees which decision is `meetings.permissions.published_decisions_q` and
`meetings.permissions.published_circulations_q` (the public) or everything (the internal circle):
the filter is applied in the database, so what a caller may not see never leaves it. The list is one
UNION query of keys (kind, id, date), so paging and counting work across both kinds; the page's rows
are then fetched with one query per kind, whatever the number of decisions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import CharField, F, QuerySet, Value

from buendnis.alliances.models import Alliance, Body, BodyKind
from buendnis.funding import permissions as funding_permissions
from buendnis.funding.models import Project
from buendnis.meetings import permissions as meeting_permissions

from .models import Circulation, CirculationStatus, Decision, DecisionOutcome, Meeting

# The bodies that decide (the office does not).
DECISION_BODIES = (BodyKind.STEERING, BodyKind.SPEAKERS)
# A circulation has decided once it is evaluated; a withdrawn one decided nothing.
DECIDED_CIRCULATIONS = (CirculationStatus.PASSED, CirculationStatus.FAILED)

MEETING, CIRCULATION = "meeting", "circulation"


@dataclass(frozen=True)
class DecisionFilter:
    """What a caller asks for. `project_id` only matches projects the caller may learn of."""

    body: str | None = None
    project_id: int | None = None
    start: datetime | None = None  # decided at or after
    end: datetime | None = None  # decided before


@dataclass(frozen=True)
class DecisionEntry:
    """One decision of a body, from a meeting or from a circulation."""

    kind: str  # MEETING or CIRCULATION
    pk: int
    decided_at: datetime
    body: Body
    outcome: str
    outcome_label: str
    title: str
    text: str
    project: Project | None
    is_public: bool
    objecting: list[str]
    abstaining: list[str]
    recused: list[str]
    meeting: Meeting | None = None
    item_number: int | None = None
    circulation: Circulation | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.pk}"


def _meeting_decisions(
    alliance: Alliance, *, internal: bool, wanted: DecisionFilter
) -> QuerySet[Decision]:
    decisions = Decision.objects.filter(
        alliance=alliance, item__meeting__body__kind__in=DECISION_BODIES
    )
    if not internal:
        decisions = decisions.filter(meeting_permissions.published_decisions_q())
    if wanted.body:
        decisions = decisions.filter(item__meeting__body__kind=wanted.body)
    if wanted.project_id is not None:
        decisions = decisions.filter(item__project_id=wanted.project_id)
        if not internal:
            decisions = decisions.filter(funding_permissions.public_projects_q("item__project__"))
    if wanted.start is not None:
        decisions = decisions.filter(decided_at__gte=wanted.start)
    if wanted.end is not None:
        decisions = decisions.filter(decided_at__lt=wanted.end)
    return decisions


def _circulation_decisions(
    alliance: Alliance, *, internal: bool, wanted: DecisionFilter
) -> QuerySet[Circulation]:
    circulations = Circulation.objects.filter(
        alliance=alliance, status__in=DECIDED_CIRCULATIONS, closed_at__isnull=False
    )
    if not internal:
        circulations = circulations.filter(meeting_permissions.published_circulations_q())
    if wanted.body:
        circulations = circulations.filter(body__kind=wanted.body)
    if wanted.project_id is not None:
        circulations = circulations.filter(project_id=wanted.project_id)
        if not internal:
            circulations = circulations.filter(funding_permissions.public_projects_q("project__"))
    if wanted.start is not None:
        circulations = circulations.filter(closed_at__gte=wanted.start)
    if wanted.end is not None:
        circulations = circulations.filter(closed_at__lt=wanted.end)
    return circulations


def decision_keys(
    alliance: Alliance, *, internal: bool, wanted: DecisionFilter | None = None
) -> QuerySet[Any]:
    """(kind, id, decided_at) of every decision the caller sees, oldest first: one query, which
    can be counted and sliced (the pagination does both)."""
    wanted = wanted or DecisionFilter()
    kind = CharField(max_length=20)
    meetings = (
        _meeting_decisions(alliance, internal=internal, wanted=wanted)
        .order_by()
        .annotate(entry_kind=Value(MEETING, output_field=kind), entry_at=F("decided_at"))
        .values_list("entry_kind", "id", "entry_at")
    )
    circulations = (
        _circulation_decisions(alliance, internal=internal, wanted=wanted)
        .order_by()
        .annotate(entry_kind=Value(CIRCULATION, output_field=kind), entry_at=F("closed_at"))
        .values_list("entry_kind", "id", "entry_at")
    )
    return meetings.union(circulations, all=True).order_by("entry_at", "entry_kind", "id")


def decision_entries(keys: list[tuple[str, int, datetime]]) -> list[DecisionEntry]:
    """The decisions of `keys` (from `decision_keys`), in that order: one query per kind shown
    (decisions with item, meeting, body and project joined; circulations with body and project)."""
    meeting_ids = [pk for kind, pk, _at in keys if kind == MEETING]
    circulation_ids = [pk for kind, pk, _at in keys if kind == CIRCULATION]
    decisions = (
        {
            decision.pk: decision
            for decision in Decision.objects.filter(pk__in=meeting_ids).select_related(
                "item__meeting__body", "item__project"
            )
        }
        if meeting_ids
        else {}
    )
    circulations = (
        {
            circulation.pk: circulation
            for circulation in Circulation.objects.filter(pk__in=circulation_ids).select_related(
                "body", "project"
            )
        }
        if circulation_ids
        else {}
    )
    entries = []
    for kind, pk, _at in keys:
        if kind == MEETING:
            entries.append(_from_decision(decisions[pk]))
        else:
            entries.append(_from_circulation(circulations[pk]))
    return entries


def decision_entry(alliance: Alliance, key: str, *, internal: bool) -> DecisionEntry | None:
    """One decision by its key (`meeting-12`, `circulation-5`) if the caller sees it: one query."""
    kind, _dash, number = key.partition("-")
    if not number.isdigit():
        return None
    wanted = DecisionFilter()
    if kind == MEETING:
        decision = (
            _meeting_decisions(alliance, internal=internal, wanted=wanted)
            .filter(pk=int(number))
            .select_related("item__meeting__body", "item__project")
            .first()
        )
        return None if decision is None else _from_decision(decision)
    if kind == CIRCULATION:
        circulation = (
            _circulation_decisions(alliance, internal=internal, wanted=wanted)
            .filter(pk=int(number))
            .select_related("body", "project")
            .first()
        )
        return None if circulation is None else _from_circulation(circulation)
    return None


def _names(entries: Any) -> list[str]:
    return [entry["name"] for entry in entries or []]


def _from_decision(decision: Decision) -> DecisionEntry:
    item = decision.item
    meeting = item.meeting
    return DecisionEntry(
        kind=MEETING,
        pk=decision.pk,
        decided_at=decision.decided_at,
        body=meeting.body,
        outcome=decision.outcome,
        outcome_label=decision.get_outcome_display(),
        title=item.title,
        text=decision.text,
        project=item.project,
        is_public=item.is_public and meeting_permissions.is_agenda_published(meeting),
        # Names only: the reasons of objections and recusals stay in the minutes.
        objecting=decision.names("objecting"),
        abstaining=decision.names("abstaining"),
        recused=decision.names("recused"),
        meeting=meeting,
        item_number=item.number,
    )


def _from_circulation(circulation: Circulation) -> DecisionEntry:
    passed = circulation.status == CirculationStatus.PASSED
    outcome = DecisionOutcome.AGREED if passed else DecisionOutcome.NOT_AGREED
    result = circulation.result or {}
    if circulation.closed_at is None:  # pragma: no cover - only evaluated ones are listed
        raise ValueError("Der Umlauf ist noch nicht ausgewertet.")
    return DecisionEntry(
        kind=CIRCULATION,
        pk=circulation.pk,
        decided_at=circulation.closed_at,
        body=circulation.body,
        outcome=outcome,
        outcome_label=str(outcome.label),
        title=circulation.title,
        text=circulation.text,
        project=circulation.project,
        is_public=circulation.is_public,
        # Names only: comments and reasons stay with the internal circle.
        objecting=_names(result.get("objecting")),
        abstaining=_names(result.get("abstaining")),
        recused=_names(circulation.recused),
        circulation=circulation,
    )
