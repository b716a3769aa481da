"""How the platform writes money, rates and dates: `1.500.000,00 €`, `50 %`, `05.06.2018`.

German public bodies write amounts with cent precision and the euro sign after the number; the
English interface puts the sign first. Amounts are Decimal end to end: a float here would mean a
rounding error somewhere upstream, so it is refused instead of printed.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import formats, timezone
from django.utils.translation import get_language

register = template.Library()

CENT = Decimal("0.01")


def _german() -> bool:
    return (get_language() or "de").lower().startswith("de")


def _as_decimal(value: Decimal | int) -> Decimal:
    # bool is an int subclass, and float has no exact cents: both are programming errors here.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"Geldbeträge sind Decimal, nicht {type(value).__name__}.")
    return Decimal(value)


@register.filter
def money(value: Decimal | int | None) -> str:
    """`Decimal("1500000")` → `1.500.000,00 €` (German) or `€1,500,000.00` (English)."""
    if value is None or value == "":
        return ""
    amount = _as_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    number = formats.number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{number} €" if _german() else f"€{number}"


@register.filter
def number(value: int | None) -> str:
    """A count of people or things: `1500` → `1.500` (German) or `1,500` (English)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"Anzahlen sind ganze Zahlen, nicht {type(value).__name__}.")
    return formats.number_format(value, use_l10n=True, force_grouping=True)


@register.filter
def percent(value: Decimal | int | None) -> str:
    """`Decimal("50.00")` → `50 %`, `Decimal("62.50")` → `62,5 %`: no trailing zeros."""
    if value is None or value == "":
        return ""
    rate = _as_decimal(value)
    exponent = rate.normalize().as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    number = formats.number_format(rate, decimal_pos=places, use_l10n=True)
    return f"{number} %" if _german() else f"{number}%"


@register.filter
def day(value: date | datetime | None) -> str:
    """A calendar day in the short form of the language: `05.06.2018` in German."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)  # the day as people here see it, not the UTC day
    return formats.date_format(value, "SHORT_DATE_FORMAT")
