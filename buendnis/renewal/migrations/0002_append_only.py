"""The database refuses to rewrite a strategy version or a ministry decision."""

from django.db import migrations

from buendnis.core.db import append_only_trigger

create_versions, drop_versions = append_only_trigger(
    "renewal", "strategyversion", "Eine Fassung der Strategie wird nie geändert."
)
create_decisions, drop_decisions = append_only_trigger(
    "renewal", "recognitiondecision", "Eine Entscheidung des Ministeriums wird nie geändert."
)


class Migration(migrations.Migration):
    dependencies = [
        ("renewal", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_versions, drop_versions),
        migrations.RunPython(create_decisions, drop_decisions),
    ]
