"""The public part of the meetings on the alliance's public site.

Public items, their decisions and the approved minutes' public part are published; non-public
items, internal notes, the non-public minutes and draft minutes never are — for any persona,
since these are the public pages (members read the rest on the office's pages).
"""

from collections.abc import Callable

import pytest
from django.test import Client

from buendnis.accounts.models import User
from buendnis.meetings.models import AgendaItem, Decision, DecisionOutcome
from tests.conftest import PERSONAS
from tests.factories import AllianceStructure, build_alliance_structure
from tests.meetings.publication_setup import SECRETS, Scene, build_scene

pytestmark = pytest.mark.django_db

LIST = "/son/sitzungen/"


@pytest.fixture
def structure(alliance, other_alliance) -> AllianceStructure:
    return build_alliance_structure(alliance, place="Braunschweig")


@pytest.fixture
def office_user(make_persona: Callable[[str], User | None]) -> User:
    user = make_persona("office")
    assert user is not None
    return user


@pytest.fixture
def scene(structure: AllianceStructure, office_user: User) -> Scene:
    return build_scene(structure, office_user)


def detail(meeting) -> str:
    return f"/son/sitzungen/{meeting.pk}/"


def login(persona: str, office_user: User, client_as: Callable[[str], Client]) -> Client:
    if persona == "office":  # the fixture made that persona already
        client = Client()
        client.force_login(office_user)
        return client
    return client_as(persona)


def assert_no_secret(html: str) -> None:
    leaked = [secret for secret in SECRETS if secret in html]
    assert leaked == []


# --- What is shown ------------------------------------------------------------------------------


def test_list_shows_public_meetings_with_state(client: Client, scene: Scene) -> None:
    html = client.get(LIST).content.decode()
    upcoming, past = html.split('id="vergangene"')
    # Coming: soonest first; the cancelled one marked.
    assert upcoming.index(detail(scene.cancelled)) < upcoming.index(detail(scene.planned))
    assert "Abgesagt" in upcoming and "Geplant" in upcoming
    # Past: the newest first, each with its state.
    assert past.index(detail(scene.approving)) < past.index(detail(scene.held))
    assert "Protokoll genehmigt" in past and "Durchgeführt" in past
    assert "Rathaus Braunschweig, Großer Sitzungssaal" in past
    # The meetings without public part are not there at all.
    assert detail(scene.closed_door) not in html
    assert detail(scene.speakers) not in html
    assert_no_secret(html)


def test_list_links_the_public_calendars(client: Client, scene: Scene) -> None:
    html = client.get(LIST).content.decode()
    assert 'href="/son/sitzungen/steuerkreis.ics"' in html
    assert 'href="/son/sitzungen/sprecherkreis.ics"' in html
    # The private calendar is offered to the internal circle only.
    assert "/son/sitzungen/kalender/" not in html


def test_detail_shows_public_items_decisions_and_approved_minutes(
    client: Client, scene: Scene
) -> None:
    html = client.get(detail(scene.held)).content.decode()
    assert "Bericht der Geschäftsstelle zur Fachkräftesicherung" in html
    assert "Gemeinsame Messe für Zweitbewerber" in html
    # Decisions: outcome, text, who objected, abstained, was recused (names only).
    assert "einvernehmlich beschlossen" in html
    assert "Der Steuerkreis nimmt den Bericht zustimmend zur Kenntnis." in html
    assert "kein Einvernehmen" in html
    assert "Arbeitgeberverband Braunschweig" in html
    assert "Zu teuer für die Betriebe." not in html  # reasons stay in the minutes
    assert "DGB-Region Braunschweig" in html  # abstained
    assert "Handwerkskammer Braunschweig" in html  # recused
    # The public part of the approved minutes.
    assert "Öffentliches Protokoll: Der Bericht wurde vorgestellt." in html
    # The numbering is the agenda's: the non-public third item is left out, not renumbered.
    assert "TOP 1: Bericht" in html and "TOP 2: Gemeinsame" in html
    assert "TOP 3" not in html
    assert 'href="/son/sitzungen/steuerkreis.ics"' in html
    assert f'href="/son/sitzungen/{scene.held.pk}.ics"' in html
    assert_no_secret(html)


def test_draft_minutes_are_not_published(client: Client, scene: Scene) -> None:
    html = client.get(detail(scene.approving)).content.decode()
    assert "Genehmigung des Protokolls" in html
    assert "Das Protokoll wird veröffentlicht, sobald das Gremium es genehmigt hat." in html
    assert_no_secret(html)


def test_agenda_of_a_planned_meeting_waits_for_the_invitation(client: Client, scene: Scene) -> None:
    html = client.get(detail(scene.planned)).content.decode()
    assert "Salzgitter" in html
    assert "Die Tagesordnung wird mit der Einladung veröffentlicht." in html
    assert "Entwurf einer Tagesordnung" not in html


def test_cancelled_meeting_is_marked(client: Client, scene: Scene) -> None:
    html = client.get(detail(scene.cancelled)).content.decode()
    assert "Diese Sitzung ist abgesagt." in html
    assert "Zu wenige Anmeldungen." not in html  # the reason is for the members


def test_navigation_names_the_meetings(client: Client, scene: Scene) -> None:
    html = client.get(LIST).content.decode()
    assert f'<a href="{LIST}" aria-current="page">Sitzungen</a>' in html
    home = client.get("/son/").content.decode()
    assert f'<a href="{LIST}">Sitzungen</a>' in home
    # After "Förderphasen".
    assert home.index("/son/foerderphasen/") < home.index(f'href="{LIST}"')


# --- Who sees what: every persona gets the same public pages ------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_public_pages_are_the_same_for_every_persona(
    persona: str, client_as: Callable[[str], Client], office_user: User, scene: Scene
) -> None:
    client = login(persona, office_user, client_as)
    for url in (LIST, detail(scene.held), detail(scene.approving), detail(scene.cancelled)):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_secret(response.content.decode())
    # Meetings without a public part have no public page, whoever asks.
    assert client.get(detail(scene.closed_door)).status_code == 404
    assert client.get(detail(scene.speakers)).status_code == 404


def test_other_alliance_and_unknown_pages(client: Client, scene: Scene) -> None:
    assert client.get(f"/leine-weser/sitzungen/{scene.held.pk}/").status_code == 404
    assert client.get("/son/sitzungen/999999/").status_code == 404
    assert client.get("/gibt-es-nicht/sitzungen/").status_code == 404
    assert client.post(LIST).status_code == 405


# --- Query counts -------------------------------------------------------------------------------


def grow(scene: Scene, count: int = 15) -> None:
    """More public and non-public items, half of them with a decision."""
    meeting = scene.held
    for number in range(count):
        item = AgendaItem.objects.create(
            alliance=meeting.alliance,
            meeting=meeting,
            position=10 + number,
            title=f"Zusatzpunkt {number:02d}",
            is_public=number % 3 != 0,
        )
        if number % 2:
            Decision.objects.create(
                alliance=meeting.alliance,
                item=item,
                outcome=DecisionOutcome.AGREED,
                text=f"Zusatzbeschluss {number:02d}",
                snapshot={"abstaining": [{"id": 1, "name": f"Enthaltung {number:02d}"}]},
            )


# Anonymous visitors: the alliance by slug; the meetings with a public part with their bodies;
# the bodies with a calendar.
LIST_QUERIES = 3
# The alliance; the meeting with body and minutes; its public items with their decisions.
DETAIL_QUERIES = 3


def test_list_queries(
    client: Client, scene: Scene, django_assert_num_queries: Callable[..., object]
) -> None:
    with django_assert_num_queries(LIST_QUERIES):  # type: ignore[attr-defined]
        assert client.get(LIST).status_code == 200


def test_detail_queries_do_not_grow_with_the_agenda(
    client: Client, scene: Scene, django_assert_num_queries: Callable[..., object]
) -> None:
    with django_assert_num_queries(DETAIL_QUERIES):  # type: ignore[attr-defined]
        assert client.get(detail(scene.held)).status_code == 200
    grow(scene)
    with django_assert_num_queries(DETAIL_QUERIES):  # type: ignore[attr-defined]
        response = client.get(detail(scene.held))
    html = response.content.decode()
    assert "Zusatzpunkt 14" in html and "Zusatzbeschluss 13" in html and "Enthaltung 13" in html
    assert "Zusatzpunkt 12" not in html  # non-public
