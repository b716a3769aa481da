"""The funded projects as open data: a CSV file for German spreadsheets and an Excel file.

Both hold the same columns with German headers, in the list's filter and order. Amounts are
numbers (CSV: decimal comma, no grouping, so German Excel and LibreOffice read them as numbers;
XLSX: numeric cells with a euro format), days are days (CSV: `TT.MM.JJJJ`; XLSX: date cells).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

from buendnis.core.spreadsheets import DATE_FORMAT, EURO_FORMAT, WORKBOOK_TIME, safe_text
from buendnis.funding.models import Project

from .selectors import public_results

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | Decimal | date | int | None


@dataclass(frozen=True)
class Column:
    header: str
    kind: str  # "text", "money", "date" or "count"


def columns() -> list[Column]:
    return [
        Column(_("Aktenzeichen"), "text"),
        Column(_("Titel"), "text"),
        Column(_("Kurzbeschreibung"), "text"),
        Column(_("Förderphase"), "text"),
        Column(_("Handlungsfeld"), "text"),
        Column(_("Themen"), "text"),
        Column(_("Förderschwerpunkt"), "text"),
        Column(_("Projektträger"), "text"),
        Column(_("Region"), "text"),
        Column(_("Stand"), "text"),
        Column(_("Laufzeit ab"), "date"),
        Column(_("Laufzeit bis"), "date"),
        Column(_("Förderfähige Gesamtkosten (€)"), "money"),
        Column(_("Zuschuss (€)"), "money"),
        Column(_("Zuschuss bewilligt"), "text"),
        Column(_("Kofinanzierung (€)"), "money"),
        Column(_("Kofinanzierende"), "text"),
        Column(_("Ausgezahlt (€)"), "money"),
        Column(_("Teilnehmende (Eintritte)"), "count"),
        Column(_("Austritte"), "count"),
    ]


def project_row(project: Project) -> list[Cell]:
    """One project's public fields. Expects `selectors.public_projects` (with `grant`) and
    `selectors.with_export_relations` (topics, co-financing, results). Paid out and participants
    only after the grant, as on the project's page."""
    shares = list(project.cofinancing.all())
    results = public_results(project)
    reached = results.reached if results is not None else None
    return [
        project.reference,
        project.title,
        project.summary,
        project.phase.name,
        project.action_field.title if project.action_field is not None else "",
        ", ".join(topic.title for topic in project.topics.all()),
        project.get_funding_priority_display() if project.funding_priority else "",
        project.applicant_organisation.name,
        project.region,
        project.public_status_label,
        project.starts_on,
        project.ends_on,
        project.eligible_costs,
        project.grant,  # type: ignore[attr-defined]
        _("ja") if project.granted_amount is not None else _("nein, beantragt"),
        project.cofinancing_total,
        ", ".join(f"{share.payer} ({share.amount:.2f})".replace(".", ",") for share in shares),
        results.paid if results is not None else None,
        reached.entries if reached is not None else None,
        reached.exits if reached is not None else None,
    ]


def rows_of(projects: Iterable[Project]) -> list[list[Cell]]:
    return [project_row(project) for project in projects]


def etag_of(rows: Sequence[Sequence[Cell]], kind: str) -> str:
    """A strong validator from the data itself (the XLSX container would differ byte by byte)."""
    digest = hashlib.sha256(kind.encode())
    for row in rows:
        digest.update(repr(row).encode())
    return f'"{digest.hexdigest()[:32]}"'


def _csv_value(value: Cell, kind: str) -> str:
    if value is None:
        return ""
    if kind == "money" and isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if kind == "date" and isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def render_csv(rows: Sequence[Sequence[Cell]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    spec = columns()
    writer.writerow([column.header for column in spec])
    for row in rows:
        writer.writerow(
            [
                safe_text(_csv_value(value, column.kind))
                if column.kind == "text"
                else _csv_value(value, column.kind)
                for value, column in zip(row, spec, strict=True)
            ]
        )
    # The byte order mark tells Excel the file is UTF-8 (without it, umlauts break).
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def render_xlsx(rows: Sequence[Sequence[Cell]], *, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.properties.created = WORKBOOK_TIME
    workbook.properties.modified = WORKBOOK_TIME
    workbook.properties.title = title
    sheet: Any = workbook.active
    sheet.title = _("Vorhaben")
    spec = columns()
    sheet.append([column.header for column in spec])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_text(value) if isinstance(value, str) else value for value in row])
    for index, column in enumerate(spec, start=1):
        letter = get_column_letter(index)
        if column.kind == "money":
            number_format = EURO_FORMAT
        elif column.kind == "date":
            number_format = DATE_FORMAT
        else:
            number_format = None
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
        sheet.column_dimensions[letter].width = 16 if column.kind != "text" else 28
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def attachment(content: bytes, *, content_type: str, filename: str, etag: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["ETag"] = etag
    return response
