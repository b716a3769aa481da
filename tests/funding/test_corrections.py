"""A mistake in a recorded date is corrected, never lost: the office corrects a consultation or a
body outcome under the same date rules, and an audit row keeps the old values and the reason
(`services.consultation_correct`, `services.outcome_correct`, `selectors.record_corrections`)."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from django.utils import timezone

from buendnis.alliances.models import BodyKind
from buendnis.core.errors import DomainError, NotPermitted
from buendnis.core.models import AuditEntry
from buendnis.demo.clock import as_of, moment
from buendnis.funding import selectors, services
from buendnis.funding.models import BodyOutcome, Consultation, Outcome, Project
from buendnis.funding.states import Status as S
from tests.factories import (
    ProjectFactory,
    advance,
    applicant_of,
    body_of,
    pdf_upload,
    running_phase,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def d(day: date) -> str:
    return f"{day:%d.%m.%Y}"


@contextmanager
def on(day: date) -> Iterator[None]:
    with as_of(moment(day, 10), restamp=False):
        yield


@pytest.fixture
def office(make_persona):
    return make_persona("office")


@pytest.fixture
def project(alliance) -> Project:
    """Created 100 days ago, consulted 90 days ago; sketch submitted and forwarded 80 days ago,
    the Sprecherkreis 70 days ago, the Steuerkreis 60 days ago (description requested)."""
    with on(ago(100)):
        project = ProjectFactory(phase=running_phase(alliance), title="Brücken")
    with on(ago(90)):
        services.consultation_record(
            actor=None, project=project, held_on=ago(90), participants="GS, Träger"
        )
    with on(ago(80)):
        services.sketch_submit(actor=None, project=project, document=pdf_upload())
        services.project_forward(actor=None, project=project)
    for days, kind in ((70, BodyKind.SPEAKERS), (60, BodyKind.STEERING)):
        with on(ago(days)):
            services.outcome_record(
                actor=None,
                project=project,
                body=body_of(project.alliance, kind),
                outcome=Outcome.POSITIVE,
                decided_on=ago(days),
                reference=f"Sitzung vom {d(ago(days))}",
            )
    assert project.status == S.DESCRIPTION_REQUESTED
    return project


def consultation(project: Project) -> Consultation:
    return project.consultations.get()


def outcome(project: Project, kind: str) -> BodyOutcome:
    return project.outcomes.get(body__kind=kind)


def correct_consultation(actor, row: Consultation, **changes) -> Consultation:
    values = {
        "held_on": row.held_on,
        "participants": row.participants,
        "notes": row.notes,
        "reason": "Datum falsch übernommen",
        **changes,
    }
    return services.consultation_correct(actor=actor, consultation=row, **values)


def correct_outcome(actor, row: BodyOutcome, **changes) -> BodyOutcome:
    values = {
        "decided_on": row.decided_on,
        "reference": row.reference,
        "reason": "Sitzungsdatum vertauscht",
        **changes,
    }
    return services.outcome_correct(actor=actor, outcome=row, **values)


def refused(call, field: str | None = None) -> str:
    with pytest.raises(DomainError) as caught:
        call()
    if field is None:
        return " ".join(caught.value.messages)
    return " ".join(caught.value.message_dict[field])


# --- A consultation -----------------------------------------------------------------------------


def test_a_wrong_consultation_is_corrected_and_the_old_values_stay_in_the_audit_trail(
    project: Project, office
) -> None:
    """A consultation „of 01.01.1999“ (recorded before the rule existed) is corrected."""
    row = consultation(project)
    Consultation.objects.filter(pk=row.pk).update(held_on=date(1999, 1, 1))
    row.refresh_from_db()
    corrected = correct_consultation(
        office, row, held_on=ago(95), participants="GS (M. Lindner), Träger"
    )
    assert (corrected.held_on, corrected.participants) == (ago(95), "GS (M. Lindner), Träger")
    stored = Consultation.objects.get(pk=row.pk)
    assert (stored.held_on, stored.participants) == (ago(95), "GS (M. Lindner), Träger")
    entry = AuditEntry.objects.get(action="consultation.correct")
    assert entry.actor == office and entry.alliance_id == project.alliance_id
    assert (entry.object_type, entry.object_id) == ("funding.consultation", str(row.pk))
    assert entry.changes == {
        "held_on": ["1999-01-01", ago(95).isoformat()],
        "participants": ["GS, Träger", "GS (M. Lindner), Träger"],
    }
    assert entry.comment == "Datum falsch übernommen"
    (shown,) = selectors.record_corrections(project)[("consultation", row.pk)]
    assert shown.reason == "Datum falsch übernommen"
    assert shown.before == [("", "01.01.1999"), ("Teilnehmende", "„GS, Träger“")]
    assert timezone.localdate(shown.at) == TODAY


def test_a_corrected_consultation_keeps_the_rules_of_a_new_one(project: Project, office) -> None:
    row = consultation(project)
    before = refused(lambda: correct_consultation(office, row, held_on=ago(101)), "held_on")
    assert before == (
        f"Das Datum der Beratung liegt zu früh: frühestens am {d(ago(100))} (Vorhaben angelegt)."
    )
    future = refused(
        lambda: correct_consultation(office, row, held_on=TODAY + timedelta(days=1)), "held_on"
    )
    assert "liegt in der Zukunft" in future
    assert Consultation.objects.get(pk=row.pk).held_on == ago(90)
    assert not AuditEntry.objects.filter(action="consultation.correct").exists()


def test_the_sketch_keeps_a_consultation_before_it(project: Project, office) -> None:
    """The only consultation before the sketch cannot move after the sketch's submission."""
    row = consultation(project)
    message = refused(lambda: correct_consultation(office, row, held_on=ago(79)), "held_on")
    assert message == (
        "Das Datum der Beratung liegt zu spät: spätestens am "
        f"{d(ago(80))} (Kurzskizze eingereicht)."
    )
    correct_consultation(office, row, held_on=ago(80))
    # With a second consultation before the sketch, the first may move (a later talk).
    Consultation.objects.create(project=project, held_on=ago(85), participants="GS")
    correct_consultation(office, Consultation.objects.get(pk=row.pk), held_on=ago(10))
    assert Consultation.objects.get(pk=row.pk).held_on == ago(10)


def test_a_correction_needs_a_reason_and_a_change(project: Project, office) -> None:
    row = consultation(project)
    assert "warum" in refused(
        lambda: correct_consultation(office, row, held_on=ago(95), reason=" "), "reason"
    )
    assert "unverändert" in refused(lambda: correct_consultation(office, row))
    assert "teilgenommen" in refused(
        lambda: correct_consultation(office, row, participants=""), "participants"
    )


def test_only_the_office_of_the_alliance_corrects(
    project: Project, make_persona, other_alliance
) -> None:
    row = consultation(project)
    for name in ("speaker", "member", "advisory", "ministry", "outsider"):
        with pytest.raises(NotPermitted):
            correct_consultation(make_persona(name), row, held_on=ago(95))
    with pytest.raises(NotPermitted):
        correct_consultation(applicant_of(project), row, held_on=ago(95))
    correct_consultation(make_persona("admin"), row, held_on=ago(95))
    assert Consultation.objects.get(pk=row.pk).held_on == ago(95)


def test_a_consultation_of_a_closed_procedure_is_still_corrected(project: Project, office) -> None:
    """Corrections are possible in every state: a withdrawn project's record stays right."""
    services.project_withdraw(actor=None, project=project, reason="Träger gibt auf")
    correct_consultation(office, consultation(project), held_on=ago(92))
    assert consultation(project).held_on == ago(92)


# --- A body outcome -----------------------------------------------------------------------------


def test_an_outcome_is_corrected_between_the_steps_before_and_after_it(
    project: Project, office
) -> None:
    row = outcome(project, BodyKind.SPEAKERS)
    early = refused(lambda: correct_outcome(office, row, decided_on=ago(81)), "decided_on")
    assert early == (
        "Das Datum des Ergebnisses liegt zu früh: frühestens am "
        f"{d(ago(80))} (Kurzskizze im Sprecherkreis)."
    )
    late = refused(lambda: correct_outcome(office, row, decided_on=ago(59)), "decided_on")
    assert late == (
        f"Das Datum des Ergebnisses liegt zu spät: spätestens am {d(ago(60))} (Steuerkreis)."
    )
    correct_outcome(office, row, decided_on=ago(75), reference="Sitzung vom 2. Mai, TOP 3")
    stored = BodyOutcome.objects.get(pk=row.pk)
    assert (stored.decided_on, stored.reference) == (ago(75), "Sitzung vom 2. Mai, TOP 3")
    assert (stored.outcome, stored.stage_status) == (Outcome.POSITIVE, S.SKETCH_SPEAKERS)
    entry = AuditEntry.objects.get(action="bodyoutcome.correct")
    assert entry.changes == {
        "decided_on": [ago(70).isoformat(), ago(75).isoformat()],
        "reference": [f"Sitzung vom {d(ago(70))}", "Sitzung vom 2. Mai, TOP 3"],
    }
    assert entry.comment == "Sitzungsdatum vertauscht"
    (shown,) = selectors.record_corrections(project)[("bodyoutcome", row.pk)]
    assert shown.before == [("", d(ago(70))), ("Fundstelle", f"„Sitzung vom {d(ago(70))}“")]


def test_the_latest_outcome_is_bound_by_the_next_step_and_today(project: Project, office) -> None:
    row = outcome(project, BodyKind.STEERING)
    future = refused(
        lambda: correct_outcome(office, row, decided_on=TODAY + timedelta(days=1)), "decided_on"
    )
    assert future == (
        f"Das Datum des Ergebnisses liegt in der Zukunft: spätestens am {d(TODAY)} (heute)."
    )
    correct_outcome(office, row, decided_on=ago(5))
    # The description, submitted three days ago, follows it: the Steuerkreis cannot pass it.
    with on(ago(3)):
        services.description_submit(actor=None, project=project, document=pdf_upload())
    row = BodyOutcome.objects.get(pk=row.pk)
    message = refused(lambda: correct_outcome(office, row, decided_on=ago(2)), "decided_on")
    assert message == (
        "Das Datum des Ergebnisses liegt zu spät: spätestens am "
        f"{d(ago(3))} (Projektbeschreibung eingereicht)."
    )
    correct_outcome(office, row, decided_on=ago(3))
    assert BodyOutcome.objects.get(pk=row.pk).decided_on == ago(3)


def test_an_outcome_after_the_application_is_refused(alliance, office) -> None:
    """The Votum stays before the application that followed it."""
    with on(ago(100)):
        project = ProjectFactory(phase=running_phase(alliance))
    with on(ago(50)):
        advance(project, S.APPLICATION_FILED)
    Project.objects.filter(pk=project.pk).update(application_filed_on=ago(40))
    votum = project.outcomes.order_by("-id").first()
    message = refused(lambda: correct_outcome(office, votum, decided_on=ago(39)), "decided_on")
    assert message == (
        "Das Datum des Ergebnisses liegt zu spät: spätestens am "
        f"{d(ago(40))} (Förderantrag gestellt)."
    )


def test_only_the_office_corrects_an_outcome(project: Project, make_persona) -> None:
    row = outcome(project, BodyKind.SPEAKERS)
    for name in ("speaker", "member", "outsider"):
        with pytest.raises(NotPermitted):
            correct_outcome(make_persona(name), row, decided_on=ago(75))
    assert BodyOutcome.objects.get(pk=row.pk).decided_on == ago(70)
