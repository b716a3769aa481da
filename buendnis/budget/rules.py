"""The booking rules of the virtual budget as pure functions: which ledger rows a step writes.

`services.py` books these rows under the phase lock; the benchmark generator
(`scripts/bench_data.py`) writes the same rows for the projects it invents. Nothing here reads or
writes the database, and nothing checks whether the phase can carry a booking (the services do).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from .models import EntryKind

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Entry:
    """One ledger row to be written: its kind, note and the change of each column."""

    kind: str
    note: StrOrPromise
    budget: Decimal = ZERO
    reserved: Decimal = ZERO
    committed: Decimal = ZERO
    paid: Decimal = ZERO


def reservation(requested: Decimal) -> list[Entry]:
    """Votum: the requested grant is reserved."""
    return [
        Entry(
            EntryKind.RESERVATION,
            _("Votum: Reservierung des beantragten Zuschusses"),
            reserved=requested,
        )
    ]


def commitment(*, reserved: Decimal, granted: Decimal) -> list[Entry]:
    """Grant: the granted amount moves from reserved to committed; the rest is released.
    Precondition: granted ≤ reserved (a higher grant needs a new Votum)."""
    entries = [
        Entry(
            EntryKind.COMMITMENT,
            _("Bewilligung durch die Förderbank"),
            reserved=-granted,
            committed=granted,
        )
    ]
    if reserved > granted:
        entries.append(
            Entry(
                EntryKind.RELEASE,
                _("Differenz zwischen Votum und Bewilligung"),
                reserved=-(reserved - granted),
            )
        )
    return entries


def release(*, reserved: Decimal, committed: Decimal, note: StrOrPromise) -> list[Entry]:
    """Declined or withdrawn: whatever the project holds goes back; nothing held, no row."""
    if not (reserved or committed):
        return []
    # ZERO - x, not -x: a project without a commitment books 0.00, not -0.00.
    return [Entry(EntryKind.RELEASE, note, reserved=ZERO - reserved, committed=ZERO - committed)]


def settlement(*, committed: Decimal, final_grant: Decimal) -> list[Entry]:
    """Closing: the final grant is paid out of the commitment; the rest is released.
    Precondition: final_grant ≤ committed."""
    entries = [Entry(EntryKind.PAYMENT, _("Abrechnung"), committed=-final_grant, paid=final_grant)]
    if committed > final_grant:
        entries.append(
            Entry(
                EntryKind.RELEASE,
                _("Nicht abgerufener Zuschuss"),
                committed=-(committed - final_grant),
            )
        )
    return entries


def tranche(amount: Decimal, note: StrOrPromise) -> list[Entry]:
    """A payment request released: the amount is paid out of the commitment.
    Precondition: amount ≤ committed."""
    return [Entry(EntryKind.PAYMENT, note, committed=-amount, paid=amount)]


def imported(*, granted: Decimal, final_grant: Decimal | None) -> list[Entry]:
    """A project brought over from the alliance's past (onboarding) books what the procedure
    would have booked by its state: the grant committed and, for a closed project
    (`final_grant`), the settlement — the final grant paid, the rest released. No reservation:
    the Votum's amount is not known, and it would be released by the grant anyway.
    Precondition: final_grant ≤ granted."""
    entries = [
        Entry(
            EntryKind.COMMITMENT,
            _("Übernommen: Bewilligung durch die Förderbank"),
            committed=granted,
        )
    ]
    if final_grant is not None:
        entries.extend(settlement(committed=granted, final_grant=final_grant))
    return entries
