"""funding 0003 and office 0004 (the stored full text, PostgreSQL only): forward over existing
rows and back, with Django's migration executor against the real database. On SQLite both ways
do nothing, and must not fail."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("funding", "0002_timestamps"), ("office", "0003_inquiry_idea")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} LIMIT 0")  # noqa: S608 (a fixed name)
        return [column[0] for column in cursor.description]


@pytest.mark.django_db(transaction=True)
def test_forward_over_existing_rows_and_back() -> None:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    executor = _migrate(BEFORE)
    try:
        assert "search_vector" not in _columns("funding_project")
        apps = executor.loader.project_state(BEFORE).apps
        alliance = apps.get_model("alliances", "Alliance").objects.create(slug="son", name="SON")
        group = apps.get_model("alliances", "OrganisationGroup").objects.create(
            alliance=alliance, name="Gruppe"
        )
        organisation = apps.get_model("alliances", "Organisation").objects.create(
            alliance=alliance, group=group, name="Träger"
        )
        phase = apps.get_model("alliances", "FundingPhase").objects.create(
            alliance=alliance,
            name="2018–2021",
            starts_on="2018-07-01",
            ends_on="2021-06-30",
            virtual_budget=1,
            funding_rate=50,
        )
        apps.get_model("funding", "Project").objects.create(
            alliance=alliance,
            phase=phase,
            applicant_organisation=organisation,
            reference="SON-2018-001",
            title="Ausbildungen im Verbund",
        )
    finally:
        _migrate(latest)
    if connection.vendor != "postgresql":
        assert "search_vector" not in _columns("funding_project")
        return
    with connection.cursor() as cursor:
        # The rows that were there get their text on the way forward.
        cursor.execute(
            "SELECT reference FROM funding_project "
            "WHERE search_vector @@ websearch_to_tsquery('german', 'Ausbildung')"
        )
        assert cursor.fetchall() == [("SON-2018-001",)]
    _migrate(BEFORE)
    try:
        assert "search_vector" not in _columns("funding_project")
        assert "search_vector" not in _columns("office_inquirymessage")
    finally:
        _migrate(latest)
    assert "search_vector" in _columns("office_inquirymessage")
