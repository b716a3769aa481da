"""`phases/` with the budget ledger's figures: reserved, committed, paid, available."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from buendnis.budget import services as budget
from buendnis.funding import services
from buendnis.funding.states import Status
from tests.conftest import PERSONAS
from tests.factories import project_in_state

from .conftest import Projects, api_url, get_json

pytestmark = pytest.mark.django_db

FIGURES = ("budget", "reserved", "committed", "paid", "available")


def figures(client: Client, slug: str = "son") -> dict[str, tuple[str, ...]]:
    data = get_json(client, api_url("alliance-phases", slug))
    return {phase["name"]: tuple(phase[name] for name in FIGURES) for phase in data["results"]}


def test_figures_follow_the_procedure(projects: Projects, client: Client) -> None:
    # `projects`: one granted (90 000 committed) and one running (100 000 committed) project in
    # the current phase; the sketch and the idea hold no money yet.
    world = projects.world
    assert figures(client)["Laufende Phase"] == (
        "1500000.00",
        "0.00",
        "190000.00",
        "0.00",
        "1310000.00",
    )

    # The Votum reserves the requested grant ...
    endorsed = project_in_state(world.current, Status.ENDORSED, title="Votum")
    assert figures(client)["Laufende Phase"][1:3] == ("100000.00", "190000.00")
    # ... the bank's decision turns it into a commitment of the granted amount ...
    project_in_state(
        world.current, Status.GRANTED, title="Bewilligt", granted_amount=Decimal("80000.00")
    )
    # ... and the settlement pays the final grant and releases the rest.
    project_in_state(
        world.current, Status.CLOSED, title="Abgerechnet", final_grant=Decimal("70000.00")
    )
    budget.budget_adjust(
        actor=None, phase=world.current, amount=Decimal("250000.00"), note="Aufstockung"
    )

    assert figures(client)["Laufende Phase"] == (
        "1750000.00",
        "100000.00",
        "270000.00",
        "70000.00",
        "1310000.00",
    )
    # A withdrawal gives the reservation back.
    services.project_withdraw(actor=None, project=endorsed, reason="Kein Träger mehr.")
    assert figures(client)["Laufende Phase"][1] == "0.00"
    assert figures(client)["Laufende Phase"][4] == "1410000.00"


def test_other_phases_and_alliances_stay_apart(projects: Projects, client: Client) -> None:
    assert figures(client)["Vorphase"] == (
        "1500000.00",
        "0.00",
        "0.00",
        "0.00",
        "1500000.00",
    )
    # The other alliance's phase of the same name holds its own granted project only.
    other = figures(client, "leine-weser")["Laufende Phase"]
    assert other[2] == str(projects.foreign.granted_amount)
    assert other[4] == str(Decimal("2500000.00") - projects.foreign.granted_amount)


@pytest.mark.parametrize("persona", PERSONAS)
def test_figures_are_public_and_the_same_for_everyone(
    projects: Projects, api_client: Any, persona: str
) -> None:
    client, _user = api_client(persona)
    assert figures(client) == figures(Client())


def test_query_count_with_bookings_stays_pinned(
    projects: Projects, client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for number in range(3):
        project_in_state(projects.world.current, Status.GRANTED, title=f"Mehr {number}")
        project_in_state(projects.world.previous, Status.ENDORSED, title=f"Früher {number}")
    # the alliance; count; the page of phases; the ledger's sums of the page's phases; the
    # volume of the page's phases; the current phase
    with django_assert_num_queries(6):
        response = client.get(api_url("alliance-phases"))
    assert response.status_code == 200


def test_volume_and_leverage(projects: Projects, client: Client) -> None:
    # `projects`: granted (200 000 costs, 90 000 granted) and running (200 000 costs, 100 000
    # granted) count; the sketch and the idea have no Votum yet and set nothing in motion.
    def volume_and_leverage() -> tuple[str, str | None]:
        data = get_json(client, api_url("alliance-phases"))
        [phase] = [row for row in data["results"] if row["name"] == "Laufende Phase"]
        return phase["volume"], phase["leverage"]

    assert volume_and_leverage() == ("400000.00", "2.1")  # 400 000 / 190 000 = 2.105…
    # A closed project counts with its settled costs and grant.
    project_in_state(
        projects.world.current, Status.CLOSED, title="Abgerechnet", final_grant=Decimal("50000.00")
    )
    assert volume_and_leverage() == ("600000.00", "2.5")  # 600 000 / 240 000
    # A withdrawn project leaves the volume and the grants.
    withdrawn = project_in_state(projects.world.current, Status.ENDORSED, title="Zurück")
    services.project_withdraw(actor=None, project=withdrawn, reason="Kein Träger mehr.")
    assert volume_and_leverage() == ("600000.00", "2.5")
    # A phase without grants has no leverage.
    data = get_json(client, api_url("alliance-phases"))
    assert [row["leverage"] for row in data["results"] if row["name"] == "Vorphase"] == [None]
