"""Bookings on the virtual budget. Each takes the phase's row lock, checks that the budget is never
overdrawn, appends ledger rows and an audit row — all in the caller's transaction.

Precondition for every booking function: the caller runs inside `transaction.atomic()`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from buendnis.accounts import permissions
from buendnis.alliances.models import FundingPhase
from buendnis.core.audit import audit_record
from buendnis.core.errors import DomainError, NotPermitted
from buendnis.core.templatetags.buendnis_format import money as euro

from . import rules
from .models import EntryKind, LedgerEntry
from .selectors import budget_figures, project_balance

if TYPE_CHECKING:
    from buendnis.accounts.models import User
    from buendnis.funding.models import Project


def _lock_phase(phase_id: int) -> FundingPhase:
    """Serialise every booking of a phase: the availability check and the booking are one step.

    FOR NO KEY UPDATE, not FOR UPDATE: it excludes every other booking of the phase, but not the
    inserts of rows that merely point to the phase (a new project). With FOR UPDATE a Votum
    (phase lock, then rows pointing to the alliance) and a new project (alliance lock, then a row
    pointing to the phase) deadlock on PostgreSQL."""
    return FundingPhase.objects.select_for_update(no_key=True).get(pk=phase_id)


def _book(
    *, actor: User | None, phase: FundingPhase, project: Project | None, entry: rules.Entry
) -> LedgerEntry:
    row = LedgerEntry.objects.create(
        alliance_id=phase.alliance_id,
        phase=phase,
        project=project,
        kind=entry.kind,
        note=str(entry.note),
        actor=actor,
        budget_delta=entry.budget,
        reserved_delta=entry.reserved,
        committed_delta=entry.committed,
        paid_delta=entry.paid,
    )
    audit_record(
        actor=actor,
        action=f"budget.{entry.kind}",
        instance=row,
        alliance=phase.alliance,
        changes={
            "phase": phase.pk,
            "project": project.pk if project else None,
            "budget": str(entry.budget),
            "reserved": str(entry.reserved),
            "committed": str(entry.committed),
            "paid": str(entry.paid),
        },
        comment=str(entry.note),
    )
    return row


def _book_all(
    *, actor: User | None, phase: FundingPhase, project: Project, entries: list[rules.Entry]
) -> list[LedgerEntry]:
    return [_book(actor=actor, phase=phase, project=project, entry=entry) for entry in entries]


def reserve(*, actor: User | None, project: Project, amount: Decimal) -> LedgerEntry:
    """Votum: reserve the requested grant. Refused when the phase cannot carry it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("reserve() braucht die Transaktion des Aufrufers.")
    phase = _lock_phase(project.phase_id)
    available = budget_figures(phase).available
    if amount > available:
        raise DomainError(
            _(
                "Das virtuelle Budget der Förderphase %(phase)s reicht nicht: beantragt %(amount)s, "
                "verfügbar %(available)s. Es wurde nichts gebucht."
            )
            % {"phase": phase.name, "amount": euro(amount), "available": euro(available)}
        )
    return _book_all(actor=actor, phase=phase, project=project, entries=rules.reservation(amount))[
        0
    ]


def commit(*, actor: User | None, project: Project, granted: Decimal) -> None:
    """Grant: turn the reservation into a commitment of the granted amount; release the rest."""
    phase = _lock_phase(project.phase_id)
    reserved = project_balance(project.pk).reserved
    if granted > reserved:
        raise DomainError(
            {
                "granted_amount": _(
                    "Der bewilligte Zuschuss (%(granted)s) ist höher als die Reservierung aus dem Votum "
                    "(%(reserved)s). Höhere Zuschüsse braucht ein neues Votum."
                )
                % {"granted": euro(granted), "reserved": euro(reserved)}
            }
        )
    _book_all(
        actor=actor,
        phase=phase,
        project=project,
        entries=rules.commitment(reserved=reserved, granted=granted),
    )


def release_all(*, actor: User | None, project: Project, note: StrOrPromise) -> None:
    """Declined, rejected or withdrawn: whatever the project holds goes back to the phase."""
    phase = _lock_phase(project.phase_id)
    balance = project_balance(project.pk)
    _book_all(
        actor=actor,
        phase=phase,
        project=project,
        entries=rules.release(reserved=balance.reserved, committed=balance.committed, note=note),
    )


def settle(*, actor: User | None, project: Project, final_grant: Decimal) -> None:
    """Closing: pay what the final grant leaves after the tranches already paid out of the
    commitment; the rest is released."""
    phase = _lock_phase(project.phase_id)
    balance = project_balance(project.pk)
    if final_grant > balance.committed + balance.paid:
        raise DomainError(
            {
                "final_grant": _(
                    "Der abgerechnete Zuschuss (%(final)s) ist höher als der bewilligte (%(committed)s)."
                )
                % {"final": euro(final_grant), "committed": euro(balance.committed + balance.paid)}
            }
        )
    if final_grant < balance.paid:
        raise DomainError(
            {
                "final_grant": _(
                    "Der abgerechnete Zuschuss (%(final)s) liegt unter dem bereits ausgezahlten "
                    "(%(paid)s); eine Rückforderung rechnet die Förderbank ab, nicht das Bündnis."
                )
                % {"final": euro(final_grant), "paid": euro(balance.paid)}
            }
        )
    _book_all(
        actor=actor,
        phase=phase,
        project=project,
        entries=rules.settlement(
            committed=balance.committed, final_grant=final_grant - balance.paid
        ),
    )


def pay_tranche(*, actor: User | None, project: Project, amount: Decimal, note: str) -> LedgerEntry:
    """A released payment request: the amount is paid out of the project's commitment, never
    more than it still holds. Precondition: the caller runs inside `transaction.atomic()` and
    holds the project's row lock (the check and the booking are one step)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("pay_tranche() braucht die Transaktion des Aufrufers.")
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise DomainError({"amount": _("Der Betrag ist positiv und auf den Cent genau.")})
    phase = _lock_phase(project.phase_id)
    committed = project_balance(project.pk).committed
    if amount > committed:
        raise DomainError(
            {
                "amount": _(
                    "Der Abruf (%(amount)s) übersteigt den noch nicht ausgezahlten Zuschuss "
                    "(%(left)s). Es wurde nichts gebucht."
                )
                % {"amount": euro(amount), "left": euro(committed)}
            }
        )
    return _book_all(
        actor=actor, phase=phase, project=project, entries=rules.tranche(amount, note)
    )[0]


def book_imported(
    *, actor: User | None, project: Project, granted: Decimal, final_grant: Decimal | None = None
) -> None:
    """A project brought over from the alliance's past in its state (onboarding): the ledger gets
    what the procedure would have booked by then (`rules.imported`) — the grant committed, and
    for a closed project (`final_grant`) paid, the rest released. Refused when the phase cannot
    carry what the project keeps (the final grant of a closed project, else the grant), and for a
    project that has bookings already. Caller runs the transaction and holds the project."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("book_imported() braucht die Transaktion des Aufrufers.")
    field = "granted_amount" if final_grant is None else "final_grant"
    if granted <= 0:
        raise DomainError({"granted_amount": _("Bitte den bewilligten Zuschuss angeben.")})
    if final_grant is not None and not 0 <= final_grant <= granted:
        raise DomainError(
            {
                "final_grant": _(
                    "Der abgerechnete Zuschuss (%(final)s) ist höher als der bewilligte (%(committed)s)."
                )
                % {"final": euro(final_grant), "committed": euro(granted)}
            }
        )
    phase = _lock_phase(project.phase_id)
    if LedgerEntry.objects.filter(project_id=project.pk).exists():
        raise DomainError(
            _("Auf dieses Vorhaben ist schon gebucht; es wird nicht noch einmal übernommen.")
        )
    keeps = granted if final_grant is None else final_grant
    available = budget_figures(phase).available
    if keeps > available:
        raise DomainError(
            {
                field: _(
                    "Das virtuelle Budget der Förderphase %(phase)s reicht nicht: gebucht würden "
                    "%(amount)s, verfügbar sind %(available)s."
                )
                % {"phase": phase.name, "amount": euro(keeps), "available": euro(available)}
            }
        )
    _book_all(
        actor=actor,
        phase=phase,
        project=project,
        entries=rules.imported(granted=granted, final_grant=final_grant),
    )


def budget_adjust(
    *, actor: User | None, phase: FundingPhase, amount: Decimal, note: str
) -> LedgerEntry:
    """Raise (positive) or lower (negative) the virtual budget, e.g. a ministry increase.
    The office of the alliance and platform admins book it (`actor=None`: the system)."""
    if actor is not None and not permissions.can_manage(actor, phase.alliance):
        raise NotPermitted(_("Das Budget ändert die Geschäftsstelle des Bündnisses."))
    if not note.strip():
        raise DomainError({"note": _("Bitte begründen Sie die Budgetänderung.")})
    # The database would refuse a longer note (PostgreSQL) or round the amount; say so first.
    limit = LedgerEntry._meta.get_field("note").max_length or 0
    if len(note) > limit:
        raise DomainError(
            {
                "note": _("Der Vermerk darf höchstens %(limit)s Zeichen lang sein.")
                % {"limit": limit}
            }
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise DomainError({"amount": _("Beträge werden auf den Cent genau gebucht.")})
    if amount == 0:
        raise DomainError({"amount": _("Eine Budgetänderung um 0,00 € ändert nichts.")})
    with transaction.atomic():
        locked = _lock_phase(phase.pk)
        figures = budget_figures(locked)
        if figures.available + amount < 0:
            raise DomainError(
                {
                    "amount": _(
                        "Das Budget kann höchstens um den verfügbaren Betrag (%(available)s) gesenkt werden; "
                        "der Rest ist bereits reserviert, gebunden oder ausgezahlt."
                    )
                    % {"available": euro(figures.available)}
                }
            )
        return _book(
            actor=actor,
            phase=locked,
            project=None,
            entry=rules.Entry(EntryKind.ADJUSTMENT, note, budget=amount),
        )


def carry_over(
    *, actor: User | None, source: FundingPhase, target: FundingPhase, amount: Decimal, note: str
) -> tuple[LedgerEntry, LedgerEntry]:
    """Move unspent budget of one phase to another of the same alliance: two bookings, never a
    silent change of either budget. The source keeps what it has reserved, committed or paid.

    Precondition: the caller has checked that the actor may decide this (the ministry's
    recognition of the target phase)."""
    if source.alliance_id != target.alliance_id or source.pk == target.pk:
        raise DomainError(_("Ein Übertrag geht nur zwischen zwei Phasen desselben Bündnisses."))
    if amount != amount.quantize(Decimal("0.01")) or amount <= 0:
        raise DomainError(
            {"carry_over": _("Der Übertrag ist ein positiver Betrag auf den Cent genau.")}
        )
    with transaction.atomic():
        # Both rows locked in one order, so two carry-overs between the same phases cannot
        # deadlock.
        first, second = sorted((source.pk, target.pk))
        locked = {first: _lock_phase(first), second: _lock_phase(second)}
        available = budget_figures(locked[source.pk]).available
        if amount > available:
            raise DomainError(
                {
                    "carry_over": _(
                        "Aus der Phase %(phase)s sind höchstens %(available)s verfügbar; mehr "
                        "kann nicht übertragen werden."
                    )
                    % {"phase": source.name, "available": euro(available)}
                }
            )
        out = _book(
            actor=actor,
            phase=locked[source.pk],
            project=None,
            entry=rules.Entry(EntryKind.CARRY_OVER, note, budget=-amount),
        )
        into = _book(
            actor=actor,
            phase=locked[target.pk],
            project=None,
            entry=rules.Entry(EntryKind.CARRY_OVER, note, budget=amount),
        )
    return out, into
