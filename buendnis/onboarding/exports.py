"""The alliance's records in the import's own workbook (`columns.SHEETS`): the export, which
imports again without a change, and the template, with one example row per sheet and a sheet of
notes on what each column takes."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import translation

from buendnis.alliances.models import Alliance
from buendnis.core.spreadsheets import DATE_FORMAT, EURO_FORMAT, WORKBOOK_TIME

from . import selectors
from .columns import (
    AGREEMENTS,
    ORGANISATIONS,
    PEOPLE,
    PHASES,
    PROJECTS,
    SHEETS,
    Column,
    Kind,
    Sheet,
)
from .values import quote_formula

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOTES_TITLE = "Hinweise"

Cell = str | Decimal | date | int | None
Rows = dict[str, list[list[Cell]]]


def _label(column: Column, value: str) -> str:
    return dict(column.choices()).get(value, value) if column.choices else value


def export_rows(alliance: Alliance) -> Rows:
    """Every sheet's rows from what the alliance holds (`selectors.holdings`: a fixed number of
    queries). Choices are written with their German labels, whatever the interface speaks."""
    held = selectors.holdings(alliance)
    with translation.override("de"):
        kind = ORGANISATIONS.by_key["group_kind"]
        territory = ORGANISATIONS.by_key["territory"]
        function = PEOPLE.by_key["function"]
        status = PROJECTS.by_key["status"]
        rows: Rows = {sheet.key: [] for sheet in SHEETS}
        for organisation in held.organisations.values():
            rows[ORGANISATIONS.key].append(
                [
                    organisation.name,
                    organisation.short_name,
                    organisation.group.name,
                    _label(kind, organisation.group.kind),
                    _label(territory, organisation.territory) if organisation.territory else "",
                    organisation.street,
                    organisation.postcode,
                    organisation.city,
                    organisation.website,
                    organisation.email,
                    organisation.phone,
                ]
            )
        for person in held.people:
            rows[PEOPLE.key].append(
                [
                    person.organisation.name,
                    person.title,
                    person.first_name,
                    person.last_name,
                    _label(function, person.function),
                    person.position_title,
                    person.email,
                    person.phone,
                ]
            )
        for phase in held.phases.values():
            rows[PHASES.key].append(
                [
                    phase.name,
                    phase.starts_on,
                    phase.ends_on,
                    phase.virtual_budget,
                    phase.funding_rate,
                    phase.recognised_on,
                    phase.recognition_reference,
                ]
            )
        for agreement in held.agreements:
            rows[AGREEMENTS.key].append(
                [
                    agreement.phase.name,
                    agreement.organisation.name,
                    agreement.signed_on,
                    agreement.decision_body,
                    agreement.decision_reference,
                    agreement.decision_date,
                ]
            )
        for project in held.projects:
            shares = list(project.cofinancing.all())
            rows[PROJECTS.key].append(
                [
                    project.reference,
                    project.title,
                    project.phase.name,
                    project.applicant_organisation.name,
                    project.action_field.title if project.action_field is not None else "",
                    project.starts_on,
                    project.ends_on,
                    project.eligible_costs,
                    project.granted_amount,
                    project.final_eligible_costs,
                    project.final_grant,
                    _label(status, project.status),
                    project.closed_on,
                    project.planned_participants,
                    project.participants_entered,
                    project.participants_exited,
                    project.cofinancing_total if shares else None,
                    ", ".join(share.payer for share in shares),
                ]
            )
    return rows


def template_rows() -> Rows:
    """One example row per sheet."""
    return {sheet.key: [[column.example for column in sheet.columns]] for sheet in SHEETS}


def _format(column: Column) -> str | None:
    if column.kind is Kind.MONEY:
        return EURO_FORMAT
    if column.kind is Kind.DATE:
        return DATE_FORMAT
    return None


def _notes(column: Column) -> str:
    with translation.override("de"):
        parts = ["Pflichtangabe" if column.required else "freiwillig"]
        parts.append(
            {
                Kind.TEXT: "Text",
                Kind.DATE: "Datum (TT.MM.JJJJ oder Datumszelle)",
                Kind.MONEY: "Betrag in Euro (Zahl oder 1.500.000,00; höchstens zwei Nachkommastellen)",
                Kind.PERCENT: "Prozentsatz (z. B. 50 oder 62,5)",
                Kind.INTEGER: "ganze Zahl",
                Kind.CHOICE: "eines von: "
                + ", ".join(
                    label for _value, label in (column.choices() if column.choices else [])
                ),
            }[column.kind]
        )
    return "; ".join(parts)


# What the notes sheet says about each sheet (German, like the sheets: it is part of the file).
SHEET_NOTES = {
    ORGANISATIONS.key: "Eine Zeile je Organisation, erkannt am Namen. Eine neue Gruppe wird angelegt.",
    PEOPLE.key: "Eine Zeile je Person, erkannt an Organisation, Vor- und Nachname.",
    PHASES.key: "Eine Zeile je Förderphase, erkannt am Namen. Phasen überschneiden sich nicht.",
    AGREEMENTS.key: "Eine Zeile je unterzeichneter Kooperationsvereinbarung (Förderphase und Organisation).",
    PROJECTS.key: (
        "Eine Zeile je Vorhaben, erkannt am Aktenzeichen (ohne: an Titel und Förderphase; das "
        "Aktenzeichen wird dann vergeben). Übernommen werden die Stände Abgeschlossen, In "
        "Umsetzung, Bewilligt, Zurückgezogen, Von der Förderbank abgelehnt und Abgelehnt; "
        "bewilligte Zuschüsse werden im Budget der Förderphase gebunden, abgerechnete "
        "ausgezahlt. Ein neues Handlungsfeld wird angelegt."
    ),
}


def render_workbook(rows: Rows, *, title: str, notes: bool = False) -> bytes:
    """The sheets of `columns.SHEETS` with `rows`; with `notes`, a first sheet „Hinweise“."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.properties.created = WORKBOOK_TIME
    workbook.properties.modified = WORKBOOK_TIME
    workbook.properties.title = title
    default: Any = workbook.active
    workbook.remove(default)
    bold = Font(bold=True)
    if notes:
        sheet_notes: Any = workbook.create_sheet(NOTES_TITLE)
        sheet_notes.append(["Blatt", "Spalte", "Angabe"])
        for cell in sheet_notes[1]:
            cell.font = bold
        for sheet in SHEETS:
            sheet_notes.append([sheet.title, "", SHEET_NOTES[sheet.key]])
            for column in sheet.columns:
                sheet_notes.append([sheet.title, column.header, _notes(column)])
        for letter, width in (("A", 18), ("B", 36), ("C", 100)):
            sheet_notes.column_dimensions[letter].width = width
        for row in sheet_notes.iter_rows(min_row=2):
            row[2].alignment = Alignment(wrap_text=True, vertical="top")
    for sheet in SHEETS:
        _write_sheet(workbook, sheet, rows.get(sheet.key, []), bold, get_column_letter)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sheet(
    workbook: Any,
    sheet: Sheet,
    rows: Sequence[Sequence[Cell]],
    bold: Any,
    letter_of: Callable[[int], str],
) -> None:
    worksheet = workbook.create_sheet(sheet.title)
    worksheet.append([column.header for column in sheet.columns])
    for cell in worksheet[1]:
        cell.font = bold
    for row in rows:
        worksheet.append(
            [quote_formula(value) if isinstance(value, str) else value for value in row]
        )
    for index, column in enumerate(sheet.columns, start=1):
        number_format = _format(column)
        if number_format:
            for (cell,) in worksheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
        worksheet.column_dimensions[letter_of(index)].width = column.width
    worksheet.freeze_panes = "A2"
    worksheet.auto_filter.ref = worksheet.dimensions


def export_workbook(alliance: Alliance) -> bytes:
    return render_workbook(export_rows(alliance), title=alliance.name)


def template_workbook() -> bytes:
    return render_workbook(
        template_rows(), title="Bündnisportal: Vorlage für den Import", notes=True
    )
