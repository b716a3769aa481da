"""Planning meetings and their agendas: the year's plan, proposing the agenda from the waiting
projects, ordering it, and the meeting's life from planned to held or cancelled."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from buendnis.core.errors import DomainError, NotPermitted, StaleEdit, TransitionNotAllowed
from buendnis.core.models import AuditEntry
from buendnis.funding import services as funding
from buendnis.funding.states import Status
from buendnis.meetings.models import (
    AgendaItem,
    Attendance,
    Meeting,
    MeetingStatus,
    Minutes,
)
from buendnis.meetings.services import agenda, attendance, decisions, invitations, minutes, planning
from tests.factories import (
    AgendaItemFactory,
    MeetingFactory,
    PhaseFactory,
    build_alliance_structure,
    meeting_in_session,
    project_in_state,
)

pytestmark = pytest.mark.django_db

YEAR = 2031
DAYS = [date(YEAR, 2, 19), date(YEAR, 5, 21), date(YEAR, 8, 20), date(YEAR, 11, 19)]


@pytest.fixture
def structure(alliance):
    return build_alliance_structure(alliance, place="Braunschweig")


@pytest.fixture
def office(make_persona):
    return make_persona("office")


def local(day, hour=10):
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


# --- The year's plan ----------------------------------------------------------------------------


def test_a_year_is_four_steuerkreis_meetings_each_prepared_by_the_sprecherkreis(structure, office):
    planned = planning.meetings_plan_year(
        actor=office,
        alliance=structure.alliance,
        steering_days=list(reversed(DAYS)),
        location="Braunschweig",
    )
    assert len(planned) == 4
    assert Meeting.objects.count() == 8
    for quarter, day in zip(planned, DAYS, strict=True):
        steering, speakers = quarter.steering, quarter.speakers
        assert steering.body == structure.bodies["steering"]
        assert speakers.body == structure.bodies["speakers"]
        assert steering.starts_at == local(day)
        assert steering.ends_at == local(day, 13)
        assert speakers.starts_at == local(day - timedelta(days=14))
        assert speakers.prepares == steering
        assert (
            steering.submission_deadline == speakers.submission_deadline == day - timedelta(days=28)
        )
        assert steering.status == speakers.status == MeetingStatus.PLANNED
        assert steering.has_public_part and not speakers.has_public_part
        assert steering.location == "Braunschweig"
    assert AuditEntry.objects.filter(action="meeting.create").count() == 8


def test_the_offsets_can_be_chosen(structure, office):
    [first, *_rest] = planning.meetings_plan_year(
        actor=office,
        alliance=structure.alliance,
        steering_days=DAYS,
        starts=time(14, 30),
        duration=timedelta(hours=2),
        speakers_lead_days=7,
        submission_lead_days=0,
    )
    assert first.speakers.starts_at == local(DAYS[0] - timedelta(days=7)).replace(
        hour=14, minute=30
    )
    assert first.steering.ends_at - first.steering.starts_at == timedelta(hours=2)
    assert first.steering.submission_deadline == DAYS[0] - timedelta(days=7)


def test_the_proposed_days_are_the_third_wednesday_of_each_quarters_middle_month():
    days = planning.default_quarter_days(2026)
    assert days == [date(2026, 2, 18), date(2026, 5, 20), date(2026, 8, 19), date(2026, 11, 18)]
    assert all(day.weekday() == 2 and 15 <= day.day <= 21 for day in days)


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (DAYS[:3], "Der Steuerkreis tagt vierteljährlich: bitte vier Termine angeben."),
        (
            [*DAYS, date(YEAR, 12, 10)],
            "Der Steuerkreis tagt vierteljährlich: bitte vier Termine angeben.",
        ),
        (
            [DAYS[0], date(YEAR, 3, 18), DAYS[2], DAYS[3]],
            "Bitte genau einen Termin je Quartal angeben.",
        ),
        ([date(YEAR - 1, 11, 20), *DAYS[1:]], "Alle Termine müssen im selben Jahr liegen."),
    ],
)
def test_a_plan_needs_one_day_per_quarter_of_one_year(structure, office, days, message):
    with pytest.raises(DomainError) as refused:
        planning.meetings_plan_year(actor=office, alliance=structure.alliance, steering_days=days)
    assert message in refused.value.message_dict["steering_days"]
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"speakers_lead_days": 0}, "speakers_lead_days"),
        ({"speakers_lead_days": 91}, "speakers_lead_days"),
        ({"submission_lead_days": -1}, "submission_lead_days"),
    ],
)
def test_lead_times_are_checked(structure, office, options, field):
    with pytest.raises(DomainError) as refused:
        planning.meetings_plan_year(
            actor=office, alliance=structure.alliance, steering_days=DAYS, **options
        )
    assert field in refused.value.message_dict


def test_a_day_already_taken_is_refused_and_nothing_is_planned(structure, office):
    MeetingFactory(
        body=structure.bodies["steering"], starts_at=local(DAYS[2] - timedelta(days=14), 16)
    )
    with pytest.raises(DomainError) as refused:
        planning.meetings_plan_year(actor=office, alliance=structure.alliance, steering_days=DAYS)
    assert refused.value.message_dict == {
        "steering_days": [
            f"Am {(DAYS[2] - timedelta(days=14)):%d.%m.%Y} ist bereits eine Sitzung geplant."
        ]
    }
    assert Meeting.objects.count() == 1


def test_a_cancelled_meeting_does_not_block_its_day(structure, office):
    MeetingFactory(
        body=structure.bodies["steering"], starts_at=local(DAYS[0]), status=MeetingStatus.CANCELLED
    )
    planning.meetings_plan_year(actor=office, alliance=structure.alliance, steering_days=DAYS)
    assert Meeting.objects.count() == 9


def test_a_plan_that_clashes_with_itself_is_refused(structure, office):
    """The Sprecherkreis of the second quarter would meet on the day of the first Steuerkreis."""
    days = [date(YEAR, 3, 31), date(YEAR, 4, 14), date(YEAR, 8, 20), date(YEAR, 11, 19)]
    with pytest.raises(DomainError) as refused:
        planning.meetings_plan_year(actor=office, alliance=structure.alliance, steering_days=days)
    assert refused.value.message_dict == {
        "steering_days": [f"Am 31.03.{YEAR} ist bereits eine Sitzung geplant."]
    }
    assert not Meeting.objects.exists()


def test_a_second_plan_for_the_same_year_is_refused(structure, office):
    planning.meetings_plan_year(actor=office, alliance=structure.alliance, steering_days=DAYS)
    with pytest.raises(DomainError, match="bereits eine Sitzung"):
        planning.meetings_plan_year(actor=office, alliance=structure.alliance, steering_days=DAYS)
    assert Meeting.objects.count() == 8


def test_only_the_office_plans(structure, make_persona):
    with pytest.raises(NotPermitted):
        planning.meetings_plan_year(
            actor=make_persona("speaker"), alliance=structure.alliance, steering_days=DAYS
        )


def test_an_alliance_without_its_bodies_cannot_plan(other_alliance):
    with pytest.raises(DomainError, match="noch keinen Steuerkreis und Sprecherkreis"):
        planning.meetings_plan_year(actor=None, alliance=other_alliance, steering_days=DAYS)


# --- Meetings: validation -------------------------------------------------------------------------


def test_a_meeting_must_end_after_it_starts_and_close_its_submissions_before(structure, office):
    starts = timezone.now() + timedelta(days=10)
    with pytest.raises(DomainError) as refused:
        planning.meeting_create(
            actor=office,
            body=structure.bodies["steering"],
            starts_at=starts,
            ends_at=starts - timedelta(hours=1),
            submission_deadline=timezone.localtime(starts).date() + timedelta(days=1),
        )
    assert refused.value.message_dict == {
        "ends_at": ["Eine Sitzung muss nach ihrem Beginn enden."],
        "submission_deadline": ["Die Einreichungsfrist muss vor der Sitzung enden."],
    }


def test_the_office_has_no_meetings(structure, office):
    with pytest.raises(DomainError, match="nicht die Geschäftsstelle"):
        planning.meeting_create(
            actor=office, body=structure.bodies["office"], starts_at=timezone.now()
        )


def test_only_the_sprecherkreis_prepares_a_later_steuerkreis_meeting(structure, office):
    steering = planning.meeting_create(
        actor=office,
        body=structure.bodies["steering"],
        starts_at=timezone.now() + timedelta(days=20),
    )
    with pytest.raises(DomainError, match="Nur eine Sitzung des Sprecherkreises"):
        planning.meeting_create(
            actor=office,
            body=structure.bodies["steering"],
            starts_at=timezone.now() + timedelta(days=5),
            prepares=steering,
        )
    with pytest.raises(DomainError, match="muss vor der Sitzung des Steuerkreises liegen"):
        planning.meeting_create(
            actor=office,
            body=structure.bodies["speakers"],
            starts_at=timezone.now() + timedelta(days=25),
            prepares=steering,
        )


def test_a_steuerkreis_meeting_is_not_moved_before_its_preparation(structure, office):
    [quarter, *_rest] = planning.meetings_plan_year(
        actor=office, alliance=structure.alliance, steering_days=DAYS
    )
    steering = quarter.steering
    with pytest.raises(DomainError) as refused:
        planning.meeting_update(
            actor=office, meeting=steering, starts_at=quarter.speakers.starts_at - timedelta(days=1)
        )
    assert refused.value.message_dict == {
        "starts_at": ["Die vorbereitende Sitzung muss vor der Sitzung des Steuerkreises liegen."]
    }
    steering.refresh_from_db()
    assert steering.starts_at == local(DAYS[0])
    # Once the Sprecherkreis meeting is cancelled, the Steuerkreis may move.
    planning.meeting_cancel(actor=office, meeting=quarter.speakers, reason="Entfällt")
    planning.meeting_update(
        actor=office, meeting=steering, starts_at=quarter.speakers.starts_at - timedelta(days=1)
    )


def test_a_body_of_another_alliance_is_refused_for_prepares(structure, office, other_alliance):
    other = build_alliance_structure(other_alliance, place="Hameln")
    theirs = MeetingFactory(
        body=other.bodies["steering"], starts_at=timezone.now() + timedelta(days=20)
    )
    with pytest.raises(DomainError, match="anderen Bündnis"):
        planning.meeting_create(
            actor=office,
            body=structure.bodies["speakers"],
            starts_at=timezone.now() + timedelta(days=5),
            prepares=theirs,
        )


# --- Meetings: their life -----------------------------------------------------------------------


def test_invite_prefills_attendance_with_the_seats_of_the_day(structure, office):
    meeting = planning.meeting_create(
        actor=office,
        body=structure.bodies["steering"],
        starts_at=timezone.now() + timedelta(days=7),
    )
    invitations.meeting_invite(actor=office, meeting=meeting)
    assert meeting.status == MeetingStatus.INVITED
    assert meeting.invited_at is not None
    rows = {row.organisation.name: row for row in Attendance.objects.filter(meeting=meeting)}
    assert len(rows) == 9  # eight voting, the advisory Amt
    assert not rows["Amt für regionale Landesentwicklung Braunschweig"].can_vote
    assert sum(row.can_vote for row in rows.values()) == 8
    assert all(not row.is_present for row in rows.values())
    with pytest.raises(TransitionNotAllowed, match="Eingeladen"):
        invitations.meeting_invite(actor=office, meeting=meeting)


def test_attendance_only_between_invitation_and_close(structure, office):
    meeting = planning.meeting_create(
        actor=office,
        body=structure.bodies["steering"],
        starts_at=timezone.now() + timedelta(days=7),
    )
    with pytest.raises(TransitionNotAllowed):
        attendance.attendance_record(actor=office, meeting=meeting, entries={})
    invitations.meeting_invite(actor=office, meeting=meeting)
    stranger = structure.organisations["host"]
    with pytest.raises(DomainError, match="Nur Organisationen mit einem Sitz"):
        attendance.attendance_record(
            actor=office,
            meeting=meeting,
            entries={stranger.pk: attendance.AttendanceEntry("representative")},
        )


def test_cancel_needs_a_reason_bumps_the_calendar_and_ends_the_meeting(structure, office):
    meeting = planning.meeting_create(
        actor=office,
        body=structure.bodies["steering"],
        starts_at=timezone.now() + timedelta(days=7),
    )
    invitations.meeting_invite(actor=office, meeting=meeting)
    with pytest.raises(DomainError, match="Grund der Absage"):
        planning.meeting_cancel(actor=office, meeting=meeting, reason=" ")
    planning.meeting_cancel(actor=office, meeting=meeting, reason="Zu wenige Zusagen")
    assert meeting.status == MeetingStatus.CANCELLED
    assert meeting.sequence == 1
    assert meeting.cancelled_reason == "Zu wenige Zusagen"
    with pytest.raises(TransitionNotAllowed):
        planning.meeting_cancel(actor=office, meeting=meeting, reason="noch einmal")
    with pytest.raises(TransitionNotAllowed):
        planning.meeting_update(actor=office, meeting=meeting, location="Anderswo")


def test_a_meeting_that_decided_something_cannot_be_cancelled(structure, office):
    meeting = meeting_in_session(structure.bodies["steering"], actor=office)
    item = agenda.agenda_item_create(actor=office, meeting=meeting, title="Bericht")
    decisions.decision_record(actor=office, item=item, proposal=decisions.Proposal.DECIDE)
    with pytest.raises(TransitionNotAllowed) as refused:
        planning.meeting_cancel(actor=office, meeting=meeting, reason="Doch nicht")
    assert refused.value.messages == [
        "Die Sitzung hat bereits Beschlüsse gefasst und kann nicht abgesagt werden."
    ]
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.INVITED


def test_close_after_the_meeting_generates_the_minutes(structure, office):
    future = planning.meeting_create(
        actor=office,
        body=structure.bodies["steering"],
        starts_at=timezone.now() + timedelta(days=7),
    )
    invitations.meeting_invite(actor=office, meeting=future)
    with pytest.raises(TransitionNotAllowed, match="noch nicht stattgefunden"):
        minutes.meeting_close(actor=office, meeting=future)
    planned = MeetingFactory(
        body=structure.bodies["steering"], starts_at=timezone.now() - timedelta(days=1)
    )
    with pytest.raises(TransitionNotAllowed, match="Geplant"):
        minutes.meeting_close(actor=office, meeting=planned)
    meeting = meeting_in_session(structure.bodies["steering"], actor=office)
    minutes.meeting_close(actor=office, meeting=meeting)
    assert meeting.status == MeetingStatus.HELD
    assert Minutes.objects.get(meeting=meeting).status == "draft"


def test_update_bumps_the_calendar_sequence_only_for_calendar_fields(structure, office):
    meeting = planning.meeting_create(
        actor=office,
        body=structure.bodies["steering"],
        starts_at=timezone.now() + timedelta(days=7),
    )
    assert (meeting.sequence, meeting.version) == (0, 1)
    planning.meeting_update(
        actor=office,
        meeting=meeting,
        submission_deadline=timezone.localdate(),
        has_public_part=False,
    )
    assert (meeting.sequence, meeting.version) == (0, 2)
    planning.meeting_update(actor=office, meeting=meeting, location="Rathaus Wolfsburg")
    assert (meeting.sequence, meeting.version) == (1, 3)
    planning.meeting_update(
        actor=office, meeting=meeting, starts_at=meeting.starts_at + timedelta(hours=1)
    )
    assert (meeting.sequence, meeting.version) == (2, 4)
    # Nothing changed: nothing written.
    audit = AuditEntry.objects.filter(action="meeting.update").count()
    planning.meeting_update(actor=office, meeting=meeting, location="Rathaus Wolfsburg")
    assert (meeting.sequence, meeting.version) == (2, 4)
    assert AuditEntry.objects.filter(action="meeting.update").count() == audit


def test_the_same_moment_in_local_time_is_no_calendar_change(structure, office):
    """Forms hand the start in local time, the database keeps UTC: the same moment is no news
    (no new SEQUENCE, no update mail), only a real change is."""
    meeting = planning.meeting_create(
        actor=office,
        body=structure.bodies["steering"],
        starts_at=local(DAYS[0]),
        ends_at=local(DAYS[0], 13),
    )
    meeting.refresh_from_db()  # as the database hands it back: UTC
    planning.meeting_update(
        actor=office,
        meeting=meeting,
        starts_at=local(DAYS[0]),
        ends_at=local(DAYS[0], 13),
        location="Rathaus",
    )
    assert meeting.sequence == 1
    entry = AuditEntry.objects.get(action="meeting.update")
    assert set(entry.changes) == {"location"}
    planning.meeting_update(actor=office, meeting=meeting, starts_at=local(DAYS[0]), title="")
    assert (meeting.sequence, meeting.version) == (1, 2)


def test_update_with_a_stale_version_is_refused(structure, office):
    meeting = planning.meeting_create(
        actor=office,
        body=structure.bodies["steering"],
        starts_at=timezone.now() + timedelta(days=7),
    )
    planning.meeting_update(actor=office, meeting=meeting, location="A", expected_version=1)
    with pytest.raises(StaleEdit):
        planning.meeting_update(actor=office, meeting=meeting, location="B", expected_version=1)
    with pytest.raises(TypeError):
        planning.meeting_update(actor=office, meeting=meeting, status=MeetingStatus.HELD)


def test_an_invited_meeting_sends_an_update_after_the_commit(
    structure, office, monkeypatch, django_capture_on_commit_callbacks
):
    from buendnis.meetings import notifications

    sent = []
    monkeypatch.setattr(
        notifications, "send_invitations", lambda pk, update=False: sent.append((pk, update))
    )
    meeting = planning.meeting_create(
        actor=office,
        body=structure.bodies["steering"],
        starts_at=timezone.now() + timedelta(days=7),
    )
    with django_capture_on_commit_callbacks(execute=True):
        invitations.meeting_invite(actor=office, meeting=meeting)
    with django_capture_on_commit_callbacks(execute=True):
        planning.meeting_update(actor=office, meeting=meeting, has_public_part=False)
    with django_capture_on_commit_callbacks(execute=True):
        planning.meeting_update(actor=office, meeting=meeting, location="Rathaus")
    assert sent == [(meeting.pk, False), (meeting.pk, True)]


# --- The agenda -----------------------------------------------------------------------------------


def test_the_proposed_agenda_takes_exactly_the_waiting_projects(structure, office, other_alliance):
    speakers_body = structure.bodies["speakers"]
    sketch = project_in_state(structure, Status.SKETCH_SPEAKERS, title="Skizze wartet")
    description = project_in_state(
        structure, Status.DESCRIPTION_SPEAKERS, title="Beschreibung wartet"
    )
    project_in_state(structure, Status.SKETCH_STEERING, title="Schon im Steuerkreis")
    project_in_state(structure, Status.SKETCH_SUBMITTED, title="Noch nicht weitergeleitet")
    elsewhere = project_in_state(
        structure, Status.SKETCH_SPEAKERS, title="Schon auf einer Tagesordnung"
    )
    foreign_phase = PhaseFactory(alliance=other_alliance)
    project_in_state(foreign_phase, Status.SKETCH_SPEAKERS, title="Anderes Bündnis")
    earlier = planning.meeting_create(
        actor=office, body=speakers_body, starts_at=timezone.now() + timedelta(days=3)
    )
    agenda.agenda_item_create(actor=office, meeting=earlier, project=elsewhere)
    meeting = planning.meeting_create(
        actor=office, body=speakers_body, starts_at=timezone.now() + timedelta(days=10)
    )
    agenda.agenda_item_create(actor=office, meeting=meeting, title="Begrüßung")

    items = agenda.agenda_propose(actor=office, meeting=meeting)
    assert [item.project for item in items] == [sketch, description]
    assert [item.position for item in items] == [1, 2]
    assert [item.stage_status for item in items] == [
        Status.SKETCH_SPEAKERS,
        Status.DESCRIPTION_SPEAKERS,
    ]
    assert items[0].title == f"Kurzskizze „Skizze wartet“ ({sketch.applicant_organisation.name})"
    assert items[1].title.startswith("Projektbeschreibung „Beschreibung wartet“")
    assert not any(item.is_public for item in items)
    # Proposed again: nothing new.
    assert agenda.agenda_propose(actor=office, meeting=meeting) == []
    assert AuditEntry.objects.filter(action="meeting.agenda_propose").count() == 1


def test_a_deferred_and_resumed_project_waits_again(structure, office):
    meeting = meeting_in_session(structure.bodies["speakers"], actor=office)
    project = project_in_state(structure, Status.SKETCH_SPEAKERS)
    [item] = agenda.agenda_propose(actor=office, meeting=meeting)
    decisions.decision_record(actor=office, item=item, proposal=decisions.Proposal.DEFER)
    funding.project_resume(actor=office, project=project)
    later = planning.meeting_create(
        actor=office,
        body=structure.bodies["speakers"],
        starts_at=timezone.now() + timedelta(days=30),
    )
    [again] = agenda.agenda_propose(actor=office, meeting=later)
    assert again.project == project


def test_a_stale_item_of_an_earlier_stage_does_not_hold_the_project_back(structure, office):
    """An undecided item of the sketch stage (the Steuerkreis decided by circulation instead)
    does not keep the project's description off the next agendas."""
    project = project_in_state(structure, Status.DESCRIPTION_SPEAKERS)
    old = MeetingFactory(
        body=structure.bodies["speakers"], starts_at=timezone.now() + timedelta(days=2)
    )
    AgendaItemFactory(meeting=old, project=project, stage_status=Status.SKETCH_SPEAKERS)
    meeting = planning.meeting_create(
        actor=office,
        body=structure.bodies["speakers"],
        starts_at=timezone.now() + timedelta(days=10),
    )
    [item] = agenda.agenda_propose(actor=office, meeting=meeting)
    assert item.project == project


def test_a_project_item_needs_the_project_at_the_bodys_stage(structure, office, other_alliance):
    meeting = planning.meeting_create(
        actor=office,
        body=structure.bodies["steering"],
        starts_at=timezone.now() + timedelta(days=10),
    )
    waiting = project_in_state(structure, Status.SKETCH_SPEAKERS)
    with pytest.raises(DomainError) as refused:
        agenda.agenda_item_create(actor=office, meeting=meeting, project=waiting)
    assert refused.value.message_dict == {
        "project": [
            f"Das Vorhaben {waiting.reference} steht im Stand „Kurzskizze im Sprecherkreis“ nicht "
            "vor diesem Gremium."
        ]
    }
    ready = project_in_state(structure, Status.SKETCH_STEERING)
    agenda.agenda_item_create(actor=office, meeting=meeting, project=ready)
    with pytest.raises(DomainError, match="bereits auf dieser Tagesordnung"):
        agenda.agenda_item_create(actor=office, meeting=meeting, project=ready)
    with pytest.raises(DomainError, match="Titel"):
        agenda.agenda_item_create(actor=office, meeting=meeting, title=" ")


def test_reorder_and_move(structure, office):
    meeting = planning.meeting_create(
        actor=office,
        body=structure.bodies["steering"],
        starts_at=timezone.now() + timedelta(days=10),
    )
    a, b, c = (
        agenda.agenda_item_create(actor=office, meeting=meeting, title=title)
        for title in ("A", "B", "C")
    )

    def order():
        return list(meeting.items.order_by("position").values_list("title", flat=True))

    agenda.agenda_reorder(actor=office, meeting=meeting, item_ids=[c.pk, a.pk, b.pk])
    assert order() == ["C", "A", "B"]
    assert list(meeting.items.order_by("position").values_list("position", flat=True)) == [0, 1, 2]
    with pytest.raises(StaleEdit):
        agenda.agenda_reorder(actor=office, meeting=meeting, item_ids=[c.pk, a.pk])
    with pytest.raises(StaleEdit):
        agenda.agenda_reorder(actor=office, meeting=meeting, item_ids=[c.pk, a.pk, a.pk])
    agenda.agenda_move(actor=office, item=b, offset=-1)
    assert order() == ["C", "B", "A"]
    agenda.agenda_move(actor=office, item=c, offset=-1)  # already first
    assert order() == ["C", "B", "A"]
    agenda.agenda_move(actor=office, item=c, offset=+1)
    assert order() == ["B", "C", "A"]
    agenda.agenda_item_delete(actor=office, item=c)
    assert order() == ["B", "A"]
    assert list(meeting.items.order_by("position").values_list("position", flat=True)) == [0, 1]


def test_an_item_with_a_decision_stays_as_it_is(structure, office):
    meeting = meeting_in_session(structure.bodies["steering"], actor=office)
    item = agenda.agenda_item_create(actor=office, meeting=meeting, title="Bericht")
    decisions.decision_record(actor=office, item=item, proposal=decisions.Proposal.DECIDE)
    with pytest.raises(TransitionNotAllowed):
        agenda.agenda_item_update(actor=office, item=item, title="Anders")
    with pytest.raises(TransitionNotAllowed):
        agenda.agenda_item_delete(actor=office, item=item)
    assert AgendaItem.objects.filter(pk=item.pk, title="Bericht").exists()


def test_the_agenda_of_a_cancelled_meeting_is_closed(structure, office):
    meeting = MeetingFactory(body=structure.bodies["steering"], status=MeetingStatus.CANCELLED)
    with pytest.raises(TransitionNotAllowed, match="Abgesagt"):
        agenda.agenda_item_create(actor=office, meeting=meeting, title="Noch etwas")
    with pytest.raises(TransitionNotAllowed):
        agenda.agenda_propose(actor=office, meeting=meeting)
