"""Creating and editing projects through the API, per persona; validation and stale edits."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from buendnis.core.models import AuditEntry
from buendnis.funding.models import Project
from buendnis.funding.states import Status
from tests.conftest import PERSONAS
from tests.factories import project_in_state

from .conftest import Projects, project_url, projects_url

pytestmark = pytest.mark.django_db

NEW = {
    "title": "Digitale Lernorte",
    "summary": "Lernorte für Beschäftigte in KMU.",
    "goals": "Weiterbildung im Betrieb.",
    "target_group": "Beschäftigte in KMU",
    "action_field": "Beratungsinfrastruktur",
    "topics": ["Berufsorientierung"],
    "funding_priority": "employees",
    "eligible_costs": "120000.00",
    "requested_grant": "60000.00",
    "cofinancing": [
        {"organisation": "Stadt Braunschweig", "amount": "40000.00"},
        {"name": "Stiftung Lernen", "amount": "20000.00"},
    ],
    "region": "Braunschweig",
    "contact_email": "lernorte@stadt.example.org",
}

# Who may create: the office and admins for any organisation, applicants for their own.
CREATE = {
    "public": 401,
    "office": 201,
    "speaker": 403,
    "member": 403,
    "advisory": 403,
    "applicant": 201,
    "ministry": 403,
    "admin": 201,
    "outsider": 403,
}


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data=data, content_type="application/json")


def patch(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.patch(url, data=data, content_type="application/json")


@pytest.mark.parametrize("persona", PERSONAS)
def test_create_per_persona(projects: Projects, api_client: Any, persona: str) -> None:
    client, user = api_client(persona)
    before = Project.objects.count()

    response = post(client, projects_url(), {**NEW, "applicant_organisation": "Stadt Braunschweig"})

    assert response.status_code == CREATE[persona], response.content
    if response.status_code != 201:
        assert Project.objects.count() == before
        detail = response.json()["detail"]
        if persona == "public":
            assert detail == "Anmeldedaten fehlen."
            assert response["WWW-Authenticate"] == 'Bearer realm="api"'
        else:
            assert detail == "Sie dürfen in diesem Bündnis keine Vorhaben anlegen."
        return
    data = response.json()
    project = Project.objects.get(pk=data["id"])
    assert response["Location"] == data["url"]
    assert (project.status, project.created_by, project.alliance) == (
        Status.IDEA,
        user,
        projects.world.alliance,
    )
    assert data["status"] == "idea"
    assert data["phase"] == "Laufende Phase"  # the current phase by default
    assert data["topics"] == ["Berufsorientierung"]
    assert [(c["payer"], c["amount"]) for c in data["cofinancing"]] == [
        ("Stadt Braunschweig", "40000.00"),
        ("Stiftung Lernen", "20000.00"),
    ]
    assert data["version"] == project.version
    actions = set(
        AuditEntry.objects.filter(object_id=str(project.pk)).values_list("action", flat=True)
    )
    assert {"project.create", "project.cofinancing"} <= actions


def test_applicant_creates_for_their_organisation_by_default(
    projects: Projects, api_client: Any
) -> None:
    client, _user = api_client("applicant")
    response = post(client, projects_url(), {"title": "Nur ein Titel"})
    assert response.status_code == 201, response.content
    assert response.json()["applicant_organisation"] == "Stadt Braunschweig"


def test_applicant_may_not_create_for_another_organisation(
    projects: Projects, api_client: Any
) -> None:
    client, _user = api_client("applicant")
    response = post(
        client,
        projects_url(),
        {
            "title": "Fremdes Vorhaben",
            "applicant_organisation": "Agentur für Arbeit Braunschweig-Goslar",
        },
    )
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Sie können Vorhaben nur für eine Organisation")


def test_office_names_the_organisation(projects: Projects, api_client: Any) -> None:
    client, _user = api_client("office")
    response = post(client, projects_url(), {"title": "Ohne Träger"})
    assert response.status_code == 400
    assert response.json() == {"applicant_organisation": ["Bitte den Projektträger angeben."]}


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"title": ""}, {"title": ["Dieses Feld darf nicht leer sein."]}),
        ({"phase": "2099–2102"}, {"phase": ["Das Bündnis hat keine Förderphase „2099–2102“."]}),
        (
            {"applicant_organisation": "Handwerkskammer Hannover"},  # the other alliance's
            {
                "applicant_organisation": [
                    "Im Bündnis gibt es keine Organisation „Handwerkskammer Hannover“."
                ]
            },
        ),
        (
            {"action_field": "Handwerk Leine-Weser"},
            {
                "action_field": [
                    "Die Förderphase Laufende Phase hat kein Handlungsfeld „Handwerk Leine-Weser“."
                ]
            },
        ),
        (
            {"topics": ["Arbeit 4.0"]},  # a topic of another field of action
            {"topics": ["Das Handlungsfeld hat kein Thema „Arbeit 4.0“."]},
        ),
        (
            {"cofinancing": [{"organisation": "Gibt es nicht", "amount": "1.00"}]},
            {"cofinancing": ["Im Bündnis gibt es keine Organisation „Gibt es nicht“."]},
        ),
        (
            {"eligible_costs": "-5.00"},
            {"eligible_costs": ["Beträge dürfen nicht negativ sein."]},
        ),
        (
            {"eligible_costs": "1.234"},
            {
                "eligible_costs": [
                    "Stelle sicher, dass es nicht mehr als 2 Nachkommastellen lang ist."
                ]
            },
        ),
        (
            {"contact_email": "keine-adresse"},
            {"contact_email": ["Gib eine gültige E-Mail Adresse an."]},
        ),
        (
            {"funding_priority": "irgendwas"},
            {"funding_priority": ['"irgendwas" ist keine gültige Option.']},
        ),
    ],
)
def test_create_validation_in_german(
    projects: Projects, api_client: Any, change: dict[str, Any], errors: dict[str, Any]
) -> None:
    client, _user = api_client("office")
    before = Project.objects.count()

    # German whatever the client's language.
    response = client.post(
        projects_url(),
        data={**NEW, "applicant_organisation": "Stadt Braunschweig", **change},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json() == errors
    assert Project.objects.count() == before


def test_create_runtime_rule_from_the_model(projects: Projects, api_client: Any) -> None:
    client, _user = api_client("office")
    response = post(
        client,
        projects_url(),
        {
            "title": "Verkehrte Laufzeit",
            "applicant_organisation": "Stadt Braunschweig",
            "starts_on": "2027-01-01",
            "ends_on": "2026-01-01",
        },
    )
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Die Laufzeit kann nicht vor ihrem Beginn enden."]
    }


def test_create_is_all_or_nothing(projects: Projects, api_client: Any) -> None:
    # The co-financing is refused by the service (a share without organisation and name):
    # the project is not created either.
    client, _user = api_client("office")
    before = Project.objects.count()
    response = post(
        client,
        projects_url(),
        {
            **NEW,
            "applicant_organisation": "Stadt Braunschweig",
            "cofinancing": [{"amount": "5.00"}],
        },
    )
    assert response.status_code == 400
    assert "Jeder Finanzierungsanteil braucht eine Organisation oder einen Namen." in str(
        response.json()
    )
    assert Project.objects.count() == before


def test_session_writes_need_the_csrf_token(projects: Projects, make_persona: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_persona("office"))
    response = post(client, projects_url(), {**NEW, "applicant_organisation": "Stadt Braunschweig"})
    assert response.status_code == 403
    assert response.json()["detail"].startswith("CSRF-Prüfung fehlgeschlagen")


# --- Editing --------------------------------------------------------------------------------------

# Editing the applicant's own idea: the office, admins and its applicant; the outsider does not even
# see it; the public must log in.
EDIT = {
    "public": 401,
    "office": 200,
    "speaker": 403,
    "member": 403,
    "advisory": 403,
    "applicant": 200,
    "ministry": 403,
    "admin": 200,
    "outsider": 404,
}


@pytest.fixture
def own_idea(projects: Projects) -> Project:
    return project_in_state(
        projects.world.current,
        Status.IDEA,
        applicant_organisation=projects.world.stadt,
        title="Eigene Idee",
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_edit_per_persona(own_idea: Project, api_client: Any, persona: str) -> None:
    client, _user = api_client(persona)
    version = own_idea.version

    response = patch(client, project_url(own_idea), {"version": version, "title": "Neuer Titel"})

    assert response.status_code == EDIT[persona], response.content
    own_idea.refresh_from_db()
    if response.status_code == 200:
        assert response.json()["title"] == "Neuer Titel"
        assert response.json()["version"] == own_idea.version == version + 1
        assert AuditEntry.objects.filter(
            action="project.update", object_id=str(own_idea.pk)
        ).exists()
    else:
        assert own_idea.title == "Eigene Idee"
        assert own_idea.version == version
    if response.status_code == 403:
        assert response.json() == {
            "detail": "Sie dürfen dieses Vorhaben im Stand „Idee“ nicht bearbeiten."
        }


def test_applicant_may_not_edit_once_submitted(projects: Projects, api_client: Any) -> None:
    client, _user = api_client("applicant")
    project = projects.sketch
    response = patch(client, project_url(project), {"version": project.version, "title": "Später"})
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Sie dürfen dieses Vorhaben im Stand „Kurzskizze eingereicht“ nicht bearbeiten."
    }


def test_outsider_sees_a_public_project_but_may_not_edit_it(
    projects: Projects, api_client: Any
) -> None:
    client, _user = api_client("outsider")
    project = projects.granted
    response = patch(client, project_url(project), {"version": project.version, "title": "Fremd"})
    assert response.status_code == 403


def test_stale_edit_is_409(own_idea: Project, api_client: Any) -> None:
    client, _user = api_client("applicant")
    loaded = own_idea.version
    office, _office_user = api_client("office")
    assert (
        patch(office, project_url(own_idea), {"version": loaded, "region": "Gifhorn"}).status_code
        == 200
    )

    response = patch(client, project_url(own_idea), {"version": loaded, "title": "Zu spät"})

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Das Vorhaben wurde inzwischen von jemand anderem geändert. Bitte laden Sie die "
        "Seite neu; Ihre Eingaben sind nicht gespeichert."
    }
    own_idea.refresh_from_db()
    assert (own_idea.title, own_idea.region) == ("Eigene Idee", "Gifhorn")


def test_stale_edit_changes_no_cofinancing(own_idea: Project, api_client: Any) -> None:
    client, _user = api_client("office")
    shares = list(own_idea.cofinancing.values_list("amount", flat=True))
    response = patch(
        client,
        project_url(own_idea),
        {"version": own_idea.version - 1, "cofinancing": [{"name": "Neu", "amount": "1.00"}]},
    )
    assert response.status_code == 409
    assert list(own_idea.cofinancing.values_list("amount", flat=True)) == shares


def test_edit_needs_the_version(own_idea: Project, api_client: Any) -> None:
    client, _user = api_client("office")
    response = patch(client, project_url(own_idea), {"title": "Ohne Version"})
    assert response.status_code == 400
    assert response.json() == {"version": ["Dieses Feld ist zwingend erforderlich."]}


def test_edit_topics_field_and_cofinancing(own_idea: Project, api_client: Any) -> None:
    client, _user = api_client("applicant")
    url = project_url(own_idea)

    data = patch(
        client,
        url,
        {
            "version": own_idea.version,
            "topics": ["Berufsorientierung", "Absolventen und Abbrecher für KMU"],
            "cofinancing": [{"name": "Stiftung", "amount": "100000.00"}],
        },
    ).json()
    assert data["topics"] == ["Absolventen und Abbrecher für KMU", "Berufsorientierung"]
    assert [(c["payer"], c["amount"]) for c in data["cofinancing"]] == [("Stiftung", "100000.00")]

    # A new field of action without topics starts without topics.
    data = patch(
        client, url, {"version": data["version"], "action_field": "Digitalisierung / Innovation"}
    ).json()
    assert (data["action_field"], data["topics"]) == ("Digitalisierung / Innovation", [])

    data = patch(client, url, {"version": data["version"], "action_field": None}).json()
    assert data["action_field"] is None


def test_edit_validation_in_german(own_idea: Project, api_client: Any) -> None:
    client, _user = api_client("office")
    response = patch(
        client,
        project_url(own_idea),
        {"version": own_idea.version, "requested_grant": "-1.00", "topics": ["Unbekannt"]},
    )
    assert response.status_code == 400
    assert response.json() == {"requested_grant": ["Beträge dürfen nicht negativ sein."]}


def test_edit_unknown_or_foreign_project(projects: Projects, api_client: Any) -> None:
    client, _user = api_client("admin")
    for url in (f"{projects_url()}999999/", project_url(projects.foreign)):
        assert patch(client, url, {"version": 1, "title": "x"}).status_code == 404
