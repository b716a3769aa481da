"""The core flow of a meeting decision driving the procedure (details in the other modules)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from buendnis.funding.states import Status
from buendnis.meetings import services
from buendnis.meetings.models import DecisionOutcome, Presence
from tests.factories import build_alliance_structure, project_in_state

pytestmark = pytest.mark.django_db


def test_speakers_recommend_then_steering_agrees(alliance, make_persona):
    office = make_persona("office")
    structure = build_alliance_structure(alliance, place="Braunschweig")
    project = project_in_state(structure, Status.SKETCH_SPEAKERS)
    now = timezone.now()
    steering = services.meeting_create(
        actor=office, body=structure.bodies["steering"], starts_at=now - timedelta(hours=1)
    )
    speakers = services.meeting_create(
        actor=office,
        body=structure.bodies["speakers"],
        starts_at=now - timedelta(hours=3),
        prepares=steering,
    )
    [item] = services.agenda_propose(actor=office, meeting=speakers)
    assert item.project == project
    services.meeting_invite(actor=office, meeting=speakers)
    orgs = [row.organisation_id for row in speakers.attendances.all()]
    services.attendance_record(
        actor=office,
        meeting=speakers,
        entries={pk: services.AttendanceEntry(Presence.REPRESENTATIVE) for pk in orgs},
    )
    decision = services.decision_record(actor=office, item=item, proposal=services.Proposal.DECIDE)
    assert decision.outcome == DecisionOutcome.AGREED
    project.refresh_from_db()
    assert project.status == Status.SKETCH_STEERING
    [carried] = steering.items.all()
    assert "empfiehlt" in carried.recommendation and carried.recommended_by == item

    services.meeting_invite(actor=office, meeting=steering)
    services.attendance_record(
        actor=office,
        meeting=steering,
        entries={
            row.organisation_id: services.AttendanceEntry(Presence.DEPUTY)
            for row in steering.attendances.all()
        },
    )
    decision = services.decision_record(
        actor=office, item=carried, proposal=services.Proposal.DECIDE
    )
    project.refresh_from_db()
    assert decision.outcome == DecisionOutcome.AGREED
    assert project.status == Status.DESCRIPTION_REQUESTED
    assert (
        project.applicant_organisation.name in decision.names("recused")
        or not decision.snapshot["recused"]
    )
    services.meeting_close(actor=office, meeting=steering)
    assert "TOP 1" in steering.minutes.nonpublic_text
