"""`GET /api/v1/overview/`: the ministry's overview across every alliance — the contract's shape,
the figures (booked through the services), the recognition status, who may read it (token and
session), paging and a pinned number of queries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from buendnis.accounts import tokens
from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance, RecognitionStatus
from buendnis.funding.states import Status
from tests.conftest import PERSONAS
from tests.factories import (
    AllianceFactory,
    PhaseFactory,
    build_alliance_structure,
    project_in_state,
)
from tests.reports.ministry_story import (
    LW_CURRENT,
    LW_CURRENT_STATUSES,
    SON_CURRENT,
    SON_CURRENT_STATUSES,
    Platform,
    build_platform,
)

pytestmark = pytest.mark.django_db

URL = reverse("api:overview")
MINISTRY = "Niedersächsisches Ministerium für Wirtschaft, Verkehr, Bauen und Digitalisierung"
REFUSED = (
    "Die Übersicht über alle Bündnisse ist dem Ministerium und der Plattformverwaltung vorbehalten."
)


@pytest.fixture
def platform(alliance: Alliance, other_alliance: Alliance) -> Platform:
    return build_platform(alliance, other_alliance)


def overview_of(client: Client, **params: Any) -> Any:
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def phases_by_key(data: Any) -> dict[tuple[str, str], Any]:
    return {
        (entry["alliance"]["slug"], phase["name"]): phase
        for entry in data["results"]
        for phase in entry["phases"]
    }


def money_of(expected: dict[str, Any]) -> dict[str, Any]:
    return {
        "budget": {
            name: str(expected[name])
            for name in ("budget", "reserved", "committed", "paid", "available")
        },
        "volume": str(expected["volume"]),
        "grants": str(expected["grants"]),
        "co_financing": str(expected["co_financing"]),
        "leverage": str(expected["leverage"]),
        "participants": dict(
            zip(("planned", "entered", "exited"), expected["participants"], strict=True)
        ),
    }


def shown_money(phase: dict[str, Any]) -> dict[str, Any]:
    return {
        "budget": {key: value for key, value in phase["budget"].items() if key != "virtual_budget"},
        "volume": phase["volume"],
        "grants": phase["grants"],
        "co_financing": phase["co_financing"],
        "leverage": phase["leverage"],
        "participants": phase["participants"],
    }


# --- Shape and figures ---------------------------------------------------------------------------


def test_shape_of_the_contract(client_as: Callable[[str], Client], platform: Platform) -> None:
    data = overview_of(client_as("ministry"))
    assert data["ministry"] == MINISTRY
    assert data["count"] == 2 and data["next"] is None and data["previous"] is None
    assert [entry["alliance"] for entry in data["results"]] == [
        {"slug": "leine-weser", "name": "Fachkräftebündnis Leine-Weser"},
        {"slug": "son", "name": "Fachkräftebündnis SüdOstNiedersachsen"},
    ]
    phase = data["results"][1]["phases"][2]
    assert phase["id"] == platform.son.phase.pk
    assert phase["name"] == platform.son.phase.name
    assert (phase["starts_on"], phase["ends_on"]) == ("2021-07-01", str(platform.son.phase.ends_on))
    assert set(phase) >= {
        "id",
        "name",
        "starts_on",
        "ends_on",
        "recognition",
        "budget",
        "projects_by_status",
        "volume",
        "grants",
        "co_financing",
        "leverage",
        "participants",
        "participants_reached",
    }
    assert set(phase["recognition"]) >= {
        "status",
        "date",
        "reference",
        "virtual_budget",
        "funding_rate",
    }
    assert set(phase["budget"]) == {
        "virtual_budget",
        "budget",
        "reserved",
        "committed",
        "paid",
        "available",
    }
    assert set(phase["participants"]) == {"planned", "entered", "exited"}
    assert set(phase["participants_reached"]) == {"entered", "exited"}
    # Every state of the procedure, zero where none.
    assert set(phase["projects_by_status"]) == set(Status.values)


def test_figures_of_both_alliances(client_as: Callable[[str], Client], platform: Platform) -> None:
    phases = phases_by_key(overview_of(client_as("ministry")))
    son = phases[("son", platform.son.phase.name)]
    assert shown_money(son) == money_of(SON_CURRENT)
    # Money as decimal strings, as everywhere in the API.
    assert son["budget"]["virtual_budget"] == "2000000.00"
    assert son["budget"]["available"] == "1965000.00"
    assert {key: n for key, n in son["projects_by_status"].items() if n} == SON_CURRENT_STATUSES
    assert son["projects"] == 7
    assert son["is_current"] is True

    lw = phases[("leine-weser", platform.lw.phase.name)]
    assert shown_money(lw) == money_of(LW_CURRENT)
    assert {key: n for key, n in lw["projects_by_status"].items() if n} == LW_CURRENT_STATUSES
    earlier = phases[("leine-weser", "2018–2021")]
    assert (earlier["budget"]["reserved"], earlier["volume"], earlier["leverage"]) == (
        "40000.00",
        "80000.00",
        "2.0",
    )
    empty = phases[("son", "2015–2018")]
    assert (empty["budget"]["available"], empty["leverage"], empty["projects"]) == (
        "1500000.00",
        None,
        0,
    )


def test_recognition_of_every_status(
    client_as: Callable[[str], Client], platform: Platform
) -> None:
    phases = phases_by_key(overview_of(client_as("ministry")))
    recognised = phases[("son", platform.son.phase.name)]["recognition"]
    assert recognised["status"] == "recognised"
    assert recognised["status_label"] == "Anerkannt"
    assert recognised["date"] == str(platform.son.phase.recognised_on)
    assert (recognised["virtual_budget"], recognised["funding_rate"]) == ("2000000.00", "70.00")

    applied = phases[("son", "Folgephase")]
    assert applied["recognition"]["status"] == RecognitionStatus.APPLIED
    assert applied["recognition"]["date"] == str(platform.applied_on)
    assert applied["recognition"]["virtual_budget"] == "2400000.00"  # applied for
    assert (applied["budget"]["budget"], applied["is_current"]) == ("2400000.00", False)

    draft = phases[("son", "Entwurf")]["recognition"]
    assert (draft["status"], draft["date"]) == ("draft", None)

    changes = phases[("leine-weser", "Folgephase")]["recognition"]
    assert changes["status"] == "changes_requested"
    assert changes["date"] == changes["decided_on"] == str(platform.changes_decided_on)
    assert changes["applied_on"] == str(platform.applied_on)


def test_answers_stay_german(client_as: Callable[[str], Client], platform: Platform) -> None:
    response = client_as("ministry").get(URL, HTTP_ACCEPT_LANGUAGE="en")
    labels = {
        phase["recognition"]["status_label"]
        for entry in response.json()["results"]
        for phase in entry["phases"]
    }
    assert labels == {
        "Anerkannt",
        "Verlängerung beantragt",
        "In Vorbereitung",
        "Änderungen erbeten",
    }


@override_settings(BUENDNIS_MINISTRY_NAME="Niedersächsisches Ministerium für Wirtschaft, Arbeit")
def test_the_ministry_is_a_setting(client_as: Callable[[str], Client], platform: Platform) -> None:
    data = overview_of(client_as("admin"))
    assert data["ministry"] == "Niedersächsisches Ministerium für Wirtschaft, Arbeit"


def test_paged_by_alliance(client_as: Callable[[str], Client], platform: Platform) -> None:
    client = client_as("ministry")
    first = overview_of(client, limit=1)
    assert first["count"] == 2
    assert [entry["alliance"]["slug"] for entry in first["results"]] == ["leine-weser"]
    assert len(first["results"][0]["phases"]) == 4  # every phase of the alliance
    assert first["next"].endswith("/api/v1/overview/?limit=1&offset=1")
    second = overview_of(client, limit=1, offset=1)
    assert [entry["alliance"]["slug"] for entry in second["results"]] == ["son"]
    assert len(second["results"][0]["phases"]) == 5
    assert overview_of(client, offset=5)["results"] == []


def test_inactive_alliances_are_left_out(
    client_as: Callable[[str], Client], platform: Platform
) -> None:
    gone = AllianceFactory(slug="alt", name="Altbündnis", is_active=False)
    PhaseFactory(alliance=gone)
    data = overview_of(client_as("ministry"))
    assert [entry["alliance"]["slug"] for entry in data["results"]] == ["leine-weser", "son"]


# --- Access --------------------------------------------------------------------------------------

ALLOWED = {"ministry", "admin"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_access_per_persona(
    client_as: Callable[[str], Client], platform: Platform, persona: str
) -> None:
    response = client_as(persona).get(URL)
    if persona == "public":
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
        assert response.json() == {"detail": "Anmeldedaten fehlen."}
    elif persona in ALLOWED:
        assert response.status_code == 200
        assert response.json()["count"] == 2
    else:
        # The office of an alliance too: it sees its own alliance, never the others.
        assert response.status_code == 403
        assert response.json() == {"detail": REFUSED}


def bearer(user: User) -> dict[str, str]:
    _token, secret = tokens.token_create(actor=None, user=user, name="Statistik")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_token_reads_as_its_user(
    make_persona: Callable[[str], User | None], platform: Platform, persona: str
) -> None:
    user = make_persona(persona)
    if user is None:
        response = Client().get(URL, HTTP_AUTHORIZATION="Bearer bp_000000000000_falsch")
        assert response.status_code == 401
        return
    response = Client().get(URL, **bearer(user))
    assert response.status_code == (200 if persona in ALLOWED else 403)
    if persona in ALLOWED:
        assert response.json()["ministry"] == MINISTRY


def test_only_reading(make_persona: Callable[[str], User | None], platform: Platform) -> None:
    ministry = make_persona("ministry")
    assert ministry is not None
    headers = bearer(ministry)
    client = Client()
    for method in (client.post, client.put, client.patch, client.delete):
        response = method(URL, data={}, content_type="application/json", **headers)
        assert response.status_code == 405
        assert "POST" not in response["Allow"]


# --- Queries -------------------------------------------------------------------------------------

# Session; user; the session's verified app (two-factor check, django-otp's OTPMiddleware);
# count of the active alliances; the page of alliances; the phases of the page's
# alliances with the day of the ministry's latest decision; the ledger's sums by phase; the
# projects by phase and state; the co-financing by phase; the participants reached by phase.
QUERIES = 10


def test_query_count_is_pinned_and_constant(
    client_as: Callable[[str], Client],
    platform: Platform,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    client = client_as("ministry")
    with django_assert_num_queries(QUERIES):
        assert client.get(URL).status_code == 200
    third = AllianceFactory(slug="dritte", name="Fachkräftebündnis Drittes")
    structure = build_alliance_structure(third, place="Celle")
    for status in (Status.CLOSED, Status.DECLINED, Status.CONSULTATION):
        project_in_state(structure, status, title=f"Celle {status}")
    PhaseFactory(
        alliance=third,
        name="Folgephase",
        starts_on=date(structure.phase.ends_on.year, 7, 1),
        ends_on=date(structure.phase.ends_on.year + 3, 6, 30),
        recognition_status=RecognitionStatus.DRAFT,
    )
    with django_assert_num_queries(QUERIES):
        response = client.get(URL)
    assert response.json()["count"] == 3
