"""„Alle anwesend“ and „Alle stimmen zu“ with exceptions, for the 28 seats of a Steuerkreis
(issue 12: attendance and votes took some fifty clicks): one service call each, one transaction,
one audit row with the list, and as many queries for 28 seats as for 8."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from buendnis.alliances.models import Organisation
from buendnis.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from buendnis.core.models import AuditEntry
from buendnis.funding.states import Status
from buendnis.meetings.models import (
    Attendance,
    Decision,
    DecisionOutcome,
    Meeting,
    Presence,
    Recusal,
)
from buendnis.meetings.selectors import attendance_sheet, meeting_attendance
from buendnis.meetings.services import agenda, decisions, invitations
from buendnis.meetings.services import attendance as attendance_services
from tests.factories import AllianceStructure, build_alliance_structure, grow_alliance_structure
from tests.meetings.office_setup import free_item, steering_meeting, steering_project

pytestmark = pytest.mark.django_db

Entry = attendance_services.AttendanceEntry


@pytest.fixture
def structure(alliance: Any) -> AllianceStructure:
    return build_alliance_structure(alliance, place="Braunschweig")


@pytest.fixture
def big(structure: AllianceStructure) -> AllianceStructure:
    """The Steuerkreis with 28 voting seats (8 + 20 partners) and the advisory Amt."""
    grow_alliance_structure(structure, count=20)
    return structure


def invited(structure: AllianceStructure, **fields: Any) -> Meeting:
    meeting = steering_meeting(structure, **fields)
    invitations.meeting_invite(actor=None, meeting=meeting)
    return meeting


def presences(meeting: Meeting) -> dict[int, str]:
    return dict(
        Attendance.objects.filter(meeting=meeting).values_list("organisation_id", "presence")
    )


def queries(step: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        step()
    return len(captured.captured_queries)


# --- Alle anwesend -------------------------------------------------------------------------------


def test_all_present_in_one_step_for_28_seats(
    big: AllianceStructure, make_persona: Callable[[str], Any]
) -> None:
    office = make_persona("office")
    meeting = invited(big)
    assert set(presences(meeting).values()) == {Presence.ABSENT}
    changed = attendance_services.attendance_all_present(actor=office, meeting=meeting)
    assert len(changed) == 29  # 28 voting seats and the advisory Amt
    assert set(presences(meeting).values()) == {Presence.REPRESENTATIVE}
    sheet = attendance_sheet(meeting_attendance(big.alliance, meeting.pk))
    assert (sheet.quorum.voting_seats, sheet.quorum.present) == (28, 28)
    [entry] = AuditEntry.objects.filter(action="meeting.attendance_all_present")
    assert entry.actor == office
    assert len(entry.changes["present"]) == 29 and entry.changes["exceptions"] == {}
    # Again: nothing left to change, still one audited step.
    assert attendance_services.attendance_all_present(actor=office, meeting=meeting) == []


def test_exceptions_are_recorded_as_given(big: AllianceStructure) -> None:
    orgs = big.organisations
    meeting = invited(big)
    attendance_services.attendance_all_present(
        actor=None,
        meeting=meeting,
        exceptions={
            orgs["hwk"].pk: Entry(Presence.ABSENT),
            orgs["union"].pk: Entry(Presence.DEPUTY, " Erika Vertreterin "),
        },
    )
    rows = {row.organisation_id: row for row in Attendance.objects.filter(meeting=meeting)}
    assert rows[orgs["hwk"].pk].presence == Presence.ABSENT
    assert (rows[orgs["union"].pk].presence, rows[orgs["union"].pk].attendee_name) == (
        Presence.DEPUTY,
        "Erika Vertreterin",
    )
    assert sum(row.presence == Presence.REPRESENTATIVE for row in rows.values()) == 27
    entry = AuditEntry.objects.get(action="meeting.attendance_all_present")
    assert entry.changes["exceptions"] == {
        orgs["hwk"].name: Presence.ABSENT,
        orgs["union"].name: Presence.DEPUTY,
    }
    assert orgs["hwk"].name not in entry.changes["present"]


def test_who_is_recorded_present_already_stays_so(structure: AllianceStructure) -> None:
    orgs = structure.organisations
    meeting = invited(structure)
    attendance_services.attendance_record(
        actor=None,
        meeting=meeting,
        entries={orgs["city"].pk: Entry(Presence.DEPUTY, "Dr. Stellvertreter")},
    )
    changed = attendance_services.attendance_all_present(actor=None, meeting=meeting)
    assert orgs["city"].name not in changed
    city = Attendance.objects.get(meeting=meeting, organisation=orgs["city"])
    assert (city.presence, city.attendee_name) == (Presence.DEPUTY, "Dr. Stellvertreter")


def test_all_present_is_refused_with_its_reason(
    structure: AllianceStructure, make_persona: Callable[[str], Any]
) -> None:
    planned = steering_meeting(structure)
    with pytest.raises(TransitionNotAllowed, match="sobald eingeladen ist"):
        attendance_services.attendance_all_present(actor=None, meeting=planned)
    meeting = invited(structure)
    with pytest.raises(NotPermitted):
        attendance_services.attendance_all_present(actor=make_persona("member"), meeting=meeting)
    foreign_id = max(Organisation.objects.values_list("pk", flat=True)) + 1
    with pytest.raises(DomainError, match="Nur Organisationen mit einem Sitz"):
        attendance_services.attendance_all_present(
            actor=None, meeting=meeting, exceptions={foreign_id: Entry(Presence.ABSENT)}
        )
    with pytest.raises(DomainError, match="Unbekannte Angabe"):
        attendance_services.attendance_all_present(
            actor=None,
            meeting=meeting,
            exceptions={structure.organisations["city"].pk: Entry("vielleicht")},
        )
    assert set(presences(meeting).values()) == {Presence.ABSENT}
    assert not AuditEntry.objects.filter(action="meeting.attendance_all_present").exists()


def test_all_present_costs_as_many_queries_for_28_seats_as_for_8(
    structure: AllianceStructure,
) -> None:
    # The savepoint and its release; lock the meeting; the seats on the day and the rows that
    # exist (prefill); the rows with their organisations; one UPDATE of all changed rows; the
    # audit row (and what the audit trail reads for it).
    small = invited(structure)
    exception = {structure.organisations["hwk"].pk: Entry(Presence.ABSENT)}
    eight = queries(
        lambda: attendance_services.attendance_all_present(
            actor=None, meeting=small, exceptions=exception
        )
    )
    grow_alliance_structure(structure, count=20)
    large = invited(structure, hours_ago=2)
    twenty_eight = queries(
        lambda: attendance_services.attendance_all_present(
            actor=None, meeting=large, exceptions=exception
        )
    )
    assert Attendance.objects.filter(meeting=large).count() == 29
    assert twenty_eight == eight, (eight, twenty_eight)


# --- Alle stimmen zu, mit Ausnahmen -----------------------------------------------------------------


def in_session(structure: AllianceStructure) -> Meeting:
    meeting = invited(structure)
    attendance_services.attendance_all_present(actor=None, meeting=meeting)
    return meeting


def test_everyone_agrees_in_one_step(big: AllianceStructure) -> None:
    meeting = in_session(big)
    item = free_item(meeting, "Jahresplanung")
    decision = decisions.decision_record(actor=None, item=item, proposal=decisions.Proposal.DECIDE)
    assert decision.outcome == DecisionOutcome.AGREED
    assert len(decision.snapshot["agreeing"]) == 28
    assert decision.snapshot["objecting"] == decision.snapshot["recused"] == []


def test_exceptions_object_abstain_and_declare_a_bias(big: AllianceStructure) -> None:
    orgs = big.organisations
    meeting = in_session(big)
    project = steering_project(big)  # the city's: recused as the applicant
    [item] = agenda.agenda_propose(actor=None, meeting=meeting)
    decision = decisions.decision_record(
        actor=None,
        item=item,
        proposal=decisions.Proposal.DECIDE,
        abstentions=[orgs["ihk"].pk],
        recusals={orgs["union"].pk: " Mitglied des Trägervereins "},
    )
    assert decision.outcome == DecisionOutcome.AGREED
    assert Recusal.objects.get(item=item).reason == "Mitglied des Trägervereins"
    assert {entry["name"] for entry in decision.snapshot["recused"]} == {
        orgs["union"].name,
        orgs["city"].name,
    }
    assert decision.names("abstaining") == [orgs["ihk"].name]
    assert len(decision.snapshot["agreeing"]) == 28 - 3
    project.refresh_from_db()
    assert project.status == Status.DESCRIPTION_REQUESTED
    # One audit row for the decision, with every list and the bias declared at the vote.
    [entry] = AuditEntry.objects.filter(action="meeting.decision")
    assert entry.changes["abstaining"] == [orgs["ihk"].name]
    assert orgs["union"].name in entry.changes["recused"]
    assert entry.changes["declared_recusals"] == [
        f"{orgs['union'].name} (Mitglied des Trägervereins)"
    ]


def test_one_objection_blocks(big: AllianceStructure) -> None:
    orgs = big.organisations
    meeting = in_session(big)
    item = free_item(meeting, "Kampagne")
    decision = decisions.decision_record(
        actor=None,
        item=item,
        proposal=decisions.Proposal.DECIDE,
        objections={orgs["employers"].pk: "Doppelt zur Landeskampagne"},
    )
    assert decision.outcome == DecisionOutcome.NOT_AGREED


@pytest.mark.parametrize(
    ("key", "reason", "also", "message"),
    [
        ("union", "", {}, "Bitte nennen Sie den Grund der Befangenheit von"),
        ("arl", "Behörde", {}, "hat in diesem Gremium keine Stimme"),
        ("union", "befangen", {"objections": "union"}, "weder widersprechen noch sich enthalten"),
        ("union", "befangen", {"abstentions": "union"}, "weder widersprechen noch sich enthalten"),
        ("city", "Träger", {}, "ist bereits befangen"),
    ],
)
def test_a_bias_that_cannot_be_declared(
    structure: AllianceStructure, key: str, reason: str, also: dict[str, str], message: str
) -> None:
    orgs = structure.organisations
    meeting = in_session(structure)
    steering_project(structure)
    [item] = agenda.agenda_propose(actor=None, meeting=meeting)
    extra: dict[str, Any] = {}
    if "objections" in also:
        extra["objections"] = {orgs[also["objections"]].pk: "Nein"}
    if "abstentions" in also:
        extra["abstentions"] = [orgs[also["abstentions"]].pk]
    with pytest.raises(DomainError, match=message):
        decisions.decision_record(
            actor=None,
            item=item,
            proposal=decisions.Proposal.DECIDE,
            recusals={orgs[key].pk: reason},
            **extra,
        )
    assert not Recusal.objects.filter(item=item).exists()
    assert not Decision.objects.filter(item=item).exists()


def test_agreeing_costs_as_many_queries_for_28_seats_as_for_8(
    structure: AllianceStructure,
) -> None:
    """The same exceptions (an objection, an abstention, a bias) on a free item of an 8-seat and
    of a 28-seat Steuerkreis: the same queries."""
    orgs = structure.organisations
    exceptions: dict[str, Any] = {
        "objections": {orgs["employers"].pk: "Doppelt"},
        "abstentions": [orgs["ihk"].pk],
        "recusals": {orgs["union"].pk: "Mitglied"},
    }
    small = in_session(structure)
    small_item = free_item(small, "Klein")
    eight = queries(
        lambda: decisions.decision_record(
            actor=None, item=small_item, proposal=decisions.Proposal.DECIDE, **exceptions
        )
    )
    grow_alliance_structure(structure, count=20)
    large = invited(structure, hours_ago=2)
    attendance_services.attendance_all_present(actor=None, meeting=large)
    large_item = free_item(large, "Groß")
    twenty_eight = queries(
        lambda: decisions.decision_record(
            actor=None, item=large_item, proposal=decisions.Proposal.DECIDE, **exceptions
        )
    )
    decided = Decision.objects.get(item=large_item)
    assert len(decided.snapshot["entitled"]) == 28
    assert twenty_eight == eight, (eight, twenty_eight)
