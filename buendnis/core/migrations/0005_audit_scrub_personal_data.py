"""Audit rows keep no person's data of their own (GDPR erasure, `buendnis.privacy`): names and
e-mail addresses written by older code become references (`Benutzer/in #12`) or `[entfernt]`.

The table refuses every UPDATE (migration 0003's trigger): the migration, run by the owner of the
tables, drops the trigger, rewrites only the personal fields and creates the trigger again, on
SQLite and PostgreSQL alike. Not reversible in content: the old values are gone by design.
"""

from typing import Any

from django.db import migrations

from buendnis.core.audit_scrub import scrubbed
from buendnis.core.db import append_only_trigger

create_trigger, drop_trigger = append_only_trigger(
    "core", "auditentry", "Protokolleinträge sind unveränderlich."
)


def scrub(apps: Any, schema_editor: Any) -> None:
    AuditEntry = apps.get_model("core", "AuditEntry")
    User = apps.get_model("accounts", "User")
    users_by_email = {
        email.lower(): pk
        for pk, email in User.objects.exclude(email="").values_list("pk", "email")
    }
    # Usernames that are addresses (registration uses the address as the username).
    for pk, username in User.objects.filter(username__contains="@").values_list("pk", "username"):
        users_by_email.setdefault(username.lower(), pk)
    rows = AuditEntry.objects.values(
        "pk", "object_type", "object_id", "object_repr", "changes", "comment"
    )
    # Read first, write after: SQLite's cursor must not see the table change under it.
    fields = ("object_repr", "changes", "comment")
    updates = [
        AuditEntry(pk=row["pk"], **{name: new.get(name, row[name]) for name in fields})
        for row in rows.iterator(chunk_size=2000)
        if (new := scrubbed(row, users_by_email))
    ]
    # Without the trigger for as short as may be (the table is locked meanwhile): the rows in
    # batches. The migration runs in one transaction on both databases, so a failure rolls the
    # trigger's removal back with everything else.
    drop_trigger(apps, schema_editor)
    AuditEntry.objects.bulk_update(updates, fields, batch_size=500)
    create_trigger(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_periodicrun"),
        ("accounts", "0004_api_token_read_only"),
    ]

    operations = [
        migrations.RunPython(scrub, migrations.RunPython.noop),
    ]
