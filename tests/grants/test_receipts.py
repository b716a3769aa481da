"""The receipts of a payment request, read from an XLSX sheet: columns by name, rows with German
errors that name the row, nothing read unless every row is right."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from buendnis.grants.receipts import read_receipts
from buendnis.grants.services import ReceiptLine


def sheet(*rows) -> io.BytesIO:
    workbook = Workbook()
    worksheet = workbook.active
    for row in rows:
        worksheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def messages(error: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return error.value.messages


def test_reads_rows_in_any_column_order_with_dates_and_amounts_as_typed():
    upload = sheet(
        ("Zweck", "Datum", "Empfänger", "Betrag"),
        ("Honorar", datetime(2026, 3, 2), "Dozentin", 600),  # noqa: DTZ001 - how Excel stores a day
        (None, None, None, None),
        ("Miete", "15.03.2026", "Raumvermietung", "1.234,50"),
        ("Material", "2026-03-20", "Bürohandel", 99.9),
    )
    assert read_receipts(upload) == [
        ReceiptLine(date(2026, 3, 2), "Dozentin", "Honorar", Decimal("600")),
        ReceiptLine(date(2026, 3, 15), "Raumvermietung", "Miete", Decimal("1234.50")),
        ReceiptLine(date(2026, 3, 20), "Bürohandel", "Material", Decimal("99.9")),
    ]


def test_every_wrong_row_is_named_in_german():
    upload = sheet(
        ("Datum", "Empfänger", "Zweck", "Betrag"),
        ("31.02.2026", "Dozentin", "Honorar", 600),
        (date(2026, 3, 1), "", "Miete", "-5"),
        (date(2026, 3, 2), "Druckerei", "Flyer", 10.005),
        (date(2026, 3, 3), "Druckerei", "Plakate", 20),
    )
    with pytest.raises(ValidationError) as error:
        read_receipts(upload)
    assert messages(error) == [
        "Zeile 2: das Datum „31.02.2026“ ist kein Tag wie 05.06.2018.",
        "Zeile 3: der Empfänger fehlt; der Betrag „-5“ ist kein positiver Betrag in Euro mit Cent.",
        "Zeile 4: der Betrag „10.005“ ist kein positiver Betrag in Euro mit Cent.",
    ]


def test_a_missing_column_an_empty_list_and_a_file_that_is_no_workbook():
    with pytest.raises(ValidationError, match="fehlt die Spalte „Betrag“"):
        read_receipts(sheet(("Datum", "Empfänger", "Zweck"), (date(2026, 3, 1), "A", "B")))
    with pytest.raises(ValidationError, match="keine Belege"):
        read_receipts(sheet(("Datum", "Empfänger", "Zweck", "Betrag")))
    with pytest.raises(ValidationError, match="Excel-Arbeitsmappe"):
        read_receipts(io.BytesIO(b"%PDF-1.7 not a workbook"))
