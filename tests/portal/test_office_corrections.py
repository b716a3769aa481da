"""The office corrects a recorded consultation or body outcome on its own page of the workspace:
`<reference>/beratung/<id>/korrigieren/` and `<reference>/ergebnis/<id>/korrigieren/`. Only the
office (and platform admins) open them; the workspace then shows „korrigiert am … (vorher: …)“.
"""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from buendnis.alliances.models import Alliance
from buendnis.core.models import AuditEntry
from buendnis.demo.clock import as_of, moment
from buendnis.funding.models import BodyOutcome, Consultation, Project
from buendnis.funding.states import Status
from tests.conftest import PERSONAS
from tests.factories import project_in_state, running_phase

BOARD = "/son/intern/vorhaben/"
TODAY = timezone.localdate()
AGO_30 = TODAY - timedelta(days=30)

# persona → status of a GET of a correction page and of a valid POST
ACCESS = {
    "public": (302, 302),  # to the login
    "office": (200, 302),  # the form; saved, back to the project
    "speaker": (403, 403),
    "member": (403, 403),
    "advisory": (403, 403),
    "applicant": (403, 403),
    "ministry": (403, 403),
    "admin": (200, 302),
    "outsider": (403, 403),  # every role, but in the other alliance
}


def test_every_persona_has_an_expectation() -> None:
    assert set(ACCESS) == set(PERSONAS)


@pytest.fixture
def project(alliance: Alliance) -> Project:
    """Walked a month ago to the Steuerkreis (consultation and Sprecherkreis on that day)."""
    with as_of(moment(AGO_30, 10), restamp=False):
        return project_in_state(running_phase(alliance), Status.SKETCH_STEERING)


def consultation_url(project: Project, pk: int | None = None) -> str:
    pk = pk or project.consultations.get().pk
    return f"{BOARD}{project.reference}/beratung/{pk}/korrigieren/"


def outcome_url(project: Project, pk: int | None = None) -> str:
    pk = pk or project.outcomes.get().pk
    return f"{BOARD}{project.reference}/ergebnis/{pk}/korrigieren/"


def consultation_data(**changes: str) -> dict[str, str]:
    return {
        "held_on": AGO_30.isoformat(),
        "participants": "Geschäftsstelle (M. Lindner), Träger",
        "notes": "",
        "reason": "Teilnehmende ergänzt",
        **changes,
    }


def outcome_data(**changes: str) -> dict[str, str]:
    return {
        "decided_on": AGO_30.isoformat(),
        "reference": "Sitzung vom 1. des Monats, TOP 4",
        "reason": "Fundstelle berichtigt",
        **changes,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("kind", ["consultation", "outcome"])
def test_correction_pages_per_role(
    persona: str, kind: str, client_as: Callable[[str], Client], project: Project
) -> None:
    url = consultation_url(project) if kind == "consultation" else outcome_url(project)
    data = consultation_data() if kind == "consultation" else outcome_data()
    read, write = ACCESS[persona]
    client = client_as(persona)
    response = client.get(url)
    assert response.status_code == read
    if read == 302:
        assert response["Location"] == f"/konto/anmelden/?next={url}"
    if read == 200:
        assert "Grund der Korrektur" in response.content.decode()
        assert response["Cache-Control"].startswith("max-age=0")
    response = client.post(url, data)
    assert response.status_code == write
    corrected = AuditEntry.objects.filter(action__endswith=".correct").exists()
    assert corrected == (persona in ("office", "admin"))
    if persona in ("office", "admin"):
        anchor = "beratungen" if kind == "consultation" else "ergebnisse"
        assert response["Location"] == f"{BOARD}{project.reference}/#{anchor}"


@pytest.mark.django_db
def test_a_record_of_another_project_or_alliance_is_404(
    client_as: Callable[[str], Client], project: Project, other_alliance: Alliance
) -> None:
    office = client_as("office")
    other = project_in_state(project.phase, Status.CONSULTATION)
    foreign = project_in_state(running_phase(other_alliance), Status.SKETCH_STEERING)
    assert office.get(consultation_url(project, other.consultations.get().pk)).status_code == 404
    assert office.get(f"{BOARD}{foreign.reference}/beratung/1/korrigieren/").status_code == 404
    assert office.get(outcome_url(foreign)).status_code == 404
    assert office.get(outcome_url(project, 999999)).status_code == 404
    # The other alliance's office cannot correct ours either (403 on the page already).
    assert client_as("outsider").get(outcome_url(project)).status_code == 403


@pytest.mark.django_db
def test_a_correction_shows_on_the_workspace_with_the_old_values(
    client_as: Callable[[str], Client], project: Project
) -> None:
    office = client_as("office")
    Consultation.objects.filter(project=project).update(held_on=date(1999, 1, 1))
    new_day = AGO_30
    response = office.post(
        consultation_url(project),
        consultation_data(held_on=new_day.isoformat(), reason="Datum falsch übernommen"),
        follow=True,
    )
    content = response.content.decode()
    assert "Die Korrektur ist gespeichert" in content
    assert f"korrigiert am {TODAY:%d.%m.%Y}" in content
    assert "(vorher: 01.01.1999; Teilnehmende „Geschäftsstelle, Träger“)" in content
    assert "Grund: Datum falsch übernommen" in content
    assert Consultation.objects.get(project=project).held_on == new_day
    # The correction page lists it too.
    assert "(vorher: 01.01.1999" in office.get(consultation_url(project)).content.decode()
    # Readers of the workspace see the correction, not the link to correct.
    member = client_as("member").get(f"{BOARD}{project.reference}/").content.decode()
    assert "(vorher: 01.01.1999" in member
    assert "/korrigieren/" not in member


@pytest.mark.django_db
def test_a_refused_correction_keeps_what_was_typed(
    client_as: Callable[[str], Client], project: Project
) -> None:
    office = client_as("office")
    row = project.outcomes.get()
    response = office.post(
        outcome_url(project), outcome_data(decided_on=date(2020, 1, 1).isoformat())
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Das Datum des Ergebnisses liegt zu früh: frühestens am" in content
    assert "Sitzung vom 1. des Monats, TOP 4" in content  # nothing typed is lost
    assert BodyOutcome.objects.get(pk=row.pk).decided_on == row.decided_on
    response = office.post(outcome_url(project), outcome_data(reason=""))
    assert "Dieses Feld ist zwingend erforderlich." in response.content.decode()
    assert not AuditEntry.objects.filter(action__endswith=".correct").exists()


@pytest.mark.django_db
def test_the_workspace_links_each_record_to_its_correction(
    client_as: Callable[[str], Client], project: Project
) -> None:
    content = client_as("office").get(f"{BOARD}{project.reference}/").content.decode()
    assert consultation_url(project) in content
    assert outcome_url(project) in content
    assert "(Sprecherkreis am" in content  # the link names its record for screen readers
