"""The desk (/<slug>/intern/): what waits for the office and for the members, bounded."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance
from buendnis.funding.states import Status
from buendnis.meetings.services import circulations
from buendnis.office import services as office_services
from tests.factories import IdeaFactory, PhaseFactory, project_in_state
from tests.meetings.circulation_setup import MEMBER_ORGANISATION, make_circle

pytestmark = pytest.mark.django_db

DESK = "/son/intern/"


def test_the_office_sees_what_waits_for_it(
    alliance: Alliance, client_as: Callable[[str], object]
) -> None:
    office_services.inquiry_submit_contact(
        alliance=alliance,
        name="Petra Frage",
        email="petra@example.org",
        subject="Förderung für Sprachkurse?",
        message="Gibt es Zuschüsse für Sprachkurse im Betrieb?",
    )
    waiting = project_in_state(PhaseFactory(alliance=alliance), Status.SKETCH_SUBMITTED)
    page = client_as("office").get(DESK).content.decode()  # type: ignore[attr-defined]
    assert "Was heute auf die Geschäftsstelle wartet" in page
    assert "Förderung für Sprachkurse?" in page
    assert waiting.title in page
    assert "Antwortzeiten der Geschäftsstelle" in page
    # Members do not see the office's work.
    member_page = client_as("member").get(DESK).content.decode()  # type: ignore[attr-defined]
    assert "Förderung für Sprachkurse?" not in member_page
    assert "Was auf Sie wartet" in member_page


def test_a_member_sees_the_circulations_their_organisation_has_not_answered(
    alliance: Alliance, make_persona: Callable[[str], User | None]
) -> None:
    circle = make_circle(alliance, make_persona)
    first = circle.open(title="Anschlussprojekt A")
    circle.open(title="Anschlussprojekt B")
    client = circle.client("member")
    page = client.get(DESK).content.decode()
    assert "Anschlussprojekt A" in page and "Anschlussprojekt B" in page
    circulations.circulation_answer(
        actor=circle.user("member"),
        circulation=first,
        organisation=circle.org(MEMBER_ORGANISATION),
        answer="agree",
    )
    page = client.get(DESK).content.decode()
    assert "Anschlussprojekt A" not in page and "Anschlussprojekt B" in page


def test_the_desk_lists_at_most_five_of_a_kind(
    alliance: Alliance, client_as: Callable[[str], object]
) -> None:
    for number in range(7):
        office_services.inquiry_submit_contact(
            alliance=alliance,
            name="Frager",
            email="f@example.org",
            subject=f"Anfrage Nummer {number}",
            message="Text",
        )
    page = client_as("office").get(DESK).content.decode()  # type: ignore[attr-defined]
    assert page.count("Anfrage Nummer") == 5
    assert '<span class="count-pill">7</span>' in page


def test_overlap_hints_reach_the_desk(
    alliance: Alliance, client_as: Callable[[str], object]
) -> None:
    from buendnis.ideas.models import Overlap

    first, second = IdeaFactory(alliance=alliance), IdeaFactory(alliance=alliance)
    Overlap.objects.create(
        alliance=alliance, idea=second, other_idea=first, score=0.7, reasons=["Gleiches Ziel: X"]
    )
    page = client_as("office").get(DESK).content.decode()  # type: ignore[attr-defined]
    assert "Ideen mit neuen Überschneidungen" in page
    assert second.title in page and "Gleiches Ziel: X" in page


def test_a_member_sees_the_newest_meeting_papers(
    alliance: Alliance, client_as: Callable[[str], object]
) -> None:
    from buendnis.meetings.models import AgendaDocument
    from tests.factories import AgendaItemFactory, MeetingFactory, body_of, build_alliance_structure

    build_alliance_structure(alliance, place="Braunschweig")
    meeting = MeetingFactory(alliance=alliance, body=body_of(alliance, "steering"))
    item = AgendaItemFactory(meeting=meeting)
    AgendaDocument.objects.create(
        alliance=alliance, item=item, title="Finanzübersicht Q3", file="x.pdf"
    )
    page = client_as("member").get(DESK).content.decode()  # type: ignore[attr-defined]
    assert "Neue Sitzungsunterlagen" in page and "Finanzübersicht Q3" in page
    assert f"/son/intern/sitzungen/{meeting.pk}/" in page


@pytest.mark.parametrize(
    ("persona", "status"),
    [("office", 302), ("member", 403), ("ministry", 403), ("public", 302), ("outsider", 403)],
)
def test_the_office_sets_a_hint_aside(
    alliance: Alliance, client_as: Callable[[str], object], persona: str, status: int
) -> None:
    from buendnis.ideas.models import Overlap

    first, second = IdeaFactory(alliance=alliance), IdeaFactory(alliance=alliance)
    hint = Overlap.objects.create(
        alliance=alliance, idea=second, other_idea=first, score=0.6, reasons=[]
    )
    client = client_as(persona)
    response = client.post(f"/son/intern/ideen/hinweise/{hint.pk}/erledigt/")  # type: ignore[attr-defined]
    assert response.status_code == status
    hint.refresh_from_db()
    assert (hint.settled_at is not None) is (persona == "office")
    if persona == "office":
        assert second.title not in client.get(DESK).content.decode()  # type: ignore[attr-defined]
