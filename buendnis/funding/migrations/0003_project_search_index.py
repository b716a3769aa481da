"""The German full-text index of projects (PostgreSQL only; `funding.search.project_vector`).

A GIN index over exactly the expression the search filters on, so that PostgreSQL reads the
matching projects from the index instead of parsing every project's text. SQLite cannot parse
the expression and searches substrings anyway, so there the migration does nothing
(`core.db.postgres_only_index`); the index is not in the model's Meta.indexes for that reason.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

from buendnis.core.db import postgres_only_index


def index() -> GinIndex:
    # Frozen here: the same expression as funding.search.project_vector() today.
    return GinIndex(
        SearchVector("title", config="german", weight="A")
        + SearchVector("summary", "goals", "target_group", config="german", weight="B"),
        name="project_search",
    )


create, drop = postgres_only_index("funding", "project", index)


class Migration(migrations.Migration):
    dependencies = [("funding", "0002_timestamps")]

    operations = [migrations.RunPython(create, drop)]
