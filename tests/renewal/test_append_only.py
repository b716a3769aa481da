"""A version of the strategy and a decision of the ministry are written once: neither the model,
nor a bulk write, nor a writer that skips the ORM changes or removes them."""

from collections.abc import Callable

import pytest
from django.db import IntegrityError, connection, models, transaction

from buendnis.renewal.models import RecognitionDecision, StrategyVersion

from .conftest import Cycle

pytestmark = pytest.mark.django_db

VERSION = "Eine Fassung der Strategie bleibt; Änderungen sind eine neue Fassung."
DECISION = "Eine Entscheidung des Ministeriums bleibt; sie wird nie geändert."
# The database's own words (migration renewal 0002).
VERSION_DB = "Eine Fassung der Strategie wird nie geändert."
DECISION_DB = "Eine Entscheidung des Ministeriums wird nie geändert."


def a_version(cycle: Cycle) -> StrategyVersion:
    phase = cycle.prepare()
    return StrategyVersion.objects.get(strategy__phase=phase)


def a_decision(cycle: Cycle) -> RecognitionDecision:
    phase = cycle.applied()
    cycle.decide(phase, "changes_requested", reason="Bitte ergänzen.")
    return RecognitionDecision.objects.get(phase=phase)


CASES: list[tuple[Callable[[Cycle], models.Model], str, str, str, object]] = [
    (a_version, VERSION, VERSION_DB, "analysis", ""),
    (a_decision, DECISION, DECISION_DB, "reason", "Bitte ergänzen."),
]
IDS = ["strategy_version", "recognition_decision"]


@pytest.mark.parametrize(("make", "message", "db_message", "field", "kept"), CASES, ids=IDS)
def test_the_model_refuses_to_change_or_delete(  # noqa: PLR0913
    cycle: Cycle,
    make: Callable[[Cycle], models.Model],
    message: str,
    db_message: str,
    field: str,
    kept: object,
) -> None:
    row = make(cycle)
    setattr(row, field, "umgeschrieben")
    with pytest.raises(ValueError, match=message):
        row.save()
    with pytest.raises(ValueError, match=message):
        row.delete()
    manager = type(row)._default_manager
    with pytest.raises(ValueError, match=message):
        manager.filter(pk=row.pk).update(**{field: "umgeschrieben"})
    with pytest.raises(ValueError, match=message):
        manager.filter(pk=row.pk).delete()
    with pytest.raises(ValueError, match=message):
        manager.bulk_update([row], [field])
    assert getattr(manager.get(pk=row.pk), field) == kept


@pytest.mark.parametrize(("make", "message", "db_message", "field", "kept"), CASES, ids=IDS)
def test_the_database_refuses_a_raw_update(  # noqa: PLR0913
    cycle: Cycle,
    make: Callable[[Cycle], models.Model],
    message: str,
    db_message: str,
    field: str,
    kept: object,
) -> None:
    row = make(cycle)
    table = connection.ops.quote_name(row._meta.db_table)
    column = connection.ops.quote_name(row._meta.get_field(field).column)
    with (
        pytest.raises(IntegrityError, match=db_message),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {table} SET {column} = 'x' WHERE id = %s", [row.pk])  # noqa: S608
    assert getattr(type(row)._default_manager.get(pk=row.pk), field) == kept


@pytest.mark.parametrize(("make", "message", "db_message", "field", "kept"), CASES, ids=IDS)
def test_the_database_refuses_a_raw_delete_on_postgresql(  # noqa: PLR0913
    cycle: Cycle,
    make: Callable[[Cycle], models.Model],
    message: str,
    db_message: str,
    field: str,
    kept: object,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's test flush is a DELETE: there the model refuses deletes (above)")
    row = make(cycle)
    table = connection.ops.quote_name(row._meta.db_table)
    with (
        pytest.raises(IntegrityError, match=db_message),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [row.pk])  # noqa: S608
    assert type(row)._default_manager.filter(pk=row.pk).exists()


def test_a_new_version_is_a_new_row(cycle: Cycle) -> None:
    first = a_version(cycle)
    cycle.write_strategy(first.strategy.phase)
    assert list(
        StrategyVersion.objects.filter(strategy=first.strategy).values_list("number", flat=True)
    ) == [2, 1]


def test_a_phase_with_a_strategy_version_is_not_deleted_in_the_admin(cycle, client_as) -> None:  # type: ignore[no-untyped-def]
    """The versions are append-only: the admin names them as the reason and deletes nothing
    (before, PostgreSQL's trigger failed the cascade with a server error)."""
    from buendnis.alliances.models import FundingPhase
    from buendnis.renewal.models import StrategyVersion

    phase = cycle.prepare()
    client = client_as("admin")
    url = f"/admin/alliances/fundingphase/{phase.pk}/delete/"
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["protected"]
    client.post(url, {"post": "yes"})
    assert FundingPhase.objects.filter(pk=phase.pk).exists()
    assert StrategyVersion.objects.filter(strategy__phase=phase).exists()
