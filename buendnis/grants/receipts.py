"""The list of receipts of a payment request, read from a spreadsheet (XLSX).

Applicants keep their receipts in Excel; the request form takes the list as a file instead of
typing each row again. The first sheet's first row names the columns (Datum, Empfänger, Zweck,
Betrag, in any order); every other non-empty row is a receipt. Every mistake is reported with its
row, in German, and nothing is read unless every row is right.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from buendnis.core.forms import parse_amount

from .services import ReceiptLine

# A request's receipts fit on a few pages; a sheet far beyond this is the wrong file.
MAX_ROWS = 500
# Zip bombs: what the workbook may unpack to.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
CENT = Decimal("0.01")

# The column names people write, lower-cased, to the field they fill.
COLUMNS = {
    "datum": "paid_on",
    "bezahlt am": "paid_on",
    "empfänger": "payee",
    "empfänger/in": "payee",
    "zweck": "purpose",
    "betrag": "amount",
    "betrag (€)": "amount",
}
REQUIRED = ("paid_on", "payee", "purpose", "amount")
COLUMN_LABELS = {"paid_on": "Datum", "payee": "Empfänger", "purpose": "Zweck", "amount": "Betrag"}


def _not_a_workbook() -> ValidationError:
    return ValidationError(
        _(
            "Die Datei lässt sich nicht als Excel-Arbeitsmappe lesen; sie ist beschädigt oder "
            "keine .xlsx-Datei. Bitte die Belegliste in Excel oder LibreOffice als .xlsx speichern."
        ),
        code="unreadable",
    )


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern in ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar day
        except ValueError:
            continue
    raise ValueError(text)


def _amount(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float | Decimal):
        # A float cell holds what the sheet shows, e.g. 1234.5; str() gives its shortest form.
        amount = Decimal(str(value))
    else:
        amount = parse_amount(_text(value))
    if amount <= 0 or amount != amount.quantize(CENT):
        raise ValueError(value)
    return amount


def read_receipts(upload: IO[bytes]) -> list[ReceiptLine]:
    """The receipts of the first sheet, in their order. Raises ValidationError with one German
    message per wrong row (or one for a file that is no workbook or lacks a column)."""
    from openpyxl import load_workbook

    content = upload.read()
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _not_a_workbook() from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise _not_a_workbook()
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken file; all mean the same
        raise _not_a_workbook() from exc
    try:
        sheet = workbook.worksheets[0]
        rows = list(sheet.iter_rows(max_row=MAX_ROWS + 2, max_col=20, values_only=True))
    except Exception as exc:  # a broken part of the file shows only while it is read
        raise _not_a_workbook() from exc
    finally:
        workbook.close()
    if not rows:
        raise ValidationError(_("Die Belegliste ist leer."), code="empty")
    header = {
        COLUMNS[_text(name).lower()]: index
        for index, name in enumerate(rows[0])
        if _text(name).lower() in COLUMNS
    }
    missing = [COLUMN_LABELS[field] for field in REQUIRED if field not in header]
    if missing:
        raise ValidationError(
            _(
                "In der ersten Zeile fehlt die Spalte %(columns)s. Erwartet werden die Spalten "
                "Datum, Empfänger, Zweck und Betrag."
            )
            % {"columns": ", ".join(f"„{name}“" for name in missing)},
            code="columns",
        )
    if len(rows) > MAX_ROWS + 1:
        raise ValidationError(
            _("Die Belegliste hat mehr als %(limit)s Zeilen; bitte teilen Sie den Abruf auf.")
            % {"limit": MAX_ROWS},
            code="too_long",
        )
    lines: list[ReceiptLine] = []
    errors: list[str] = []
    for number, row in enumerate(rows[1:], start=2):
        cells = {
            field: (row[index] if index < len(row) else None) for field, index in header.items()
        }
        if all(_text(value) == "" for value in cells.values()):
            continue  # empty rows between and after the receipts
        problems = []
        paid_on: date | None = None
        amount: Decimal | None = None
        try:
            paid_on = _day(cells["paid_on"])
        except ValueError:
            problems.append(
                _("das Datum „%(value)s“ ist kein Tag wie 05.06.2018")
                % {"value": _text(cells["paid_on"])}
                if _text(cells["paid_on"])
                else _("das Datum fehlt")
            )
        payee, purpose = _text(cells["payee"]), _text(cells["purpose"])
        if not payee:
            problems.append(_("der Empfänger fehlt"))
        if not purpose:
            problems.append(_("der Zweck fehlt"))
        try:
            amount = _amount(cells["amount"])
        except (ValueError, ValidationError, InvalidOperation):
            problems.append(
                _("der Betrag „%(value)s“ ist kein positiver Betrag in Euro mit Cent")
                % {"value": _text(cells["amount"])}
                if _text(cells["amount"])
                else _("der Betrag fehlt")
            )
        if problems or paid_on is None or amount is None:
            errors.append(
                _("Zeile %(row)s: %(problems)s.") % {"row": number, "problems": "; ".join(problems)}
            )
            continue
        lines.append(ReceiptLine(paid_on=paid_on, payee=payee, purpose=purpose, amount=amount))
    if errors:
        raise ValidationError([ValidationError(message, code="row") for message in errors])
    if not lines:
        raise ValidationError(_("Die Belegliste enthält keine Belege."), code="empty")
    return lines
