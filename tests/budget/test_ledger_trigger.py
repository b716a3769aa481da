"""The database itself refuses to rewrite bookings, for any writer that skips the ORM."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from buendnis.budget.models import LedgerEntry
from buendnis.budget.services import budget_adjust
from tests.factories import PhaseFactory

pytestmark = pytest.mark.django_db


def test_raw_update_of_a_booking_is_refused():
    phase = PhaseFactory()
    entry = budget_adjust(actor=None, phase=phase, amount=Decimal("1000.00"), note="Aufstockung")
    table = connection.ops.quote_name(LedgerEntry._meta.db_table)
    with (
        pytest.raises(IntegrityError, match="Buchungen sind unveränderlich"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {table} SET budget_delta = 1 WHERE id = %s", [entry.pk])  # noqa: S608
    entry.refresh_from_db()
    assert entry.budget_delta == Decimal("1000.00")


def test_raw_delete_of_a_booking_is_refused_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite's test flush is a DELETE: there the ORM refuses deletes (test_ledger.py)"
        )
    phase = PhaseFactory()
    entry = budget_adjust(actor=None, phase=phase, amount=Decimal("1000.00"), note="Aufstockung")
    table = connection.ops.quote_name(LedgerEntry._meta.db_table)
    with (
        pytest.raises(IntegrityError, match="Buchungen sind unveränderlich"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [entry.pk])  # noqa: S608
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()
