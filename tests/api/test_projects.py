"""Reading projects: who sees which project, and which of its fields, per persona."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from buendnis.api.project_serializers import PUBLIC_FIELDS, RESTRICTED_FIELDS
from buendnis.funding import services
from buendnis.funding.states import Status
from tests.conftest import PERSONAS
from tests.factories import pdf_upload, project_in_state

from .conftest import Projects, get_json, project_url, projects_url

pytestmark = pytest.mark.django_db

INTERNAL = ["office", "speaker", "member", "advisory", "ministry", "admin"]
FULL = PUBLIC_FIELDS | RESTRICTED_FIELDS


def expected_view(persona: str) -> dict[str, str]:
    """Project (fixture attribute) → "full" or "public", for the projects the persona sees."""
    if persona in INTERNAL:
        return {"granted": "full", "running": "full", "sketch": "full", "idea": "full"}
    if persona == "applicant":  # applies for Stadt Braunschweig: granted and sketch are theirs
        return {"granted": "full", "running": "public", "sketch": "full"}
    return {"granted": "public", "running": "public"}  # public, outsider


def view_of(answer: dict[str, Any]) -> str:
    keys = set(answer)
    if keys == FULL:
        return "full"
    assert keys == PUBLIC_FIELDS, keys ^ PUBLIC_FIELDS
    return "public"


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_per_persona(projects: Projects, api_client: Any, persona: str) -> None:
    client, _user = api_client(persona)

    data = get_json(client, projects_url())

    titles = {getattr(projects, name).title: view for name, view in expected_view(persona).items()}
    assert data["count"] == len(titles)
    assert {p["title"]: view_of(p) for p in data["results"]} == titles
    # By reference; never another alliance's project.
    references = [p["reference"] for p in data["results"]]
    assert references == sorted(references)
    assert "Leine-Weser-Projekt" not in str(data)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", ["granted", "running", "sketch", "idea", "foreign"])
def test_detail_per_persona(projects: Projects, api_client: Any, persona: str, name: str) -> None:
    client, _user = api_client(persona)
    project = getattr(projects, name)

    response = client.get(project_url(project))

    view = expected_view(persona).get(name)
    if view is None:  # not visible (or another alliance's): 404, not even confirming it exists
        assert response.status_code == 404
        assert response.json() == {"detail": "Vorhaben nicht gefunden."}
        return
    assert response.status_code == 200
    data = response.json()
    assert view_of(data) == view
    assert data["id"] == project.pk
    assert data["url"] == f"http://testserver/api/v1/alliances/son/projects/{project.pk}/"
    if view == "public":
        assert project.contact_email not in response.content.decode()


def test_public_fields(projects: Projects, client: Client) -> None:
    project = projects.granted

    data = get_json(client, project_url(project))

    assert data == {
        "id": project.pk,
        "url": f"http://testserver/api/v1/alliances/son/projects/{project.pk}/",
        "reference": project.reference,
        "title": "Welcome Center",
        "summary": "Beratung kleiner und mittlerer Unternehmen zur Fachkräftesicherung.",
        "status": "granted",
        "status_label": "Bewilligt",
        "phase": "Laufende Phase",
        "applicant_organisation": "Stadt Braunschweig",
        "action_field": "Beratungsinfrastruktur",
        "topics": [],
        "funding_priority": "structural",
        "funding_priority_label": "Strukturprojekt",
        "starts_on": projects.world.current.starts_on.isoformat(),
        "ends_on": projects.world.current.ends_on.isoformat(),
        # Money as decimal strings, never floats.
        "eligible_costs": "200000.00",
        "requested_grant": "100000.00",
        "granted_amount": "90000.00",
        "region": "Braunschweig",
    }


def test_full_record_for_the_office(projects: Projects, api_client: Any) -> None:
    world = projects.world
    project = project_in_state(
        world.current,
        Status.REVISION_REQUESTED,
        applicant_organisation=world.stadt,
        title="Zweitbewerber-Börse",
        contact_name="Petra Praktisch",
        contact_phone="0531 123456",
    )
    client, _user = api_client("office")

    data = get_json(client, project_url(project))

    assert data["status"] == "revision_requested"
    assert data["status_label"] == "In Überarbeitung"  # the public's words
    assert data["internal_status_label"] == "Überarbeitung angefordert"  # the office's
    assert data["return_status"] == "sketch_submitted"
    assert data["version"] == project.version
    assert (data["contact_name"], data["contact_phone"]) == ("Petra Praktisch", "0531 123456")
    assert data["cofinancing"] == [
        {
            "payer": "Stadt Braunschweig",
            "organisation": "Stadt Braunschweig",
            "name": "",
            "amount": "100000.00",
        }
    ]
    assert data["cofinancing_total"] == "100000.00"
    assert [(d["kind"], d["version"]) for d in data["documents"]] == [("sketch", 1)]
    # The stored name (the storage may add a suffix to a name it already holds).
    name = data["documents"][0]["file_name"]
    assert name.startswith("v1-skizze") and name.endswith(".pdf")
    assert data["consultations"] == [
        {"held_on": world.today.isoformat(), "participants": "Geschäftsstelle, Träger", "notes": ""}
    ]
    assert data["outcomes"] == [
        {
            "body": "Sprecherkreis",
            "body_kind": "speakers",
            "stage_status": "sketch_speakers",
            "outcome": "revision",
            "outcome_label": "zur Überarbeitung zurück",
            "decided_on": world.today.isoformat(),
            "reference": "Sitzung 1, TOP 3",
            "reasons": "Bitte die Zielgruppe genauer beschreiben.",
        }
    ]
    assert [(t["from_status"], t["to_status"]) for t in data["transitions"]] == [
        ("idea", "consultation"),
        ("consultation", "sketch_submitted"),
        ("sketch_submitted", "sketch_speakers"),
        ("sketch_speakers", "revision_requested"),
    ]
    last = data["transitions"][-1]
    assert last["to_label"] == "Überarbeitung angefordert"
    assert last["comment"].startswith("Sprecherkreis: zur Überarbeitung zurück")


def test_documents_keep_every_version(projects: Projects, api_client: Any) -> None:
    project = project_in_state(
        projects.world.current, Status.REVISION_REQUESTED, title="Zwei Fassungen"
    )
    services.project_resubmit(actor=None, project=project, document=pdf_upload("neu.pdf"))
    client, _user = api_client("office")

    data = get_json(client, project_url(project))

    assert [(d["kind"], d["version"]) for d in data["documents"]] == [
        ("sketch", 2),
        ("sketch", 1),
    ]


def test_applicant_sees_what_they_created(projects: Projects, api_client: Any) -> None:
    # `created_by` makes the creator the project's applicant, whatever their organisation.
    world = projects.world
    client, user = api_client("applicant")
    project = project_in_state(
        world.current, Status.IDEA, applicant_organisation=world.agentur, title="Eigene Idee"
    )
    project.created_by = user
    project.save(update_fields=["created_by"])

    data = get_json(client, project_url(project))

    assert view_of(data) == "full"


def test_applicant_of_another_organisation(projects: Projects, make_persona: Any) -> None:
    from buendnis.accounts.models import Membership, Role

    # An applicant for the Agentur: the running project is theirs, the sketch is not.
    user = make_persona("applicant")
    Membership.objects.filter(user=user, role=Role.APPLICANT).update(
        organisation=projects.world.agentur
    )
    client = Client()
    client.force_login(user)

    data = get_json(client, projects_url())

    assert {p["title"]: view_of(p) for p in data["results"]} == {
        "Welcome Center": "public",
        "Stille Reserve": "full",
        "Noch geheim": "full",
    }
    assert client.get(project_url(projects.sketch)).status_code == 404


def test_applicant_role_without_organisation_sees_the_public_ones(
    projects: Projects, make_persona: Any
) -> None:
    client = Client()
    client.force_login(make_persona("applicant"))  # no organisation on the role

    data = get_json(client, projects_url())

    assert {p["title"]: view_of(p) for p in data["results"]} == {
        "Welcome Center": "public",
        "Stille Reserve": "public",
    }


@pytest.mark.parametrize("persona", ["public", "outsider", "admin"])
def test_other_alliances_project_under_its_own_slug(
    projects: Projects, api_client: Any, persona: str
) -> None:
    client, _user = api_client(persona)

    # Under this alliance's slug it does not exist ...
    assert client.get(project_url(projects.foreign)).status_code == 404
    # ... under its own it is public (granted) ...
    data = get_json(client, project_url(projects.foreign, "leine-weser"))
    assert data["title"] == "Leine-Weser-Projekt"
    # ... and its list holds nothing of this alliance.
    titles = [p["title"] for p in get_json(client, projects_url("leine-weser"))["results"]]
    assert titles == ["Leine-Weser-Projekt"]


def test_outsider_sees_own_alliance_in_full(projects: Projects, api_client: Any) -> None:
    # The outsider holds every role in the other alliance: there it sees everything.
    client, _user = api_client("outsider")
    data = get_json(client, project_url(projects.foreign, "leine-weser"))
    assert view_of(data) == "full"


@pytest.mark.parametrize("slug", ["gibt-es-nicht", "alt"])
def test_unknown_or_inactive_alliance(projects: Projects, api_client: Any, slug: str) -> None:
    client, _user = api_client("admin")
    for url in (projects_url(slug), project_url(projects.granted, slug)):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json() == {"detail": "Bündnis nicht gefunden."}


def test_unknown_project(projects: Projects, api_client: Any) -> None:
    client, _user = api_client("office")
    response = client.get(f"{projects_url()}999999/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Vorhaben nicht gefunden."}


def test_filter_by_status_and_phase(projects: Projects, api_client: Any) -> None:
    client, _user = api_client("office")

    running = get_json(client, projects_url(), query_params={"status": "running"})
    assert [p["title"] for p in running["results"]] == ["Stille Reserve"]
    current = get_json(client, projects_url(), query_params={"phase": "Laufende Phase"})
    assert current["count"] == 4
    assert get_json(client, projects_url(), query_params={"phase": "Vorphase"})["count"] == 0
    # The filter never widens what the caller sees.
    hidden = get_json(Client(), projects_url(), query_params={"status": "idea"})
    assert hidden["count"] == 0


def test_unknown_status_filter(projects: Projects, client: Client) -> None:
    response = client.get(projects_url(), query_params={"status": "genehmigt"})
    assert response.status_code == 400
    assert response.json()["status"][0].startswith("Unbekannter Stand „genehmigt“. Möglich sind:")


def test_paging(projects: Projects, api_client: Any) -> None:
    client, _user = api_client("office")
    data = get_json(client, projects_url(), query_params={"limit": "1", "offset": "1"})
    assert data["count"] == 4
    assert [p["title"] for p in data["results"]] == ["Stille Reserve"]
    assert data["next"] and data["previous"]


def test_answers_stay_german(projects: Projects, client: Client) -> None:
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    data = get_json(client, project_url(projects.granted), **english)
    assert data["status_label"] == "Bewilligt"
    missing = client.get(project_url(projects.idea), **english)
    assert missing.json() == {"detail": "Vorhaben nicht gefunden."}


def test_granted_amount_is_null_before_the_bank_decides(projects: Projects, client: Client) -> None:
    world = projects.world
    project = project_in_state(world.current, Status.ENDORSED, title="Votum erteilt")
    data = get_json(client, project_url(project))
    assert data["granted_amount"] is None
    assert data["requested_grant"] == str(Decimal("100000.00"))
    assert date.fromisoformat(data["ends_on"]) == world.current.ends_on
