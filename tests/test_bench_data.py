"""The benchmark's generator (scripts/bench_data.py) at small scale: consistent with the rules."""

import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Count, Sum

from buendnis.alliances.models import Alliance, FundingPhase
from buendnis.budget.models import LedgerEntry
from buendnis.budget.selectors import budget_figures, project_balance
from buendnis.funding.models import CoFinancing, Project, Transition
from buendnis.funding.services import proposed_grant
from buendnis.funding.states import PUBLIC_STATES, TRANSITIONS, Status
from buendnis.meetings.models import Decision

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scripts.bench_data import ALLIANCES, generate, path_to  # noqa: E402

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    return generate(alliances=1, projects=60, write_files=False)


def test_counts(data):
    more = generate(alliances=1, start=1, projects=60, write_files=False)
    assert Alliance.objects.count() == 2 == data["alliances"] + more["alliances"]
    assert Project.objects.count() == 120 == data["projects"] + more["projects"]
    assert list(Alliance.objects.order_by("pk").values_list("short_name", flat=True)) == [
        ALLIANCES[0][1],
        ALLIANCES[1][1],
    ]
    for alliance in Alliance.objects.all():
        assert alliance.organisations.count() >= 28
        assert alliance.phases.count() == 3
        assert alliance.bodies.count() == 3
        assert alliance.seats.count() > 30
    assert Transition.objects.count() == data["transitions"] + more["transitions"]
    assert Decision.objects.count() == data["decisions"] + more["decisions"]
    assert data["decisions"] == data["outcomes"]


def test_every_state_and_mostly_public(data):
    states = set(Project.objects.values_list("status", flat=True))
    assert states == set(Status.values)
    public = Project.objects.filter(status__in=PUBLIC_STATES).count()
    assert public > Project.objects.count() / 2


def test_states_and_transitions_follow_the_procedure(data):
    for project in Project.objects.prefetch_related("transitions"):
        moves = [(t.from_status, t.to_status) for t in project.transitions.all()]
        assert all(target in TRANSITIONS[source] for source, target in moves)
        path = path_to(project.status)
        assert [path[0], *[target for _source, target in moves]] == path


def test_amounts_keep_the_rules(data):
    shares = dict(
        CoFinancing.objects.values("project")
        .annotate(total=Sum("amount"))
        .values_list("project", "total")
    )
    for project in Project.objects.select_related("phase"):
        assert isinstance(project.requested_grant, Decimal)
        assert 0 < project.requested_grant <= proposed_grant(project.phase, project.eligible_costs)
        assert project.requested_grant + shares[project.pk] == project.eligible_costs
        if project.granted_amount is not None:
            assert project.granted_amount <= project.requested_grant
        if project.final_grant is not None:
            assert project.final_grant <= project.granted_amount


def test_ledger_never_overdraws_and_matches_states(data):
    for phase in FundingPhase.objects.all():
        figures = budget_figures(phase)
        assert figures.available >= 0
        # Even every reservation ever made fits (the peak of the ledger).
        peak = LedgerEntry.objects.filter(phase=phase, kind="reservation").aggregate(
            s=Sum("reserved_delta")
        )["s"]
        assert (peak or 0) <= phase.virtual_budget
    for project in Project.objects.all():
        balance = project_balance(project.pk)
        if project.status in (Status.ENDORSED, Status.APPLICATION_FILED):
            assert (balance.reserved, balance.committed) == (project.requested_grant, 0)
        elif project.status in (Status.GRANTED, Status.RUNNING):
            assert (balance.reserved, balance.committed) == (0, project.granted_amount)
        elif project.status == Status.CLOSED:
            assert (balance.reserved, balance.committed, balance.paid) == (
                0,
                0,
                project.final_grant,
            )
        else:
            assert (balance.reserved, balance.committed, balance.paid) == (0, 0, 0)


def test_references_unique_and_numbered_per_phase(data):
    references = Project.objects.values("reference").annotate(n=Count("id")).filter(n__gt=1)
    assert not references.exists()
    assert Project.objects.filter(reference="SON-2023-001").exists()
