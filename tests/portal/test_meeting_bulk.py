"""The pages' „Alle anwesend“ and „Alle stimmen zu“: a button each (no script needed), then the
exceptions in the forms that were there before; messages in a status region."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from buendnis.alliances.models import Alliance
from buendnis.meetings.models import Attendance, Decision, DecisionOutcome, Meeting, Presence
from buendnis.meetings.services import agenda, invitations
from tests.factories import AllianceStructure, build_alliance_structure, grow_alliance_structure
from tests.meetings.office_setup import free_item, item_url, steering_meeting, steering_project, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def structure(alliance: Alliance) -> AllianceStructure:
    return build_alliance_structure(alliance, place="Braunschweig")


@pytest.fixture
def office(client_as: Callable[[str], Client]) -> Client:
    return client_as("office")


def invited(structure: AllianceStructure, **fields: Any) -> Meeting:
    meeting = steering_meeting(structure, **fields)
    invitations.meeting_invite(actor=None, meeting=meeting)
    return meeting


def text(response: Any, status: int = 200) -> str:
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


def status_region(html: str) -> str:
    match = re.search(r'<div role="status">(.*?)</div>', html, re.S)
    assert match, "no status region"
    return match.group(1)


def chosen(html: str, value: str) -> int:
    return len(re.findall(rf'name="presence_\d+" value="{value}"[^>]*\schecked>', html))


# --- Alle anwesend -------------------------------------------------------------------------------


def test_all_present_then_the_exceptions(office: Client, structure: AllianceStructure) -> None:
    grow_alliance_structure(structure, count=20)
    meeting = invited(structure)
    page = text(office.get(url(meeting, "anwesenheit/")))
    assert (
        f'<form method="post" action="{url(meeting, "anwesenheit/alle/")}" '
        'class="one-click attendance-all">'
    ) in page
    assert (
        '<button type="submit" class="button button-secondary" '
        'aria-describedby="alle-anwesend-hinweis">Alle anwesend</button>'
    ) in page
    assert "Erfasst alle 29 Organisationen mit Sitz als vertreten" in page
    response = office.post(url(meeting, "anwesenheit/alle/"))
    assert response.status_code == 302
    assert response["Location"] == url(meeting, "anwesenheit/")
    page = text(office.get(response["Location"]))
    assert "Alle Organisationen mit Sitz sind als anwesend erfasst (29 Einträge geändert)." in (
        status_region(page)
    )
    assert chosen(page, Presence.REPRESENTATIVE) == 29
    assert "28 von 28 stimmberechtigten Organisationen" in page
    # The exception in the form as before: one organisation was not there.
    hwk = structure.organisations["hwk"]
    data = {}
    for row in Attendance.objects.filter(meeting=meeting):
        absent = row.organisation_id == hwk.pk
        data[f"presence_{row.organisation_id}"] = (
            Presence.ABSENT if absent else Presence.REPRESENTATIVE
        )
        data[f"name_{row.organisation_id}"] = ""
    assert office.post(url(meeting, "anwesenheit/"), data).status_code == 302
    assert Attendance.objects.get(meeting=meeting, organisation=hwk).presence == Presence.ABSENT
    assert (
        Attendance.objects.filter(meeting=meeting, presence=Presence.REPRESENTATIVE).count() == 28
    )


def test_all_present_before_the_invitation_is_refused_with_the_reason(
    office: Client, structure: AllianceStructure
) -> None:
    meeting = steering_meeting(structure)
    page = text(office.get(url(meeting, "anwesenheit/")))
    assert "Alle anwesend</button>" not in page
    page = text(office.post(url(meeting, "anwesenheit/alle/")), 409)
    assert "Die Anwesenheit wird erfasst, sobald eingeladen ist" in page
    assert not Attendance.objects.filter(meeting=meeting).exists()


@pytest.mark.parametrize("persona", ["member", "speaker", "ministry"])
def test_readers_see_no_button(
    persona: str, client_as: Callable[[str], Client], structure: AllianceStructure
) -> None:
    meeting = invited(structure)
    client = client_as(persona)
    page = text(client.get(url(meeting, "anwesenheit/")))
    assert "Alle anwesend" not in page
    assert client.post(url(meeting, "anwesenheit/alle/")).status_code == 403
    assert set(Attendance.objects.filter(meeting=meeting).values_list("presence", flat=True)) == {
        Presence.ABSENT
    }


def test_the_step_costs_as_many_queries_for_28_seats_as_for_8(
    office: Client, structure: AllianceStructure
) -> None:
    def post(meeting: Meeting) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert office.post(url(meeting, "anwesenheit/alle/")).status_code == 302
        return len(captured.captured_queries)

    eight = post(invited(structure))
    grow_alliance_structure(structure, count=20)
    assert post(invited(structure, hours_ago=2)) == eight


# --- Alle stimmen zu -----------------------------------------------------------------------------


def in_session(office: Client, structure: AllianceStructure) -> Meeting:
    meeting = invited(structure)
    assert office.post(url(meeting, "anwesenheit/alle/")).status_code == 302
    return meeting


def test_everyone_agrees_with_one_button(office: Client, structure: AllianceStructure) -> None:
    grow_alliance_structure(structure, count=20)
    meeting = in_session(office, structure)
    item = free_item(meeting, "Jahresplanung", proposed_decision="Der Steuerkreis beschließt.")
    page = text(office.get(item_url(item, "beschluss/")))
    assert (
        '<button type="submit" class="button" aria-describedby="alle-zu-hinweis">'
        "Alle stimmen zu</button>"
    ) in page
    assert "Alle 28 vertretenen stimmberechtigten Organisationen stimmen zu" in page
    # Its form sends nothing but the proposal.
    form = page.split('class="one-click decision-consensus">', 1)[1].split("</form>", 1)[0]
    assert re.findall(r'name="(\w+)"', form) == ["csrfmiddlewaretoken", "proposal"]
    response = office.post(item_url(item, "beschluss/"), {"proposal": "decide"})
    assert response.status_code == 302
    page = text(office.get(response["Location"]))
    assert "Beschluss zu TOP" in status_region(page)
    decision = Decision.objects.get(item=item)
    assert decision.outcome == DecisionOutcome.AGREED
    assert len(decision.snapshot["agreeing"]) == 28
    assert decision.text == "Der Steuerkreis beschließt."


def test_a_bias_declared_in_the_form(office: Client, structure: AllianceStructure) -> None:
    orgs = structure.organisations
    meeting = in_session(office, structure)
    steering_project(structure)
    [item] = agenda.agenda_propose(actor=None, meeting=meeting)
    page = text(office.get(item_url(item, "beschluss/")))
    union = orgs["union"]
    assert f'name="vote_{union.pk}" value="recused"' in page
    assert f"Einwand von {union.name} oder Grund der Befangenheit" in page
    # Without its reason: refused, and said so.
    refused = office.post(
        item_url(item, "beschluss/"), {"proposal": "decide", f"vote_{union.pk}": "recused"}
    )
    page = text(refused, 400)
    assert f"Bitte nennen Sie den Grund der Befangenheit von {union.name}." in page
    assert not Decision.objects.filter(item=item).exists()
    response = office.post(
        item_url(item, "beschluss/"),
        {
            "proposal": "decide",
            f"vote_{union.pk}": "recused",
            f"objection_{union.pk}": "Mitglied des Trägervereins",
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get(item=item)
    assert decision.outcome == DecisionOutcome.AGREED
    recused = {entry["name"]: entry["reason"] for entry in decision.snapshot["recused"]}
    assert recused[union.name] == "Mitglied des Trägervereins"
    assert union.name not in decision.names("agreeing")


def test_no_button_before_the_meeting_began(office: Client, structure: AllianceStructure) -> None:
    meeting = invited(structure, hours_ago=-24)
    assert office.post(url(meeting, "anwesenheit/alle/")).status_code == 302
    item = free_item(meeting, "Später")
    page = text(office.get(item_url(item, "beschluss/")))
    assert "Alle stimmen zu" not in page
    assert "Die Sitzung hat noch nicht begonnen" in page
