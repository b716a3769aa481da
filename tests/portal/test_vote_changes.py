"""Where a change of money or aim since a body's vote is shown (issue 12): the office's project
workspace, its board, list and desk, and the pages of the next body that takes the project up —
the Sprecherkreis' and the Steuerkreis' meeting items, their decision pages, the circulation."""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from buendnis.alliances.models import Alliance
from buendnis.funding import services
from buendnis.funding.models import Project
from buendnis.funding.states import Status
from buendnis.meetings.models import Meeting
from buendnis.meetings.services import agenda, circulations, decisions, planning
from tests.conftest import PERSONAS
from tests.factories import (
    AllianceStructure,
    advance,
    build_alliance_structure,
    hours_ago_today,
    project_in_state,
)
from tests.meetings.office_setup import item_url, record_presence, url, voting

pytestmark = pytest.mark.django_db

BOARD = "/son/intern/vorhaben/"
WARNING = "Achtung: Der beantragte Zuschuss ist seit dem"
TODAY = timezone.localdate().strftime("%d.%m.%Y")
STEERING_VOTE = f"Geändert seit dem Votum des Steuerkreises am {TODAY} (befürwortet)"


@pytest.fixture
def structure(alliance: Alliance) -> AllianceStructure:
    return build_alliance_structure(alliance, place="Braunschweig")


def raised(structure: AllianceStructure, status: str = Status.DESCRIPTION_REQUESTED) -> Project:
    """The issue's project: a sketch of 100.000 € the Steuerkreis approved, then raised to
    1.000.000 € (costs and co-financing to match) and walked on to `status`."""
    project = project_in_state(
        structure,
        Status.DESCRIPTION_REQUESTED,
        title="Welcome Center",
        eligible_costs=Decimal("200000.00"),
        requested_grant=Decimal("100000.00"),
        applicant_organisation=structure.organisations["city"],
    )
    services.project_update(
        actor=None,
        project=project,
        eligible_costs=Decimal("2000000.00"),
        requested_grant=Decimal("1000000.00"),
    )
    services.cofinancing_set(
        actor=None,
        project=project,
        shares=[
            services.Share(
                amount=Decimal("1000000.00"), organisation=project.applicant_organisation
            )
        ],
    )
    if status != Status.DESCRIPTION_REQUESTED:
        advance(project, status)
    return project


def page(client: Client, address: str) -> str:
    response = client.get(address)
    assert response.status_code == 200, address
    return response.content.decode()


def assert_box(html: str, heading: str = STEERING_VOTE) -> None:
    assert heading in html
    assert "100.000,00 €" in html and "1.000.000,00 €" in html
    assert "<strong>erhöht um 900.000,00 €</strong>" in html
    assert WARNING in html


# --- The office -----------------------------------------------------------------------------------


# persona → whether the project workspace opens (the internal circle and the ministry read it)
WORKSPACE = {
    "public": False,
    "office": True,
    "speaker": True,
    "member": True,
    "advisory": True,
    "applicant": False,
    "ministry": True,
    "admin": True,
    "outsider": False,
}


def test_every_persona_has_an_expectation() -> None:
    assert set(WORKSPACE) == set(PERSONAS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_workspace_shows_the_difference_to_whoever_reads_it(
    persona: str, client_as: Callable[[str], Client], structure: AllianceStructure
) -> None:
    project = raised(structure)
    response = client_as(persona).get(f"{BOARD}{project.reference}/")
    if not WORKSPACE[persona]:
        assert response.status_code in (302, 403, 404)
        assert "Geändert seit" not in response.content.decode()
        return
    html = response.content.decode()
    assert_box(html)
    # Each changed term with what was voted and what it is now, in a table with headers.
    assert '<th scope="row" data-label="Angabe">Förderfähige Gesamtkosten</th>' in html
    assert '<th scope="row" data-label="Angabe">Kofinanzierung</th>' in html
    assert "Titel</th>" not in html.split(STEERING_VOTE, 1)[1].split("</section>", 1)[0]


def test_an_unchanged_project_shows_no_box(
    client_as: Callable[[str], Client], structure: AllianceStructure
) -> None:
    project = project_in_state(structure, Status.DESCRIPTION_REQUESTED)
    html = page(client_as("office"), f"{BOARD}{project.reference}/")
    assert "Geändert seit" not in html and "vote-changes" not in html


def test_a_changed_aim_without_money(
    client_as: Callable[[str], Client], structure: AllianceStructure
) -> None:
    project = project_in_state(structure, Status.DESCRIPTION_REQUESTED, goals="Alte Ziele.")
    services.project_update(actor=None, project=project, goals="Ganz neue Ziele.")
    html = page(client_as("office"), f"{BOARD}{project.reference}/")
    assert STEERING_VOTE in html
    assert "Alte Ziele." in html and "Text geändert" in html
    assert WARNING not in html


def test_the_board_list_and_desk_flag_the_project(
    client_as: Callable[[str], Client], structure: AllianceStructure
) -> None:
    """Submitted again, the project waits for the office to forward it: every place where the
    office meets it says what changed."""
    project = raised(structure, Status.DESCRIPTION_SUBMITTED)
    quiet = project_in_state(structure, Status.DESCRIPTION_SUBMITTED, title="Unverändert")
    office = client_as("office")
    flag = f"{STEERING_VOTE}: Beantragter Zuschuss (erhöht um 900.000,00 €)"
    board = page(office, BOARD)
    assert flag in board
    assert "Zuschuss seit dem Beschluss erhöht" in board  # the group "am Zug"
    listed = page(office, f"{BOARD}liste/?status=description_submitted")
    assert flag in listed
    assert listed.count('class="wait-flag change-flag block"') == 1
    desk = page(office, "/son/intern/")
    assert flag in desk
    row = desk.split(quiet.title, 1)[1].split("</li>", 1)[0]
    assert "change-flag" not in row
    assert project.title in desk


# --- The next body ------------------------------------------------------------------------------


def speakers_meeting(structure: AllianceStructure) -> Meeting:
    start = hours_ago_today()
    return planning.meeting_create(
        actor=None,
        body=structure.bodies["speakers"],
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )


def steering_meeting(structure: AllianceStructure) -> Meeting:
    start = hours_ago_today()
    return planning.meeting_create(
        actor=None,
        body=structure.bodies["steering"],
        starts_at=start,
        ends_at=start + timedelta(hours=3),
    )


@pytest.mark.parametrize("persona", ["office", "speaker", "member", "advisory", "ministry"])
def test_the_sprecherkreis_sees_it_on_its_item_and_decision_page(
    persona: str, client_as: Callable[[str], Client], structure: AllianceStructure
) -> None:
    project = raised(structure, Status.DESCRIPTION_SPEAKERS)
    meeting = speakers_meeting(structure)
    [item] = agenda.agenda_propose(actor=None, meeting=meeting)
    record_presence(meeting, [structure.organisations[key] for key in ("agency", "union")])
    client = client_as(persona)
    detail = page(client, url(meeting))
    assert_box(detail)
    assert detail.index(project.title) < detail.index(STEERING_VOTE)
    assert_box(page(client, item_url(item, "beschluss/")))


def test_the_steuerkreis_reads_it_against_its_own_vote(
    client_as: Callable[[str], Client], structure: AllianceStructure
) -> None:
    """The Sprecherkreis recommended the raised description, so against the latest vote nothing
    changed; the Steuerkreis approved 100.000 € and is shown the difference to its own vote,
    until it has decided."""
    project = raised(structure, Status.DESCRIPTION_STEERING)
    meeting = steering_meeting(structure)
    [item] = agenda.agenda_propose(actor=None, meeting=meeting)
    office = client_as("office")
    detail = page(office, url(meeting))
    assert_box(detail)
    assert "Geändert seit der Empfehlung des Sprecherkreises" not in detail
    assert_box(page(office, item_url(item, "beschluss/")))
    # A free item has none.
    free = agenda.agenda_item_create(actor=None, meeting=meeting, title="Bericht")
    assert "Geändert seit" not in page(office, item_url(free, "beschluss/"))
    # Decided: the Votum takes the raised amount, and nothing is left to flag.
    record_presence(meeting, voting(structure))
    decisions.decision_record(actor=None, item=item, proposal=decisions.Proposal.DECIDE)
    project.refresh_from_db()
    assert project.status == Status.ENDORSED
    assert "Geändert seit" not in page(office, item_url(item, "beschluss/"))
    assert "Geändert seit" not in page(office, url(meeting))
    assert "Geändert seit" not in page(office, f"{BOARD}{project.reference}/")


@pytest.mark.parametrize("persona", ["office", "member", "ministry"])
def test_the_circulation_shows_it_to_those_who_answer(
    persona: str, client_as: Callable[[str], Client], structure: AllianceStructure
) -> None:
    project = raised(structure, Status.DESCRIPTION_STEERING)
    circulation = circulations.circulation_open(
        actor=None,
        alliance=structure.alliance,
        title="Welcome Center",
        text="Der Steuerkreis befürwortet das Vorhaben.",
        deadline=timezone.now() + timedelta(days=5),
        project=project,
    )
    address = f"/son/intern/umlaufbeschluesse/{circulation.pk}/"
    assert_box(page(client_as(persona), address))


def test_a_closed_circulation_shows_no_box(
    client_as: Callable[[str], Client], structure: AllianceStructure
) -> None:
    project = raised(structure, Status.DESCRIPTION_STEERING)
    circulation = circulations.circulation_open(
        actor=None,
        alliance=structure.alliance,
        title="Welcome Center",
        text="Der Steuerkreis befürwortet das Vorhaben.",
        deadline=timezone.now() + timedelta(days=5),
        project=project,
    )
    circulations.circulation_cancel(
        actor=None, circulation=circulation, reason="Doch in der Sitzung"
    )
    html = page(client_as("office"), f"/son/intern/umlaufbeschluesse/{circulation.pk}/")
    assert "Geändert seit" not in html
