"""Database-level guards that migrations install."""

from __future__ import annotations

from collections.abc import Callable
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


def postgres_only_index(
    app_label: str, model_name: str, index_factory: Callable[[], Any]
) -> tuple[Operation, Operation]:
    """(create, drop) functions for RunPython: an index that only PostgreSQL can build, such as
    a GIN index over a `to_tsvector` expression (`index_factory()` makes it). Other databases get
    nothing: SQLite cannot parse the expression, and its search reads substrings anyway
    (`core.search`).

    The index stays out of the model's `Meta.indexes` on purpose: SQLite rebuilds a table for
    many a later AlterField and would then try to build every index of the model's state. The
    model names the index in a comment; a PostgreSQL test proves the search uses it."""

    def model(apps: Any) -> Any:
        return apps.get_model(app_label, model_name)

    def create(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.add_index(model(apps), index_factory())

    def drop(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.remove_index(model(apps), index_factory())

    return create, drop
