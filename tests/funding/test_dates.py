"""Every recorded date lies between the step before it and today, or within the runtime where it
concerns the runtime (`funding.dates`): for each rule a refused case, whose German message names
the bound, and an accepted one.

The project is walked in its past, each step as of its own day (`demo.clock.as_of`), so that
"the step before" has a day other than today: created 300 days ago, consulted, its sketch decided,
its description endorsed, the application filed and granted; its runtime ran from 180 to 10 days
ago.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from django.utils import timezone

from buendnis.alliances.models import BodyKind
from buendnis.core.errors import DomainError
from buendnis.demo.clock import as_of, moment
from buendnis.funding import dates, services
from buendnis.funding.models import BodyOutcome, Outcome, Project, Transition
from buendnis.funding.states import STEPS
from buendnis.funding.states import Status as S
from tests.factories import ProjectFactory, body_of, pdf_upload, running_phase

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def d(day: date) -> str:
    return f"{day:%d.%m.%Y}"


@contextmanager
def on(day: date, hour: int = 10) -> Iterator[None]:
    """The block runs as of `day`: its rows carry that day, its rules hold against it."""
    with as_of(moment(day, hour), restamp=False):
        yield


def refused(call, field: str) -> str:
    """The German message with which `call` is refused on `field`."""
    with pytest.raises(DomainError) as caught:
        call()
    messages = caught.value.message_dict
    assert list(messages) == [field], messages
    return " ".join(messages[field])


@pytest.fixture
def project(alliance) -> Project:
    with on(ago(300)):
        return ProjectFactory(
            phase=running_phase(alliance), starts_on=ago(180), ends_on=ago(10), title="Brücken"
        )


def speakers(project: Project) -> object:
    return body_of(project.alliance, BodyKind.SPEAKERS)


def steering(project: Project) -> object:
    return body_of(project.alliance, BodyKind.STEERING)


def outcome(project: Project, body: object, day: date, result: str = Outcome.POSITIVE) -> object:
    return services.outcome_record(
        actor=None,
        project=project,
        body=body,
        outcome=result,
        decided_on=day,
        reasons="Begründung" if result != Outcome.POSITIVE else "",
    )


def consulted(project: Project) -> Project:
    with on(ago(290)):
        services.consultation_record(
            actor=None, project=project, held_on=ago(290), participants="GS, Träger"
        )
    return project


def sketch_before_speakers(project: Project) -> Project:
    """Consulted 290 days ago, sketch submitted and forwarded 280 days ago."""
    consulted(project)
    with on(ago(280)):
        services.sketch_submit(actor=None, project=project, document=pdf_upload())
        services.project_forward(actor=None, project=project)
    return project


def endorsed(project: Project) -> Project:
    """The Votum 230 days ago (Sprecherkreis 270 and 240, Steuerkreis 260 and 230 days ago)."""
    sketch_before_speakers(project)
    with on(ago(270)):
        outcome(project, speakers(project), ago(270))
    with on(ago(260)):
        outcome(project, steering(project), ago(260))
    with on(ago(250)):
        services.description_submit(actor=None, project=project, document=pdf_upload())
        services.project_forward(actor=None, project=project)
    with on(ago(240)):
        outcome(project, speakers(project), ago(240))
    with on(ago(230)):
        outcome(project, steering(project), ago(230))
    assert project.status == S.ENDORSED
    return project


def filed(project: Project) -> Project:
    endorsed(project)
    with on(ago(220)):
        services.application_file(actor=None, project=project, filed_on=ago(220), reference="NB-1")
    return project


def granted(project: Project) -> Project:
    filed(project)
    with on(ago(200)):
        services.bank_decision_record(
            actor=None,
            project=project,
            decided_on=ago(200),
            granted=True,
            granted_amount=project.requested_grant,
        )
    return project


def running(project: Project) -> Project:
    granted(project)
    with on(ago(170)):
        services.project_start(actor=None, project=project, started_on=ago(175))
    return project


# --- The table of dated steps -----------------------------------------------------------------


def test_the_dated_steps_are_steps_of_the_procedure() -> None:
    assert set(dates.DATED_STEPS) <= set(STEPS)


# --- Consultation: between the project's creation and today --------------------------------------


def test_a_consultation_before_the_project_existed_is_refused(project: Project) -> None:
    message = refused(
        lambda: services.consultation_record(
            actor=None, project=project, held_on=date(1999, 1, 1), participants="GS"
        ),
        "held_on",
    )
    assert message == (
        f"Das Datum der Beratung liegt zu früh: frühestens am {d(ago(300))} (Vorhaben angelegt)."
    )
    assert not project.consultations.exists()
    assert Project.objects.get(pk=project.pk).status == S.IDEA


def test_a_consultation_on_the_day_of_creation_is_recorded(project: Project) -> None:
    services.consultation_record(actor=None, project=project, held_on=ago(300), participants="GS")
    assert project.status == S.CONSULTATION


def test_a_consultation_in_the_future_is_refused(project: Project) -> None:
    message = refused(
        lambda: services.consultation_record(
            actor=None, project=project, held_on=TODAY + timedelta(days=1), participants="GS"
        ),
        "held_on",
    )
    assert message == (
        f"Das Datum der Beratung liegt in der Zukunft: spätestens am {d(TODAY)} (heute)."
    )


def test_a_consultation_today_is_recorded(project: Project) -> None:
    services.consultation_record(actor=None, project=project, held_on=TODAY, participants="GS")
    assert project.consultations.get().held_on == TODAY


def test_a_later_consultation_is_bound_only_by_creation_and_today(project: Project) -> None:
    """The office records last week's talk after a body decided yesterday: consultations after
    the first accompany the procedure and do not order it."""
    sketch_before_speakers(project)
    with on(ago(100)):
        outcome(project, speakers(project), ago(100))
    services.consultation_record(actor=None, project=project, held_on=ago(200), participants="GS")
    assert project.consultations.count() == 2


# --- Body outcomes: after the latest step of the record, not in the future ---------------------


def test_an_outcome_before_the_project_existed_is_refused(project: Project) -> None:
    """The Steuerkreis "decided" on 01.01.2020: refused, naming the latest step of the record."""
    sketch_before_speakers(project)
    message = refused(lambda: outcome(project, speakers(project), date(2020, 1, 1)), "decided_on")
    assert message == (
        "Das Datum des Ergebnisses liegt zu früh: frühestens am "
        f"{d(ago(280))} (Kurzskizze im Sprecherkreis)."
    )
    assert not BodyOutcome.objects.filter(project=project).exists()


def test_an_outcome_before_the_previous_body_is_refused_naming_it(project: Project) -> None:
    sketch_before_speakers(project)
    with on(ago(270)):
        outcome(project, speakers(project), ago(270))
    message = refused(lambda: outcome(project, steering(project), ago(271)), "decided_on")
    assert message == (
        f"Das Datum des Ergebnisses liegt zu früh: frühestens am {d(ago(270))} (Sprecherkreis)."
    )
    assert Project.objects.get(pk=project.pk).status == S.SKETCH_STEERING


def test_an_outcome_on_the_day_of_the_previous_body_is_recorded(project: Project) -> None:
    sketch_before_speakers(project)
    with on(ago(270)):
        outcome(project, speakers(project), ago(270))
    outcome(project, steering(project), ago(270))
    assert project.status == S.DESCRIPTION_REQUESTED


def test_an_outcome_before_the_forwarding_is_refused(project: Project) -> None:
    """A step without a date of its own counts with the day it was recorded."""
    consulted(project)
    with on(ago(280)):
        services.sketch_submit(actor=None, project=project, document=pdf_upload())
    with on(ago(275)):
        services.project_forward(actor=None, project=project)
    message = refused(lambda: outcome(project, speakers(project), ago(276)), "decided_on")
    assert message == (
        "Das Datum des Ergebnisses liegt zu früh: frühestens am "
        f"{d(ago(275))} (Kurzskizze im Sprecherkreis)."
    )


def test_a_body_recorded_late_counts_with_its_own_date(project: Project) -> None:
    """The Sprecherkreis met 270 days ago and was recorded a week later; the Steuerkreis that met
    in between is still recorded: a dated step counts with its date, not with the day it was
    typed in."""
    sketch_before_speakers(project)
    with on(ago(263)):
        outcome(project, speakers(project), ago(270))
    outcome(project, steering(project), ago(265))
    assert project.status == S.DESCRIPTION_REQUESTED


def test_an_outcome_in_the_future_is_refused(project: Project) -> None:
    sketch_before_speakers(project)
    message = refused(
        lambda: outcome(project, speakers(project), TODAY + timedelta(days=1)), "decided_on"
    )
    assert message == (
        f"Das Datum des Ergebnisses liegt in der Zukunft: spätestens am {d(TODAY)} (heute)."
    )


def test_a_deferral_and_its_resumption_bound_the_next_outcome(project: Project) -> None:
    sketch_before_speakers(project)
    with on(ago(270)):
        outcome(project, speakers(project), ago(270), Outcome.DEFERRED)
    with on(ago(200)):
        services.project_resume(actor=None, project=project)
    message = refused(lambda: outcome(project, speakers(project), ago(201)), "decided_on")
    assert f"frühestens am {d(ago(200))} (Kurzskizze im Sprecherkreis)" in message
    outcome(project, speakers(project), ago(200))
    assert project.status == S.SKETCH_STEERING


# --- The application: after the Votum, not in the future ---------------------------------------


def test_an_application_before_the_votum_is_refused(project: Project) -> None:
    endorsed(project)
    message = refused(
        lambda: services.application_file(
            actor=None, project=project, filed_on=ago(231), reference="NB-1"
        ),
        "filed_on",
    )
    assert message == (
        f"Das Datum des Förderantrags liegt zu früh: frühestens am {d(ago(230))} (Steuerkreis)."
    )
    assert Project.objects.get(pk=project.pk).status == S.ENDORSED


def test_an_application_on_the_day_of_the_votum_is_recorded(project: Project) -> None:
    endorsed(project)
    services.application_file(actor=None, project=project, filed_on=ago(230), reference="NB-1")
    assert project.application_filed_on == ago(230)


def test_an_application_in_the_future_is_refused(project: Project) -> None:
    endorsed(project)
    message = refused(
        lambda: services.application_file(
            actor=None, project=project, filed_on=TODAY + timedelta(days=1), reference="NB-1"
        ),
        "filed_on",
    )
    assert "liegt in der Zukunft: spätestens am" in message


# --- The bank's decision: after the application, not in the future ------------------------------


def bank(project: Project, day: date, *, granted: bool = True) -> None:
    services.bank_decision_record(
        actor=None,
        project=project,
        decided_on=day,
        granted=granted,
        granted_amount=project.requested_grant if granted else None,
    )


def test_a_bank_decision_before_the_application_is_refused(project: Project) -> None:
    filed(project)
    message = refused(lambda: bank(project, ago(221)), "decided_on")
    assert message == (
        "Das Datum der Entscheidung liegt zu früh: frühestens am "
        f"{d(ago(220))} (Förderantrag gestellt)."
    )
    assert Project.objects.get(pk=project.pk).status == S.APPLICATION_FILED


def test_a_bank_decision_on_the_day_of_the_application_is_recorded(project: Project) -> None:
    filed(project)
    bank(project, ago(220), granted=False)
    assert project.status == S.DECLINED


def test_a_bank_decision_in_the_future_is_refused(project: Project) -> None:
    filed(project)
    message = refused(lambda: bank(project, TODAY + timedelta(days=1)), "decided_on")
    assert "liegt in der Zukunft" in message


# --- The start: after the grant, within the runtime, not in the future ------------------------


def start(project: Project, day: date) -> None:
    services.project_start(actor=None, project=project, started_on=day)


def test_a_start_before_the_grant_is_refused(alliance) -> None:
    """The grant came after the runtime's planned start: the start follows the grant."""
    with on(ago(300)):
        late = ProjectFactory(phase=running_phase(alliance), starts_on=ago(210), ends_on=ago(10))
    granted(late)
    message = refused(lambda: start(late, ago(205)), "started_on")
    assert message == (
        "Der Projektbeginn liegt zu früh: frühestens am "
        f"{d(ago(200))} (Entscheidung der Förderbank)."
    )
    assert Project.objects.get(pk=late.pk).status == S.GRANTED


def test_a_start_before_the_runtime_is_refused(project: Project) -> None:
    granted(project)
    message = refused(lambda: start(project, ago(181)), "started_on")
    assert message == (
        f"Der Projektbeginn liegt zu früh: frühestens am {d(ago(180))} (Beginn der Laufzeit)."
    )


def test_a_start_after_the_runtime_is_refused(project: Project) -> None:
    """A start of 01.01.2030 was accepted once: after the runtime's end (and in the future)."""
    granted(project)
    message = refused(lambda: start(project, ago(9)), "started_on")
    assert message == (
        f"Der Projektbeginn liegt zu spät: spätestens am {d(ago(10))} (Ende der Laufzeit)."
    )
    assert "spätestens" in refused(lambda: start(project, date(2030, 1, 1)), "started_on")


def test_a_start_in_the_future_is_refused(alliance) -> None:
    with on(ago(300)):
        ongoing = ProjectFactory(
            phase=running_phase(alliance), starts_on=ago(180), ends_on=TODAY + timedelta(days=90)
        )
    granted(ongoing)
    message = refused(lambda: start(ongoing, TODAY + timedelta(days=1)), "started_on")
    assert message == (f"Der Projektbeginn liegt in der Zukunft: spätestens am {d(TODAY)} (heute).")
    start(ongoing, TODAY)
    assert ongoing.status == S.RUNNING


def test_a_start_within_the_runtime_after_the_grant_is_recorded(project: Project) -> None:
    granted(project)
    start(project, ago(180))
    assert (project.status, project.started_on) == (S.RUNNING, ago(180))


def test_the_runtime_of_a_started_project_keeps_its_start(project: Project) -> None:
    """The office edits the runtime later (the bank extends it): the recorded start stays in it."""
    running(project)
    message = refused(
        lambda: services.project_update(actor=None, project=project, starts_on=ago(170)),
        "starts_on",
    )
    assert message == (
        f"Das Vorhaben hat am {d(ago(175))} begonnen; die Laufzeit muss diesen Tag einschließen."
    )
    assert Project.objects.get(pk=project.pk).starts_on == ago(180)
    services.project_update(actor=None, project=project, ends_on=TODAY + timedelta(days=30))
    assert Project.objects.get(pk=project.pk).ends_on == TODAY + timedelta(days=30)


# --- The close: after the start, not in the future; no more exits than entries ----------------


def close(project: Project, day: date, **participants: int | None) -> None:
    services.project_close(
        actor=None,
        project=project,
        closed_on=day,
        final_eligible_costs=project.eligible_costs,
        final_grant=project.granted_amount,
        final_report=pdf_upload("bericht.pdf"),
        **participants,
    )


def test_a_close_before_the_start_is_refused(project: Project) -> None:
    running(project)
    message = refused(lambda: close(project, ago(176)), "closed_on")
    assert message == (
        f"Das Datum des Abschlusses liegt zu früh: frühestens am {d(ago(175))} (Projektbeginn)."
    )
    assert Project.objects.get(pk=project.pk).status == S.RUNNING


def test_a_close_in_the_future_is_refused(project: Project) -> None:
    running(project)
    message = refused(lambda: close(project, TODAY + timedelta(days=1)), "closed_on")
    assert message == (
        f"Das Datum des Abschlusses liegt in der Zukunft: spätestens am {d(TODAY)} (heute)."
    )


def test_a_close_after_the_start_is_recorded(project: Project) -> None:
    running(project)
    close(project, ago(10), participants_entered=5, participants_exited=5)
    assert (project.status, project.closed_on) == (S.CLOSED, ago(10))
    assert (project.participants_entered, project.participants_exited) == (5, 5)


def test_more_exits_than_entries_are_refused(project: Project) -> None:
    """Exits 30 with entries 5 were accepted once."""
    running(project)
    message = refused(
        lambda: close(project, ago(10), participants_entered=5, participants_exited=30),
        "participants_exited",
    )
    assert message == (
        "Es können nicht mehr Teilnehmende austreten als eingetreten sind: 30 Austritte, aber "
        "5 Eintritte."
    )
    assert Project.objects.get(pk=project.pk).status == S.RUNNING


def test_exits_without_entries_are_refused(project: Project) -> None:
    running(project)
    message = refused(lambda: close(project, ago(10), participants_exited=3), "participants_exited")
    assert "3 Austritte, aber 0 Eintritte" in message


def test_fewer_exits_than_entries_and_no_figures_are_recorded(project: Project) -> None:
    running(project)
    close(project, ago(10), participants_entered=12, participants_exited=4)
    assert project.status == S.CLOSED
    assert services.participants_rule_errors(None, None) == {}


def test_negative_participants_are_refused() -> None:
    assert services.participants_rule_errors(-1, None) == {
        "participants_entered": ["Teilnehmendenzahlen dürfen nicht negativ sein."]
    }


# --- A whole walk keeps its days in order ------------------------------------------------------


def test_a_walked_project_keeps_every_date_in_order(project: Project) -> None:
    running(project)
    close(project, ago(10))
    project.refresh_from_db()
    days = [
        timezone.localdate(project.created_at),
        *project.consultations.values_list("held_on", flat=True),
        *project.outcomes.order_by("id").values_list("decided_on", flat=True),
        project.application_filed_on,
        project.bank_decided_on,
        project.started_on,
        project.closed_on,
    ]
    assert days == sorted(days)
    assert Transition.objects.filter(project=project).count() == 13
