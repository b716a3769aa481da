"""A project's documents download through the permission check: whoever may see the project."""

from collections.abc import Callable

import pytest
from django.test import Client

from buendnis.alliances.models import Alliance
from buendnis.funding.models import Project
from buendnis.funding.states import Status
from tests.conftest import PERSONAS
from tests.factories import PDF_BYTES, PhaseFactory, applicant_of, project_in_state

# persona → status of a document download of a project of `alliance`
EXPECTED = {
    "public": 302,  # to the login
    "office": 200,
    "speaker": 200,
    "member": 200,
    "advisory": 200,
    "applicant": 403,  # an applicant, but not this project's
    "ministry": 200,
    "admin": 200,
    "outsider": 403,
}


def test_every_persona_has_an_expectation() -> None:
    assert set(EXPECTED) == set(PERSONAS)


@pytest.fixture
def project(alliance: Alliance) -> Project:
    return project_in_state(PhaseFactory(alliance=alliance), Status.SKETCH_SUBMITTED)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_project_document_per_role(
    persona: str, client_as: Callable[[str], Client], project: Project
) -> None:
    document = project.documents.get()
    response = client_as(persona).get(document.file.url)
    assert response.status_code == EXPECTED[persona]
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert "attachment" in response["Content-Disposition"]
    elif response.status_code == 302:
        assert response["Location"].startswith("/konto/anmelden/")


@pytest.mark.django_db
def test_the_projects_own_applicant_gets_it(project: Project) -> None:
    client = Client()
    client.force_login(applicant_of(project))
    response = client.get(project.documents.get().file.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES


@pytest.mark.django_db
def test_the_workspace_links_the_document(
    client_as: Callable[[str], Client], project: Project
) -> None:
    content = client_as("speaker").get(f"/son/intern/vorhaben/{project.reference}/").content
    assert project.documents.get().file.url.encode() in content
