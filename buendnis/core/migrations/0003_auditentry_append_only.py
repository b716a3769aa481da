"""The database itself refuses to rewrite the audit trail, for every writer that skips the ORM.

PostgreSQL: a row-level trigger refuses UPDATE and DELETE. TRUNCATE fires no row-level trigger,
so Django's flush (which the test suite runs after transactional tests) still empties the table;
TRUNCATE needs the table owner's privilege, which the application's login should not hold in
production anyway.

SQLite: a trigger refuses UPDATE only. Django's flush on SQLite is a plain `DELETE FROM`, which a
DELETE trigger would break; there `AuditEntryQuerySet.delete` and `AuditEntry.delete` refuse.

SQLite rebuilds a table for most `AlterField`s and drops its triggers on the way: a later
migration that alters this table must create the trigger again (tests/core/test_audit.py notices).
"""

from typing import Any

from django.db import migrations

MESSAGE = "Protokolleinträge sind unveränderlich."
FUNCTION = "core_auditentry_refuse_change"
TRIGGER = "core_auditentry_append_only"


def _table(apps: Any, schema_editor: Any) -> str:
    model = apps.get_model("core", "AuditEntry")
    return schema_editor.quote_name(model._meta.db_table)


def create_trigger(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    table = _table(apps, schema_editor)
    if vendor == "postgresql":
        # restrict_violation (SQLSTATE 23001) reaches Django as an IntegrityError, as on SQLite.
        schema_editor.execute(
            f"""
            CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
            END;
            $$
            """
        )
        schema_editor.execute(
            f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )
    # Other databases are not supported by the project; the ORM guards still hold there.


def drop_trigger(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    table = _table(apps, schema_editor)
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_auditentry_actor_protect"),
    ]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger),
    ]
