"""The OParl API's contract: objects, errors, pagination, filters, deleted objects, and that
nothing non-public is ever served."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from buendnis.alliances.models import Alliance, Person, Seat
from buendnis.funding.models import BodyOutcome, Project
from buendnis.meetings.models import AgendaItem, Decision, Minutes

from .conftest import ROOT, SECRETS, TYPE, Api, World, validate_list, validate_object

pytestmark = pytest.mark.django_db


def ids(page: dict) -> list[str]:
    return [obj["id"] for obj in page["data"]]


# --- System and Body -----------------------------------------------------------------------------


def test_system_and_body(world: World, api: Api) -> None:
    system = api.get("system")
    validate_object(system)
    assert system["oparlVersion"] == "https://schema.oparl.org/1.1/"
    bodies = api.get(system["body"])
    validate_list(bodies)
    assert ids(bodies) == [ROOT + "body/son", ROOT + "body/leine-weser"]

    body = api.get("body/son")
    validate_object(body)
    assert body == bodies["data"][0]
    assert body["system"] == ROOT + "system"
    assert body["contactEmail"] == "geschaeftsstelle@son.example.org"
    assert [term["name"] for term in body["legislativeTerm"]] == [
        phase.name for phase in world.alliance.phases.order_by("starts_on")
    ]
    for name in (
        "organization",
        "person",
        "meeting",
        "paper",
        "membership",
        "consultation",
        "file",
    ):
        assert body[name] == f"{ROOT}body/son/{name}"
    assert body["agendaItem"] == f"{ROOT}body/son/agendaitem"
    assert body["legislativeTermList"] == f"{ROOT}body/son/legislativeterm"


def test_inactive_alliance_is_gone(world: World, api: Api) -> None:
    Alliance.objects.filter(slug="leine-weser").update(is_active=False)
    assert ids(api.get("body")) == [ROOT + "body/son"]
    error = api.get("body/leine-weser", status=404)
    assert error["message"] == "Bündnis nicht gefunden."
    api.get("body/leine-weser/paper", status=404)
    term = world.other.phase.pk
    api.get(f"legislativeterm/{term}", status=404)


# --- Errors, headers, methods --------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "nichts",
        "system/",
        "body/unbekannt",
        "body/unbekannt/meeting",
        "paper/999999",
        "paper/sketch-999999",
        "paper/entwurf-1",
        "meeting/999999",
        "organization/999",
        "organization/body-999999",
        "organization/org-999999",
        "file/minutes-999999",
        "file/minutes-999999/download",
    ],
)
def test_unknown_addresses_answer_an_oparl_error(world: World, api: Api, path: str) -> None:
    error = api.get(path, status=404)
    assert error["type"] == f"{TYPE}Error"


def test_writes_are_refused(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(ROOT + "body/son/paper")
        assert response.status_code == 405
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response.json()["type"] == f"{TYPE}Error"
        assert response.json()["message"] == "Die OParl-Schnittstelle kann nur gelesen werden."
    preflight = client.options(ROOT + "system")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    head = client.head(ROOT + "system")
    assert head.status_code == 200


# --- Pagination ------------------------------------------------------------------------------------


def test_pagination(world: World, api: Api) -> None:
    everything = api.get("body/son/organization")
    total = everything["pagination"]["totalElements"]
    assert everything["pagination"] == {
        "totalElements": total,
        "elementsPerPage": 50,
        "currentPage": 1,
        "totalPages": 1,
    }
    assert "next" not in everything["links"] and "prev" not in everything["links"]

    first = api.get("body/son/organization", limit="4")
    validate_list(first)
    assert first["pagination"]["totalPages"] == -(-total // 4)
    assert len(first["data"]) == 4
    assert first["links"]["next"] == f"{ROOT}body/son/organization?limit=4&page=2"
    last = api.get(first["links"]["last"])
    assert "next" not in last["links"]
    assert last["links"]["prev"].endswith(f"page={last['pagination']['totalPages'] - 1}")

    # Page by page, the same objects in the same order (bodies first, then organisations).
    assert [obj["id"] for obj in api.all_pages("body/son/organization", limit="4")] == ids(
        everything
    )
    assert ids(everything)[0] == ROOT + f"organization/body-{world.structure.bodies['steering'].pk}"


def test_papers_page_across_projects(world: World, api: Api) -> None:
    """Two papers per project; an odd page size cuts a project's pair across two pages."""
    everything = api.get("body/son/paper")
    assert everything["pagination"]["totalElements"] == 4  # granted and endorsed, two papers each
    assert [obj["id"] for obj in api.all_pages("body/son/paper", limit="3")] == ids(everything)
    assert [obj["id"] for obj in api.all_pages("body/son/paper", limit="1")] == ids(everything)


def test_limit_is_capped_and_checked(world: World, api: Api) -> None:
    assert api.get("body/son/membership", limit="1000")["pagination"]["elementsPerPage"] == 200
    # "²" and "٣" count as digits for str.isdigit; neither may reach int() unchecked.
    for bad in ("0", "-1", "viele", "1.5", "²", "٣"):
        error = api.get("body/son/membership", status=400, limit=bad)
        assert error["message"] == "„limit“ muss eine ganze Zahl größer als 0 sein."
    api.get("body/son/membership", status=400, page="erste")
    api.get("body/son/membership", status=400, page="²")
    error = api.get("body/son/membership", status=404, page="99")
    assert error["message"] == "Diese Seite der Liste gibt es nicht."


# --- Filters -------------------------------------------------------------------------------------------


LISTS = [
    "body",
    "body/son/organization",
    "body/son/person",
    "body/son/meeting",
    "body/son/paper",
    "body/son/membership",
    "body/son/agendaitem",
    "body/son/consultation",
    "body/son/file",
    "body/son/legislativeterm",
]


@pytest.mark.parametrize("path", LISTS)
def test_filters_on_every_list(world: World, api: Api, path: str) -> None:
    everything = api.get(path)
    assert everything["data"], path
    past = "2000-01-01T00:00:00+01:00"
    future = (timezone.now() + timedelta(days=400)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    assert api.get(path, created_since=past)["pagination"]["totalElements"] == len(
        everything["data"]
    )
    assert api.get(path, modified_until=future + "+05:00")["data"] == everything["data"]
    assert api.get(path, created_since=future + "-03:00")["data"] == []
    assert api.get(path, modified_since=future + "Z")["data"] == []
    assert api.get(path, created_until=past)["data"] == []
    for name in ("created_since", "created_until", "modified_since", "modified_until"):
        for bad in ("gestern", "2024-05-23", "2024-05-23T10:00:00", "2024-13-40T10:00:00+02:00"):
            error = api.get(path, status=400, **{name: bad})
            assert "Zeitzone" in error["message"] and name in error["message"]


def test_filters_honour_the_offset(world: World, api: Api) -> None:
    """A project changed at 10:00 UTC is 12:00 in Berlin summer time (+02:00)."""
    changed = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    Project.objects.filter(pk=world.granted.pk).update(updated_at=changed)
    sketch = f"{ROOT}paper/sketch-{world.granted.pk}"
    assert sketch in ids(api.get("body/son/paper", modified_until="2024-05-01T12:30:00+02:00"))
    assert sketch not in ids(api.get("body/son/paper", modified_until="2024-05-01T11:30:00+02:00"))
    assert sketch in ids(api.get("body/son/paper", modified_until="2024-05-01T10:00:00Z"))
    # An unencoded "+" arrives as a space; it is read as the offset it was meant to be.
    response = Client().get(f"{ROOT}body/son/paper?modified_until=2024-05-01T12:30:00+02:00")
    assert sketch in ids(response.json())
    assert api.get(sketch)["modified"] == "2024-05-01T12:00:00+02:00"


def test_filters_stay_in_the_page_links(world: World, api: Api) -> None:
    page = api.get("body/son/membership", limit="2", created_since="2000-01-01T00:00:00+01:00")
    assert "created_since=2000-01-01T00%3A00%3A00%2B01%3A00" in page["links"]["next"]
    assert api.get(page["links"]["next"])["pagination"]["currentPage"] == 2


# --- Deleted objects ------------------------------------------------------------------------------------


def test_a_withdrawn_project_is_deleted(world: World, api: Api) -> None:
    sketch = f"{ROOT}paper/sketch-{world.withdrawn.pk}"
    gone = api.get(sketch)
    validate_object(gone)
    assert gone["deleted"] is True
    assert set(gone) == {"id", "type", "created", "modified", "deleted"}
    assert "Stille Reserve" not in api.texts[-1]

    # Not in the lists; with modified_since, listed as deleted.
    assert sketch not in ids(api.get("body/son/paper"))
    changed = api.get("body/son/paper", modified_since="2000-01-01T00:00:00+01:00")
    validate_list(changed)
    deleted = [obj for obj in changed["data"] if obj.get("deleted")]
    assert [obj["id"] for obj in deleted] == [
        sketch,
        f"{ROOT}paper/description-{world.withdrawn.pk}",
    ]

    outcomes = BodyOutcome.objects.filter(project=world.withdrawn).values_list("pk", flat=True)
    consultations = {f"{ROOT}consultation/{pk}" for pk in outcomes}
    assert consultations and not consultations & set(ids(api.get("body/son/consultation")))
    listed = api.get("body/son/consultation", modified_since="2000-01-01T00:00:00+01:00")
    assert consultations <= {obj["id"] for obj in listed["data"] if obj.get("deleted")}
    for url in consultations:
        assert api.get(url)["deleted"] is True


def test_a_never_public_project_does_not_exist(world: World, api: Api) -> None:
    for kind in ("sketch", "description"):
        api.get(f"paper/{kind}-{world.hidden.pk}", status=404)
    changed = api.get("body/son/paper", modified_since="2000-01-01T00:00:00+01:00")
    assert not any(str(world.hidden.pk) == obj["id"].rsplit("-", 1)[-1] for obj in changed["data"])
    for pk in BodyOutcome.objects.filter(project=world.hidden).values_list("pk", flat=True):
        api.get(f"consultation/{pk}", status=404)


# --- People and memberships -----------------------------------------------------------------------------


def test_only_people_named_publicly(world: World, api: Api) -> None:
    people = api.all_pages("body/son/person")
    names = {person["name"] for person in people}
    assert world.speaker.full_name in names
    assert world.deputy.last_name not in " ".join(names)
    api.get(f"person/{world.deputy.pk}", status=404)

    speaker = api.get(f"person/{world.speaker.pk}")
    assert speaker["title"] == ["Dr."]
    (seat,) = speaker["membership"]
    assert seat["votingRight"] is True and seat["role"] == "Sprecher/in"

    # The deputy's seat is a membership of the organisation, without the person.
    deputy_seat = Seat.objects.get(person=world.deputy)
    membership = api.get(f"membership/{deputy_seat.pk}")
    assert "person" not in membership
    assert membership["onBehalfOf"] == f"{ROOT}organization/org-{deputy_seat.organisation_id}"
    assert membership["organization"] == f"{ROOT}organization/body-{deputy_seat.body_id}"

    # Who withdraws consent disappears: not even as a deleted object.
    Person.objects.filter(pk=world.speaker.pk).update(show_name_publicly=False)
    api.get(f"person/{world.speaker.pk}", status=404)
    changed = api.get("body/son/person", modified_since="2000-01-01T00:00:00+01:00")
    assert f"{ROOT}person/{world.speaker.pk}" not in ids(changed)
    speaker_seat = Seat.objects.get(person=world.speaker)
    assert "person" not in api.get(f"membership/{speaker_seat.pk}")


def test_body_organizations_list_their_memberships(world: World, api: Api) -> None:
    steering = world.structure.bodies["steering"]
    organization = api.get(f"organization/body-{steering.pk}")
    assert organization["classification"] == "Gremium"
    assert organization["membership"] == [
        f"{ROOT}membership/{pk}"
        for pk in steering.seats.order_by("id").values_list("pk", flat=True)
    ]
    office = api.get(f"organization/body-{world.structure.bodies['office'].pk}")
    assert office["classification"] == "Geschäftsstelle"
    partner = api.get(f"organization/org-{world.structure.organisations['ihk'].pk}")
    assert partner["classification"] == "Kooperationspartner"
    assert partner["buendnis:group"] == "Kammern"


# --- Meetings, agenda, minutes ---------------------------------------------------------------------------


def test_meetings_show_their_public_part_only(world: World, api: Api) -> None:
    scene = world.scene
    listed = ids(api.get("body/son/meeting"))
    for meeting in (scene.held, scene.approving, scene.planned, scene.cancelled):
        assert f"{ROOT}meeting/{meeting.pk}" in listed
    for meeting in (scene.closed_door, scene.speakers):
        assert f"{ROOT}meeting/{meeting.pk}" not in listed
        api.get(f"meeting/{meeting.pk}", status=404)

    held = api.get(f"meeting/{scene.held.pk}")
    assert [item["name"] for item in held["agendaItem"]] == [
        "Bericht der Geschäftsstelle zur Fachkräftesicherung",
        "Gemeinsame Messe für Zweitbewerber",
    ]
    report = held["agendaItem"][0]
    assert report["result"] == "einvernehmlich beschlossen"
    assert report["resolutionText"] == "Der Steuerkreis nimmt den Bericht zustimmend zur Kenntnis."
    api.get(f"agendaitem/{scene.personnel.pk}", status=404)

    # Before the invitation the agenda is the office's draft.
    planned = api.get(f"meeting/{scene.planned.pk}")
    assert "agendaItem" not in planned
    draft = AgendaItem.objects.get(meeting=scene.planned)
    api.get(f"agendaitem/{draft.pk}", status=404)

    cancelled = api.get(f"meeting/{scene.cancelled.pk}")
    assert cancelled["cancelled"] is True and cancelled["meetingState"] == "Abgesagt"


def test_minutes_public_part_once_approved(world: World, api: Api) -> None:
    scene = world.scene
    protocol = api.get(f"meeting/{scene.held.pk}")["resultsProtocol"]
    minutes = Minutes.objects.get(meeting=scene.held)
    assert protocol["id"] == f"{ROOT}file/minutes-{minutes.pk}"
    assert api.get(protocol["id"]) == protocol
    download = api.raw(protocol["accessUrl"])
    assert download.status_code == 200
    assert download["Content-Type"] == "text/plain; charset=utf-8"
    assert download.content.decode() == minutes.public_text
    assert protocol["size"] == len(minutes.public_text.encode())

    draft = Minutes.objects.get(meeting=scene.approving)
    assert "resultsProtocol" not in api.get(f"meeting/{scene.approving.pk}")
    api.get(f"file/minutes-{draft.pk}", status=404)
    assert api.raw(f"{ROOT}file/minutes-{draft.pk}/download").status_code == 404
    assert ids(api.get("body/son/file")) == [protocol["id"]]


def test_a_votum_in_a_meeting_links_paper_consultation_and_agenda_item(
    world: World, api: Api
) -> None:
    decision = Decision.objects.get(item__project=world.endorsed)
    consultation_url = f"{ROOT}consultation/{decision.body_outcome_id}"
    item = api.get(f"agendaitem/{decision.item_id}")
    assert item["consultation"] == consultation_url

    consultation = api.get(consultation_url)
    assert consultation["role"] == "Beschluss" and consultation["authoritative"] is True
    assert consultation["agendaItem"] == f"{ROOT}agendaitem/{decision.item_id}"
    assert consultation["meeting"] == f"{ROOT}meeting/{decision.item.meeting_id}"
    assert consultation["paper"] == f"{ROOT}paper/description-{world.endorsed.pk}"

    paper = api.get(consultation["paper"])
    assert paper["paperType"] == "Projektbeschreibung"
    assert paper["buendnis:status"] == "Vom Bündnis befürwortet"
    assert consultation in paper["consultation"]
    assert [c["role"] for c in paper["consultation"]] == ["Vorberatung", "Beschluss"]


def test_paper_fields(world: World, api: Api) -> None:
    project = world.granted
    sketch = api.get(f"paper/sketch-{project.pk}")
    assert sketch["reference"] == project.reference
    assert sketch["paperType"] == "Kurzskizze"
    assert sketch["buendnis:grant"] == f"{project.granted_amount:.2f}"
    assert sketch["buendnis:eligibleCosts"] == f"{project.eligible_costs:.2f}"
    assert sketch["buendnis:status"] == "Bewilligt"
    assert sketch["originatorOrganization"] == [
        f"{ROOT}organization/org-{project.applicant_organisation_id}"
    ]
    assert sketch["underDirectionOf"] == [
        f"{ROOT}organization/body-{world.structure.bodies['office'].pk}"
    ]
    assert sketch["relatedPaper"] == [f"{ROOT}paper/description-{project.pk}"]
    assert sketch["date"] == timezone.localdate().isoformat()
    assert "mainFile" not in sketch  # project documents are not public


# --- Nothing non-public, anywhere ---------------------------------------------------------------------


def test_no_secret_in_any_list(world: World, api: Api) -> None:
    for path in LISTS:
        api.all_pages(path)
        api.all_pages(path, modified_since="2000-01-01T00:00:00+01:00")
    for text in api.texts:
        for secret in SECRETS:
            assert secret not in text, secret


def test_alliances_are_separate(world: World, api: Api) -> None:
    for path in LISTS[1:]:
        for obj in api.all_pages(path, modified_since="2000-01-01T00:00:00+01:00"):
            assert "Hameln" not in str(obj), (path, obj["id"])
    other = api.all_pages("body/leine-weser/paper")
    assert [paper["name"] for paper in other] == [
        "Kurzskizze „Hameln hilft“",
        "Projektbeschreibung „Hameln hilft“",
    ]
