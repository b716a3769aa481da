"""Every page and every step of the office's meeting pages, for every persona.

The internal circle and the ministry read the pages; only the office (and platform admins) act,
and only they open the pages that serve nothing but a step (planning, the forms of a meeting or
an item). Applicants and the office of another alliance get a 403, the public the login. A
meeting of another alliance is a 404 even for the office.
"""

from collections.abc import Callable

import pytest
from django.test import Client

from buendnis.alliances.models import Alliance
from buendnis.meetings.models import Meeting
from tests.conftest import PERSONAS
from tests.factories import AllianceStructure, build_alliance_structure
from tests.meetings.office_setup import (
    ROOT,
    Scene,
    build_scene,
    item_url,
    snapshot,
    steering_meeting,
    url,
)

pytestmark = pytest.mark.django_db

# persona → status of a GET of a page that shows the meetings
READ = {
    "public": 302,  # to the login
    "office": 200,
    "speaker": 200,
    "member": 200,
    "advisory": 200,
    "applicant": 403,
    "ministry": 200,
    "admin": 200,
    "outsider": 403,  # every role, but in the other alliance
}
# persona → status of a GET of a page that only serves a step, and of every POST;
# None for a POST: the step is theirs (done, or refused with the German reason)
MANAGE = {
    "public": 302,
    "office": 200,
    "speaker": 403,
    "member": 403,
    "advisory": 403,
    "applicant": 403,
    "ministry": 403,
    "admin": 200,
    "outsider": 403,
}
ACT = {persona: (None if status == 200 else status) for persona, status in MANAGE.items()}


def test_every_persona_has_an_expectation() -> None:
    assert set(READ) == set(PERSONAS) == set(MANAGE) == set(ACT)


@pytest.fixture
def structure(alliance: Alliance) -> AllianceStructure:
    return build_alliance_structure(alliance, place="Braunschweig")


@pytest.fixture
def scene(structure: AllianceStructure) -> Scene:
    return build_scene(structure)


def read_pages(scene: Scene) -> dict[str, str]:
    return {
        "list": ROOT,
        "detail": url(scene.meeting),
        "attendance": url(scene.meeting, "anwesenheit/"),
        "decision": item_url(scene.item, "beschluss/"),
        "minutes": url(scene.meeting, "protokoll/"),
        "minutes_pdf": url(scene.meeting, "protokoll.pdf"),
        # An item's paper, through the platform's document address (a permission check).
        "document": scene.document.file.url,
    }


def manage_pages(scene: Scene) -> dict[str, str]:
    return {
        "plan": f"{ROOT}planen/",
        "create": f"{ROOT}neu/",
        "edit": url(scene.meeting, "bearbeiten/"),
        "item_create": url(scene.meeting, "punkte/neu/"),
        "item_edit": item_url(scene.item, "bearbeiten/"),
        "item_delete": item_url(scene.item, "loeschen/"),
        "item_document": item_url(scene.item, "unterlage/"),
        "item_recusal": item_url(scene.item, "befangenheit/"),
    }


def steps(scene: Scene) -> dict[str, str]:
    """Every address that takes a POST; the deletion of the item last, since the office's POST
    deletes it."""
    pages = manage_pages(scene)
    deletion = pages.pop("item_delete")
    return {
        **pages,
        "invite": url(scene.meeting, "einladen/"),
        "cancel": url(scene.meeting, "absagen/"),
        "close": url(scene.meeting, "abschliessen/"),
        "propose": url(scene.meeting, "tagesordnung/vorschlagen/"),
        "reorder": url(scene.meeting, "tagesordnung/reihenfolge/"),
        "move": item_url(scene.item, "verschieben/"),
        "decision": item_url(scene.item, "beschluss/"),
        "attendance": url(scene.meeting, "anwesenheit/"),
        "attendance_all": url(scene.meeting, "anwesenheit/alle/"),
        "guest_add": url(scene.meeting, "gaeste/"),
        "guest_remove": url(scene.meeting, f"gaeste/{scene.guest.pk}/entfernen/"),
        "minutes": url(scene.meeting, "protokoll/"),
        "minutes_generate": url(scene.meeting, "protokoll/erzeugen/"),
        "minutes_approve": url(scene.meeting, "protokoll/genehmigen/"),
        "item_delete": deletion,
    }


# A POST that would change something if it were let through.
STEP_DATA = {
    "plan": {
        "steering_day_1": "2031-02-19",
        "steering_day_2": "2031-05-21",
        "steering_day_3": "2031-08-20",
        "steering_day_4": "2031-11-19",
        "starts": "10:00",
        "duration": "180",
        "speakers_lead_days": "14",
        "submission_lead_days": "14",
    },
    "cancel": {"reason": "Krankheit der Sprecherin"},
    "move": {"offset": "-1"},
    "guest_add": {"name": "Eva Gast"},
}

# Pages and steps that leave with a redirect elsewhere when the login comes first: a POST cannot
# be replayed, so the login leads back to the meeting.
POST_ONLY = {
    "invite",
    "attendance_all",
    "cancel",
    "close",
    "propose",
    "reorder",
    "move",
    "guest_add",
    "guest_remove",
    "minutes_generate",
    "minutes_approve",
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_read_pages_per_role(
    persona: str, client_as: Callable[[str], Client], scene: Scene
) -> None:
    client = client_as(persona)
    for name, page in read_pages(scene).items():
        response = client.get(page)
        assert response.status_code == READ[persona], name
        if response.status_code == 302:
            assert response["Location"].startswith(f"/konto/anmelden/?next={page}"), name
        if response.status_code == 200:
            assert response["Cache-Control"].startswith("max-age=0"), name
    if READ[persona] == 200:
        detail = client.get(url(scene.meeting)).content.decode()
        assert "Bericht der Geschäftsstelle" in detail
        # Actions only for those who may act.
        acts = "/einladen/" in detail
        assert acts == (ACT[persona] is None)
        if not acts:
            assert "Sie sehen die Sitzung lesend" in detail
            assert "/verschieben/" not in detail
            assert "agenda-order.js" not in detail


@pytest.mark.parametrize("persona", PERSONAS)
def test_step_pages_per_role(
    persona: str, client_as: Callable[[str], Client], scene: Scene
) -> None:
    client = client_as(persona)
    for name, page in manage_pages(scene).items():
        response = client.get(page)
        assert response.status_code == MANAGE[persona], name
        if response.status_code == 302:
            assert response["Location"].startswith(f"/konto/anmelden/?next={page}"), name


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_step_per_role(
    persona: str, client_as: Callable[[str], Client], scene: Scene
) -> None:
    client = client_as(persona)
    expected = ACT[persona]
    for name, address in steps(scene).items():
        before = snapshot(scene.meeting)
        response = client.post(address, STEP_DATA.get(name, {}))
        if expected is None:
            # Theirs: done (a redirect to a page of the meeting) or refused with the reason.
            assert response.status_code in (302, 400, 409), (name, response.status_code)
            if response.status_code == 302:
                assert not response["Location"].startswith("/konto/"), name
            continue
        assert response.status_code == expected, name
        if response.status_code == 302:
            target = url(scene.meeting) if name in POST_ONLY else address
            assert response["Location"] == f"/konto/anmelden/?next={target}", name
        assert snapshot(scene.meeting) == before, name


def test_steps_are_post_only(client_as: Callable[[str], Client], scene: Scene) -> None:
    office = client_as("office")
    for name in POST_ONLY:
        assert office.get(steps(scene)[name]).status_code == 405, name
    assert client_as("member").get(url(scene.meeting, "einladen/")).status_code == 405


def test_meeting_of_another_alliance_is_404(
    client_as: Callable[[str], Client], scene: Scene, other_alliance: Alliance
) -> None:
    foreign_structure = build_alliance_structure(other_alliance, place="Hameln")
    foreign = build_scene(foreign_structure)
    office = client_as("office")
    # The foreign meeting's numbers under this alliance's address.
    for name, page in {**read_pages(foreign), **manage_pages(foreign)}.items():
        if name in ("list", "plan", "create", "document"):
            continue
        local = page.replace("/leine-weser/", "/son/")
        assert office.get(local).status_code == 404, name
    before = snapshot(foreign.meeting)
    for name, address in steps(foreign).items():
        if name in ("plan", "create"):
            continue
        local = address.replace("/leine-weser/", "/son/")
        assert office.post(local, STEP_DATA.get(name, {})).status_code == 404, name
    assert snapshot(foreign.meeting) == before
    # And the other alliance's office cannot open this alliance's meeting.
    assert client_as("outsider").get(url(scene.meeting)).status_code == 403


def test_item_of_another_meeting_is_404(
    client_as: Callable[[str], Client], scene: Scene, structure: AllianceStructure
) -> None:
    other = steering_meeting(structure, hours_ago=48)
    office = client_as("office")
    wrong = f"{url(other)}punkte/{scene.item.pk}/"
    assert office.get(f"{wrong}bearbeiten/").status_code == 404
    assert office.get(f"{wrong}beschluss/").status_code == 404
    assert office.post(f"{wrong}verschieben/", {"offset": "1"}).status_code == 404
    assert office.post(f"{url(other)}gaeste/{scene.guest.pk}/entfernen/").status_code == 404
    assert Meeting.objects.get(pk=other.pk).items.count() == 0


def test_unknown_meeting_and_alliance_are_404(
    client_as: Callable[[str], Client], scene: Scene
) -> None:
    office = client_as("office")
    assert office.get(f"{ROOT}99999/").status_code == 404
    assert office.get("/gibt-es-nicht/intern/sitzungen/").status_code == 404


@pytest.mark.parametrize("persona", ["office", "member", "ministry"])
def test_navigation_links_the_meetings(
    persona: str, client_as: Callable[[str], Client], scene: Scene
) -> None:
    page = client_as(persona).get(ROOT).content.decode()
    assert f'<a href="{ROOT}" aria-current="page">Sitzungen</a>' in page
    # Right after the internal projects link.
    assert page.index("/son/intern/vorhaben/") < page.index(f'<a href="{ROOT}"')
    assert page.index(f'<a href="{ROOT}"') < page.index("/son/intern/budget/")


def test_navigation_hides_the_meetings_from_the_public(client: Client, scene: Scene) -> None:
    assert ROOT not in client.get("/son/").content.decode()
