"""One project from idea to closed through the services, with the budget at every step."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from buendnis.alliances.models import BodyKind
from buendnis.budget.selectors import budget_figures
from buendnis.demo.clock import as_of, moment
from buendnis.funding import services
from buendnis.funding.models import Outcome
from buendnis.funding.states import Status
from tests.factories import ActionFieldFactory, BodyFactory, OrganisationFactory, PhaseFactory

PDF = b"%PDF-1.7\n%%EOF\n"


def on(day):
    """The block runs as of `day`, 10 o'clock: its rows carry that day (`demo.clock.as_of`)."""
    return as_of(moment(day, 10))


def pdf(name="skizze.pdf"):
    return SimpleUploadedFile(name, PDF)


@pytest.mark.django_db(transaction=True)
def test_idea_to_closed():
    phase = PhaseFactory(
        starts_on=date(2018, 7, 1),
        ends_on=date(2021, 6, 30),
        virtual_budget=Decimal("1500000.00"),
        funding_rate=Decimal("50.00"),
    )
    alliance = phase.alliance
    alliance.office_email = "gs@example.org"
    alliance.save()
    speakers = BodyFactory(alliance=alliance, kind=BodyKind.SPEAKERS, name="Sprecherkreis")
    steering = BodyFactory(alliance=alliance, kind=BodyKind.STEERING, name="Steuerkreis")
    owner = OrganisationFactory(alliance=alliance, name="AWO")
    field = ActionFieldFactory(phase=phase)
    # Each step as of its own day (every recorded date lies between the step before it and today).
    with on(date(2018, 7, 16)):
        project = services.project_create(
            actor=None,
            alliance=alliance,
            phase=phase,
            title="Welcome Center",
            applicant_organisation=owner,
            summary="s",
            goals="g",
            target_group="t",
            action_field=field,
            funding_priority="structural",
            starts_on=date(2018, 9, 1),
            ends_on=date(2020, 8, 31),
            eligible_costs=Decimal("200000.00"),
            requested_grant=Decimal("100000.00"),
            contact_email="awo@example.org",
        )
        assert project.status == Status.IDEA
        services.cofinancing_set(
            actor=None,
            project=project,
            shares=[services.Share(amount=Decimal("100000.00"), name="Stadt")],
        )
    day = date(2018, 8, 1)
    with on(day):
        services.consultation_record(
            actor=None, project=project, held_on=day, participants="GS, AWO"
        )
        assert project.status == Status.CONSULTATION
        services.sketch_submit(actor=None, project=project, document=pdf())
        services.project_forward(actor=None, project=project)
    with on(date(2018, 8, 2)):
        services.outcome_record(
            actor=None,
            project=project,
            body=speakers,
            outcome=Outcome.POSITIVE,
            decided_on=date(2018, 8, 2),
        )
    with on(date(2018, 8, 9)):
        services.outcome_record(
            actor=None,
            project=project,
            body=steering,
            outcome=Outcome.POSITIVE,
            decided_on=date(2018, 8, 8),
        )
        assert project.status == Status.DESCRIPTION_REQUESTED
        services.description_submit(actor=None, project=project, document=pdf("beschreibung.pdf"))
        services.project_forward(actor=None, project=project)
    with on(date(2018, 8, 20)):
        services.outcome_record(
            actor=None,
            project=project,
            body=speakers,
            outcome=Outcome.POSITIVE,
            decided_on=date(2018, 8, 20),
        )
        services.outcome_record(
            actor=None,
            project=project,
            body=steering,
            outcome=Outcome.POSITIVE,
            decided_on=date(2018, 8, 20),
        )
    assert project.status == Status.ENDORSED
    assert budget_figures(phase).reserved == Decimal("100000.00")
    with on(date(2018, 8, 27)):
        services.application_file(
            actor=None, project=project, filed_on=date(2018, 8, 21), reference="NB-1"
        )
        services.bank_decision_record(
            actor=None,
            project=project,
            decided_on=date(2018, 8, 27),
            granted=True,
            granted_amount=Decimal("90000.00"),
        )
    figures = budget_figures(phase)
    assert (figures.reserved, figures.committed) == (Decimal("0.00"), Decimal("90000.00"))
    with on(date(2018, 9, 3)):
        services.project_start(actor=None, project=project, started_on=date(2018, 9, 1))
    with on(date(2020, 9, 15)):
        services.project_close(
            actor=None,
            project=project,
            closed_on=date(2020, 8, 31),
            final_eligible_costs=Decimal("170000.00"),
            final_grant=Decimal("85000.00"),
            final_report=pdf("bericht.pdf"),
        )
    figures = budget_figures(phase)
    assert project.status == Status.CLOSED
    assert (figures.committed, figures.paid, figures.available) == (
        Decimal("0.00"),
        Decimal("85000.00"),
        Decimal("1415000.00"),
    )
    assert project.transitions.count() == 13
    assert len(mail.outbox) == 13
