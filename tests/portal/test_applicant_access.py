"""Every page of the applicant portal × every persona, and the rights behind the answers.

Decided: the project's applicant and the office (platform admins too) work on a project; the
rest of the alliance's internal circle (Sprecherkreis, Steuerkreis, advisory members) and the
ministry may read it — `can_view_project` — but not edit it or take a step; applicants of other
organisations and everyone outside the alliance get a German 403; the public the login.
"""

from collections.abc import Callable

import pytest
from django.test import Client

from buendnis.accounts import permissions
from buendnis.accounts.models import User
from buendnis.funding import permissions as funding_permissions
from buendnis.funding.models import Project, ProjectDocument
from buendnis.funding.states import ACTIONS, Status
from tests.factories import AllianceStructure, advance

from .test_applicant_support import *  # noqa: F403 - the shared fixtures
from .test_applicant_support import APPLICANT_PERSONAS

pytestmark = pytest.mark.django_db

LIST = {
    "public": 302,
    "office": 200,
    "speaker": 200,
    "member": 200,
    "advisory": 200,
    "applicant": 200,
    "ministry": 200,
    "admin": 200,
    "outsider": 403,
    "other_applicant": 200,
}
CREATE = {
    "public": 302,
    "office": 200,
    "speaker": 403,
    "member": 403,
    "advisory": 403,
    "applicant": 200,
    "ministry": 403,
    "admin": 200,
    "outsider": 403,
    "other_applicant": 200,
}
VIEW = {
    "public": 302,
    "office": 200,
    "speaker": 200,
    "member": 200,
    "advisory": 200,
    "applicant": 200,
    "ministry": 200,
    "admin": 200,
    "outsider": 403,
    "other_applicant": 403,
}
ACT = {
    "public": 302,
    "office": 200,
    "speaker": 403,
    "member": 403,
    "advisory": 403,
    "applicant": 200,
    "ministry": 403,
    "admin": 200,
    "outsider": 403,
    "other_applicant": 403,
}
# The project page, and its documents (served by public.documents through /media/).
PROJECT_VIEW_PAGES = ["", "document"]
PROJECT_ACT_PAGES = [
    "bearbeiten/",
    "kurzskizze/",
    "beschreibung/",
    "ueberarbeitung/",
    "antrag-gestellt/",
    "zurueckziehen/",
    "beratung/",
]


def test_every_persona_has_an_expectation() -> None:
    assert set(LIST) == set(CREATE) == set(VIEW) == set(ACT) == set(APPLICANT_PERSONAS)


def _check(response, expected: int, url: str) -> None:
    assert response.status_code == expected, (url, response.status_code)
    if expected == 302:
        assert response["Location"].startswith(f"/konto/anmelden/?next={url}")
    if expected == 403:
        assert "Kein Zugriff auf diese Seite" in response.content.decode()
    if expected == 200:
        assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("persona", APPLICANT_PERSONAS)
def test_project_list(login: Callable[[str], Client], project: Project, persona: str) -> None:
    url = "/son/vorhaben/"
    response = login(persona).get(url)
    _check(response, LIST[persona], url)
    if response.status_code == 200:
        # The project of the Stadt is listed for its applicant and the internal circle only.
        shown = project.title in response.content.decode()
        assert shown == (persona != "other_applicant")


@pytest.mark.parametrize("persona", APPLICANT_PERSONAS)
def test_project_create_page(
    login: Callable[[str], Client], project: Project, persona: str
) -> None:
    url = "/son/vorhaben/neu/"
    response = login(persona).get(url)
    _check(response, CREATE[persona], url)
    if response.status_code == 200:
        assert "Neues Vorhaben" in response.content.decode()


@pytest.mark.parametrize("persona", APPLICANT_PERSONAS)
@pytest.mark.parametrize("page", PROJECT_VIEW_PAGES)
def test_project_view_pages(
    login: Callable[[str], Client], project: Project, persona: str, page: str
) -> None:
    advance(project, Status.SKETCH_SUBMITTED)
    document = ProjectDocument.objects.get(project=project)
    url = document.file.url if page == "document" else f"/son/vorhaben/{project.reference}/"
    client = login(persona)
    response = client.get(url)
    _check(response, VIEW[persona], url)
    if response.status_code == 200 and page:
        # The project page links the document.
        assert url in client.get(f"/son/vorhaben/{project.reference}/").content.decode()
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("persona", APPLICANT_PERSONAS)
@pytest.mark.parametrize("page", PROJECT_ACT_PAGES)
def test_project_act_pages(
    login: Callable[[str], Client], project: Project, persona: str, page: str
) -> None:
    url = f"/son/vorhaben/{project.reference}/{page}"
    client = login(persona)
    response = client.get(url)
    _check(response, ACT[persona], url)
    if ACT[persona] != 200:
        # Nor does a POST change anything.
        version = Project.objects.get(pk=project.pk).version
        response = client.post(url, {"reason": "x", "confirmed": "1", "title": "Übernommen"})
        assert response.status_code == ACT[persona]
        assert Project.objects.get(pk=project.pk).version == version


def test_readers_see_the_project_without_buttons(
    login: Callable[[str], Client], project: Project
) -> None:
    html = login("speaker").get(f"/son/vorhaben/{project.reference}/").content.decode()
    assert project.title in html
    assert "Angaben bearbeiten" not in html
    assert "Vorhaben zurückziehen" not in html
    html = login("applicant").get(f"/son/vorhaben/{project.reference}/").content.decode()
    assert "Angaben bearbeiten" in html
    assert "Vorhaben zurückziehen" in html


def test_unknown_project_is_404(login: Callable[[str], Client], project: Project) -> None:
    assert login("office").get("/son/vorhaben/SON-1999-999/").status_code == 404
    assert login("admin").get(f"/leine-weser/vorhaben/{project.reference}/").status_code == 404


def test_detail_answers_get_only(login: Callable[[str], Client], project: Project) -> None:
    assert login("office").post(f"/son/vorhaben/{project.reference}/").status_code == 405


@pytest.mark.parametrize("persona", APPLICANT_PERSONAS)
@pytest.mark.parametrize(
    "status",
    [
        Status.IDEA,
        Status.CONSULTATION,
        Status.SKETCH_SPEAKERS,
        Status.REVISION_REQUESTED,
        Status.DESCRIPTION_REQUESTED,
        Status.ENDORSED,
        Status.WITHDRAWN,
    ],
)
def test_project_rights_agree_with_the_single_checks(
    request: pytest.FixtureRequest,
    make_persona: Callable[[str], User | None],
    site: AllianceStructure,
    project: Project,
    persona: str,
    status: str,
) -> None:
    """`funding.permissions.project_rights` answers every question of a page at once; it must say
    what `can_view_project`, `can_edit_project` and `can_perform` say one by one."""
    advance(project, status)
    if persona in ("applicant", "other_applicant"):
        user = request.getfixturevalue(persona)
    else:
        user = make_persona(persona)
    project = Project.objects.select_related("alliance").get(pk=project.pk)
    rights = funding_permissions.project_rights(user, project)
    assert rights.view == funding_permissions.can_view_project(user, project)
    assert rights.edit == funding_permissions.can_edit_project(user, project)
    for action in ACTIONS:
        assert rights.may(action) == funding_permissions.can_perform(user, project, action), action
    assert rights.act == (
        permissions.can_manage(user, project.alliance)
        or funding_permissions.is_project_applicant(user, project)
    )
