"""The database refuses to rewrite ledger bookings; a correction is a new booking."""

from django.db import migrations

from buendnis.core.db import append_only_trigger

create, drop = append_only_trigger(
    "budget", "ledgerentry", "Buchungen sind unveränderlich; eine Korrektur ist eine neue Buchung."
)


class Migration(migrations.Migration):
    dependencies = [
        ("budget", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
