"""The export writes the import's own columns: exported and imported again, nothing changes —
for an alliance that arrived by import and for one that worked on the platform all along."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from buendnis.alliances.models import Territory
from buendnis.funding.states import Status
from buendnis.onboarding.columns import SHEETS
from buendnis.onboarding.exports import export_workbook, template_workbook
from buendnis.onboarding.services import import_file
from tests.factories import AllianceFactory, build_alliance_structure, project_in_state

from .test_import import counts

pytestmark = pytest.mark.django_db


def reimport(alliance, content):
    return import_file(alliance=alliance, content=content, filename="export.xlsx", actor=None)


def test_export_of_an_imported_alliance_imports_unchanged(empty, land):
    assert reimport(empty, land.xlsx()).imported
    before = counts()

    content = export_workbook(empty)
    outcome = reimport(empty, content)

    assert outcome.problems == []
    assert not outcome.plan.has_changes
    assert counts() == before
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == [sheet.title for sheet in SHEETS]
    projects = workbook["Vorhaben"]
    assert [cell.value for cell in projects[1]] == [c.header for c in SHEETS[-1].columns]
    assert projects.max_row == 41
    assert projects["H2"].number_format == '#,##0.00 "€"'
    assert projects["F2"].number_format == "DD.MM.YYYY"


def test_export_of_an_alliance_at_work_imports_unchanged(alliance, django_assert_max_num_queries):
    structure = build_alliance_structure(alliance, place="Braunschweig")
    city = structure.organisations["city"]
    city.territory = Territory.INDEPENDENT_CITY
    city.save()
    for status in (Status.SKETCH_SUBMITTED, Status.ENDORSED, Status.RUNNING, Status.CLOSED):
        project_in_state(structure, status, title=f"Vorhaben {status}")
    project_in_state(structure, Status.WITHDRAWN, title="=Formel, die keine ist")
    other = AllianceFactory(slug="andere", name="Anderes Bündnis")
    build_alliance_structure(other, place="Hameln")
    before = counts()

    with django_assert_max_num_queries(12):
        content = export_workbook(alliance)
    outcome = reimport(alliance, content)

    assert outcome.problems == []
    assert not outcome.plan.has_changes
    assert counts() == before
    projects = load_workbook(io.BytesIO(content))["Vorhaben"]
    titles = [row[1].value for row in projects.iter_rows(min_row=2)]
    organisations = load_workbook(io.BytesIO(content))["Organisationen"]
    assert [
        row[4].value for row in organisations.iter_rows(min_row=2) if row[0].value == city.name
    ] == ["Kreisfreie Stadt"]
    assert "'=Formel, die keine ist" in titles  # never run as a formula
    assert not any("Hameln" in str(title) for title in titles)


def test_the_template_imports_into_an_empty_alliance(empty):
    outcome = import_file(
        alliance=empty, content=template_workbook(), filename="vorlage.xlsx", actor=None
    )
    assert outcome.problems == []
    assert outcome.imported
    project = empty.projects.get()
    assert (project.reference, project.status, project.final_grant) == (
        "MUS-2018-001",
        Status.CLOSED,
        Decimal("95000.00"),
    )
    notes = load_workbook(io.BytesIO(template_workbook()))["Hinweise"]
    assert any("Pflichtangabe" in str(row[2].value) for row in notes.iter_rows(min_row=2))
