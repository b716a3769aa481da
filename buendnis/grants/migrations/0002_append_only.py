"""The database refuses to rewrite a report's submitted version or the office's review of it."""

from django.db import migrations

from buendnis.core.db import append_only_trigger

create_versions, drop_versions = append_only_trigger(
    "grants", "reportversion", "Eine eingereichte Fassung wird nie geändert."
)
create_reviews, drop_reviews = append_only_trigger(
    "grants", "reportreview", "Eine Prüfung wird nie geändert."
)


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_versions, drop_versions),
        migrations.RunPython(create_reviews, drop_reviews),
    ]
