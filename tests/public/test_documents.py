"""Uploaded agreement documents: only the alliance's internal circle (and the ministry) get them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from buendnis.alliances import services
from tests.conftest import PERSONAS
from tests.factories import OrganisationFactory, PhaseFactory

PDF = b"%PDF-1.7\n%%EOF\n"

# persona → expected status for a document of `alliance`
EXPECTED = {
    "public": 302,  # to the login
    "office": 200,
    "speaker": 200,
    "member": 200,
    "advisory": 200,
    "applicant": 403,
    "ministry": 200,
    "admin": 200,
    "outsider": 403,  # office of the other alliance
}


@pytest.fixture
def agreement(alliance):
    phase = PhaseFactory(alliance=alliance)
    organisation = OrganisationFactory(alliance=alliance, name="Stadt Braunschweig")
    return services.agreement_sign(
        actor=None,
        phase=phase,
        organisation=organisation,
        signed_on=phase.starts_on,
        decision_reference="DS 15-00153",
        document=SimpleUploadedFile("vereinbarung.pdf", PDF),
    )


def test_every_persona_has_an_expectation():
    assert set(EXPECTED) == set(PERSONAS)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_document_download_per_role(persona, client_as, agreement):
    response = client_as(persona).get(agreement.document.url)
    assert response.status_code == EXPECTED[persona]
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == PDF
        assert "attachment" in response["Content-Disposition"]
    elif response.status_code == 302:
        assert response["Location"].startswith("/konto/anmelden/")


@pytest.mark.django_db
def test_unknown_document_is_404(client_as):
    assert (
        client_as("office").get("/media/alliances/1/agreements/gibt-es-nicht.pdf").status_code
        == 404
    )
