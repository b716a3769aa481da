"""The German full text of every project, kept by PostgreSQL for the search (`funding.search`).

A column `search_vector` that a trigger fills on every write, with a GIN index `project_search`:
the title weighs most (A), summary, goals and target group follow (B). SQLite searches
substrings and gets nothing here. Why a column and a trigger: `core.db.search_vector_column`.
"""

from django.db import migrations

from buendnis.core.db import search_vector_column

create, drop = search_vector_column(
    "funding",
    "project",
    index="project_search",
    parts=[("A", ["title"]), ("B", ["summary", "goals", "target_group"])],
)


class Migration(migrations.Migration):
    dependencies = [("funding", "0002_timestamps")]

    operations = [migrations.RunPython(create, drop)]
