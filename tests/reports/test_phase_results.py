"""What a phase's projects have achieved after the grant, on the internal budget dashboard and the
public budget page: paid out against granted (from the ledger, so a request still being checked
counts for nothing) and the participants reached, each project once, never another alliance's."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from buendnis.accounts.models import User
from buendnis.funding import permissions as funding_permissions
from buendnis.funding import services as funding
from buendnis.funding.models import Project
from buendnis.funding.states import Status
from buendnis.grants import selectors
from buendnis.grants import services as grants

from ..factories import AllianceStructure, applicant_of, build_alliance_structure
from ..grants.results import payment_request, running_with_results, today

pytestmark = pytest.mark.django_db

D = Decimal


def text_of(response: Any) -> str:
    assert response.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.fixture
def office(make_persona: Callable[[str], User]) -> User:
    return make_persona("office")


@pytest.fixture
def phase_projects(structure: AllianceStructure, office: User) -> list[Project]:
    first = running_with_results(
        structure, office, released=D("50000.00"), entries=15, exits=4, title="Erstes"
    )
    second = running_with_results(
        structure, office, released=D("20000.00"), entries=6, exits=1, title="Zweites"
    )
    # With the office still: checked, not released. Not paid.
    checked = payment_request(first, applicant_of(first), D("12345.67"), 1)
    grants.payment_request_check(actor=office, request=checked)
    return [first, second]


@pytest.fixture
def foreign(other_alliance: Any, make_persona: Callable[[str], User]) -> Project:
    other = build_alliance_structure(other_alliance, place="Hameln")
    return running_with_results(
        other,
        make_persona("outsider"),  # the other alliance's office
        released=D("33333.33"),
        entries=77,
        exits=31,
        title="Projekt aus Hameln",
    )


def test_both_budget_pages_show_paid_out_against_granted_and_the_participants(
    office: User, phase_projects: list[Project], foreign: Project
) -> None:
    internal = Client()
    internal.force_login(office)
    for text in (
        text_of(internal.get("/son/intern/budget/")),
        text_of(Client().get("/son/budget/")),
    ):
        assert "Bewilligt (gebunden und ausgezahlt) 280.000,00 €" in text
        assert "Davon ausgezahlt 70.000,00 € (25 %)" in text
        assert "Teilnehmende erreicht (Eintritte) 21 Austritte 5" in text
        assert "12.345,67" not in text and "82.345,67" not in text
        assert "33.333,33" not in text and "Teilnehmende erreicht (Eintritte) 77" not in text


def test_a_closed_project_counts_once_and_only_public_projects_count_in_public(
    structure: AllianceStructure, office: User, phase_projects: list[Project], foreign: Project
) -> None:
    closed = running_with_results(
        structure, office, released=D("70000.00"), entries=10, exits=10, title="Abgeschlossen"
    )
    funding.project_close(
        actor=office,
        project=closed,
        closed_on=today(),
        final_eligible_costs=D("180000.00"),
        final_grant=D("126000.00"),
        final_report=SimpleUploadedFile("vn.pdf", b"%PDF-1.7\n%%EOF\n"),
        participants_entered=10,
        participants_exited=10,
    )
    phase = structure.phase.pk
    assert selectors.participants_by_phase([phase])[phase] == selectors.Reached(31, 15)
    # Brought to a non-public state behind the services' back: the public sum leaves it out.
    Project.objects.filter(pk=phase_projects[1].pk).update(status=Status.WITHDRAWN)
    public = selectors.participants_by_phase(
        [phase], projects=funding_permissions.public_projects_q()
    )
    assert public[phase] == selectors.Reached(25, 14)
    assert selectors.participants_by_phase([foreign.phase_id])[foreign.phase_id] == (
        selectors.Reached(77, 31)
    )


def test_the_ministry_overview_counts_running_projects_participants(
    client_as: Callable[[str], Client],
    structure: AllianceStructure,
    phase_projects: list[Project],
    foreign: Project,
) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    from buendnis.reports.overview import overview_rows

    rows = {row.phase.pk: row for row in overview_rows(with_reached=True)}
    ours, theirs = rows[structure.phase.pk], rows[foreign.phase_id]
    assert (ours.participants_entered, ours.participants_exited) == (21, 5)
    assert (theirs.participants_entered, theirs.participants_exited) == (77, 31)
    assert ours.budget.paid == D("70000.00")  # the checked request is not paid
    # Without the extra read: the closed projects' count only (none here).
    plain = {row.phase.pk: row for row in overview_rows()}
    assert plain[structure.phase.pk].participants_entered == 0

    client = client_as("ministry")
    text = text_of(client.get("/ministerium/"))
    assert "21 Eintritte" in text and "77 Eintritte" in text
    workbook = load_workbook(BytesIO(client.get("/ministerium/uebersicht.xlsx").content))
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    by_phase = {
        (row[0], row[1]): dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    ours_row = by_phase[(structure.alliance.name, structure.phase.name)]
    assert (ours_row["Eintritte"], ours_row["Austritte"], ours_row["Ausgezahlt (€)"]) == (
        21,
        5,
        70000,
    )

    # The API keeps `participants` as published (closed projects) and adds what was reached.
    api = client.get("/api/v1/overview/").json()
    phases = {phase["id"]: phase for entry in api["results"] for phase in entry["phases"]}
    assert phases[structure.phase.pk]["participants"]["entered"] == 0
    assert phases[structure.phase.pk]["participants_reached"] == {"entered": 21, "exited": 5}
    assert phases[foreign.phase_id]["participants_reached"] == {"entered": 77, "exited": 31}
