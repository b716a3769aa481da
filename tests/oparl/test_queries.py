"""Query counts are pinned per address and do not grow with the data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from buendnis.funding.states import Status as S
from buendnis.meetings.models import AgendaItem, Meeting, MeetingStatus
from tests.factories import (
    AgendaItemFactory,
    MeetingFactory,
    grow_alliance_structure,
    project_in_state,
)

from .conftest import ROOT, World, build_world

pytestmark = pytest.mark.django_db

# Each list's queries, named (the alliance by slug first, where the address has one).
PINNED = {
    # count of alliances; the page of them (with the newest phase change); their phases
    "body": 3,
    # the alliance with its newest phase change; its phases
    "body/son": 2,
    # alliance; count of bodies; count of organisations; the bodies (newest seat change); their
    # seat ids; the organisations (group joined, has_signed as EXISTS)
    "body/son/organization": 6,
    # alliance; count; people named publicly (newest seat change); their seats
    "body/son/person": 4,
    # alliance; count; meetings (body and minutes joined, newest item/decision change); their
    # public items (decision and project joined)
    "body/son/meeting": 4,
    # alliance; count; projects (was_public as EXISTS); their body-stage outcomes (body joined);
    # their submissions; the decisions behind the outcomes (item and meeting joined); the office
    "body/son/paper": 7,
    # alliance; count; seats (person joined)
    "body/son/membership": 3,
    # alliance; count; items (meeting, decision and project joined)
    "body/son/agendaitem": 3,
    # alliance; count; outcomes (body and project joined); the decisions behind them
    "body/son/consultation": 4,
    # alliance; count; approved minutes (meeting and body joined)
    "body/son/file": 3,
    # alliance; count; phases
    "body/son/legislativeterm": 3,
}


def grow(world: World) -> None:
    """More of everything the lists show."""
    grow_alliance_structure(world.structure, count=6)
    for title in ("Zusatz A", "Zusatz B", "Zusatz C"):
        project_in_state(world.structure, S.RUNNING, title=title)
    steering = world.structure.bodies["steering"]
    for days in (3, 4, 5):
        meeting = MeetingFactory(
            body=steering,
            starts_at=timezone.now() + timedelta(days=days),
            status=MeetingStatus.INVITED,
            invited_at=timezone.now(),
        )
        for _ in range(3):
            AgendaItemFactory(meeting=meeting)


@pytest.mark.parametrize("path", PINNED)
def test_query_count_is_pinned_and_constant(
    db: None, path: str, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    from django.test import Client

    world = build_world()
    with django_assert_num_queries(PINNED[path]):
        Client().get(ROOT + path)
    before = Meeting.objects.count() + AgendaItem.objects.count()
    grow(world)
    assert Meeting.objects.count() + AgendaItem.objects.count() > before
    with django_assert_num_queries(PINNED[path]):
        Client().get(ROOT + path)


DETAILS = {
    # the meeting (body, minutes, alliance joined); its public items
    "meeting": 2,
    # the project (alliance joined); outcomes; submissions; decisions; the office
    "paper": 5,
    # the outcome (body, project, alliance joined); the decisions behind it
    "consultation": 2,
    # the person (alliance joined); their seats
    "person": 2,
}


def test_detail_query_counts(
    world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    from django.test import Client

    from buendnis.meetings.models import Decision

    decision = Decision.objects.get(item__project=world.endorsed)
    addresses = {
        "meeting": f"meeting/{world.scene.held.pk}",
        "paper": f"paper/description-{world.endorsed.pk}",
        "consultation": f"consultation/{decision.body_outcome_id}",
        "person": f"person/{world.speaker.pk}",
    }
    for name, path in addresses.items():
        with django_assert_num_queries(DETAILS[name]):
            response = Client().get(ROOT + path)
        assert response.status_code == 200
