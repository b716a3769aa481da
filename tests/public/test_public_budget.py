"""The public budget (/<slug>/budget/): every phase's figures from the ledger, volume, leverage
and the accessible chart; the same for everyone; no bookings or notes of the ledger."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from buendnis.budget import selectors as budget_selectors
from buendnis.funding.states import Status

from ..conftest import PERSONAS
from ..factories import AllianceStructure, project_in_state

S = Status


@pytest.fixture
def booked(structure: AllianceStructure) -> AllianceStructure:
    """Three projects in the current phase: endorsed (reserved), granted (committed), and one
    still in the procedure (no money, no volume)."""
    project_in_state(structure, S.ENDORSED, eligible_costs=Decimal("100000.00"))
    project_in_state(
        structure,
        S.GRANTED,
        eligible_costs=Decimal("200000.00"),
        granted_amount=Decimal("120000.00"),
    )
    project_in_state(structure, S.SKETCH_STEERING, eligible_costs=Decimal("500000.00"))
    return structure


def _text(response: Any) -> str:
    return response.content.decode()


def test_figures_per_phase(client: Client, booked: AllianceStructure) -> None:
    response = client.get("/son/budget/")
    assert response.status_code == 200
    text = _text(response)
    figures = budget_selectors.budget_figures(booked.phase)
    assert figures.reserved == Decimal("70000.00")
    assert figures.committed == Decimal("120000.00")
    section = text.split(f'id="phase-{booked.phase.pk}"')[1].split("</section>")[0]
    for expected in [
        "2.000.000,00 €",  # virtual budget
        "70.000,00 €",  # reserved
        "120.000,00 €",  # committed
        "1.810.000,00 €",  # available
        "190.000,00 €",  # grants
        "300.000,00 €",  # volume: endorsed and granted, not the sketch
        "1,6",  # leverage 300.000 / 190.000
    ]:
        assert expected in section, expected
    # Every phase is listed, the newest first.
    positions = [
        text.index(f'id="phase-{phase.pk}"')
        for phase in (booked.phase, booked.previous_phase, booked.old_phase)
    ]
    assert positions == sorted(positions)


def test_chart_is_accessible(client: Client, booked: AllianceStructure) -> None:
    text = _text(client.get("/son/budget/"))
    prefix = f"budget-{booked.phase.pk}"
    assert f'role="img" aria-labelledby="{prefix}-title {prefix}-desc"' in text
    assert f'<title id="{prefix}-title">' in text
    assert "Von 2.000.000,00 € sind 0,00 € ausgezahlt, 120.000,00 € gebunden" in text
    # Every phase has its own pattern ids (no clash between the charts).
    assert text.count(f'id="{prefix}-hatch"') == 1


def test_no_ledger_details(client: Client, booked: AllianceStructure) -> None:
    text = _text(client.get("/son/budget/"))
    assert "Gebucht von" not in text and "Vermerk" not in text


@pytest.mark.parametrize("persona", PERSONAS)
def test_same_for_everyone(
    client_as: Callable[[str], Client], persona: str, booked: AllianceStructure
) -> None:
    response = client_as(persona).get("/son/budget/")
    assert response.status_code == 200
    assert "1.810.000,00 €" in _text(response)


def test_alliance_without_phases(client: Client, other_alliance: Any) -> None:
    response = client.get(f"/{other_alliance.slug}/budget/")
    assert response.status_code == 200
    assert "noch keine Förderphase" in _text(response)


def test_unknown_alliance_is_404(client: Client, structure: AllianceStructure) -> None:
    assert client.get("/unbekannt/budget/").status_code == 404


# Alliance; phases with partner count; the ledger's columns by phase; the volume by phase; the
# participants the public projects have reached by phase.
BUDGET_QUERIES = 5


def test_queries_do_not_grow(
    client: Client, structure: AllianceStructure, django_assert_num_queries: Callable[..., Any]
) -> None:
    with django_assert_num_queries(BUDGET_QUERIES):
        client.get("/son/budget/")
    project_in_state(structure, S.GRANTED)
    project_in_state(structure, S.ENDORSED)
    with django_assert_num_queries(BUDGET_QUERIES):
        assert client.get("/son/budget/").status_code == 200
