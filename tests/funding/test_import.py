"""Projects brought over from an alliance's past (onboarding): created in their state with one
Transition and one audit row, and booked on the ledger as the state implies."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from buendnis.budget.models import EntryKind, LedgerEntry
from buendnis.budget.selectors import budget_figures, project_balance
from buendnis.core.errors import DomainError, NotPermitted
from buendnis.core.models import AuditEntry
from buendnis.funding import services
from buendnis.funding.models import CoFinancing, Project, Transition
from buendnis.funding.states import Status as S
from tests.factories import (
    ActionFieldFactory,
    MembershipFactory,
    OrganisationFactory,
    PhaseFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def phase(alliance):
    """2018–2021: 1.5 M EUR at 50 %."""
    return PhaseFactory(alliance=alliance)


@pytest.fixture
def owner(alliance):
    return OrganisationFactory(alliance=alliance, name="Bildungswerk Musterstadt")


def closed(phase, owner, **overrides):
    fields = {
        "title": "Welcome Center",
        "starts_on": date(2018, 9, 1),
        "ends_on": date(2020, 8, 31),
        "eligible_costs": D("200000.00"),
        "granted_amount": D("100000.00"),
        "final_eligible_costs": D("190000.00"),
        "final_grant": D("95000.00"),
        "closed_on": date(2020, 12, 15),
        "participants_entered": 40,
        "participants_exited": 35,
    }
    fields.update(overrides)
    return services.project_import(
        actor=None,
        alliance=phase.alliance,
        phase=phase,
        applicant_organisation=owner,
        status=S.CLOSED,
        **fields,
    )


def test_a_closed_project_arrives_with_its_payment(phase, owner):
    project = closed(phase, owner)
    project.refresh_from_db()
    assert project.status == S.CLOSED
    assert project.reference == "SON-2018-001"
    assert project.requested_grant == D("100000.00")
    assert project.started_on == date(2018, 9, 1)
    # Its state holds since its own closing day, not since the day of the import.
    assert timezone.localdate(project.status_changed_at) == project.closed_on
    assert [(e.kind, e.committed_delta, e.paid_delta) for e in project.ledger_entries.all()] == [
        (EntryKind.COMMITMENT, D("100000.00"), D(0)),
        (EntryKind.PAYMENT, D("-95000.00"), D("95000.00")),
        (EntryKind.RELEASE, D("-5000.00"), D(0)),
    ]
    assert project_balance(project.pk) == project_balance(project.pk).__class__(
        reserved=D(0), committed=D(0), paid=D("95000.00")
    )
    figures = budget_figures(phase)
    assert (figures.reserved, figures.committed, figures.paid) == (0, 0, D("95000.00"))
    assert figures.available == D("1405000.00")
    (transition,) = project.transitions.all()
    assert (transition.from_status, transition.to_status, transition.comment) == (
        S.IDEA,
        S.CLOSED,
        "Importiert",
    )
    audit = AuditEntry.objects.get(action="project.import")
    assert (audit.object_id, audit.to_state) == (str(project.pk), S.CLOSED)
    assert AuditEntry.objects.filter(action__startswith="budget.").count() == 3


def test_a_running_project_holds_its_grant_as_committed(phase, owner):
    project = services.project_import(
        actor=None,
        alliance=phase.alliance,
        phase=phase,
        applicant_organisation=owner,
        status=S.RUNNING,
        reference="ALT-2019-17",
        title="Stille Reserve",
        starts_on=date(2019, 1, 1),
        ends_on=date(2021, 6, 30),
        eligible_costs=D("100000.00"),
        granted_amount=D("50000.00"),
        cofinancing=[services.Share(amount=D("50000.00"), name="Stadt Musterstadt")],
    )
    assert project.reference == "ALT-2019-17"
    figures = budget_figures(phase)
    assert (figures.reserved, figures.committed, figures.paid) == (0, D("50000.00"), 0)
    assert CoFinancing.objects.get(project=project).name == "Stadt Musterstadt"


def test_projects_that_ended_without_money_book_nothing(phase, owner):
    for status in (S.WITHDRAWN, S.DECLINED, S.REJECTED):
        services.project_import(
            actor=None,
            alliance=phase.alliance,
            phase=phase,
            applicant_organisation=owner,
            status=status,
            title=f"Vorhaben {status}",
            eligible_costs=D("10000.00"),
        )
    assert LedgerEntry.objects.count() == 0
    assert Transition.objects.count() == 3


def test_a_project_the_phase_cannot_carry_is_refused_and_nothing_is_written(phase, owner):
    closed(phase, owner, final_grant=D("100000.00"), final_eligible_costs=D("200000.00"))
    small = PhaseFactory(
        alliance=phase.alliance,
        name="2021–2024",
        starts_on=date(2021, 7, 1),
        ends_on=date(2024, 6, 30),
        virtual_budget=D("60000.00"),
    )
    before = (Project.objects.count(), LedgerEntry.objects.count(), AuditEntry.objects.count())
    with pytest.raises(DomainError) as caught:
        services.project_import(
            actor=None,
            alliance=phase.alliance,
            phase=small,
            applicant_organisation=owner,
            status=S.RUNNING,
            title="Zu groß",
            starts_on=date(2021, 9, 1),
            ends_on=date(2023, 8, 31),
            eligible_costs=D("200000.00"),
            granted_amount=D("80000.00"),
        )
    assert "reicht nicht" in caught.value.message_dict["granted_amount"][0]
    assert "60.000,00 €" in caught.value.message_dict["granted_amount"][0]
    after = (Project.objects.count(), LedgerEntry.objects.count(), AuditEntry.objects.count())
    assert after == before


def test_the_rules_of_the_procedure_hold_for_imported_projects(phase, owner):
    other_phase_field = ActionFieldFactory(
        phase=PhaseFactory(
            alliance=phase.alliance,
            name="2015–2018",
            starts_on=date(2015, 7, 1),
            ends_on=date(2018, 6, 30),
        )
    )
    with pytest.raises(DomainError) as caught:
        closed(
            phase,
            owner,
            granted_amount=D("100000.01"),
            final_grant=D("96000.00"),
            final_eligible_costs=D("190000.00"),
            closed_on=None,
            starts_on=date(2018, 1, 1),
            action_field=other_phase_field,
        )
    errors = caught.value.message_dict
    assert "höchstens 50 % der förderfähigen Kosten" in errors["granted_amount"][0]
    assert "höchstens den Fördersatz der abgerechneten Kosten" in errors["final_grant"][0]
    assert errors["closed_on"] == ["Bitte das Datum des Abschlusses angeben."]
    assert "beginnt vor der Förderphase" in errors["starts_on"][0]
    assert "gehört nicht zur Förderphase" in errors["action_field"][0]
    assert Project.objects.count() == 0


def test_only_final_or_granted_states_are_imported(phase, owner):
    with pytest.raises(DomainError) as caught:
        services.project_import(
            actor=None,
            alliance=phase.alliance,
            phase=phase,
            applicant_organisation=owner,
            status=S.SKETCH_SUBMITTED,
            title="Im Verfahren",
        )
    assert "Übernommen werden Vorhaben in den Ständen" in caught.value.message_dict["status"][0]


def test_a_repeated_import_changes_only_what_it_may(phase, owner):
    project = closed(phase, owner)
    version = project.version
    services.project_import_update(
        actor=None, project=project, title="Welcome Center Musterstadt", participants_exited=36
    )
    project.refresh_from_db()
    assert (project.title, project.participants_exited, project.version) == (
        "Welcome Center Musterstadt",
        36,
        version + 1,
    )
    audit = AuditEntry.objects.filter(action="project.update").get()
    assert audit.changes["title"] == ["Welcome Center", "Welcome Center Musterstadt"]
    with pytest.raises(TypeError):
        services.project_import_update(actor=None, project=project, final_grant=D("1.00"))
    with pytest.raises(ValidationError):
        services.project_import_update(actor=None, project=project, ends_on=date(2030, 1, 1))


def test_only_the_office_imports(phase, owner, alliance):
    speaker = UserFactory()
    MembershipFactory(user=speaker, alliance=alliance, role="speaker")
    with pytest.raises(NotPermitted):
        services.project_import(
            actor=speaker,
            alliance=alliance,
            phase=phase,
            applicant_organisation=owner,
            status=S.WITHDRAWN,
            title="Nicht von mir",
        )
