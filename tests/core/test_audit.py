"""The audit trail is append-only: for the model, for bulk writes, and in the database itself."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from buendnis.alliances import services
from buendnis.core.models import AuditEntry

from ..factories import UserFactory

IMMUTABLE = "Protokolleinträge sind unveränderlich."


@pytest.fixture
def entry(alliance):
    services.group_create(actor=None, alliance=alliance, name="Hochschulen")
    return AuditEntry.objects.get()


def raw(sql, params):
    """A writer that skips the ORM, in a savepoint: PostgreSQL aborts the transaction on error."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_bulk_update_is_refused(entry):
    with pytest.raises(ValueError, match=IMMUTABLE):
        AuditEntry.objects.filter(pk=entry.pk).update(action="group.delete")
    entry.action = "group.delete"
    with pytest.raises(ValueError, match=IMMUTABLE):
        AuditEntry.objects.bulk_update([entry], ["action"])
    assert AuditEntry.objects.get().action == "group.create"


def test_bulk_delete_is_refused(entry):
    with pytest.raises(ValueError, match=IMMUTABLE):
        AuditEntry.objects.all().delete()
    with pytest.raises(ValueError, match=IMMUTABLE):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.count() == 1


def test_database_refuses_updates_that_skip_the_orm(entry):
    # The base manager is Django's plain one: only the database stands in its way.
    with pytest.raises(IntegrityError, match=IMMUTABLE), transaction.atomic():
        AuditEntry._base_manager.filter(pk=entry.pk).update(action="group.delete")
    with pytest.raises(IntegrityError, match=IMMUTABLE):
        raw("UPDATE core_auditentry SET comment = %s WHERE id = %s", ["nachträglich", entry.pk])
    entry.refresh_from_db()
    assert (entry.action, entry.comment) == ("group.create", "")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's flush is a DELETE")
def test_postgresql_refuses_deletes_that_skip_the_orm(entry):
    with pytest.raises(IntegrityError, match=IMMUTABLE):
        raw("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_an_account_that_acted_cannot_be_deleted(alliance):
    actor = UserFactory(username="geschaeftsstelle")
    services.group_create(actor=actor, alliance=alliance, name="Hochschulen")
    # The database never gets to set the actor to null (an UPDATE it would refuse).
    with pytest.raises(ProtectedError):
        actor.delete()
    assert AuditEntry.objects.get().actor == actor


@pytest.mark.django_db(transaction=True)
def test_trigger_migration_is_reversible_and_the_flush_still_works(alliance):
    """Back to core 0002 and forward again; the flush after this test empties the audit table
    (TRUNCATE on PostgreSQL, DELETE on SQLite), which the trigger must let through."""
    services.group_create(actor=None, alliance=alliance, name="Hochschulen")
    entry = AuditEntry.objects.get()
    sql = "UPDATE core_auditentry SET comment = %s WHERE id = %s"
    call_command("migrate", "core", "0002", verbosity=0)
    try:
        raw(sql, ["ohne Trigger", entry.pk])
        assert AuditEntry.objects.get().comment == "ohne Trigger"
    finally:
        # Every app, not only core: going back to core 0002 also unapplied the migrations of
        # other apps that depend on core's later ones (the inbox's data migration writes audit
        # rows), and the tests after this one need the whole schema.
        call_command("migrate", verbosity=0)
    with pytest.raises(IntegrityError, match=IMMUTABLE):
        raw(sql, ["mit Trigger", entry.pk])
