"""The decisions API: decisions of meetings and results of circulations in one list, who sees
which, the filters, the detail, the errors, and query counts that do not grow with the data."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance
from buendnis.funding.models import Project
from buendnis.funding.states import Status
from buendnis.meetings.models import (
    AgendaItem,
    Circulation,
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


@pytest.fixture
def circle(alliance: Alliance, make_persona: Callable[[str], User | None]) -> Circle:
    return make_circle(alliance, make_persona)


def decisions_url(slug: str = "son") -> str:
    return reverse("api:alliance-decisions", kwargs={"slug": slug})


def decision_url(key: str, slug: str = "son") -> str:
    return reverse("api:alliance-decision-detail", kwargs={"slug": slug, "key": key})


def _json(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def _at(days: int, hour: int) -> datetime:
    """`hour` o'clock (local time) `days` from today: the day filters never hit midnight."""
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def _meeting(circle: Circle, kind: str, days: int, **fields: Any) -> Meeting:
    starts = _at(days, 10)
    return Meeting.objects.create(
        alliance=circle.alliance,
        body=circle.structure.bodies[kind],
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        **fields,
    )


def _decide(
    meeting: Meeting,
    position: int,
    title: str,
    text: str,
    *,
    is_public: bool = True,
    project: Project | None = None,
    snapshot: dict[str, Any] | None = None,
    outcome: str = DecisionOutcome.AGREED,
) -> Decision:
    item = AgendaItem.objects.create(
        alliance=meeting.alliance,
        meeting=meeting,
        position=position,
        title=title,
        is_public=is_public,
        project=project,
        notes="GEHEIM-NOTIZ",
    )
    return Decision.objects.create(
        alliance=meeting.alliance,
        item=item,
        outcome=outcome,
        text=text,
        snapshot=snapshot or {},
        decided_at=meeting.starts_at + timedelta(hours=1),
    )


def _closed(circle: Circle, title: str, *, days_ago: int, **fields: Any) -> Circulation:
    """A circulation every voter agreed to, evaluated `days_ago`."""
    circulation = circle.open(title=title, **fields)
    circle.answer_all(circulation)
    circulations.circulation_close(actor=None, circulation=circulation)
    Circulation.objects.filter(pk=circulation.pk).update(closed_at=_at(-days_ago, 12))
    circulation.refresh_from_db()
    return circulation


@dataclass
class Decisions:
    public: Decision  # public item of a published Steuerkreis agenda, on a public project
    hidden_project: Decision  # public item, but its project is not public
    nonpublic_item: Decision  # non-public item of the same meeting
    draft_agenda: Decision  # public item of a meeting not invited (agenda is a draft)
    closed_meeting: Decision  # Sprecherkreis meeting without a public part
    public_circulation: Circulation
    internal_circulation: Circulation
    public_project: Project
    hidden: Project


@pytest.fixture
def decisions(circle: Circle, other_alliance: Alliance) -> Decisions:
    public_project = project_in_state(circle.structure, Status.ENDORSED, title="Welcome Center")
    hidden = project_in_state(circle.structure, Status.SKETCH_STEERING, title="Geheime Skizze")
    held = _meeting(circle, "steering", -30, status=MeetingStatus.HELD, invited_at=timezone.now())
    public = _decide(
        held,
        0,
        "Votum Welcome Center",
        "Der Steuerkreis befürwortet das Vorhaben.",
        project=public_project,
        snapshot={
            "objecting": [{"id": 1, "name": "IHK Braunschweig", "reason": "GEHEIMER GRUND"}],
            "abstaining": [{"id": 2, "name": "DGB-Region Braunschweig"}],
            "recused": [{"id": 3, "name": "Stadt Braunschweig", "reason": "Antragstellerin"}],
        },
        outcome=DecisionOutcome.NOT_AGREED,
    )
    hidden_project = _decide(held, 1, "Kurzskizze", "Befürwortet.", project=hidden)
    nonpublic_item = _decide(
        held, 2, "Personalangelegenheit", "Geheimer Beschluss.", is_public=False
    )
    planned = _meeting(circle, "steering", -20)
    draft_agenda = _decide(planned, 0, "Entwurfspunkt", "Entwurfsbeschluss.")
    closed = _meeting(circle, "speakers", -10, has_public_part=False, invited_at=timezone.now())
    closed_meeting = _decide(closed, 0, "Vorbereitung", "Interne Empfehlung.")

    public_circulation = _closed(circle, "Öffentlicher Umlauf", days_ago=15, is_public=True)
    internal_circulation = _closed(circle, "Interner Umlauf", days_ago=5)
    # Neither an open nor a withdrawn circulation has decided anything.
    circle.open(title="Laufender Umlauf", is_public=True)
    withdrawn = circle.open(title="Zurückgezogener Umlauf", is_public=True)
    circulations.circulation_cancel(actor=None, circulation=withdrawn, reason="Erledigt.")

    theirs = Circle(
        structure=build_alliance_structure(other_alliance, place="Hameln"),
        make_persona=circle.make_persona,
    )
    _closed(theirs, "Umlauf in Leine-Weser", days_ago=1, is_public=True)
    return Decisions(
        public=public,
        hidden_project=hidden_project,
        nonpublic_item=nonpublic_item,
        draft_agenda=draft_agenda,
        closed_meeting=closed_meeting,
        public_circulation=public_circulation,
        internal_circulation=internal_circulation,
        public_project=public_project,
        hidden=hidden,
    )


def key(row: Decision | Circulation) -> str:
    return f"{'meeting' if isinstance(row, Decision) else 'circulation'}-{row.pk}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_which_decisions(circle: Circle, decisions: Decisions, persona: str) -> None:
    response = circle.client(persona).get(decisions_url())
    data = _json(response)
    d = decisions
    # Oldest first, both kinds in one list.
    if persona in INTERNAL:
        expected = [
            d.public,
            d.hidden_project,
            d.nonpublic_item,
            d.draft_agenda,
            d.public_circulation,
            d.closed_meeting,
            d.internal_circulation,
        ]
    else:
        expected = [d.public, d.hidden_project, d.public_circulation]
    assert [row["id"] for row in data["results"]] == [key(row) for row in expected]
    assert data["count"] == len(expected)
    body = response.content.decode()
    assert "GEHEIM" not in body and "Leine-Weser" not in body and "Laufender" not in body
    assert "Zurückgezogen" not in body
    if persona not in INTERNAL:
        for secret in ("Geheime Skizze", "Personalangelegenheit", "Entwurf", "Interner Umlauf"):
            assert secret not in body
        assert all(row["is_public"] for row in data["results"])


def test_a_meeting_decision_in_full(circle: Circle, decisions: Decisions) -> None:
    d = decisions
    data = _json(Client().get(decision_url(key(d.public))))
    meeting = d.public.item.meeting
    assert data == {
        "id": key(d.public),
        "url": f"http://testserver{decision_url(key(d.public))}",
        "kind": "meeting",
        "decided_at": data["decided_at"],
        "date": timezone.localtime(d.public.decided_at).date().isoformat(),
        "body": {"kind": "steering", "name": "Steuerkreis"},
        "outcome": "not_agreed",
        "outcome_label": "kein Einvernehmen",
        "title": "Votum Welcome Center",
        "text": "Der Steuerkreis befürwortet das Vorhaben.",
        "project": {
            "id": d.public_project.pk,
            "reference": d.public_project.reference,
            "title": "Welcome Center",
            "url": f"http://testserver/api/v1/alliances/son/projects/{d.public_project.pk}/",
        },
        "is_public": True,
        "objecting": ["IHK Braunschweig"],
        "abstaining": ["DGB-Region Braunschweig"],
        "recused": ["Stadt Braunschweig"],
        "meeting": {
            "id": meeting.pk,
            "url": f"http://testserver/api/v1/alliances/son/meetings/{meeting.pk}/",
            "title": meeting.display_title,
            "starts_at": data["meeting"]["starts_at"],
            "item_number": 1,
        },
        "circulation": None,
    }
    assert timezone.datetime.fromisoformat(data["decided_at"]) == d.public.decided_at
    # The project of the second item is not public: not named for the public, named inside.
    assert _json(Client().get(decision_url(key(d.hidden_project))))["project"] is None
    inside = _json(circle.client("member").get(decision_url(key(d.hidden_project))))
    assert inside["project"]["title"] == "Geheime Skizze"


def test_a_circulation_decision_in_full(circle: Circle, decisions: Decisions) -> None:
    circulation = decisions.public_circulation
    data = _json(Client().get(decision_url(key(circulation))))
    assert data["kind"] == "circulation" and data["meeting"] is None
    assert (data["outcome"], data["outcome_label"]) == ("agreed", "einvernehmlich beschlossen")
    assert data["title"] == "Öffentlicher Umlauf"
    assert data["text"] == "Der Steuerkreis befürwortet das Anschlussprojekt."
    assert data["body"] == {"kind": "steering", "name": "Steuerkreis"}
    assert data["objecting"] == [] and data["abstaining"] == [] and data["recused"] == []
    assert data["circulation"]["id"] == circulation.pk
    assert (data["circulation"]["status"], data["circulation"]["status_label"]) == (
        "passed",
        "Beschlossen",
    )
    assert data["date"] == timezone.localdate(circulation.closed_at).isoformat()


def test_a_failed_circulation_names_objecting_organisations_without_reasons(
    circle: Circle,
) -> None:
    circulation = circle.open(title="Strittiger Umlauf", is_public=True)
    circulations.circulation_answer(
        actor=None,
        circulation=circulation,
        organisation=circle.org("union"),
        answer="object",
        comment="GEHEIMER EINWAND",
    )
    expire(circulation)
    circulations.circulation_close(actor=None, circulation=circulation)
    response = Client().get(decision_url(key(circulation)))
    data = _json(response)
    assert data["outcome"] == "not_agreed"
    assert data["objecting"] == [circle.org("union").name]
    assert "GEHEIMER EINWAND" not in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_hidden_decisions_are_not_found_for_the_public(
    circle: Circle, decisions: Decisions, persona: str
) -> None:
    client = circle.client(persona)
    d = decisions
    for row in (d.nonpublic_item, d.draft_agenda, d.closed_meeting, d.internal_circulation):
        response = client.get(decision_url(key(row)))
        if persona in INTERNAL:
            assert _json(response)["is_public"] is False
        else:
            assert _json(response, 404) == {"detail": "Beschluss nicht gefunden."}


@pytest.mark.parametrize(
    "wrong", ["meeting-0", "circulation-999999", "decision-1", "meeting-x", "meeting"]
)
def test_unknown_keys_are_not_found(circle: Circle, decisions: Decisions, wrong: str) -> None:
    assert _json(circle.client("office").get(decision_url(wrong)), 404)["detail"]


def test_other_alliances_and_unknown_ones_are_not_found(
    circle: Circle, decisions: Decisions
) -> None:
    office = circle.client("office")
    theirs = Circulation.objects.get(title="Umlauf in Leine-Weser")
    assert office.get(decision_url(key(theirs))).status_code == 404
    assert _json(office.get(decision_url(key(theirs), "leine-weser")))["is_public"] is True
    assert office.get(decisions_url("gibt-es-nicht")).status_code == 404


def test_decisions_are_read_only(circle: Circle, decisions: Decisions) -> None:
    client = Client()
    assert client.post(decisions_url(), {}).status_code == 405
    assert client.delete(decision_url(key(decisions.public))).status_code == 405


@pytest.mark.parametrize(
    ("params", "persona", "expected"),
    [
        ({"body": "speakers"}, "member", ["closed_meeting"]),
        ({"body": "speakers"}, "public", []),
        ({"body": "steering"}, "public", ["public", "hidden_project", "public_circulation"]),
        ({"project": "public_project"}, "public", ["public"]),
        # The public cannot learn of decisions on a project that is not public.
        ({"project": "hidden"}, "public", []),
        ({"project": "hidden"}, "member", ["hidden_project"]),
        ({"from": -16}, "public", ["public_circulation"]),
        ({"until": -16}, "public", ["public", "hidden_project"]),
        ({"from": -20, "until": -11}, "member", ["draft_agenda", "public_circulation"]),
        ({"from": -5, "until": -5}, "member", ["internal_circulation"]),
    ],
)
def test_filters(
    circle: Circle,
    decisions: Decisions,
    params: dict[str, Any],
    persona: str,
    expected: list[str],
) -> None:
    today = timezone.localdate()
    query = {}
    for name, value in params.items():
        if name in ("from", "until"):
            query[name] = (today + timedelta(days=value)).isoformat()
        elif name == "project":
            query[name] = str(getattr(decisions, value).pk)
        else:
            query[name] = value
    data = _json(circle.client(persona).get(decisions_url(), query))
    assert [row["id"] for row in data["results"]] == [
        key(getattr(decisions, name)) for name in expected
    ]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"body": "office"}, "body", "Unbekanntes Gremium „office“."),
        ({"project": "WC-1"}, "project", "Bitte die Nummer (id) eines Vorhabens angeben."),
        ({"from": "19.03.2025"}, "from", "Bitte ein Datum im Format JJJJ-MM-TT angeben"),
        ({"from": "2025-03-19", "until": "2025-03-18"}, "until", "„until“ liegt vor „from“."),
    ],
)
def test_bad_filters_answer_400_in_german(
    circle: Circle, decisions: Decisions, params: dict[str, str], field: str, message: str
) -> None:
    data = _json(Client().get(decisions_url(), params, HTTP_ACCEPT_LANGUAGE="en"), 400)
    assert list(data) == [field]
    assert data[field][0].startswith(message)


def test_pagination_like_every_list(circle: Circle, decisions: Decisions) -> None:
    data = _json(Client().get(decisions_url(), {"limit": 1, "offset": 1}))
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == 3
    assert [row["id"] for row in data["results"]] == [key(decisions.hidden_project)]
    assert "offset=2" in data["next"]


# Queries of the decision list and detail, per caller. The list: count, the page's keys (one
# UNION of decisions and circulations), the page's decisions (item, meeting, body and project
# joined) and the page's circulations (body and project joined), whatever the number of rows.
# Signed in, every count below includes the session authentication's two-factor check: the
# session's verified app (django-otp's OTPMiddleware), or whether the user has one.
DECISION_LIST = {
    # the alliance; count; keys; decisions; circulations
    "public": 5,
    # session; user; the alliance; the user's roles; count; keys; decisions; circulations
    "member": 9,
    # session; user; the alliance (the ministry sees every alliance: no roles); count; keys;
    # decisions; circulations
    "ministry": 8,
}
DECISION_DETAIL = {
    # the alliance; the decision (item, meeting, body, project joined)
    "public": 2,
    # session; user; the alliance; roles; the decision
    "member": 6,
    "ministry": 5,
}


@pytest.mark.parametrize("persona", list(DECISION_LIST))
def test_decision_queries_are_pinned_and_do_not_grow(
    circle: Circle,
    decisions: Decisions,
    django_assert_num_queries: DjangoAssertNumQueries,
    persona: str,
) -> None:
    client = circle.client(persona)
    with django_assert_num_queries(DECISION_LIST[persona]):
        assert client.get(decisions_url()).status_code == 200
    for url in (
        decision_url(key(decisions.public)),
        decision_url(key(decisions.public_circulation)),
    ):
        with django_assert_num_queries(DECISION_DETAIL[persona]):
            assert client.get(url).status_code == 200

    for number in range(4):
        meeting = _meeting(
            circle, "steering", -40 - number, status="held", invited_at=timezone.now()
        )
        for position in range(3):
            project = decisions.public_project if position % 2 else decisions.hidden
            _decide(meeting, position, f"TOP {position}", "Beschlossen.", project=project)
        _closed(circle, f"Weiterer Umlauf {number}", days_ago=number, is_public=True)
    with django_assert_num_queries(DECISION_LIST[persona]):
        response = client.get(decisions_url())
    assert response.json()["count"] >= 19


def test_schema_documents_the_endpoints(client: Client) -> None:
    schema = client.get(reverse("api:schema"), query_params={"format": "json"}).json()
    paths = schema["paths"]
    operations = {
        "/api/v1/alliances/{slug}/decisions/": "alliance_decisions_list",
        "/api/v1/alliances/{slug}/decisions/{key}/": "alliance_decision_retrieve",
    }
    for path, operation_id in operations.items():
        assert set(paths[path]) - {"parameters"} == {"get"}
        operation = paths[path]["get"]
        assert operation["operationId"] == operation_id
        assert " / " in operation["summary"] and operation["description"]
        assert "404" in operation["responses"]
        # Read without a login; a token or session shows the internal circle more.
        assert {} in operation["security"] and {"bearerAuth": []} in operation["security"]
    listing = paths["/api/v1/alliances/{slug}/decisions/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {
        "slug",
        "body",
        "project",
        "from",
        "until",
        "limit",
        "offset",
    }
    decision = schema["components"]["schemas"]["Decision"]["properties"]
    assert decision["project"]["nullable"] is True
    assert "reason" not in json.dumps(decision)
