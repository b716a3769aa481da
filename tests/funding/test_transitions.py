"""The procedure's table, move by move: every allowed move works and leaves exactly one trace,
every other move is refused from every other state, and only the right people take each step.

Projects are walked to their state through the services (`tests.factories.project_in_state`).
A call that is expected to be refused runs in a savepoint that is rolled back afterwards, so one
project in one state can be tried with every step of the procedure.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from buendnis.accounts.models import Membership, Role, User
from buendnis.alliances.models import BodyKind
from buendnis.budget.models import LedgerEntry
from buendnis.budget.selectors import budget_figures, project_balance
from buendnis.core.errors import DomainError, NotPermitted, StaleEdit, TransitionNotAllowed
from buendnis.core.models import AuditEntry
from buendnis.core.public_cache import bump_data_version
from buendnis.funding import services
from buendnis.funding.models import BodyOutcome, DocumentKind, Outcome, Project, Transition
from buendnis.funding.states import (
    ACTIONS,
    BODY_STAGES,
    FINAL_STATES,
    SKETCH_STAGE,
    TRANSITIONS,
    Actor,
)
from buendnis.funding.states import Status as S
from tests.factories import (
    AllianceFactory,
    BodyFactory,
    OrganisationFactory,
    PhaseFactory,
    applicant_of,
    body_of,
    pdf_upload,
    project_in_state,
    running_phase,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
OFFICE_MAIL = "geschaeftsstelle@son.example.org"
BODY_STAGE_LIST = list(BODY_STAGES)


# --- The calls of the procedure and where each may start --------------------------------------


@dataclass(frozen=True)
class Variant:
    """A state to try steps from; revision and deferral also say which stage they left."""

    status: str
    at: str | None = None

    @property
    def id(self) -> str:
        return f"{self.status}@{self.at}" if self.at else self.status


VARIANTS = [
    Variant(status) for status in S.values if status not in (S.REVISION_REQUESTED, S.DEFERRED)
]
VARIANTS += [Variant(S.REVISION_REQUESTED, at) for at in BODY_STAGE_LIST]
VARIANTS += [Variant(S.DEFERRED, at) for at in BODY_STAGE_LIST]

Run = Callable[[Project, User | None], object]


def _outcome(result: str) -> Run:
    """The body whose turn it is concludes (the Steuerkreis where no body is at work)."""

    def run(project: Project, actor: User | None) -> object:
        kind = BODY_STAGES.get(project.status, BodyKind.STEERING)
        return services.outcome_record(
            actor=actor,
            project=project,
            body=body_of(project.alliance, kind),
            outcome=result,
            decided_on=TODAY,
            reference="Sitzung 7, TOP 2",
            reasons="Begründung des Gremiums",
        )

    return run


def _resubmit_target(variant: Variant) -> str:
    return S.SKETCH_SUBMITTED if variant.at in SKETCH_STAGE else S.DESCRIPTION_SUBMITTED


@dataclass(frozen=True)
class Call:
    action: str
    run: Run
    # Where the call starts, and where it leads from there.
    moves: Callable[[Variant], str | None]


def _from(table: dict[str, str]) -> Callable[[Variant], str | None]:
    return lambda variant: table.get(variant.status)


CALLS: dict[str, Call] = {
    "record_consultation": Call(
        "record_consultation",
        lambda p, a: services.consultation_record(
            actor=a, project=p, held_on=TODAY, participants="Geschäftsstelle, Träger"
        ),
        _from({S.IDEA: S.CONSULTATION}),
    ),
    "submit_sketch": Call(
        "submit_sketch",
        lambda p, a: services.sketch_submit(actor=a, project=p, document=pdf_upload("skizze.pdf")),
        _from({S.CONSULTATION: S.SKETCH_SUBMITTED}),
    ),
    "forward": Call(
        "forward",
        lambda p, a: services.project_forward(actor=a, project=p),
        _from(
            {S.SKETCH_SUBMITTED: S.SKETCH_SPEAKERS, S.DESCRIPTION_SUBMITTED: S.DESCRIPTION_SPEAKERS}
        ),
    ),
    "outcome_positive": Call(
        "record_outcome",
        _outcome(Outcome.POSITIVE),
        _from(
            {
                S.SKETCH_SPEAKERS: S.SKETCH_STEERING,
                S.SKETCH_STEERING: S.DESCRIPTION_REQUESTED,
                S.DESCRIPTION_SPEAKERS: S.DESCRIPTION_STEERING,
                S.DESCRIPTION_STEERING: S.ENDORSED,
            }
        ),
    ),
    "outcome_negative": Call(
        "record_outcome",
        _outcome(Outcome.NEGATIVE),
        _from(
            {
                # A negative recommendation of the Sprecherkreis still goes to the Steuerkreis.
                S.SKETCH_SPEAKERS: S.SKETCH_STEERING,
                S.SKETCH_STEERING: S.REJECTED,
                S.DESCRIPTION_SPEAKERS: S.DESCRIPTION_STEERING,
                S.DESCRIPTION_STEERING: S.REJECTED,
            }
        ),
    ),
    "outcome_revision": Call(
        "record_outcome",
        _outcome(Outcome.REVISION),
        _from({stage: S.REVISION_REQUESTED for stage in BODY_STAGE_LIST}),
    ),
    "outcome_deferred": Call(
        "record_outcome",
        _outcome(Outcome.DEFERRED),
        _from({stage: S.DEFERRED for stage in BODY_STAGE_LIST}),
    ),
    "submit_description": Call(
        "submit_description",
        lambda p, a: services.description_submit(
            actor=a, project=p, document=pdf_upload("beschreibung.pdf")
        ),
        _from({S.DESCRIPTION_REQUESTED: S.DESCRIPTION_SUBMITTED}),
    ),
    "resubmit": Call(
        "resubmit",
        lambda p, a: services.project_resubmit(actor=a, project=p, document=pdf_upload("neu.pdf")),
        lambda v: _resubmit_target(v) if v.status == S.REVISION_REQUESTED else None,
    ),
    "resume": Call(
        "resume",
        lambda p, a: services.project_resume(actor=a, project=p),
        lambda v: v.at if v.status == S.DEFERRED else None,
    ),
    "file_application": Call(
        "file_application",
        lambda p, a: services.application_file(
            actor=a, project=p, filed_on=TODAY, reference="NB-2024-0001"
        ),
        _from({S.ENDORSED: S.APPLICATION_FILED}),
    ),
    "bank_granted": Call(
        "record_bank_decision",
        lambda p, a: services.bank_decision_record(
            actor=a, project=p, decided_on=TODAY, granted=True, granted_amount=Decimal("1000.00")
        ),
        _from({S.APPLICATION_FILED: S.GRANTED}),
    ),
    "bank_declined": Call(
        "record_bank_decision",
        lambda p, a: services.bank_decision_record(
            actor=a, project=p, decided_on=TODAY, granted=False
        ),
        _from({S.APPLICATION_FILED: S.DECLINED}),
    ),
    "start": Call(
        "start",
        lambda p, a: services.project_start(actor=a, project=p, started_on=TODAY),
        _from({S.GRANTED: S.RUNNING}),
    ),
    "close": Call(
        "close",
        lambda p, a: services.project_close(
            actor=a,
            project=p,
            closed_on=TODAY,
            final_eligible_costs=p.eligible_costs,
            final_grant=p.granted_amount or Decimal("0.00"),
            final_report=pdf_upload("abschlussbericht.pdf"),
        ),
        _from({S.RUNNING: S.CLOSED}),
    ),
    "withdraw": Call(
        "withdraw",
        lambda p, a: services.project_withdraw(actor=a, project=p, reason="Träger gibt auf"),
        lambda v: None if v.status in FINAL_STATES else S.WITHDRAWN,
    ),
}

MOVES = [
    (variant, name, target)
    for variant in VARIANTS
    for name, call in CALLS.items()
    if (target := call.moves(variant)) is not None
]


@pytest.fixture
def phase(alliance):
    """A phase that runs today: its projects start today, within their runtime."""
    alliance.office_email = OFFICE_MAIL
    alliance.save()
    return running_phase(alliance)


@pytest.fixture
def office(make_persona):
    return make_persona("office")


def _in(phase, variant: Variant, **fields) -> Project:
    return project_in_state(phase, variant.status, at=variant.at, **fields)


def _traces(project: Project) -> dict[str, int]:
    """Everything a step leaves behind."""
    return {
        "transitions": Transition.objects.filter(project=project).count(),
        "audit": AuditEntry.objects.count(),
        "ledger": LedgerEntry.objects.count(),
        "outcomes": BodyOutcome.objects.filter(project=project).count(),
        "documents": project.documents.count(),
        "consultations": project.consultations.count(),
        "mail_pending": len(connection.run_on_commit),
    }


def test_the_calls_cover_the_table_exactly():
    """Every move of states.TRANSITIONS is some step's move, and no step moves outside it."""
    covered = {(variant.status, target) for variant, _name, target in MOVES}
    table = {(source, target) for source, targets in TRANSITIONS.items() for target in targets}
    assert covered == table
    assert {call.action for call in CALLS.values()} == set(ACTIONS)


# --- Every step from every state ---------------------------------------------------------------


class _Rollback(Exception):
    """Undo one tried step, so the same project can try the next one."""


def _check_allowed(project, office, variant, name, target, callbacks, before, audit_before):
    """What an allowed step must leave: the new state, one Transition row, one audit row, one
    mail after the commit. Returns the problems found."""
    problems = []
    project.refresh_from_db()
    if project.status != target:
        return [f"{name}: {project.status} statt {target}"]
    rows = list(Transition.objects.filter(project=project).order_by("-id"))
    if len(rows) != before["transitions"] + 1 or (
        rows[0].from_status,
        rows[0].to_status,
        rows[0].actor,
    ) != (variant.status, target, office):
        problems.append(f"{name}: Statuswechsel-Zeilen stimmen nicht")
    moved = AuditEntry.objects.exclude(pk__in=audit_before).exclude(from_state="")
    if [(a.action, a.from_state, a.to_state, a.actor) for a in moved] != [
        (f"project.{CALLS[name].action}", variant.status, target, office)
    ]:
        problems.append(
            f"{name}: Protokoll stimmt nicht: {list(moved.values_list('action', 'to_state'))}"
        )
    # Mail only once the transaction commits: none yet, one to the applicant and the office after.
    mails = [callback for callback in callbacks if callback is not bump_data_version]
    if mail.outbox or len(mails) != 1:
        problems.append(f"{name}: Mail vor dem Commit oder nicht genau einmal vorgemerkt")
    else:
        callbacks[0]()
        if len(mail.outbox) != 1 or set(mail.outbox[0].to) != {project.contact_email, OFFICE_MAIL}:
            problems.append(f"{name}: Mail an {[m.to for m in mail.outbox]}")
        mail.outbox.clear()
    if target == S.WITHDRAWN:
        balance = project_balance(project.pk)
        figures = budget_figures(project.phase)
        if (
            balance.reserved
            or balance.committed
            or figures.available != figures.budget - figures.paid
        ):
            problems.append(f"{name}: Rückzug gibt nicht alles frei ({balance})")
    return problems


def _check_refused(project, variant, name, error, before):
    project.refresh_from_db()
    if not isinstance(error, TransitionNotAllowed):
        return [
            f"{name}: {type(error).__name__} {error}"
            if error
            else f"{name}: erlaubt, führte nach {project.status}"
        ]
    message = " ".join(error.messages)
    if str(S(variant.status).label) not in message or "nicht" not in message:
        return [f"{name}: Meldung „{message}“"]
    if project.status != variant.status or _traces(project) != before:
        return [f"{name}: abgelehnt, hat aber etwas verändert"]
    return []


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.id for v in VARIANTS])
def test_each_step_from_each_state(phase, office, variant, django_capture_on_commit_callbacks):
    """Parametrized over the table's states: from each, every step of the procedure is tried.
    The steps of its moves succeed and leave exactly one trace each; every other step is refused
    with a German message naming the state, and changes nothing."""
    project = _in(phase, variant)
    path = [S.IDEA, *project.transitions.values_list("to_status", flat=True)]
    assert path[-1] == variant.status
    if variant.at:
        assert path[-2] == variant.at
    mail.outbox.clear()

    problems = []
    for name, call in CALLS.items():
        target = call.moves(variant)
        if name == "record_consultation" and target is None:
            continue  # later consultations are recorded without a move, see below
        before = _traces(project)
        audit_before = set(AuditEntry.objects.values_list("pk", flat=True))
        try:
            with transaction.atomic():
                error = None
                with django_capture_on_commit_callbacks(execute=False) as callbacks:
                    try:
                        call.run(project, office)
                    except Exception as caught:  # noqa: BLE001 - judged below
                        error = caught
                if target is not None:
                    problems += (
                        [f"{name}: abgelehnt: {error}"]
                        if error
                        else _check_allowed(
                            project, office, variant, name, target, callbacks, before, audit_before
                        )
                    )
                else:
                    problems += _check_refused(project, variant, name, error, before)
                raise _Rollback
        except _Rollback:
            pass
        project.refresh_from_db()
    assert not problems, "\n".join(problems)


def test_a_consultation_moves_only_an_idea(phase, office):
    """Later consultations are recorded (the office accompanies the project) without a move."""
    project = project_in_state(phase, S.SKETCH_SPEAKERS)
    before = Transition.objects.filter(project=project).count()
    services.consultation_record(actor=office, project=project, held_on=TODAY, participants="GS")
    project.refresh_from_db()
    assert project.status == S.SKETCH_SPEAKERS
    assert project.consultations.count() == 2
    assert Transition.objects.filter(project=project).count() == before


# --- Per role ---------------------------------------------------------------------------------

ROLE_PERSONAS = [
    "office",
    "speaker",
    "member",
    "advisory",
    "project_applicant",
    "other_applicant",
    "ministry",
    "admin",
    "outsider",
]

# Where each action is tried from, and which call performs it.
ACTION_SETUP: dict[str, tuple[Variant, str]] = {
    "record_consultation": (Variant(S.IDEA), "record_consultation"),
    "submit_sketch": (Variant(S.CONSULTATION), "submit_sketch"),
    "forward": (Variant(S.SKETCH_SUBMITTED), "forward"),
    "record_outcome": (Variant(S.SKETCH_SPEAKERS), "outcome_positive"),
    "submit_description": (Variant(S.DESCRIPTION_REQUESTED), "submit_description"),
    "resubmit": (Variant(S.REVISION_REQUESTED, S.SKETCH_SPEAKERS), "resubmit"),
    "resume": (Variant(S.DEFERRED, S.SKETCH_STEERING), "resume"),
    "file_application": (Variant(S.ENDORSED), "file_application"),
    "record_bank_decision": (Variant(S.APPLICATION_FILED), "bank_granted"),
    "start": (Variant(S.GRANTED), "start"),
    "close": (Variant(S.RUNNING), "close"),
    "withdraw": (Variant(S.CONSULTATION), "withdraw"),
}


def _may(persona: str, action: str) -> bool:
    allowed = ACTIONS[action]
    if persona in ("office", "admin"):
        return Actor.OFFICE in allowed
    if persona == "project_applicant":
        return Actor.APPLICANT in allowed
    return False


def test_every_action_is_tried():
    assert set(ACTION_SETUP) == set(ACTIONS)


@pytest.mark.parametrize("action", list(ACTION_SETUP))
def test_who_may_take_each_step(phase, make_persona, action):
    """Per action, every persona tries it on a project where the step is possible: the office
    and platform admins take office steps, the project's own applicant takes applicant steps;
    everybody else gets a German refusal and nothing changes."""
    variant, name = ACTION_SETUP[action]
    project = _in(phase, variant)
    users = {persona: make_persona(persona) for persona in ROLE_PERSONAS if persona in _PERSONAS}
    users["project_applicant"] = applicant_of(project)
    other = make_persona("applicant")
    Membership.objects.filter(user=other).update(
        organisation=OrganisationFactory(alliance=project.alliance, name="Anderer Träger")
    )
    users["other_applicant"] = other
    assert set(users) == set(ROLE_PERSONAS)

    problems = []
    for persona, user in users.items():
        before = _traces(project)
        try:
            with transaction.atomic():
                try:
                    CALLS[name].run(project, user)
                except NotPermitted as error:
                    if _may(persona, action):
                        problems.append(f"{persona}: abgewiesen ({error.messages[0]})")
                    elif not any(
                        word in error.messages[0] for word in ("dürfen", "Geschäftsstelle")
                    ):
                        problems.append(f"{persona}: Meldung „{error.messages[0]}“")
                    project.refresh_from_db()
                    if project.status != variant.status or _traces(project) != before:
                        problems.append(f"{persona}: abgewiesen, hat aber etwas verändert")
                else:
                    project.refresh_from_db()
                    if not _may(persona, action):
                        problems.append(f"{persona}: durfte {action}")
                    elif project.status != CALLS[name].moves(variant):
                        problems.append(f"{persona}: {project.status}")
                raise _Rollback
        except _Rollback:
            pass
        project.refresh_from_db()
    assert not problems, "\n".join(problems)


_PERSONAS = {"office", "speaker", "member", "advisory", "ministry", "admin", "outsider"}


# --- The rules of the procedure ---------------------------------------------------------------


def test_no_sketch_before_a_consultation(phase, office):
    project = project_in_state(phase, S.IDEA)
    with pytest.raises(TransitionNotAllowed, match="Idee"):
        services.sketch_submit(actor=office, project=project, document=pdf_upload())
    assert project.documents.count() == 0
    # Even if a project reached consultation without one (data migrated by hand), the sketch
    # names what is missing.
    Project.objects.filter(pk=project.pk).update(status=S.CONSULTATION)
    project.refresh_from_db()
    with pytest.raises(DomainError) as error:
        services.sketch_submit(actor=office, project=project, document=pdf_upload())
    assert "mindestens eine Beratung" in error.value.messages[0]
    project.refresh_from_db()
    assert project.status == S.CONSULTATION
    assert project.documents.count() == 0


def test_double_submission_is_refused(phase):
    project = project_in_state(phase, S.CONSULTATION)
    applicant = applicant_of(project)
    services.sketch_submit(actor=applicant, project=project, document=pdf_upload())
    # The same form sent twice (a double click, a second tab): the second is refused.
    stale_copy = Project.objects.get(pk=project.pk)
    with pytest.raises(TransitionNotAllowed, match="Kurzskizze eingereicht"):
        services.sketch_submit(actor=applicant, project=stale_copy, document=pdf_upload())
    assert Transition.objects.filter(project=project, to_status=S.SKETCH_SUBMITTED).count() == 1
    assert project.documents.filter(kind=DocumentKind.SKETCH).count() == 1


def test_a_stale_form_changes_nothing(phase):
    project = project_in_state(phase, S.CONSULTATION)
    applicant = applicant_of(project)
    loaded = project.version
    services.project_update(
        actor=applicant, project=project, expected_version=loaded, title="Neuer Titel"
    )
    audit = AuditEntry.objects.count()
    with pytest.raises(StaleEdit, match="inzwischen"):
        services.project_update(
            actor=applicant,
            project=Project.objects.get(pk=project.pk),
            expected_version=loaded,
            title="Alter Stand",
            summary="überschrieben",
        )
    project.refresh_from_db()
    assert (project.title, project.version) == ("Neuer Titel", loaded + 1)
    assert project.summary != "überschrieben"
    assert AuditEntry.objects.count() == audit


@pytest.mark.parametrize("stage", BODY_STAGE_LIST)
def test_revision_returns_to_the_same_stage_with_a_new_version(phase, office, stage):
    project = project_in_state(phase, S.REVISION_REQUESTED, at=stage)
    kind = DocumentKind.SKETCH if stage in SKETCH_STAGE else DocumentKind.DESCRIPTION
    versions = list(project.documents.filter(kind=kind).values_list("version", flat=True))
    assert project.return_status == _resubmit_target(Variant(S.REVISION_REQUESTED, stage))

    services.project_resubmit(
        actor=applicant_of(project), project=project, document=pdf_upload("fassung-2.pdf")
    )

    project.refresh_from_db()
    assert project.status == _resubmit_target(Variant(S.REVISION_REQUESTED, stage))
    assert project.return_status == ""
    assert sorted(project.documents.filter(kind=kind).values_list("version", flat=True)) == sorted(
        [*versions, max(versions) + 1]
    )


@pytest.mark.parametrize("stage", BODY_STAGE_LIST)
def test_deferral_returns_to_the_body_that_deferred(phase, office, stage):
    project = project_in_state(phase, S.DEFERRED, at=stage)
    services.project_resume(actor=office, project=project)
    project.refresh_from_db()
    assert project.status == stage
    assert project.return_status == ""


@pytest.mark.parametrize("stage", [S.SKETCH_SPEAKERS, S.DESCRIPTION_SPEAKERS])
def test_a_negative_recommendation_still_goes_to_the_steering_committee(phase, office, stage):
    project = project_in_state(phase, stage)
    services.outcome_record(
        actor=office,
        project=project,
        body=body_of(project.alliance, BodyKind.SPEAKERS),
        outcome=Outcome.NEGATIVE,
        decided_on=TODAY,
        reasons="Zu teuer für den Nutzen.",
    )
    assert project.status == (
        S.SKETCH_STEERING if stage == S.SKETCH_SPEAKERS else S.DESCRIPTION_STEERING
    )
    recorded = project.outcomes.order_by("-id").first()
    assert (recorded.outcome, recorded.stage_status) == (Outcome.NEGATIVE, stage)


@pytest.mark.parametrize("stage", [S.SKETCH_STEERING, S.DESCRIPTION_STEERING])
def test_a_negative_vote_rejects(phase, office, stage):
    project = project_in_state(phase, stage)
    services.outcome_record(
        actor=office,
        project=project,
        body=body_of(project.alliance, BodyKind.STEERING),
        outcome=Outcome.NEGATIVE,
        decided_on=TODAY,
        reasons="Keine Mehrheit im Konsens.",
    )
    assert project.status == S.REJECTED
    assert "Keine Mehrheit im Konsens." in project.transitions.last().comment
    # Nothing was reserved, nothing is held.
    assert not LedgerEntry.objects.filter(project=project).exists()


def test_an_outcome_for_a_state_that_has_passed_is_refused(phase, office):
    """A meeting decided on the sketch while the office already recorded the outcome."""
    project = project_in_state(phase, S.SKETCH_SPEAKERS)
    speakers = body_of(project.alliance, BodyKind.SPEAKERS)
    services.outcome_record(
        actor=office, project=project, body=speakers, outcome=Outcome.POSITIVE, decided_on=TODAY
    )
    steering = body_of(project.alliance, BodyKind.STEERING)
    traces = _traces(project)
    with pytest.raises(TransitionNotAllowed, match="Kurzskizze im Sprecherkreis"):
        services.outcome_record(
            actor=office,
            project=project,
            body=steering,
            outcome=Outcome.POSITIVE,
            decided_on=TODAY,
            expected_status=S.SKETCH_SPEAKERS,
        )
    project.refresh_from_db()
    assert project.status == S.SKETCH_STEERING
    assert _traces(project) == traces


@pytest.mark.parametrize("stage", BODY_STAGE_LIST)
def test_a_body_whose_turn_it_is_not_is_refused(phase, office, stage):
    project = project_in_state(phase, stage)
    wrong = {"speakers": BodyKind.STEERING, "steering": BodyKind.SPEAKERS}[BODY_STAGES[stage]]
    other_alliance_body = BodyFactory(
        alliance=AllianceFactory(slug="nordwest"), kind=BODY_STAGES[stage], name="Fremder Kreis"
    )
    office_body = body_of(project.alliance, BodyKind.OFFICE)
    traces = _traces(project)
    for body in (body_of(project.alliance, wrong), other_alliance_body, office_body):
        with pytest.raises(DomainError) as error:
            services.outcome_record(
                actor=office, project=project, body=body, outcome=Outcome.POSITIVE, decided_on=TODAY
            )
        assert "body" in error.value.message_dict
        assert "am Zug" in error.value.message_dict["body"][0]
    project.refresh_from_db()
    assert project.status == stage
    assert _traces(project) == traces


def test_negative_and_revision_need_reasons(phase, office):
    project = project_in_state(phase, S.SKETCH_STEERING)
    traces = _traces(project)
    for result in (Outcome.NEGATIVE, Outcome.REVISION):
        for reasons in ("", "   \n"):
            with pytest.raises(DomainError) as error:
                services.outcome_record(
                    actor=office,
                    project=project,
                    body=body_of(project.alliance, BodyKind.STEERING),
                    outcome=result,
                    decided_on=TODAY,
                    reasons=reasons,
                )
            assert error.value.message_dict == {"reasons": ["Bitte begründen Sie das Ergebnis."]}
    project.refresh_from_db()
    assert project.status == S.SKETCH_STEERING
    assert _traces(project) == traces


def test_an_outcome_dated_in_the_future_is_refused(phase, office):
    project = project_in_state(phase, S.SKETCH_SPEAKERS)
    with pytest.raises(DomainError, match="Zukunft"):
        services.outcome_record(
            actor=office,
            project=project,
            body=body_of(project.alliance, BodyKind.SPEAKERS),
            outcome=Outcome.POSITIVE,
            decided_on=TODAY + timedelta(days=1),
        )


def test_withdrawal_needs_a_reason(phase, office):
    project = project_in_state(phase, S.CONSULTATION)
    with pytest.raises(DomainError, match="Grund"):
        services.project_withdraw(actor=office, project=project, reason=" ")
    project.refresh_from_db()
    assert project.status == S.CONSULTATION


# --- Mail after the commit, and only then -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_mail_goes_out_after_the_commit_and_a_refused_step_sends_none(alliance):
    alliance.office_email = OFFICE_MAIL
    alliance.save()
    phase = PhaseFactory(alliance=alliance)
    project = project_in_state(phase, S.CONSULTATION, contact_email="traeger@example.org")
    mail.outbox.clear()

    with transaction.atomic():
        services.sketch_submit(actor=None, project=project, document=pdf_upload())
        assert mail.outbox == []  # still inside the caller's transaction
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert set(message.to) == {"traeger@example.org", OFFICE_MAIL}
    assert "Kurzskizze eingereicht" in message.subject
    assert "Beratung → Kurzskizze eingereicht" in message.body

    mail.outbox.clear()
    with pytest.raises(TransitionNotAllowed):
        services.sketch_submit(actor=None, project=project, document=pdf_upload())
    with pytest.raises(DomainError):
        services.project_withdraw(actor=None, project=project, reason="")
    assert mail.outbox == []

    # A step rolled back by its caller (here: a later error in the same request) sends nothing.
    with pytest.raises(RuntimeError), transaction.atomic():
        services.project_forward(actor=None, project=project)
        raise RuntimeError("später im selben Request")
    assert mail.outbox == []
    project.refresh_from_db()
    assert project.status == S.SKETCH_SUBMITTED


def test_roles_without_membership_rows_are_not_applicants(phase):
    """A speaker of the alliance is not the project's applicant, even in its organisation."""
    project = project_in_state(phase, S.CONSULTATION)
    user = applicant_of(project)
    Membership.objects.filter(user=user).update(role=Role.SPEAKER)
    with pytest.raises(NotPermitted):
        services.sketch_submit(actor=user, project=project, document=pdf_upload())
