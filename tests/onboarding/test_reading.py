"""What is no spreadsheet is refused with a German message; what lacks a column is a problem of
its sheet's row 1."""

import io

import pytest
from django.test import override_settings
from openpyxl import Workbook

from buendnis.onboarding.columns import ORGANISATIONS
from buendnis.onboarding.reading import Unreadable, read

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def workbook(**sheets):
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "says"),
    [
        (PNG, "partner.xlsx", "ist keine Excel-Arbeitsmappe, auch wenn ihr Name so endet"),
        (b"PK\x03\x04kaputt", "partner.xlsx", "lässt sich nicht als Excel-Arbeitsmappe lesen"),
        (PNG, "partner.csv", "ist keine CSV-Datei (kein Text)"),
        (b"irgendwas", "partner.xls", "Dateien im Format „.xls“ liest der Import nicht"),
        (PNG, "partner.png", "ist weder eine Excel-Arbeitsmappe (.xlsx) noch eine CSV-Datei"),
        (b"", "leer.xlsx", "ist leer"),
    ],
)
def test_what_is_no_spreadsheet_is_refused_in_german(content, name, says):
    with pytest.raises(Unreadable) as caught:
        read(content, name, sheet=ORGANISATIONS)
    assert says in caught.value.message


@override_settings(MAX_UPLOAD_BYTES=100)
def test_a_file_too_large_is_refused():
    with pytest.raises(Unreadable) as caught:
        read(b"x" * 101, "gross.csv", sheet=ORGANISATIONS)
    assert "erlaubt sind höchstens 100" in caught.value.message


def test_a_csv_file_needs_its_sheet_named():
    with pytest.raises(Unreadable) as caught:
        read(b"Name;Gruppe\r\n", "partner.csv")
    assert "welches Blatt" in caught.value.message


def test_a_workbook_without_known_sheets_says_which_it_reads():
    with pytest.raises(Unreadable) as caught:
        read(workbook(Tabelle1=[["Name"]]), "mappe.xlsx")
    assert "keines der Blätter „Organisationen“, „Personen“" in caught.value.message


def test_missing_columns_are_problems_of_row_1_and_others_are_left_alone():
    reading = read(
        workbook(
            organisationen=[[" name ", "Kurzname", "Notiz der Geschäftsstelle"], ["A", "", "x"]]
        ),
        "mappe.xlsx",
    )
    # Only a column that must be filled must be there; the office's own is left alone.
    assert [(p.sheet, p.row, p.column, p.message) for p in reading.problems] == [
        ("Organisationen", 1, "Gruppe", "Die Spalte „Gruppe“ fehlt in Zeile 1.")
    ]
    complete = read(workbook(Organisationen=[["Name", "Gruppe", "Ort"], ["A", "G", "B"]]), "m.xlsx")
    (table,) = complete.tables
    assert table.present == {"name", "group", "city"}
    assert table.rows[0].cells == {"name": "A", "group": "G", "city": "B"}


def test_rows_keep_the_numbers_the_spreadsheet_shows():
    headers = [column.header for column in ORGANISATIONS.columns]
    content = workbook(
        Organisationen=[headers, ["A", "", "G"], [None] * 3, ["B", "", "G"]],
    )
    (table,) = read(content, "mappe.xlsx").tables
    assert [(row.number, row.cells["name"]) for row in table.rows] == [(2, "A"), (4, "B")]


def test_a_semicolon_csv_from_german_excel_in_windows_1252():
    headers = ";".join(column.header for column in ORGANISATIONS.columns)
    content = f"{headers}\r\nStadt Müllheim;;Kommunen;;;;;;;\r\n".encode("cp1252")
    (table,) = read(content, "partner.csv", sheet=ORGANISATIONS).tables
    assert table.rows[0].cells["name"] == "Stadt Müllheim"


def test_rows_beyond_the_limits_are_problems_not_silently_dropped():
    from buendnis.onboarding import reading

    headers = [column.header for column in ORGANISATIONS.columns]
    book = Workbook()
    sheet = book.active
    sheet.title = "Organisationen"
    sheet.append(headers)
    sheet.cell(row=reading.MAX_ROW_NUMBER + 5, column=1, value="ganz unten")
    buffer = io.BytesIO()
    book.save(buffer)
    far = read(buffer.getvalue(), "mappe.xlsx")
    assert [(p.row, p.column) for p in far.problems] == [(reading.MAX_ROW_NUMBER + 1, "")]
    assert "reicht bis Zeile 20005" in far.problems[0].message

    rows = [headers] + [[f"Organisation {n}", "", "G"] for n in range(reading.MAX_ROWS + 1)]
    many = read(workbook(Organisationen=rows), "mappe.xlsx")
    assert [(p.row, p.column) for p in many.problems] == [(reading.MAX_ROWS + 2, "")]
    assert len(many.tables[0].rows) == reading.MAX_ROWS
