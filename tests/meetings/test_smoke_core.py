"""The core flow of a meeting decision driving the procedure (details in the other modules)."""

import pytest

from buendnis.funding.states import Status
from buendnis.meetings.models import DecisionOutcome, Presence
from buendnis.meetings.services import agenda, attendance, decisions, invitations, minutes, planning
from tests.factories import build_alliance_structure, hours_ago_today, project_in_state

pytestmark = pytest.mark.django_db


def test_speakers_recommend_then_steering_agrees(alliance, make_persona):
    office = make_persona("office")
    structure = build_alliance_structure(alliance, place="Braunschweig")
    project = project_in_state(structure, Status.SKETCH_SPEAKERS)
    steering = planning.meeting_create(
        actor=office, body=structure.bodies["steering"], starts_at=hours_ago_today(1)
    )
    speakers = planning.meeting_create(
        actor=office,
        body=structure.bodies["speakers"],
        starts_at=hours_ago_today(3),
        prepares=steering,
    )
    [item] = agenda.agenda_propose(actor=office, meeting=speakers)
    assert item.project == project
    invitations.meeting_invite(actor=office, meeting=speakers)
    orgs = [row.organisation_id for row in speakers.attendances.all()]
    attendance.attendance_record(
        actor=office,
        meeting=speakers,
        entries={pk: attendance.AttendanceEntry(Presence.REPRESENTATIVE) for pk in orgs},
    )
    decision = decisions.decision_record(
        actor=office, item=item, proposal=decisions.Proposal.DECIDE
    )
    assert decision.outcome == DecisionOutcome.AGREED
    project.refresh_from_db()
    assert project.status == Status.SKETCH_STEERING
    [carried] = steering.items.all()
    assert "empfiehlt" in carried.recommendation and carried.recommended_by == item

    invitations.meeting_invite(actor=office, meeting=steering)
    attendance.attendance_record(
        actor=office,
        meeting=steering,
        entries={
            row.organisation_id: attendance.AttendanceEntry(Presence.DEPUTY)
            for row in steering.attendances.all()
        },
    )
    decision = decisions.decision_record(
        actor=office, item=carried, proposal=decisions.Proposal.DECIDE
    )
    project.refresh_from_db()
    assert decision.outcome == DecisionOutcome.AGREED
    assert project.status == Status.DESCRIPTION_REQUESTED
    assert (
        project.applicant_organisation.name in decision.names("recused")
        or not decision.snapshot["recused"]
    )
    minutes.meeting_close(actor=office, meeting=steering)
    assert "TOP 1" in steering.minutes.nonpublic_text
