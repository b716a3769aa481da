"""The meetings and circulations API: who sees which meeting and item, the filters, the
circulations of the internal circle, answering with the rules of the web form, the errors, the
schema, and query counts that do not grow with the data."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from buendnis.accounts import tokens
from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance
from buendnis.funding.models import Project
from buendnis.funding.states import Status
from buendnis.meetings.models import (
    AgendaItem,
    Circulation,
    CirculationAnswer,
    Decision,
    DecisionOutcome,
    Meeting,
    MeetingStatus,
)
from buendnis.meetings.services import circulations
from tests.conftest import PERSONAS
from tests.factories import build_alliance_structure, project_in_state
from tests.meetings.circulation_setup import Circle, expire, make_circle

pytestmark = pytest.mark.django_db

INTERNAL = {"office", "speaker", "member", "advisory", "ministry", "admin"}
SECRET_NOTE = "GEHEIM-NOTIZ der Geschäftsstelle"


@pytest.fixture
def circle(alliance: Alliance, make_persona: Callable[[str], User | None]) -> Circle:
    return make_circle(alliance, make_persona)


def meetings_url(slug: str = "son") -> str:
    return reverse("api:alliance-meetings", kwargs={"slug": slug})


def meeting_url(meeting: Meeting, slug: str = "son") -> str:
    return reverse("api:alliance-meeting-detail", kwargs={"slug": slug, "pk": meeting.pk})


def circulations_url(slug: str = "son") -> str:
    return reverse("api:alliance-circulations", kwargs={"slug": slug})


def circulation_url(circulation: Circulation, *, answer: bool = False) -> str:
    name = "api:alliance-circulation-answer" if answer else "api:alliance-circulation-detail"
    return reverse(name, kwargs={"slug": "son", "pk": circulation.pk})


# --- Meetings --------------------------------------------------------------------------------------


@dataclass
class Meetings:
    held: Meeting  # Steuerkreis, public part, invited and held, with a decision
    preparing: Meeting  # Sprecherkreis, no public part
    cancelled: Meeting  # Steuerkreis, public part, cancelled
    planned: Meeting  # Steuerkreis, public part, not invited yet (agenda is a draft)
    public_project: Project
    hidden_project: Project
    foreign: Meeting


def _meeting(circle: Circle, kind: str, days: int, **fields: Any) -> Meeting:
    starts = (timezone.now() + timedelta(days=days)).replace(microsecond=0)
    return Meeting.objects.create(
        alliance=circle.alliance,
        body=circle.structure.bodies[kind],
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        location="Frankfurter Straße 2, Braunschweig",
        **fields,
    )


def _item(meeting: Meeting, position: int, title: str, **fields: Any) -> AgendaItem:
    return AgendaItem.objects.create(
        alliance=meeting.alliance, meeting=meeting, position=position, title=title, **fields
    )


@pytest.fixture
def meetings(circle: Circle, other_alliance: Alliance) -> Meetings:
    public_project = project_in_state(circle.structure, Status.ENDORSED, title="Welcome Center")
    hidden_project = project_in_state(
        circle.structure, Status.SKETCH_STEERING, title="Geheime Kurzskizze"
    )
    held = _meeting(
        circle,
        "steering",
        -10,
        status=MeetingStatus.HELD,
        invited_at=timezone.now() - timedelta(days=20),
    )
    _item(
        held,
        0,
        "Votum Welcome Center",
        project=public_project,
        proposed_decision="Der Steuerkreis befürwortet die Projektbeschreibung.",
        recommendation="Der Sprecherkreis empfiehlt die Befürwortung.",
        notes=SECRET_NOTE,
    )
    sketch_item = _item(
        held, 1, "Kurzskizze", project=hidden_project, proposed_decision="Befürworten."
    )
    Decision.objects.create(
        alliance=circle.alliance,
        item=sketch_item,
        outcome=DecisionOutcome.AGREED,
        text="Der Steuerkreis befürwortet die Kurzskizze.",
        snapshot={
            "objecting": [],
            "abstaining": [{"id": circle.org("union").pk, "name": circle.org("union").name}],
            "recused": [
                {
                    "id": circle.org("city").pk,
                    "name": circle.org("city").name,
                    "reason": "Antragstellerin",
                }
            ],
        },
    )
    _item(held, 2, "Personalangelegenheit der Geschäftsstelle", is_public=False, notes=SECRET_NOTE)
    preparing = _meeting(circle, "speakers", -24, has_public_part=False, title="Vorbesprechung")
    _item(preparing, 0, "Interne Vorbereitung", is_public=False)
    cancelled = _meeting(
        circle,
        "steering",
        30,
        status=MeetingStatus.CANCELLED,
        cancelled_reason="Die Leitung ist erkrankt.",
    )
    planned = _meeting(circle, "steering", 90)
    _item(planned, 0, "Entwurf eines Tagesordnungspunkts")
    foreign_structure = build_alliance_structure(other_alliance, place="Hameln")
    foreign = Meeting.objects.create(
        alliance=other_alliance,
        body=foreign_structure.bodies["steering"],
        starts_at=timezone.now(),
        title="Sitzung in Leine-Weser",
    )
    return Meetings(
        held=held,
        preparing=preparing,
        cancelled=cancelled,
        planned=planned,
        public_project=public_project,
        hidden_project=hidden_project,
        foreign=foreign,
    )


def _json(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_which_meetings_and_items(
    circle: Circle, meetings: Meetings, persona: str
) -> None:
    response = circle.client(persona).get(meetings_url())
    data = _json(response)
    internal = persona in INTERNAL
    expected = (
        [meetings.preparing, meetings.held, meetings.cancelled, meetings.planned]
        if internal
        else [meetings.held, meetings.cancelled, meetings.planned]
    )
    assert data["count"] == len(expected)
    assert [row["id"] for row in data["results"]] == [meeting.pk for meeting in expected]
    by_id = {row["id"]: row for row in data["results"]}

    held = by_id[meetings.held.pk]
    titles = [item["title"] for item in held["items"]]
    if internal:
        assert titles == [
            "Votum Welcome Center",
            "Kurzskizze",
            "Personalangelegenheit der Geschäftsstelle",
        ]
    else:
        assert titles == ["Votum Welcome Center", "Kurzskizze"]
    # The draft agenda of a meeting not yet invited is the office's, not the public's.
    planned = by_id[meetings.planned.pk]
    assert planned["agenda_published"] is False
    assert len(planned["items"]) == (1 if internal else 0)
    # The office's notes never leave it; nor does anything of the other alliance.
    body = response.content.decode()
    assert "GEHEIM-NOTIZ" not in body and '"notes"' not in body
    assert "Leine-Weser" not in body


@pytest.mark.parametrize("persona", PERSONAS)
def test_projects_are_named_only_if_public_or_for_the_internal_circle(
    circle: Circle, meetings: Meetings, persona: str
) -> None:
    data = _json(circle.client(persona).get(meeting_url(meetings.held)))
    first, second = data["items"][0], data["items"][1]
    assert first["project"]["reference"] == meetings.public_project.reference
    assert first["project"]["url"].endswith(f"/projects/{meetings.public_project.pk}/")
    if persona in INTERNAL:
        assert second["project"]["title"] == "Geheime Kurzskizze"
    else:
        assert second["project"] is None
        assert "Geheime Kurzskizze" not in json.dumps(data)


def test_a_meeting_in_full(circle: Circle, meetings: Meetings) -> None:
    data = _json(Client().get(meeting_url(meetings.held)))
    assert data["title"].startswith("Sitzung des Steuerkreises am ")
    assert data["body"] == {"kind": "steering", "name": "Steuerkreis"}
    assert (data["status"], data["status_label"]) == ("held", "Durchgeführt")
    assert data["is_cancelled"] is False and data["has_public_part"] is True
    assert data["agenda_published"] is True
    assert data["location"] == "Frankfurter Straße 2, Braunschweig"
    # ISO 8601 with the offset of the alliance's time zone.
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", data["starts_at"])
    assert timezone.datetime.fromisoformat(data["starts_at"]) == meetings.held.starts_at
    assert data["url"] == f"http://testserver{meeting_url(meetings.held)}"
    first, second = data["items"]
    assert first == {
        "number": 1,
        "title": "Votum Welcome Center",
        "is_public": True,
        "project": first["project"],
        "proposed_decision": "Der Steuerkreis befürwortet die Projektbeschreibung.",
        "recommendation": "Der Sprecherkreis empfiehlt die Befürwortung.",
        "decision": None,
    }
    decision = second["decision"]
    assert decision["outcome"] == "agreed"
    assert decision["outcome_label"] == "einvernehmlich beschlossen"
    assert decision["text"] == "Der Steuerkreis befürwortet die Kurzskizze."
    assert decision["objecting"] == []
    assert decision["abstaining"] == [circle.org("union").name]
    assert decision["recused"] == [circle.org("city").name]
    assert decision["decided_at"]


@pytest.mark.parametrize("persona", ["public", "member"])
def test_cancelled_meetings_are_flagged(circle: Circle, meetings: Meetings, persona: str) -> None:
    data = _json(circle.client(persona).get(meeting_url(meetings.cancelled)))
    assert data["is_cancelled"] is True and data["status"] == "cancelled"
    # Why it was cancelled is the internal circle's to know.
    expected = "Die Leitung ist erkrankt." if persona == "member" else None
    assert data["cancelled_reason"] == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_meeting_without_public_part_is_not_found_for_the_public(
    circle: Circle, meetings: Meetings, persona: str
) -> None:
    response = circle.client(persona).get(meeting_url(meetings.preparing))
    if persona in INTERNAL:
        assert _json(response)["title"] == "Vorbesprechung"
    else:
        assert _json(response, 404) == {"detail": "Sitzung nicht gefunden."}


def test_other_alliances_and_unknown_ones_are_not_found(circle: Circle, meetings: Meetings) -> None:
    office = circle.client("office")
    assert _json(office.get(meeting_url(meetings.foreign)), 404)["detail"]
    assert office.get(meetings_url("gibt-es-nicht")).status_code == 404
    assert office.get(meetings_url("leine-weser")).json()["count"] == 1  # their own, public


def test_meetings_are_read_only(circle: Circle, meetings: Meetings) -> None:
    client = Client()
    assert client.post(meetings_url(), {}).status_code == 405
    assert client.delete(meeting_url(meetings.held)).status_code == 405


@pytest.mark.parametrize(
    ("params", "persona", "expected"),
    [
        ({"body": "speakers"}, "member", ["preparing"]),
        ({"body": "speakers"}, "public", []),
        ({"body": "steering"}, "public", ["held", "cancelled", "planned"]),
        ({"from": "today"}, "public", ["cancelled", "planned"]),
        ({"until": "yesterday"}, "member", ["preparing", "held"]),
        ({"from": "yesterday-11", "until": "yesterday-9"}, "public", ["held"]),
        ({"body": "steering", "from": "today", "until": "today+40"}, "member", ["cancelled"]),
    ],
)
def test_filters(
    circle: Circle,
    meetings: Meetings,
    params: dict[str, str],
    persona: str,
    expected: list[str],
) -> None:
    today = timezone.localdate()

    def day(value: str) -> str:
        offsets = {
            "today": 0,
            "yesterday": -1,
            "yesterday-11": -11,
            "yesterday-9": -9,
            "today+40": 40,
        }
        return (today + timedelta(days=offsets[value])).isoformat()

    query = {
        key: day(value) if key in ("from", "until") else value for key, value in params.items()
    }
    data = _json(circle.client(persona).get(meetings_url(), query))
    assert [row["id"] for row in data["results"]] == [
        getattr(meetings, name).pk for name in expected
    ]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"body": "office"},
            "body",
            "Unbekanntes Gremium „office“. Möglich sind: steering, speakers.",
        ),
        ({"from": "19.03.2025"}, "from", "Bitte ein Datum im Format JJJJ-MM-TT angeben"),
        ({"until": "morgen"}, "until", "Bitte ein Datum im Format JJJJ-MM-TT angeben"),
        ({"from": "2025-03-19", "until": "2025-03-18"}, "until", "„until“ liegt vor „from“."),
    ],
)
def test_bad_filters_answer_400_in_german(
    circle: Circle, meetings: Meetings, params: dict[str, str], field: str, message: str
) -> None:
    data = _json(Client().get(meetings_url(), params, HTTP_ACCEPT_LANGUAGE="en"), 400)
    assert list(data) == [field]
    assert data[field][0].startswith(message)


def test_pagination_like_every_list(circle: Circle, meetings: Meetings) -> None:
    data = _json(Client().get(meetings_url(), {"limit": 1, "offset": 1}))
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == 3
    assert [row["id"] for row in data["results"]] == [meetings.cancelled.pk]
    assert "offset=2" in data["next"]


# Queries of the meeting list and detail, per caller. The list: count, page (body joined), the
# items of the page (project and decision joined), whatever the number of meetings and items.
# Signed in, every count below includes the session authentication's two-factor check: the
# session's verified app (django-otp's OTPMiddleware), or whether the user has one.
MEETING_LIST = {
    # the alliance; count; page; items
    "public": 4,
    # session; user; the alliance; the user's roles; count; page; items
    "member": 8,
    # session; user; the alliance (the ministry sees every alliance: no roles); count; page; items
    "ministry": 7,
}
MEETING_DETAIL = {
    # the alliance; the meeting (body joined); items
    "public": 3,
    # session; user; the alliance; roles; the meeting; items
    "member": 7,
    "ministry": 6,
}


@pytest.mark.parametrize("persona", list(MEETING_LIST))
def test_meeting_queries_are_pinned_and_do_not_grow(
    circle: Circle,
    meetings: Meetings,
    django_assert_num_queries: DjangoAssertNumQueries,
    persona: str,
) -> None:
    client = circle.client(persona)
    with django_assert_num_queries(MEETING_LIST[persona]):
        assert client.get(meetings_url()).status_code == 200
    with django_assert_num_queries(MEETING_DETAIL[persona]):
        assert client.get(meeting_url(meetings.held)).status_code == 200

    for number in range(5):
        meeting = _meeting(
            circle, "steering", 100 + number, invited_at=timezone.now(), status="invited"
        )
        for position in range(4):
            project = meetings.public_project if position % 2 else meetings.hidden_project
            _item(meeting, position, f"TOP {position}", project=project)
    with django_assert_num_queries(MEETING_LIST[persona]):
        response = client.get(meetings_url())
    assert response.json()["count"] >= 8


# --- Circulations ----------------------------------------------------------------------------------

# persona → status of reading the circulations
CIRCULATION_READ = {
    "public": 401,
    "office": 200,
    "speaker": 200,
    "member": 200,
    "advisory": 200,
    "applicant": 403,
    "ministry": 200,
    "admin": 200,
    "outsider": 403,
}
# persona → status of answering for the city (only the member sits for it)
CIRCULATION_ANSWER = {name: 403 for name in PERSONAS} | {"public": 401, "member": 200}


def test_every_persona_has_an_expectation() -> None:
    assert set(CIRCULATION_READ) == set(PERSONAS) == set(CIRCULATION_ANSWER)


@pytest.fixture
def circulation(circle: Circle) -> Circulation:
    return circle.open()


def _post(client: Client, circulation: Circulation, **data: Any) -> Any:
    payload = {"organisation": 0, "answer": "agree", "comment": ""} | data
    return client.post(
        circulation_url(circulation, answer=True), payload, content_type="application/json"
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_circulations_per_role(circle: Circle, circulation: Circulation, persona: str) -> None:
    client = circle.client(persona)
    for url in (circulations_url(), circulation_url(circulation)):
        response = client.get(url)
        assert response.status_code == CIRCULATION_READ[persona]
        if response.status_code == 401:
            assert response["WWW-Authenticate"] == 'Bearer realm="api"'
        if response.status_code == 403:
            assert "dem internen Kreis des Bündnisses" in response.json()["detail"]
    if CIRCULATION_READ[persona] == 200:
        [row] = client.get(circulations_url()).json()["results"]
        assert row["id"] == circulation.pk
        expected = [circle.org("city").pk] if persona == "member" else []
        assert row["answerable_for"] == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_answer_per_role(circle: Circle, circulation: Circulation, persona: str) -> None:
    response = _post(circle.client(persona), circulation, organisation=circle.org("city").pk)
    assert response.status_code == CIRCULATION_ANSWER[persona]
    assert CirculationAnswer.objects.count() == (1 if persona == "member" else 0)


def test_a_circulation_in_full(circle: Circle) -> None:
    project = project_in_state(
        circle.structure, Status.SKETCH_STEERING, applicant_organisation=circle.org("employers")
    )
    circulation = circle.open(project=project, is_public=True)
    member = circle.client("member")
    data = _json(_post(member, circulation, organisation=circle.org("city").pk, comment="Gern."))
    assert data["title"] == "Anschlussprojekt Praktikumsbörse"
    assert data["text"] == "Der Steuerkreis befürwortet das Anschlussprojekt."
    assert data["body"] == {"kind": "steering", "name": "Steuerkreis"}
    assert data["project"]["reference"] == project.reference
    assert (data["status"], data["status_label"]) == ("open", "Läuft")
    assert data["entitled_count"] == 8 == len(data["entitled"])
    assert data["recused"] == [
        {
            "id": circle.org("employers").pk,
            "name": circle.org("employers").name,
            "reason": "Antragstellerin des Vorhabens",
        }
    ]
    [answer] = data["answers"]
    assert answer["organisation"] == {"id": circle.org("city").pk, "name": "Stadt Braunschweig"}
    assert (answer["answer"], answer["answer_label"], answer["comment"]) == (
        "agree",
        "Zustimmung",
        "Gern.",
    )
    assert data["is_answerable"] is True and data["is_public"] is True
    assert data["silence_is_consent"] is False
    assert data["answerable_for"] == [circle.org("city").pk]
    assert data["result"] == {}
    assert re.search(r"[+-]\d\d:\d\d$", data["deadline"])

    circle.answer_all(circulation, city=True)
    circulations.circulation_close(actor=None, circulation=circulation)
    project.refresh_from_db()
    assert project.status == Status.DESCRIPTION_REQUESTED
    closed = _json(member.get(circulation_url(circulation)))
    assert closed["status"] == "passed" and closed["is_answerable"] is False
    assert len(closed["result"]["agreeing"]) == 7


def test_a_second_answer_replaces_the_first(circle: Circle, circulation: Circulation) -> None:
    member, city = circle.client("member"), circle.org("city").pk
    _json(_post(member, circulation, organisation=city, answer="agree"))
    data = _json(_post(member, circulation, organisation=city, answer="abstain"))
    assert [row["answer"] for row in data["answers"]] == ["abstain"]
    assert CirculationAnswer.objects.filter(circulation=circulation).count() == 1


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"answer": "ja"},
            {
                "answer": [
                    "Bitte wählen Sie Zustimmung (agree), Einwand (object) oder Enthaltung "
                    "(abstain)."
                ]
            },
        ),
        ({"answer": "object"}, {"comment": ["Bitte begründen Sie Ihren Einwand."]}),
        (
            {"answer": "object", "comment": "  "},
            {"comment": ["Bitte begründen Sie Ihren Einwand."]},
        ),
        ({"organisation": "Stadt"}, {"organisation": ["Eine gültige Ganzzahl ist erforderlich."]}),
        (
            {"organisation": 999999},
            {"organisation": ["Diese Organisation gibt es in diesem Bündnis nicht."]},
        ),
    ],
)
def test_broken_rules_answer_400_in_german(
    circle: Circle, circulation: Circulation, data: dict[str, Any], expected: dict[str, Any]
) -> None:
    payload = {"organisation": circle.org("city").pk} | data
    response = _post(circle.client("member"), circulation, **payload)
    assert _json(response, 400) == expected
    assert not CirculationAnswer.objects.exists()


def test_answering_for_an_organisation_one_does_not_represent_is_403(
    circle: Circle, circulation: Circulation, other_alliance: Alliance
) -> None:
    response = _post(circle.client("member"), circulation, organisation=circle.org("union").pk)
    assert _json(response, 403) == {
        "detail": "Sie können nicht für DGB-Region Braunschweig antworten."
    }
    # Nor for an organisation of another alliance.
    foreign = build_alliance_structure(other_alliance, place="Hameln").organisations["city"]
    response = _post(circle.client("member"), circulation, organisation=foreign.pk)
    assert response.status_code == 400
    assert not CirculationAnswer.objects.exists()


def test_the_recused_applicant_cannot_answer(circle: Circle) -> None:
    project = project_in_state(
        circle.structure, Status.SKETCH_STEERING, applicant_organisation=circle.org("city")
    )
    circulation = circle.open(project=project)
    member = circle.client("member")
    assert _json(member.get(circulation_url(circulation)))["answerable_for"] == []
    data = _json(_post(member, circulation, organisation=circle.org("city").pk), 400)
    assert data == {
        "non_field_errors": ["Stadt Braunschweig ist befangen und gibt keine Antwort ab."]
    }


def test_late_and_closed_answer_409(circle: Circle, circulation: Circulation) -> None:
    member, city = circle.client("member"), circle.org("city").pk
    expire(circulation)
    data = _json(_post(member, circulation, organisation=city), 409)
    assert data["detail"].startswith("Die Antwortfrist ist am ")

    other = circle.open(title="Zurückgezogen")
    circulations.circulation_cancel(actor=None, circulation=other, reason="Erledigt.")
    data = _json(_post(member, other, organisation=city), 409)
    assert data["detail"] == (
        "Der Umlauf ist abgeschlossen (Zurückgezogen); Antworten sind nicht mehr möglich."
    )
    assert not CirculationAnswer.objects.exists()


def test_status_filter(circle: Circle, circulation: Circulation) -> None:
    other = circle.open(title="Zurückgezogen")
    circulations.circulation_cancel(actor=None, circulation=other, reason="Erledigt.")
    office = circle.client("office")
    assert [row["id"] for row in _json(office.get(circulations_url()))["results"]] == [
        other.pk,
        circulation.pk,
    ]
    data = _json(office.get(circulations_url(), {"status": "open"}))
    assert [row["id"] for row in data["results"]] == [circulation.pk]
    bad = _json(office.get(circulations_url(), {"status": "offen"}), 400)
    assert bad["status"][0].startswith("Unbekannter Stand „offen“.")


def test_another_alliances_circulation_is_not_found(
    circle: Circle, other_alliance: Alliance
) -> None:
    theirs = Circle(
        structure=build_alliance_structure(other_alliance, place="Hameln"),
        make_persona=circle.make_persona,
    ).open(title="Fremder Umlauf")
    office = circle.client("office")
    assert _json(office.get(circulation_url(theirs)), 404) == {
        "detail": "Umlaufbeschluss nicht gefunden."
    }
    assert "Fremder Umlauf" not in office.get(circulations_url()).content.decode()


def test_a_token_answers_without_csrf_and_the_session_needs_it(
    circle: Circle, circulation: Circulation
) -> None:
    member = circle.user("member")
    assert member is not None
    _token, secret = tokens.token_create(actor=None, user=member, name="Skript")
    response = Client(enforce_csrf_checks=True).post(
        circulation_url(circulation, answer=True),
        {"organisation": circle.org("city").pk, "answer": "agree"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert _json(response)["answers"][0]["answer"] == "agree"

    session = Client(enforce_csrf_checks=True)
    session.force_login(member)
    refused = _post(session, circulation, organisation=circle.org("city").pk)
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("CSRF-Prüfung fehlgeschlagen")


# Queries of the circulation list, per caller: count, page (body and project joined), answers
# (organisation joined), whatever the number of circulations and answers.
# Signed in, every count below includes the session authentication's two-factor check: the
# session's verified app (django-otp's OTPMiddleware), or whether the user has one.
CIRCULATION_LIST = {
    # session; user; the alliance; roles; the organisations they answer for; count; page; answers
    "member": 9,
    # session; user; the alliance; the organisations they answer for (none); count; page; answers
    "ministry": 8,
}


@pytest.mark.parametrize("persona", list(CIRCULATION_LIST))
def test_circulation_queries_are_pinned_and_do_not_grow(
    circle: Circle,
    circulation: Circulation,
    django_assert_num_queries: DjangoAssertNumQueries,
    persona: str,
) -> None:
    client = circle.client(persona)
    with django_assert_num_queries(CIRCULATION_LIST[persona]):
        assert client.get(circulations_url()).status_code == 200
    for number in range(4):
        circle.answer_all(circle.open(title=f"Weiterer Umlauf {number}"))
    with django_assert_num_queries(CIRCULATION_LIST[persona]):
        response = client.get(circulations_url())
    assert response.json()["count"] == 5
    # The detail: the same, without count and page but with the one circulation.
    with django_assert_num_queries(CIRCULATION_LIST[persona] - 1):
        assert client.get(circulation_url(circulation)).status_code == 200


# --- Schema ----------------------------------------------------------------------------------------

OPERATIONS = {
    ("/api/v1/alliances/{slug}/meetings/", "get"): "alliance_meetings_list",
    ("/api/v1/alliances/{slug}/meetings/{id}/", "get"): "alliance_meeting_retrieve",
    ("/api/v1/alliances/{slug}/circulations/", "get"): "alliance_circulations_list",
    ("/api/v1/alliances/{slug}/circulations/{id}/", "get"): "alliance_circulation_retrieve",
    ("/api/v1/alliances/{slug}/circulations/{id}/answer/", "post"): "alliance_circulation_answer",
}


def test_schema_documents_the_endpoints(client: Client) -> None:
    schema = client.get(reverse("api:schema"), query_params={"format": "json"}).json()
    paths = schema["paths"]
    for (path, method), operation_id in OPERATIONS.items():
        assert set(paths[path]) - {"parameters"} == {method}
        operation = paths[path][method]
        assert operation["operationId"] == operation_id
        assert " / " in operation["summary"]
        assert operation["description"]
        assert "404" in operation["responses"]
        security = operation["security"]
        assert {"bearerAuth": []} in security and {"cookieAuth": []} in security
        # Meetings are read without a login, circulations never.
        assert ({} in security) == ("/meetings/" in path)
        if "/circulations/" in path:
            assert {"401", "403"} <= set(operation["responses"])
    answer = paths["/api/v1/alliances/{slug}/circulations/{id}/answer/"]["post"]
    assert {"200", "400", "401", "403", "404", "409"} <= set(answer["responses"])
    components = schema["components"]["schemas"]
    assert "notes" not in components["AgendaItem"]["properties"]
    assert components["CirculationAnswerEnum"]["enum"] == ["agree", "object", "abstain"]
    # The funding outcome keeps its name next to the meeting decision's.
    assert "OutcomeEnum" in components and "DecisionOutcomeEnum" in components
    meeting = components["Meeting"]["properties"]
    assert meeting["starts_at"]["format"] == "date-time"
