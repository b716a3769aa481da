"""The ministry's overview as an Excel file: the page's table, one row per alliance and phase.

German headers; amounts are numeric cells with a euro format, days date cells, counts integers,
the rate and the leverage numbers: the ministry computes on with them. Text that a spreadsheet
would run as a formula is quoted (OWASP "CSV injection", as in `public.exports`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from buendnis.core.spreadsheets import DATE_FORMAT, EURO_FORMAT, WORKBOOK_TIME, safe_text

from .overview import STAGES, OverviewRow

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RATE_FORMAT = '0.00 "%"'
LEVERAGE_FORMAT = "0.0"
COUNT_FORMAT = "0"

Cell = str | int | Decimal | date | None


@dataclass(frozen=True)
class Column:
    header: str
    kind: str  # text, date, money, rate, leverage, count


def columns() -> list[Column]:
    return [
        Column(_("Bündnis"), "text"),
        Column(_("Förderphase"), "text"),
        Column(_("Beginn"), "date"),
        Column(_("Ende"), "date"),
        Column(_("Aktuelle Förderphase"), "text"),
        Column(_("Anerkennung"), "text"),
        Column(_("Anerkennung: Datum"), "date"),
        Column(_("Aktenzeichen der Anerkennung"), "text"),
        Column(_("Fördersatz (%)"), "rate"),
        Column(_("Virtuelles Budget, zugewiesen oder beantragt (€)"), "money"),
        Column(_("Budget mit Budgetänderungen (€)"), "money"),
        Column(_("Reserviert (€)"), "money"),
        Column(_("Gebunden (€)"), "money"),
        Column(_("Ausgezahlt (€)"), "money"),
        Column(_("Verfügbar (€)"), "money"),
        Column(_("Vorhaben"), "count"),
        *(
            Column(_("Vorhaben: %(stage)s") % {"stage": label}, "count")
            for _key, label, _states in STAGES
        ),
        Column(_("Projektvolumen (€)"), "money"),
        Column(_("Zuschüsse (€)"), "money"),
        Column(_("Kofinanzierung (€)"), "money"),
        Column(_("Hebel"), "leverage"),
        Column(_("Teilnehmende geplant"), "count"),
        # Closed projects with their final count, running ones as far as reported.
        Column(_("Eintritte"), "count"),
        Column(_("Austritte"), "count"),
    ]


def row_cells(row: OverviewRow) -> list[Cell]:
    phase = row.phase
    figures = row.budget
    projects = row.projects
    return [
        row.alliance.name,
        phase.name,
        phase.starts_on,
        phase.ends_on,
        _("ja") if row.is_current else _("nein"),
        row.status_label,
        row.recognition_date,
        phase.recognition_reference,
        phase.funding_rate,
        phase.virtual_budget,
        figures.budget,
        figures.reserved,
        figures.committed,
        figures.paid,
        figures.available,
        projects.total,
        *(stage.count for stage in row.stages),
        projects.volume,
        row.grants,
        projects.co_financing,
        row.leverage,
        projects.planned_participants,
        row.participants_entered,
        row.participants_exited,
    ]


FORMATS = {
    "money": EURO_FORMAT,
    "date": DATE_FORMAT,
    "rate": RATE_FORMAT,
    "leverage": LEVERAGE_FORMAT,
    "count": COUNT_FORMAT,
}


def render_xlsx(rows: Sequence[OverviewRow], *, ministry: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.properties.created = WORKBOOK_TIME
    workbook.properties.modified = WORKBOOK_TIME
    workbook.properties.title = _("Fachkräftebündnisse im Überblick")
    workbook.properties.creator = ministry
    sheet: Any = workbook.active
    sheet.title = _("Übersicht")
    spec = columns()
    sheet.append([column.header for column in spec])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(
            [safe_text(value) if isinstance(value, str) else value for value in row_cells(row)]
        )
    for index, column in enumerate(spec, start=1):
        number_format = FORMATS.get(column.kind)
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
        sheet.column_dimensions[get_column_letter(index)].width = (
            30 if column.kind == "text" else 16
        )
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
