"""Every page and every step of the office workspace, for every persona.

The internal circle and the ministry read the board and every project; only the office (and
platform admins) act. Applicants and the office of another alliance get a 403, the public the
login.
"""

from collections.abc import Callable

import pytest
from django.test import Client

from buendnis.alliances.models import Alliance
from buendnis.funding.models import Project
from buendnis.funding.states import Status
from buendnis.portal.office_forms import ACTION_FORMS
from tests.conftest import PERSONAS
from tests.factories import PhaseFactory, project_in_state

BOARD = "/son/intern/vorhaben/"

# persona → status of a GET of the board or a project page
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
# persona → status of a POST of a step; None: the step is theirs (200 refused / 302 done)
ACT = {
    "public": 302,
    "office": None,
    "speaker": 403,
    "member": 403,
    "advisory": 403,
    "applicant": 403,
    "ministry": 403,
    "admin": None,
    "outsider": 403,
}


def test_every_persona_has_an_expectation() -> None:
    assert set(READ) == set(PERSONAS) == set(ACT)


@pytest.fixture
def project(alliance: Alliance) -> Project:
    # The Sprecherkreis discusses the sketch: consultation, outcome and withdrawal are possible.
    return project_in_state(PhaseFactory(alliance=alliance), Status.SKETCH_SPEAKERS)


def _snapshot(project: Project) -> tuple[object, ...]:
    fresh = Project.objects.get(pk=project.pk)
    return (
        fresh.status,
        fresh.version,
        fresh.consultations.count(),
        fresh.outcomes.count(),
        fresh.transitions.count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_board_per_role(persona: str, client_as: Callable[[str], Client], project: Project) -> None:
    response = client_as(persona).get(BOARD)
    assert response.status_code == READ[persona]
    if response.status_code == 302:
        assert response["Location"].startswith("/konto/anmelden/?next=/son/intern/vorhaben/")
    if response.status_code == 200:
        assert project.title in response.content.decode()
        assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_list_per_role(persona: str, client_as: Callable[[str], Client], project: Project) -> None:
    url = f"{BOARD}liste/?phase=&status=sketch_speakers"
    response = client_as(persona).get(url)
    assert response.status_code == READ[persona]
    if response.status_code == 302:
        assert response["Location"].startswith("/konto/anmelden/?next=/son/intern/vorhaben/liste/")
    if response.status_code == 200:
        content = response.content.decode()
        assert project.title in content
        assert response["Cache-Control"].startswith("max-age=0")
        # Steps only for those who may take them.
        assert ("Schritt erfassen" in content) == (ACT[persona] is None)


@pytest.mark.django_db
def test_list_is_read_only(client_as: Callable[[str], Client], project: Project) -> None:
    assert client_as("office").post(f"{BOARD}liste/").status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_project_page_per_role(
    persona: str, client_as: Callable[[str], Client], project: Project
) -> None:
    response = client_as(persona).get(f"{BOARD}{project.reference}/")
    assert response.status_code == READ[persona]
    if response.status_code != 200:
        return
    content = response.content.decode()
    assert project.contact_email in content  # non-public data is part of the workspace
    forms_shown = "/aktion/" in content
    # Action forms only for those who may act.
    assert forms_shown == (ACT[persona] is None)
    if not forms_shown:
        assert "Schritte im Verfahren erfasst die Geschäftsstelle" in content


@pytest.mark.django_db
@pytest.mark.parametrize("action", sorted(ACTION_FORMS))
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_step_per_role(
    persona: str, action: str, client_as: Callable[[str], Client], project: Project
) -> None:
    before = _snapshot(project)
    # An empty form: the office gets it back with the German reasons, nobody else gets that far.
    response = client_as(persona).post(f"{BOARD}{project.reference}/aktion/{action}/", {})
    expected = ACT[persona]
    if expected is None:
        assert response.status_code == 200
        assert "wurde nicht ausgeführt" in response.content.decode()
    else:
        assert response.status_code == expected
    if response.status_code == 302:
        # After the login the person lands on the project page (a POST cannot be replayed).
        assert response["Location"] == f"/konto/anmelden/?next={BOARD}{project.reference}/"
    assert _snapshot(project) == before


@pytest.mark.django_db
def test_steps_are_post_only(client_as: Callable[[str], Client], project: Project) -> None:
    response = client_as("office").get(f"{BOARD}{project.reference}/aktion/withdraw/")
    assert response.status_code == 405


@pytest.mark.django_db
def test_unknown_step_and_project_are_404(
    client_as: Callable[[str], Client], project: Project
) -> None:
    office = client_as("office")
    assert office.post(f"{BOARD}{project.reference}/aktion/submit_sketch/", {}).status_code == 404
    assert office.post(f"{BOARD}{project.reference}/aktion/gibt-es-nicht/", {}).status_code == 404
    assert office.get(f"{BOARD}SON-1999-999/").status_code == 404


@pytest.mark.django_db
def test_project_of_another_alliance_is_404(
    client_as: Callable[[str], Client], other_alliance: Alliance
) -> None:
    foreign = project_in_state(PhaseFactory(alliance=other_alliance), Status.SKETCH_SUBMITTED)
    office = client_as("office")
    assert office.get(f"{BOARD}{foreign.reference}/").status_code == 404
    response = office.post(
        f"{BOARD}{foreign.reference}/aktion/forward/", {"version": foreign.version}
    )
    assert response.status_code == 404
    assert Project.objects.get(pk=foreign.pk).status == Status.SKETCH_SUBMITTED


@pytest.mark.django_db
def test_unknown_alliance_is_404(client_as: Callable[[str], Client]) -> None:
    assert client_as("office").get("/gibt-es-nicht/intern/vorhaben/").status_code == 404
