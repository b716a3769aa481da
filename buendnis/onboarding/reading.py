"""Reading an upload: an Excel workbook (.xlsx, one sheet per kind of record) or a CSV file (one
sheet, named by the caller) into rows of raw cells, by the headers of `columns.SHEETS`.

The kind of file is read from its content, not trusted from its name; its size, its unpacked
size and its rows are bounded. What cannot be read at all raises `Unreadable` with a German
message; a missing column that must be filled is a `Problem` of its sheet's row 1. Other columns
may be left out: a sheet without them says nothing about them (the import then changes nothing
there, and a new record gets the platform's default).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .columns import SHEETS, Kind, Sheet, normalise

XLSX_SIGNATURE = b"PK\x03\x04"
# More rows than an alliance's history has; more would only be a mistake or an attack.
MAX_ROWS = 5000
# Rows are read up to this number (empty ones in between are skipped, but still cost time).
MAX_ROW_NUMBER = 20000
MAX_COLUMNS = 60
# A workbook is a zip file: a few MB may unpack to gigabytes (a "zip bomb").
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
CSV_ENDINGS = frozenset({".csv", ".txt"})
XLSX_ENDINGS = frozenset({".xlsx", ".xlsm"})
OTHER_SPREADSHEETS = frozenset({".xls", ".ods", ".numbers", ".xlsb"})


class Unreadable(Exception):
    """The file as a whole cannot be read; the message is German and says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Problem:
    """What is wrong, where: the sheet's name, the row as the spreadsheet numbers it (the header
    is row 1), the column's header ("" for the whole row) and a German message. A problem of the
    whole file has no sheet and no row."""

    sheet: str
    row: int | None
    column: str
    message: str


@dataclass
class RawRow:
    number: int
    cells: dict[str, Any]


@dataclass
class Table:
    sheet: Sheet
    rows: list[RawRow] = field(default_factory=list)
    # The keys of the columns the sheet has.
    present: set[str] = field(default_factory=set)


@dataclass
class Reading:
    tables: list[Table] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def table(self, sheet: Sheet) -> Table | None:
        return next((table for table in self.tables if table.sheet is sheet), None)


def read(content: bytes, filename: str, *, sheet: Sheet | None = None) -> Reading:
    """The rows of the file. A CSV file holds the one sheet `sheet` names."""
    name = PurePath(filename or "").name
    limit = settings.MAX_UPLOAD_BYTES
    if len(content) > limit:
        raise Unreadable(
            _("Die Datei ist %(size)s groß; erlaubt sind höchstens %(limit)s.")
            % {"size": filesizeformat(len(content)), "limit": filesizeformat(limit)}
        )
    if not content:
        raise Unreadable(_("Die Datei „%(name)s“ ist leer.") % {"name": name})
    ending = PurePath(name).suffix.lower()
    if ending in XLSX_ENDINGS:
        if not content.startswith(XLSX_SIGNATURE):
            raise Unreadable(
                _(
                    "Die Datei „%(name)s“ ist keine Excel-Arbeitsmappe, auch wenn ihr Name so "
                    "endet; geprüft wird der Inhalt. Bitte die Tabelle in Excel oder LibreOffice "
                    "als .xlsx speichern."
                )
                % {"name": name}
            )
        return _read_workbook(content, name)
    if ending in CSV_ENDINGS:
        if sheet is None:
            raise Unreadable(_("Bitte angeben, welches Blatt die CSV-Datei enthält."))
        return _read_csv(content, name, sheet)
    if ending in OTHER_SPREADSHEETS:
        raise Unreadable(
            _(
                "Dateien im Format „%(ending)s“ liest der Import nicht. Bitte die Tabelle als "
                "Excel-Arbeitsmappe (.xlsx) oder als CSV-Datei speichern."
            )
            % {"ending": ending}
        )
    raise Unreadable(
        _(
            "Die Datei „%(name)s“ ist weder eine Excel-Arbeitsmappe (.xlsx) noch eine CSV-Datei "
            "(.csv)."
        )
        % {"name": name}
    )


# --- Excel -----------------------------------------------------------------------------------


def _unpacked_size(content: bytes, name: str) -> int:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _not_a_workbook(name) from exc


def _not_a_workbook(name: str) -> Unreadable:
    return Unreadable(
        _(
            "Die Datei „%(name)s“ lässt sich nicht als Excel-Arbeitsmappe lesen; sie ist "
            "beschädigt oder keine .xlsx-Datei. Bitte die Tabelle in Excel oder LibreOffice "
            "erneut als .xlsx speichern."
        )
        % {"name": name}
    )


def _read_workbook(content: bytes, name: str) -> Reading:
    from openpyxl import load_workbook

    if _unpacked_size(content, name) > MAX_UNPACKED_BYTES:
        raise Unreadable(
            _("Die Arbeitsmappe „%(name)s“ ist entpackt zu groß für einen Import.") % {"name": name}
        )
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken file; all mean the same
        raise _not_a_workbook(name) from exc
    reading = Reading()
    by_title = {normalise(sheet.title): sheet for sheet in SHEETS}
    try:
        for worksheet in workbook.worksheets:
            sheet = by_title.get(normalise(worksheet.title))
            if sheet is None or reading.table(sheet) is not None:
                continue
            cells = worksheet.iter_rows(max_row=MAX_ROW_NUMBER, max_col=MAX_COLUMNS)
            rows = (
                (number, [(cell.value, getattr(cell, "number_format", "")) for cell in row])
                for number, row in enumerate(cells, start=1)
            )
            _read_rows(reading, sheet, rows)
            if (worksheet.max_row or 0) > MAX_ROW_NUMBER:
                reading.problems.append(
                    Problem(
                        sheet.title,
                        MAX_ROW_NUMBER + 1,
                        "",
                        _(
                            "Das Blatt reicht bis Zeile %(last)s; gelesen werden höchstens "
                            "%(limit)s Zeilen. Bitte leere Zeilen am Ende löschen oder auf "
                            "mehrere Dateien verteilen."
                        )
                        % {"last": worksheet.max_row, "limit": MAX_ROW_NUMBER},
                    )
                )
    except Exception as exc:  # a broken part of the file shows only while it is read
        raise _not_a_workbook(name) from exc
    finally:
        workbook.close()
    if not reading.tables:
        raise Unreadable(
            _(
                "Die Arbeitsmappe „%(name)s“ enthält keines der Blätter %(sheets)s; gelesen "
                "werden die Blätter mit diesen Namen. Die Vorlage zeigt, wie es aussieht."
            )
            % {"name": name, "sheets": ", ".join(f"„{sheet.title}“" for sheet in SHEETS)}
        )
    return reading


# --- CSV ---------------------------------------------------------------------------------------


def _decode(content: bytes, name: str) -> str:
    if b"\x00" in content:
        raise Unreadable(
            _(
                "Die Datei „%(name)s“ ist keine CSV-Datei (kein Text); geprüft wird der Inhalt. "
                "Bitte die Tabelle als CSV speichern."
            )
            % {"name": name}
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # German Excel saves "CSV (Trennzeichen-getrennt)" in Windows-1252.
        return content.decode("cp1252", errors="replace")


def _delimiter(first_line: str) -> str:
    counts = {delimiter: first_line.count(delimiter) for delimiter in (";", "\t", ",")}
    return max(counts, key=lambda delimiter: counts[delimiter])


def _read_csv(content: bytes, name: str, sheet: Sheet) -> Reading:
    text = _decode(content, name)
    delimiter = _delimiter(text.split("\n", 1)[0])
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    reading = Reading()
    try:
        rows = (
            (number, [(value, "") for value in record[:MAX_COLUMNS]])
            for number, record in enumerate(records, start=1)
        )
        _read_rows(reading, sheet, rows)
    except csv.Error as exc:
        raise Unreadable(
            _("Die CSV-Datei „%(name)s“ lässt sich nicht lesen: %(reason)s")
            % {"name": name, "reason": str(exc)}
        ) from exc
    return reading


# --- Both --------------------------------------------------------------------------------------


def _read_rows(reading: Reading, sheet: Sheet, rows: Any) -> None:
    """Row 1 holds the headers; the rest are records (empty ones are skipped)."""
    table = Table(sheet)
    reading.tables.append(table)
    first = next(rows, None)
    if first is None:
        return
    positions: dict[str, int] = {}
    wanted = {normalise(column.header): column for column in sheet.columns}
    for position, (value, _format) in enumerate(first[1]):
        column = wanted.get(normalise(str(value))) if value is not None else None
        if column is None:
            continue  # a column of the office's own (notes …) is left alone
        if column.key in positions:
            reading.problems.append(
                Problem(sheet.title, 1, column.header, _("Die Spalte steht zweimal in Zeile 1."))
            )
        positions[column.key] = position
    table.present = set(positions)
    missing = [
        column for column in sheet.columns if column.required and column.key not in positions
    ]
    for column in missing:
        reading.problems.append(
            Problem(
                sheet.title,
                1,
                column.header,
                _("Die Spalte „%(header)s“ fehlt in Zeile 1.") % {"header": column.header},
            )
        )
    if missing:
        return
    for number, cells in rows:
        values: dict[str, Any] = {}
        for column in sheet.columns:
            if column.key not in positions:
                continue
            position = positions[column.key]
            value, number_format = cells[position] if position < len(cells) else (None, "")
            if (
                column.kind is Kind.PERCENT
                and isinstance(value, int | float)
                and not isinstance(value, bool)
                and "%" in (number_format or "")
            ):
                # A cell formatted as percent holds 0.5 for 50 %.
                value = Decimal(str(value)) * 100
            values[column.key] = value
        if all(
            value is None or (isinstance(value, str) and not value.strip())
            for value in values.values()
        ):
            continue
        if len(table.rows) >= MAX_ROWS:
            reading.problems.append(
                Problem(
                    sheet.title,
                    number,
                    "",
                    _(
                        "Das Blatt hat mehr als %(limit)s Zeilen; bitte auf mehrere Dateien "
                        "verteilen."
                    )
                    % {"limit": MAX_ROWS},
                )
            )
            return
        table.rows.append(RawRow(number, values))
