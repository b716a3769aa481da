"""The German full text of every idea, kept by PostgreSQL for the search (`ideas.search`).

A column `search_vector` that a trigger fills on every write, with a GIN index `idea_search`:
the title weighs most (A), aim, target group, districts and description follow (B). The pool
may hold thousands of ideas of up to 8,000 characters: parsing them all for every search would
take seconds. SQLite searches substrings and gets nothing here. Why a column and a trigger:
`core.db.search_vector_column`.
"""

from django.db import migrations

from buendnis.core.db import search_vector_column

create, drop = search_vector_column(
    "ideas",
    "idea",
    index="idea_search",
    parts=[("A", ["title"]), ("B", ["aim", "target_group", "districts", "text"])],
)


class Migration(migrations.Migration):
    dependencies = [("ideas", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
