"""The funded projects as CSV and Excel file: the list's filter applied, German headers, amounts
as numbers, days as days, parsed back with `csv` and openpyxl."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from buendnis.funding.models import Project
from buendnis.funding.states import Status

from ..conftest import PERSONAS
from ..factories import AllianceStructure, project_in_state
from .public_data import SECRET_CONTACT, SECRET_EMAIL, SECRET_PHONE, bulk_projects

S = Status


@pytest.fixture
def projects(structure: AllianceStructure) -> list[Project]:
    granted = project_in_state(
        structure,
        S.GRANTED,
        title="Welcome Center Braunschweig",
        region="Stadt Braunschweig",
        eligible_costs=Decimal("200000.00"),
        granted_amount=Decimal("123456.78"),
        contact_name=SECRET_CONTACT,
        contact_email=SECRET_EMAIL,
        contact_phone=SECRET_PHONE,
    )
    endorsed = project_in_state(
        structure,
        S.ENDORSED,
        title="=Praktikumsbörse",  # a formula to a spreadsheet, unless quoted
        region="Landkreis Peine",
        eligible_costs=Decimal("100000.00"),
    )
    project_in_state(structure, S.SKETCH_STEERING, title="Geheime Skizze")
    return [granted, endorsed]


def _csv(response: Any) -> list[list[str]]:
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_csv(client: Client, projects: list[Project]) -> None:
    response = client.get("/son/projekte.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="projekte-son-{today}.csv"'
    rows = _csv(response)
    header = rows[0]
    assert header[:4] == ["Aktenzeichen", "Titel", "Kurzbeschreibung", "Förderphase"]
    assert "Förderfähige Gesamtkosten (€)" in header and "Zuschuss (€)" in header
    records = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(records) == {"Welcome Center Braunschweig", "'=Praktikumsbörse"}
    granted = records["Welcome Center Braunschweig"]
    assert granted["Förderfähige Gesamtkosten (€)"] == "200000,00"
    assert granted["Zuschuss (€)"] == "123456,78"
    assert granted["Zuschuss bewilligt"] == "ja"
    assert granted["Stand"] == "Bewilligt"
    assert granted["Laufzeit ab"] == projects[0].starts_on.strftime("%d.%m.%Y")
    assert granted["Region"] == "Stadt Braunschweig"
    # Co-financing: the rest of the costs, by the applicant itself (the factory's default).
    assert Decimal(granted["Kofinanzierung (€)"].replace(",", ".")) == projects[0].cofinancing_total
    endorsed = records["'=Praktikumsbörse"]
    assert endorsed["Zuschuss (€)"] == "70000,00"  # requested until the bank decides
    assert endorsed["Zuschuss bewilligt"] == "nein, beantragt"
    text = response.content.decode("utf-8-sig")
    for secret in [SECRET_CONTACT, SECRET_EMAIL, SECRET_PHONE, "Geheime Skizze"]:
        assert secret not in text


def test_csv_applies_the_filter_search_and_order(
    client: Client, structure: AllianceStructure, projects: list[Project]
) -> None:
    bulk_projects(structure, 40)
    rows = _csv(client.get("/son/projekte.csv", {"district": "Peine"}))
    assert [row[1] for row in rows[1:]] == ["'=Praktikumsbörse"]
    rows = _csv(
        client.get(
            "/son/projekte.csv", {"q": "Massenprojekt", "district": "Salzgitter", "sort": "-start"}
        )
    )
    titles = [row[1] for row in rows[1:]]
    assert len(titles) == 20  # every match, not a page of 25
    assert titles == sorted(titles, reverse=True)
    # The page number of the list does not cut the export.
    assert len(_csv(client.get("/son/projekte.csv", {"page": "2"}))) == 1 + 42


def test_xlsx(client: Client, projects: list[Project]) -> None:
    response = client.get("/son/projekte.xlsx", {"status": "granted"})
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="projekte-son-{today}.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[1] == "Titel"
    assert len(rows) == 2  # the filter holds: only the granted project
    record = dict(zip(header, rows[1], strict=True))
    assert record["Titel"] == "Welcome Center Braunschweig"
    assert record["Zuschuss (€)"] == pytest.approx(123456.78)
    assert record["Förderfähige Gesamtkosten (€)"] == 200000
    assert isinstance(record["Laufzeit ab"], datetime)
    assert record["Laufzeit ab"].date() == projects[0].starts_on
    money = sheet.cell(row=2, column=header.index("Zuschuss (€)") + 1)
    assert money.data_type == "n"
    assert "€" in money.number_format
    day = sheet.cell(row=2, column=header.index("Laufzeit ab") + 1)
    assert day.is_date and day.number_format == "DD.MM.YYYY"


def test_xlsx_quotes_formulas(client: Client, projects: list[Project]) -> None:
    sheet = load_workbook(
        io.BytesIO(client.get("/son/projekte.xlsx", {"status": "endorsed"}).content)
    ).active
    assert sheet is not None
    cell = sheet.cell(row=2, column=2)
    assert cell.value == "'=Praktikumsbörse"
    assert cell.data_type == "s"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_exports_are_the_same_for_everyone(
    client_as: Callable[[str], Client], projects: list[Project], persona: str, suffix: str
) -> None:
    response = client_as(persona).get(f"/son/projekte.{suffix}")
    assert response.status_code == 200
    if suffix == "csv":
        assert "Geheime Skizze" not in response.content.decode("utf-8-sig")
        assert len(_csv(response)) == 3


def test_exports_of_an_unknown_alliance_are_404(
    client: Client, structure: AllianceStructure
) -> None:
    assert client.get("/unbekannt/projekte.csv").status_code == 404
    assert client.get("/unbekannt/projekte.xlsx").status_code == 404


# Alliance; the projects with phase, field and owner; their topics; their co-financing.
EXPORT_QUERIES = 4


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_export_queries_do_not_grow(
    client: Client,
    structure: AllianceStructure,
    django_assert_num_queries: Callable[..., Any],
    suffix: str,
) -> None:
    bulk_projects(structure, 10)
    with django_assert_num_queries(EXPORT_QUERIES):
        client.get(f"/son/projekte.{suffix}")
    bulk_projects(structure, 100)
    with django_assert_num_queries(EXPORT_QUERIES):
        response = client.get(f"/son/projekte.{suffix}")
    assert response.status_code == 200


def test_empty_export_has_the_header(client: Client, structure: AllianceStructure) -> None:
    rows = _csv(client.get("/son/projekte.csv"))
    assert len(rows) == 1 and rows[0][0] == "Aktenzeichen"
    sheet = load_workbook(io.BytesIO(client.get("/son/projekte.xlsx").content)).active
    assert sheet is not None and sheet.max_row == 1


def test_dates_are_local_days(client: Client, structure: AllianceStructure) -> None:
    project = bulk_projects(structure, 1)[0]
    rows = _csv(client.get("/son/projekte.csv"))
    assert rows[1][header_index(rows, "Laufzeit bis")] == project.ends_on.strftime("%d.%m.%Y")
    assert isinstance(project.ends_on, date)


def header_index(rows: list[list[str]], name: str) -> int:
    return rows[0].index(name)
