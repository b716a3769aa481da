"""Preparing the next phase: the draft, its dates and budget, the strategy in versions, fields of
action and topics, and the Steuerkreis' adoption. Each rule with a refused and an allowed case."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from buendnis.alliances.models import ActionField, FundingPhase, RecognitionStatus
from buendnis.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from buendnis.core.models import AuditEntry
from buendnis.meetings.models import CirculationStatus, Decision, DecisionOutcome
from buendnis.renewal import services
from buendnis.renewal.models import ExtensionApplication, Strategy, StrategyVersion
from tests.factories import (
    ActionFieldFactory,
    AgendaItemFactory,
    MeetingFactory,
    PhaseFactory,
    Structure,
)

from .conftest import NEW_END, NEW_START, Cycle

pytestmark = pytest.mark.django_db


def actions(instance: object) -> list[str]:
    return list(
        AuditEntry.objects.filter(
            object_type=instance._meta.label_lower,  # type: ignore[attr-defined]
            object_id=str(instance.pk),  # type: ignore[attr-defined]
        )
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- The draft ----------------------------------------------------------------------------------


def test_prepare_opens_a_draft_with_its_strategy_open_field_and_application(cycle: Cycle) -> None:
    phase = cycle.prepare(signature_deadline=NEW_START - timedelta(days=60))
    assert phase.recognition_status == RecognitionStatus.DRAFT
    assert not phase.is_recognised
    assert phase.virtual_budget == Decimal("1800000.00")
    [open_field] = ActionField.objects.filter(phase=phase)
    assert open_field.is_open and open_field.title == services.OPEN_FIELD_TITLE
    [version] = StrategyVersion.objects.filter(strategy__phase=phase)
    assert version.number == 1 and version.change_note == "Erste Fassung"
    application = ExtensionApplication.objects.get(phase=phase)
    assert application.signature_deadline == NEW_START - timedelta(days=60)
    assert application.submitted_at is None and application.submissions == 0
    assert actions(phase) == ["phase.create", "renewal.phase_prepared"]


def test_prepare_carries_the_previous_strategy_over_as_the_first_version(cycle: Cycle) -> None:
    strategy = Strategy.objects.create(alliance=cycle.alliance, phase=cycle.previous)
    StrategyVersion.objects.create(
        alliance=cycle.alliance,
        strategy=strategy,
        number=3,
        analysis="Die Region altert.",
        review="Rückblick 2021–2024",
        fields_intro="Drei Felder.",
        working_methods="Konsens.",
    )
    phase = cycle.prepare()
    [version] = StrategyVersion.objects.filter(strategy__phase=phase)
    assert (version.analysis, version.fields_intro, version.working_methods) == (
        "Die Region altert.",
        "Drei Felder.",
        "Konsens.",
    )
    assert version.review == ""  # the review is of the phase that ends: written anew
    assert version.change_note == "Übernommen aus der Strategie 2024–2027"


@pytest.mark.parametrize("persona", ["speaker", "member", "advisory", "applicant", "ministry"])
def test_only_the_office_prepares_a_phase(cycle: Cycle, persona: str) -> None:
    actor = cycle.personas[persona]
    with pytest.raises(NotPermitted, match="bereitet die Geschäftsstelle vor"):
        services.phase_prepare(
            actor=actor,  # type: ignore[arg-type]
            alliance=cycle.alliance,
            name="2027–2030",
            starts_on=NEW_START,
            ends_on=NEW_END,
            virtual_budget=Decimal("1.00"),
            funding_rate=Decimal("50"),
        )
    assert not FundingPhase.objects.filter(name="2027–2030").exists()


def test_the_office_of_another_alliance_prepares_nothing_here(cycle: Cycle) -> None:
    with pytest.raises(NotPermitted):
        services.phase_prepare(
            actor=cycle.personas["outsider"],  # type: ignore[arg-type]
            alliance=cycle.alliance,
            name="2027–2030",
            starts_on=NEW_START,
            ends_on=NEW_END,
            virtual_budget=Decimal("1.00"),
            funding_rate=Decimal("50"),
        )


def test_a_draft_cannot_overlap_the_running_phase(cycle: Cycle) -> None:
    with pytest.raises(DomainError, match="überschneidet sich mit „2024–2027“"):
        cycle.prepare(starts_on=NEW_START - timedelta(days=1))
    assert FundingPhase.objects.filter(alliance=cycle.alliance).count() == 1
    assert not Strategy.objects.exists()


def test_the_office_changes_the_draft_and_the_deadline_with_audit(cycle: Cycle) -> None:
    phase = cycle.prepare()
    deadline = NEW_START - timedelta(days=30)
    services.phase_draft_update(
        actor=cycle.office,
        phase=phase,
        virtual_budget=Decimal("2000000.00"),
        signature_deadline=deadline,
    )
    phase.refresh_from_db()
    assert phase.virtual_budget == Decimal("2000000.00")
    application = ExtensionApplication.objects.get(phase=phase)
    assert application.signature_deadline == deadline
    assert actions(phase)[-1] == "phase.update"
    assert actions(application) == ["renewal.application_updated"]


def test_a_draft_field_that_is_not_one_is_a_programming_error(cycle: Cycle) -> None:
    phase = cycle.prepare()
    with pytest.raises(ValueError, match="recognition_status"):
        services.phase_draft_update(
            actor=cycle.office, phase=phase, recognition_status=RecognitionStatus.RECOGNISED
        )


def test_the_draft_is_frozen_while_the_ministry_has_it(cycle: Cycle) -> None:
    phase = cycle.applied()
    with pytest.raises(TransitionNotAllowed, match="liegt beim Ministerium"):
        services.phase_draft_update(actor=cycle.office, phase=phase, name="2027–2031")
    phase.refresh_from_db()
    assert phase.name == "2027–2030"
    # After the ministry asked for changes the office may change it again.
    cycle.decide(phase, "changes_requested")
    services.phase_draft_update(actor=cycle.office, phase=phase, name="2027–2031")
    phase.refresh_from_db()
    assert phase.name == "2027–2031"


def test_only_the_office_changes_the_draft(cycle: Cycle) -> None:
    phase = cycle.prepare()
    with pytest.raises(NotPermitted):
        services.phase_draft_update(actor=cycle.ministry, phase=phase, name="x")


# --- The strategy in versions -------------------------------------------------------------------


def test_a_revision_is_a_new_version_and_the_old_one_stays(cycle: Cycle) -> None:
    phase = cycle.prepare()
    first = StrategyVersion.objects.get(strategy__phase=phase)
    version = services.strategy_revise(
        actor=cycle.office,
        phase=phase,
        analysis="  Die Region altert.  ",
        review="",
        fields_intro="Drei Felder.",
        working_methods="",
        change_note="Analyse ergänzt",
    )
    assert version.number == 2
    assert version.analysis == "Die Region altert."  # trimmed
    assert version.created_by == cycle.office
    first.refresh_from_db()
    assert first.analysis == ""
    strategy = Strategy.objects.get(phase=phase)
    assert actions(strategy) == ["renewal.strategy_revised"]
    assert AuditEntry.objects.get(action="renewal.strategy_revised").changes == {"version": 2}


def test_an_unchanged_text_makes_no_version(cycle: Cycle) -> None:
    phase = cycle.prepare()
    cycle.write_strategy(phase)
    with pytest.raises(DomainError, match="unverändert"):
        cycle.write_strategy(phase)
    assert StrategyVersion.objects.filter(strategy__phase=phase).count() == 2


@pytest.mark.parametrize("persona", ["speaker", "member", "ministry", "outsider"])
def test_only_the_office_revises_the_strategy(cycle: Cycle, persona: str) -> None:
    phase = cycle.prepare()
    with pytest.raises(NotPermitted, match="Strategie schreibt die Geschäftsstelle"):
        services.strategy_revise(
            actor=cycle.personas[persona],  # type: ignore[arg-type]
            phase=phase,
            analysis="x",
            review="",
            fields_intro="",
            working_methods="",
        )
    assert StrategyVersion.objects.filter(strategy__phase=phase).count() == 1


def test_the_strategy_under_review_stays_as_it_was_applied_for(cycle: Cycle) -> None:
    phase = cycle.applied()
    with pytest.raises(TransitionNotAllowed, match="liegt beim Ministerium"):
        services.strategy_revise(
            actor=cycle.office,
            phase=phase,
            analysis="Nachträglich geändert",
            review="",
            fields_intro="",
            working_methods="",
        )
    assert StrategyVersion.objects.filter(strategy__phase=phase).count() == 2
    cycle.decide(phase, "changes_requested")
    services.strategy_revise(
        actor=cycle.office,
        phase=phase,
        analysis="Mit den Pflegeberufen",
        review="",
        fields_intro="Drei Felder.",
        working_methods="",
    )
    assert StrategyVersion.objects.filter(strategy__phase=phase).count() == 3


# --- Fields of action and topics ----------------------------------------------------------------


def test_fields_and_topics_are_added_in_order_with_audit(cycle: Cycle) -> None:
    phase = cycle.prepare()
    first = services.action_field_add(actor=cycle.office, phase=phase, title=" Matching ")
    second = services.action_field_add(actor=cycle.office, phase=phase, title="Digitalisierung")
    assert (first.title, first.position, second.position) == ("Matching", 0, 1)
    one = services.topic_add(actor=cycle.office, phase=phase, action_field=first, title="Börse")
    two = services.topic_add(actor=cycle.office, phase=phase, action_field=first, title="Pflege")
    assert (one.position, two.position) == (0, 1)
    assert actions(first) == ["action_field.create"]
    assert actions(two) == ["topic.create"]


def test_a_topic_belongs_to_a_field_of_the_same_phase(cycle: Cycle) -> None:
    phase = cycle.prepare()
    foreign = ActionFieldFactory(phase=cycle.previous)
    with pytest.raises(DomainError, match="anderen Förderphase"):
        services.topic_add(actor=cycle.office, phase=phase, action_field=foreign, title="x")
    assert not foreign.topics.exists()


def test_only_the_office_adds_fields(cycle: Cycle) -> None:
    phase = cycle.prepare()
    with pytest.raises(NotPermitted, match="Handlungsfelder legt die Geschäftsstelle an"):
        services.action_field_add(actor=cycle.personas["speaker"], phase=phase, title="x")  # type: ignore[arg-type]
    with pytest.raises(NotPermitted):
        services.topic_add(
            actor=cycle.ministry,
            phase=phase,
            action_field=ActionField.objects.get(phase=phase),
            title="x",
        )
    assert ActionField.objects.filter(phase=phase).count() == 1


def test_fields_stay_as_they_are_once_applied(cycle: Cycle) -> None:
    phase = cycle.applied()
    with pytest.raises(TransitionNotAllowed, match="beantragten Phase bleiben"):
        services.action_field_add(actor=cycle.office, phase=phase, title="Nachzügler")
    with pytest.raises(TransitionNotAllowed):
        services.topic_add(
            actor=cycle.office,
            phase=phase,
            action_field=ActionField.objects.filter(phase=phase).first(),  # type: ignore[arg-type]
            title="Nachzügler",
        )
    assert not ActionField.objects.filter(title="Nachzügler").exists()


# --- The Steuerkreis adopts the fields ----------------------------------------------------------


def agreed_decision(cycle: Cycle, *, body=None, outcome=DecisionOutcome.AGREED) -> Decision:  # type: ignore[no-untyped-def]
    meeting = MeetingFactory(body=body or cycle.structure.steering)
    item = AgendaItemFactory(meeting=meeting, title="Handlungsfelder 2027–2030")
    return Decision.objects.create(
        alliance=meeting.alliance,
        item=item,
        outcome=outcome,
        decided_at=timezone.now() - timedelta(days=3),
    )


def test_adopted_by_a_meeting_keeps_the_fields_as_adopted(cycle: Cycle) -> None:
    phase = cycle.prepare()
    field = services.action_field_add(actor=cycle.office, phase=phase, title="Matching")
    services.topic_add(actor=cycle.office, phase=phase, action_field=field, title="Börse")
    decision = agreed_decision(cycle)
    strategy = services.strategy_adopt(actor=cycle.office, phase=phase, decision=decision)
    assert strategy.is_adopted
    assert strategy.adopted_on == timezone.localdate() - timedelta(days=3)
    assert strategy.adopted_decision == decision and strategy.adopted_circulation is None
    titles = {entry["title"]: entry["topics"] for entry in strategy.adopted_fields}
    assert titles == {"Matching": ["Börse"], services.OPEN_FIELD_TITLE: []}
    assert actions(strategy) == ["renewal.fields_adopted"]


def test_adopted_by_a_passed_circulation(cycle: Cycle) -> None:
    phase = cycle.prepare()
    cycle.adopt(phase)
    strategy = Strategy.objects.get(phase=phase)
    assert strategy.adopted_on == timezone.localdate()
    assert strategy.adopted_circulation is not None


def test_exactly_one_decision_adopts(cycle: Cycle) -> None:
    phase = cycle.prepare()
    ActionFieldFactory(phase=phase)
    with pytest.raises(DomainError, match="genau einen Beschluss"):
        services.strategy_adopt(actor=cycle.office, phase=phase)
    with pytest.raises(DomainError, match="genau einen Beschluss"):
        services.strategy_adopt(
            actor=cycle.office,
            phase=phase,
            decision=agreed_decision(cycle),
            circulation=cycle.passed_circulation(),
        )
    assert not Strategy.objects.get(phase=phase).is_adopted


def test_only_the_steuerkreis_of_this_alliance_adopts_by_consensus(
    cycle: Cycle, other_alliance
) -> None:
    phase = cycle.prepare()
    ActionFieldFactory(phase=phase)
    speakers = agreed_decision(cycle, body=cycle.structure.speakers)
    with pytest.raises(DomainError, match="beschließt der Steuerkreis"):
        services.strategy_adopt(actor=cycle.office, phase=phase, decision=speakers)
    disagreed = agreed_decision(cycle, outcome=DecisionOutcome.NOT_AGREED)
    with pytest.raises(DomainError, match="einvernehmlich"):
        services.strategy_adopt(actor=cycle.office, phase=phase, decision=disagreed)
    foreign = agreed_decision(cycle, body=Structure(other_alliance).steering)
    with pytest.raises(DomainError, match="anderen Bündnis"):
        services.strategy_adopt(actor=cycle.office, phase=phase, decision=foreign)
    circulation = cycle.passed_circulation()
    circulation.status = CirculationStatus.FAILED
    circulation.save()
    with pytest.raises(DomainError, match="zustande gekommener"):
        services.strategy_adopt(actor=cycle.office, phase=phase, circulation=circulation)
    circulation.status = CirculationStatus.PASSED
    circulation.body = cycle.structure.speakers
    circulation.save()
    with pytest.raises(DomainError, match="beschließt der Steuerkreis"):
        services.strategy_adopt(actor=cycle.office, phase=phase, circulation=circulation)
    assert not Strategy.objects.get(phase=phase).is_adopted


def test_the_open_field_alone_is_nothing_to_adopt(cycle: Cycle) -> None:
    phase = cycle.prepare()
    with pytest.raises(DomainError, match="kein Handlungsfeld außer dem offenen"):
        services.strategy_adopt(
            actor=cycle.office, phase=phase, circulation=cycle.passed_circulation()
        )


def test_only_the_office_links_the_adoption(cycle: Cycle) -> None:
    phase = cycle.prepare()
    ActionFieldFactory(phase=phase)
    with pytest.raises(NotPermitted, match="verknüpft die Geschäftsstelle"):
        services.strategy_adopt(
            actor=cycle.personas["speaker"],  # type: ignore[arg-type]
            phase=phase,
            circulation=cycle.passed_circulation(),
        )


def test_the_adoption_under_review_stays(cycle: Cycle) -> None:
    phase = cycle.applied()
    with pytest.raises(TransitionNotAllowed, match="liegt beim Ministerium"):
        services.strategy_adopt(
            actor=cycle.office, phase=phase, circulation=cycle.passed_circulation("Neu")
        )
    assert Strategy.objects.get(phase=phase).adopted_circulation.title != "Neu"  # type: ignore[union-attr]


def test_a_phase_without_prepare_is_recognised_from_the_start(alliance) -> None:  # type: ignore[no-untyped-def]
    """Phases recorded directly (history, admin, import) are recognised: nothing to apply for."""
    assert PhaseFactory(alliance=alliance).recognition_status == RecognitionStatus.RECOGNISED
