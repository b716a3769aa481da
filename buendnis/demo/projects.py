"""Demo projects of the Fachkräftebündnis SüdOstNiedersachsen, loaded after the alliances and
their phases.

Phase 2015–2018 follows the council paper (docs/domain.md) and public sources: ten projects shared
the whole virtual budget of 1,5 Mio. €, at 50 % they set 3 Mio. € of project volume in motion.
Three of them are named there — Welcome Center, AWO-Praktikumsbörse für Migrantinnen und
Migranten, Stille Reserve — and carry the facts known about them; the other seven titles are
illustrative, chosen along the programme's funding priorities. Phases 2018–2021 and 2021–2024 are
history: every project has reached its end (closed, declined, rejected or withdrawn), on the
themes of its phase and on the open field. The running phase 2024–2027 shows the procedure at work
in the present (December 2026): at least one project in every state, with the dates of the
meetings of 2024 to 2026, waiting for the meetings of 2027. Every amount, date, runtime,
reference and participant figure is illustrative unless a comment says otherwise.

Every project walks through the real services with `actor=None` (the demo), from the consultation
to the state it shows: the same rules, audit rows, transitions, documents and ledger bookings as
real use. Each step runs as of its own day (`demo.clock`), so the project's creation, its
transitions, documents, consultations, outcomes and bookings carry the dates of the procedure,
and the services' rule that nothing lies in the future holds against that day. Mail is muted
while loading. A project is found again by (alliance, title): one that exists is skipped as a
whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.text import slugify

from buendnis.alliances import services as alliance_services
from buendnis.alliances.models import (
    ActionField,
    Alliance,
    Body,
    BodyKind,
    FundingPhase,
    GroupKind,
    Organisation,
    OrganisationGroup,
    Person,
    PersonFunction,
    Topic,
)
from buendnis.funding import notifications, services
from buendnis.funding.models import DocumentKind, FundingPriority, Outcome, Project
from buendnis.funding.states import Status

from . import renewal as themes
from .clock import as_of, moment
from .documents import demo_pdf
from .structure import ALLIANZ, OPEN_FIELD, STADT_BRAUNSCHWEIG

S = Status
P = FundingPriority

ALLIANCE_SLUG = "son"
PHASE_1 = "2015–2018"
PHASE_2 = "2018–2021"
PHASE_3 = "2021–2024"
PHASE_4 = "2024–2027"

AWO = "AWO Bezirksverband Braunschweig e. V."
AA_BS_GS = "Agentur für Arbeit Braunschweig-Goslar"

# Non-partner applicants (Projektträger need not be partners). Invented, like their people.
BILDUNGSWERK = "Beispiel-Bildungswerk Salzgitter gGmbH"
INTEGRATIONSDIENST = "Musterdienst Integration Wolfsburg e. V."

# Phase 2015–2018: the action fields are the programme's funding priorities (see demo.structure).
STRUCTURAL = "Strukturprojekte (z. B. Willkommenskultur, Unterstützung von KMU)"
UNEMPLOYED = "Qualifizierung und Vermittlung Arbeitsloser"
EMPLOYEES = "Passgenaue Weiterbildung von Beschäftigten"
# Phase 2018–2021: the Steuerkreis' fields of action of March 2018.
BERATUNG = "Beratungsinfrastruktur"
DIGITAL = "Digitalisierung / Innovation"
REKRUTIERUNG = "Rekrutierung und Matching"


def _eur(amount: str) -> Decimal:
    return Decimal(amount).quantize(Decimal("0.01"))


def _document(kind: DocumentKind, title: str, day: date, note: str = "") -> SimpleUploadedFile:
    lines = [
        f"{kind.label}: {title}",
        f"Fachkräftebündnis SüdOstNiedersachsen, Stand {day:%d.%m.%Y}",
        "Demo-Dokument mit beispielhaftem Inhalt.",
    ]
    if note:
        lines.append(note)
    name = f"{slugify(str(kind.label))}-{slugify(title)[:60]}.pdf"
    return SimpleUploadedFile(name, demo_pdf(*lines), content_type="application/pdf")


# --- The procedure as data ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Step:
    """One step of a project's walk through the services; `day` is the step's own date."""

    action: str
    day: date
    outcome: str = Outcome.POSITIVE
    # Reasons of an outcome, notes of a consultation, comment or reference of a step.
    text: str = ""
    reference: str = ""
    amount: Decimal | None = None
    costs: Decimal | None = None
    entered: int | None = None
    exited: int | None = None
    # For a forward: the day of the Sprecherkreis meeting it is put before (default: `day`).
    meeting: date | None = None


def consult(day: date, notes: str = "") -> _Step:
    return _Step("consult", day, text=notes)


def sketch(day: date) -> _Step:
    return _Step("sketch", day)


def description(day: date) -> _Step:
    return _Step("description", day)


def forward(day: date, meeting: date | None = None) -> _Step:
    """Forward the submission on `day` to the Sprecherkreis meeting of `meeting` (the same day
    unless given)."""
    return _Step("forward", day, meeting=meeting)


def speakers(day: date, outcome: str = Outcome.POSITIVE, reasons: str = "") -> _Step:
    """The Sprecherkreis' recommendation at its meeting of `day`."""
    return _Step("speakers", day, outcome=outcome, text=reasons)


def steering(
    day: date, outcome: str = Outcome.POSITIVE, reasons: str = "", reference: str = ""
) -> _Step:
    """The Steuerkreis' vote; `reference` when it was not taken in the meeting of `day`."""
    return _Step("steering", day, outcome=outcome, text=reasons, reference=reference)


def resubmit(day: date) -> _Step:
    return _Step("resubmit", day)


def resume(day: date) -> _Step:
    return _Step("resume", day)


def file(day: date, reference: str) -> _Step:
    return _Step("file", day, text=reference)


def grant(day: date, amount: str) -> _Step:
    return _Step("grant", day, amount=_eur(amount))


def decline(day: date, comment: str) -> _Step:
    return _Step("decline", day, text=comment)


def start(day: date) -> _Step:
    return _Step("start", day)


def close(
    day: date, costs: str, final_grant: str, entered: int | None = None, exited: int | None = None
) -> _Step:
    return _Step(
        "close", day, costs=_eur(costs), amount=_eur(final_grant), entered=entered, exited=exited
    )


def withdraw(day: date, reason: str) -> _Step:
    return _Step("withdraw", day, text=reason)


def stage_1(
    consulted: date, submitted: date, speakers_on: date, steering_on: date | None = None
) -> tuple[_Step, ...]:
    """Consultation, Kurzskizze, Sprecherkreis (recommends) and, if given, Steuerkreis (votes)."""
    steps = (consult(consulted), sketch(submitted), forward(speakers_on), speakers(speakers_on))
    return steps + ((steering(steering_on),) if steering_on else ())


def stage_2(
    submitted: date, speakers_on: date, steering_on: date | None = None
) -> tuple[_Step, ...]:
    """Projektbeschreibung, Sprecherkreis and, if given, the Steuerkreis' Votum."""
    steps = (description(submitted), forward(speakers_on), speakers(speakers_on))
    return steps + ((steering(steering_on),) if steering_on else ())


def funded(
    filed: date, reference: str, decided: date, amount: str, started: date
) -> tuple[_Step, ...]:
    """Application with the funding bank, its grant and the start of the project."""
    return (file(filed, reference), grant(decided, amount), start(started))


@dataclass(frozen=True)
class _ProjectSpec:
    title: str
    applicant: str
    action_field: str
    priority: FundingPriority
    summary: str
    goals: str
    target_group: str
    region: str
    starts_on: date
    ends_on: date
    eligible_costs: Decimal
    requested_grant: Decimal
    # Named co-financing shares: an organisation of the alliance or a payer's name, and amount.
    cofinancing: tuple[tuple[str, Decimal], ...]
    steps: tuple[_Step, ...]
    # The state the walk must end in: the loader checks it.
    expect: Status
    topics: tuple[str, ...] = ()
    planned_participants: int | None = None
    participant_groups: str = ""
    companies_reached: int | None = None
    # When the office created the project; default: the day of its first step.
    created_on: date | None = None

    @property
    def created(self) -> date:
        day = self.created_on or (self.steps[0].day if self.steps else None)
        if day is None:
            raise ValueError(f"Demo-Vorhaben „{self.title}“ braucht ein Anlagedatum.")
        return day


def _project(
    title: str,
    applicant: str,
    action_field: str,
    priority: FundingPriority,
    *,
    costs: str,
    requested: str,
    cofinancing: dict[str, str],
    runtime: tuple[date, date],
    steps: tuple[_Step, ...],
    expect: Status,
    summary: str,
    goals: str,
    target_group: str,
    region: str,
    topics: tuple[str, ...] = (),
    planned_participants: int | None = None,
    participant_groups: str = "",
    companies_reached: int | None = None,
    created_on: date | None = None,
) -> _ProjectSpec:
    return _ProjectSpec(
        title=title,
        applicant=applicant,
        action_field=action_field,
        priority=priority,
        summary=summary,
        goals=goals,
        target_group=target_group,
        region=region,
        starts_on=runtime[0],
        ends_on=runtime[1],
        eligible_costs=_eur(costs),
        requested_grant=_eur(requested),
        cofinancing=tuple((payer, _eur(amount)) for payer, amount in cofinancing.items()),
        steps=steps,
        expect=expect,
        topics=topics,
        planned_participants=planned_participants,
        participant_groups=participant_groups,
        companies_reached=companies_reached,
        created_on=created_on,
    )


D = date

# --- Phase 2015–2018: ten projects, all closed --------------------------------------------------
#
# Illustrative meeting calendar: the Steuerkreis meets quarterly, the Sprecherkreis two weeks
# before. Final figures: every final grant is 50 % of the final eligible costs; the grants add up
# to 1.500.000,00 € and the costs to 3.000.000,00 €, so the virtual budget is fully distributed.
# The projects are loaded one after the other, each to its end: the last one requests exactly
# what the budget has left.

PHASE_1_PROJECTS = (
    # The first project of the alliance (fact); the figures of the summary are public ones,
    # applicant and amounts are illustrative.
    _project(
        "Welcome Center",
        ALLIANZ,
        STRUCTURAL,
        P.STRUCTURAL,
        summary=(
            "Erste Anlaufstelle der Region für internationale Fachkräfte, ihre Familien und die "
            "Unternehmen, die sie beschäftigen wollen. Das Welcome Center hat im Februar 2016 "
            "mit Standorten in Braunschweig und Wolfsburg eröffnet; bis Ende 2020 hat es rund "
            "1.500 Menschen aus 52 Ländern sowie 95 Unternehmen beraten."
        ),
        goals=(
            "Zugewanderte Fachkräfte gewinnen und in der Region halten; Unternehmen bei der "
            "Anwerbung und Integration internationaler Beschäftigter unterstützen; eine "
            "Willkommenskultur in der Region aufbauen."
        ),
        target_group="Internationale Fachkräfte und ihre Familien, Unternehmen der Region",
        region="Stadt Braunschweig, Stadt Wolfsburg und die Region SüdOstNiedersachsen",
        planned_participants=600,
        participant_groups="Internationale Fachkräfte, Studierende, Familienangehörige",
        companies_reached=60,
        costs="600000",
        requested="300000",
        cofinancing={STADT_BRAUNSCHWEIG: "100000", "Stadt Wolfsburg": "100000", ALLIANZ: "100000"},
        runtime=(D(2016, 2, 1), D(2018, 6, 30)),
        steps=(
            *stage_1(D(2015, 8, 12), D(2015, 8, 28), D(2015, 9, 10), D(2015, 9, 24)),
            *stage_2(D(2015, 11, 6), D(2015, 11, 19), D(2015, 12, 3)),
            *funded(
                D(2015, 12, 14), "NBank FKB-2015-0001", D(2016, 1, 21), "300000", D(2016, 2, 1)
            ),
            close(D(2018, 10, 31), "560000", "280000", 640, 640),
        ),
        expect=S.CLOSED,
    ),
    # Named in the sources with its applicant; amounts and dates are illustrative.
    _project(
        "AWO-Praktikumsbörse für Migrantinnen und Migranten",
        AWO,
        UNEMPLOYED,
        P.UNEMPLOYED,
        summary=(
            "Die Praktikumsbörse vermittelt Migrantinnen und Migranten Praktika in Betrieben der "
            "Region als Einstieg in Ausbildung und Beschäftigung; sie begleitet Betriebe und "
            "Praktikantinnen und Praktikanten vor, während und nach dem Praktikum."
        ),
        goals=(
            "Praktika als Brücke in Ausbildung und Arbeit; Betriebe für die Beschäftigung von "
            "Zugewanderten gewinnen."
        ),
        target_group="Arbeitslose Migrantinnen und Migranten, Geflüchtete mit Bleibeperspektive",
        region="Stadt Braunschweig, Landkreise Wolfenbüttel und Helmstedt",
        planned_participants=180,
        participant_groups="120 Arbeitslose mit Migrationsgeschichte, 60 Geflüchtete",
        companies_reached=90,
        costs="250000",
        requested="125000",
        cofinancing={AWO: "45000", "Jobcenter Braunschweig": "80000"},
        runtime=(D(2016, 9, 1), D(2018, 6, 30)),
        steps=(
            *stage_1(D(2015, 9, 15), D(2015, 10, 30), D(2015, 11, 19), D(2015, 12, 3)),
            description(D(2016, 2, 5)),
            forward(D(2016, 2, 25)),
            speakers(
                D(2016, 2, 25),
                Outcome.REVISION,
                "Bitte die Zusammenarbeit mit den Kammern und den Jobcentern konkretisieren.",
            ),
            resubmit(D(2016, 5, 13)),
            forward(D(2016, 6, 2)),
            speakers(D(2016, 6, 2)),
            steering(D(2016, 6, 16)),
            *funded(D(2016, 6, 30), "NBank FKB-2016-0007", D(2016, 8, 18), "125000", D(2016, 9, 1)),
            close(D(2018, 10, 15), "240000", "120000", 174, 168),
        ),
        expect=S.CLOSED,
    ),
    # Co-financed by an employment agency, two districts, two cities and the Allianz für die
    # Region GmbH (fact); which agency, districts and cities, the applicant and amounts are not.
    _project(
        "Stille Reserve",
        BILDUNGSWERK,
        UNEMPLOYED,
        P.UNEMPLOYED,
        summary=(
            "Das Projekt spricht die „stille Reserve“ an: gut ausgebildete Menschen, vor allem "
            "Frauen, die nach einer Familienphase nicht erwerbstätig und nicht arbeitslos "
            "gemeldet sind. Es berät, qualifiziert und vermittelt sie in Betriebe der Region."
        ),
        goals="Rückkehr in den Beruf; Fachkräfte für die Betriebe der Region erschließen.",
        target_group="Nicht erwerbstätige Fachkräfte, insbesondere Berufsrückkehrerinnen",
        region="Städte Braunschweig und Salzgitter, Landkreise Gifhorn und Wolfenbüttel",
        planned_participants=200,
        participant_groups="170 Berufsrückkehrerinnen, 30 Berufsrückkehrer",
        costs="360000",
        requested="180000",
        cofinancing={
            AA_BS_GS: "60000",
            "Landkreis Gifhorn": "20000",
            "Landkreis Wolfenbüttel": "20000",
            STADT_BRAUNSCHWEIG: "30000",
            "Stadt Salzgitter": "30000",
            ALLIANZ: "20000",
        },
        runtime=(D(2016, 10, 1), D(2018, 6, 30)),
        steps=(
            *stage_1(D(2016, 1, 19), D(2016, 2, 12), D(2016, 2, 25), D(2016, 3, 10)),
            *stage_2(D(2016, 5, 13), D(2016, 6, 2), D(2016, 6, 16)),
            *funded(D(2016, 7, 4), "NBank FKB-2016-0011", D(2016, 8, 25), "180000", D(2016, 10, 1)),
            close(D(2018, 11, 30), "360000", "180000", 212, 197),
        ),
        expect=S.CLOSED,
    ),
    # The remaining seven titles are illustrative, one or more per funding priority.
    _project(
        "Teilqualifizierung Lager und Logistik",
        BILDUNGSWERK,
        UNEMPLOYED,
        P.UNEMPLOYED,
        summary=(
            "Arbeitslose ohne Berufsabschluss erwerben in zertifizierten Teilqualifikationen "
            "Schritt für Schritt den Abschluss als Fachkraft für Lagerlogistik, mit Praxisphasen "
            "in Logistikbetrieben der Region."
        ),
        goals="Berufsabschluss in Etappen; Vermittlung in sozialversicherungspflichtige Arbeit.",
        target_group="Arbeitslose und Langzeitarbeitslose ohne Berufsabschluss",
        region="Stadt Salzgitter, Landkreis Peine",
        planned_participants=90,
        participant_groups="60 Langzeitarbeitslose, 30 Arbeitslose unter 25 Jahren",
        costs="280000",
        requested="140000",
        cofinancing={"Stadt Salzgitter": "40000", AA_BS_GS: "100000"},
        runtime=(D(2017, 1, 1), D(2018, 6, 30)),
        steps=(
            *stage_1(D(2016, 4, 5), D(2016, 5, 13), D(2016, 6, 2), D(2016, 6, 16)),
            *stage_2(D(2016, 8, 26), D(2016, 9, 8), D(2016, 9, 22)),
            *funded(
                D(2016, 10, 6), "NBank FKB-2016-0019", D(2016, 11, 24), "140000", D(2017, 1, 1)
            ),
            close(D(2018, 9, 14), "280000", "140000", 94, 88),
        ),
        expect=S.CLOSED,
    ),
    _project(
        "Weiterbildungsverbund Industrie 4.0 für KMU",
        "Arbeitgeberverband Region Braunschweig e. V.",
        EMPLOYEES,
        P.EMPLOYEES,
        summary=(
            "Kleine und mittlere Zulieferbetriebe qualifizieren ihre Beschäftigten gemeinsam für "
            "vernetzte Produktion: Bedarfsanalyse im Betrieb, passgenaue Module, "
            "Lernbegleitung am Arbeitsplatz."
        ),
        goals="Beschäftigte für den digitalen Wandel qualifizieren und im Betrieb halten.",
        target_group="Beschäftigte in kleinen und mittleren Industriebetrieben",
        region="Städte Braunschweig, Salzgitter und Wolfsburg, Landkreis Gifhorn",
        planned_participants=240,
        companies_reached=35,
        costs="320000",
        requested="160000",
        cofinancing={
            "Arbeitgeberverband Region Braunschweig e. V.": "40000",
            "Beteiligte Unternehmen (Eigenanteil)": "120000",
        },
        runtime=(D(2017, 3, 1), D(2018, 6, 30)),
        steps=(
            *stage_1(D(2016, 6, 21), D(2016, 8, 19), D(2016, 9, 8), D(2016, 9, 22)),
            *stage_2(D(2016, 11, 4), D(2016, 11, 24), D(2016, 12, 8)),
            # The bank grants less than requested: the ledger releases the difference.
            *funded(
                D(2016, 12, 20), "NBank FKB-2016-0026", D(2017, 2, 16), "150000", D(2017, 3, 1)
            ),
            close(D(2018, 10, 26), "300000", "150000", 251, 251),
        ),
        expect=S.CLOSED,
    ),
    _project(
        "Pflege-Perspektive: Umschulung in die Altenpflege",
        "Diakonie im Braunschweiger Land gGmbH",
        UNEMPLOYED,
        P.UNEMPLOYED,
        summary=(
            "Arbeitslose mit Interesse an der Pflege werden in einer Orientierungsphase erprobt "
            "und in die dreijährige Umschulung zur Altenpflegerin oder zum Altenpfleger "
            "begleitet; Träger der Altenhilfe stellen Praxisplätze."
        ),
        goals="Mehr Pflegefachkräfte für die Region; Perspektive für Arbeitslose.",
        target_group="Arbeitslose, insbesondere Berufswechslerinnen und Berufswechsler",
        region="Stadt Braunschweig, Landkreise Helmstedt und Wolfenbüttel",
        planned_participants=60,
        costs="260000",
        requested="130000",
        cofinancing={"Diakonie im Braunschweiger Land gGmbH": "50000", AA_BS_GS: "80000"},
        runtime=(D(2017, 6, 1), D(2018, 6, 30)),
        steps=(
            *stage_1(D(2016, 9, 6), D(2016, 11, 4), D(2016, 11, 24), D(2016, 12, 8)),
            *stage_2(D(2017, 2, 10), D(2017, 3, 2), D(2017, 3, 16)),
            *funded(D(2017, 3, 30), "NBank FKB-2017-0004", D(2017, 5, 18), "130000", D(2017, 6, 1)),
            close(D(2018, 9, 28), "260000", "130000", 58, 51),
        ),
        expect=S.CLOSED,
    ),
    _project(
        "Karrierebrücke: Hochschulabsolventen für regionale KMU",
        "Ostfalia Hochschule für angewandte Wissenschaften",
        STRUCTURAL,
        P.STRUCTURAL,
        summary=(
            "Eine Vermittlungsstelle an den Hochschulen bringt Absolventinnen und Absolventen mit "
            "kleinen und mittleren Unternehmen der Region zusammen: Praxisprojekte, "
            "Abschlussarbeiten im Betrieb, Karrieretage."
        ),
        goals="Hochschulabsolventen in der Region halten; KMU als Arbeitgeber sichtbar machen.",
        target_group="Studierende und Absolventen; kleine und mittlere Unternehmen",
        region="Städte Braunschweig, Wolfsburg und Salzgitter, Landkreis Wolfenbüttel",
        planned_participants=300,
        companies_reached=80,
        costs="220000",
        requested="110000",
        cofinancing={
            "Ostfalia Hochschule für angewandte Wissenschaften": "40000",
            "Technische Universität Braunschweig": "40000",
            "IHK Braunschweig": "30000",
        },
        runtime=(D(2017, 9, 1), D(2018, 6, 30)),
        steps=(
            consult(D(2016, 10, 11)),
            sketch(D(2016, 11, 4)),
            forward(D(2016, 11, 24)),
            speakers(D(2016, 11, 24)),
            # Deferred to the next meeting, then voted on.
            steering(
                D(2016, 12, 8),
                Outcome.DEFERRED,
                reasons="Die Beteiligung der Technischen Universität wird noch geklärt.",
            ),
            resume(D(2017, 3, 2)),
            steering(D(2017, 3, 16)),
            *stage_2(D(2017, 5, 12), D(2017, 6, 8), D(2017, 6, 22)),
            *funded(D(2017, 7, 10), "NBank FKB-2017-0012", D(2017, 8, 24), "110000", D(2017, 9, 1)),
            close(D(2018, 10, 19), "220000", "110000", 312, 312),
        ),
        expect=S.CLOSED,
    ),
    _project(
        "Personalberatung für kleine Handwerksbetriebe",
        "Handwerkskammer Braunschweig-Lüneburg-Stade",
        STRUCTURAL,
        P.STRUCTURAL,
        summary=(
            "Beraterinnen und Berater der Kammer unterstützen Handwerksbetriebe ohne eigene "
            "Personalabteilung bei Fachkräftesuche, Ausbildung und Mitarbeiterbindung."
        ),
        goals="Kleine Betriebe als Arbeitgeber stärken; offene Stellen schneller besetzen.",
        target_group="Handwerksbetriebe mit weniger als 20 Beschäftigten",
        region="Region SüdOstNiedersachsen",
        companies_reached=150,
        costs="240000",
        requested="120000",
        cofinancing={
            "Handwerkskammer Braunschweig-Lüneburg-Stade": "80000",
            "Kreishandwerkerschaft Braunschweig-Gifhorn": "40000",
        },
        runtime=(D(2017, 9, 1), D(2018, 6, 30)),
        steps=(
            *stage_1(D(2017, 1, 17), D(2017, 2, 10), D(2017, 3, 2), D(2017, 3, 16)),
            *stage_2(D(2017, 5, 12), D(2017, 6, 8), D(2017, 6, 22)),
            *funded(D(2017, 7, 6), "NBank FKB-2017-0015", D(2017, 8, 31), "120000", D(2017, 9, 1)),
            close(D(2018, 10, 31), "240000", "120000"),
        ),
        expect=S.CLOSED,
    ),
    _project(
        "Grundbildung am Arbeitsplatz",
        "DGB Region SüdOstNiedersachsen",
        EMPLOYEES,
        P.EMPLOYEES,
        summary=(
            "An- und ungelernte Beschäftigte verbessern Lesen, Schreiben, Rechnen und digitale "
            "Grundkenntnisse in kurzen Lerneinheiten im Betrieb, begleitet von Lernlotsen aus "
            "den Belegschaften."
        ),
        goals="Beschäftigte für Weiterbildung und neue Aufgaben im Betrieb befähigen.",
        target_group="An- und ungelernte Beschäftigte",
        region="Stadt Wolfsburg, Landkreise Gifhorn und Helmstedt",
        planned_participants=150,
        companies_reached=20,
        costs="200000",
        requested="100000",
        cofinancing={
            "DGB Region SüdOstNiedersachsen": "30000",
            "Beteiligte Betriebe (Freistellung)": "70000",
        },
        runtime=(D(2017, 12, 1), D(2018, 6, 30)),
        steps=(
            *stage_1(D(2017, 3, 21), D(2017, 5, 12), D(2017, 6, 8), D(2017, 6, 22)),
            *stage_2(D(2017, 8, 25), D(2017, 9, 7), D(2017, 9, 21)),
            *funded(
                D(2017, 10, 5), "NBank FKB-2017-0021", D(2017, 11, 16), "100000", D(2017, 12, 1)
            ),
            close(D(2018, 10, 12), "200000", "100000", 143, 139),
        ),
        expect=S.CLOSED,
    ),
    _project(
        "Fachkräfte im Tourismus Harz",
        "Landkreis Goslar",
        EMPLOYEES,
        P.EMPLOYEES,
        summary=(
            "Beschäftigte in Hotellerie und Gastronomie im Harz erhalten berufsbegleitende "
            "Weiterbildungen (Service, Küche, Gästekommunikation, Sprachen); Betriebe werden zu "
            "Arbeitszeit und Bindung beraten."
        ),
        goals="Beschäftigte im Gastgewerbe qualifizieren und in der Branche halten.",
        target_group="Beschäftigte in Hotellerie und Gastronomie",
        region="Landkreis Goslar",
        planned_participants=200,
        companies_reached=45,
        costs="340000",
        requested="170000",
        cofinancing={"Landkreis Goslar": "110000", "IHK Braunschweig": "60000"},
        runtime=(D(2018, 1, 1), D(2018, 6, 30)),
        steps=(
            *stage_1(D(2017, 4, 4), D(2017, 5, 12), D(2017, 6, 8), D(2017, 6, 22)),
            *stage_2(D(2017, 8, 25), D(2017, 9, 7), D(2017, 9, 21)),
            *funded(
                D(2017, 10, 5), "NBank FKB-2017-0022", D(2017, 11, 23), "170000", D(2018, 1, 1)
            ),
            close(D(2018, 11, 16), "340000", "170000", 206, 198),
        ),
        expect=S.CLOSED,
    ),
)

# --- Phase 2018–2021: history, every project at its end -----------------------------------------
#
# All titles are illustrative. The projects started in 2018 to 2021 and are closed, or ended in
# the procedure; runtimes end with the phase. Illustrative meeting calendar (Sprecherkreis /
# Steuerkreis): 06.09./20.09.2018, 22.11./06.12.2018, 28.02./14.03.2019, 29.05./13.06.2019,
# 05.09./19.09.2019, 21.11./05.12.2019, 27.02./12.03.2020, 04.06./18.06.2020, 03.09./17.09.2020,
# 19.11./03.12.2020.

WILLKOMMEN = "Erwerbstätigkeit geflüchteter Frauen stärken; Stärkung der Willkommenskultur"
NONFORMAL = (
    "Geflüchtete Menschen: Nutzbarmachung von nichtformalen beruflichen Kenntnissen und Fähigkeiten"
)
BETRIEBE_GEFLUECHTETE = (
    "Beratung von Betrieben zur Beschäftigung und Qualifizierung geflüchteter Menschen"
)

PHASE_2_PROJECTS = (
    _project(
        "Willkommenslotsinnen: geflüchtete Frauen in Arbeit",
        "Caritasverband Braunschweig e. V.",
        BERATUNG,
        P.UNEMPLOYED,
        topics=(WILLKOMMEN,),
        summary=(
            "Lotsinnen mit eigener Fluchtgeschichte begleiten geflüchtete Frauen von der ersten "
            "Orientierung über Sprachkurs und Praktikum bis in Ausbildung oder Arbeit; "
            "Kinderbetreuung während der Angebote ist Teil des Projekts."
        ),
        goals="Erwerbstätigkeit geflüchteter Frauen; Willkommenskultur in Betrieben.",
        target_group="Geflüchtete Frauen, insbesondere Mütter",
        region="Stadt Braunschweig, Landkreis Wolfenbüttel",
        planned_participants=120,
        participant_groups="120 geflüchtete Frauen",
        costs="240000",
        requested="120000",
        cofinancing={
            "Caritasverband Braunschweig e. V.": "40000",
            STADT_BRAUNSCHWEIG: "40000",
            "Landkreis Wolfenbüttel": "40000",
        },
        runtime=(D(2019, 6, 1), D(2020, 12, 31)),
        steps=(
            *stage_1(D(2018, 7, 17), D(2018, 8, 24), D(2018, 9, 6), D(2018, 9, 20)),
            description(D(2018, 11, 9)),
            forward(D(2018, 11, 22)),
            speakers(D(2018, 11, 22)),
            steering(
                D(2018, 12, 6),
                Outcome.DEFERRED,
                reasons="Die Kofinanzierung des Landkreises ist noch nicht beschlossen.",
            ),
            resume(D(2019, 2, 28)),
            steering(D(2019, 3, 14)),
            *funded(D(2019, 3, 28), "NBank FKB-2019-0003", D(2019, 5, 9), "120000", D(2019, 6, 1)),
            close(D(2021, 3, 26), "228000", "114000", 109, 97),
        ),
        expect=S.CLOSED,
    ),
    _project(
        "AWO-Praktikumsbörse für Migrantinnen und Migranten – Folgeprojekt",
        AWO,
        BERATUNG,
        P.UNEMPLOYED,
        topics=(NONFORMAL, BETRIEBE_GEFLUECHTETE),
        summary=(
            "Die Praktikumsbörse wird fortgesetzt und um die Erfassung nichtformaler beruflicher "
            "Kenntnisse erweitert: Praktika werden danach ausgewählt, was Teilnehmende schon "
            "können, und Betriebe werden zur Beschäftigung Geflüchteter beraten."
        ),
        goals="Praktika als Brücke in Ausbildung und Arbeit; Kompetenzen sichtbar machen.",
        target_group="Arbeitslose Migrantinnen und Migranten, Geflüchtete",
        region="Stadt Braunschweig, Landkreise Wolfenbüttel und Helmstedt",
        planned_participants=200,
        participant_groups="130 Arbeitslose mit Migrationsgeschichte, 70 Geflüchtete",
        companies_reached=110,
        costs="260000",
        requested="130000",
        cofinancing={AWO: "50000", "Jobcenter Braunschweig": "80000"},
        runtime=(D(2019, 3, 1), D(2021, 6, 30)),
        steps=(
            *stage_1(D(2018, 8, 14), D(2018, 8, 31), D(2018, 9, 6), D(2018, 9, 20)),
            *stage_2(D(2018, 10, 26), D(2018, 11, 22)),
            steering(D(2018, 11, 30), reference="Umlaufbeschluss vom 30.11.2018, einstimmig"),
            *funded(D(2018, 12, 10), "NBank FKB-2018-0014", D(2019, 2, 7), "130000", D(2019, 3, 1)),
            close(D(2021, 9, 24), "252000", "126000", 196, 181),
        ),
        expect=S.CLOSED,
    ),
    _project(
        "Gastgewerbe im Harz: Fachkräfte gewinnen und halten",
        "Landkreis Goslar",
        OPEN_FIELD,
        P.STRUCTURAL,
        summary=(
            "Eine Servicestelle berät Hotels und Gaststätten im Harz zu Arbeitszeitmodellen, "
            "Ausbildung und Wohnraum für Beschäftigte und wirbt gemeinsam mit den Betrieben "
            "Fachkräfte an."
        ),
        goals="Offene Stellen im Gastgewerbe besetzen; Betriebe als Arbeitgeber stärken.",
        target_group="Betriebe des Gastgewerbes und ihre Beschäftigten",
        region="Landkreis Goslar",
        companies_reached=70,
        costs="190000",
        requested="95000",
        cofinancing={"Landkreis Goslar": "50000", "IHK Braunschweig": "45000"},
        runtime=(D(2019, 9, 1), D(2021, 6, 30)),
        steps=(
            consult(D(2018, 10, 9)),
            sketch(D(2018, 11, 9)),
            forward(D(2018, 11, 22)),
            speakers(D(2018, 11, 22)),
            steering(
                D(2018, 12, 6),
                Outcome.REVISION,
                "Bitte Zielgruppe und Abgrenzung zum Vorgängerprojekt „Fachkräfte im Tourismus "
                "Harz“ schärfen.",
            ),
            resubmit(D(2019, 1, 25)),
            forward(D(2019, 2, 28)),
            speakers(D(2019, 2, 28)),
            steering(D(2019, 3, 14)),
            *stage_2(D(2019, 5, 10), D(2019, 5, 29), D(2019, 6, 13)),
            *funded(D(2019, 6, 27), "NBank FKB-2019-0011", D(2019, 8, 22), "95000", D(2019, 9, 1)),
            close(D(2021, 9, 30), "184000", "92000"),
        ),
        expect=S.CLOSED,
    ),
    _project(
        "Pflege und Erziehung: Fachkräfte gewinnen",
        "Diakonie im Braunschweiger Land gGmbH",
        REKRUTIERUNG,
        P.STRUCTURAL,
        topics=(
            "Rekrutierung von pädagogischen und pflegerischen Fachkräften und im medizinischen Bereich",
        ),
        summary=(
            "Ein Rekrutierungsverbund von Trägern der Pflege und der Kindertagesbetreuung wirbt "
            "gemeinsam um Fachkräfte, Quereinsteigende und Auszubildende und bindet sie mit "
            "Mentoring in den ersten Monaten."
        ),
        goals="Fachkräfte für Pflege und Kitas gewinnen und halten.",
        target_group="Pflege- und Erziehungsfachkräfte, Quereinsteigende, Träger",
        region="Stadt Wolfsburg, Landkreis Helmstedt",
        planned_participants=150,
        companies_reached=40,
        costs="300000",
        requested="150000",
        cofinancing={
            "Diakonie im Braunschweiger Land gGmbH": "60000",
            "Stadt Wolfsburg": "45000",
            "Landkreis Helmstedt": "45000",
        },
        runtime=(D(2020, 10, 1), D(2021, 6, 30)),
        steps=(
            *stage_1(D(2020, 1, 14), D(2020, 2, 14), D(2020, 2, 27), D(2020, 3, 12)),
            *stage_2(D(2020, 5, 22), D(2020, 6, 4), D(2020, 6, 18)),
            file(D(2020, 7, 6), "NBank FKB-2020-0009"),
            # The bank grants less than the Votum reserved.
            grant(D(2020, 9, 10), "140000"),
            start(D(2020, 10, 1)),
            close(D(2021, 9, 17), "280000", "140000", 142, 130),
        ),
        expect=S.CLOSED,
    ),
    _project(
        "Zurück in die Region: Rückkehrförderung",
        "Stadt Salzgitter",
        REKRUTIERUNG,
        P.STRUCTURAL,
        topics=("Rückkehrförderung",),
        summary=(
            "Fachkräfte, die die Region verlassen haben, werden über Netzwerke, Alumni-Listen und "
            "Veranstaltungen zu den Feiertagen angesprochen und bei der Rückkehr begleitet."
        ),
        goals="Abgewanderte Fachkräfte zurückgewinnen.",
        target_group="Abgewanderte Fachkräfte und ihre Familien",
        region="Stadt Salzgitter",
        planned_participants=100,
        costs="180000",
        requested="90000",
        cofinancing={"Stadt Salzgitter": "90000"},
        runtime=(D(2020, 4, 1), D(2021, 6, 30)),
        steps=(
            *stage_1(D(2019, 7, 9), D(2019, 8, 23), D(2019, 9, 5), D(2019, 9, 19)),
            *stage_2(D(2019, 11, 8), D(2019, 11, 21), D(2019, 12, 5)),
            file(D(2019, 12, 18), "NBank FKB-2019-0020"),
            decline(
                D(2020, 2, 20),
                "Förderbank: überwiegend Standortmarketing, nach der Richtlinie nicht förderfähig.",
            ),
        ),
        expect=S.DECLINED,
    ),
    _project(
        "Dual Career Service SüdOstNiedersachsen",
        "Technische Universität Braunschweig",
        REKRUTIERUNG,
        P.STRUCTURAL,
        topics=("Dual Career",),
        summary=(
            "Wer eine Fachkraft in die Region holt, holt oft eine Familie: der Service sucht für "
            "Partnerinnen und Partner neu gewonnener Fachkräfte passende Stellen bei Arbeitgebern "
            "der Region."
        ),
        goals="Zuzug von Fachkräften erleichtern; Partnerinnen und Partner beruflich einbinden.",
        target_group="Partnerinnen und Partner zuziehender Fachkräfte; Arbeitgeber der Region",
        region="Region SüdOstNiedersachsen",
        planned_participants=80,
        companies_reached=50,
        costs="200000",
        requested="100000",
        cofinancing={
            "Technische Universität Braunschweig": "50000",
            STADT_BRAUNSCHWEIG: "25000",
            "IHK Braunschweig": "25000",
        },
        runtime=(D(2021, 1, 1), D(2021, 6, 30)),
        steps=(
            *stage_1(D(2020, 4, 21), D(2020, 5, 22), D(2020, 6, 4), D(2020, 6, 18)),
            *stage_2(D(2020, 8, 21), D(2020, 9, 3), D(2020, 9, 17)),
            *funded(
                D(2020, 10, 1), "NBank FKB-2020-0017", D(2020, 12, 10), "100000", D(2021, 1, 1)
            ),
            close(D(2021, 10, 15), "190000", "95000", 74, 74),
        ),
        expect=S.CLOSED,
    ),
    _project(
        "Teilqualifizierung Metall und Elektro",
        BILDUNGSWERK,
        BERATUNG,
        P.UNEMPLOYED,
        topics=("Maßnahmen zur Förderung von Teilqualifikationen",),
        summary=(
            "Arbeitslose ohne Abschluss erwerben Teilqualifikationen in Metall- und "
            "Elektroberufen, mit Praxisphasen bei Zulieferern der Region."
        ),
        goals="Abschluss in Etappen; Vermittlung in die Industrie der Region.",
        target_group="Arbeitslose ohne Berufsabschluss",
        region="Stadt Salzgitter, Landkreis Peine",
        planned_participants=70,
        costs="220000",
        requested="110000",
        cofinancing={AA_BS_GS: "70000", BILDUNGSWERK: "40000"},
        runtime=(D(2021, 2, 1), D(2021, 6, 30)),
        steps=(
            *stage_1(D(2020, 7, 7), D(2020, 8, 21), D(2020, 9, 3), D(2020, 9, 17)),
            *stage_2(D(2020, 11, 6), D(2020, 11, 19), D(2020, 12, 3)),
            *funded(
                D(2020, 12, 14), "NBank FKB-2020-0023", D(2021, 1, 28), "110000", D(2021, 2, 1)
            ),
            close(D(2021, 10, 29), "210000", "105000", 66, 61),
        ),
        expect=S.CLOSED,
    ),
    _project(
        "Angebotslandkarte Fachkräftesicherung",
        "Landkreis Peine",
        REKRUTIERUNG,
        P.STRUCTURAL,
        topics=("Transparenz, Vermarktung und Vernetzung bestehender Angebote",),
        summary=(
            "Eine öffentliche Online-Karte zeigt die Angebote der Partner zur Fachkräftesicherung "
            "nach Ort, Zielgruppe und Thema."
        ),
        goals="Bestehende Angebote sichtbar machen und vernetzen.",
        target_group="Unternehmen, Beschäftigte, Arbeitsuchende, Beratungsstellen",
        region="Region SüdOstNiedersachsen",
        costs="120000",
        requested="60000",
        cofinancing={"Landkreis Peine": "60000"},
        runtime=(D(2020, 3, 1), D(2021, 6, 30)),
        steps=(
            *stage_1(D(2019, 7, 16), D(2019, 8, 23), D(2019, 9, 5), D(2019, 9, 19)),
            *stage_2(D(2019, 11, 8), D(2019, 11, 21), D(2019, 12, 5)),
            withdraw(
                D(2020, 1, 20),
                "Zurückgezogen am 20.01.2020: der Kreistag hat die Kofinanzierung nicht "
                "beschlossen.",
            ),
        ),
        expect=S.WITHDRAWN,
    ),
    _project(
        "Azubi-Speeddating in der Region",
        BILDUNGSWERK,
        REKRUTIERUNG,
        P.STRUCTURAL,
        topics=("Transparenz, Vermarktung und Vernetzung bestehender Angebote",),
        summary="Speeddating-Veranstaltungen bringen Schulabgänger und Ausbildungsbetriebe zusammen.",
        goals="Offene Ausbildungsplätze besetzen.",
        target_group="Schulabgängerinnen und Schulabgänger, Ausbildungsbetriebe",
        region="Stadt Salzgitter",
        planned_participants=300,
        companies_reached=60,
        costs="60000",
        requested="30000",
        cofinancing={BILDUNGSWERK: "30000"},
        runtime=(D(2020, 3, 1), D(2021, 6, 30)),
        steps=(
            consult(D(2019, 10, 15)),
            sketch(D(2019, 11, 8)),
            forward(D(2019, 11, 21)),
            speakers(
                D(2019, 11, 21),
                Outcome.NEGATIVE,
                "Empfehlung: nicht befürworten, das Angebot besteht bereits bei den Kammern.",
            ),
            steering(
                D(2019, 12, 5),
                Outcome.NEGATIVE,
                "Das Angebot besteht bereits bei den Kammern; eine Förderlücke ist nicht erkennbar.",
            ),
        ),
        expect=S.REJECTED,
    ),
)

# --- Phase 2021–2024: history, every project at its end -----------------------------------------
#
# Illustrative, like the fields of the phase (`demo.renewal`). Meeting calendar (Sprecherkreis /
# Steuerkreis, the third Wednesday of each quarter's middle month and two weeks before):
# 04.08./18.08. and 03.11./17.11.2021, 02.02./16.02., 04.05./18.05., 03.08./17.08. and
# 02.11./16.11.2022, 01.02./15.02. and 03.05./17.05.2023.

PHASE_3_PROJECTS = (
    _project(
        "Digitale Kompetenzen für Beschäftigte in KMU",
        "IHK Braunschweig",
        DIGITAL,
        P.EMPLOYEES,
        topics=(themes.T_DIGITAL,),
        summary=(
            "Beschäftigte kleiner und mittlerer Unternehmen lernen in kurzen Modulen im Betrieb "
            "und online, mit digitalen Werkzeugen, Daten und Datenschutz umzugehen."
        ),
        goals="Digitale Grundkompetenzen in der Breite der Belegschaften.",
        target_group="Beschäftigte in kleinen und mittleren Unternehmen",
        region="Region SüdOstNiedersachsen",
        planned_participants=500,
        companies_reached=120,
        costs="600000",
        requested="300000",
        cofinancing={
            "IHK Braunschweig": "100000",
            "Beteiligte Unternehmen (Eigenanteil)": "200000",
        },
        runtime=(D(2022, 1, 1), D(2024, 6, 30)),
        steps=(
            *stage_1(D(2021, 7, 13), D(2021, 7, 23), D(2021, 8, 4), D(2021, 8, 18)),
            *stage_2(D(2021, 10, 15), D(2021, 11, 3), D(2021, 11, 17)),
            *funded(
                D(2021, 11, 29), "NBank FKB-2021-0019", D(2021, 12, 16), "300000", D(2022, 1, 1)
            ),
            close(D(2024, 9, 27), "580000", "290000", 512, 498),
        ),
        expect=S.CLOSED,
    ),
    _project(
        "Pflegeschule international: Anerkennung begleiten",
        "Diakonie im Braunschweiger Land gGmbH",
        REKRUTIERUNG,
        P.STRUCTURAL,
        topics=(themes.T_CARE,),
        summary=(
            "Pflegefachkräfte aus dem Ausland werden von der Anwerbung über die Anerkennung "
            "ihres Abschlusses bis in die ersten Monate im Betrieb begleitet; die Träger der "
            "Pflege lernen, wie Einarbeitung über Sprachgrenzen gelingt."
        ),
        goals="Anerkannte Pflegefachkräfte für die Region; weniger Abbrüche.",
        target_group="Internationale Pflegefachkräfte, Träger der Pflege",
        region="Städte Braunschweig und Wolfsburg, Landkreis Helmstedt",
        planned_participants=90,
        companies_reached=25,
        costs="500000",
        requested="250000",
        cofinancing={
            "Diakonie im Braunschweiger Land gGmbH": "150000",
            "Agentur für Arbeit Braunschweig-Goslar": "100000",
        },
        runtime=(D(2022, 5, 1), D(2024, 6, 30)),
        steps=(
            *stage_1(D(2021, 9, 7), D(2021, 10, 15), D(2021, 11, 3), D(2021, 11, 17)),
            *stage_2(D(2022, 1, 14), D(2022, 2, 2), D(2022, 2, 16)),
            *funded(D(2022, 3, 1), "NBank FKB-2022-0004", D(2022, 4, 7), "250000", D(2022, 5, 1)),
            close(D(2024, 10, 11), "500000", "250000", 96, 88),
        ),
        expect=S.CLOSED,
    ),
    _project(
        "Transformationswerkstatt Zulieferer",
        "Arbeitgeberverband Region Braunschweig e. V.",
        DIGITAL,
        P.EMPLOYEES,
        topics=(themes.T_WORK40,),
        summary=(
            "Zulieferbetriebe erarbeiten mit ihren Beschäftigten, welche Tätigkeiten sich durch "
            "Elektromobilität und Automatisierung ändern, und qualifizieren für die neuen."
        ),
        goals="Beschäftigte in der Transformation halten und weiterbilden.",
        target_group="Beschäftigte und Führungskräfte in Zulieferbetrieben",
        region="Städte Braunschweig, Salzgitter und Wolfsburg, Landkreis Gifhorn",
        planned_participants=320,
        companies_reached=30,
        costs="520000",
        requested="260000",
        cofinancing={
            "Arbeitgeberverband Region Braunschweig e. V.": "60000",
            "IG Metall Braunschweig": "20000",
            "Beteiligte Unternehmen (Eigenanteil)": "180000",
        },
        runtime=(D(2022, 11, 1), D(2024, 6, 30)),
        steps=(
            *stage_1(D(2022, 1, 11), D(2022, 4, 8), D(2022, 5, 4), D(2022, 5, 18)),
            *stage_2(D(2022, 7, 15), D(2022, 8, 3), D(2022, 8, 17)),
            *funded(
                D(2022, 8, 31), "NBank FKB-2022-0021", D(2022, 10, 6), "260000", D(2022, 11, 1)
            ),
            close(D(2024, 9, 30), "510000", "255000", 340, 332),
        ),
        expect=S.CLOSED,
    ),
    _project(
        "Berufsorientierung im Tandem: Schule und KMU",
        "Landkreis Gifhorn",
        BERATUNG,
        P.STRUCTURAL,
        topics=(themes.T_ORIENTATION,),
        summary=(
            "Schulen und kleine Betriebe bilden Tandems: Schülerinnen und Schüler lernen die "
            "Betriebe in Praxistagen kennen, die Betriebe gewinnen Auszubildende."
        ),
        goals="Mehr Ausbildungsverträge in kleinen Betrieben des Landkreises.",
        target_group="Schülerinnen und Schüler der Abschlussklassen; KMU",
        region="Landkreis Gifhorn",
        planned_participants=400,
        companies_reached=70,
        costs="360000",
        requested="180000",
        cofinancing={
            "Landkreis Gifhorn": "120000",
            "Handwerkskammer Braunschweig-Lüneburg-Stade": "60000",
        },
        runtime=(D(2023, 2, 1), D(2024, 6, 30)),
        steps=(
            *stage_1(D(2022, 6, 14), D(2022, 7, 15), D(2022, 8, 3), D(2022, 8, 17)),
            *stage_2(D(2022, 10, 14), D(2022, 11, 2), D(2022, 11, 16)),
            *funded(
                D(2022, 11, 30), "NBank FKB-2022-0033", D(2023, 1, 12), "180000", D(2023, 2, 1)
            ),
            close(D(2024, 8, 30), "350000", "175000", 410, 410),
        ),
        expect=S.CLOSED,
    ),
    _project(
        "Rückkehr in die Region: Fachkräfte-Netzwerk",
        "Stadt Salzgitter",
        REKRUTIERUNG,
        P.STRUCTURAL,
        topics=(themes.T_RETURN,),
        summary=(
            "Ein Netzwerk aus Betrieben, Hochschulen und Stadt spricht Fachkräfte an, die die "
            "Region verlassen haben, berät sie zu Stellen und begleitet den Umzug. Anders als "
            "die Rückkehrkampagne von 2019 verbindet es die Ansprache mit Stellenangeboten."
        ),
        goals="Abgewanderte Fachkräfte mit passenden Stellen zurückgewinnen.",
        target_group="Abgewanderte Fachkräfte und ihre Familien; Arbeitgeber",
        region="Stadt Salzgitter",
        planned_participants=120,
        companies_reached=40,
        costs="300000",
        requested="150000",
        cofinancing={"Stadt Salzgitter": "150000"},
        runtime=(D(2023, 5, 1), D(2024, 6, 30)),
        steps=(
            *stage_1(D(2022, 9, 6), D(2022, 10, 14), D(2022, 11, 2), D(2022, 11, 16)),
            *stage_2(D(2023, 1, 13), D(2023, 2, 1), D(2023, 2, 15)),
            *funded(D(2023, 3, 1), "NBank FKB-2023-0006", D(2023, 4, 13), "150000", D(2023, 5, 1)),
            close(D(2024, 9, 13), "290000", "145000", 120, 118),
        ),
        expect=S.CLOSED,
    ),
    _project(
        "Teilqualifizierung Lager 4.0",
        BILDUNGSWERK,
        BERATUNG,
        P.UNEMPLOYED,
        topics=(themes.T_PARTIAL,),
        summary=(
            "Arbeitslose ohne Abschluss erwerben Teilqualifikationen in der digitalisierten "
            "Lagerlogistik, mit Praxisphasen in Logistikzentren der Region."
        ),
        goals="Abschluss in Etappen; Vermittlung in die Logistik.",
        target_group="Arbeitslose ohne Berufsabschluss",
        region="Stadt Salzgitter, Landkreis Peine",
        planned_participants=60,
        costs="160000",
        requested="80000",
        cofinancing={AA_BS_GS: "60000", BILDUNGSWERK: "20000"},
        runtime=(D(2024, 1, 1), D(2024, 6, 30)),
        steps=(
            *stage_1(D(2023, 3, 7), D(2023, 4, 14), D(2023, 5, 3), D(2023, 5, 17)),
            withdraw(
                D(2023, 9, 20),
                "Zurückgezogen am 20.09.2023: der Träger kann die Teilnehmergewinnung in der "
                "verbleibenden Laufzeit nicht sicherstellen.",
            ),
        ),
        expect=S.WITHDRAWN,
    ),
)

# --- Phase 2024–2027: the present, every state of the procedure ---------------------------------
#
# Illustrative, like the fields of the phase (`demo.renewal`); the rate is 60 %. Meeting calendar
# (Sprecherkreis / Steuerkreis): 07.08./21.08. and 06.11./20.11.2024; 05.02./19.02., 07.05./21.05.,
# 06.08./20.08. and 05.11./19.11.2025; 04.02./18.02., 06.05./20.05., 05.08./19.08. and
# 04.11./18.11.2026 (the meetings of 2026 are held in the demo, `demo.meetings`). Projects still in
# the procedure stand as they do in early December 2026; those forwarded wait for the
# Sprecherkreis of 03.02.2027. Runtimes end by 31.12.2027, the phase's latest project end.

GEWINNEN = themes.GEWINNEN
QUALIFIZIERUNG = themes.QUALIFIZIERUNG
INTEGRATION = themes.INTEGRATION
NEXT_SPEAKERS = D(2027, 2, 3)

PHASE_4_PROJECTS = (
    _project(
        "Transformationslotsen in der Zulieferindustrie",
        "IG Metall Braunschweig",
        QUALIFIZIERUNG,
        P.EMPLOYEES,
        topics=(themes.T_TRANSFORMATION,),
        summary=(
            "Lotsinnen und Lotsen aus den Belegschaften beraten Beschäftigte von Zulieferbetrieben, "
            "deren Tätigkeit sich mit der Elektromobilität ändert, und vermitteln sie in "
            "passende Weiterbildungen."
        ),
        goals="Beschäftigte in der Transformation weiterbilden und in der Region halten.",
        target_group="Beschäftigte in Zulieferbetrieben der Automobilindustrie",
        region="Städte Braunschweig, Salzgitter und Wolfsburg",
        planned_participants=200,
        companies_reached=25,
        costs="300000",
        requested="180000",
        cofinancing={
            "IG Metall Braunschweig": "30000",
            "Arbeitgeberverband Region Braunschweig e. V.": "30000",
            "Beteiligte Unternehmen (Eigenanteil)": "60000",
        },
        runtime=(D(2025, 1, 1), D(2026, 6, 30)),
        steps=(
            *stage_1(D(2024, 7, 9), D(2024, 7, 19), D(2024, 8, 7), D(2024, 8, 21)),
            *stage_2(D(2024, 10, 11), D(2024, 11, 6), D(2024, 11, 20)),
            *funded(
                D(2024, 11, 29), "NBank FKB-2024-0031", D(2024, 12, 18), "180000", D(2025, 1, 1)
            ),
            # Closed on 30.09.2026 through its accepted proof of use (`demo.grants`): the tranches
            # paid, the proof's costs and the participants reported make the final figures.
        ),
        expect=S.RUNNING,
    ),
    _project(
        "Welcome Center: internationale Fachkräfte ankommen lassen",
        ALLIANZ,
        GEWINNEN,
        P.STRUCTURAL,
        topics=(themes.T_INTERNATIONAL,),
        summary=(
            "Das Welcome Center der Region berät internationale Fachkräfte, ihre Familien und "
            "die Betriebe, die sie beschäftigen, von der Anerkennung des Abschlusses bis zur "
            "Wohnungssuche, und bringt sie mit den Angeboten der Partner zusammen."
        ),
        goals="Internationale Fachkräfte gewinnen und halten; Betriebe bei der Anwerbung stützen.",
        target_group="Internationale Fachkräfte und ihre Familien, Unternehmen der Region",
        region="Region SüdOstNiedersachsen",
        planned_participants=800,
        companies_reached=120,
        costs="500000",
        requested="300000",
        cofinancing={STADT_BRAUNSCHWEIG: "70000", "Stadt Wolfsburg": "70000", ALLIANZ: "60000"},
        runtime=(D(2025, 4, 1), D(2027, 6, 30)),
        steps=(
            *stage_1(D(2024, 7, 16), D(2024, 7, 26), D(2024, 8, 7), D(2024, 8, 21)),
            *stage_2(D(2024, 10, 18), D(2024, 11, 6), D(2024, 11, 20)),
            *funded(D(2024, 12, 5), "NBank FKB-2024-0034", D(2025, 3, 6), "300000", D(2025, 4, 1)),
        ),
        expect=S.RUNNING,
    ),
    _project(
        "Pflegeausbildung international",
        "Diakonie im Braunschweiger Land gGmbH",
        GEWINNEN,
        P.STRUCTURAL,
        topics=(themes.T_CARE,),
        summary=(
            "Junge Menschen aus dem Ausland beginnen eine Pflegeausbildung in der Region; "
            "Sprachkurs, Wohnen und Praxisanleitung sind aufeinander abgestimmt."
        ),
        goals="Mehr Auszubildende in der Pflege; weniger Ausbildungsabbrüche.",
        target_group="Internationale Auszubildende in der Pflege; Träger der Pflege",
        region="Stadt Braunschweig, Landkreise Helmstedt und Wolfenbüttel",
        planned_participants=60,
        companies_reached=15,
        costs="280000",
        requested="168000",
        cofinancing={"Diakonie im Braunschweiger Land gGmbH": "62000", AA_BS_GS: "50000"},
        runtime=(D(2025, 7, 1), D(2027, 6, 30)),
        steps=(
            *stage_1(D(2024, 12, 3), D(2025, 1, 10), D(2025, 2, 5), D(2025, 2, 19)),
            *stage_2(D(2025, 4, 11), D(2025, 5, 7), D(2025, 5, 21)),
            *funded(D(2025, 6, 2), "NBank FKB-2025-0012", D(2025, 6, 26), "168000", D(2025, 7, 1)),
        ),
        expect=S.RUNNING,
    ),
    _project(
        "Quereinstieg in die Kita begleiten",
        "Stadt Salzgitter",
        GEWINNEN,
        P.STRUCTURAL,
        topics=(themes.T_CARE,),
        summary=(
            "Quereinsteigende in die Kindertagesbetreuung werden während der berufsbegleitenden "
            "Ausbildung von Mentorinnen und Mentoren in den Kitas begleitet."
        ),
        goals="Fachkräfte für die Kitas gewinnen und in den ersten Jahren halten.",
        target_group="Quereinsteigende in die Kindertagesbetreuung; Kita-Träger",
        region="Stadt Salzgitter",
        planned_participants=45,
        companies_reached=20,
        costs="240000",
        requested="144000",
        cofinancing={"Stadt Salzgitter": "96000"},
        runtime=(D(2026, 1, 1), D(2027, 6, 30)),
        steps=(
            *stage_1(D(2025, 4, 8), D(2025, 7, 18), D(2025, 8, 6), D(2025, 8, 20)),
            *stage_2(D(2025, 10, 17), D(2025, 11, 5), D(2025, 11, 19)),
            *funded(
                D(2025, 11, 27), "NBank FKB-2025-0041", D(2025, 12, 18), "144000", D(2026, 1, 1)
            ),
        ),
        expect=S.RUNNING,
    ),
    _project(
        "Jobcoaching für Langzeitarbeitslose",
        "Jobcenter Braunschweig",
        INTEGRATION,
        P.UNEMPLOYED,
        topics=(themes.T_LONG_TERM,),
        summary=(
            "Langzeitarbeitslose werden zwölf Monate lang gecoacht, lernen Betriebe in Praktika "
            "kennen und werden auch nach der Arbeitsaufnahme begleitet."
        ),
        goals="Arbeitsaufnahme auf dem ersten Arbeitsmarkt, die hält.",
        target_group="Langzeitarbeitslose",
        region="Stadt Braunschweig",
        planned_participants=80,
        companies_reached=50,
        costs="260000",
        requested="156000",
        cofinancing={"Jobcenter Braunschweig": "74000", STADT_BRAUNSCHWEIG: "30000"},
        runtime=(D(2027, 1, 1), D(2027, 12, 31)),
        steps=(
            *stage_1(D(2025, 11, 11), D(2026, 1, 16), D(2026, 2, 4), D(2026, 2, 18)),
            *stage_2(D(2026, 4, 17), D(2026, 5, 6), D(2026, 5, 20)),
            file(D(2026, 6, 10), "NBank FKB-2026-0015"),
            # The bank grants less than the Votum reserved; the project starts in January.
            grant(D(2026, 10, 29), "150000"),
        ),
        expect=S.GRANTED,
    ),
    _project(
        "Willkommenslotsinnen II: geflüchtete Frauen in Arbeit",
        "Caritasverband Braunschweig e. V.",
        INTEGRATION,
        P.UNEMPLOYED,
        topics=(themes.T_REFUGEE_WOMEN,),
        summary=(
            "Nach dem Vorbild der Willkommenslotsinnen von 2019/2020 begleiten Lotsinnen "
            "geflüchtete Frauen in Ausbildung und Arbeit; neu ist die Beratung der Betriebe zur "
            "Teilzeitausbildung."
        ),
        goals="Erwerbstätigkeit geflüchteter Frauen; Teilzeitausbildung in Betrieben.",
        target_group="Geflüchtete Frauen, insbesondere Mütter; KMU",
        region="Stadt Braunschweig, Landkreis Wolfenbüttel",
        planned_participants=100,
        participant_groups="100 geflüchtete Frauen",
        costs="220000",
        requested="132000",
        cofinancing={
            "Caritasverband Braunschweig e. V.": "40000",
            "Landkreis Wolfenbüttel": "48000",
        },
        runtime=(D(2027, 1, 1), D(2027, 12, 31)),
        steps=(
            *stage_1(D(2026, 1, 13), D(2026, 1, 16), D(2026, 2, 4), D(2026, 2, 18)),
            *stage_2(D(2026, 7, 17), D(2026, 8, 5), D(2026, 8, 19)),
            file(D(2026, 9, 15), "NBank FKB-2026-0027"),
        ),
        expect=S.APPLICATION_FILED,
    ),
    _project(
        "Teilqualifizierung in der Pflegehilfe",
        BILDUNGSWERK,
        QUALIFIZIERUNG,
        P.UNEMPLOYED,
        topics=(themes.T_PARTIAL,),
        summary=(
            "Arbeitslose ohne Abschluss erwerben in Teilqualifikationen den Abschluss als "
            "Pflegehelferin oder Pflegehelfer, mit Praxisphasen in Einrichtungen der Region."
        ),
        goals="Abschluss in Etappen; Helferinnen und Helfer für die Pflege.",
        target_group="Arbeitslose ohne Berufsabschluss",
        region="Stadt Salzgitter, Landkreis Peine",
        planned_participants=50,
        costs="200000",
        requested="120000",
        cofinancing={AA_BS_GS: "60000", BILDUNGSWERK: "20000"},
        runtime=(D(2027, 3, 1), D(2027, 12, 31)),
        steps=(
            *stage_1(D(2026, 3, 3), D(2026, 4, 17), D(2026, 5, 6), D(2026, 5, 20)),
            *stage_2(D(2026, 10, 16), D(2026, 11, 4), D(2026, 11, 18)),
        ),
        expect=S.ENDORSED,
    ),
    _project(
        "Arbeit 4.0 im Handwerk",
        "Kreishandwerkerschaft Braunschweig-Gifhorn",
        QUALIFIZIERUNG,
        P.EMPLOYEES,
        topics=(themes.T_DIGITAL,),
        summary=(
            "Handwerksbetriebe erproben digitale Auftragsabwicklung und Baustellendokumentation; "
            "Beschäftigte werden in kurzen Modulen im Betrieb geschult."
        ),
        goals="Beschäftigte im Handwerk für digitale Arbeitsabläufe qualifizieren.",
        target_group="Beschäftigte in Handwerksbetrieben",
        region="Stadt Braunschweig, Landkreis Gifhorn",
        planned_participants=120,
        companies_reached=30,
        costs="160000",
        requested="80000",
        cofinancing={
            "Kreishandwerkerschaft Braunschweig-Gifhorn": "40000",
            "Handwerkskammer Braunschweig-Lüneburg-Stade": "40000",
        },
        runtime=(D(2027, 4, 1), D(2027, 12, 31)),
        steps=(
            *stage_1(D(2026, 3, 12), D(2026, 4, 17), D(2026, 5, 6), D(2026, 5, 20)),
            description(D(2026, 10, 16)),
            forward(D(2026, 10, 22), D(2026, 11, 4)),
            speakers(
                D(2026, 11, 4),
                reasons="Empfehlung an den Steuerkreis; Beratung dort im Februar 2027 gemeinsam "
                "mit „Digitales Lernen in der Ausbildung“.",
            ),
        ),
        expect=S.DESCRIPTION_STEERING,
    ),
    _project(
        "Digitales Lernen in der Ausbildung",
        "IHK Lüneburg-Wolfsburg",
        QUALIFIZIERUNG,
        P.EMPLOYEES,
        topics=(themes.T_DIGITAL,),
        summary=(
            "Ausbilderinnen und Ausbilder in KMU lernen, digitale Lernmittel in der Ausbildung "
            "einzusetzen; Auszubildende erhalten Lernplattformen und Lernbegleitung."
        ),
        goals="Digitale Kompetenzen in der betrieblichen Ausbildung.",
        target_group="Ausbilderinnen und Ausbilder, Auszubildende in KMU",
        region="Stadt Wolfsburg, Landkreise Gifhorn und Helmstedt",
        planned_participants=200,
        companies_reached=35,
        costs="150000",
        requested="75000",
        cofinancing={"IHK Lüneburg-Wolfsburg": "75000"},
        runtime=(D(2027, 4, 1), D(2027, 12, 31)),
        steps=(
            *stage_1(D(2026, 3, 10), D(2026, 4, 17), D(2026, 5, 6), D(2026, 5, 20)),
            *stage_2(D(2026, 10, 16), D(2026, 11, 4)),
            # The office coordinates ideas that meet: the Steuerkreis waits for that.
            steering(
                D(2026, 11, 18),
                Outcome.DEFERRED,
                reasons="Die Geschäftsstelle stimmt das Vorhaben mit „Arbeit 4.0 im Handwerk“ ab.",
            ),
        ),
        expect=S.DEFERRED,
    ),
    _project(
        "Wissen weitergeben: Tandems aus Erfahrenen und Nachwuchs",
        "Arbeitgeberverband Region Braunschweig e. V.",
        QUALIFIZIERUNG,
        P.EMPLOYEES,
        topics=(themes.T_KNOWLEDGE,),
        summary=(
            "Beschäftigte kurz vor dem Ruhestand geben ihr Erfahrungswissen in begleiteten "
            "Tandems an Nachwuchskräfte weiter; Betriebe lernen Methoden der Wissenssicherung."
        ),
        goals="Erfahrungswissen im Betrieb sichern.",
        target_group="Ältere Beschäftigte und Nachwuchskräfte in KMU",
        region="Städte Braunschweig und Wolfsburg",
        planned_participants=80,
        companies_reached=20,
        costs="140000",
        requested="70000",
        cofinancing={
            "Arbeitgeberverband Region Braunschweig e. V.": "30000",
            "Beteiligte Unternehmen (Eigenanteil)": "40000",
        },
        runtime=(D(2027, 4, 1), D(2027, 12, 31)),
        steps=(
            *stage_1(D(2026, 6, 9), D(2026, 7, 17), D(2026, 8, 5), D(2026, 8, 19)),
            description(D(2026, 11, 27)),
            forward(D(2026, 12, 1), NEXT_SPEAKERS),
        ),
        expect=S.DESCRIPTION_SPEAKERS,
    ),
    _project(
        "Mobiles Arbeiten in KMU gestalten",
        "DGB Region SüdOstNiedersachsen",
        QUALIFIZIERUNG,
        P.EMPLOYEES,
        topics=(themes.T_MOBILE,),
        summary=(
            "Betriebsräte, Beschäftigte und Geschäftsführungen kleiner Betriebe werden zu Regeln "
            "für mobiles Arbeiten und Arbeitszeit beraten und geschult."
        ),
        goals="Gute Regeln für Home Office in kleinen und mittleren Betrieben.",
        target_group="Beschäftigte, Interessenvertretungen und Leitungen in KMU",
        region="Region SüdOstNiedersachsen",
        planned_participants=160,
        companies_reached=25,
        costs="120000",
        requested="60000",
        cofinancing={"DGB Region SüdOstNiedersachsen": "20000", "IG Metall Braunschweig": "40000"},
        runtime=(D(2027, 4, 1), D(2027, 12, 31)),
        steps=(
            *stage_1(D(2026, 6, 16), D(2026, 7, 17), D(2026, 8, 5), D(2026, 8, 19)),
            description(D(2026, 11, 30)),
        ),
        expect=S.DESCRIPTION_SUBMITTED,
    ),
    _project(
        "Berufsorientierung inklusiv",
        AWO,
        GEWINNEN,
        P.STRUCTURAL,
        topics=(themes.T_ORIENTATION,),
        summary=(
            "Jugendliche mit Behinderung oder Förderbedarf lernen in Praxistagen kleine und "
            "mittlere Betriebe kennen; die Betriebe werden zu Unterstützungsangeboten beraten."
        ),
        goals="Übergänge in Ausbildung; inklusive Betriebe.",
        target_group="Jugendliche mit Förderbedarf; KMU",
        region="Stadt Braunschweig, Landkreis Peine",
        planned_participants=90,
        companies_reached=40,
        costs="150000",
        requested="75000",
        cofinancing={AWO: "30000", "Landkreis Peine": "45000"},
        runtime=(D(2027, 5, 1), D(2027, 12, 31)),
        steps=stage_1(D(2026, 9, 8), D(2026, 10, 16), D(2026, 11, 4), D(2026, 11, 18)),
        expect=S.DESCRIPTION_REQUESTED,
    ),
    _project(
        "Studienzweifler ins Handwerk",
        "Handwerkskammer Braunschweig-Lüneburg-Stade",
        GEWINNEN,
        P.STRUCTURAL,
        topics=(themes.T_STUDENTS,),
        summary=(
            "Studierende, die ihr Studium abbrechen wollen, werden beraten und in eine verkürzte "
            "Ausbildung im Handwerk vermittelt."
        ),
        goals="Studienabbrecher als Fachkräfte für das Handwerk gewinnen.",
        target_group="Studienzweifler und Studienabbrecher",
        region="Städte Braunschweig und Wolfsburg, Landkreis Wolfenbüttel",
        planned_participants=60,
        companies_reached=40,
        costs="130000",
        requested="65000",
        cofinancing={"Handwerkskammer Braunschweig-Lüneburg-Stade": "65000"},
        runtime=(D(2027, 5, 1), D(2027, 12, 31)),
        steps=(
            consult(D(2026, 9, 22)),
            sketch(D(2026, 10, 16)),
            forward(D(2026, 10, 22), D(2026, 11, 4)),
            speakers(D(2026, 11, 4)),
            steering(
                D(2026, 11, 18),
                Outcome.DEFERRED,
                reasons="Die Zusage der Kofinanzierung steht noch aus; der Steuerkreis entscheidet "
                "im Umlaufverfahren, sobald sie vorliegt.",
            ),
            # The commitment arrived: back to the Steuerkreis, which votes in writing
            # (`demo.meetings`).
            resume(D(2026, 12, 1)),
        ),
        expect=S.SKETCH_STEERING,
    ),
    _project(
        "Kompetenzen sichtbar machen: Praxistests für Geflüchtete",
        INTEGRATIONSDIENST,
        INTEGRATION,
        P.UNEMPLOYED,
        topics=(themes.T_NONFORMAL,),
        summary=(
            "Geflüchtete zeigen in Arbeitsproben in Werkstätten und Betrieben, was sie können; "
            "das Ergebnis wird dokumentiert und für Bewerbungen und Anerkennung genutzt."
        ),
        goals="Nichtformale Kenntnisse nutzbar machen.",
        target_group="Geflüchtete ohne anerkannten Berufsabschluss",
        region="Stadt Wolfsburg, Landkreis Gifhorn",
        planned_participants=100,
        costs="110000",
        requested="55000",
        cofinancing={"Jobcenter Wolfsburg": "40000", INTEGRATIONSDIENST: "15000"},
        runtime=(D(2027, 5, 1), D(2027, 12, 31)),
        steps=(
            consult(D(2026, 10, 13)),
            sketch(D(2026, 11, 20)),
            forward(D(2026, 12, 1), NEXT_SPEAKERS),
        ),
        expect=S.SKETCH_SPEAKERS,
    ),
    _project(
        "Familienbewusste Personalpolitik im Mittelstand",
        "Stadt Wolfsburg",
        GEWINNEN,
        P.STRUCTURAL,
        topics=(themes.T_FAMILY,),
        summary=(
            "Mittelständische Betriebe werden zu Arbeitszeit, Kinderbetreuung und Pflege von "
            "Angehörigen beraten und tauschen sich in einem Netzwerk aus."
        ),
        goals="Vereinbarkeit als Vorteil bei der Fachkräftegewinnung.",
        target_group="Kleine und mittlere Unternehmen",
        region="Stadt Wolfsburg",
        companies_reached=30,
        costs="100000",
        requested="50000",
        cofinancing={"Stadt Wolfsburg": "50000"},
        runtime=(D(2027, 6, 1), D(2027, 12, 31)),
        steps=(consult(D(2026, 10, 20)), sketch(D(2026, 12, 2))),
        expect=S.SKETCH_SUBMITTED,
    ),
    _project(
        "Technikberufe: attraktive Arbeitgeber für Frauen",
        "Ostfalia Hochschule für angewandte Wissenschaften",
        GEWINNEN,
        P.STRUCTURAL,
        topics=(themes.T_WOMEN,),
        summary=(
            "Technische Betriebe prüfen mit der Hochschule, was sie für Ingenieurinnen und "
            "Technikerinnen attraktiv macht, und setzen Maßnahmen um."
        ),
        goals="Mehr Frauen in technischen Berufen der Region.",
        target_group="Technische KMU; Studentinnen und Absolventinnen",
        region="Landkreis Wolfenbüttel, Stadt Salzgitter",
        companies_reached=20,
        costs="90000",
        requested="45000",
        cofinancing={"Ostfalia Hochschule für angewandte Wissenschaften": "45000"},
        runtime=(D(2027, 6, 1), D(2027, 12, 31)),
        steps=(consult(D(2026, 11, 24), "Erstgespräch; Kurzskizze in Vorbereitung."),),
        expect=S.CONSULTATION,
    ),
    _project(
        "Digital solidarisch: Digitalpaten im Betrieb",
        "ver.di Bezirk Region Süd-Ost-Niedersachsen",
        QUALIFIZIERUNG,
        P.EMPLOYEES,
        topics=(themes.T_DIGITAL,),
        summary=(
            "Beschäftigte mit digitaler Erfahrung helfen Kolleginnen und Kollegen als "
            "Digitalpaten im Arbeitsalltag."
        ),
        goals="Niemanden im digitalen Wandel zurücklassen.",
        target_group="Beschäftigte mit wenig digitaler Erfahrung",
        region="Stadt Braunschweig",
        costs="80000",
        requested="40000",
        cofinancing={"ver.di Bezirk Region Süd-Ost-Niedersachsen": "40000"},
        runtime=(D(2027, 6, 1), D(2027, 12, 31)),
        steps=(),
        expect=S.IDEA,
        created_on=D(2026, 12, 3),
    ),
    _project(
        "Betriebe beraten: Beschäftigung Geflüchteter",
        AWO,
        INTEGRATION,
        P.STRUCTURAL,
        topics=(themes.T_COMPANIES,),
        summary=(
            "Betriebe erhalten Beratung zu Aufenthaltsrecht, Förderinstrumenten und "
            "Einarbeitung, wenn sie Geflüchtete beschäftigen oder ausbilden wollen."
        ),
        goals="Mehr Betriebe beschäftigen und qualifizieren Geflüchtete.",
        target_group="Kleine und mittlere Unternehmen",
        region="Stadt Braunschweig, Landkreis Helmstedt",
        companies_reached=60,
        costs="140000",
        requested="70000",
        cofinancing={AWO: "30000", "Landkreis Helmstedt": "40000"},
        runtime=(D(2027, 4, 1), D(2027, 12, 31)),
        steps=(
            *stage_1(D(2026, 8, 4), D(2026, 10, 16), D(2026, 11, 4)),
            steering(
                D(2026, 11, 18),
                Outcome.REVISION,
                "Bitte die Abgrenzung zum Welcome Center und zur Arbeitgeberberatung der Kammern "
                "darstellen.",
            ),
        ),
        expect=S.REVISION_REQUESTED,
    ),
    _project(
        "Standortkampagne Fachkräfte für Helmstedt",
        "Landkreis Helmstedt",
        OPEN_FIELD,
        P.STRUCTURAL,
        summary=(
            "Eine Kampagne wirbt in Großstädten für Stellen und Lebensqualität im Landkreis "
            "Helmstedt."
        ),
        goals="Fachkräfte für offene Stellen im Landkreis gewinnen.",
        target_group="Fachkräfte außerhalb der Region",
        region="Landkreis Helmstedt",
        costs="160000",
        requested="80000",
        cofinancing={"Landkreis Helmstedt": "80000"},
        runtime=(D(2026, 1, 1), D(2026, 12, 31)),
        steps=(
            *stage_1(D(2025, 2, 11), D(2025, 4, 11), D(2025, 5, 7), D(2025, 5, 21)),
            *stage_2(D(2025, 7, 18), D(2025, 8, 6), D(2025, 8, 20)),
            file(D(2025, 9, 3), "NBank FKB-2025-0029"),
            decline(
                D(2025, 11, 13),
                "Förderbank: Werbemaßnahmen ohne Beratungs- oder Qualifizierungsanteil sind nach "
                "der Richtlinie nicht förderfähig.",
            ),
        ),
        expect=S.DECLINED,
    ),
    _project(
        "Azubi-Shuttle im ländlichen Raum",
        "Landkreis Goslar",
        OPEN_FIELD,
        P.STRUCTURAL,
        summary=(
            "Ein Kleinbus bringt Auszubildende aus Orten ohne Busanbindung zu ihren Betrieben "
            "im Harz."
        ),
        goals="Ausbildungsplätze erreichbar machen.",
        target_group="Auszubildende ohne eigenes Fahrzeug; Ausbildungsbetriebe",
        region="Landkreis Goslar",
        planned_participants=60,
        costs="120000",
        requested="60000",
        cofinancing={"Landkreis Goslar": "60000"},
        runtime=(D(2026, 4, 1), D(2027, 6, 30)),
        steps=(
            consult(D(2025, 9, 9)),
            sketch(D(2025, 10, 17)),
            forward(D(2025, 10, 22), D(2025, 11, 5)),
            speakers(
                D(2025, 11, 5),
                Outcome.NEGATIVE,
                "Empfehlung: nicht befürworten; Schülerbeförderung und Nahverkehr sind Aufgabe "
                "der Aufgabenträger.",
            ),
            steering(
                D(2025, 11, 19),
                Outcome.NEGATIVE,
                "Mobilität im ländlichen Raum ist Aufgabe des Nahverkehrs; eine Förderlücke ist "
                "nicht erkennbar.",
            ),
        ),
        expect=S.REJECTED,
    ),
    _project(
        "KI-Werkstatt für kleine Betriebe",
        "Technische Universität Braunschweig",
        QUALIFIZIERUNG,
        P.EMPLOYEES,
        topics=(themes.T_DIGITAL,),
        summary=(
            "Beschäftigte kleiner Betriebe erproben in einer Werkstatt an der Hochschule, wie "
            "Werkzeuge der künstlichen Intelligenz ihre Arbeit verändern."
        ),
        goals="Beschäftigte in KMU auf den Einsatz von KI vorbereiten.",
        target_group="Beschäftigte und Inhaber kleiner Betriebe",
        region="Region SüdOstNiedersachsen",
        planned_participants=150,
        companies_reached=40,
        costs="200000",
        requested="100000",
        cofinancing={"Technische Universität Braunschweig": "100000"},
        runtime=(D(2025, 10, 1), D(2027, 6, 30)),
        steps=(
            *stage_1(D(2024, 11, 12), D(2025, 1, 10), D(2025, 2, 5), D(2025, 2, 19)),
            withdraw(
                D(2025, 6, 30),
                "Zurückgezogen am 30.06.2025: das Vorhaben wird über ein Bundesprogramm gefördert.",
            ),
        ),
        expect=S.WITHDRAWN,
    ),
)


PHASES = (
    (PHASE_1, PHASE_1_PROJECTS),
    (PHASE_2, PHASE_2_PROJECTS),
    (PHASE_3, PHASE_3_PROJECTS),
    (PHASE_4, PHASE_4_PROJECTS),
)


# --- Non-partner applicants ---------------------------------------------------------------------


@dataclass(frozen=True)
class _ApplicantSpec:
    name: str
    short_name: str
    postcode: str
    city: str
    phone_prefix: str
    # (first name, last name) of the representative and the deputy: invented.
    representative: tuple[str, str]
    deputy: tuple[str, str]


NON_PARTNERS = (
    _ApplicantSpec(
        BILDUNGSWERK,
        "Bildungswerk SZ",
        "38226",
        "Salzgitter",
        "05341 000-71",
        ("Birgit", "Musterau"),
        ("Cem", "Beispielau"),
    ),
    _ApplicantSpec(
        INTEGRATIONSDIENST,
        "Integrationsdienst WOB",
        "38440",
        "Wolfsburg",
        "05361 000-72",
        ("Dana", "Mustertal"),
        ("Emil", "Beispieltal"),
    ),
)


# --- Loading ------------------------------------------------------------------------------------


@dataclass
class _Context:
    alliance: Alliance
    phases: dict[str, FundingPhase]
    bodies: dict[str, Body]
    created: int = 0
    organisations: dict[str, Organisation] = field(default_factory=dict)

    def organisation(self, name: str) -> Organisation:
        if name not in self.organisations:
            self.organisations[name] = Organisation.objects.get(alliance=self.alliance, name=name)
        return self.organisations[name]


def _email_part(text: str) -> str:
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, plain)
    return text.lower()


def _non_partner(context: _Context, spec: _ApplicantSpec, group: OrganisationGroup) -> None:
    organisation = Organisation.objects.filter(alliance=context.alliance, name=spec.name).first()
    if organisation is None:
        organisation = alliance_services.organisation_create(
            actor=None,
            alliance=context.alliance,
            name=spec.name,
            group=group,
            short_name=spec.short_name,
            street="Beispielweg 7",
            postcode=spec.postcode,
            city=spec.city,
            email=f"kontakt@{slugify(_email_part(spec.short_name))}.example.org",
            phone=f"{spec.phone_prefix}00",
            is_illustrative=True,
        )
        context.created += 1
    context.organisations[spec.name] = organisation
    for number, (function, (first, last)) in enumerate(
        (
            (PersonFunction.REPRESENTATIVE, spec.representative),
            (PersonFunction.DEPUTY, spec.deputy),
        ),
        start=1,
    ):
        # Found again by function, like the partners' representatives.
        if Person.objects.filter(organisation=organisation, function=function).exists():
            continue
        alliance_services.person_create(
            actor=None,
            organisation=organisation,
            first_name=first,
            last_name=last,
            function=function,
            position_title="Geschäftsführung" if number == 1 else "Projektleitung",
            email=f"{_email_part(first)}.{_email_part(last)}@example.org",
            phone=f"{spec.phone_prefix}{number:02d}",
        )
        context.created += 1


def _contact(organisation: Organisation) -> Person | None:
    """The organisation's named contact person, else its representative."""
    people = Person.objects.filter(organisation=organisation)
    return (
        people.filter(function=PersonFunction.CONTACT).first()
        or people.filter(function=PersonFunction.REPRESENTATIVE).first()
    )


def _create(context: _Context, phase: FundingPhase, spec: _ProjectSpec) -> Project:
    """Create the project as of the morning of its creation day, with its co-financing."""
    with as_of(moment(spec.created, 9), restamp=False):
        return _create_now(context, phase, spec)


def _create_now(context: _Context, phase: FundingPhase, spec: _ProjectSpec) -> Project:
    applicant = context.organisation(spec.applicant)
    action_field = ActionField.objects.get(phase=phase, title=spec.action_field)
    topics = [Topic.objects.get(action_field=action_field, title=title) for title in spec.topics]
    contact = _contact(applicant)
    project = services.project_create(
        actor=None,
        alliance=context.alliance,
        phase=phase,
        title=spec.title,
        applicant_organisation=applicant,
        topics=topics,
        summary=spec.summary,
        goals=spec.goals,
        target_group=spec.target_group,
        planned_participants=spec.planned_participants,
        participant_groups=spec.participant_groups,
        companies_reached=spec.companies_reached,
        region=spec.region,
        action_field=action_field,
        funding_priority=spec.priority,
        contact_name=contact.full_name if contact else "",
        contact_email=contact.email if contact else "",
        contact_phone=contact.phone if contact else "",
        starts_on=spec.starts_on,
        ends_on=spec.ends_on,
        eligible_costs=spec.eligible_costs,
        requested_grant=spec.requested_grant,
    )
    shares = []
    for payer, amount in spec.cofinancing:
        organisation = Organisation.objects.filter(alliance=context.alliance, name=payer).first()
        shares.append(
            services.Share(amount=amount, organisation=organisation)
            if organisation
            else services.Share(amount=amount, name=payer)
        )
    services.cofinancing_set(actor=None, project=project, shares=shares)
    return project


def _participants(project: Project) -> str:
    contact = project.contact_name or project.applicant_organisation.name
    return f"Geschäftsstelle (Förderberatung); {project.applicant_organisation.name} ({contact})"


def _walk(context: _Context, project: Project, spec: _ProjectSpec) -> None:
    """Each step as of its own day, 10 o'clock, a minute after the step before on the same day."""
    for number, step in enumerate(spec.steps):
        with as_of(moment(step.day, 10) + timedelta(minutes=number), restamp=False):
            _step(context, project, step)
    if project.status != spec.expect:
        raise RuntimeError(
            f"Demo-Vorhaben „{spec.title}“ steht auf {project.status}, erwartet {spec.expect}."
        )


def _step(context: _Context, project: Project, step: _Step) -> None:
    day = step.day
    match step.action:
        case "consult":
            services.consultation_record(
                actor=None,
                project=project,
                held_on=day,
                participants=_participants(project),
                notes=step.text or "Förderbedingungen, Verfahren und Kofinanzierung besprochen.",
            )
        case "sketch":
            services.sketch_submit(
                actor=None,
                project=project,
                document=_document(DocumentKind.SKETCH, project.title, day),
            )
        case "description":
            services.description_submit(
                actor=None,
                project=project,
                document=_document(DocumentKind.DESCRIPTION, project.title, day),
            )
        case "resubmit":
            version_of = (
                DocumentKind.SKETCH
                if project.return_status == S.SKETCH_SUBMITTED
                else DocumentKind.DESCRIPTION
            )
            services.project_resubmit(
                actor=None,
                project=project,
                document=_document(version_of, project.title, day, "Überarbeitete Fassung."),
            )
        case "forward":
            services.project_forward(
                actor=None,
                project=project,
                comment=f"Vorlage für den Sprecherkreis am {step.meeting or day:%d.%m.%Y}",
            )
        case "speakers" | "steering":
            body = BodyKind.SPEAKERS if step.action == "speakers" else BodyKind.STEERING
            services.outcome_record(
                actor=None,
                project=project,
                body=context.bodies[body],
                outcome=step.outcome,
                decided_on=day,
                reference=step.reference or f"Sitzung vom {day:%d.%m.%Y}",
                reasons=step.text,
            )
        case "resume":
            services.project_resume(actor=None, project=project)
        case "file":
            services.application_file(
                actor=None, project=project, filed_on=day, reference=step.text
            )
        case "grant":
            services.bank_decision_record(
                actor=None,
                project=project,
                decided_on=day,
                granted=True,
                granted_amount=step.amount,
                comment=f"Zuwendungsbescheid vom {day:%d.%m.%Y}",
            )
        case "decline":
            services.bank_decision_record(
                actor=None, project=project, decided_on=day, granted=False, comment=step.text
            )
        case "start":
            services.project_start(actor=None, project=project, started_on=day)
        case "close":
            services.project_close(
                actor=None,
                project=project,
                closed_on=day,
                final_eligible_costs=step.costs or Decimal("0"),
                final_grant=step.amount or Decimal("0"),
                final_report=_document(DocumentKind.FINAL_REPORT, project.title, day),
                participants_entered=step.entered,
                participants_exited=step.exited,
            )
        case "withdraw":
            services.project_withdraw(actor=None, project=project, reason=step.text)
        case _:
            raise ValueError(f"Unbekannter Demo-Schritt: {step.action}")


def load_demo_projects() -> int:
    """Load the demo projects of SüdOstNiedersachsen; returns how many records were created.

    Runs after the alliances of `demo.structure` (returns 0 without them). Idempotent: a project
    found by (alliance, title) is skipped as a whole, so a second run creates nothing.
    """
    alliance = Alliance.objects.filter(slug=ALLIANCE_SLUG).first()
    if alliance is None:
        return 0
    with notifications.muted(), transaction.atomic():
        context = _Context(
            alliance=alliance,
            phases={
                phase.name: phase
                for phase in FundingPhase.objects.filter(
                    alliance=alliance, name__in=[name for name, _specs in PHASES]
                )
            },
            bodies={body.kind: body for body in Body.objects.filter(alliance=alliance)},
        )
        other = OrganisationGroup.objects.get(alliance=alliance, kind=GroupKind.OTHER)
        for applicant in NON_PARTNERS:
            _non_partner(context, applicant, other)
        existing = set(Project.objects.filter(alliance=alliance).values_list("title", flat=True))
        for phase_name, specs in PHASES:
            phase = context.phases[phase_name]
            # In the order they were created, so that the running numbers follow it.
            for spec in sorted(specs, key=lambda spec: spec.created):
                if spec.title in existing:
                    continue
                project = _create(context, phase, spec)
                _walk(context, project, spec)
                context.created += 1
    return context.created
