"""The booking rules as pure functions: the rows each kind of booking writes."""

from decimal import Decimal

from buendnis.budget import rules
from buendnis.budget.models import EntryKind

D = Decimal


def test_reservation_reserves_the_requested_grant() -> None:
    (entry,) = rules.reservation(D("80000.00"))
    assert (entry.kind, entry.reserved, entry.committed) == (
        EntryKind.RESERVATION,
        D("80000.00"),
        0,
    )


def test_commitment_of_the_whole_reservation_releases_nothing() -> None:
    (entry,) = rules.commitment(reserved=D("80000.00"), granted=D("80000.00"))
    assert (entry.kind, entry.reserved, entry.committed) == (
        EntryKind.COMMITMENT,
        D("-80000.00"),
        D("80000.00"),
    )


def test_commitment_below_the_reservation_releases_the_rest() -> None:
    commit, release = rules.commitment(reserved=D("80000.00"), granted=D("73600.00"))
    assert commit.committed == D("73600.00")
    assert (release.kind, release.reserved) == (EntryKind.RELEASE, D("-6400.00"))
    assert commit.reserved + release.reserved == D("-80000.00")


def test_release_gives_back_what_is_held_and_nothing_when_nothing_is() -> None:
    assert rules.release(reserved=D("0.00"), committed=D("0.00"), note="x") == []
    (entry,) = rules.release(reserved=D("500.00"), committed=D("0.00"), note="zurückgezogen")
    assert (entry.kind, entry.reserved, entry.note) == (
        EntryKind.RELEASE,
        D("-500.00"),
        "zurückgezogen",
    )
    # 0.00 minus nothing is 0.00, not -0.00 (shown as "-0,00 €" otherwise).
    assert str(entry.committed) == "0.00"


def test_settlement_pays_and_releases_the_unused_commitment() -> None:
    payment, release = rules.settlement(committed=D("70000.00"), final_grant=D("65000.00"))
    assert (payment.kind, payment.committed, payment.paid) == (
        EntryKind.PAYMENT,
        D("-65000.00"),
        D("65000.00"),
    )
    assert (release.kind, release.committed) == (EntryKind.RELEASE, D("-5000.00"))
    (only,) = rules.settlement(committed=D("70000.00"), final_grant=D("70000.00"))
    assert only.paid == D("70000.00")


def test_an_imported_project_commits_its_grant_and_a_closed_one_is_settled() -> None:
    (commitment,) = rules.imported(granted=D("80000.00"), final_grant=None)
    assert (commitment.kind, commitment.reserved, commitment.committed) == (
        EntryKind.COMMITMENT,
        0,
        D("80000.00"),
    )
    commitment, payment, release = rules.imported(granted=D("80000.00"), final_grant=D("76543.21"))
    assert (payment.kind, payment.paid) == (EntryKind.PAYMENT, D("76543.21"))
    assert (release.kind, release.committed) == (EntryKind.RELEASE, D("-3456.79"))
    # What a closed project keeps: paid, nothing committed or reserved.
    entries = [commitment, payment, release]
    assert sum(e.committed for e in entries) == 0
    assert sum(e.reserved for e in entries) == 0
    assert sum(e.paid for e in entries) == D("76543.21")
