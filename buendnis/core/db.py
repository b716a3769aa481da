"""What migrations install in the database itself: guards of append-only tables, and the stored
full text of the tables the search reads most."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

Operation = Callable[[Any, Any], None]


def append_only_trigger(
    app_label: str, model_name: str, message: str
) -> tuple[Operation, Operation]:
    """(create, drop) functions for RunPython: the database refuses to change the table's rows.

    PostgreSQL: a row-level trigger refuses UPDATE and DELETE (TRUNCATE fires no row trigger, so
    the test suite's flush still works; the application's login should not own the tables).
    SQLite: UPDATE only, because Django's flush there is a plain DELETE; the model's QuerySet
    refuses deletes. SQLite drops triggers when it rebuilds a table for an AlterField: a later
    migration that alters the table must create the trigger again.
    """
    name = f"{app_label}_{model_name}_append_only"
    function = f"{app_label}_{model_name}_refuse_change"

    def table(apps: Any, schema_editor: Any) -> str:
        model = apps.get_model(app_label, model_name)
        return str(schema_editor.quote_name(model._meta.db_table))

    def create(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(
                f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"RAISE EXCEPTION '{message}' USING ERRCODE = 'restrict_violation'; END; $$"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {table(apps, schema_editor)} "
                f"FOR EACH ROW EXECUTE FUNCTION {function}()"
            )
        elif vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE UPDATE ON {table(apps, schema_editor)} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )

    def drop(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table(apps, schema_editor)}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}()")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")

    return create, drop


# The column PostgreSQL keeps a row's German full text in (`core.search.stored_vector`).
SEARCH_COLUMN = "search_vector"


def search_vector_column(
    app_label: str, model_name: str, *, index: str, parts: Sequence[tuple[str, Sequence[str]]]
) -> tuple[Operation, Operation]:
    """(create, drop) functions for RunPython: on PostgreSQL, the table's German full text kept
    in a column of its own (SEARCH_COLUMN, tsvector) with a GIN index named `index`; elsewhere
    nothing (SQLite searches substrings, `core.search`).

    `parts` are (weight, fields): `[("A", ["title"]), ("B", ["summary", "goals"])]` makes
    `setweight(to_tsvector('german', title), 'A') || setweight(to_tsvector('german', summary ||
    ' ' || goals), 'B')`. A trigger computes it on every INSERT and UPDATE, whoever writes; the
    existing rows are filled here.

    Why a stored column and not an index on the expression: a word in most rows (Fachkräfte …)
    makes PostgreSQL scan the table, and then every row's text was parsed once to filter and
    again to rank (2.2 s for 5,000 projects; 14 ms from the column). Why not a generated
    column: PostgreSQL refuses to change the type of a column a generated column reads, which
    would block a later AlterField of these fields. The model does not declare the column, so
    that no other query loads it; renaming a field of `parts` needs a new trigger function."""
    function = f"{app_label}_{model_name}_search_vector"

    def table(apps: Any, schema_editor: Any) -> tuple[str, Callable[[str], str]]:
        meta = apps.get_model(app_label, model_name)._meta

        def column(name: str) -> str:
            return str(schema_editor.quote_name(meta.get_field(name).column))

        return str(schema_editor.quote_name(meta.db_table)), column

    def vector(row: str, column: Callable[[str], str]) -> str:
        weighted = []
        for weight, fields in parts:
            text = " || ' ' || ".join(f"coalesce({row}{column(name)}, '')" for name in fields)
            weighted.append(f"setweight(to_tsvector('german', {text}), '{weight}')")
        return " || ".join(weighted)

    def create(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        name, column = table(apps, schema_editor)
        execute = schema_editor.execute
        execute(f"ALTER TABLE {name} ADD COLUMN {SEARCH_COLUMN} tsvector")
        execute(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"NEW.{SEARCH_COLUMN} := {vector('NEW.', column)}; RETURN NEW; END; $$"
        )
        execute(
            f"CREATE TRIGGER {function} BEFORE INSERT OR UPDATE ON {name} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
        execute(f"UPDATE {name} SET {SEARCH_COLUMN} = {vector('', column)}")  # noqa: S608 (names from the model)
        execute(f"CREATE INDEX {index} ON {name} USING gin ({SEARCH_COLUMN})")

    def drop(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        name, _column = table(apps, schema_editor)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {function} ON {name}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}()")
        # The index goes with the column.
        schema_editor.execute(f"ALTER TABLE {name} DROP COLUMN IF EXISTS {SEARCH_COLUMN}")

    return create, drop
