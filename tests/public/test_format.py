"""The money, percent and date filters the public pages use."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from buendnis.core.templatetags.buendnis_format import day, money, number, percent


@pytest.mark.parametrize(
    ("value", "german", "english"),
    [
        (Decimal("1500000"), "1.500.000,00 €", "€1,500,000.00"),
        (Decimal("1500000.00"), "1.500.000,00 €", "€1,500,000.00"),
        (Decimal("0.5"), "0,50 €", "€0.50"),
        (Decimal("999.995"), "1.000,00 €", "€1,000.00"),  # commercial rounding
        (Decimal("2857142.857"), "2.857.142,86 €", "€2,857,142.86"),
        (3, "3,00 €", "€3.00"),
    ],
)
def test_money(value: Decimal, german: str, english: str) -> None:
    assert money(value) == german
    with translation.override("en"):
        assert money(value) == english


def test_money_refuses_float() -> None:
    with pytest.raises(TypeError):
        money(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        money(True)


@pytest.mark.parametrize(
    ("value", "german", "english"), [(0, "0", "0"), (999, "999", "999"), (1500, "1.500", "1,500")]
)
def test_number(value: int, german: str, english: str) -> None:
    assert number(value) == german
    with translation.override("en"):
        assert number(value) == english


def test_number_refuses_what_is_not_a_count() -> None:
    with pytest.raises(TypeError):
        number(1.5)  # type: ignore[arg-type]


def test_empty_values_stay_empty() -> None:
    assert number(None) == ""
    assert money(None) == ""
    assert percent(None) == ""
    assert day(None) == ""


@pytest.mark.parametrize(
    ("value", "german", "english"),
    [
        (Decimal("50.00"), "50 %", "50%"),
        (Decimal("62.50"), "62,5 %", "62.5%"),
        (Decimal("100"), "100 %", "100%"),
        (Decimal("33.33"), "33,33 %", "33.33%"),
    ],
)
def test_percent(value: Decimal, german: str, english: str) -> None:
    assert percent(value) == german
    with translation.override("en"):
        assert percent(value) == english


def test_day() -> None:
    assert day(date(2018, 6, 5)) == "05.06.2018"
    # 22:30 UTC on 30 June is already 1 July in Berlin.
    assert day(datetime(2018, 6, 30, 22, 30, tzinfo=UTC)) == "01.07.2018"


def test_filters_in_a_template() -> None:
    template = Template(
        "{% load buendnis_format %}{{ amount|money }} {{ rate|percent }} {{ on|day }}"
    )
    rendered = template.render(
        Context({"amount": Decimal("1500000"), "rate": Decimal("50.00"), "on": date(2018, 7, 1)})
    )
    assert rendered == "1.500.000,00 € 50 % 01.07.2018"
