"""Decisions in writing (Umlaufbeschluss): who is asked, who may answer and when, how the result
is evaluated, and how a passed circulation on a project drives the procedure.

The Steuerkreis of `build_alliance_structure` has eight voting seats; the Amt für regionale
Landesentwicklung advises without a vote; the Allianz (host of the office) has no seat.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from buendnis.accounts.models import Role
from buendnis.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from buendnis.core.models import AuditEntry
from buendnis.funding import services as funding
from buendnis.funding.models import BodyOutcome, Outcome
from buendnis.funding.states import Status
from buendnis.meetings.models import Answer, Circulation, CirculationAnswer, CirculationStatus
from buendnis.meetings.services import circulations
from tests.factories import (
    MembershipFactory,
    PhaseFactory,
    SeatFactory,
    UserFactory,
    build_alliance_structure,
    project_in_state,
)

pytestmark = pytest.mark.django_db

TITLE = "Folgeprojekt AWO-Praktikumsbörse"
TEXT = "Der Steuerkreis befürwortet das Folgeprojekt der AWO-Praktikumsbörse."


@pytest.fixture
def structure(alliance):
    return build_alliance_structure(alliance, place="Braunschweig")


@pytest.fixture
def office(make_persona):
    return make_persona("office")


@pytest.fixture
def orgs(structure):
    return structure.organisations


VOTING = ("agency", "jobcenter", "city", "district", "union", "employers", "ihk", "hwk")


def open_circulation(structure, office, *, project=None, days=7, **kwargs):
    return circulations.circulation_open(
        actor=office,
        alliance=structure.alliance,
        title=kwargs.pop("title", TITLE),
        text=kwargs.pop("text", TEXT),
        deadline=timezone.now() + timedelta(days=days),
        project=project,
        **kwargs,
    )


def answer(circulation, organisation, value=Answer.AGREE, comment="", **kwargs):
    return circulations.circulation_answer(
        actor=None,
        circulation=circulation,
        organisation=organisation,
        answer=value,
        comment=comment,
        **kwargs,
    )


def expire(circulation):
    """The deadline has passed (moved, not waited for: the result's date must not lie ahead)."""
    Circulation.objects.filter(pk=circulation.pk).update(
        deadline=timezone.now() - timedelta(minutes=1)
    )
    circulation.refresh_from_db()


def member_for(structure, organisation, username):
    """A login with the steering role for `organisation` (who answers for it)."""
    user = UserFactory(username=username)
    MembershipFactory(
        user=user, alliance=structure.alliance, role=Role.STEERING, organisation=organisation
    )
    return user


# --- Opening ------------------------------------------------------------------------------------


def test_everyone_with_a_vote_today_is_asked_and_the_applicant_is_recused(structure, office, orgs):
    # A seat that ended yesterday and one that starts tomorrow do not count today.
    today = timezone.localdate()
    gone = SeatFactory(
        body=structure.bodies["steering"],
        organisation__alliance=structure.alliance,
        starts_on=date(2018, 7, 1),
        ends_on=today - timedelta(days=1),
    )
    coming = SeatFactory(
        body=structure.bodies["steering"],
        organisation__alliance=structure.alliance,
        starts_on=today + timedelta(days=1),
    )
    project = project_in_state(
        structure, Status.SKETCH_STEERING, applicant_organisation=orgs["city"]
    )
    circulation = open_circulation(structure, office, project=project)

    assert circulation.status == CirculationStatus.OPEN
    assert circulation.body == structure.bodies["steering"]
    assert circulation.entitled_ids == {orgs[key].pk for key in VOTING}
    assert gone.organisation_id not in circulation.entitled_ids
    assert coming.organisation_id not in circulation.entitled_ids
    assert circulation.recused == [
        {
            "id": orgs["city"].pk,
            "name": "Stadt Braunschweig",
            "reason": "Antragstellerin des Vorhabens",
        }
    ]
    assert circulation.stage_status == Status.SKETCH_STEERING
    assert circulation.silence_is_consent is False
    assert circulation.opened_by == office
    assert AuditEntry.objects.filter(action="circulation.open", to_state="open").count() == 1


def test_an_applicant_without_a_vote_is_not_listed_as_recused(structure, office):
    project = project_in_state(structure, Status.DESCRIPTION_STEERING)
    circulation = open_circulation(structure, office, project=project)
    assert circulation.recused == []


@pytest.mark.parametrize(
    "status", [Status.SKETCH_SPEAKERS, Status.DESCRIPTION_SPEAKERS, Status.ENDORSED, Status.IDEA]
)
def test_only_projects_before_the_steuerkreis_go_into_circulation(structure, office, status):
    project = project_in_state(structure, status)
    with pytest.raises(DomainError) as refused:
        open_circulation(structure, office, project=project)
    assert refused.value.message_dict == {
        "project": [
            f"Im Stand „{Status(status).label}“ entscheidet der Steuerkreis nicht über das Vorhaben."
        ]
    }
    assert not Circulation.objects.exists()


def test_one_circulation_at_a_time_per_project(structure, office):
    project = project_in_state(structure, Status.SKETCH_STEERING)
    first = open_circulation(structure, office, project=project)
    with pytest.raises(DomainError, match="läuft bereits"):
        open_circulation(structure, office, project=project)
    circulations.circulation_cancel(actor=office, circulation=first, reason="Neu formuliert")
    open_circulation(structure, office, project=project, title="Neu formuliert")


def test_opening_needs_title_text_a_future_deadline_and_a_project_of_the_alliance(
    structure, office, other_alliance
):
    foreign = project_in_state(PhaseFactory(alliance=other_alliance), Status.SKETCH_STEERING)
    with pytest.raises(DomainError) as refused:
        circulations.circulation_open(
            actor=office,
            alliance=structure.alliance,
            title=" ",
            text="",
            deadline=timezone.now() - timedelta(minutes=1),
            project=foreign,
        )
    assert refused.value.message_dict == {
        "title": ["Bitte geben Sie einen Betreff an."],
        "text": ["Bitte formulieren Sie den Beschlussvorschlag."],
        "deadline": ["Die Antwortfrist muss in der Zukunft liegen."],
        "project": ["Dieses Vorhaben gehört zu einem anderen Bündnis."],
    }


@pytest.mark.parametrize("persona", ["speaker", "member", "advisory", "applicant", "outsider"])
def test_only_the_office_opens_a_circulation(structure, make_persona, persona):
    with pytest.raises(NotPermitted):
        open_circulation(structure, make_persona(persona))


# --- Answering ----------------------------------------------------------------------------------


def test_one_answer_per_organisation_which_it_may_change(structure, office, orgs):
    circulation = open_circulation(structure, office)
    member = member_for(structure, orgs["union"], "dgb")
    first = circulations.circulation_answer(
        actor=member, circulation=circulation, organisation=orgs["union"], answer=Answer.AGREE
    )
    second = circulations.circulation_answer(
        actor=member,
        circulation=circulation,
        organisation=orgs["union"],
        answer=Answer.OBJECT,
        comment="Bitte erst im Sprecherkreis beraten.",
    )
    assert first.pk == second.pk
    (row,) = CirculationAnswer.objects.filter(circulation=circulation)
    assert (row.answer, row.comment, row.answered_by) == (
        Answer.OBJECT,
        "Bitte erst im Sprecherkreis beraten.",
        member,
    )
    audit = list(AuditEntry.objects.filter(action="circulation.answer").order_by("id"))
    assert [(entry.from_state, entry.to_state) for entry in audit] == [
        ("", Answer.AGREE),
        (Answer.AGREE, Answer.OBJECT),
    ]
    assert audit[0].actor == member


def test_only_a_steering_member_of_the_organisation_answers_for_it(
    structure, office, orgs, make_persona, other_alliance
):
    circulation = open_circulation(structure, office)
    member = member_for(structure, orgs["union"], "dgb")
    with pytest.raises(NotPermitted) as refused:
        circulations.circulation_answer(
            actor=member, circulation=circulation, organisation=orgs["ihk"], answer=Answer.AGREE
        )
    assert refused.value.messages == ["Sie können nicht für IHK Braunschweig antworten."]
    # The office asks; it does not answer for the members. Nor do the other roles.
    for persona in ("office", "speaker", "member", "advisory", "applicant", "outsider"):
        user = office if persona == "office" else make_persona(persona)
        with pytest.raises(NotPermitted):
            circulations.circulation_answer(
                actor=user, circulation=circulation, organisation=orgs["union"], answer=Answer.AGREE
            )
    # A steering role for the organisation in another alliance does not count either.
    elsewhere = UserFactory(username="elsewhere")
    MembershipFactory(
        user=elsewhere, alliance=other_alliance, role=Role.STEERING, organisation=orgs["union"]
    )
    with pytest.raises(NotPermitted):
        circulations.circulation_answer(
            actor=elsewhere,
            circulation=circulation,
            organisation=orgs["union"],
            answer=Answer.AGREE,
        )
    assert not CirculationAnswer.objects.exists()


def test_an_objection_needs_a_comment(structure, office, orgs):
    circulation = open_circulation(structure, office)
    with pytest.raises(DomainError) as refused:
        answer(circulation, orgs["union"], Answer.OBJECT, comment="  ")
    assert refused.value.message_dict == {"comment": ["Bitte begründen Sie Ihren Einwand."]}
    with pytest.raises(DomainError, match="Zustimmung, Einwand oder Enthaltung"):
        answer(circulation, orgs["union"], "yes")


def test_late_answers_are_refused(structure, office, orgs):
    circulation = open_circulation(structure, office, days=1)
    with pytest.raises(TransitionNotAllowed, match="Die Antwortfrist ist am .* abgelaufen."):
        answer(circulation, orgs["union"], now=circulation.deadline)
    expire(circulation)
    with pytest.raises(TransitionNotAllowed, match="abgelaufen"):
        answer(circulation, orgs["union"])
    assert not CirculationAnswer.objects.exists()


def test_recused_and_unentitled_organisations_do_not_answer(structure, office, orgs):
    project = project_in_state(
        structure, Status.SKETCH_STEERING, applicant_organisation=orgs["city"]
    )
    circulation = open_circulation(structure, office, project=project)
    with pytest.raises(DomainError) as refused:
        answer(circulation, orgs["city"])
    assert refused.value.messages == ["Stadt Braunschweig ist befangen und gibt keine Antwort ab."]
    with pytest.raises(DomainError) as refused:
        answer(circulation, orgs["arl"])
    assert refused.value.messages == [
        "Amt für regionale Landesentwicklung Braunschweig ist in diesem Umlauf nicht stimmberechtigt."
    ]
    with pytest.raises(DomainError, match="nicht stimmberechtigt"):
        answer(circulation, orgs["host"])


def test_a_closed_circulation_takes_no_answers(structure, office, orgs):
    circulation = open_circulation(structure, office)
    circulations.circulation_cancel(
        actor=office, circulation=circulation, reason="Hat sich erledigt"
    )
    with pytest.raises(TransitionNotAllowed, match="Der Umlauf ist abgeschlossen"):
        answer(circulation, orgs["union"])


# --- Closing ------------------------------------------------------------------------------------


def test_before_the_deadline_only_a_complete_circulation_is_evaluated(structure, office, orgs):
    circulation = open_circulation(structure, office)
    answer(circulation, orgs["union"])
    with pytest.raises(TransitionNotAllowed) as refused:
        circulations.circulation_close(actor=office, circulation=circulation)
    assert refused.value.messages == [
        "Vor Ablauf der Frist wird erst ausgewertet, wenn alle stimmberechtigten Organisationen "
        "geantwortet haben (es fehlen noch 7)."
    ]
    for key in VOTING:
        if key != "union":
            answer(circulation, orgs[key], Answer.ABSTAIN if key == "hwk" else Answer.AGREE)
    circulations.circulation_close(actor=office, circulation=circulation)
    assert circulation.status == CirculationStatus.PASSED
    assert len(circulation.result["agreeing"]) == 7
    assert [entry["name"] for entry in circulation.result["abstaining"]] == [
        "Handwerkskammer Braunschweig"
    ]
    assert circulation.result["silent"] == []
    assert circulation.closed_at is not None
    with pytest.raises(TransitionNotAllowed, match="bereits ausgewertet"):
        circulations.circulation_close(actor=office, circulation=circulation)


def test_silence_fails_unless_the_body_counts_it_as_consent(structure, office, orgs):
    circulation = open_circulation(structure, office)
    answer(circulation, orgs["union"])
    expire(circulation)
    circulations.circulation_close(actor=office, circulation=circulation)
    assert circulation.status == CirculationStatus.FAILED
    assert len(circulation.result["silent"]) == 7

    steering = structure.bodies["steering"]
    steering.silence_is_consent = True
    steering.save()
    circulation = open_circulation(structure, office, title="Sitzungstermine 2027")
    assert circulation.silence_is_consent is True
    answer(circulation, orgs["union"])
    expire(circulation)
    circulations.circulation_close(actor=office, circulation=circulation)
    assert circulation.status == CirculationStatus.PASSED
    assert circulation.result["silence_is_consent"] is True


def test_a_passed_circulation_drives_the_procedure(structure, office, orgs):
    project = project_in_state(
        structure, Status.SKETCH_STEERING, applicant_organisation=orgs["city"]
    )
    circulation = open_circulation(structure, office, project=project)
    for key in VOTING:
        if key != "city":
            answer(circulation, orgs[key])
    circulations.circulation_close(actor=office, circulation=circulation)
    project.refresh_from_db()
    assert circulation.status == CirculationStatus.PASSED
    assert project.status == Status.DESCRIPTION_REQUESTED
    outcome = circulation.body_outcome
    assert (outcome.outcome, outcome.stage_status, outcome.body) == (
        Outcome.POSITIVE,
        Status.SKETCH_STEERING,
        structure.bodies["steering"],
    )
    assert outcome.reference == f"Umlaufbeschluss „{TITLE}“"
    assert outcome.decided_on == timezone.localdate()
    assert circulation.result["recused"][0]["name"] == "Stadt Braunschweig"


def test_a_failed_circulation_leaves_the_project_for_the_next_meeting(structure, office, orgs):
    project = project_in_state(structure, Status.SKETCH_STEERING)
    circulation = open_circulation(structure, office, project=project)
    for key in VOTING:
        answer(
            circulation,
            orgs[key],
            Answer.OBJECT if key == "union" else Answer.AGREE,
            comment="Bitte in der Sitzung beraten." if key == "union" else "",
        )
    outcomes = BodyOutcome.objects.count()
    circulations.circulation_close(actor=office, circulation=circulation)
    project.refresh_from_db()
    assert circulation.status == CirculationStatus.FAILED
    assert circulation.body_outcome is None
    assert project.status == Status.SKETCH_STEERING
    assert BodyOutcome.objects.count() == outcomes
    assert circulation.result["objecting"] == [
        {
            "id": orgs["union"].pk,
            "name": "DGB-Region Braunschweig",
            "reason": "Bitte in der Sitzung beraten.",
        }
    ]


def test_a_circulation_without_a_project_decides_only_itself(structure, office, orgs):
    circulation = open_circulation(structure, office, title="Sitzungstermine 2027")
    for key in VOTING:
        answer(circulation, orgs[key])
    circulations.circulation_close(actor=office, circulation=circulation)
    assert circulation.status == CirculationStatus.PASSED
    assert circulation.body_outcome is None


def test_only_the_office_closes_or_cancels(structure, office, orgs, make_persona):
    circulation = open_circulation(structure, office)
    for key in VOTING:
        answer(circulation, orgs[key])
    member = make_persona("member")
    with pytest.raises(NotPermitted):
        circulations.circulation_close(actor=member, circulation=circulation)
    with pytest.raises(NotPermitted):
        circulations.circulation_cancel(actor=member, circulation=circulation, reason="Nein")
    with pytest.raises(DomainError, match="Grund"):
        circulations.circulation_cancel(actor=office, circulation=circulation, reason=" ")
    circulations.circulation_cancel(actor=office, circulation=circulation, reason="Zurückgezogen")
    assert circulation.status == CirculationStatus.CANCELLED
    assert circulation.result == {"reason": "Zurückgezogen"}


# --- The periodic jobs --------------------------------------------------------------------------


def test_due_circulations_are_closed_and_a_refusal_is_recorded_as_failed(structure, office, orgs):
    passing = open_circulation(structure, office, title="Sitzungstermine 2027")
    moved_on = project_in_state(structure, Status.SKETCH_STEERING)
    refused = open_circulation(structure, office, project=moved_on, title="Kurzskizze per Umlauf")
    running = open_circulation(structure, office, title="Läuft noch", days=3)
    for circulation in (passing, refused, running):
        for key in VOTING:
            answer(circulation, orgs[key])
    # The Steuerkreis decided the project in a meeting meanwhile.
    funding.outcome_record(
        actor=office,
        project=moved_on,
        body=structure.bodies["steering"],
        outcome=Outcome.POSITIVE,
        decided_on=timezone.localdate(),
    )
    expire(passing)
    expire(refused)
    closed = circulations.circulations_close_due()
    assert {circulation.pk for circulation in closed} == {passing.pk, refused.pk}
    passing.refresh_from_db()
    refused.refresh_from_db()
    running.refresh_from_db()
    assert passing.status == CirculationStatus.PASSED
    assert refused.status == CirculationStatus.FAILED
    # The answers stay on record, with the reason it failed.
    assert (
        refused.result["error"]
        == "Das Vorhaben ist nicht mehr im Stand „Kurzskizze im Steuerkreis“."
    )
    assert len(refused.result["agreeing"]) == 8
    assert refused.body_outcome is None
    assert running.status == CirculationStatus.OPEN
    audit = AuditEntry.objects.get(action="circulation.close", object_id=str(refused.pk))
    assert (audit.to_state, audit.comment) == (
        CirculationStatus.FAILED,
        "Das Vorhaben ist nicht mehr im Stand „Kurzskizze im Steuerkreis“.",
    )
    assert circulations.circulations_close_due() == []


def test_reminders_go_out_once_shortly_before_the_deadline(structure, office):
    soon = open_circulation(structure, office, days=1)
    later = open_circulation(structure, office, days=10, title="Später")
    assert circulations.circulations_remind_due() == 1
    soon.refresh_from_db()
    later.refresh_from_db()
    assert soon.reminder_sent_at is not None
    assert later.reminder_sent_at is None
    assert circulations.circulations_remind_due() == 0
    # Days later the other one is due, the first one not again.
    assert circulations.circulations_remind_due(now=timezone.now() + timedelta(days=9)) == 1


def test_reminders_and_evaluations_are_sent_after_the_commit(
    structure, office, orgs, monkeypatch, django_capture_on_commit_callbacks
):
    from buendnis.meetings import notifications

    sent = []
    monkeypatch.setattr(notifications, "send_circulation", lambda pk: sent.append(("open", pk)))
    monkeypatch.setattr(
        notifications, "send_circulation_result", lambda pk: sent.append(("result", pk))
    )
    with django_capture_on_commit_callbacks(execute=True):
        circulation = open_circulation(structure, office)
    assert sent == [("open", circulation.pk)]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionNotAllowed):
        circulations.circulation_close(actor=office, circulation=circulation)
    assert sent == [("open", circulation.pk)]
