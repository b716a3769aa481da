"""„Partner gesucht“ (/<slug>/partner-gesucht/): the public entries of active ideas whose authors
asked for one — the short text only, never the description or a contact; for everyone."""

import pytest
from django.test import Client

from buendnis.ideas.models import IdeaStatus
from tests.conftest import PERSONAS
from tests.factories import IdeaFactory

pytestmark = pytest.mark.django_db

URL = "/son/partner-gesucht/"


@pytest.fixture
def entries(alliance, other_alliance):
    return {
        "shown": IdeaFactory(
            alliance=alliance,
            title="Fahrschulen gesucht",
            text="Interne Beschreibung mit Details",
            contact_email="geheim@example.org",
            wanted_public=True,
            wanted_text="Wir suchen Fahrschulen im Raum Peine.",
        ),
        "internal": IdeaFactory(alliance=alliance, title="Nur intern"),
        "withdrawn": IdeaFactory(
            alliance=alliance,
            title="Zurückgezogene Idee",
            status=IdeaStatus.WITHDRAWN,
            wanted_public=True,
            wanted_text="Nicht mehr aktuell.",
        ),
        "elsewhere": IdeaFactory(
            alliance=other_alliance,
            title="Idee aus Leine-Weser",
            wanted_public=True,
            wanted_text="Anderswo.",
        ),
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_reads_only_the_public_entries(client_as, entries, persona):
    response = client_as(persona).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Fahrschulen gesucht" in page and "Wir suchen Fahrschulen im Raum Peine." in page
    for hidden in (
        "Interne Beschreibung",
        "geheim@example.org",
        "Nur intern",
        "Zurückgezogene Idee",
        "Idee aus Leine-Weser",
    ):
        assert hidden not in page


def test_a_first_visit_sets_no_cookie(entries):
    response = Client().get(URL)
    assert response.status_code == 200
    assert not response.cookies
