"""The German full-text index of the inquiries' messages (PostgreSQL only;
`office.search.message_vector`).

A GIN index over exactly the expression the search filters on, so that PostgreSQL finds the
matching messages of years of mail in the index instead of parsing every message. SQLite cannot
parse the expression and searches substrings anyway, so there the migration does nothing
(`core.db.postgres_only_index`); the index is not in the model's Meta.indexes for that reason.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

from buendnis.core.db import postgres_only_index


def index() -> GinIndex:
    # Frozen here: the same expression as office.search.message_vector() today.
    return GinIndex(SearchVector("body", config="german"), name="inquiry_message_search")


create, drop = postgres_only_index("office", "inquirymessage", index)


class Migration(migrations.Migration):
    dependencies = [("office", "0003_inquiry_idea")]

    operations = [migrations.RunPython(create, drop)]
