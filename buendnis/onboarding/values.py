"""What a cell holds, read as the platform's value: pure functions, no database.

A cell comes from openpyxl (str, int, float, datetime, bool or None) or from a CSV file (str).
Amounts become Decimal with cents, never float arithmetic: an Excel number is read through its
shortest decimal text (`str(float)`) and must not carry more than two decimals of real precision
(0.30000000000000004 is 0,30; 12,345 is refused). Text amounts are German (`1.500.000,00`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from buendnis.core.forms import parse_amount

CENT = Decimal("0.01")
# What a DecimalField(max_digits=14, decimal_places=2) holds.
MONEY_LIMIT = Decimal("1000000000000")
# A float's noise below this is no real decimal: 0.1 + 0.2 is 0.30.
FLOAT_NOISE = Decimal("0.000001")
# Spreadsheets run a cell that starts with one of these as a formula; exports quote them with '.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_INTEGER = re.compile(r"^(\d{1,3}(?:\.\d{3})+|\d+)$")
_PERCENT = re.compile(r"^(\d{1,3})(?:[,.](\d{1,2}))?$")


class CellError(ValueError):
    """The cell cannot be read as its column's kind; the message is German and says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _shown(raw: Any) -> str:
    """The cell as the person sees it, for messages."""
    if isinstance(raw, datetime | date):
        return raw.strftime("%d.%m.%Y")
    return str(raw).strip()


def quote_formula(text: str) -> str:
    """A text that a spreadsheet would run as a formula, quoted (OWASP "CSV injection")."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def text(raw: Any) -> str:
    """A text cell; numbers as people wrote them (a postcode 38100, not 38100.0)."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return _("ja") if raw else _("nein")
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime | date):
        return raw.strftime("%d.%m.%Y")
    value = " ".join(str(raw).split())
    # What an export quoted comes back unquoted.
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        value = value[1:]
    return value


def day(raw: Any) -> date | None:
    """A date cell, `05.06.2018` or `2018-06-05`."""
    if is_blank(raw):
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raise CellError(
            _(
                "„%(value)s“ ist eine Zahl, kein Datum. Bitte die Zelle als Datum formatieren "
                "oder das Datum als TT.MM.JJJJ schreiben, z. B. 05.06.2018."
            )
            % {"value": _shown(raw)}
        )
    value = str(raw).strip()
    match = _GERMAN_DATE.match(value)
    if match is not None:
        day_part, month, year = (int(part) for part in match.groups())
    else:
        match = _ISO_DATE.match(value)
        if match is None:
            raise CellError(
                _("„%(value)s“ ist kein Datum. Bitte als TT.MM.JJJJ schreiben, z. B. 05.06.2018.")
                % {"value": value}
            )
        year, month, day_part = (int(part) for part in match.groups())
    try:
        return date(year, month, day_part)
    except ValueError as exc:
        raise CellError(
            _("Den %(value)s gibt es nicht: bitte Tag und Monat prüfen.") % {"value": value}
        ) from exc


def _cents(value: Decimal, raw: Any) -> Decimal:
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if abs(value - rounded) > FLOAT_NOISE:
        raise CellError(
            _(
                "„%(value)s“ hat mehr als zwei Nachkommastellen; Beträge werden auf den Cent genau "
                "übernommen."
            )
            % {"value": _shown(raw)}
        )
    return rounded


def _number(raw: int | float | Decimal) -> Decimal:
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise CellError(_("„%(value)s“ ist keine Zahl.") % {"value": _shown(raw)})
        return Decimal(str(raw))
    return Decimal(raw)


def money(raw: Any) -> Decimal | None:
    """An amount in euro: a number cell or German text (`1.500.000,00`, `1500000,5`, `12.500 €`)."""
    if is_blank(raw):
        return None
    if isinstance(raw, bool | datetime | date):
        raise CellError(_("„%(value)s“ ist kein Betrag.") % {"value": _shown(raw)})
    if isinstance(raw, int | float | Decimal):
        amount = _cents(_number(raw), raw)
    else:
        try:
            # The file's notation is German, whatever language the interface speaks.
            with translation.override("de"):
                amount = parse_amount(str(raw))
        except ValidationError as exc:
            raise CellError(
                _(
                    "„%(value)s“ ist kein eindeutiger Betrag. Bitte z. B. 1.500.000,00 oder "
                    "1500000,00 schreiben (höchstens zwei Nachkommastellen, nach dem Komma)."
                )
                % {"value": _shown(raw)}
            ) from exc
    if amount < 0:
        raise CellError(_("Beträge dürfen nicht negativ sein."))
    if amount >= MONEY_LIMIT:
        raise CellError(_("„%(value)s“ ist zu groß für einen Betrag.") % {"value": _shown(raw)})
    return amount + 0  # -0.00 → 0.00


def percent(raw: Any) -> Decimal | None:
    """A rate in percent: a number cell (50, or 0,5 in a cell formatted as %: the reader passes it
    as 50) or text (`50`, `62,5 %`)."""
    if is_blank(raw):
        return None
    if isinstance(raw, bool | datetime | date):
        raise CellError(_("„%(value)s“ ist kein Prozentsatz.") % {"value": _shown(raw)})
    if isinstance(raw, int | float | Decimal):
        return _cents(_number(raw), raw)
    value = str(raw).replace("%", "").replace("\u00a0", "").strip()
    match = _PERCENT.match(value)
    if match is None:
        raise CellError(
            _("„%(value)s“ ist kein Prozentsatz. Bitte z. B. 50 oder 62,5 schreiben.")
            % {"value": _shown(raw)}
        )
    whole, fraction = match.groups()
    try:
        return Decimal(f"{whole}.{(fraction or '0').ljust(2, '0')}")
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only digits
        raise CellError(_("„%(value)s“ ist keine Zahl.") % {"value": _shown(raw)}) from exc


def integer(raw: Any) -> int | None:
    """A count: a whole number, not negative (`1.200` in German text is 1200)."""
    if is_blank(raw):
        return None
    if isinstance(raw, bool | datetime | date):
        raise CellError(_("„%(value)s“ ist keine ganze Zahl.") % {"value": _shown(raw)})
    if isinstance(raw, float):
        if not raw.is_integer():
            raise CellError(_("„%(value)s“ ist keine ganze Zahl.") % {"value": _shown(raw)})
        raw = int(raw)
    if isinstance(raw, int):
        number = raw
    else:
        value = str(raw).strip()
        match = _INTEGER.match(value)
        if match is None:
            if value.startswith("-"):
                raise CellError(_("Die Zahl darf nicht negativ sein."))
            raise CellError(_("„%(value)s“ ist keine ganze Zahl.") % {"value": value})
        number = int(value.replace(".", ""))
    if number < 0:
        raise CellError(_("Die Zahl darf nicht negativ sein."))
    return number


def choice(raw: Any, options: Sequence[tuple[str, str]]) -> str | None:
    """One of `options` (value, German label), named by its label or its value."""
    if is_blank(raw):
        return None
    wanted = " ".join(str(raw).split()).casefold()
    for value, label in options:
        if wanted in (label.casefold(), value.casefold()):
            return value
    raise CellError(
        _("„%(value)s“ ist hier nicht vorgesehen. Möglich sind: %(options)s.")
        % {
            "value": _shown(raw),
            "options": ", ".join(f"„{label}“" for _value, label in options),
        }
    )
