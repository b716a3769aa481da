"""The Atom feeds of public meetings and newly funded projects: valid Atom, the right entries,
nothing non-public, cached public GETs without cookies, constant queries."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from buendnis.funding.states import Status
from buendnis.meetings.models import Meeting
from buendnis.meetings.services import agenda, invitations, planning
from tests.factories import AllianceStructure, project_in_state

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
MEETINGS = "/son/sitzungen.atom"
FUNDED = "/son/projekte/gefoerdert.atom"


def entries(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.content)  # noqa: S314 - our own answer, not untrusted input
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None, required
    rows = []
    for entry in root.findall(f"{ATOM}entry"):
        link = entry.find(f"{ATOM}link")
        assert link is not None
        summary = entry.find(f"{ATOM}summary")
        rows.append(
            {
                "title": entry.findtext(f"{ATOM}title") or "",
                "link": link.get("href") or "",
                "id": entry.findtext(f"{ATOM}id") or "",
                "updated": entry.findtext(f"{ATOM}updated") or "",
                "summary": summary.text or "" if summary is not None else "",
            }
        )
    return rows


def make_meeting(structure: AllianceStructure, days: int, **fields: Any) -> Meeting:
    start = (timezone.now() + timedelta(days=days)).replace(second=0, microsecond=0)
    meeting = planning.meeting_create(
        actor=None,
        body=structure.bodies[fields.pop("body", "steering")],
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        location="Rathaus Braunschweig",
        **fields,
    )
    agenda.agenda_item_create(actor=None, meeting=meeting, title=f"Bericht {days}")
    agenda.agenda_item_create(
        actor=None, meeting=meeting, title="Personalsache ZZGEHEIM", is_public=False
    )
    return meeting


def test_the_meetings_feed_lists_invited_public_meetings_with_public_items(
    structure: AllianceStructure, other_structure: AllianceStructure
) -> None:
    first = make_meeting(structure, 10)
    second = make_meeting(structure, 20, body="speakers")
    planned = make_meeting(structure, 30)  # not invited: its agenda is the office's draft
    closed = make_meeting(structure, 40, has_public_part=False)
    elsewhere = make_meeting(other_structure, 10)
    for meeting in (first, second, closed, elsewhere):
        invitations.meeting_invite(actor=None, meeting=meeting)
    planning.meeting_cancel(actor=None, meeting=second, reason="Raum ZZGEHEIM belegt")

    rows = entries(Client().get(MEETINGS))

    assert [row["link"] for row in rows] == [
        f"http://testserver/son/sitzungen/{second.pk}/",
        f"http://testserver/son/sitzungen/{first.pk}/",
    ]
    assert rows[0]["title"] == f"Abgesagt: {second.display_title}"
    assert rows[1]["title"] == first.display_title
    assert "Bericht 10" in rows[1]["summary"]
    assert "Rathaus Braunschweig" in rows[1]["summary"]
    text = " ".join(str(row) for row in rows)
    assert "ZZGEHEIM" not in text
    assert str(planned.pk) not in [row["link"].rstrip("/").split("/")[-1] for row in rows]


def test_the_funded_feed_lists_granted_projects_only(
    structure: AllianceStructure, other_structure: AllianceStructure
) -> None:
    granted = project_in_state(
        structure,
        Status.GRANTED,
        title="Welcome Center",
        granted_amount=Decimal("100000.00"),
        contact_email="geheim@example.org",
    )
    running = project_in_state(structure, Status.RUNNING, title="Praktikumsbörse")
    closed = project_in_state(structure, Status.CLOSED, title="Stille Reserve")
    for status in (Status.ENDORSED, Status.APPLICATION_FILED, Status.SKETCH_SPEAKERS):
        project_in_state(structure, status, title=f"Nicht neu gefördert {status}")
    project_in_state(structure, Status.DECLINED, title="Abgelehnt von der Bank")
    project_in_state(other_structure, Status.GRANTED, title="Anderes Bündnis")

    rows = entries(Client().get(FUNDED))

    assert sorted(row["title"] for row in rows) == [
        "Praktikumsbörse",
        "Stille Reserve",
        "Welcome Center",
    ]
    by_title = {row["title"]: row for row in rows}
    assert by_title["Welcome Center"]["link"] == (
        f"http://testserver/son/projekte/{granted.reference}/"
    )
    assert "100.000,00 €" in by_title["Welcome Center"]["summary"]
    assert granted.applicant_organisation.name in by_title["Welcome Center"]["summary"]
    assert "geheim@example.org" not in str(rows)
    assert {running.reference, closed.reference} <= {row["link"].split("/")[-2] for row in rows}


@pytest.mark.parametrize("url", [MEETINGS, FUNDED])
def test_feeds_are_cached_public_answers_without_cookies(
    structure: AllianceStructure, url: str
) -> None:
    client = Client(enforce_csrf_checks=True)
    for response in (client.get(url), client.head(url)):
        assert response.status_code == 200
        assert not response.cookies
        assert "public" in response["Cache-Control"]
        assert response.has_header("ETag")
    assert Client().get(url.replace("/son/", "/gibt-es-nicht/")).status_code == 404
    assert Client().post(url).status_code == 405


@pytest.mark.parametrize("url", [MEETINGS, FUNDED])
def test_the_shared_cache_serves_the_feeds(structure: AllianceStructure, url: str) -> None:
    with override_settings(BUENDNIS_PUBLIC_CACHE=True):
        first = Client().get(url)
        second = Client().get(url)
    assert first["X-Public-Cache"] == "miss"
    assert second["X-Public-Cache"] == "hit"
    assert second.content == first.content


def test_feed_queries_do_not_grow(
    structure: AllianceStructure, django_assert_num_queries: Callable[..., Any]
) -> None:
    def grow(count: int) -> None:
        for number in range(count):
            meeting = make_meeting(structure, 10 + number)
            invitations.meeting_invite(actor=None, meeting=meeting)
            project_in_state(structure, Status.GRANTED, title=f"Gefördert {number}")

    grow(1)
    # The alliance; the meetings with their bodies; their public items with decisions.
    with django_assert_num_queries(3):
        Client().get(MEETINGS)
    # The alliance; the projects with organisation and field of action.
    with django_assert_num_queries(2):
        Client().get(FUNDED)
    grow(4)
    with django_assert_num_queries(3):
        assert len(entries(Client().get(MEETINGS))) == 5
    with django_assert_num_queries(2):
        assert len(entries(Client().get(FUNDED))) == 5


def test_the_alliance_pages_point_to_the_feeds(structure: AllianceStructure) -> None:
    html = Client().get("/son/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml" href="/son/sitzungen.atom"' in html
    assert (
        '<link rel="alternate" type="application/atom+xml" href="/son/projekte/gefoerdert.atom"'
        in html
    )
    assert 'href="/son/abonnieren/"' in html
