"""The contact form's messages live in the office's inbox now (office 0002 copied every one of
them into an inquiry); the old table goes, so that no second copy of people's data outlives the
inbox's erasure. Nothing references it any more."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("public", "0001_contact_message"),
        ("office", "0002_contact_messages"),
    ]

    operations = [migrations.DeleteModel(name="ContactMessage")]
