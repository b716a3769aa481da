"""The procedure through `projects/{id}/transitions/`: every action, per persona; 409, 403, 400, 404."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from buendnis.api.project_serializers import ACTION_SERIALIZERS
from buendnis.core.models import AuditEntry
from buendnis.core.templatetags.buendnis_format import money
from buendnis.funding.models import Project
from buendnis.funding.states import ACTIONS, Status
from tests.conftest import PERSONAS
from tests.factories import PDF_BYTES, project_in_state

from .conftest import Projects, get_json, project_url

TODAY = timezone.localdate()

pytestmark = pytest.mark.django_db


def pdf(name: str = "dokument.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def step(client: Client, project: Project, action: str, **params: Any) -> Any:
    """JSON, or multipart when a file goes along."""
    url = project_url(project, transitions=True)
    data = {"action": action, **params}
    if any(isinstance(value, SimpleUploadedFile) for value in params.values()):
        return client.post(url, data=data)
    return client.post(url, data=data, content_type="application/json")


def today() -> date:
    return timezone.localdate()


def ok(response: Any, status: str) -> dict[str, Any]:
    assert response.status_code == 200, response.content
    data: dict[str, Any] = response.json()
    assert data["status"] == status
    return data


def test_every_action_has_its_input() -> None:
    assert set(ACTION_SERIALIZERS) == set(ACTIONS)


@pytest.fixture
def own(projects: Projects) -> Any:
    """Build a project of the applicant persona's organisation (Stadt Braunschweig) in a state."""

    def build(status: str, **fields: Any) -> Project:
        return project_in_state(
            projects.world.current, status, applicant_organisation=projects.world.stadt, **fields
        )

    return build


def test_idea_to_closed_through_the_api(own: Any, api_client: Any) -> None:
    project = own(Status.IDEA, title="Welcome Center II")
    office, _office = api_client("office")
    applicant, _applicant = api_client("applicant")
    day = today().isoformat()

    ok(
        step(office, project, "record_consultation", held_on=day, participants="GS, Stadt"),
        "consultation",
    )
    data = ok(
        step(applicant, project, "submit_sketch", document=pdf("skizze.pdf")), "sketch_submitted"
    )
    assert [(d["kind"], d["version"]) for d in data["documents"]] == [("sketch", 1)]
    ok(step(office, project, "forward"), "sketch_speakers")
    ok(
        step(
            office, project, "record_outcome", body="speakers", outcome="positive", decided_on=day
        ),
        "sketch_steering",
    )
    ok(
        step(
            office,
            project,
            "record_outcome",
            body="steering",
            outcome="positive",
            decided_on=day,
            reference="2. Sitzung, TOP 4",
        ),
        "description_requested",
    )
    ok(
        step(applicant, project, "submit_description", document=pdf("beschreibung.pdf")),
        "description_submitted",
    )
    ok(step(office, project, "forward", comment="Zur nächsten Sitzung"), "description_speakers")
    ok(
        step(
            office, project, "record_outcome", body="speakers", outcome="positive", decided_on=day
        ),
        "description_steering",
    )
    ok(
        step(
            office, project, "record_outcome", body="steering", outcome="positive", decided_on=day
        ),
        "endorsed",
    )
    ok(
        step(applicant, project, "file_application", filed_on=day, reference="NB-2026-1"),
        "application_filed",
    )
    data = ok(
        step(
            office,
            project,
            "record_bank_decision",
            decided_on=day,
            granted=True,
            granted_amount="95000.00",
        ),
        "granted",
    )
    assert data["granted_amount"] == "95000.00"
    ok(step(applicant, project, "start", started_on=day), "running")
    data = ok(
        step(
            office,
            project,
            "close",
            closed_on=day,
            final_eligible_costs="180000.00",
            final_grant="90000.00",
            participants_entered="25",
            participants_exited="20",
            final_report=pdf("bericht.pdf"),
        ),
        "closed",
    )
    assert (data["final_grant"], data["participants_entered"]) == ("90000.00", 25)
    assert len(data["transitions"]) == 13
    assert data["transitions"][-1]["actor"] == "office"
    # Every step is in the audit trail, with the actor.
    steps = AuditEntry.objects.filter(object_id=str(project.pk), action__startswith="project.")
    assert steps.filter(action="project.close", actor__username="office").exists()
    assert steps.filter(action="project.submit_sketch", actor__username="applicant").exists()


def test_revision_deferral_rejection_and_withdrawal(own: Any, api_client: Any) -> None:
    office, _office = api_client("office")
    applicant, _applicant = api_client("applicant")
    day = today().isoformat()

    revised = own(Status.SKETCH_SPEAKERS, title="Überarbeiten")
    data = ok(
        step(
            office,
            revised,
            "record_outcome",
            body="speakers",
            outcome="revision",
            decided_on=day,
            reasons="Zielgruppe schärfen.",
        ),
        "revision_requested",
    )
    assert data["outcomes"][-1]["reasons"] == "Zielgruppe schärfen."
    data = ok(
        step(applicant, revised, "resubmit", document=pdf("fassung2.pdf")), "sketch_submitted"
    )
    assert [(d["kind"], d["version"]) for d in data["documents"]] == [("sketch", 2), ("sketch", 1)]

    deferred = own(Status.SKETCH_STEERING, title="Vertagen")
    ok(
        step(
            office, deferred, "record_outcome", body="steering", outcome="deferred", decided_on=day
        ),
        "deferred",
    )
    ok(step(office, deferred, "resume"), "sketch_steering")
    ok(
        step(
            office,
            deferred,
            "record_outcome",
            body="steering",
            outcome="negative",
            decided_on=day,
            reasons="Passt nicht zu den Themen.",
        ),
        "rejected",
    )

    declined = own(Status.APPLICATION_FILED, title="Bank lehnt ab")
    ok(
        step(office, declined, "record_bank_decision", decided_on=day, granted=False),
        "declined",
    )

    withdrawn = own(Status.ENDORSED, title="Zurückziehen")
    data = ok(
        step(applicant, withdrawn, "withdraw", reason="Träger hat keine Mittel."), "withdrawn"
    )
    assert data["transitions"][-1]["comment"] == "Träger hat keine Mittel."


# --- Who may: each persona on one office step and one applicant step ---------------------------

OFFICE_STEP = {
    "public": 401,
    "office": 200,
    "speaker": 403,
    "member": 403,
    "advisory": 403,
    "applicant": 403,
    "ministry": 403,
    "admin": 200,
    "outsider": 404,  # an idea is not public: the outsider does not even see it
}
APPLICANT_STEP = {**OFFICE_STEP, "applicant": 200}
REFUSED = "Diesen Schritt dürfen Sie bei diesem Vorhaben nicht ausführen."


@pytest.mark.parametrize("persona", PERSONAS)
def test_office_step_per_persona(own: Any, api_client: Any, persona: str) -> None:
    project = own(Status.IDEA)
    client, _user = api_client(persona)

    response = step(
        client,
        project,
        "record_consultation",
        held_on=today().isoformat(),
        participants="GS",
    )

    assert response.status_code == OFFICE_STEP[persona], response.content
    project.refresh_from_db()
    expected = Status.CONSULTATION if response.status_code == 200 else Status.IDEA
    assert project.status == expected
    if response.status_code == 403:
        assert response.json() == {"detail": REFUSED}
    if response.status_code == 401:
        assert response.json() == {"detail": "Anmeldedaten fehlen."}


@pytest.mark.parametrize("persona", PERSONAS)
def test_applicant_step_per_persona(own: Any, api_client: Any, persona: str) -> None:
    project = own(Status.CONSULTATION)
    client, _user = api_client(persona)

    response = step(client, project, "submit_sketch", document=pdf())

    assert response.status_code == APPLICANT_STEP[persona], response.content
    project.refresh_from_db()
    expected = Status.SKETCH_SUBMITTED if response.status_code == 200 else Status.CONSULTATION
    assert project.status == expected


@pytest.mark.parametrize("persona", ["speaker", "member", "advisory", "ministry", "outsider"])
def test_visible_project_but_no_right_is_403(
    projects: Projects, api_client: Any, persona: str
) -> None:
    # A public project everyone sees: seeing it gives no right to act on it.
    client, _user = api_client(persona)
    response = step(client, projects.granted, "withdraw", reason="Weil.")
    assert response.status_code == 403
    assert response.json() == {"detail": REFUSED}


def test_the_applicant_may_not_take_office_steps(own: Any, api_client: Any) -> None:
    project = own(Status.SKETCH_SUBMITTED)
    client, _user = api_client("applicant")
    for action, params in [
        ("forward", {}),
        ("resume", {}),
        ("record_outcome", {"body": "speakers", "outcome": "positive", "decided_on": "2020-01-01"}),
    ]:
        response = step(client, project, action, **params)
        assert response.status_code == 403, action


# --- 409: not now ------------------------------------------------------------------------------


def test_step_not_allowed_in_this_state(own: Any, api_client: Any) -> None:
    project = own(Status.IDEA)
    client, _user = api_client("office")
    version = project.version

    response = step(client, project, "forward")

    assert response.status_code == 409
    assert response.json() == {"detail": "Im Stand „Idee“ ist dieser Schritt nicht möglich."}
    project.refresh_from_db()
    assert (project.status, project.version) == (Status.IDEA, version)


def test_no_body_at_work_is_409(own: Any, api_client: Any) -> None:
    project = own(Status.ENDORSED)
    client, _user = api_client("office")
    response = step(
        client,
        project,
        "record_outcome",
        body="steering",
        outcome="positive",
        decided_on=today().isoformat(),
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Im Stand „Votum erteilt“ ist dieser Schritt nicht möglich."
    }


def test_double_submission_is_409(own: Any, api_client: Any) -> None:
    project = own(Status.CONSULTATION)
    client, _user = api_client("applicant")
    ok(step(client, project, "submit_sketch", document=pdf()), "sketch_submitted")

    again = step(client, project, "submit_sketch", document=pdf())

    assert again.status_code == 409
    assert project.documents.count() == 1


def test_closed_project_takes_no_step(projects: Projects, api_client: Any) -> None:
    project = project_in_state(projects.world.current, Status.CLOSED)
    client, _user = api_client("office")
    response = step(client, project, "withdraw", reason="Zu spät.")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Im Stand „Abgeschlossen“ ist dieser Schritt nicht möglich."
    }


# --- 400: unknown action, missing or broken input -------------------------------------------------


@pytest.mark.parametrize("action", ["genehmigen", "", None, ["forward"]])
def test_unknown_action(own: Any, api_client: Any, action: Any) -> None:
    project = own(Status.SKETCH_SUBMITTED)
    client, _user = api_client("office")
    body = {} if action is None else {"action": action}

    response = client.post(
        project_url(project, transitions=True), data=body, content_type="application/json"
    )

    assert response.status_code == 400
    (message,) = response.json()["action"]
    assert message == "Unbekannte Aktion. Möglich sind: " + ", ".join(ACTIONS) + "."


@pytest.mark.parametrize(
    ("status", "action", "params", "errors"),
    [
        (
            Status.IDEA,
            "record_consultation",
            {"participants": "GS"},
            {"held_on": ["Dieses Feld ist zwingend erforderlich."]},
        ),
        (
            Status.IDEA,
            "record_consultation",
            {"held_on": "2999-01-01", "participants": "GS"},
            {
                "held_on": [
                    "Das Datum der Beratung liegt in der Zukunft: spätestens am "
                    f"{TODAY:%d.%m.%Y} (heute)."
                ]
            },
        ),
        (
            Status.SKETCH_STEERING,
            "record_outcome",
            {"body": "steering", "outcome": "negative", "decided_on": "2020-01-01"},
            {"reasons": ["Bitte begründen Sie das Ergebnis."]},
        ),
        (
            Status.SKETCH_STEERING,
            "record_outcome",
            {"body": "speakers", "outcome": "positive", "decided_on": "2020-01-01"},
            {"body": ["Im Stand „Kurzskizze im Steuerkreis“ ist der Steuerkreis am Zug."]},
        ),
        (
            Status.SKETCH_STEERING,
            "record_outcome",
            {"body": "office", "outcome": "positive", "decided_on": "2020-01-01"},
            {"body": ['"office" ist keine gültige Option.']},
        ),
        (
            Status.APPLICATION_FILED,
            "record_bank_decision",
            {"decided_on": TODAY.isoformat(), "granted": True},
            {"granted_amount": ["Bitte den bewilligten Zuschuss angeben."]},
        ),
        (
            Status.ENDORSED,
            "file_application",
            {"filed_on": "2999-01-01", "reference": "NB-1"},
            {
                "filed_on": [
                    "Das Datum des Förderantrags liegt in der Zukunft: spätestens am "
                    f"{TODAY:%d.%m.%Y} (heute)."
                ]
            },
        ),
        (
            Status.RUNNING,
            "close",
            {
                "closed_on": TODAY.isoformat(),
                "final_eligible_costs": "100000.00",
                "final_grant": "90000.00",
            },
            {
                "final_grant": [
                    "Der abgerechnete Zuschuss darf höchstens den Fördersatz der abgerechneten "
                    f"Kosten betragen ({money(Decimal('50000.00'))})."
                ]
            },
        ),
        (
            Status.IDEA,
            "withdraw",
            {"reason": ""},
            {"reason": ["Dieses Feld darf nicht leer sein."]},
        ),
        (
            Status.DESCRIPTION_REQUESTED,
            "submit_description",
            {},
            {"document": ["Bitte die Projektbeschreibung als Datei hochladen."]},
        ),
    ],
)
def test_broken_input_is_400_in_german(
    own: Any,
    api_client: Any,
    status: str,
    action: str,
    params: dict[str, Any],
    errors: dict[str, list[str]],
) -> None:
    project = own(status)
    client, _user = api_client("office")

    response = step(client, project, action, **params)

    assert response.status_code == 400, response.content
    assert response.json() == errors
    project.refresh_from_db()
    assert project.status == status


def test_sketch_needs_a_consultation(projects: Projects, api_client: Any) -> None:
    # An idea cannot be submitted (the state machine refuses: 409) ...
    project = project_in_state(
        projects.world.current, Status.IDEA, applicant_organisation=projects.world.stadt
    )
    client, _user = api_client("applicant")
    assert step(client, project, "submit_sketch", document=pdf()).status_code == 409


def test_incomplete_sketch_lists_every_missing_field(own: Any, api_client: Any) -> None:
    project = own(Status.CONSULTATION, goals="", eligible_costs="0.00", requested_grant="0.00")
    client, _user = api_client("applicant")

    response = step(client, project, "submit_sketch", document=pdf())

    assert response.status_code == 400
    errors = response.json()
    assert errors["goals"] == ["Bitte ausfüllen."]
    assert errors["eligible_costs"] == ["Bitte die förderfähigen Gesamtkosten angeben."]
    assert "requested_grant" in errors


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("skizze.pdf", b"MZ\x90\x00 renamed program"),
            "Die Datei „skizze.pdf“ ist kein erlaubtes Dokument.",
        ),
        (SimpleUploadedFile("leer.pdf", b""), "Die übermittelte Datei ist leer."),
    ],
)
def test_bad_upload_is_400_on_the_upload_field(
    own: Any, api_client: Any, upload: SimpleUploadedFile, message: str
) -> None:
    project = own(Status.CONSULTATION)
    client, _user = api_client("applicant")

    response = step(client, project, "submit_sketch", document=upload)

    assert response.status_code == 400
    (only,) = response.json()["document"]
    assert only.startswith(message)
    project.refresh_from_db()
    assert project.status == Status.CONSULTATION
    assert project.documents.count() == 0


def test_oversize_upload(own: Any, api_client: Any, settings: Any) -> None:
    settings.MAX_UPLOAD_BYTES = 10
    project = own(Status.CONSULTATION)
    client, _user = api_client("applicant")

    response = step(client, project, "submit_sketch", document=pdf())

    assert response.status_code == 400
    assert response.json()["document"][0].startswith("Die Datei ist")


def test_final_report_errors_name_the_final_report(own: Any, api_client: Any) -> None:
    project = own(Status.RUNNING)
    client, _user = api_client("office")
    response = step(
        client,
        project,
        "close",
        closed_on=TODAY.isoformat(),
        final_eligible_costs="100000.00",
        final_grant="50000.00",
        final_report=SimpleUploadedFile("bericht.pdf", b"kein pdf"),
    )
    assert response.status_code == 400
    assert list(response.json()) == ["final_report"]


# --- 404 ------------------------------------------------------------------------------------------


def test_unknown_and_foreign_projects_are_404(projects: Projects, api_client: Any) -> None:
    client, _user = api_client("admin")
    foreign = project_url(projects.foreign, transitions=True)
    unknown = foreign.replace(f"/{projects.foreign.pk}/", "/999999/")
    for url in (foreign, unknown):
        response = client.post(
            url, data={"action": "withdraw", "reason": "x"}, content_type="application/json"
        )
        assert response.status_code == 404
        assert response.json() == {"detail": "Vorhaben nicht gefunden."}
    projects.foreign.refresh_from_db()
    assert projects.foreign.status == Status.GRANTED


def test_answer_is_the_fresh_project(own: Any, api_client: Any) -> None:
    project = own(Status.SKETCH_SUBMITTED)
    client, _user = api_client("office")
    before = get_json(client, project_url(project))

    data = ok(step(client, project, "forward"), "sketch_speakers")

    assert data["version"] == before["version"] + 1
    assert data["internal_status_label"] == "Kurzskizze im Sprecherkreis"
    assert data["status_label"] == "Kurzskizze in Beratung"
