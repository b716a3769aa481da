"""After the grant, the public project page shows what the project has achieved: the amount paid
out (what the ledger booked, never a request still with the office) and the participants reached,
as sums only. A closed project shows its settlement. Another alliance's figures never show."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from buendnis.accounts.models import User
from buendnis.funding import services as funding
from buendnis.funding.models import Project
from buendnis.funding.states import Status
from buendnis.grants import services as grants

from ..factories import AllianceStructure, applicant_of, project_in_state
from ..grants.results import payment_request, running_with_results, today

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def office(make_persona: Callable[[str], User]) -> User:
    return make_persona("office")


@pytest.fixture
def running(structure: AllianceStructure, office: User) -> Project:
    project = running_with_results(
        structure, office, released=D("50000.00"), entries=15, exits=4, title="Welcome Center"
    )
    # Still with the office: checked, and only submitted. Neither is paid.
    applicant = applicant_of(project)
    checked = payment_request(project, applicant, D("12345.67"), 1)
    grants.payment_request_check(actor=office, request=checked)
    payment_request(project, applicant, D("9876.54"), 2)
    return project


def _page(client: Client, project: Project) -> str:
    response = client.get(f"/{project.alliance.slug}/projekte/{project.reference}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_running_project_shows_what_is_paid_and_the_participants_reached(
    client: Client, running: Project, other_structure: AllianceStructure, make_persona: Any
) -> None:
    foreign = running_with_results(
        other_structure,
        make_persona("outsider"),  # the office of the other alliance
        released=D("33333.33"),
        entries=77,
        exits=31,
        title="Projekt aus Hameln",
    )
    text = _page(client, running)
    assert "Bewilligter Zuschuss" in text and "140.000,00 €" in text
    assert "Ausgezahlt</dt>" in text and "50.000,00 €" in text
    assert '<h2 id="erreicht">Erreicht</h2>' in text
    assert '<dd class="num">15</dd>' in text and '<dd class="num">4</dd>' in text
    # Nothing of the requests still with the office, alone or added up.
    for amount in ("12.345,67", "9.876,54", "62.345,67", "72.222,21", "59.876,54"):
        assert amount not in text
    # Nor anything of the other alliance's project.
    assert "33.333,33" not in text and '<dd class="num">77</dd>' not in text
    # Its own page shows its own.
    foreign_text = _page(client, foreign)
    assert "33.333,33 €" in foreign_text and '<dd class="num">77</dd>' in foreign_text
    assert "50.000,00" not in foreign_text


def test_before_the_grant_and_without_figures_nothing_is_shown(
    client: Client, structure: AllianceStructure
) -> None:
    endorsed = project_in_state(structure, Status.ENDORSED)
    granted = project_in_state(structure, Status.GRANTED, planned_participants=10)
    text = _page(client, endorsed)
    assert "Ausgezahlt" not in text and "Erreicht" not in text
    text = _page(client, granted)
    assert "Ausgezahlt</dt>" in text and "0,00 €" in text
    assert "Erreicht" not in text  # no figures reported yet


def test_a_closed_project_shows_its_settlement_and_final_figures(
    client: Client, structure: AllianceStructure, office: User
) -> None:
    project = running_with_results(
        structure, office, released=D("70000.00"), entries=15, exits=15, title="Abgeschlossen"
    )
    funding.project_close(
        actor=office,
        project=project,
        closed_on=today(),
        final_eligible_costs=D("180000.00"),
        final_grant=D("126000.00"),
        final_report=SimpleUploadedFile("vn.pdf", b"%PDF-1.7\n%%EOF\n"),
        participants_entered=15,
        participants_exited=15,
    )
    text = _page(client, project)
    assert "Abgerechnete förderfähige Kosten" in text and "180.000,00 €" in text
    assert "Abgerechneter Zuschuss" in text
    # The ledger paid the rest of the final grant on closing.
    assert text.count("126.000,00 €") == 2
    assert "Das Projekt ist abgeschlossen" in text
    assert '<dd class="num">15</dd>' in text


def test_the_export_adds_paid_out_and_participants_after_the_grant(
    client: Client, running: Project, structure: AllianceStructure
) -> None:
    import csv
    import io

    endorsed = project_in_state(structure, Status.ENDORSED, title="Mit Votum")
    response = client.get("/son/projekte.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    assert header[-3:] == ["Ausgezahlt (€)", "Teilnehmende (Eintritte)", "Austritte"]
    records = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert records[running.title]["Ausgezahlt (€)"] == "50000,00"
    assert records[running.title]["Teilnehmende (Eintritte)"] == "15"
    assert records[running.title]["Austritte"] == "4"
    assert [records[endorsed.title][name] for name in header[-3:]] == ["", "", ""]
    xlsx = client.get("/son/projekte.xlsx")
    assert xlsx.status_code == 200


def test_the_page_s_last_modified_follows_the_bookings_and_figures(
    client: Client, running: Project, office: User
) -> None:
    """Releasing a tranche or reporting figures does not touch the project row; the page's
    Last-Modified follows them, so no If-Modified-Since from before them gets a 304."""
    from buendnis.budget.models import LedgerEntry

    Project.objects.filter(pk=running.pk).update(updated_at=timezone.now() - timedelta(days=3))
    url = f"/son/projekte/{running.reference}/"
    booked = LedgerEntry.objects.filter(project=running).latest("created_at").created_at
    assert parse_http_date(client.get(url)["Last-Modified"]) == int(booked.timestamp())
    stale = http_date((timezone.now() - timedelta(days=1)).timestamp())
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=stale).status_code == 200
    # The checked request is released: now it counts.
    grants.payment_request_release(actor=office, request=running.payment_requests.get(number=2))
    assert "62.345,67 €" in _page(client, running)
