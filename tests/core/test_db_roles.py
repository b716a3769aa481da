"""The application's database role cannot wipe the audit trail or the ledger (PostgreSQL).

The append-only triggers refuse UPDATE and DELETE for everyone, but the tables' owner may switch
them off (`ALTER TABLE … DISABLE TRIGGER`) or `TRUNCATE`. `manage.py grant_app_role` gives the
application's role, which owns nothing, only SELECT and INSERT on those tables. The test server's
tables belong to the superuser that runs the tests; the application role logs in beside it.
"""

import uuid
from collections.abc import Iterator
from decimal import Decimal

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models
from psycopg import sql

from buendnis.budget.models import LedgerEntry
from buendnis.budget.services import budget_adjust
from buendnis.core.audit import audit_record
from buendnis.core.db_roles import append_only_tables
from buendnis.core.models import AuditEntry
from buendnis.funding.models import Project
from tests.factories import PhaseFactory, ProjectFactory

# Committed rows: the application role reads them over a connection of its own.
pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "app-test-only"


def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "Datenbankrollen gibt es nur mit PostgreSQL. Aufruf: scripts/with_postgres.py -- "
            ".venv/bin/python -m pytest tests/core/test_db_roles.py"
        )


@pytest.fixture
def app_role() -> Iterator[str]:
    """A login role of its own per run: roles belong to the whole server, which parallel test
    workers share."""
    _postgresql_only()
    role = f"app_test_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} LOGIN PASSWORD %s", [PASSWORD])
    try:
        yield role
    finally:
        with connection.cursor() as cursor:
            # DROP OWNED revokes its privileges in this database (and on the database itself).
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")


def _connect_as(role: str) -> psycopg.Connection:
    params = connection.settings_dict
    return psycopg.connect(
        host=params["HOST"] or "127.0.0.1",
        port=params["PORT"] or 5432,
        dbname=params["NAME"],
        user=role,
        password=PASSWORD,
        autocommit=True,
    )


def _copy_row(db: psycopg.Connection, model: type[models.Model], pk: int) -> None:
    """INSERT a copy of a row under a new id, as the application would append one."""
    columns = sql.SQL(", ").join(
        sql.Identifier(field.column)
        for field in model._meta.concrete_fields
        if not field.primary_key
    )
    table = sql.Identifier(model._meta.db_table)
    db.execute(
        sql.SQL(
            "INSERT INTO {table} ({columns}) SELECT {columns} FROM {table} WHERE id = %s"
        ).format(table=table, columns=columns),
        [pk],
    )


def test_the_append_only_tables_come_from_the_models():
    assert {
        "core_auditentry",
        "budget_ledgerentry",
        "grants_reportversion",
        "grants_reportreview",
        "renewal_strategyversion",
        "renewal_recognitiondecision",
    } <= append_only_tables()


def test_the_app_role_appends_but_never_rewrites_the_audit_trail_or_the_ledger(app_role):
    phase = PhaseFactory()
    booking = budget_adjust(actor=None, phase=phase, amount=Decimal("1000.00"), note="Aufstockung")
    project = ProjectFactory(phase=phase)
    audit = audit_record(actor=None, action="test", instance=project)

    call_command("grant_app_role", app_role, verbosity=0)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tableowner = %s",
            [app_role],
        )
        assert cursor.fetchone() == (0,)
    with _connect_as(app_role) as db:
        for model, pk in [(LedgerEntry, booking.pk), (AuditEntry, audit.pk)]:
            table = sql.Identifier(model._meta.db_table)
            _copy_row(db, model, pk)
            count = db.execute(sql.SQL("SELECT count(*) FROM {}").format(table)).fetchone()
            assert count is not None
            assert count[0] == model.objects.count() >= 2
            for statement in [
                sql.SQL("UPDATE {} SET created_at = now()").format(table),
                sql.SQL("DELETE FROM {}").format(table),
                sql.SQL("TRUNCATE {}").format(table),
                sql.SQL("ALTER TABLE {} DISABLE TRIGGER ALL").format(table),
                sql.SQL("ALTER TABLE {} DISABLE TRIGGER USER").format(table),
                sql.SQL("DROP TABLE {}").format(table),
            ]:
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    db.execute(statement)
        # Ordinary tables it reads and writes as ever.
        db.execute(
            sql.SQL("UPDATE {} SET title = %s WHERE id = %s").format(
                sql.Identifier(Project._meta.db_table)
            ),
            ["Neuer Titel", project.pk],
        )
    project.refresh_from_db()
    assert project.title == "Neuer Titel"
    assert LedgerEntry.objects.filter(pk=booking.pk).exists()
    assert AuditEntry.objects.filter(pk=audit.pk).exists()


def test_a_second_run_takes_back_privileges_granted_by_hand(app_role):
    call_command("grant_app_role", app_role, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT UPDATE, DELETE, TRUNCATE ON core_auditentry TO {app_role}")
    call_command("grant_app_role", app_role, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = %s AND table_name = 'core_auditentry' ORDER BY privilege_type",
            [app_role],
        )
        assert [row[0] for row in cursor.fetchall()] == ["INSERT", "SELECT"]


def test_a_superuser_or_an_owner_is_refused_as_the_app_role(app_role):
    with pytest.raises(CommandError, match="Superuser"):
        call_command("grant_app_role", connection.settings_dict["USER"] or "postgres")
    with pytest.raises(CommandError, match="gibt es nicht"):
        call_command("grant_app_role", "niemand_hier")
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE app_test_owned (id int); ALTER TABLE app_test_owned OWNER TO {app_role}"
        )
    try:
        with pytest.raises(CommandError, match="besitzt Tabellen"):
            call_command("grant_app_role", app_role)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE app_test_owned")
