"""Query counts are pinned per endpoint and do not grow with the data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries

from buendnis.alliances.models import SeatRole
from tests.factories import (
    ActionFieldFactory,
    AgreementFactory,
    AllianceFactory,
    GroupFactory,
    OrganisationFactory,
    PersonFactory,
    PhaseFactory,
    SeatFactory,
    TopicFactory,
)

from .conftest import ENDPOINTS, World, api_url

pytestmark = pytest.mark.django_db

# Each endpoint's queries, named, for an anonymous caller. No persona adds one (the open data read
# no session), except on `phases/` (see SIGNED_IN below).
PINNED = {
    # count of active alliances; the page of them
    "alliance-list": 2,
    # the alliance by slug; its current phase
    "alliance-detail": 2,
    # the alliance; its current phase; count; the page of organisations (group joined,
    # is_partner as an EXISTS subquery)
    "alliance-organisations": 4,
    # the alliance; its bodies; their seats active today (organisation, group, person joined)
    "alliance-bodies": 3,
    # the alliance; count; the page of phases (partner_count as COUNT); the ledger's sums of the
    # page's phases (one GROUP BY); the volume of the page's phases (one GROUP BY); the current
    # phase
    "alliance-phases": 6,
    # the alliance; its current phase; the phase's action fields; all their topics
    "alliance-themes": 4,
}


# `phases/` shows the internal circle the phases not yet recognised, so it reads the session:
# session; user; the session's verified app (django-otp's OTPMiddleware, asked by the session
# authentication's two-factor check); and, unless the user sees every alliance anyway, the
# user's roles.
SIGNED_IN = {("alliance-phases", "office"): 4, ("alliance-phases", "admin"): 3}


@pytest.mark.parametrize("persona", ["public", "office", "admin"])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_query_count(
    world: World,
    client_as: Callable[[str], Client],
    django_assert_num_queries: DjangoAssertNumQueries,
    persona: str,
    endpoint: str,
) -> None:
    client = client_as(persona)
    with django_assert_num_queries(PINNED[endpoint] + SIGNED_IN.get((endpoint, persona), 0)):
        response = client.get(api_url(endpoint))
    assert response.status_code == 200


def test_query_count_themes_of_a_named_phase(
    world: World, client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # the alliance; the phase by name; its action fields; all their topics
    with django_assert_num_queries(4):
        response = client.get(api_url("alliance-themes"), query_params={"phase": "Vorphase"})
    assert response.status_code == 200


def test_query_count_unknown_alliance(
    world: World, client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # the alliance by slug, not found
    with django_assert_num_queries(1):
        response = client.get(api_url("alliance-organisations", "gibt-es-nicht"))
    assert response.status_code == 404


def add_twenty_of_everything(world: World) -> None:
    """20 more alliances, groups, organisations (partners), seats with named people, phases,
    topics with subtopics and action fields."""
    alliance, today = world.alliance, world.today
    for n in range(20):
        AllianceFactory(slug=f"mehr-{n}", name=f"Fachkräftebündnis Mehr {n}")
        group = GroupFactory(alliance=alliance, name=f"Weitere Gruppe {n}", position=n)
        organisation = OrganisationFactory(alliance=alliance, group=group, name=f"Mehr-Org {n}")
        AgreementFactory(phase=world.current, organisation=organisation)
        person = PersonFactory(organisation=organisation, show_name_publicly=True)
        body = (world.steering, world.speakers, world.office)[n % 3]
        role = {
            world.steering.pk: SeatRole.MEMBER,
            world.speakers.pk: SeatRole.DEPUTY_SPEAKER,
            world.office.pk: SeatRole.OFFICE_STAFF,
        }[body.pk]
        SeatFactory(
            body=body,
            organisation=organisation,
            person=person,
            role=role,
            starts_on=world.current.starts_on,
        )
        old = PhaseFactory(
            alliance=alliance,
            name=f"Alte Phase {n}",
            starts_on=today - timedelta(days=5000 + 400 * n),
            ends_on=today - timedelta(days=4700 + 400 * n),
        )
        AgreementFactory(phase=old, organisation=organisation)
        topic = TopicFactory(action_field=world.beratung, title=f"Mehr-Thema {n}", position=10 + n)
        TopicFactory(action_field=world.beratung, parent=topic, title=f"Mehr-Unterthema {n}")
        field = ActionFieldFactory(phase=world.current, title=f"Mehr-Feld {n}", position=10 + n)
        TopicFactory(action_field=field, title=f"Thema im Mehr-Feld {n}")


# What the twentieth new row looks like in each answer.
GROWN = {
    "alliance-list": ["Fachkräftebündnis Mehr 19"],
    "alliance-detail": [],
    "alliance-organisations": ["Mehr-Org 19"],
    "alliance-bodies": ["Mehr-Org 19", "Mehr-Org 18", "Mehr-Org 17"],  # one per body
    "alliance-phases": ["Alte Phase 19"],
    "alliance-themes": ["Mehr-Unterthema 19", "Thema im Mehr-Feld 19"],
}


def count_queries(client: Client, url: str) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_query_count_does_not_grow_with_the_data(
    world: World, client: Client, endpoint: str
) -> None:
    url = api_url(endpoint)
    before, before_body = count_queries(client, url)

    add_twenty_of_everything(world)
    after, after_body = count_queries(client, url)

    assert after == before == PINNED[endpoint]
    # The new rows are in the answer (the detail has nothing that grows).
    for marker in GROWN[endpoint]:
        assert marker not in before_body.decode()
        assert marker in after_body.decode()
