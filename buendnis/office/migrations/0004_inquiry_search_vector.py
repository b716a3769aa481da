"""The German full text of the inquiries' subjects and of their messages, kept by PostgreSQL for
the search (`office.search`).

A column `search_vector` in each table that a trigger fills on every write (the erasure's
blanking too), with the GIN indexes `inquiry_search` and `inquiry_message_search`. SQLite
searches substrings and gets nothing here. Why a column and a trigger:
`core.db.search_vector_column`.
"""

from django.db import migrations

from buendnis.core.db import search_vector_column

inquiry = search_vector_column(
    "office", "inquiry", index="inquiry_search", parts=[("A", ["subject"])]
)
message = search_vector_column(
    "office", "inquirymessage", index="inquiry_message_search", parts=[("B", ["body"])]
)


class Migration(migrations.Migration):
    dependencies = [("office", "0003_inquiry_idea")]

    operations = [migrations.RunPython(*inquiry), migrations.RunPython(*message)]
