"""The workbook in which an alliance arrives and leaves: its sheets and their columns, declared
once. The import reads by these headers, the export and the template write them, so an export
imports again unchanged.

Sheet names and headers are German and fixed: they are the file's format, not the interface's
language (a workbook exported in the English interface imports in the German one). Cell values
follow the German spreadsheet: dates `05.06.2018` or date cells, amounts `1.500.000,00` or number
cells, choices by their German label (or the platform's own value). Only the columns that must be
filled must be there; a sheet that leaves a column out changes nothing in it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import models
from django.utils import translation

from buendnis.alliances.models import (
    ActionField,
    CooperationAgreement,
    FundingPhase,
    GroupKind,
    Organisation,
    OrganisationGroup,
    Person,
    PersonFunction,
    Territory,
)
from buendnis.funding.models import CoFinancing, Project
from buendnis.funding.states import Status


class Kind(enum.Enum):
    TEXT = "text"
    DATE = "date"
    MONEY = "money"
    PERCENT = "percent"
    INTEGER = "integer"
    CHOICE = "choice"


def german_choices(choices: type[models.TextChoices]) -> Callable[[], list[tuple[str, str]]]:
    """(value, German label) of a model's choices, whatever the interface speaks."""

    def options() -> list[tuple[str, str]]:
        with translation.override("de"):
            return [(value, str(label)) for value, label in choices.choices]

    return options


@dataclass(frozen=True)
class Column:
    """One column: `key` names the record's field it fills (or the sheet's own key), `header` is
    what row 1 of the sheet says. `field` is the model field whose validators (length, e-mail,
    internet address) check a text; `choices` lists the allowed values of a choice."""

    key: str
    header: str
    kind: Kind = Kind.TEXT
    required: bool = False
    field: tuple[type[models.Model], str] | None = None
    choices: Callable[[], list[tuple[str, str]]] | None = None
    example: str | date | Decimal | int | None = None
    width: int = 20


@dataclass(frozen=True)
class Sheet:
    key: str
    title: str
    columns: tuple[Column, ...]
    by_key: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_key", {column.key: column for column in self.columns})

    def header(self, key: str) -> str:
        """The header of a column; "" for a key the sheet has no column for."""
        column = self.by_key.get(key)
        return column.header if column is not None else ""


ORGANISATIONS = Sheet(
    "organisations",
    "Organisationen",
    (
        Column(
            "name",
            "Name",
            required=True,
            field=(Organisation, "name"),
            example="Stadt Musterstadt",
            width=40,
        ),
        Column("short_name", "Kurzname", field=(Organisation, "short_name"), example="Musterstadt"),
        Column(
            "group", "Gruppe", required=True, field=(OrganisationGroup, "name"), example="Kommunen"
        ),
        Column(
            "group_kind",
            "Art der Gruppe",
            Kind.CHOICE,
            choices=german_choices(GroupKind),
            example="Kommunen",
        ),
        Column(
            "territory",
            "Gebietskörperschaft",
            Kind.CHOICE,
            choices=german_choices(Territory),
            example="Kreisfreie Stadt",
        ),
        Column("street", "Straße", field=(Organisation, "street"), example="Marktplatz 1"),
        Column("postcode", "PLZ", field=(Organisation, "postcode"), example="12345", width=8),
        Column("city", "Ort", field=(Organisation, "city"), example="Musterstadt"),
        Column(
            "website",
            "Internetauftritt",
            field=(Organisation, "website"),
            example="https://www.musterstadt.example",
            width=32,
        ),
        Column(
            "email",
            "E-Mail",
            field=(Organisation, "email"),
            example="wirtschaft@musterstadt.example",
            width=32,
        ),
        Column("phone", "Telefon", field=(Organisation, "phone"), example="01234 56789-0"),
    ),
)

PEOPLE = Sheet(
    "people",
    "Personen",
    (
        Column(
            "organisation",
            "Organisation",
            required=True,
            field=(Organisation, "name"),
            example="Stadt Musterstadt",
            width=40,
        ),
        Column("title", "Titel", field=(Person, "title"), example="Dr.", width=8),
        Column(
            "first_name", "Vorname", required=True, field=(Person, "first_name"), example="Erika"
        ),
        Column(
            "last_name",
            "Nachname",
            required=True,
            field=(Person, "last_name"),
            example="Mustermann",
        ),
        Column(
            "function",
            "Funktion",
            Kind.CHOICE,
            choices=german_choices(PersonFunction),
            example="Vertreter/in",
        ),
        Column(
            "position_title",
            "Stellung",
            field=(Person, "position_title"),
            example="Leiterin der Wirtschaftsförderung",
            width=32,
        ),
        Column(
            "email",
            "E-Mail",
            field=(Person, "email"),
            example="erika.mustermann@musterstadt.example",
            width=32,
        ),
        Column("phone", "Telefon", field=(Person, "phone"), example="01234 56789-12"),
    ),
)

PHASES = Sheet(
    "phases",
    "Förderphasen",
    (
        Column("name", "Name", required=True, field=(FundingPhase, "name"), example="2018–2021"),
        Column("starts_on", "Beginn", Kind.DATE, required=True, example=date(2018, 7, 1)),
        Column("ends_on", "Ende", Kind.DATE, required=True, example=date(2021, 6, 30)),
        Column(
            "virtual_budget",
            "Virtuelles Budget (€)",
            Kind.MONEY,
            required=True,
            example=Decimal("1500000.00"),
        ),
        Column(
            "funding_rate", "Fördersatz (%)", Kind.PERCENT, required=True, example=Decimal("50")
        ),
        Column("recognised_on", "Anerkannt am", Kind.DATE, example=date(2018, 6, 5)),
        Column(
            "recognition_reference",
            "Aktenzeichen der Anerkennung",
            field=(FundingPhase, "recognition_reference"),
            example="MW-2018-0815",
        ),
    ),
)

AGREEMENTS = Sheet(
    "agreements",
    "Vereinbarungen",
    (
        Column(
            "phase",
            "Förderphase",
            required=True,
            field=(FundingPhase, "name"),
            example="2018–2021",
        ),
        Column(
            "organisation",
            "Organisation",
            required=True,
            field=(Organisation, "name"),
            example="Stadt Musterstadt",
            width=40,
        ),
        Column("signed_on", "Unterzeichnet am", Kind.DATE, required=True, example=date(2018, 5, 3)),
        Column(
            "decision_body",
            "Beschließendes Gremium",
            field=(CooperationAgreement, "decision_body"),
            example="Verwaltungsausschuss",
        ),
        Column(
            "decision_reference",
            "Beschluss (Drucksache)",
            field=(CooperationAgreement, "decision_reference"),
            example="DS 18-00153",
        ),
        Column("decision_date", "Beschluss vom", Kind.DATE, example=date(2018, 4, 24)),
    ),
)

PROJECTS = Sheet(
    "projects",
    "Vorhaben",
    (
        Column("reference", "Aktenzeichen", field=(Project, "reference"), example="MUS-2018-001"),
        Column(
            "title",
            "Titel",
            required=True,
            field=(Project, "title"),
            example="Welcome Center Musterstadt",
            width=40,
        ),
        Column(
            "phase",
            "Förderphase",
            required=True,
            field=(FundingPhase, "name"),
            example="2018–2021",
        ),
        Column(
            "applicant_organisation",
            "Projektträger",
            required=True,
            field=(Organisation, "name"),
            example="Stadt Musterstadt",
            width=40,
        ),
        Column(
            "action_field",
            "Handlungsfeld",
            field=(ActionField, "title"),
            example="Fachkräfte gewinnen",
            width=32,
        ),
        Column("starts_on", "Laufzeit ab", Kind.DATE, example=date(2018, 9, 1)),
        Column("ends_on", "Laufzeit bis", Kind.DATE, example=date(2020, 8, 31)),
        Column(
            "eligible_costs",
            "Förderfähige Gesamtkosten (€)",
            Kind.MONEY,
            example=Decimal("200000.00"),
        ),
        Column(
            "granted_amount",
            "Bewilligter Zuschuss (€)",
            Kind.MONEY,
            example=Decimal("100000.00"),
        ),
        Column(
            "final_eligible_costs",
            "Abgerechnete förderfähige Kosten (€)",
            Kind.MONEY,
            example=Decimal("190000.00"),
        ),
        Column(
            "final_grant", "Abgerechneter Zuschuss (€)", Kind.MONEY, example=Decimal("95000.00")
        ),
        Column(
            "status",
            "Stand",
            Kind.CHOICE,
            required=True,
            choices=german_choices(Status),
            example="Abgeschlossen",
        ),
        Column("closed_on", "Abgeschlossen am", Kind.DATE, example=date(2020, 12, 15)),
        Column("planned_participants", "Geplante Teilnehmende", Kind.INTEGER, example=40),
        Column("participants_entered", "Eintritte", Kind.INTEGER, example=38),
        Column("participants_exited", "Austritte", Kind.INTEGER, example=35),
        Column("cofinancing", "Kofinanzierung (€)", Kind.MONEY, example=Decimal("100000.00")),
        Column(
            "cofinancing_payer",
            "Kofinanzierende",
            field=(CoFinancing, "name"),
            example="Stadt Musterstadt",
            width=32,
        ),
    ),
)

# In the order of the workbook, which is also the order they are written in: people and
# agreements name organisations and phases, projects all of them.
SHEETS: tuple[Sheet, ...] = (ORGANISATIONS, PEOPLE, PHASES, AGREEMENTS, PROJECTS)
SHEETS_BY_KEY = {sheet.key: sheet for sheet in SHEETS}


def normalise(text: str) -> str:
    """How a sheet name or header is compared: case and spacing do not matter."""
    return " ".join(text.split()).casefold()
