"""The virtual budget as an append-only ledger: what each step books, what it refuses, and that
every figure is the sum of the rows."""

from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from buendnis.alliances.models import BodyKind
from buendnis.budget import services as budget
from buendnis.budget.models import EntryKind, LedgerEntry
from buendnis.budget.selectors import budget_figures, budget_figures_by_phase, project_balance
from buendnis.core.errors import DomainError, NotPermitted
from buendnis.core.models import AuditEntry
from buendnis.funding import services
from buendnis.funding.models import BodyOutcome, Outcome, Project, Transition
from buendnis.funding.states import Status as S
from tests.factories import (
    PhaseFactory,
    advance,
    body_of,
    pdf_upload,
    project_in_state,
    running_phase,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
D = Decimal


@pytest.fixture
def phase(alliance):
    """2018–2021: 1.5 M EUR at 50 %; default projects cost 200,000 and ask for 100,000."""
    return PhaseFactory(alliance=alliance)


def rows(project: Project) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    return [
        (e.kind, e.reserved_delta, e.committed_delta, e.paid_delta)
        for e in LedgerEntry.objects.filter(project=project).order_by("id")
    ]


def everything() -> dict[str, int]:
    return {
        "ledger": LedgerEntry.objects.count(),
        "audit": AuditEntry.objects.count(),
        "transitions": Transition.objects.count(),
        "outcomes": BodyOutcome.objects.count(),
        "mail_pending": len(connection.run_on_commit),
    }


def assert_figures_are_the_ledger(phase) -> None:
    """available = budget + adjustments − reserved − committed − paid, from the rows themselves."""
    entries = list(LedgerEntry.objects.filter(phase=phase))
    budget_total = phase.virtual_budget + sum((e.budget_delta for e in entries), D(0))
    reserved = sum((e.reserved_delta for e in entries), D(0))
    committed = sum((e.committed_delta for e in entries), D(0))
    paid = sum((e.paid_delta for e in entries), D(0))
    figures = budget_figures(phase)
    assert (figures.budget, figures.reserved, figures.committed, figures.paid) == (
        budget_total,
        reserved,
        committed,
        paid,
    )
    assert figures.available == budget_total - reserved - committed - paid
    assert figures.available >= 0
    assert min(reserved, committed, paid) >= 0
    assert (
        budget_figures_by_phase([phase.pk], {phase.pk: phase.virtual_budget})[phase.pk] == figures
    )


# --- What each step books ---------------------------------------------------------------------


def test_the_votum_reserves_the_requested_grant(phase):
    project = project_in_state(phase, S.ENDORSED, eligible_costs=D("123456.78"))
    assert project.requested_grant == D("61728.39")
    assert rows(project) == [(EntryKind.RESERVATION, D("61728.39"), D(0), D(0))]
    assert budget_figures(phase).available == D("1500000.00") - D("61728.39")
    assert_figures_are_the_ledger(phase)


def test_a_lower_grant_commits_it_and_releases_the_difference(phase):
    project = project_in_state(phase, S.GRANTED, granted_amount=D("80000.00"))
    assert rows(project) == [
        (EntryKind.RESERVATION, D("100000.00"), D(0), D(0)),
        (EntryKind.COMMITMENT, D("-80000.00"), D("80000.00"), D(0)),
        (EntryKind.RELEASE, D("-20000.00"), D(0), D(0)),
    ]
    balance = project_balance(project.pk)
    assert (balance.reserved, balance.committed) == (D(0), D("80000.00"))
    assert project.granted_amount == D("80000.00")
    assert budget_figures(phase).available == D("1420000.00")
    assert_figures_are_the_ledger(phase)


def test_the_full_grant_is_one_commitment(phase):
    project = project_in_state(phase, S.GRANTED)
    assert [kind for kind, *_ in rows(project)] == [EntryKind.RESERVATION, EntryKind.COMMITMENT]


def test_a_grant_above_the_reservation_is_refused(phase):
    project = project_in_state(phase, S.APPLICATION_FILED)
    before = everything()
    with pytest.raises(DomainError) as error:
        services.bank_decision_record(
            actor=None,
            project=project,
            decided_on=TODAY,
            granted=True,
            granted_amount=D("100000.01"),
        )
    assert error.value.message_dict["granted_amount"] == [
        "Der bewilligte Zuschuss (100.000,01 €) ist höher als die Reservierung aus dem Votum "
        "(100.000,00 €). Höhere Zuschüsse braucht ein neues Votum."
    ]
    project.refresh_from_db()
    assert (project.status, project.granted_amount, project.bank_decided_on) == (
        S.APPLICATION_FILED,
        None,
        None,
    )
    assert everything() == before


def test_the_banks_refusal_releases_the_reservation(phase):
    project = project_in_state(phase, S.DECLINED)
    assert rows(project)[-1] == (EntryKind.RELEASE, D("-100000.00"), D(0), D(0))
    assert budget_figures(phase).available == D("1500000.00")


@pytest.mark.parametrize("at", [S.SKETCH_STEERING, S.DESCRIPTION_STEERING])
def test_a_rejection_holds_nothing(phase, at):
    """The Steuerkreis rejects before any Votum: nothing was reserved, nothing is booked."""
    project = project_in_state(phase, S.REJECTED, at=at)
    assert rows(project) == []
    assert budget_figures(phase).available == D("1500000.00")


@pytest.mark.parametrize(
    ("at", "released"),
    [
        (S.ENDORSED, (EntryKind.RELEASE, D("-100000.00"), D(0), D(0))),
        (S.APPLICATION_FILED, (EntryKind.RELEASE, D("-100000.00"), D(0), D(0))),
        (S.GRANTED, (EntryKind.RELEASE, D(0), D("-90000.00"), D(0))),
        (S.RUNNING, (EntryKind.RELEASE, D(0), D("-90000.00"), D(0))),
    ],
)
def test_withdrawal_releases_reservation_or_commitment(phase, at, released):
    project = project_in_state(phase, S.WITHDRAWN, at=at, granted_amount=D("90000.00"))
    assert rows(project)[-1] == released
    balance = project_balance(project.pk)
    assert (balance.reserved, balance.committed, balance.paid) == (D(0), D(0), D(0))
    assert budget_figures(phase).available == D("1500000.00")
    assert_figures_are_the_ledger(phase)


def test_closing_pays_the_final_grant_and_releases_the_rest(phase):
    project = project_in_state(
        phase, S.CLOSED, granted_amount=D("95000.00"), final_grant=D("85000.00")
    )
    assert rows(project)[-2:] == [
        (EntryKind.PAYMENT, D(0), D("-85000.00"), D("85000.00")),
        (EntryKind.RELEASE, D(0), D("-10000.00"), D(0)),
    ]
    figures = budget_figures(phase)
    assert (figures.reserved, figures.committed, figures.paid) == (D(0), D(0), D("85000.00"))
    assert figures.available == D("1415000.00")
    assert project.final_grant == D("85000.00")
    assert_figures_are_the_ledger(phase)


def test_closing_with_the_whole_grant_is_one_payment(phase):
    project = project_in_state(phase, S.CLOSED)
    assert rows(project)[-1] == (EntryKind.PAYMENT, D(0), D("-100000.00"), D("100000.00"))
    assert [kind for kind, *_ in rows(project)].count(EntryKind.RELEASE) == 0


def test_a_final_grant_above_the_commitment_is_refused(phase):
    project = project_in_state(phase, S.RUNNING, granted_amount=D("80000.00"))
    before = everything()
    with pytest.raises(DomainError) as error:
        services.project_close(
            actor=None,
            project=project,
            closed_on=TODAY,
            final_eligible_costs=D("200000.00"),
            final_grant=D("90000.00"),
            final_report=pdf_upload(),
        )
    assert error.value.message_dict["final_grant"] == [
        "Der abgerechnete Zuschuss (90.000,00 €) ist höher als der bewilligte (80.000,00 €)."
    ]
    project.refresh_from_db()
    assert (project.status, project.final_grant, project.closed_on) == (S.RUNNING, None, None)
    assert not project.documents.filter(kind="final_report").exists()
    assert everything() == before


# --- The budget is never overdrawn ------------------------------------------------------------


def _endorse(project: Project) -> None:
    services.outcome_record(
        actor=None,
        project=project,
        body=body_of(project.alliance, BodyKind.STEERING),
        outcome=Outcome.POSITIVE,
        decided_on=TODAY,
    )


def test_an_endorsement_beyond_the_budget_is_refused_and_nothing_changes(alliance):
    phase = PhaseFactory(alliance=alliance, virtual_budget=D("150000.00"))
    project_in_state(phase, S.ENDORSED, title="Welcome Center")
    second = project_in_state(phase, S.DESCRIPTION_STEERING, title="Stille Reserve")
    before, version = everything(), second.version

    with pytest.raises(DomainError) as error:
        _endorse(second)

    assert error.value.messages == [
        "Das virtuelle Budget der Förderphase 2018–2021 reicht nicht: beantragt 100.000,00 €, "
        "verfügbar 50.000,00 €. Es wurde nichts gebucht."
    ]
    second.refresh_from_db()
    assert (second.status, second.version) == (S.DESCRIPTION_STEERING, version)
    assert everything() == before
    assert budget_figures(phase).available == D("50000.00")

    # The ministry adds money: now the same Votum goes through, down to the last cent.
    budget.budget_adjust(actor=None, phase=phase, amount=D("50000.00"), note="Aufstockung")
    _endorse(second)
    assert second.status == S.ENDORSED
    assert budget_figures(phase).available == D("0.00")
    assert_figures_are_the_ledger(phase)


def test_released_money_can_be_reserved_again(alliance):
    phase = PhaseFactory(alliance=alliance, virtual_budget=D("100000.00"))
    first = project_in_state(phase, S.APPLICATION_FILED)
    waiting = project_in_state(phase, S.DESCRIPTION_STEERING)
    with pytest.raises(DomainError, match="reicht nicht"):
        _endorse(waiting)
    services.bank_decision_record(actor=None, project=first, decided_on=TODAY, granted=False)
    _endorse(waiting)
    assert waiting.status == S.ENDORSED
    assert_figures_are_the_ledger(phase)


def test_available_is_always_the_sum_of_the_rows(alliance):
    """A phase through a busy life: after every step the figures are the ledger's sums. (A
    phase that runs today: its projects start today, within their runtime.)"""
    phase = running_phase(alliance, virtual_budget=D("400000.00"))
    steps = []
    a = project_in_state(phase, S.DESCRIPTION_STEERING, eligible_costs=D("200000.00"))
    b = project_in_state(phase, S.DESCRIPTION_STEERING, eligible_costs=D("150000.00"))
    c = project_in_state(phase, S.DESCRIPTION_STEERING, eligible_costs=D("333333.33"))
    steps += [
        lambda: advance(a, S.ENDORSED),
        lambda: advance(b, S.GRANTED, granted_amount=D("70000.00")),
        lambda: budget.budget_adjust(
            actor=None, phase=phase, amount=D("100000.00"), note="Aufstockung"
        ),
        lambda: advance(c, S.APPLICATION_FILED),
        lambda: advance(a, S.RUNNING, granted_amount=D("99999.99")),
        lambda: budget.budget_adjust(
            actor=None, phase=phase, amount=D("-12345.67"), note="Kürzung"
        ),
        lambda: advance(b, S.CLOSED, final_grant=D("64321.09")),
        lambda: advance(c, S.WITHDRAWN),
        lambda: advance(a, S.CLOSED, final_grant=D("99999.99")),
    ]
    for step in steps:
        step()
        assert_figures_are_the_ledger(phase)
    figures = budget_figures(phase)
    assert figures.budget == D("487654.33")
    assert figures.paid == D("164321.08")
    assert (figures.reserved, figures.committed) == (D(0), D(0))
    assert figures.available == D("323333.25")


def test_the_figures_cost_one_query(phase, django_assert_num_queries):
    project_in_state(phase, S.GRANTED)
    with django_assert_num_queries(1):  # one aggregate over the phase's ledger rows
        budget_figures(phase)


# --- Budget changes ---------------------------------------------------------------------------


def test_raising_and_lowering_the_budget(phase, make_persona):
    office = make_persona("office")
    entry = budget.budget_adjust(
        actor=office, phase=phase, amount=D("250000.00"), note="Aufstockung durch das Ministerium"
    )
    assert (entry.kind, entry.budget_delta, entry.actor, entry.project) == (
        EntryKind.ADJUSTMENT,
        D("250000.00"),
        office,
        None,
    )
    assert budget_figures(phase).budget == D("1750000.00")
    budget.budget_adjust(actor=office, phase=phase, amount=D("-1000000.00"), note="Kürzung")
    assert budget_figures(phase).budget == D("750000.00")
    # The phase row keeps the budget the ministry first assigned; the ledger carries the changes.
    phase.refresh_from_db()
    assert phase.virtual_budget == D("1500000.00")
    audit = AuditEntry.objects.filter(action="budget.adjustment").order_by("id")
    assert [(a.actor, a.comment) for a in audit] == [
        (office, "Aufstockung durch das Ministerium"),
        (office, "Kürzung"),
    ]


def test_the_budget_is_never_lowered_below_what_is_distributed(alliance):
    phase = PhaseFactory(alliance=alliance, virtual_budget=D("150000.00"))
    project_in_state(phase, S.ENDORSED)
    before = everything()
    with pytest.raises(DomainError) as error:
        budget.budget_adjust(actor=None, phase=phase, amount=D("-50000.01"), note="Kürzung")
    assert error.value.message_dict["amount"] == [
        "Das Budget kann höchstens um den verfügbaren Betrag (50.000,00 €) gesenkt werden; "
        "der Rest ist bereits reserviert, gebunden oder ausgezahlt."
    ]
    assert everything() == before
    budget.budget_adjust(actor=None, phase=phase, amount=D("-50000.00"), note="Kürzung")
    assert budget_figures(phase).available == D("0.00")


@pytest.mark.parametrize(
    ("amount", "note", "field", "message"),
    [
        ("1000.00", "", "note", "Bitte begründen Sie die Budgetänderung."),
        ("1000.00", "  \n", "note", "Bitte begründen Sie die Budgetänderung."),
        ("1000.00", "x" * 301, "note", "Der Vermerk darf höchstens 300 Zeichen lang sein."),
        ("0.00", "Nichts", "amount", "Eine Budgetänderung um 0,00 € ändert nichts."),
        ("0.001", "Zehntelcent", "amount", "Beträge werden auf den Cent genau gebucht."),
    ],
)
def test_a_budget_change_needs_a_reason_and_an_amount(phase, amount, note, field, message):
    with pytest.raises(DomainError) as error:
        budget.budget_adjust(actor=None, phase=phase, amount=D(amount), note=note)
    assert error.value.message_dict == {field: [message]}
    assert not LedgerEntry.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    "persona",
    ["office", "admin", "speaker", "member", "advisory", "applicant", "ministry", "outsider"],
)
def test_only_the_office_and_admins_change_the_budget(phase, make_persona, persona):
    user = make_persona(persona)
    if persona in ("office", "admin"):
        budget.budget_adjust(actor=user, phase=phase, amount=D("1.00"), note="Test")
        assert budget_figures(phase).budget == D("1500001.00")
        return
    with pytest.raises(NotPermitted, match="Geschäftsstelle"):
        budget.budget_adjust(actor=user, phase=phase, amount=D("1.00"), note="Test")
    assert not LedgerEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_booking_needs_the_callers_transaction(alliance):
    """The availability check and the booking are one step only inside one transaction."""
    phase = PhaseFactory(alliance=alliance)
    project = project_in_state(phase, S.DESCRIPTION_STEERING)
    with pytest.raises(RuntimeError, match="Transaktion"):
        budget.reserve(actor=None, project=project, amount=D("1.00"))
    assert not LedgerEntry.objects.exists()


# --- Append-only ------------------------------------------------------------------------------


def test_ledger_rows_cannot_be_changed_or_deleted(phase):
    project = project_in_state(phase, S.GRANTED)
    entry = LedgerEntry.objects.filter(project=project).first()
    entry.note = "nachträglich geändert"
    for attempt in (
        entry.save,
        entry.delete,
        lambda: LedgerEntry.objects.filter(pk=entry.pk).update(reserved_delta=0),
        lambda: LedgerEntry.objects.filter(pk=entry.pk).delete(),
        lambda: LedgerEntry.objects.bulk_update([entry], ["note"]),
        lambda: project.ledger_entries.all().delete(),
    ):
        with pytest.raises(ValueError, match="unveränderlich"):
            attempt()
    entry.refresh_from_db()
    assert entry.note != "nachträglich geändert"
    assert LedgerEntry.objects.filter(project=project).count() == 2


def test_every_booking_writes_its_audit_row(phase):
    budget.budget_adjust(actor=None, phase=phase, amount=D("5000.00"), note="Aufstockung")
    project_in_state(phase, S.CLOSED, granted_amount=D("90000.00"), final_grant=D("80000.00"))
    project_in_state(phase, S.DECLINED)
    entries = list(LedgerEntry.objects.all())
    assert len(entries) == 1 + 5 + 2
    for entry in entries:
        (audit,) = AuditEntry.objects.filter(
            object_type="budget.ledgerentry", object_id=str(entry.pk)
        )
        assert audit.action == f"budget.{entry.kind}"
        assert audit.alliance_id == phase.alliance_id
        assert audit.changes == {
            "phase": phase.pk,
            "project": entry.project_id,
            "budget": str(entry.budget_delta),
            "reserved": str(entry.reserved_delta),
            "committed": str(entry.committed_delta),
            "paid": str(entry.paid_delta),
        }
