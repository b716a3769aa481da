"""The demo's structure: two alliances and one login per role (loaded first, by `demo.load`).

Fachkräftebündnis SüdOstNiedersachsen follows the council paper of the City of Braunschweig
of 23.05.2018 (docs/domain.md): 28 partners with a vote in the Steuerkreis, the Amt für regionale
Landesentwicklung Braunschweig as advisory member, a Sprecherkreis of the speaker plus one deputy
from each of the four sending groups, the Geschäftsstelle at the Allianz für die Region GmbH, the
first phase 2015–2018 and the themes of 2018–2021 word for word (the later phases go through the
alliance's own cycle, `demo.renewal`). Fachkräftebündnis Leine-Weser is a smaller, illustrative
second tenant with its phases up to the running 2024–2027, so that the separation of tenants is
visible.

Which details are facts and which are filled in is said next to each table. Filled-in details are
marked: organisations carry `is_illustrative=True`, people have obviously invented names
(Muster…, Beispiel…), e-mail addresses end in example.org and phone numbers read "000-…".

Everything is written through the services with `actor=None`, so the audit trail shows the load and
every rule of the services holds for the demo as well. Each record is looked up by its natural key
first: a second run creates nothing and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.text import slugify

from buendnis.accounts import services as account_services
from buendnis.accounts.models import Membership, PlatformRole, Role, User
from buendnis.alliances import services
from buendnis.alliances.models import (
    ActionField,
    Alliance,
    Body,
    BodyKind,
    CooperationAgreement,
    FundingPhase,
    GroupKind,
    Organisation,
    OrganisationGroup,
    Person,
    PersonFunction,
    Seat,
    SeatRole,
    Territory,
    Topic,
)

from .clock import as_of, moment

# Public knowledge (README); refused wherever BUENDNIS_ALLOW_DEMO_LOGINS is False (production).
DEMO_PASSWORD = "demo-buendnis-2026"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    description: str


# --- The data -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _GroupSpec:
    name: str
    kind: GroupKind
    sends_deputy_speaker: bool = False


@dataclass(frozen=True)
class _OrgSpec:
    name: str
    short_name: str
    kind: GroupKind
    postcode: str
    city: str
    # False: signs none of the phases recorded here (the advisory ArL; a partner that joins
    # with a later phase, `demo.renewal`).
    partner: bool = True
    # The demo login that belongs to the organisation's representative, if any.
    login: str = ""
    # For municipal partners: the state's composition rule counts districts and independent cities.
    territory: Territory = Territory.NONE


@dataclass(frozen=True)
class _PersonSpec:
    """Someone besides the representative and deputy every organisation gets."""

    organisation: str
    first_name: str
    last_name: str
    function: PersonFunction
    position_title: str = ""
    office_role: SeatRole | None = None
    show_name_publicly: bool = False
    login: str = ""


# A topic, or a topic with its sub-topics.
_TopicSpec = str | tuple[str, tuple[str, ...]]


@dataclass(frozen=True)
class FieldSpec:
    title: str
    topics: tuple[_TopicSpec, ...] = ()
    is_open: bool = False


@dataclass(frozen=True)
class _PhaseSpec:
    name: str
    starts_on: date
    ends_on: date
    virtual_budget: Decimal
    funding_rate: Decimal
    # When the partners signed, unless `agreements` says otherwise for one of them.
    signed_on: date
    details: dict[str, Any] = field(default_factory=dict)
    agreements: dict[str, dict[str, Any]] = field(default_factory=dict)
    themes: tuple[FieldSpec, ...] = ()

    @property
    def recorded_on(self) -> date:
        """A phase recorded as it stands is recorded when its last known step was taken (its
        recognition), so that it holds no date after its own record."""
        return max(
            [self.signed_on, *(day for day in self.details.values() if isinstance(day, date))]
            + [details["signed_on"] for details in self.agreements.values()]
        )


@dataclass(frozen=True)
class _BodySpec:
    kind: BodyKind
    name: str
    description: str
    meeting_rhythm: str = ""


@dataclass(frozen=True)
class _AllianceSpec:
    slug: str
    name: str
    details: dict[str, str]
    groups: tuple[_GroupSpec, ...]
    organisations: tuple[_OrgSpec, ...]
    people: tuple[_PersonSpec, ...]
    phases: tuple[_PhaseSpec, ...]
    bodies: tuple[_BodySpec, ...]
    advisory: str
    speaker: str
    # One organisation per group that sends a deputy speaker.
    deputy_speakers: tuple[str, ...]
    # Seats in Steuerkreis and Sprecherkreis begin with the first phase and stay open-ended: every
    # partner renews for every phase, and the seats follow the signatures (`demo.renewal`).
    seats_from: date
    office_from: date

    @property
    def founded(self) -> date:
        """When the alliance's members were first recorded (their records carry that date)."""
        return min(self.seats_from, self.office_from, *(phase.signed_on for phase in self.phases))


# The ministry as the council paper names it. The alliance's own field names it; each recognition
# decision keeps the name it was taken under (`demo.renewal`), and the pages show that one where a
# phase has a decision, this one for the phases recorded as they stand.
MINISTRY = "Niedersächsisches Ministerium für Wirtschaft, Arbeit, Verkehr und Digitalisierung"
OPEN_FIELD = "Sonstiges / thematisch offen"

# Where the ministry's recognition is filled in, the phase says so where people read it (its
# conditions). Budgets and rates that are facts are named next to each phase.
ILLUSTRATIVE_RECOGNITION = (
    "Demo-Daten: Datum und Aktenzeichen der Anerkennung sind beispielhaft, nicht amtlich."
)
ILLUSTRATIVE_BUDGET = (
    "Demo-Daten: Datum, Aktenzeichen, virtuelles Budget und Fördersatz dieser Anerkennung sind "
    "beispielhaft, nicht amtlich."
)

_STANDARD_GROUPS = (
    _GroupSpec("Arbeitsagenturen/Jobcenter", GroupKind.EMPLOYMENT_AGENCIES, True),
    _GroupSpec("Kommunen", GroupKind.MUNICIPALITIES, True),
    _GroupSpec("Gewerkschaften", GroupKind.UNIONS, True),
    _GroupSpec("Arbeitgeberverbände", GroupKind.EMPLOYER_ASSOCIATIONS, True),
    _GroupSpec("Kammern", GroupKind.CHAMBERS),
    _GroupSpec("Hochschulen", GroupKind.UNIVERSITIES),
    _GroupSpec("Wohlfahrtsverbände", GroupKind.WELFARE),
    _GroupSpec("Sonstige", GroupKind.OTHER),
)

# The themes of phase 2018–2021 as the Steuerkreis adopted them in March 2018: word for word from
# the table of the council paper, in its order.
SON_THEMES_2018_2021 = (
    FieldSpec(
        "Beratungsinfrastruktur",
        (
            "Studienabsolventen und Studienabbrecher für lokale KMU (binden, halten und anwerben)",
            "Berufsorientierung unter Einbeziehung von KMU und von besonderen Personengruppen",
            "Beratung von Betrieben zur Beschäftigung und Qualifizierung geflüchteter Menschen",
            "Geflüchtete Menschen: Nutzbarmachung von nichtformalen beruflichen Kenntnissen und Fähigkeiten",
            "Erwerbstätigkeit geflüchteter Frauen stärken; Stärkung der Willkommenskultur",
            "Vereinbarkeit von Familie und Beruf (projektbezogen)",
            "Maßnahmen zur Förderung von Teilqualifikationen",
            "Home Office und Arbeitszeit",
        ),
    ),
    FieldSpec(
        "Digitalisierung / Innovation",
        (
            (
                "Umgang mit Digitalisierung und Innovation",
                (
                    "Digitalisierung lernen / Digitales Lernen / Soziale Kompetenz erwerben",
                    "Weiterentwicklung Thema „Wissenstransfer“ Innerbetrieblich / intraregional",
                    "Arbeit 4.0",
                    "Digitales Leben - Solidarität",
                ),
            ),
        ),
    ),
    FieldSpec(
        "Rekrutierung und Matching",
        (
            "Rekrutierung von pädagogischen und pflegerischen Fachkräften und im medizinischen Bereich",
            "Rückkehrförderung",
            "Transparenz, Vermarktung und Vernetzung bestehender Angebote",
            "Zweitbewerber-Börse online",
            "Dual Career",
            "Arbeitgeber für Frauen attraktiv machen",
        ),
    ),
    # "Diese Aufzählung ist nicht als abschließend anzusehen": the open field.
    FieldSpec(OPEN_FIELD, is_open=True),
)

STADT_BRAUNSCHWEIG = "Stadt Braunschweig"
ALLIANZ = "Allianz für die Region GmbH"
ARL_BRAUNSCHWEIG = "Amt für regionale Landesentwicklung Braunschweig"

# The 28 partners. The paper gives their number and the groups, not the list: the names below are
# the region's labour-market actors of the kinds the paper names, an illustration rather than the
# official member list. The Allianz für die Region GmbH hosts the office and co-finances projects
# (e.g. Stille Reserve), so it is a partner here and one of the 28; the ArL is not a partner. The
# Jobcenter Salzgitter (illustrative as the others) is asked to join for 2027–2030.
_E, _M, _U, _A = (
    GroupKind.EMPLOYMENT_AGENCIES,
    GroupKind.MUNICIPALITIES,
    GroupKind.UNIONS,
    GroupKind.EMPLOYER_ASSOCIATIONS,
)
_C, _H, _W, _O = GroupKind.CHAMBERS, GroupKind.UNIVERSITIES, GroupKind.WELFARE, GroupKind.OTHER
# The region's local authorities are facts: Braunschweig, Salzgitter and Wolfsburg are independent
# cities (kreisfrei), the five Landkreise districts.
_CITY, _DISTRICT = Territory.INDEPENDENT_CITY, Territory.DISTRICT
# A partner that joins with the phase 2027–2030 (`demo.renewal`): asked, not yet answered.
NEW_PARTNER_2027 = "Jobcenter Salzgitter"
# fmt: off
SON_ORGANISATIONS = (
    _OrgSpec("Agentur für Arbeit Braunschweig-Goslar", "AA BS-GS", _E, "38100", "Braunschweig"),
    _OrgSpec("Agentur für Arbeit Helmstedt", "AA HE", _E, "38350", "Helmstedt"),
    _OrgSpec("Jobcenter Braunschweig", "JC BS", _E, "38100", "Braunschweig"),
    _OrgSpec("Jobcenter Wolfsburg", "JC WOB", _E, "38440", "Wolfsburg"),
    _OrgSpec(STADT_BRAUNSCHWEIG, "Stadt BS", _M, "38100", "Braunschweig", login="steuerkreis", territory=_CITY),
    _OrgSpec("Stadt Wolfsburg", "Stadt WOB", _M, "38440", "Wolfsburg", territory=_CITY),
    _OrgSpec("Stadt Salzgitter", "Stadt SZ", _M, "38226", "Salzgitter", territory=_CITY),
    _OrgSpec("Landkreis Gifhorn", "LK GF", _M, "38518", "Gifhorn", territory=_DISTRICT),
    _OrgSpec("Landkreis Goslar", "LK GS", _M, "38640", "Goslar", territory=_DISTRICT),
    _OrgSpec("Landkreis Helmstedt", "LK HE", _M, "38350", "Helmstedt", territory=_DISTRICT),
    _OrgSpec("Landkreis Peine", "LK PE", _M, "31224", "Peine", territory=_DISTRICT),
    _OrgSpec("Landkreis Wolfenbüttel", "LK WF", _M, "38300", "Wolfenbüttel", territory=_DISTRICT),
    _OrgSpec("DGB Region SüdOstNiedersachsen", "DGB SON", _U, "38100", "Braunschweig"),
    _OrgSpec("IG Metall Braunschweig", "IGM BS", _U, "38100", "Braunschweig"),
    _OrgSpec("ver.di Bezirk Region Süd-Ost-Niedersachsen", "ver.di SON", _U, "38100", "Braunschweig"),
    _OrgSpec("Arbeitgeberverband Region Braunschweig e. V.", "AGV BS", _A, "38100", "Braunschweig"),
    _OrgSpec("Kreishandwerkerschaft Braunschweig-Gifhorn", "KHS BS-GF", _A, "38100", "Braunschweig"),
    _OrgSpec("Landvolk Braunschweiger Land e. V.", "Landvolk", _A, "38100", "Braunschweig"),
    _OrgSpec("IHK Braunschweig", "IHK BS", _C, "38100", "Braunschweig", login="sprecher"),
    _OrgSpec("IHK Lüneburg-Wolfsburg", "IHK LG-WOB", _C, "21335", "Lüneburg"),
    _OrgSpec("Handwerkskammer Braunschweig-Lüneburg-Stade", "HWK BLS", _C, "38100", "Braunschweig"),
    _OrgSpec("Technische Universität Braunschweig", "TU BS", _H, "38106", "Braunschweig"),
    _OrgSpec("Ostfalia Hochschule für angewandte Wissenschaften", "Ostfalia", _H, "38302", "Wolfenbüttel"),
    _OrgSpec("Technische Universität Clausthal", "TU Clausthal", _H, "38678", "Clausthal-Zellerfeld"),
    _OrgSpec("AWO Bezirksverband Braunschweig e. V.", "AWO BS", _W, "38100", "Braunschweig"),
    _OrgSpec("Caritasverband Braunschweig e. V.", "Caritas BS", _W, "38100", "Braunschweig"),
    _OrgSpec("Diakonie im Braunschweiger Land gGmbH", "Diakonie BS", _W, "38100", "Braunschweig"),
    _OrgSpec(ALLIANZ, "Allianz", _O, "38122", "Braunschweig"),
    _OrgSpec(ARL_BRAUNSCHWEIG, "ArL BS", _O, "38100", "Braunschweig", partner=False, login="beratend"),
    _OrgSpec(NEW_PARTNER_2027, "JC SZ", _E, "38226", "Salzgitter", partner=False),
)
# fmt: on

# Office staff and the applicant's contact person: invented people.
SON_PEOPLE = (
    _PersonSpec(
        ALLIANZ,
        "Greta",
        "Musterhof",
        PersonFunction.OFFICE,
        "Leitung der Geschäftsstelle",
        office_role=SeatRole.OFFICE_LEAD,
        show_name_publicly=True,
        login="geschaeftsstelle",
    ),
    _PersonSpec(
        ALLIANZ,
        "Jonas",
        "Beispielhof",
        PersonFunction.OFFICE,
        "Projektkoordination",
        office_role=SeatRole.OFFICE_STAFF,
    ),
    _PersonSpec(
        ALLIANZ,
        "Leyla",
        "Musterkamp",
        PersonFunction.OFFICE,
        "Förderberatung",
        office_role=SeatRole.OFFICE_STAFF,
    ),
    _PersonSpec(
        "AWO Bezirksverband Braunschweig e. V.",
        "Hanna",
        "Beispielweg",
        PersonFunction.CONTACT,
        "Projektleitung AWO-Praktikumsbörse",
        login="antrag",
    ),
)

SON = _AllianceSpec(
    slug="son",
    name="Fachkräftebündnis SüdOstNiedersachsen",
    details={
        "short_name": "SüdOstNiedersachsen",
        "region": (
            "Städte Braunschweig, Salzgitter und Wolfsburg; Landkreise Gifhorn, Goslar, "
            "Helmstedt, Peine und Wolfenbüttel"
        ),
        "description": (
            "Regionales Netzwerk der Arbeitsmarktakteure zur Fachkräftesicherung, vom Land "
            "Niedersachsen anerkannt. Alle 28 Kooperationspartner sind im Steuerkreis "
            "stimmberechtigt vertreten; das Amt für regionale Landesentwicklung Braunschweig "
            "nimmt beratend teil."
        ),
        "office_host": ALLIANZ,
        # Office contact details are illustrative.
        "office_email": "geschaeftsstelle@fachkraeftebuendnis-son.example.org",
        "office_phone": "0531 000-0000",
        "office_address": "Allianz für die Region GmbH\nBeispielstraße 1\n38122 Braunschweig",
        "website": "https://www.fachkraeftebuendnis-son.de",
        "recognising_authority": MINISTRY,
    },
    groups=_STANDARD_GROUPS,
    organisations=SON_ORGANISATIONS,
    people=SON_PEOPLE,
    # The first phase is recorded as it stands; the alliance renewed for 2018–2021, 2021–2024 and
    # 2024–2027 through its own cycle and prepares 2027–2030 (`demo.renewal`).
    phases=(
        _PhaseSpec(
            name="2015–2018",
            starts_on=date(2015, 7, 1),
            ends_on=date(2018, 6, 30),
            # Budget and rate are the paper's: 1,5 Mio. € at 50 % set 3 Mio. € in motion.
            virtual_budget=Decimal("1500000.00"),
            funding_rate=Decimal("50.00"),
            # Illustrative: the partners' signing date, the date and file reference of the
            # recognition (alliances were recognised from August 2015).
            signed_on=date(2015, 7, 1),
            details={
                "recognised_on": date(2015, 8, 31),
                "recognition_reference": "MW 21-32521/2015-08 (beispielhaft)",
                "recognition_conditions": ILLUSTRATIVE_RECOGNITION,
            },
            agreements={
                # The paper: "Mit Beschluss des Verwaltungsausschusses vom 14.07.2015
                # (DS 15-00153) wurde die Stadt Braunschweig Kooperationspartner".
                # Only the signing date is illustrative.
                STADT_BRAUNSCHWEIG: {
                    "signed_on": date(2015, 7, 20),
                    "decision_body": "Verwaltungsausschuss",
                    "decision_reference": "DS 15-00153",
                    "decision_date": date(2015, 7, 14),
                },
            },
            # The paper does not list the themes of the first phase. These three fields are the
            # programme's funding priorities, an illustration, plus the open field.
            themes=(
                FieldSpec("Strukturprojekte (z. B. Willkommenskultur, Unterstützung von KMU)"),
                FieldSpec("Qualifizierung und Vermittlung Arbeitsloser"),
                FieldSpec("Passgenaue Weiterbildung von Beschäftigten"),
                FieldSpec(OPEN_FIELD, is_open=True),
            ),
        ),
    ),
    bodies=(
        _BodySpec(
            BodyKind.STEERING,
            "Steuerkreis",
            "Zentrales Entscheidungsgremium des Fachkräftebündnisses. Jeder Kooperationspartner "
            "hat eine Stimme; das Amt für regionale Landesentwicklung Braunschweig nimmt beratend "
            "teil. Die Entscheidungen werden einvernehmlich gefällt.",
            "quartalsweise",
        ),
        _BodySpec(
            BodyKind.SPEAKERS,
            "Sprecherkreis",
            "Bereitet die Sitzungen des Steuerkreises vor. Der Sprecher des Fachkräftebündnisses "
            "und vier stellvertretende Sprecher, je einer aus den Gruppen Arbeitsagenturen, "
            "Kommunen, Gewerkschaften und Arbeitgeberverbände.",
            "vor jeder Steuerkreissitzung",
        ),
        _BodySpec(
            BodyKind.OFFICE,
            "Geschäftsstelle",
            "Bei der Allianz für die Region GmbH angesiedelt: zentrale Plattform in "
            "organisatorischer und administrativer Hinsicht, Informations-, Kommunikations-, "
            "Koordinations- und Entscheidungsdrehscheibe und Ansprechpartner für alle internen und "
            "externen Anfragen.",
        ),
    ),
    advisory=ARL_BRAUNSCHWEIG,
    # Illustrative: who speaks for the alliance and who the deputies are.
    speaker="IHK Braunschweig",
    deputy_speakers=(
        "Agentur für Arbeit Braunschweig-Goslar",
        "Stadt Wolfsburg",
        "DGB Region SüdOstNiedersachsen",
        "Arbeitgeberverband Region Braunschweig e. V.",
    ),
    seats_from=date(2015, 7, 1),
    office_from=date(2015, 7, 1),
)

# Leine-Weser: budget (2,5 Mio. €) and rate are public facts for 2018–2021. The real alliance has
# 37 members; this is a small illustrative selection, and everything else (office host, speaker,
# themes, dates) is illustrative too.
LW_OFFICE = "Region Hannover"
LW_ORGANISATIONS = (
    _OrgSpec("Agentur für Arbeit Hannover", "AA H", _E, "30169", "Hannover"),
    _OrgSpec("Agentur für Arbeit Hameln", "AA HM", _E, "31785", "Hameln"),
    _OrgSpec(LW_OFFICE, "Region H", _M, "30169", "Hannover", territory=_DISTRICT),
    _OrgSpec("Landkreis Hameln-Pyrmont", "LK HM", _M, "31785", "Hameln", territory=_DISTRICT),
    _OrgSpec("Landkreis Schaumburg", "LK SHG", _M, "31655", "Stadthagen", territory=_DISTRICT),
    _OrgSpec("DGB Region Niedersachsen-Mitte", "DGB NDS-Mitte", _U, "30159", "Hannover"),
    _OrgSpec("Unternehmerverbände Niedersachsen e. V.", "UVN", _A, "30175", "Hannover"),
    _OrgSpec("IHK Hannover", "IHK H", _C, "30175", "Hannover"),
    _OrgSpec("Handwerkskammer Hannover", "HWK H", _C, "30163", "Hannover"),
    _OrgSpec(
        "Amt für regionale Landesentwicklung Leine-Weser",
        "ArL LW",
        _O,
        "31134",
        "Hildesheim",
        partner=False,
    ),
)

# Illustrative, kept from phase to phase.
LW_THEMES = (
    FieldSpec(
        "Fachkräfte gewinnen und binden",
        (
            "Berufsorientierung in kleinen und mittleren Unternehmen",
            "Willkommenskultur für zugewanderte Fachkräfte",
        ),
    ),
    FieldSpec(
        "Qualifizierung und Weiterbildung",
        ("Weiterbildung Beschäftigter in KMU", "Digitalisierung der Arbeitswelt"),
    ),
    FieldSpec(OPEN_FIELD, is_open=True),
)

LEINE_WESER = _AllianceSpec(
    slug="leine-weser",
    name="Fachkräftebündnis Leine-Weser",
    details={
        "short_name": "Leine-Weser",
        "region": (
            "Region Hannover; Landkreise Diepholz, Hameln-Pyrmont, Hildesheim, Holzminden, "
            "Nienburg/Weser und Schaumburg"
        ),
        "description": (
            "Demo-Daten: eine kleine, beispielhafte Auswahl der Kooperationspartner (das Bündnis "
            "hat in der Förderphase 2018–2021 37 Mitglieder)."
        ),
        "office_host": LW_OFFICE,
        "office_email": "geschaeftsstelle@fachkraeftebuendnis-leine-weser.example.org",
        "office_phone": "0511 000-0000",
        "office_address": "Region Hannover\nBeispielstraße 1\n30169 Hannover",
        "recognising_authority": MINISTRY,
    },
    groups=tuple(
        group
        for group in _STANDARD_GROUPS
        if group.kind not in {GroupKind.UNIVERSITIES, GroupKind.WELFARE}
    ),
    organisations=LW_ORGANISATIONS,
    people=(
        _PersonSpec(
            LW_OFFICE,
            "Frieda",
            "Beispielkamp",
            PersonFunction.OFFICE,
            "Leitung der Geschäftsstelle",
            office_role=SeatRole.OFFICE_LEAD,
            show_name_publicly=True,
            login="leineweser",
        ),
        _PersonSpec(
            LW_OFFICE,
            "Malte",
            "Musterbrück",
            PersonFunction.OFFICE,
            "Projektkoordination",
            office_role=SeatRole.OFFICE_STAFF,
        ),
    ),
    # Recorded as they stand (no cycle on the platform): three recognised phases up to the running
    # 2024–2027, each partner signed for each.
    phases=(
        _PhaseSpec(
            name="2018–2021",
            starts_on=date(2018, 7, 1),
            ends_on=date(2021, 6, 30),
            virtual_budget=Decimal("2500000.00"),
            funding_rate=Decimal("50.00"),
            signed_on=date(2018, 6, 20),
            details={
                "extension_applied_on": date(2018, 6, 22),
                "recognised_on": date(2018, 6, 29),
                "recognition_reference": "MW 21-32521/2018-03 (beispielhaft)",
                "recognition_conditions": ILLUSTRATIVE_RECOGNITION,
            },
            themes=LW_THEMES,
        ),
        # Illustrative: budget, rate, dates and references of the later phases; up to 2021 the
        # rate was 50 %, later up to 70 % (docs/domain.md).
        _PhaseSpec(
            name="2021–2024",
            starts_on=date(2021, 7, 1),
            ends_on=date(2024, 6, 30),
            virtual_budget=Decimal("2500000.00"),
            funding_rate=Decimal("50.00"),
            signed_on=date(2021, 5, 26),
            details={
                "extension_applied_on": date(2021, 5, 31),
                "recognised_on": date(2021, 6, 24),
                "recognition_reference": "MW 21-32521/2021-03 (beispielhaft)",
                "recognition_conditions": ILLUSTRATIVE_BUDGET,
            },
            themes=LW_THEMES,
        ),
        _PhaseSpec(
            name="2024–2027",
            starts_on=date(2024, 7, 1),
            ends_on=date(2027, 6, 30),
            virtual_budget=Decimal("2300000.00"),
            funding_rate=Decimal("60.00"),
            signed_on=date(2024, 5, 22),
            details={
                "extension_applied_on": date(2024, 5, 29),
                "recognised_on": date(2024, 6, 26),
                "recognition_reference": "MW 21-32521/2024-03 (beispielhaft)",
                "recognition_conditions": ILLUSTRATIVE_BUDGET,
            },
            themes=LW_THEMES,
        ),
    ),
    bodies=(
        _BodySpec(
            BodyKind.STEERING,
            "Steuerkreis",
            "Entscheidungsgremium des Bündnisses; jeder Kooperationspartner hat eine Stimme, das "
            "Amt für regionale Landesentwicklung Leine-Weser berät ohne Stimme.",
            "quartalsweise",
        ),
        _BodySpec(
            BodyKind.SPEAKERS,
            "Sprecherkreis",
            "Bereitet die Sitzungen des Steuerkreises vor.",
            "vor jeder Steuerkreissitzung",
        ),
        _BodySpec(BodyKind.OFFICE, "Geschäftsstelle", "Die operative Arbeit des Bündnisses."),
    ),
    advisory="Amt für regionale Landesentwicklung Leine-Weser",
    speaker="IHK Hannover",
    deputy_speakers=(
        "Agentur für Arbeit Hannover",
        "Landkreis Hameln-Pyrmont",
        "DGB Region Niedersachsen-Mitte",
        "Unternehmerverbände Niedersachsen e. V.",
    ),
    seats_from=date(2018, 7, 1),
    office_from=date(2018, 7, 1),
)

ALLIANCES = (SON, LEINE_WESER)


@dataclass(frozen=True)
class _UserSpec:
    login: DemoLogin
    # The alliance role; None for the platform roles.
    alliance: str = ""
    role: Role | None = None
    platform_role: PlatformRole = PlatformRole.NONE
    is_staff: bool = False
    is_superuser: bool = False


def _login(username: str, description: str) -> DemoLogin:
    return DemoLogin(username=username, password=DEMO_PASSWORD, description=description)


_USERS = (
    _UserSpec(
        _login("geschaeftsstelle", "Geschäftsstelle SüdOstNiedersachsen, pflegt alles im Admin"),
        alliance="son",
        role=Role.OFFICE,
        is_staff=True,
    ),
    _UserSpec(
        _login("sprecher", "Sprecherin des Fachkräftebündnisses SüdOstNiedersachsen"),
        alliance="son",
        role=Role.SPEAKER,
    ),
    _UserSpec(
        _login("steuerkreis", "Stimmberechtigtes Mitglied im Steuerkreis (Stadt Braunschweig)"),
        alliance="son",
        role=Role.STEERING,
    ),
    _UserSpec(
        _login("beratend", "Beratendes Mitglied ohne Stimme (ArL Braunschweig)"),
        alliance="son",
        role=Role.ADVISORY,
    ),
    _UserSpec(
        _login("antrag", "Antragstellerin (AWO Bezirksverband Braunschweig)"),
        alliance="son",
        role=Role.APPLICANT,
    ),
    _UserSpec(
        _login("ministerium", "Ministerium: liest alle Bündnisse, ändert nichts"),
        platform_role=PlatformRole.MINISTRY,
        is_staff=True,
    ),
    _UserSpec(
        _login("admin", "Plattform-Administration"),
        platform_role=PlatformRole.ADMIN,
        is_staff=True,
        is_superuser=True,
    ),
    _UserSpec(
        _login("leineweser", "Geschäftsstelle Leine-Weser (anderes Bündnis)"),
        alliance="leine-weser",
        role=Role.OFFICE,
        is_staff=True,
    ),
)

DEMO_LOGINS: list[DemoLogin] = [spec.login for spec in _USERS]


# --- Invented people ----------------------------------------------------------------------------

_FIRST_NAMES = (
    "Anna", "Bernd", "Carola", "Dirk", "Elke", "Frank", "Gesa", "Heiko", "Ilka", "Jörg",
    "Karin", "Lutz", "Maren", "Norbert", "Olivia", "Paul", "Rieke", "Sven", "Tanja", "Ulf",
    "Vanessa", "Werner", "Yasemin", "Zoran",
)  # fmt: skip
# "Muster…" and "Beispiel…" make the names recognisably invented.
_NAME_ENDINGS = (
    "mann", "feld", "berg", "hagen", "hausen", "dorf", "stedt", "büttel", "rode", "beck",
    "brink", "horst", "bruch", "wald", "heide", "born", "loh",
)  # fmt: skip

_AREA_CODES = {
    "Braunschweig": "0531",
    "Wolfsburg": "05361",
    "Salzgitter": "05341",
    "Gifhorn": "05371",
    "Goslar": "05321",
    "Helmstedt": "05351",
    "Peine": "05171",
    "Wolfenbüttel": "05331",
    "Clausthal-Zellerfeld": "05323",
    "Lüneburg": "04131",
    "Hannover": "0511",
    "Hameln": "05151",
    "Stadthagen": "05721",
    "Hildesheim": "05121",
}


def _ascii(text: str) -> str:
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, plain)
    return text


def _email(first_name: str, last_name: str) -> str:
    return f"{_ascii(first_name.lower())}.{_ascii(last_name.lower())}@example.org"


def _phone(city: str, number: int) -> str:
    return f"{_AREA_CODES[city]} 000-{number:04d}"


# --- Loading ------------------------------------------------------------------------------------


def themes_create(phase: FundingPhase, themes: tuple[FieldSpec, ...], *, actor: User | None) -> int:
    """The phase's fields of action with their topics, in order, through the services; those the
    phase has (by title) are left as they are. Returns how many records were created."""
    created = 0
    for position, field_spec in enumerate(themes, start=1):
        action_field = ActionField.objects.filter(phase=phase, title=field_spec.title).first()
        if action_field is None:
            action_field = services.action_field_create(
                actor=actor,
                phase=phase,
                title=field_spec.title,
                position=position,
                is_open=field_spec.is_open,
            )
            created += 1
        for topic_position, topic in enumerate(field_spec.topics, start=1):
            title, children = (topic, ()) if isinstance(topic, str) else topic
            parent, new = _topic(action_field, title, topic_position, actor=actor)
            created += new
            for child_position, child in enumerate(children, start=1):
                created += _topic(action_field, child, child_position, parent, actor=actor)[1]
    return created


def _topic(
    action_field: ActionField,
    title: str,
    position: int,
    parent: Topic | None = None,
    *,
    actor: User | None,
) -> tuple[Topic, int]:
    found = Topic.objects.filter(action_field=action_field, title=title).first()
    if found is not None:
        return found, 0
    topic = services.topic_create(
        actor=actor, action_field=action_field, title=title, position=position, parent=parent
    )
    return topic, 1


class _Loader:
    def __init__(self) -> None:
        self.created = 0
        # Person that each demo login belongs to (not the ministry's and the admin's).
        self.login_people: dict[str, Person] = {}
        # Runs over both alliances so that no two invented people share a name.
        self.person_index = 0

    def ensure[M: models.Model](
        self, model: type[M], create: Callable[..., M], key: tuple[str, ...], **fields: Any
    ) -> M:
        """The record with these natural-key values, created through the service if missing.

        An existing record is returned untouched: loading again must change nothing.
        """
        found = model._default_manager.filter(**{name: fields[name] for name in key}).first()
        if found is not None:
            return found
        self.created += 1
        return create(actor=None, **fields)

    def alliance(self, spec: _AllianceSpec) -> None:
        """The alliance as of its start on record (`demo.clock`): its members and people first,
        each phase when its recognition came, the bodies and seats after the first phase."""
        with as_of(moment(spec.founded, 9)):
            alliance, organisations, representatives, people = self.members(spec)
        partners = [organisations[org.name] for org in spec.organisations if org.partner]
        for phase_spec in spec.phases:
            self.phase(alliance, phase_spec, partners)
        with as_of(moment(max(spec.founded, spec.phases[0].recorded_on), 12)):
            self.bodies(spec, alliance, organisations, representatives, people, partners)

    def members(
        self, spec: _AllianceSpec
    ) -> tuple[Alliance, dict[str, Organisation], dict[str, Person], dict[_PersonSpec, Person]]:
        alliance = self.ensure(
            Alliance,
            services.alliance_create,
            ("slug",),
            slug=spec.slug,
            name=spec.name,
            **spec.details,
        )
        groups: dict[GroupKind, OrganisationGroup] = {}
        for position, group in enumerate(spec.groups, start=1):
            groups[group.kind] = self.ensure(
                OrganisationGroup,
                services.group_create,
                ("alliance", "name"),
                alliance=alliance,
                name=group.name,
                kind=group.kind,
                sends_deputy_speaker=group.sends_deputy_speaker,
                position=position,
            )

        organisations: dict[str, Organisation] = {}
        representatives: dict[str, Person] = {}
        for number, org in enumerate(spec.organisations, start=1):
            organisation = self.ensure(
                Organisation,
                services.organisation_create,
                ("alliance", "name"),
                alliance=alliance,
                name=org.name,
                short_name=org.short_name,
                group=groups[org.kind],
                street=f"Beispielstraße {number}",
                postcode=org.postcode,
                city=org.city,
                email=f"kontakt@{slugify(_ascii(org.short_name.lower()))}.example.org",
                phone=_phone(org.city, number * 100),
                is_illustrative=True,
                territory=org.territory,
            )
            organisations[org.name] = organisation
            representatives[org.name] = self.representatives(organisation, org, number)
            if org.login:
                self.login_people[org.login] = representatives[org.name]

        people: dict[_PersonSpec, Person] = {}
        for number, person in enumerate(spec.people, start=1):
            organisation = organisations[person.organisation]
            people[person] = self.person(
                organisation,
                first_name=person.first_name,
                last_name=person.last_name,
                function=person.function,
                position_title=person.position_title,
                show_name_publicly=person.show_name_publicly,
                phone=_phone(organisation.city, 9000 + number),
            )
            if person.login:
                self.login_people[person.login] = people[person]
        return alliance, organisations, representatives, people

    def bodies(
        self,
        spec: _AllianceSpec,
        alliance: Alliance,
        organisations: dict[str, Organisation],
        representatives: dict[str, Person],
        people: dict[_PersonSpec, Person],
        partners: list[Organisation],
    ) -> None:
        bodies = {
            body.kind: self.ensure(
                Body,
                services.body_create,
                ("alliance", "kind"),
                alliance=alliance,
                kind=body.kind,
                name=body.name,
                description=body.description,
                meeting_rhythm=body.meeting_rhythm,
            )
            for body in spec.bodies
        }
        steering = bodies[BodyKind.STEERING]
        for partner in partners:
            self.seat(steering, partner, SeatRole.MEMBER, spec.seats_from, representatives)
        advisory = organisations[spec.advisory]
        self.seat(steering, advisory, SeatRole.ADVISORY, spec.seats_from, representatives)

        speakers = bodies[BodyKind.SPEAKERS]
        speaker = organisations[spec.speaker]
        self.seat(speakers, speaker, SeatRole.SPEAKER, spec.seats_from, representatives)
        for name in spec.deputy_speakers:
            deputy = organisations[name]
            self.seat(speakers, deputy, SeatRole.DEPUTY_SPEAKER, spec.seats_from, representatives)

        office = bodies[BodyKind.OFFICE]
        for person in spec.people:
            if person.office_role is None:
                continue
            self.ensure(
                Seat,
                services.seat_assign,
                ("body", "person"),
                body=office,
                organisation=organisations[person.organisation],
                role=person.office_role,
                starts_on=spec.office_from,
                person=people[person],
            )

    def person(
        self,
        organisation: Organisation,
        key: tuple[str, ...] = ("organisation", "first_name", "last_name"),
        **fields: Any,
    ) -> Person:
        return self.ensure(
            Person,
            services.person_create,
            key,
            organisation=organisation,
            email=_email(fields["first_name"], fields["last_name"]),
            **fields,
        )

    def representatives(self, organisation: Organisation, org: _OrgSpec, number: int) -> Person:
        """Every organisation gets a representative and a deputy; returns the representative.

        They are found again by their function, not their invented names, so that a change of
        this generator (or a rename in the admin) does not add a second representative.
        """
        key = ("organisation", "function")
        index = self.person_index
        self.person_index += 1
        ending = _NAME_ENDINGS[index % len(_NAME_ENDINGS)]
        representative = self.person(
            organisation,
            key,
            first_name=_FIRST_NAMES[(2 * index) % len(_FIRST_NAMES)],
            last_name=f"Muster{ending}",
            function=PersonFunction.REPRESENTATIVE,
            phone=_phone(org.city, number * 100 + 1),
        )
        self.person(
            organisation,
            key,
            first_name=_FIRST_NAMES[(2 * index + 1) % len(_FIRST_NAMES)],
            last_name=f"Beispiel{ending}",
            function=PersonFunction.DEPUTY,
            phone=_phone(org.city, number * 100 + 2),
        )
        return representative

    def phase(
        self, alliance: Alliance, spec: _PhaseSpec, partners: list[Organisation]
    ) -> FundingPhase:
        with as_of(moment(spec.recorded_on, 9)):
            return self.phase_now(alliance, spec, partners)

    def phase_now(
        self, alliance: Alliance, spec: _PhaseSpec, partners: list[Organisation]
    ) -> FundingPhase:
        phase = self.ensure(
            FundingPhase,
            services.phase_create,
            ("alliance", "name"),
            alliance=alliance,
            name=spec.name,
            starts_on=spec.starts_on,
            ends_on=spec.ends_on,
            virtual_budget=spec.virtual_budget,
            funding_rate=spec.funding_rate,
            **spec.details,
        )
        for partner in partners:
            details = {"signed_on": spec.signed_on, **spec.agreements.get(partner.name, {})}
            self.ensure(
                CooperationAgreement,
                services.agreement_sign,
                ("phase", "organisation"),
                phase=phase,
                organisation=partner,
                **details,
            )
        self.created += themes_create(phase, spec.themes, actor=None)
        return phase

    def seat(
        self,
        body: Body,
        organisation: Organisation,
        role: SeatRole,
        starts_on: date,
        representatives: dict[str, Person],
    ) -> Seat:
        return self.ensure(
            Seat,
            services.seat_assign,
            # One seat per organisation and body is the rule; a seat the office has changed in the
            # meantime (another person, an end date) still counts as the demo's.
            ("body", "organisation"),
            body=body,
            organisation=organisation,
            role=role,
            starts_on=starts_on,
            person=representatives[organisation.name],
        )

    def user(self, spec: _UserSpec) -> None:
        person = self.login_people.get(spec.login.username)
        user = User.objects.filter(username=spec.login.username).first()
        if user is None:
            # Created once; a second run leaves the password (and everything else) alone.
            user = account_services.user_create(
                actor=None,
                username=spec.login.username,
                email=person.email if person else f"{spec.login.username}@example.org",
                password=spec.login.password,
                first_name=person.first_name if person else "",
                last_name=person.last_name if person else "",
                is_demo=True,
                is_staff=spec.is_staff,
                is_superuser=spec.is_superuser,
                platform_role=spec.platform_role,
            )
            self.created += 1
        if person is not None and person.user_id is None:
            person.user = user
            services.person_save(actor=None, instance=person)
        if spec.role is not None:
            self.ensure(
                Membership,
                account_services.membership_grant,
                ("user", "alliance", "role"),
                user=user,
                alliance=Alliance.objects.get(slug=spec.alliance),
                role=spec.role,
                organisation=person.organisation if person else None,
            )


def load_structure() -> int:
    """Load the alliances, their people and the demo logins; returns how many records were
    created (0 when loaded). `demo.load.load_demo` runs it inside its transaction."""
    loader = _Loader()
    for spec in ALLIANCES:
        loader.alliance(spec)
    for user_spec in _USERS:
        loader.user(user_spec)
    return loader.created
