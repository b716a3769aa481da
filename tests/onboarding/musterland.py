"""The workbook of a fictitious third alliance, Fachkräftebündnis Musterland, as its office
would bring it: 30 partners in every kind of group, their people, three past phases with the
agreements, and 40 past projects with their figures. Written with openpyxl in the shape a person
makes it (date cells and German date text, number cells and German amounts), not through the
platform's own export."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any

from openpyxl import Workbook

D = Decimal
CENT = D("0.01")

HEADERS = {
    "Organisationen": [
        "Name",
        "Kurzname",
        "Gruppe",
        "Art der Gruppe",
        "Straße",
        "PLZ",
        "Ort",
        "Internetauftritt",
        "E-Mail",
        "Telefon",
    ],
    "Personen": [
        "Organisation",
        "Titel",
        "Vorname",
        "Nachname",
        "Funktion",
        "Stellung",
        "E-Mail",
        "Telefon",
    ],
    "Förderphasen": [
        "Name",
        "Beginn",
        "Ende",
        "Virtuelles Budget (€)",
        "Fördersatz (%)",
        "Anerkannt am",
        "Aktenzeichen der Anerkennung",
    ],
    "Vereinbarungen": [
        "Förderphase",
        "Organisation",
        "Unterzeichnet am",
        "Beschließendes Gremium",
        "Beschluss (Drucksache)",
        "Beschluss vom",
    ],
    "Vorhaben": [
        "Aktenzeichen",
        "Titel",
        "Förderphase",
        "Projektträger",
        "Handlungsfeld",
        "Laufzeit ab",
        "Laufzeit bis",
        "Förderfähige Gesamtkosten (€)",
        "Bewilligter Zuschuss (€)",
        "Abgerechnete förderfähige Kosten (€)",
        "Abgerechneter Zuschuss (€)",
        "Stand",
        "Abgeschlossen am",
        "Geplante Teilnehmende",
        "Eintritte",
        "Austritte",
        "Kofinanzierung (€)",
        "Kofinanzierende",
    ],
}

GROUPS = [
    ("Arbeitsagenturen und Jobcenter", "Arbeitsagenturen/Jobcenter", 4),
    ("Kommunen", "Kommunen", 7),
    ("Gewerkschaften", "Gewerkschaften", 3),
    ("Arbeitgeberverbände", "Arbeitgeberverbände", 3),
    ("Kammern", "Kammern", 3),
    ("Hochschulen", "Hochschulen", 3),
    ("Wohlfahrtsverbände", "Wohlfahrtsverbände", 4),
    ("Weitere Partner", "Sonstige", 3),
]
PLACES = [
    "Musterstadt",
    "Beispielhausen",
    "Neudorf",
    "Altenburg am See",
    "Talheim",
    "Bergdorf",
    "Seeheim",
]

PHASES = [
    # name, start, end, budget, rate
    ("2012–2015", date(2012, 7, 1), date(2015, 6, 30), D("1200000.00"), D("50")),
    ("2015–2018", date(2015, 7, 1), date(2018, 6, 30), D("1500000.00"), D("50")),
    ("2018–2021", date(2018, 7, 1), date(2021, 6, 30), D("1800000.00"), D("60")),
]
FIELDS = ["Fachkräfte gewinnen", "Fachkräfte halten", "Übergang Schule–Beruf"]


def german(amount: Decimal) -> str:
    """1234567.8 → „1.234.567,80“."""
    whole, cents = f"{amount:.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return ".".join(groups) + "," + cents


@dataclass
class Musterland:
    rows: dict[str, list[list[Any]]] = field(default_factory=dict)
    # Per phase: what the ledger must say after the import.
    paid: dict[str, Decimal] = field(default_factory=dict)
    committed: dict[str, Decimal] = field(default_factory=dict)
    budget: dict[str, Decimal] = field(default_factory=dict)
    organisations: list[str] = field(default_factory=list)

    def count(self, sheet: str) -> int:
        return len(self.rows[sheet])

    def excel_row(self, sheet: str, index: int) -> int:
        """The row number Excel shows for the data row `index` (0-based)."""
        return index + 2

    def cell(self, sheet: str, index: int, header: str) -> Any:
        return self.rows[sheet][index][HEADERS[sheet].index(header)]

    def set(self, sheet: str, index: int, header: str, value: Any) -> None:
        self.rows[sheet][index][HEADERS[sheet].index(header)] = value

    def xlsx(self, *, extra_sheet: bool = True) -> bytes:
        workbook = Workbook()
        notes = workbook.active
        notes.title = "Lies mich"  # a sheet of the office's own: left alone
        notes.append(["Stand der Tabellen: Übergabe an das Bündnisportal"])
        if not extra_sheet:
            workbook.remove(notes)
        for title, headers in HEADERS.items():
            sheet = workbook.create_sheet(title)
            sheet.append(headers)
            for row in self.rows[title]:
                sheet.append(row)
            if title == "Förderphasen":
                for (cell,) in sheet.iter_rows(min_row=2, min_col=5, max_col=5):
                    cell.number_format = "0"
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def csv(self, sheet: str, *, encoding: str = "utf-8-sig", delimiter: str = ";") -> bytes:
        lines = [delimiter.join(HEADERS[sheet])]
        for row in self.rows[sheet]:
            cells = []
            for value in row:
                if value is None:
                    text = ""
                elif isinstance(value, datetime | date):
                    text = value.strftime("%d.%m.%Y")
                elif isinstance(value, Decimal | float):
                    text = german(D(str(value)))
                else:
                    text = str(value)
                if delimiter in text or '"' in text:
                    text = '"' + text.replace('"', '""') + '"'
                cells.append(text)
            lines.append(delimiter.join(cells))
        return ("\r\n".join(lines) + "\r\n").encode(encoding)


def musterland() -> Musterland:
    land = Musterland()
    organisations: list[list[Any]] = []
    number = 0
    for group, kind, count in GROUPS:
        for index in range(count):
            place = PLACES[(number + index) % len(PLACES)]
            name = {
                "Arbeitsagenturen und Jobcenter": ["Agentur für Arbeit", "Jobcenter"][index % 2],
                "Kommunen": ["Stadt", "Landkreis", "Gemeinde"][index % 3],
                "Gewerkschaften": ["DGB-Region", "IG Metall", "ver.di-Bezirk"][index % 3],
                "Arbeitgeberverbände": ["Arbeitgeberverband", "Unternehmerverband", "AGV"][
                    index % 3
                ],
                "Kammern": ["IHK", "Handwerkskammer", "Landwirtschaftskammer"][index % 3],
                "Hochschulen": ["Hochschule", "Technische Universität", "Fachhochschule"][
                    index % 3
                ],
                "Wohlfahrtsverbände": ["AWO", "Caritas", "Diakonie", "Paritätischer"][index % 4],
                "Weitere Partner": ["Bildungswerk", "Allianz für die Region", "Volkshochschule"][
                    index % 3
                ],
            }[group] + f" {place} {number + 1}"
            number += 1
            slug = f"org{number}"
            organisations.append(
                [
                    name,
                    f"O{number}",
                    group,
                    # The kind on the first row of each group; later rows may leave it out.
                    kind if index == 0 else None,
                    f"Hauptstraße {number}",
                    # A postcode typed as a number cell, as Excel likes to do.
                    38100 + number,
                    place,
                    f"www.{slug}.example" if number % 2 else f"https://www.{slug}.example",
                    f"info@{slug}.example",
                    f"0531 {1000 + number}",
                ]
            )
    land.rows["Organisationen"] = organisations
    land.organisations = [row[0] for row in organisations]

    people = []
    functions = ["Vertreter/in", "Stellvertreter/in", "Ansprechpartner/in"]
    for index, name in enumerate(land.organisations[:20]):
        people.append(
            [
                name,
                "Dr." if index % 5 == 0 else None,
                ["Erika", "Max", "Aylin", "Jonas", "Mira"][index % 5],
                f"Muster{index + 1}",
                functions[index % 3],
                "Leitung" if index % 2 else None,
                f"person{index + 1}@example.org",
                None,
            ]
        )
    land.rows["Personen"] = people

    phases = []
    for name, start, end, budget, rate in PHASES:
        phases.append(
            [
                name,
                datetime.combine(start, datetime.min.time()),
                end.strftime("%d.%m.%Y"),
                float(budget),
                float(rate),
                datetime.combine(date(start.year, 6, 5), datetime.min.time()),
                f"MW-{start.year}-{start.year % 97:03d}",
            ]
        )
        land.budget[name] = budget
        land.paid[name] = D("0.00")
        land.committed[name] = D("0.00")
    land.rows["Förderphasen"] = phases

    agreements = []
    for phase_index, (name, start, _end, _budget, _rate) in enumerate(PHASES):
        for org_index, organisation in enumerate(land.organisations):
            if (org_index + phase_index) % 4 == 3:
                continue  # not everyone signed every phase
            agreements.append(
                [
                    name,
                    organisation,
                    date(start.year, 5, 2 + org_index % 20).strftime("%d.%m.%Y"),
                    "Rat" if org_index % 3 == 0 else None,
                    f"DS {start.year % 100}-{org_index:05d}" if org_index % 3 == 0 else None,
                    date(start.year, 4, 20).strftime("%d.%m.%Y") if org_index % 3 == 0 else None,
                ]
            )
    land.rows["Vereinbarungen"] = agreements

    projects = []
    plan = [(0, 14), (1, 14), (2, 12)]
    number = 0
    for phase_index, count in plan:
        name, start, end, _budget, rate = PHASES[phase_index]
        for index in range(count):
            number += 1
            eligible = (D("120000.00") + D("3737.37") * index + D("0.11") * number).quantize(CENT)
            granted = (eligible * rate / 100).quantize(CENT, rounding=ROUND_DOWN)
            if phase_index == 2 and index >= 8:
                status = "In Umsetzung" if index < 11 else "Bewilligt"
            else:
                status = "Abgeschlossen"
            starts = date(start.year, 9 + index % 3, 1)
            ends = date(start.year + 2, 6, 30)
            row: list[Any] = [
                f"MUS-{start.year}-{index + 1:02d}" if number % 5 else None,
                f"Vorhaben {number}: "
                + ["Welcome Center", "Stille Reserve", "Pflege-Lotsen", "Ausbildung digital"][
                    number % 4
                ],
                name,
                land.organisations[(number * 7) % len(land.organisations)],
                FIELDS[number % 3] if number % 6 else None,
                datetime.combine(starts, datetime.min.time())
                if number % 2
                else starts.strftime("%d.%m.%Y"),
                ends.strftime("%d.%m.%Y"),
                float(eligible) if number % 2 else german(eligible),
                float(granted) if number % 3 else german(granted),
                None,
                None,
                status,
                None,
                20 + number,
                None,
                None,
                None,
                None,
            ]
            if status == "Abgeschlossen":
                final_costs = eligible - D("1000.00") * (index % 3)
                final_grant = min(
                    granted - D("12.34") * (index % 4),
                    (final_costs * rate / 100).quantize(CENT, rounding=ROUND_DOWN),
                )
                row[9] = float(final_costs)
                row[10] = german(final_grant) if number % 2 else float(final_grant)
                row[12] = date(ends.year, 12, 15).strftime("%d.%m.%Y")
                row[14] = 18 + number
                row[15] = 15 + number
                land.paid[name] += final_grant
            else:
                land.committed[name] += granted
            if number % 4 == 0:
                row[16] = german(eligible - granted)
                row[17] = (
                    land.organisations[(number * 3) % len(land.organisations)]
                    if number % 8
                    else "Stiftung Musterland"
                )
            projects.append(row)
    land.rows["Vorhaben"] = projects
    return land
