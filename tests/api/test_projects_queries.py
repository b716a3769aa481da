"""Query counts of the projects API are pinned, per persona, and do not grow with the projects."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries

from buendnis.accounts import tokens
from buendnis.funding.states import Status
from tests.factories import project_in_state

from .conftest import Projects, project_url, projects_url

pytestmark = pytest.mark.django_db

# The five queries of the non-public record, for the projects on the page the caller sees in full:
# co-financing (organisation joined); documents; consultations; outcomes (body joined);
# transitions (actor joined).
RECORD = 5

# Signed in, every count below includes the session authentication's two-factor check: the
# session's verified app (django-otp's OTPMiddleware), or whether the user has one.
LIST = {
    # the alliance; count; the page of projects (alliance, phase, owner, field joined); topics
    "public": 4,
    # session; user; the alliance; the user's roles; count; page; topics; the record
    "office": 8 + RECORD,
    # session; user; the alliance; roles; the organisations they apply for; count; page; topics;
    # the record (of their own projects)
    "applicant": 9 + RECORD,
    # session; user; the alliance; roles (none here); count; page; topics
    "outsider": 8,
}
DETAIL = {
    # the alliance; the project (alliance, phase, owner, field joined); topics
    "public": 3,
    # session; user; the alliance; roles; the project; topics; the record
    "office": 7 + RECORD,
    # session; user; the alliance; roles; their organisations; the project; topics; the record
    "applicant": 8 + RECORD,
    # session; user; the alliance; roles; the project; topics
    "outsider": 7,
}


@pytest.mark.parametrize("persona", list(LIST))
def test_list_query_count(
    projects: Projects,
    api_client: Any,
    django_assert_num_queries: DjangoAssertNumQueries,
    persona: str,
) -> None:
    client, _user = api_client(persona)
    with django_assert_num_queries(LIST[persona]):
        response = client.get(projects_url())
    assert response.status_code == 200


@pytest.mark.parametrize("persona", list(DETAIL))
def test_detail_query_count(
    projects: Projects,
    api_client: Any,
    django_assert_num_queries: DjangoAssertNumQueries,
    persona: str,
) -> None:
    client, _user = api_client(persona)
    with django_assert_num_queries(DETAIL[persona]):
        response = client.get(project_url(projects.granted))
    assert response.status_code == 200


def test_token_costs_what_the_session_costs(
    projects: Projects, api_client: Any, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # The token with its user (one query) and the stamp of last_used_at, instead of session, user
    # and the session's verified app (the two-factor check: a token is its own factor).
    _client, user = api_client("office")
    _token, secret = tokens.token_create(actor=None, user=user, name="Skript")
    with django_assert_num_queries(LIST["office"] - 1):
        response = Client().get(projects_url(), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200


def count(client: Client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


@pytest.mark.parametrize("persona", list(LIST))
def test_list_does_not_grow_with_the_projects(
    projects: Projects, api_client: Any, persona: str
) -> None:
    client, _user = api_client(persona)
    before, shown_before = count(client, projects_url())

    # Public and non-public projects, of the applicant's organisation and of another, with
    # topics, co-financing, documents, outcomes and transitions each.
    world = projects.world
    topics = list(world.beratung.topics.all()[:2])
    for number in range(3):
        for organisation in (world.stadt, world.agentur):
            for status in (Status.ENDORSED, Status.SKETCH_SPEAKERS):
                project = project_in_state(
                    world.current,
                    status,
                    applicant_organisation=organisation,
                    title=f"Mehr {number} {organisation.pk} {status}",
                )
                project.topics.set(topics)
    after, shown_after = count(client, projects_url())

    assert after == before == LIST[persona]
    assert shown_after > shown_before
