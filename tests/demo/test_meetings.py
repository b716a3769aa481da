"""The demo meetings: a planned year for both alliances, the history of SüdOstNiedersachsen's
Steuerkreis in 2020, the year 2026 held, the next Sprecherkreis meeting with its agenda, an open
circulation; and a second load that creates and changes nothing."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from buendnis.accounts.models import User
from buendnis.alliances.models import BodyKind, Organisation
from buendnis.core.models import AuditEntry
from buendnis.demo.load import load_demo
from buendnis.demo.meetings import (
    CIRCULATION_TITLE,
    DECEMBER,
    FEBRUARY_2021,
    MODELS,
    NOVEMBER_2026,
    PLANNED_ON,
    SEPTEMBER,
    THEMES_2027,
    load_demo_meetings,
)
from buendnis.funding.states import Status
from buendnis.meetings.models import (
    Answer,
    Circulation,
    CirculationStatus,
    DecisionOutcome,
    Meeting,
    MeetingStatus,
    MinutesStatus,
)
from buendnis.meetings.services import circulations, planning

pytestmark = pytest.mark.django_db


def rows() -> dict[str, list[dict[str, Any]]]:
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values()) for model in MODELS
    }


@dataclass
class Loaded:
    before: dict[str, list[dict[str, Any]]]
    after: dict[str, list[dict[str, Any]]]
    second: int
    third: int


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[Loaded]:
    """The whole demo loaded twice for the module, rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        before = rows()
        second = load_demo()
        third = load_demo_meetings()
        yield Loaded(before=before, after=rows(), second=second, third=third)
        transaction.set_rollback(True)


def day_of(meeting: Meeting) -> date:
    return timezone.localtime(meeting.starts_at).date()


def steering_on(day: date) -> Meeting:
    return Meeting.objects.select_related("body").get(
        alliance__slug="son", body__kind=BodyKind.STEERING, starts_at__date=day
    )


def test_a_second_load_creates_and_changes_nothing(demo: Loaded) -> None:
    assert demo.second == 0
    assert demo.third == 0
    assert demo.after == demo.before
    assert len(demo.before["meetings.Meeting"]) >= 5 + 8 + 8
    assert not AuditEntry.objects.filter(action__startswith="meeting").exclude(actor=None).exists()


@pytest.mark.parametrize("slug", ["son", "leine-weser"])
def test_a_year_ahead_is_planned(demo: Loaded, slug: str) -> None:
    """The first year whose meetings all lie ahead; no past meeting stays "planned"."""
    today = timezone.localdate()
    year = today.year
    if planning.default_quarter_days(year)[0] - timedelta(days=14) <= today:
        year += 1
    assert not Meeting.objects.filter(
        alliance__slug=slug, status=MeetingStatus.PLANNED, starts_at__date__lt=today
    ).exists()
    meetings = list(
        Meeting.objects.filter(alliance__slug=slug, starts_at__year=year)
        .select_related("body", "prepares")
        .order_by("starts_at")
    )
    steering = [m for m in meetings if m.body.kind == BodyKind.STEERING]
    speakers = [m for m in meetings if m.body.kind == BodyKind.SPEAKERS]
    assert [day_of(m) for m in steering] == planning.default_quarter_days(year)
    assert len(speakers) == 4
    for meeting in speakers:
        assert meeting.prepares is not None
        assert (day_of(meeting.prepares) - day_of(meeting)).days == 14
        assert meeting.submission_deadline == meeting.prepares.submission_deadline


@pytest.mark.parametrize("slug", ["son", "leine-weser"])
def test_a_sprecherkreis_meeting_always_lies_ahead(demo: Loaded, slug: str) -> None:
    assert Meeting.objects.filter(
        alliance__slug=slug,
        body__kind=BodyKind.SPEAKERS,
        starts_at__gt=timezone.now(),
        status=MeetingStatus.PLANNED,
    ).exists()


def test_the_september_meeting_was_held_with_its_attendance_and_decisions(demo: Loaded) -> None:
    meeting = steering_on(SEPTEMBER)
    assert meeting.status == MeetingStatus.MINUTES_APPROVED
    present = meeting.attendances.filter(can_vote=True).exclude(presence="absent")
    assert present.count() == 24
    assert meeting.attendances.filter(can_vote=True).count() == 28
    advisory = meeting.attendances.get(can_vote=False)
    assert advisory.organisation.name == "Amt für regionale Landesentwicklung Braunschweig"
    assert advisory.is_present
    assert all(row.attendee_name for row in present)
    decisions = {
        item.title: item.decision for item in meeting.items.select_related("decision").all()
    }
    assert len(decisions) == 4
    assert [decision.outcome for decision in decisions.values()].count(DecisionOutcome.AGREED) == 3
    event = next(d for title, d in decisions.items() if title.startswith("Gemeinsamer"))
    assert event.outcome == DecisionOutcome.NOT_AGREED
    assert event.names("objecting") == ["DGB Region SüdOstNiedersachsen"]
    shares = next(d for title, d in decisions.items() if title.startswith("Eigenanteile"))
    assert shares.snapshot["recused"][0]["name"] == "Allianz für die Region GmbH"
    assert shares.names("abstaining") == ["Landkreis Helmstedt"]
    assert shares.snapshot["quorum"]["met"] is True


def test_the_september_minutes_were_approved_in_december(demo: Loaded) -> None:
    minutes = steering_on(SEPTEMBER).minutes
    december = steering_on(DECEMBER)
    assert minutes.status == MinutesStatus.APPROVED
    assert minutes.approved_in == december
    assert "Sitzungstermine 2021" in minutes.public_text
    assert "Dr. Petra Musterbank" in minutes.public_text
    assert "Eigenanteile" not in minutes.public_text
    assert "Eigenanteile der Partner an der Geschäftsstelle 2021" in minutes.nonpublic_text
    assert (
        "Befangen, nicht mitgewirkt: Allianz für die Region GmbH (Trägerin der Geschäftsstelle)"
        in minutes.nonpublic_text
    )
    assert "Einwand: DGB Region SüdOstNiedersachsen" in minutes.nonpublic_text
    # December's minutes were approved in the first meeting of 2021.
    assert december.status == MeetingStatus.MINUTES_APPROVED
    assert december.minutes.approved_in == steering_on(FEBRUARY_2021)
    assert december.online_url


def test_the_year_2026_was_held_quarter_by_quarter(demo: Loaded) -> None:
    """Planned in December 2025, every meeting of 2026 held on its day, invited before it, its
    minutes written after it and approved in the body's next meeting; the last ones wait for
    February 2027."""
    meetings = list(
        Meeting.objects.filter(alliance__slug="son", starts_at__year=2026)
        .select_related("body", "minutes__approved_in")
        .order_by("starts_at")
    )
    steering = [m for m in meetings if m.body.kind == BodyKind.STEERING]
    assert [day_of(m) for m in steering] == planning.default_quarter_days(2026)
    assert len(meetings) == 8
    for body_meetings in (steering, [m for m in meetings if m.body.kind == BodyKind.SPEAKERS]):
        *earlier, last = body_meetings
        for meeting, following in zip(earlier, body_meetings[1:], strict=True):
            assert meeting.status == MeetingStatus.MINUTES_APPROVED
            assert meeting.minutes.approved_in == following
        assert last.status == MeetingStatus.HELD
        assert last.minutes.status == MinutesStatus.DRAFT
    for meeting in meetings:
        assert timezone.localdate(meeting.created_at) == PLANNED_ON
        assert meeting.invited_at < meeting.starts_at
        assert meeting.minutes.created_at > meeting.starts_at
    november = steering_on(NOVEMBER_2026)
    assert november.items.get(title=THEMES_2027).decision.outcome == DecisionOutcome.AGREED


def test_the_next_sprecherkreis_meeting_has_the_waiting_projects_on_its_agenda(
    demo: Loaded,
) -> None:
    upcoming = (
        Meeting.objects.filter(
            alliance__slug="son", body__kind=BodyKind.SPEAKERS, starts_at__gt=timezone.now()
        )
        .order_by("starts_at")
        .first()
    )
    items = list(upcoming.items.select_related("project").order_by("position"))
    assert {item.project.status for item in items} == {
        Status.SKETCH_SPEAKERS,
        Status.DESCRIPTION_SPEAKERS,
    }
    assert all(item.stage_status == item.project.status for item in items)
    assert all(not item.is_public for item in items)


def test_one_circulation_is_open_and_the_demo_member_can_answer(demo: Loaded) -> None:
    circulation = Circulation.objects.get(title=CIRCULATION_TITLE)
    assert circulation.status == CirculationStatus.OPEN
    assert circulation.deadline > timezone.now()
    assert circulation.project.status == Status.SKETCH_STEERING
    assert len(circulation.entitled) == 28
    assert [entry["name"] for entry in circulation.recused] == [
        "Handwerkskammer Braunschweig-Lüneburg-Stade"
    ]
    assert circulation.answers.count() == 4
    city = Organisation.objects.get(alliance__slug="son", name="Stadt Braunschweig")
    answer = circulations.circulation_answer(
        actor=User.objects.get(username="steuerkreis"),
        circulation=circulation,
        organisation=city,
        answer=Answer.AGREE,
    )
    assert answer.answered_by.username == "steuerkreis"
