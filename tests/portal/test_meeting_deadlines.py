"""Submission deadlines and meetings in the portal: "Einreichung bis … für die Sitzung des
Steuerkreises am …" for applicants, the meetings' dates on the office board."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from buendnis.accounts.models import User
from buendnis.funding.models import Project
from buendnis.funding.states import Status
from buendnis.meetings.models import Meeting
from buendnis.meetings.services import planning
from tests.factories import AllianceStructure, advance

from .test_applicant_support import *  # noqa: F403 - the shared fixtures

pytestmark = pytest.mark.django_db


def day(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def steering_meeting(
    site: AllianceStructure, office_user: User, in_days: int, deadline_in: int
) -> Meeting:
    today = timezone.localdate()
    start = datetime.combine(
        today + timedelta(days=in_days), time(10, 0), tzinfo=timezone.get_current_timezone()
    )
    return planning.meeting_create(
        actor=office_user,
        body=site.bodies["steering"],
        starts_at=start,
        submission_deadline=today + timedelta(days=deadline_in),
    )


@pytest.fixture
def meetings(site: AllianceStructure, office_user: User) -> list[Meeting]:
    """Three Steuerkreis meetings with open deadlines, one whose deadline has passed, a
    cancelled one and a Sprecherkreis meeting (no deadline of its own)."""
    first = steering_meeting(site, office_user, 40, 10)
    second = steering_meeting(site, office_user, 130, 100)
    third = steering_meeting(site, office_user, 220, 190)
    steering_meeting(site, office_user, 5, -2)  # deadline passed
    cancelled = steering_meeting(site, office_user, 300, 280)
    planning.meeting_cancel(actor=office_user, meeting=cancelled, reason="Fällt aus.")
    planning.meeting_create(
        actor=office_user,
        body=site.bodies["speakers"],
        starts_at=first.starts_at - timedelta(days=14),
        prepares=first,
    )
    return [first, second, third]


def deadline_text(meeting: Meeting) -> str:
    assert meeting.submission_deadline is not None
    return (
        f"Einreichung bis {day(meeting.submission_deadline)}</strong> für die Sitzung des "
        f"Steuerkreises am {day(timezone.localtime(meeting.starts_at).date())}"
    )


def section(html: str) -> str:
    start = html.index('id="einreichungsfrist"')
    return html[start : html.index("</section>", start)]


@pytest.mark.parametrize("persona", ["applicant", "office"])
def test_project_list_shows_the_next_deadline_and_the_following(
    persona: str, login: Callable[[str], Client], meetings: list[Meeting], project: Project
) -> None:
    html = section(login(persona).get("/son/vorhaben/").content.decode())
    first, second, third = meetings
    assert "Nächste Einreichungsfrist" in html
    assert f"<strong>{deadline_text(first)}" in html
    later = html.split("Danach:")[1]
    assert deadline_text(second).replace("</strong>", "") in later
    assert deadline_text(third).replace("</strong>", "") in later
    # Passed deadlines, cancelled meetings and the Sprecherkreis are not offered.
    assert html.count("Einreichung bis") == 3


def test_project_page_shows_the_deadline_before_the_votum(
    login: Callable[[str], Client], meetings: list[Meeting], project: Project, office_user: User
) -> None:
    client = login("applicant")
    url = f"/son/vorhaben/{project.reference}/"
    assert deadline_text(meetings[0]) in section(client.get(url).content.decode())
    advance(project, Status.ENDORSED, actor=office_user)
    assert 'id="einreichungsfrist"' not in client.get(url).content.decode()


def test_nothing_without_planned_meetings(login: Callable[[str], Client], project: Project) -> None:
    html = login("applicant").get("/son/vorhaben/").content.decode()
    assert "Einreichungsfrist" not in html
    html = login("applicant").get(f"/son/vorhaben/{project.reference}/").content.decode()
    assert "Einreichungsfrist" not in html


def test_office_board_shows_meetings_and_deadlines(
    login: Callable[[str], Client], meetings: list[Meeting]
) -> None:
    html = login("office").get("/son/intern/vorhaben/").content.decode()
    part = html.split("Sitzungen und Einreichungsfristen")[1].split("</section>")[0]
    first = meetings[0]
    assert first.submission_deadline is not None
    assert (
        f"<strong>{day(first.submission_deadline)}</strong> – "
        f'<a href="/son/intern/sitzungen/{first.pk}/">Einreichungsfrist für die Sitzung des '
        f"Steuerkreises am {day(first.starts_at.date())}</a>"
    ) in part
    assert f"<strong>{day(first.starts_at.date())}</strong>" in part
    assert "Steuerkreis, 10:00 Uhr (Geplant)" in part
    assert "Sprecherkreis, 10:00 Uhr (Geplant)" in part
    assert "Fällt aus" not in part and "Abgesagt" not in part
    # In the order of the calendar.
    days = [entry.split("</strong>")[0] for entry in part.split("<strong>")[1:]]
    as_dates = [date(*reversed([int(part) for part in value.split(".")])) for value in days]
    assert as_dates == sorted(as_dates)


def test_office_board_without_meetings(login: Callable[[str], Client], site) -> None:
    html = login("office").get("/son/intern/vorhaben/").content.decode()
    assert "Keine Sitzungen geplant." in html
