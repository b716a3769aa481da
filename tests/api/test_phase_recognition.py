"""`phases/` with each phase's recognition: the object for every status, and who sees the phases
the ministry has not (yet) recognised — every persona, in both alliances, by session and token."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from buendnis.accounts import tokens
from buendnis.alliances.models import FundingPhase, RecognitionStatus
from tests.conftest import PERSONAS
from tests.factories import PhaseFactory

from .conftest import World, api_url, get_json

pytestmark = pytest.mark.django_db

RECOGNISED = ["Vorphase", "Laufende Phase", "Folgephase"]
UNRECOGNISED = ["Entwurf", "Beantragt", "Nachbesserung", "Abgelehnt"]
OTHER_RECOGNISED = ["Nur Leine-Weser", "Laufende Phase"]
OTHER_UNRECOGNISED = ["Entwurf Leine-Weser"]

# Who sees the phases not (yet) recognised, per alliance: its internal circle, the ministry and
# platform admins. The outsider holds every role, but only in the other alliance.
SEES_UNRECOGNISED = {
    "son": {"office", "speaker", "member", "advisory", "ministry", "admin"},
    "leine-weser": {"outsider", "ministry", "admin"},
}


@dataclass
class Phases:
    world: World
    draft: FundingPhase
    applied: FundingPhase
    changes_requested: FundingPhase
    refused: FundingPhase
    other_draft: FundingPhase


@pytest.fixture
def phases(world: World) -> Phases:
    today = world.today
    world.current.recognition_reference = "MW 31-00452/2018"
    world.current.save()

    def unrecognised(name: str, status: str, offset: int, **fields: Any) -> FundingPhase:
        return PhaseFactory(
            alliance=world.alliance,
            name=name,
            recognition_status=status,
            starts_on=today + timedelta(days=offset),
            ends_on=today + timedelta(days=offset + 1000),
            **fields,
        )

    # The draft runs today already: still not current, since only a recognised phase is.
    draft = unrecognised(
        "Entwurf",
        RecognitionStatus.DRAFT,
        -10,
        virtual_budget=Decimal("2000000.00"),
        funding_rate=Decimal("60.00"),
    )
    applied = unrecognised("Beantragt", RecognitionStatus.APPLIED, 2000)
    changes_requested = unrecognised(
        "Nachbesserung", RecognitionStatus.CHANGES_REQUESTED, 2100, funding_rate=Decimal("62.50")
    )
    refused = unrecognised(
        "Abgelehnt",
        RecognitionStatus.REFUSED,
        2200,
        recognition_reference="MW 31-00999/2026",
    )
    other_draft = PhaseFactory(
        alliance=world.other,
        name="Entwurf Leine-Weser",
        recognition_status=RecognitionStatus.DRAFT,
        starts_on=today + timedelta(days=200),
        ends_on=today + timedelta(days=1200),
    )
    return Phases(world, draft, applied, changes_requested, refused, other_draft)


def results(client: Client, slug: str = "son", **params: str) -> list[dict[str, Any]]:
    data = get_json(client, api_url("alliance-phases", slug), query_params=params)
    rows: list[dict[str, Any]] = data["results"]
    return rows


def by_name(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in rows}


# --- The recognition object -----------------------------------------------------------------------


def test_recognition_object_for_each_status(
    phases: Phases, client_as: Callable[[str], Client]
) -> None:
    world = phases.world
    shown = by_name(results(client_as("office")))

    assert shown["Laufende Phase"]["recognition"] == {
        "status": "recognised",
        "status_label": "Anerkannt",
        "date": (world.today - timedelta(days=420)).isoformat(),
        "reference": "MW 31-00452/2018",
        "virtual_budget": "1500000.00",
        "funding_rate": "50.00",
    }
    # Recognised, but recorded without a date.
    assert shown["Folgephase"]["recognition"]["status"] == "recognised"
    assert shown["Folgephase"]["recognition"]["date"] is None
    # Before the recognition: the budget and rate applied for, no date, no reference.
    assert shown["Entwurf"]["recognition"] == {
        "status": "draft",
        "status_label": "In Vorbereitung",
        "date": None,
        "reference": "",
        "virtual_budget": "2000000.00",
        "funding_rate": "60.00",
    }
    assert shown["Beantragt"]["recognition"]["status"] == "applied"
    assert shown["Beantragt"]["recognition"]["status_label"] == "Verlängerung beantragt"
    assert shown["Nachbesserung"]["recognition"] == {
        "status": "changes_requested",
        "status_label": "Änderungen erbeten",
        "date": None,
        "reference": "",
        "virtual_budget": "1500000.00",
        "funding_rate": "62.50",
    }
    assert shown["Abgelehnt"]["recognition"]["status"] == "refused"
    assert shown["Abgelehnt"]["recognition"]["status_label"] == "Abgelehnt"
    assert shown["Abgelehnt"]["recognition"]["reference"] == "MW 31-00999/2026"
    # Every status of the contract is there, and `id` names each phase.
    assert {row["recognition"]["status"] for row in shown.values()} == set(RecognitionStatus.values)
    assert shown["Entwurf"]["id"] == phases.draft.pk


def test_the_recognition_repeats_the_phase_figures(phases: Phases, client: Client) -> None:
    for row in results(client):
        assert row["recognition"]["virtual_budget"] == row["virtual_budget"]
        assert row["recognition"]["funding_rate"] == row["funding_rate"]
        assert row["recognition"]["date"] == row["recognised_on"]


def test_an_unrecognised_phase_is_never_current(
    phases: Phases, client_as: Callable[[str], Client]
) -> None:
    # The draft runs today, the recognised "Laufende Phase" too: that one is current.
    shown = by_name(results(client_as("office")))
    assert shown["Entwurf"]["is_current"] is False
    assert shown["Laufende Phase"]["is_current"] is True
    assert [name for name, row in shown.items() if row["is_current"]] == ["Laufende Phase"]


# --- Who sees what ---------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["son", "leine-weser"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_unrecognised_phases(
    phases: Phases, client_as: Callable[[str], Client], persona: str, slug: str
) -> None:
    recognised, unrecognised = (
        (RECOGNISED, UNRECOGNISED) if slug == "son" else (OTHER_RECOGNISED, OTHER_UNRECOGNISED)
    )
    names = [row["name"] for row in results(client_as(persona), slug)]

    if persona in SEES_UNRECOGNISED[slug]:
        assert sorted(names) == sorted(recognised + unrecognised)
    else:
        assert names == recognised  # by start, as always


@pytest.mark.parametrize("persona", PERSONAS)
def test_recognised_phases_read_the_same_for_everyone(
    phases: Phases, client_as: Callable[[str], Client], persona: str
) -> None:
    public = results(Client())
    shown = [row for row in results(client_as(persona)) if row["name"] in RECOGNISED]
    assert shown == public


def test_phases_are_ordered_by_start_with_the_unrecognised_among_them(
    phases: Phases, client_as: Callable[[str], Client]
) -> None:
    names = [row["name"] for row in results(client_as("ministry"))]
    assert names == [
        "Vorphase",
        "Laufende Phase",
        "Entwurf",
        "Folgephase",
        "Beantragt",
        "Nachbesserung",
        "Abgelehnt",
    ]


def test_a_token_shows_what_its_user_sees(
    phases: Phases, make_persona: Callable[[str], Any]
) -> None:
    office = make_persona("office")
    applicant = make_persona("applicant")
    _row, office_secret = tokens.token_create(actor=None, user=office, name="Skript")
    _row, applicant_secret = tokens.token_create(actor=None, user=applicant, name="Skript")

    shown = results(Client(HTTP_AUTHORIZATION=f"Bearer {office_secret}"))
    assert {row["name"] for row in shown} == set(RECOGNISED + UNRECOGNISED)
    shown = results(Client(HTTP_AUTHORIZATION=f"Bearer {applicant_secret}"))
    assert {row["name"] for row in shown} == set(RECOGNISED)


def test_an_invalid_token_is_refused(phases: Phases) -> None:
    response = Client(HTTP_AUTHORIZATION="Bearer bp_falsch_falsch").get(api_url("alliance-phases"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_paging_counts_only_what_the_caller_sees(
    phases: Phases, client_as: Callable[[str], Client]
) -> None:
    office = get_json(client_as("office"), api_url("alliance-phases"), query_params={"limit": 3})
    assert office["count"] == 7
    assert [row["name"] for row in office["results"]] == ["Vorphase", "Laufende Phase", "Entwurf"]
    public = get_json(Client(), api_url("alliance-phases"), query_params={"limit": 3})
    assert public["count"] == 3
    assert [row["name"] for row in public["results"]] == RECOGNISED
    assert public["next"] is None


def test_writes_stay_refused_for_the_internal_circle(
    phases: Phases, make_persona: Callable[[str], Any]
) -> None:
    # Reading the session is for reads: a write without a CSRF token is still a 405, not a 403.
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_persona("office"))
    response = client.post(api_url("alliance-phases"), {}, content_type="application/json")
    assert response.status_code == 405


def test_themes_of_an_unrecognised_phase_are_not_open_data(
    phases: Phases, client_as: Callable[[str], Client]
) -> None:
    # The themes read no session: a phase in preparation is unknown there, for everyone.
    for persona in ("public", "office"):
        response = client_as(persona).get(
            api_url("alliance-themes"), query_params={"phase": "Entwurf"}
        )
        assert response.status_code == 404
        assert response.json() == {"detail": "Förderphase nicht gefunden."}


# --- Queries ------------------------------------------------------------------------------------

# The alliance; count; the page of phases; the ledger's sums of the page's phases; the volume of
# the page's phases; the current phase. Signed in, first: session; user; the two-factor check
# (the session's verified app: django-otp's OTPMiddleware; or, without one, whether the user has
# an app); and the user's roles, unless they see every alliance anyway (ministry, admin).
QUERIES = {
    "public": 6,
    "office": 3 + 1 + 6,
    "applicant": 3 + 1 + 6,
    "outsider": 3 + 1 + 6,
    "ministry": 3 + 6,
    "admin": 3 + 6,
}


@pytest.mark.parametrize("persona", list(QUERIES))
def test_query_count_is_pinned_and_does_not_grow(
    phases: Phases,
    client_as: Callable[[str], Client],
    django_assert_num_queries: DjangoAssertNumQueries,
    persona: str,
) -> None:
    client = client_as(persona)
    with django_assert_num_queries(QUERIES[persona]):
        assert client.get(api_url("alliance-phases")).status_code == 200

    today = phases.world.today
    for number in range(10):
        PhaseFactory(
            alliance=phases.world.alliance,
            name=f"Weiterer Entwurf {number}",
            recognition_status=RecognitionStatus.DRAFT,
            starts_on=today + timedelta(days=3000 + number),
            ends_on=today + timedelta(days=4000 + number),
        )
    with django_assert_num_queries(QUERIES[persona]):
        assert client.get(api_url("alliance-phases")).status_code == 200


def test_a_token_costs_the_token_instead_of_the_session(
    phases: Phases,
    make_persona: Callable[[str], Any],
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    _row, secret = tokens.token_create(actor=None, user=make_persona("office"), name="Skript")
    # The token with its user and the stamp of last_used_at instead of session, user and the
    # session's verified app (the two-factor check: a token is its own factor).
    with django_assert_num_queries(QUERIES["office"] - 1):
        response = Client().get(api_url("alliance-phases"), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
