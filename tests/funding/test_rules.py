"""The money rules of a project: rate, co-financing, runtime, non-negative amounts, and the
phase's own fields of action and topics. A broken rule is a German message and changes nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from buendnis.alliances.models import BodyKind
from buendnis.budget.models import LedgerEntry
from buendnis.core.errors import DomainError
from buendnis.core.models import AuditEntry
from buendnis.funding import services
from buendnis.funding.models import Outcome, Project
from buendnis.funding.states import Status as S
from tests.factories import (
    ActionFieldFactory,
    OrganisationFactory,
    PhaseFactory,
    ProjectFactory,
    TopicFactory,
    body_of,
    pdf_upload,
    project_in_state,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def phase(alliance):
    # 2018–2021 at 50 %, as in the council paper.
    return PhaseFactory(alliance=alliance)


def _submit(project: Project) -> dict[str, list[str]]:
    """Try to submit the sketch; the errors by field (empty if it went through)."""
    try:
        services.sketch_submit(actor=None, project=project, document=pdf_upload())
    except DomainError as error:
        project.refresh_from_db()
        assert project.status == S.CONSULTATION
        assert project.documents.count() == 0
        return error.message_dict
    return {}


def _consulted(phase, **fields) -> Project:
    return project_in_state(phase, S.CONSULTATION, **fields)


# --- Funding rate -------------------------------------------------------------------------------


def test_a_grant_above_the_rate_is_refused_naming_the_maximum(phase):
    project = _consulted(
        phase,
        eligible_costs=Decimal("200000.00"),
        requested_grant=Decimal("100000.01"),
        cofinancing=False,
    )
    services.cofinancing_set(
        actor=None,
        project=project,
        shares=[services.Share(amount=Decimal("99999.99"), name="Stadt")],
    )
    assert _submit(project) == {
        "requested_grant": [
            "Der Zuschuss darf höchstens 50 % der förderfähigen Kosten betragen, also 100.000,00 €."
        ]
    }


def test_the_rate_is_the_phases_setting(alliance):
    phase = PhaseFactory(
        alliance=alliance,
        name="2021–2027",
        starts_on=date(2021, 7, 1),
        ends_on=date(2027, 6, 30),
        funding_rate=Decimal("62.50"),
    )
    project = _consulted(
        phase,
        eligible_costs=Decimal("1000.00"),
        requested_grant=Decimal("700.00"),
        cofinancing=False,
    )
    services.cofinancing_set(
        actor=None, project=project, shares=[services.Share(amount=Decimal("300.00"), name="Kreis")]
    )
    assert _submit(project)["requested_grant"] == [
        "Der Zuschuss darf höchstens 62,5 % der förderfähigen Kosten betragen, also 625,00 €."
    ]


def test_a_grant_of_exactly_the_maximum_is_allowed(phase):
    project = _consulted(phase, eligible_costs=Decimal("3000000.00"))
    assert project.requested_grant == Decimal("1500000.00")
    assert _submit(project) == {}
    assert project.status == S.SKETCH_SUBMITTED


@pytest.mark.parametrize(
    ("rate", "costs", "proposed"),
    [
        ("50.00", "200000.00", "100000.00"),
        ("50.00", "1000.01", "500.00"),  # 500.005 → down to the cent
        ("50.00", "0.03", "0.01"),  # 0.015 → 0.01, never 0.02
        ("33.33", "100.00", "33.33"),
        ("33.33", "99.99", "33.32"),  # 33.326667 → 33.32
        ("70.00", "1234.57", "864.19"),  # 864.199 → 864.19
        ("62.50", "0.00", "0.00"),
    ],
)
def test_proposed_grant_rounds_down_to_the_cent(rate, costs, proposed):
    phase = PhaseFactory.build(funding_rate=Decimal(rate))
    result = services.proposed_grant(phase, Decimal(costs))
    assert result == Decimal(proposed)
    assert result.as_tuple().exponent == -2
    # Rounding down keeps the proposal inside the rule it proposes for.
    assert result <= Decimal(costs) * Decimal(rate) / 100


def test_the_votum_checks_the_rules_again(phase, make_persona):
    """The office may still edit the project while the bodies discuss it; the Steuerkreis' Votum
    never reserves a grant the rules do not allow."""
    office = make_persona("office")
    project = project_in_state(phase, S.DESCRIPTION_STEERING)
    services.project_update(actor=office, project=project, requested_grant=Decimal("150000.00"))
    audit = AuditEntry.objects.count()
    with pytest.raises(DomainError) as error:
        services.outcome_record(
            actor=office,
            project=project,
            body=body_of(phase.alliance, BodyKind.STEERING),
            outcome=Outcome.POSITIVE,
            decided_on=timezone.localdate(),
        )
    assert "höchstens 50 %" in " ".join(error.value.message_dict["requested_grant"])
    project.refresh_from_db()
    assert project.status == S.DESCRIPTION_STEERING
    assert not LedgerEntry.objects.exists()
    assert AuditEntry.objects.count() == audit


# --- Co-financing -------------------------------------------------------------------------------


@pytest.mark.parametrize("cofinanced", ["0.00", "99999.99", "100000.01", "250000.00"])
def test_grant_and_cofinancing_must_add_up_to_the_costs(phase, cofinanced):
    project = _consulted(
        phase,
        eligible_costs=Decimal("200000.00"),
        requested_grant=Decimal("100000.00"),
        cofinancing=False,
    )
    if Decimal(cofinanced):
        services.cofinancing_set(
            actor=None,
            project=project,
            shares=[services.Share(amount=Decimal(cofinanced), name="Landkreis")],
        )
    errors = _submit(project)
    assert list(errors) == ["cofinancing"]
    (message,) = errors["cofinancing"]
    assert message.startswith("Zuschuss (100.000,00 €) und Kofinanzierung (")
    assert "die förderfähigen Kosten sind aber 200.000,00 €" in message


def test_several_cofinancing_partners_add_up(phase):
    """Stille Reserve: an employment agency, two districts, two cities and the Allianz."""
    project = _consulted(
        phase,
        eligible_costs=Decimal("300000.00"),
        requested_grant=Decimal("150000.00"),
        cofinancing=False,
    )
    agency = OrganisationFactory(alliance=phase.alliance, name="Agentur für Arbeit")
    shares = [services.Share(amount=Decimal("50000.00"), organisation=agency)] + [
        services.Share(amount=Decimal("20000.00"), name=name)
        for name in (
            "Landkreis Gifhorn",
            "Landkreis Helmstedt",
            "Stadt Wolfsburg",
            "Stadt Salzgitter",
            "Allianz für die Region",
        )
    ]
    services.cofinancing_set(actor=None, project=project, shares=shares)
    assert project.cofinancing_total == Decimal("150000.00")
    assert _submit(project) == {}


def test_a_cofinancing_share_needs_a_payer_and_a_positive_amount(phase):
    project = _consulted(phase)
    before = list(project.cofinancing.values_list("amount", flat=True))
    with pytest.raises(ValidationError):
        services.cofinancing_set(
            actor=None, project=project, shares=[services.Share(amount=Decimal("100.00"))]
        )
    with pytest.raises(ValidationError) as error:
        services.cofinancing_set(
            actor=None, project=project, shares=[services.Share(amount=Decimal("-1.00"), name="X")]
        )
    assert "Beträge dürfen nicht negativ sein." in error.value.messages
    other = OrganisationFactory(alliance=OrganisationFactory().alliance, name="Fremde Stadt")
    with pytest.raises(DomainError, match="gehört zu einem anderen Bündnis"):
        services.cofinancing_set(
            actor=None,
            project=project,
            shares=[services.Share(amount=Decimal("1.00"), organisation=other)],
        )
    assert list(project.cofinancing.values_list("amount", flat=True)) == before


# --- Runtime ------------------------------------------------------------------------------------


def test_a_runtime_that_starts_before_the_phase_is_refused(phase):
    project = _consulted(phase, starts_on=date(2018, 6, 30))
    assert _submit(project) == {
        "starts_on": ["Die Laufzeit beginnt vor der Förderphase (ab 01.07.2018)."]
    }


def test_a_runtime_that_ends_after_the_phase_is_refused(phase):
    project = _consulted(phase, ends_on=date(2021, 7, 1))
    assert _submit(project) == {
        "ends_on": ["Die Laufzeit muss bis 30.06.2021 enden (Förderphase 2018–2021)."]
    }


def test_the_phase_end_itself_is_allowed(phase):
    project = _consulted(phase, starts_on=date(2018, 7, 1), ends_on=date(2021, 6, 30))
    assert _submit(project) == {}


def test_the_cutoff_lets_projects_run_longer_but_not_beyond_it(alliance):
    phase = PhaseFactory(alliance=alliance, project_end_cutoff=date(2021, 12, 31))
    allowed = _consulted(phase, ends_on=date(2021, 12, 31))
    assert _submit(allowed) == {}
    too_late = _consulted(phase, ends_on=date(2022, 1, 1))
    assert _submit(too_late) == {
        "ends_on": ["Die Laufzeit muss bis 31.12.2021 enden (Förderphase 2018–2021)."]
    }


def test_a_runtime_ending_before_it_starts_is_refused(phase):
    with pytest.raises(ValidationError) as error:
        ProjectFactory(phase=phase, starts_on=date(2019, 1, 1), ends_on=date(2018, 12, 31))
    assert "Die Laufzeit kann nicht vor ihrem Beginn enden." in error.value.messages
    assert not Project.objects.exists()


def test_a_project_without_runtime_or_costs_cannot_be_submitted(phase):
    project = _consulted(phase, cofinancing=False)
    services.project_update(
        actor=None,
        project=project,
        starts_on=None,
        ends_on=None,
        summary="",
        eligible_costs=Decimal("0.00"),
        requested_grant=Decimal("0.00"),
        action_field=None,
        funding_priority="",
    )
    errors = _submit(project)
    assert set(errors) == {
        "starts_on",
        "ends_on",
        "summary",
        "eligible_costs",
        "requested_grant",
        "action_field",
        "funding_priority",
    }
    assert errors["starts_on"] == ["Bitte den Beginn der Laufzeit angeben."]


# --- Amounts are never negative ----------------------------------------------------------------


@pytest.mark.parametrize("field", ["eligible_costs", "requested_grant"])
def test_negative_amounts_are_refused_on_create(phase, field):
    with pytest.raises(ValidationError) as error:
        ProjectFactory(phase=phase, **{field: Decimal("-0.01")})
    assert "Beträge dürfen nicht negativ sein." in error.value.message_dict[field]
    assert not Project.objects.exists()
    assert not AuditEntry.objects.filter(action="project.create").exists()


@pytest.mark.parametrize("field", ["eligible_costs", "requested_grant"])
def test_negative_amounts_are_refused_on_update(phase, field):
    project = _consulted(phase)
    version = project.version
    with pytest.raises(ValidationError):
        services.project_update(actor=None, project=project, **{field: Decimal("-5.00")})
    project.refresh_from_db()
    assert getattr(project, field) > 0
    assert project.version == version


def test_a_negative_or_missing_bank_grant_is_refused(phase):
    project = project_in_state(phase, S.APPLICATION_FILED)
    for amount in (None, Decimal("0.00"), Decimal("-1.00")):
        with pytest.raises(DomainError, match="bewilligten Zuschuss"):
            services.bank_decision_record(
                actor=None,
                project=project,
                decided_on=project.application_filed_on,
                granted=True,
                granted_amount=amount,
            )
    project.refresh_from_db()
    assert project.status == S.APPLICATION_FILED


def test_negative_final_amounts_are_refused(phase):
    project = project_in_state(phase, S.RUNNING)
    for costs, grant in ((Decimal("-1.00"), Decimal("0.00")), (Decimal("1.00"), Decimal("-1.00"))):
        with pytest.raises(DomainError, match="nicht negativ"):
            services.project_close(
                actor=None,
                project=project,
                closed_on=project.started_on,
                final_eligible_costs=costs,
                final_grant=grant,
                final_report=pdf_upload(),
            )
    project.refresh_from_db()
    assert project.status == S.RUNNING


def test_the_final_grant_keeps_to_the_rate_of_the_final_costs(phase):
    project = project_in_state(phase, S.RUNNING)
    with pytest.raises(DomainError) as error:
        services.project_close(
            actor=None,
            project=project,
            closed_on=project.started_on,
            final_eligible_costs=Decimal("150000.00"),
            final_grant=Decimal("75000.01"),
            final_report=pdf_upload(),
        )
    assert error.value.message_dict["final_grant"] == [
        "Der abgerechnete Zuschuss darf höchstens den Fördersatz der abgerechneten Kosten "
        "betragen (75.000,00 €)."
    ]


# --- The phase's own themes -----------------------------------------------------------------------


def test_a_field_of_action_of_another_phase_is_refused(phase, alliance):
    older = PhaseFactory(
        alliance=alliance, name="2015–2018", starts_on=date(2015, 7, 1), ends_on=date(2018, 6, 30)
    )
    foreign = ActionFieldFactory(phase=older, title="Altes Handlungsfeld")
    with pytest.raises(DomainError) as error:
        ProjectFactory(phase=phase, action_field=foreign)
    assert error.value.message_dict == {
        "action_field": ["Das Handlungsfeld gehört nicht zur Förderphase 2018–2021."]
    }
    assert not Project.objects.exists()

    project = _consulted(phase)
    version = project.version
    with pytest.raises(DomainError, match="gehört nicht zur Förderphase"):
        services.project_update(actor=None, project=project, action_field=foreign)
    project.refresh_from_db()
    assert project.action_field != foreign
    assert project.version == version


def test_topics_of_another_field_are_refused(phase):
    digital = ActionFieldFactory(phase=phase, title="Digitalisierung / Innovation")
    matching = ActionFieldFactory(phase=phase, title="Rekrutierung und Matching")
    own = TopicFactory(action_field=digital, title="Arbeit 4.0")
    foreign = TopicFactory(action_field=matching, title="Zweitbewerber-Börse")

    with pytest.raises(DomainError) as error:
        ProjectFactory(phase=phase, action_field=digital, topics=[own, foreign])
    assert error.value.message_dict == {
        "topics": ["Das Thema „Zweitbewerber-Börse“ gehört nicht zum gewählten Handlungsfeld."]
    }
    assert not Project.objects.exists()

    project = ProjectFactory(phase=phase, action_field=digital, topics=[own])
    assert list(project.topics.all()) == [own]
    version = project.version
    with pytest.raises(DomainError, match="Zweitbewerber-Börse"):
        services.project_update(actor=None, project=project, topics=[foreign])
    project.refresh_from_db()
    assert list(project.topics.all()) == [own]
    assert project.version == version


def test_a_topic_without_a_field_of_action_is_refused(phase):
    topic = TopicFactory(action_field=ActionFieldFactory(phase=phase))
    with pytest.raises(DomainError, match="gehört nicht zum gewählten Handlungsfeld"):
        ProjectFactory(phase=phase, action_field=None, topics=[topic])


def test_phase_and_owner_belong_to_the_projects_alliance(phase):
    stranger = OrganisationFactory(name="Träger aus einem anderen Bündnis")
    with pytest.raises(DomainError) as error:
        services.project_create(
            actor=None,
            alliance=phase.alliance,
            phase=phase,
            title="X",
            applicant_organisation=stranger,
        )
    assert error.value.message_dict == {
        "applicant_organisation": ["Der Projektträger gehört zu einem anderen Bündnis."]
    }
    foreign_phase = PhaseFactory(alliance=stranger.alliance)
    with pytest.raises(DomainError) as error:
        services.project_create(
            actor=None,
            alliance=phase.alliance,
            phase=foreign_phase,
            title="X",
            applicant_organisation=OrganisationFactory(alliance=phase.alliance),
        )
    assert "phase" in error.value.message_dict
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_virtual_budget_of_a_booked_phase_changes_only_through_the_ledger():
    from buendnis.alliances import services as alliance_services
    from buendnis.budget.models import LedgerEntry
    from buendnis.budget.services import budget_adjust

    phase = PhaseFactory()
    budget_adjust(actor=None, phase=phase, amount=Decimal("1000.00"), note="Aufstockung")
    phase.virtual_budget = Decimal("9.00")
    with pytest.raises(ValidationError) as error:
        alliance_services.phase_save(actor=None, instance=phase)
    assert "Budgetänderung buchen" in error.value.message_dict["virtual_budget"][0]
    phase.refresh_from_db()
    assert phase.virtual_budget == Decimal("1500000.00")
    assert LedgerEntry.objects.count() == 1
