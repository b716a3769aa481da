"""Cells as the platform's values: German dates and amounts, Excel numbers without float
arithmetic."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from buendnis.onboarding import values
from buendnis.onboarding.values import CellError

D = Decimal


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("05.06.2018", date(2018, 6, 5)),
        ("5.6.2018", date(2018, 6, 5)),
        (" 2018-06-05 ", date(2018, 6, 5)),
        (datetime(2018, 6, 5, 0, 0), date(2018, 6, 5)),  # noqa: DTZ001 - cells are naive
        (date(2018, 6, 5), date(2018, 6, 5)),
        (None, None),
        ("  ", None),
    ],
)
def test_dates(cell, expected):
    assert values.day(cell) == expected


@pytest.mark.parametrize(
    ("cell", "says"),
    [
        ("31.02.2019", "Den 31.02.2019 gibt es nicht"),
        ("05.06.18", "ist kein Datum"),
        ("Juni 2018", "ist kein Datum"),
        (43256, "ist eine Zahl, kein Datum"),
    ],
)
def test_what_is_no_date(cell, says):
    with pytest.raises(CellError) as caught:
        values.day(cell)
    assert says in caught.value.message


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1.500.000,00", D("1500000.00")),
        ("1500000,5", D("1500000.50")),
        ("12.500 €", D("12500.00")),
        ("1.500", D("1500.00")),
        (1500000, D("1500000.00")),
        (1234.56, D("1234.56")),
        (0.1 + 0.2, D("0.30")),  # 0.30000000000000004: float noise, not a third decimal
        (123456789.99, D("123456789.99")),
        (D("7.10"), D("7.10")),
        (0, D("0.00")),
        (None, None),
    ],
)
def test_amounts(cell, expected):
    amount = values.money(cell)
    assert amount == expected
    if amount is not None:
        assert amount.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("cell", "says"),
    [
        ("12,345", "kein eindeutiger Betrag"),
        ("1,500.00", "kein eindeutiger Betrag"),
        ("zwölf", "kein eindeutiger Betrag"),
        (12.345, "mehr als zwei Nachkommastellen"),
        ("-5,00", "nicht negativ"),
        (-5, "nicht negativ"),
        (1e13, "zu groß"),
        (float("nan"), "keine Zahl"),
        (True, "kein Betrag"),
        (datetime(2020, 1, 1), "kein Betrag"),  # noqa: DTZ001 - cells are naive
    ],
)
def test_what_is_no_amount(cell, says):
    with pytest.raises(CellError) as caught:
        values.money(cell)
    assert says in caught.value.message


def test_rates_counts_choices_and_text():
    assert values.percent("62,5 %") == D("62.50")
    assert values.percent(50) == D("50.00")
    assert values.percent(D("50.0")) == D("50.00")
    with pytest.raises(CellError):
        values.percent("fünfzig")
    assert values.integer("1.200") == 1200
    assert values.integer(12.0) == 12
    with pytest.raises(CellError):
        values.integer(12.5)
    with pytest.raises(CellError):
        values.integer("-3")
    options = [("closed", "Abgeschlossen"), ("running", "In Umsetzung")]
    assert values.choice(" in  umsetzung ", options) == "running"
    assert values.choice("closed", options) == "closed"
    with pytest.raises(CellError) as caught:
        values.choice("Fertig", options)
    assert "Möglich sind: „Abgeschlossen“, „In Umsetzung“." in caught.value.message
    assert values.text(38100.0) == "38100"
    assert values.text("  Stadt   Musterstadt ") == "Stadt Musterstadt"
    # What an export quoted against formulas comes back as it was.
    assert values.text(values.quote_formula("=SUMME(A1)")) == "=SUMME(A1)"
    assert values.text("'Apostroph") == "'Apostroph"
