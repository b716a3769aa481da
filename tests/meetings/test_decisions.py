"""Decisions of a meeting (`meetings.services.decisions.decision_record`): quorum, who may object,
recusal, and how a decision on a project item drives the funding procedure in the same transaction.

The Steuerkreis of `build_alliance_structure` has eight voting seats (quorum: 5) and the Amt für
regionale Landesentwicklung as advisory member; the Sprecherkreis five voting seats (quorum: 3).
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from buendnis.budget import services as budget
from buendnis.budget.models import EntryKind, LedgerEntry
from buendnis.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from buendnis.core.models import AuditEntry
from buendnis.funding import services as funding
from buendnis.funding.models import BodyOutcome, Outcome, Project
from buendnis.funding.states import Status
from buendnis.meetings.models import (
    Attendance,
    Decision,
    DecisionOutcome,
    MeetingStatus,
    Presence,
)
from buendnis.meetings.services import agenda, decisions, invitations, planning
from buendnis.meetings.services import attendance as attendance_services
from tests.factories import (
    AgendaItemFactory,
    MeetingFactory,
    build_alliance_structure,
    hours_ago_today,
    meeting_in_session,
    project_in_state,
)

pytestmark = pytest.mark.django_db

Proposal = decisions.Proposal


@pytest.fixture
def structure(alliance):
    return build_alliance_structure(alliance, place="Braunschweig")


@pytest.fixture
def office(make_persona):
    return make_persona("office")


@pytest.fixture
def orgs(structure):
    return structure.organisations


def steering_session(structure, office, **kwargs):
    return meeting_in_session(structure.bodies["steering"], actor=office, **kwargs)


def project_item(meeting, project, office):
    return agenda.agenda_item_create(actor=office, meeting=meeting, project=project)


def free_item(meeting, office, title="Bericht der Geschäftsstelle", **fields):
    return agenda.agenda_item_create(actor=office, meeting=meeting, title=title, **fields)


def nothing_recorded_since(before):
    return {
        "decisions": Decision.objects.count(),
        "outcomes": BodyOutcome.objects.count(),
        "ledger": LedgerEntry.objects.count(),
        "audit": AuditEntry.objects.count(),
    } == before


def counts():
    return {
        "decisions": Decision.objects.count(),
        "outcomes": BodyOutcome.objects.count(),
        "ledger": LedgerEntry.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


# --- Quorum -------------------------------------------------------------------------------------


def test_without_quorum_a_decision_is_refused_but_a_deferral_is_possible(structure, office, orgs):
    present = [orgs[key] for key in ("agency", "jobcenter", "city", "union", "arl")]
    meeting = steering_session(structure, office, present=present)
    project = project_in_state(structure, Status.SKETCH_STEERING)
    item = project_item(meeting, project, office)

    with pytest.raises(DomainError) as refused:
        decisions.decision_record(actor=office, item=item, proposal=Proposal.DECIDE)
    # Four of eight voting seats: the advisory Amt does not count.
    assert refused.value.messages == [
        "Der Steuerkreis ist nicht beschlussfähig: 4 von 8 stimmberechtigten Organisationen sind "
        "vertreten, nötig sind mindestens 5. Der Punkt kann nur vertagt werden."
    ]
    with pytest.raises(DomainError, match="nicht beschlussfähig"):
        decisions.decision_record(
            actor=office, item=item, proposal=Proposal.REVISION, reasons="Bitte überarbeiten."
        )
    assert not Decision.objects.exists()

    decision = decisions.decision_record(actor=office, item=item, proposal=Proposal.DEFER)
    assert decision.outcome == DecisionOutcome.DEFERRED
    assert decision.snapshot["quorum"] == {
        "voting_seats": 8,
        "present": 4,
        "required": 5,
        "percent": 50,
        "met": False,
    }
    project.refresh_from_db()
    assert project.status == Status.DEFERRED
    assert project.return_status == Status.SKETCH_STEERING


def test_exactly_half_is_not_a_quorum_one_more_is(structure, office, orgs):
    voting = [orgs[key] for key in ("agency", "jobcenter", "city", "district", "union")]
    meeting = steering_session(structure, office, present=voting[:4])
    item = free_item(meeting, office)
    with pytest.raises(DomainError, match="nicht beschlussfähig"):
        decisions.decision_record(actor=office, item=item, proposal=Proposal.DECIDE)
    attendance_services.attendance_record(
        actor=office,
        meeting=meeting,
        entries={
            voting[4].pk: attendance_services.AttendanceEntry(Presence.DEPUTY, "Erika Vertreterin")
        },
    )
    decision = decisions.decision_record(actor=office, item=item, proposal=Proposal.DECIDE)
    assert decision.outcome == DecisionOutcome.AGREED
    assert decision.snapshot["quorum"]["present"] == 5


# --- Who may object -----------------------------------------------------------------------------


def test_an_advisory_participant_cannot_object(structure, office, orgs):
    meeting = steering_session(structure, office)
    item = free_item(meeting, office)
    with pytest.raises(DomainError) as refused:
        decisions.decision_record(
            actor=office,
            item=item,
            proposal=Proposal.DECIDE,
            objections={orgs["arl"].pk: "Bedenken des Landes"},
        )
    assert refused.value.messages == [
        "Amt für regionale Landesentwicklung Braunschweig hat in diesem Gremium keine Stimme."
    ]
    with pytest.raises(DomainError, match="keine Stimme"):
        decisions.decision_record(
            actor=office, item=item, proposal=Proposal.DECIDE, abstentions=[orgs["arl"].pk]
        )
    # Speaks, is recorded as present, but neither counts nor agrees.
    decision = decisions.decision_record(actor=office, item=item, proposal=Proposal.DECIDE)
    assert decision.names("advisory_present") == [orgs["arl"].name]
    assert orgs["arl"].name not in decision.names("agreeing")
    assert orgs["arl"].name not in decision.names("present")


def test_an_organisation_without_a_seat_cannot_object(structure, office, orgs):
    meeting = steering_session(structure, office)
    item = free_item(meeting, office)
    with pytest.raises(DomainError, match="keine Stimme"):
        decisions.decision_record(
            actor=office,
            item=item,
            proposal=Proposal.DECIDE,
            objections={orgs["host"].pk: "Die Geschäftsstelle hat Bedenken."},
        )


def test_an_absent_organisation_cannot_object_or_abstain(structure, office, orgs):
    present = [orgs[key] for key in ("agency", "jobcenter", "city", "district", "union", "ihk")]
    meeting = steering_session(structure, office, present=present)
    item = free_item(meeting, office)
    with pytest.raises(DomainError) as refused:
        decisions.decision_record(
            actor=office,
            item=item,
            proposal=Proposal.DECIDE,
            objections={orgs["employers"].pk: "Schriftlicher Einwand"},
        )
    assert refused.value.messages == [
        "Arbeitgeberverband Braunschweig ist nicht anwesend und kann weder widersprechen noch "
        "sich enthalten."
    ]
    with pytest.raises(DomainError, match="nicht anwesend"):
        decisions.decision_record(
            actor=office, item=item, proposal=Proposal.DECIDE, abstentions=[orgs["hwk"].pk]
        )
    assert not Decision.objects.exists()


def test_an_objection_needs_its_reason(structure, office, orgs):
    meeting = steering_session(structure, office)
    item = free_item(meeting, office)
    with pytest.raises(DomainError) as refused:
        decisions.decision_record(
            actor=office, item=item, proposal=Proposal.DECIDE, objections={orgs["union"].pk: "  "}
        )
    assert refused.value.messages == ["Bitte nennen Sie den Einwand von DGB-Region Braunschweig."]


def test_objecting_and_abstaining_at_once_is_refused(structure, office, orgs):
    meeting = steering_session(structure, office)
    item = free_item(meeting, office)
    with pytest.raises(DomainError, match="zugleich"):
        decisions.decision_record(
            actor=office,
            item=item,
            proposal=Proposal.DECIDE,
            objections={orgs["union"].pk: "Nein"},
            abstentions=[orgs["union"].pk],
        )


def test_an_unknown_proposal_is_refused(structure, office):
    meeting = steering_session(structure, office)
    item = free_item(meeting, office)
    with pytest.raises(DomainError, match="worüber entschieden"):
        decisions.decision_record(actor=office, item=item, proposal="approve")


def test_only_the_office_records_decisions(structure, office, make_persona):
    meeting = steering_session(structure, office)
    item = free_item(meeting, office)
    for persona in ("speaker", "member", "advisory", "applicant", "outsider"):
        with pytest.raises(NotPermitted):
            decisions.decision_record(
                actor=make_persona(persona), item=item, proposal=Proposal.DECIDE
            )
    assert not Decision.objects.exists()


# --- Recusal ------------------------------------------------------------------------------------


def test_the_applicant_is_recused_without_a_declaration(structure, office, orgs):
    meeting = steering_session(structure, office)
    project = project_in_state(
        structure, Status.SKETCH_STEERING, applicant_organisation=orgs["city"]
    )
    item = project_item(meeting, project, office)
    with pytest.raises(DomainError) as refused:
        decisions.decision_record(
            actor=office,
            item=item,
            proposal=Proposal.DECIDE,
            objections={orgs["city"].pk: "Wir ziehen zurück."},
        )
    assert refused.value.messages == [
        "Stadt Braunschweig ist befangen und kann weder widersprechen noch sich enthalten."
    ]
    decision = decisions.decision_record(actor=office, item=item, proposal=Proposal.DECIDE)
    assert decision.outcome == DecisionOutcome.AGREED
    assert decision.snapshot["recused"] == [
        {
            "id": orgs["city"].pk,
            "name": "Stadt Braunschweig",
            "reason": "Antragstellerin des Vorhabens",
        }
    ]
    assert "Stadt Braunschweig" not in decision.names("agreeing")
    # Present, so it counts for the quorum.
    assert decision.snapshot["quorum"]["present"] == 8
    assert "Stadt Braunschweig" in decision.names("present")


def test_a_declared_recusal_neither_votes_nor_blocks(structure, office, orgs):
    meeting = steering_session(structure, office)
    item = free_item(meeting, office, title="Kooperation mit dem DGB-Bildungswerk")
    agenda.recusal_declare(
        actor=office, item=item, organisation=orgs["union"], reason="Träger des Bildungswerks"
    )
    with pytest.raises(DomainError, match="Befangenheit ist bereits erfasst"):
        agenda.recusal_declare(
            actor=office, item=item, organisation=orgs["union"], reason="noch einmal"
        )
    with pytest.raises(DomainError, match="DGB-Region Braunschweig ist befangen"):
        decisions.decision_record(
            actor=office,
            item=item,
            proposal=Proposal.DECIDE,
            objections={orgs["union"].pk: "Einwand"},
        )
    decision = decisions.decision_record(actor=office, item=item, proposal=Proposal.DECIDE)
    assert decision.snapshot["recused"] == [
        {
            "id": orgs["union"].pk,
            "name": "DGB-Region Braunschweig",
            "reason": "Träger des Bildungswerks",
        }
    ]
    assert "DGB-Region Braunschweig" not in decision.names("agreeing")
    with pytest.raises(TransitionNotAllowed):
        agenda.recusal_declare(actor=office, item=item, organisation=orgs["ihk"], reason="zu spät")


def test_a_recusal_needs_a_reason_and_an_organisation_of_the_alliance(
    structure, office, orgs, other_alliance
):
    from tests.factories import OrganisationFactory

    meeting = steering_session(structure, office)
    item = free_item(meeting, office)
    with pytest.raises(DomainError, match="Grund der Befangenheit"):
        agenda.recusal_declare(actor=office, item=item, organisation=orgs["union"], reason=" ")
    foreign = OrganisationFactory(alliance=other_alliance)
    with pytest.raises(DomainError, match="anderen Bündnis"):
        agenda.recusal_declare(actor=office, item=item, organisation=foreign, reason="Grund")


# --- When a decision is possible ----------------------------------------------------------------


def test_a_second_decision_on_the_same_item_is_refused(structure, office):
    meeting = steering_session(structure, office)
    item = free_item(meeting, office)
    decisions.decision_record(actor=office, item=item, proposal=Proposal.DECIDE)
    with pytest.raises(TransitionNotAllowed) as refused:
        decisions.decision_record(actor=office, item=item, proposal=Proposal.DEFER)
    assert refused.value.messages == ["Über diesen Tagesordnungspunkt ist bereits beschlossen."]
    assert Decision.objects.count() == 1


def test_no_decision_before_the_meeting_has_begun(structure, office):
    body = structure.bodies["steering"]
    meeting = planning.meeting_create(
        actor=office, body=body, starts_at=timezone.now() + timedelta(days=3)
    )
    item = free_item(meeting, office)
    with pytest.raises(TransitionNotAllowed, match="Stand „Geplant“"):
        decisions.decision_record(actor=office, item=item, proposal=Proposal.DECIDE)
    invitations.meeting_invite(actor=office, meeting=meeting)
    with pytest.raises(TransitionNotAllowed) as refused:
        decisions.decision_record(actor=office, item=item, proposal=Proposal.DECIDE)
    assert refused.value.messages == ["Die Sitzung hat noch nicht stattgefunden."]
    assert not Decision.objects.exists()


def test_no_decision_in_a_cancelled_meeting(structure, office):
    meeting = MeetingFactory(body=structure.bodies["steering"], status=MeetingStatus.CANCELLED)
    item = AgendaItemFactory(meeting=meeting)
    with pytest.raises(TransitionNotAllowed, match="Abgesagt"):
        decisions.decision_record(actor=office, item=item, proposal=Proposal.DECIDE)


def test_a_project_that_moved_on_is_not_decided_and_nothing_is_recorded(structure, office):
    meeting = steering_session(structure, office)
    project = project_in_state(structure, Status.SKETCH_STEERING)
    item = project_item(meeting, project, office)
    # The Steuerkreis' vote was recorded some other way in the meantime.
    funding.outcome_record(
        actor=office,
        project=project,
        body=structure.bodies["steering"],
        outcome=Outcome.POSITIVE,
        decided_on=timezone.localdate(),
    )
    project.refresh_from_db()
    status, version = project.status, project.version
    before = counts()
    with pytest.raises(TransitionNotAllowed) as refused:
        decisions.decision_record(actor=office, item=item, proposal=Proposal.DECIDE)
    assert refused.value.messages == [
        "Das Vorhaben ist nicht mehr im Stand „Kurzskizze im Steuerkreis“."
    ]
    assert nothing_recorded_since(before)
    project.refresh_from_db()
    assert (project.status, project.version) == (status, version)


# --- Decisions drive the procedure ----------------------------------------------------------------


def test_a_positive_votum_on_a_description_reserves_the_budget(structure, office):
    meeting = steering_session(structure, office)
    project = project_in_state(structure, Status.DESCRIPTION_STEERING)
    item = project_item(meeting, project, office)
    decision = decisions.decision_record(actor=office, item=item, proposal=Proposal.DECIDE)
    project.refresh_from_db()
    assert decision.outcome == DecisionOutcome.AGREED
    assert decision.text == "Der Steuerkreis befürwortet das Vorhaben."
    assert project.status == Status.ENDORSED
    (reservation,) = LedgerEntry.objects.filter(project=project, kind=EntryKind.RESERVATION)
    assert reservation.reserved_delta == project.requested_grant == Decimal("140000.00")
    outcome = decision.body_outcome
    assert (outcome.outcome, outcome.stage_status, outcome.body) == (
        Outcome.POSITIVE,
        Status.DESCRIPTION_STEERING,
        structure.bodies["steering"],
    )
    assert outcome.decided_on == timezone.localtime(meeting.starts_at).date()
    assert outcome.reference == f"{meeting.display_title}, TOP 1"


def test_when_the_budget_cannot_carry_the_votum_nothing_is_recorded(structure, office):
    meeting = steering_session(structure, office)
    project = project_in_state(structure, Status.DESCRIPTION_STEERING)
    item = project_item(meeting, project, office)
    # Leave 100.000 € of the 2 Mio. €: the project asks for 140.000 €.
    budget.budget_adjust(
        actor=None, phase=structure.phase, amount=Decimal("-1900000.00"), note="Kürzung"
    )
    attendance = list(Attendance.objects.filter(meeting=meeting).values())
    status, version = project.status, project.version
    before = counts()
    with pytest.raises(DomainError) as refused:
        decisions.decision_record(actor=office, item=item, proposal=Proposal.DECIDE)
    assert refused.value.messages == [
        "Das virtuelle Budget der Förderphase 2021–"
        f"{structure.phase.ends_on.year} reicht nicht: beantragt 140.000,00 €, verfügbar "
        "100.000,00 €. Es wurde nichts gebucht."
    ]
    assert nothing_recorded_since(before)
    assert not Decision.objects.filter(item=item).exists()
    assert not BodyOutcome.objects.filter(
        project=project, stage_status=Status.DESCRIPTION_STEERING
    ).exists()
    assert not LedgerEntry.objects.filter(project=project).exists()
    project.refresh_from_db()
    assert (project.status, project.version) == (status, version)
    assert list(Attendance.objects.filter(meeting=meeting).values()) == attendance
    # The body can still defer it.
    decisions.decision_record(actor=office, item=item, proposal=Proposal.DEFER)
    project.refresh_from_db()
    assert project.status == Status.DEFERRED


def test_no_agreement_in_the_steuerkreis_rejects_with_the_objections_as_reasons(
    structure, office, orgs
):
    meeting = steering_session(structure, office)
    project = project_in_state(structure, Status.SKETCH_STEERING)
    item = project_item(meeting, project, office)
    decision = decisions.decision_record(
        actor=office,
        item=item,
        proposal=Proposal.DECIDE,
        objections={orgs["union"].pk: "Eine Förderlücke ist nicht erkennbar."},
        abstentions=[orgs["ihk"].pk],
    )
    project.refresh_from_db()
    assert decision.outcome == DecisionOutcome.NOT_AGREED
    assert decision.text == ""
    assert project.status == Status.REJECTED
    assert decision.body_outcome.outcome == Outcome.NEGATIVE
    assert decision.body_outcome.reasons == (
        "Kein Einvernehmen. Einwände: DGB-Region Braunschweig (Eine Förderlücke ist nicht erkennbar.)"
    )


def test_given_reasons_go_with_a_rejection(structure, office, orgs):
    meeting = steering_session(structure, office)
    project = project_in_state(structure, Status.SKETCH_STEERING)
    item = project_item(meeting, project, office)
    decision = decisions.decision_record(
        actor=office,
        item=item,
        proposal=Proposal.DECIDE,
        objections={orgs["union"].pk: "Keine Förderlücke."},
        reasons="Das Angebot besteht bereits.",
    )
    assert decision.body_outcome.reasons == "Das Angebot besteht bereits."


def test_a_revision_needs_reasons_and_returns_the_project(structure, office):
    meeting = steering_session(structure, office)
    project = project_in_state(structure, Status.DESCRIPTION_STEERING)
    item = project_item(meeting, project, office)
    with pytest.raises(DomainError) as refused:
        decisions.decision_record(actor=office, item=item, proposal=Proposal.REVISION, reasons=" ")
    assert refused.value.messages == ["Bitte begründen Sie die Rückgabe zur Überarbeitung."]
    decision = decisions.decision_record(
        actor=office,
        item=item,
        proposal=Proposal.REVISION,
        reasons="Bitte die Zielgruppe genauer beschreiben.",
    )
    project.refresh_from_db()
    assert decision.outcome == DecisionOutcome.REVISION
    assert project.status == Status.REVISION_REQUESTED
    assert project.return_status == Status.DESCRIPTION_SUBMITTED
    assert decision.body_outcome.reasons == "Bitte die Zielgruppe genauer beschreiben."
    assert not LedgerEntry.objects.filter(project=project).exists()


def test_everyone_abstaining_is_no_agreement(structure, office, orgs):
    voting = [orgs[key] for key in ("agency", "jobcenter", "city", "district", "union")]
    meeting = steering_session(structure, office, present=voting)
    item = free_item(meeting, office)
    decision = decisions.decision_record(
        actor=office, item=item, proposal=Proposal.DECIDE, abstentions=[o.pk for o in voting]
    )
    assert decision.outcome == DecisionOutcome.NOT_AGREED
    assert decision.names("agreeing") == []


# --- From the Sprecherkreis to the Steuerkreis ----------------------------------------------------


def speakers_session(structure, office, steering_meeting, **kwargs):
    return meeting_in_session(
        structure.bodies["speakers"],
        actor=office,
        starts_at=hours_ago_today(2),
        prepares=steering_meeting,
        **kwargs,
    )


def planned_steering(structure, office, days=14):
    return planning.meeting_create(
        actor=office,
        body=structure.bodies["steering"],
        starts_at=timezone.now() + timedelta(days=days),
    )


def test_the_sprecherkreis_recommendation_goes_onto_the_prepared_meeting(structure, office):
    steering = planned_steering(structure, office)
    speakers = speakers_session(structure, office, steering)
    project = project_in_state(structure, Status.SKETCH_SPEAKERS)
    [item] = agenda.agenda_propose(actor=office, meeting=speakers)
    assert item.proposed_decision == (
        "Der Sprecherkreis empfiehlt dem Steuerkreis, das Vorhaben zu befürworten."
    )
    decision = decisions.decision_record(actor=office, item=item, proposal=Proposal.DECIDE)
    project.refresh_from_db()
    assert decision.outcome == DecisionOutcome.AGREED
    assert project.status == Status.SKETCH_STEERING
    [carried] = steering.items.all()
    assert carried.project == project
    assert carried.stage_status == Status.SKETCH_STEERING
    assert carried.recommended_by == item
    day = timezone.localtime(speakers.starts_at).strftime("%d.%m.%Y")
    assert carried.recommendation == (
        f"Der Sprecherkreis empfiehlt, das Vorhaben zu befürworten. (Sitzung vom {day})"
    )
    # Proposing the Steuerkreis' agenda adds no second item.
    assert agenda.agenda_propose(actor=office, meeting=steering) == []


def test_a_negative_recommendation_still_goes_on_with_the_objections(structure, office, orgs):
    steering = planned_steering(structure, office)
    speakers = speakers_session(structure, office, steering)
    project = project_in_state(structure, Status.SKETCH_SPEAKERS)
    [item] = agenda.agenda_propose(actor=office, meeting=speakers)
    decisions.decision_record(
        actor=office,
        item=item,
        proposal=Proposal.DECIDE,
        objections={orgs["union"].pk: "Doppelt zu bestehenden Angeboten."},
    )
    project.refresh_from_db()
    assert project.status == Status.SKETCH_STEERING
    [carried] = steering.items.all()
    assert carried.recommendation.startswith(
        "Der Sprecherkreis empfiehlt nicht, das Vorhaben zu befürworten. Kein Einvernehmen. "
        "Einwände: DGB-Region Braunschweig (Doppelt zu bestehenden Angeboten.)"
    )


def test_the_recommendation_updates_an_undecided_item_instead_of_adding_one(structure, office):
    steering = planned_steering(structure, office)
    speakers = speakers_session(structure, office, steering)
    project = project_in_state(structure, Status.SKETCH_SPEAKERS)
    waiting = AgendaItemFactory(
        meeting=steering,
        project=project,
        stage_status=Status.SKETCH_STEERING,
        title="Kurzskizze (vorgemerkt)",
        is_public=False,
    )
    [item] = agenda.agenda_propose(actor=office, meeting=speakers)
    decisions.decision_record(actor=office, item=item, proposal=Proposal.DECIDE)
    assert steering.items.filter(project=project).count() == 1
    waiting.refresh_from_db()
    assert waiting.recommended_by == item
    assert "empfiehlt, das Vorhaben zu befürworten" in waiting.recommendation


def test_without_a_prepared_meeting_the_next_steuerkreis_meeting_takes_it(structure, office):
    later = planned_steering(structure, office, days=60)
    sooner = planned_steering(structure, office, days=20)
    planning.meeting_cancel(actor=office, meeting=sooner, reason="Terminkollision")
    speakers = speakers_session(structure, office, None)
    project_in_state(structure, Status.SKETCH_SPEAKERS)
    [item] = agenda.agenda_propose(actor=office, meeting=speakers)
    decisions.decision_record(actor=office, item=item, proposal=Proposal.DECIDE)
    assert later.items.count() == 1
    assert not sooner.items.exists()


def test_a_deferral_in_the_sprecherkreis_carries_nothing(structure, office):
    steering = planned_steering(structure, office)
    speakers = speakers_session(structure, office, steering)
    project = project_in_state(structure, Status.SKETCH_SPEAKERS)
    [item] = agenda.agenda_propose(actor=office, meeting=speakers)
    decisions.decision_record(actor=office, item=item, proposal=Proposal.DEFER)
    project.refresh_from_db()
    assert project.status == Status.DEFERRED
    assert not steering.items.exists()


def test_the_steuerkreis_agenda_takes_the_latest_recommendation(structure, office):
    """A project recommended by the Sprecherkreis, whose prepared meeting was cancelled and that
    no later meeting took: proposing a new Steuerkreis agenda brings the recommendation along."""
    project = project_in_state(structure, Status.SKETCH_SPEAKERS)
    speakers = speakers_session(structure, office, None)
    [item] = agenda.agenda_propose(actor=office, meeting=speakers)
    decisions.decision_record(actor=office, item=item, proposal=Proposal.DECIDE)
    project.refresh_from_db()
    assert project.status == Status.SKETCH_STEERING
    steering = planned_steering(structure, office)
    [proposed] = agenda.agenda_propose(actor=office, meeting=steering)
    assert proposed.recommended_by == item
    assert proposed.recommendation.startswith("Der Sprecherkreis empfiehlt, das Vorhaben")


# --- The snapshot ---------------------------------------------------------------------------------


def test_the_snapshot_records_who_was_there_and_how_they_voted(structure, office, orgs):
    present = [
        orgs[key] for key in ("agency", "jobcenter", "city", "district", "union", "ihk", "arl")
    ]
    meeting = steering_session(structure, office, present=present)
    attendance_services.guest_add(
        actor=office, meeting=meeting, name="Dr. Gast", affiliation="NBank"
    )
    project = project_in_state(
        structure, Status.SKETCH_STEERING, applicant_organisation=orgs["agency"]
    )
    item = project_item(meeting, project, office)
    agenda.recusal_declare(
        actor=office, item=item, organisation=orgs["jobcenter"], reason="Kofinanzierer"
    )
    decision = decisions.decision_record(
        actor=office,
        item=item,
        proposal=Proposal.DECIDE,
        abstentions=[orgs["union"].pk],
        text="Der Steuerkreis befürwortet die Kurzskizze und bittet um die Projektbeschreibung.",
    )
    snapshot = decision.snapshot

    def names(key):
        return [entry["name"] for entry in snapshot[key]]

    assert decision.outcome == DecisionOutcome.AGREED
    assert decision.text.startswith("Der Steuerkreis befürwortet die Kurzskizze")
    assert snapshot["quorum"] == {
        "voting_seats": 8,
        "present": 6,
        "required": 5,
        "percent": 50,
        "met": True,
    }
    assert len(snapshot["entitled"]) == 8
    assert names("present") == sorted(o.name for o in present if o != orgs["arl"])
    assert names("advisory_present") == ["Amt für regionale Landesentwicklung Braunschweig"]
    assert names("abstaining") == ["DGB-Region Braunschweig"]
    assert names("objecting") == []
    assert names("agreeing") == [
        "IHK Braunschweig",
        "Landkreis Braunschweig-Land",
        "Stadt Braunschweig",
    ]
    assert snapshot["recused"] == [
        {
            "id": orgs["agency"].pk,
            "name": "Agentur für Arbeit Braunschweig",
            "reason": "Antragstellerin des Vorhabens",
        },
        {"id": orgs["jobcenter"].pk, "name": "Jobcenter Braunschweig", "reason": "Kofinanzierer"},
    ]
    assert snapshot["guests"] == ["Dr. Gast"]
    # The meeting has no end time: decided now, after its start.
    assert meeting.starts_at <= decision.decided_at <= timezone.now()
    assert decision.recorded_by == office
    audit = AuditEntry.objects.get(action="meeting.decision")
    assert audit.to_state == DecisionOutcome.AGREED
    assert audit.changes["abstaining"] == ["DGB-Region Braunschweig"]


def test_a_later_change_of_attendance_does_not_rewrite_the_snapshot(structure, office, orgs):
    meeting = steering_session(structure, office)
    item = free_item(meeting, office)
    decision = decisions.decision_record(actor=office, item=item, proposal=Proposal.DECIDE)
    attendance_services.attendance_record(
        actor=office,
        meeting=meeting,
        entries={orgs["union"].pk: attendance_services.AttendanceEntry(Presence.ABSENT)},
    )
    decision.refresh_from_db()
    assert "DGB-Region Braunschweig" in decision.names("present")


def test_a_free_item_decision_touches_no_project(structure, office):
    meeting = steering_session(structure, office)
    item = free_item(
        meeting, office, proposed_decision="Die Sitzungstermine 2027 werden beschlossen."
    )
    before = Project.objects.count(), BodyOutcome.objects.count()
    decision = decisions.decision_record(actor=office, item=item, proposal=Proposal.DECIDE)
    assert decision.body_outcome is None
    assert decision.text == "Die Sitzungstermine 2027 werden beschlossen."
    assert (Project.objects.count(), BodyOutcome.objects.count()) == before
