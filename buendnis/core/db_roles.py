"""Two database roles in production: the owner, who migrates, and the application's login.

The append-only triggers (`buendnis.core.db.append_only_trigger`) refuse UPDATE and DELETE, but a
table's owner may `ALTER TABLE … DISABLE TRIGGER` or `TRUNCATE` it. So the application logs in as
a role that owns nothing and holds only what it needs: on the append-only tables SELECT and
INSERT, on every other table SELECT, INSERT, UPDATE and DELETE, on sequences USAGE and SELECT.
"""

from __future__ import annotations

from django.apps import apps
from django.db.backends.base.base import BaseDatabaseWrapper

from .append_only import AppendOnlyModel
from .errors import DomainError


def append_only_tables() -> set[str]:
    """The tables of every concrete AppendOnlyModel: the models decide, no list can drift."""
    return {
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, AppendOnlyModel) and not model._meta.proxy
    }


def _schema_tables(connection: BaseDatabaseWrapper) -> list[tuple[str, str]]:
    """(table, owner) of every table in the current schema, Django's or not."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, tableowner FROM pg_tables WHERE schemaname = current_schema() "
            "ORDER BY tablename"
        )
        return [(str(name), str(owner)) for name, owner in cursor.fetchall()]


def app_role_grant(*, connection: BaseDatabaseWrapper, role: str) -> dict[str, list[str]]:
    """Give `role` the application's privileges on every table of the current schema; idempotent.

    Precondition: `connection` is the owner's (or a superuser's), after `migrate`. Each table's
    privileges are revoked first, so a grant made by hand before (UPDATE on the ledger, say) does
    not survive a run. Returns {"append_only": tables, "ordinary": tables}.
    """
    if connection.vendor != "postgresql":
        raise DomainError("Datenbankrollen gibt es nur mit PostgreSQL (DATABASE_URL).")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolname = current_user FROM pg_roles WHERE rolname = %s", [role]
        )
        row = cursor.fetchone()
    if row is None:
        raise DomainError(
            f"Die Rolle „{role}“ gibt es nicht. Zuerst anlegen: CREATE ROLE {role} LOGIN PASSWORD '…';"
        )
    superuser, is_self = row
    if superuser or is_self:
        raise DomainError(
            f"Die Rolle „{role}“ ist Superuser oder die angemeldete Rolle selbst; die Anwendung "
            "braucht eine eigene Rolle ohne Sonderrechte."
        )
    tables = _schema_tables(connection)
    owned = [name for name, owner in tables if owner == role]
    if owned:
        raise DomainError(
            f"Die Rolle „{role}“ besitzt Tabellen ({', '.join(owned[:5])} …); als Besitzerin "
            "könnte sie die Schutz-Trigger abschalten. Besitz übertragen: "
            f"REASSIGN OWNED BY {role} TO <Eigentümerrolle>;"
        )
    protected = append_only_tables()
    missing = protected - {name for name, _owner in tables}
    if missing:
        raise DomainError(
            f"Tabellen fehlen ({', '.join(sorted(missing))}): zuerst `manage.py migrate` als "
            "Eigentümerrolle ausführen."
        )
    quote = connection.ops.quote_name
    grantee = quote(role)
    result: dict[str, list[str]] = {"append_only": [], "ordinary": []}
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), current_schema()")
        database, schema = cursor.fetchone()
        cursor.execute(f"GRANT CONNECT ON DATABASE {quote(database)} TO {grantee}")
        cursor.execute(f"GRANT USAGE ON SCHEMA {quote(schema)} TO {grantee}")
        for name, _owner in tables:
            cursor.execute(f"REVOKE ALL ON TABLE {quote(name)} FROM {grantee}")
            if name in protected:
                cursor.execute(f"GRANT SELECT, INSERT ON TABLE {quote(name)} TO {grantee}")
                result["append_only"].append(name)
            else:
                cursor.execute(
                    f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE {quote(name)} TO {grantee}"
                )
                result["ordinary"].append(name)
        # Ids: AutoFields are identity columns, whose sequences need no grant for INSERT; a
        # serial column or a sequence of its own (older tables, extensions) does.
        cursor.execute(
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {quote(schema)} TO {grantee}"
        )
    return result
