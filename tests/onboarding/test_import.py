"""Bringing a whole alliance onto the platform: the workbook of Fachkräftebündnis Musterland
imports into an empty deployment with budgets that add up; the same file again changes nothing;
the file with one broken row changes nothing and names the row."""

from decimal import Decimal

import pytest

from buendnis.alliances.models import (
    ActionField,
    CooperationAgreement,
    FundingPhase,
    GroupKind,
    Organisation,
    OrganisationGroup,
    Person,
)
from buendnis.budget.models import LedgerEntry
from buendnis.budget.selectors import budget_figures, project_balance
from buendnis.core.errors import DomainError
from buendnis.core.models import AuditEntry
from buendnis.funding import services as funding_services
from buendnis.funding.models import CoFinancing, Project, Transition
from buendnis.funding.states import Status
from buendnis.onboarding.planning import Action
from buendnis.onboarding.services import import_file

from .musterland import Musterland

pytestmark = pytest.mark.django_db

D = Decimal
MODELS = [
    OrganisationGroup,
    Organisation,
    Person,
    FundingPhase,
    CooperationAgreement,
    ActionField,
    Project,
    CoFinancing,
    Transition,
    LedgerEntry,
    AuditEntry,
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def run(alliance, content, filename="musterland.xlsx", **kwargs):
    return import_file(alliance=alliance, content=content, filename=filename, actor=None, **kwargs)


def test_musterland_arrives_with_budgets_that_add_up(empty, land: Musterland):
    outcome = run(empty, land.xlsx())

    assert outcome.problems == []
    assert outcome.imported
    assert Organisation.objects.filter(alliance=empty).count() == 30
    assert OrganisationGroup.objects.filter(alliance=empty).count() == 8
    assert Person.objects.filter(alliance=empty).count() == 20
    assert FundingPhase.objects.filter(alliance=empty).count() == 3
    assert CooperationAgreement.objects.filter(alliance=empty).count() == land.count(
        "Vereinbarungen"
    )
    assert Project.objects.filter(alliance=empty).count() == 40
    assert Transition.objects.filter(project__alliance=empty).count() == 40
    assert set(Project.objects.values_list("status", flat=True)) == {
        Status.CLOSED,
        Status.RUNNING,
        Status.GRANTED,
    }
    assert ActionField.objects.filter(alliance=empty).count() == 9

    # The groups' kinds come from the row that names them.
    assert OrganisationGroup.objects.get(name="Hochschulen").kind == GroupKind.UNIVERSITIES
    assert OrganisationGroup.objects.get(name="Weitere Partner").kind == GroupKind.OTHER
    # A postcode typed as a number, an address without https://.
    first = Organisation.objects.get(name=land.organisations[0])
    assert (first.postcode, first.website) == ("38101", "https://www.org1.example")

    for phase in FundingPhase.objects.filter(alliance=empty):
        figures = budget_figures(phase)
        projects = Project.objects.filter(phase=phase)
        assert figures.budget == land.budget[phase.name]
        assert figures.reserved == 0
        assert figures.paid == land.paid[phase.name]
        assert figures.committed == land.committed[phase.name]
        assert figures.available == figures.budget - figures.committed - figures.paid
        assert figures.available >= 0
        # The phase's figures are its projects' figures.
        closed = projects.filter(status=Status.CLOSED)
        open_ = projects.filter(status__in=[Status.RUNNING, Status.GRANTED])
        assert figures.paid == sum((p.final_grant for p in closed), D(0))
        assert figures.committed == sum((p.granted_amount for p in open_), D(0))
        balances = [project_balance(p.pk) for p in projects]
        assert sum((b.paid for b in balances), D(0)) == figures.paid
        assert sum((b.committed for b in balances), D(0)) == figures.committed

    # References: given ones kept, missing ones given by the platform.
    assert Project.objects.filter(reference="MUS-2012-01").exists()
    assert Project.objects.filter(reference__startswith="MUSTERLAND-2012-").count() == 2
    # A payer that is no organisation of the alliance is kept by name.
    assert CoFinancing.objects.filter(name="Stiftung Musterland", organisation=None).count() == 5

    (audit,) = AuditEntry.objects.filter(action="onboarding.import")
    assert audit.alliance_id == empty.pk
    assert audit.changes["file"] == "musterland.xlsx"
    assert audit.changes["sheets"]["projects"] == {"created": 40, "changed": 0, "unchanged": 0}
    assert AuditEntry.objects.filter(action="project.import").count() == 40
    assert AuditEntry.objects.filter(action="organisation.create").count() == 30


def test_the_same_file_again_changes_nothing(empty, land: Musterland):
    content = land.xlsx()
    assert run(empty, content).imported
    before = counts()

    again = run(empty, content)

    assert again.problems == []
    assert not again.imported
    assert not again.plan.has_changes
    projects = next(s for s in again.plan.sections if s.key == "projects")
    assert (projects.created, projects.changed, projects.unchanged) == (0, 0, 40)
    assert counts() == before


def test_a_changed_row_is_shown_and_changed(empty, land: Musterland):
    assert run(empty, land.xlsx()).imported
    land.set("Organisationen", 2, "E-Mail", "neu@org3.example")
    land.set("Vorhaben", 0, "Eintritte", 99)

    preview = run(empty, land.xlsx(), dry_run=True)
    organisations = next(s for s in preview.plan.sections if s.key == "organisations")
    (step,) = organisations.changed_rows
    assert (step.row, step.action, step.label) == (4, Action.CHANGE, land.organisations[2])
    assert [(c.column, c.before, c.after) for c in step.changes] == [
        ("E-Mail", "info@org3.example", "neu@org3.example")
    ]
    assert Organisation.objects.get(name=land.organisations[2]).email == "info@org3.example"

    assert run(empty, land.xlsx()).imported
    assert Organisation.objects.get(name=land.organisations[2]).email == "neu@org3.example"
    assert Project.objects.get(reference="MUS-2012-01").participants_entered == 99


BROKEN = [
    # sheet, data row, header, value, what the message says
    ("Vorhaben", 17, "Laufzeit ab", "31.02.2019", "Den 31.02.2019 gibt es nicht"),
    ("Vorhaben", 3, "Bewilligter Zuschuss (€)", "12,345", "kein eindeutiger Betrag"),
    ("Vorhaben", 5, "Bewilligter Zuschuss (€)", 60000.125, "mehr als zwei Nachkommastellen"),
    ("Personen", 7, "Organisation", "Stadt Nirgendwo", "Die Organisation „Stadt Nirgendwo“"),
    ("Vorhaben", 20, "Stand", "Kurzskizze eingereicht", "Übernommen werden Vorhaben"),
    ("Förderphasen", 1, "Fördersatz (%)", "150", "höchstens 100 % sein"),
    ("Organisationen", 4, "E-Mail", "keine-adresse", "E-Mail"),
]


@pytest.mark.parametrize(("sheet", "index", "header", "value", "says"), BROKEN)
def test_one_broken_row_changes_nothing_and_names_the_row(
    empty, land: Musterland, sheet, index, header, value, says
):
    land.set(sheet, index, header, value)
    before = counts()

    outcome = run(empty, land.xlsx())

    assert not outcome.imported
    assert counts() == before
    assert Organisation.objects.count() == 0
    [problem] = [p for p in outcome.problems if p.sheet == sheet]
    assert (problem.row, problem.column) == (land.excel_row(sheet, index), header)
    assert says in problem.message


def test_every_problem_of_a_file_is_listed_at_once(empty, land: Musterland):
    land.set("Vorhaben", 17, "Laufzeit ab", "31.02.2019")
    land.set("Personen", 7, "Organisation", "Stadt Nirgendwo")
    land.set("Vereinbarungen", 0, "Unterzeichnet am", "")

    outcome = run(empty, land.xlsx())

    assert [(p.sheet, p.row, p.column) for p in outcome.problems] == [
        ("Personen", 9, "Organisation"),
        ("Vereinbarungen", 2, "Unterzeichnet am"),
        ("Vorhaben", 19, "Laufzeit ab"),
    ]
    assert outcome.problems[1].message == "Bitte ausfüllen."
    assert counts()["Organisation"] == 0


def test_a_phase_that_cannot_carry_its_projects_names_the_row_that_overdraws_it(
    empty, land: Musterland
):
    # The first phase: 1.2 M; make it a tenth.
    land.set("Förderphasen", 0, "Virtuelles Budget (€)", "120.000,00")

    outcome = run(empty, land.xlsx())

    assert not outcome.imported
    problems = [p for p in outcome.problems if p.sheet == "Vorhaben"]
    first = problems[0]
    # The second project of the phase no longer fits; the column is the amount it keeps.
    assert (first.row, first.column) == (3, "Abgerechneter Zuschuss (€)")
    assert "Das virtuelle Budget der Förderphase 2012–2015 reicht nicht" in first.message
    assert counts()["Project"] == 0


def test_a_refusal_while_writing_rolls_everything_back(empty, land: Musterland, monkeypatch):
    """The services check again while writing; a refusal there (here: made up for the last
    project) names its row and column, and what the earlier rows wrote is gone."""
    original = funding_services.project_import
    last_title = land.cell("Vorhaben", 39, "Titel")

    def refusing(**kwargs):
        if kwargs["title"] == last_title:
            raise DomainError({"granted_amount": "Erfundener Einwand."})
        return original(**kwargs)

    monkeypatch.setattr(funding_services, "project_import", refusing)
    before = counts()

    outcome = run(empty, land.xlsx())

    assert not outcome.imported
    assert [(p.sheet, p.row, p.column, p.message) for p in outcome.problems] == [
        ("Vorhaben", 41, "Bewilligter Zuschuss (€)", "Erfundener Einwand.")
    ]
    assert counts() == before


def test_a_csv_file_imports_the_sheet_it_is_said_to_hold(empty, land: Musterland):
    from buendnis.onboarding.columns import ORGANISATIONS, PEOPLE

    outcome = run(
        empty,
        land.csv("Organisationen", encoding="cp1252"),
        filename="partner.csv",
        sheet=ORGANISATIONS,
    )
    assert outcome.problems == []
    assert Organisation.objects.filter(alliance=empty).count() == 30

    people = run(empty, land.csv("Personen"), filename="personen.csv", sheet=PEOPLE)
    assert people.problems == []
    assert Person.objects.filter(alliance=empty).count() == 20

    wrong = run(empty, land.csv("Personen"), filename="personen.csv", sheet=ORGANISATIONS)
    assert not wrong.imported
    assert ("Organisationen", 1, "Name") in [(p.sheet, p.row, p.column) for p in wrong.problems]
    assert "Die Spalte „Name“ fehlt in Zeile 1." in [p.message for p in wrong.problems]


def test_a_known_project_keeps_its_amounts_and_state(empty, land: Musterland):
    assert run(empty, land.xlsx()).imported
    land.set("Vorhaben", 0, "Abgerechneter Zuschuss (€)", 1.0)
    land.set("Vorhaben", 1, "Stand", "In Umsetzung")
    before = counts()

    outcome = run(empty, land.xlsx())

    assert counts() == before
    assert [(p.row, p.column) for p in outcome.problems] == [
        (2, "Abgerechneter Zuschuss (€)"),
        (3, "Stand"),
    ]
    assert "ändert der Import nicht" in outcome.problems[0].message


def test_planning_reads_the_alliance_once_not_per_row(
    empty, land: Musterland, django_assert_max_num_queries
):
    content = land.xlsx()
    with django_assert_max_num_queries(11):
        first = run(empty, content, dry_run=True)
    assert first.plan.has_changes
    assert run(empty, content).imported
    with django_assert_max_num_queries(11):
        again = run(empty, content, dry_run=True)
    assert not again.plan.has_changes


def test_a_sheet_may_leave_out_columns_it_says_nothing_about(empty, land: Musterland):
    from openpyxl import Workbook

    from buendnis.alliances.models import Territory

    assert run(empty, land.xlsx()).imported
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Organisationen"
    sheet.append(["Name", "Gruppe", "Gebietskörperschaft"])
    for name in land.organisations:
        sheet.append(
            [name, land.cell("Organisationen", land.organisations.index(name), "Gruppe"), None]
        )
    sheet["C6"] = "Kreisfreie Stadt"  # row 6: the fifth organisation, a municipality
    import io

    buffer = io.BytesIO()
    workbook.save(buffer)

    outcome = run(empty, buffer.getvalue(), filename="gebiete.xlsx")

    assert outcome.problems == []
    organisations = next(s for s in outcome.plan.sections if s.key == "organisations")
    assert (organisations.created, organisations.changed, organisations.unchanged) == (0, 1, 29)
    (step,) = organisations.changed_rows
    assert [(c.column, c.before, c.after) for c in step.changes] == [
        ("Gebietskörperschaft", "", "Kreisfreie Stadt")
    ]
    city = Organisation.objects.get(name=land.organisations[4])
    assert city.territory == Territory.INDEPENDENT_CITY
    # What the sheet left out stays as it was.
    assert city.email == "info@org5.example"
    assert Organisation.objects.exclude(email="").count() == 30


def test_a_sheet_without_a_column_it_must_fill_is_refused(empty):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Vorhaben"
    workbook.active.append(["Titel", "Förderphase"])
    import io

    buffer = io.BytesIO()
    workbook.save(buffer)
    outcome = run(empty, buffer.getvalue())
    assert [(p.row, p.column) for p in outcome.problems] == [
        (1, "Projektträger"),
        (1, "Stand"),
    ]
