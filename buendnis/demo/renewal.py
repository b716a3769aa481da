"""SüdOstNiedersachsen's own cycle: the phases 2018–2021, 2021–2024 and 2024–2027 renewed through
the platform, and the next renewal 2027–2030 under way.

2018–2021 follows the council paper of the City of Braunschweig (docs/domain.md): the Steuerkreis
adopted the structure of the regional skills strategy for the new phase in March 2018 (the three
fields with their topics word for word, open to other topics: `structure.SON_THEMES_2018_2021`);
the partners were asked to sign the new cooperation agreement; the city's paper of 23.05.2018
went to the Wirtschaftsausschuss on 01.06.2018 and to the Verwaltungsausschuss, which decided on
05.06.2018; the city signed and so supported the application for the extension of the
recognition, which the ministry granted. The day of the Steuerkreis meeting, the paper's own
number, the other partners' dates, the application's and the recognition's dates and file
references are illustrative. 2021–2024 and 2024–2027 go the same way; their fields, texts,
budgets (applied for and assigned), rates (50 % up to 2021, 60 % from 2024, where up to 70 % is
allowed) and the carry-over are illustrative, and the phases say so in their conditions.

2027–2030 is prepared as a draft in autumn 2026: its strategy in versions, its fields adopted by
the Steuerkreis in November 2026, the partners asked in October — some signed (a few with the
signed agreement as a PDF, others recorded by the office), the cities and districts whose councils
decide first pending with the body, paper and planned date, one declined, the rest and one new
partner not answered yet. It is not applied for: the office (the demo login `geschaeftsstelle`)
applies, the ministry (`ministerium`) decides.

The cycle's services take real users and check their rights, so the office's steps are the demo
office login's and the ministry's the demo ministry login's (the audit trail names them); each
step runs as of its own day (`demo.clock`). A phase that exists is skipped as a whole: a second
load creates nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.test.utils import override_settings
from django.utils.text import slugify

from buendnis.accounts.models import User
from buendnis.alliances.models import (
    ActionField,
    Alliance,
    CooperationAgreement,
    FundingPhase,
    Organisation,
    Seat,
    Topic,
)
from buendnis.renewal import services
from buendnis.renewal.models import (
    ExtensionApplication,
    RecognitionDecision,
    SignatureRequest,
    SignatureStatus,
    Strategy,
    StrategyVersion,
)

from . import meetings
from .clock import as_of, moment
from .documents import demo_pdf
from .structure import (
    ILLUSTRATIVE_BUDGET,
    MINISTRY,
    NEW_PARTNER_2027,
    OPEN_FIELD,
    SON_THEMES_2018_2021,
    STADT_BRAUNSCHWEIG,
    FieldSpec,
    themes_create,
)

SON = "son"
OFFICE_LOGIN = "geschaeftsstelle"
MINISTRY_LOGIN = "ministerium"
# The ministry's name when it decided in June 2024 (renamed in 2022; the Ministry for Social
# Affairs took over the alliances in September 2024).
MINISTRY_2024 = "Niedersächsisches Ministerium für Wirtschaft, Verkehr, Bauen und Digitalisierung"

S = SignatureStatus
D = date

# --- The fields of the later phases (illustrative) ----------------------------------------------

BERATUNG = "Beratungsinfrastruktur"
DIGITAL = "Digitalisierung / Innovation"
REKRUTIERUNG = "Rekrutierung und Matching"
GEWINNEN = "Fachkräfte gewinnen und binden"
QUALIFIZIERUNG = "Qualifizierung und Transformation"
INTEGRATION = "Integration in Arbeit"

T_ORIENTATION = "Berufsorientierung unter Einbeziehung von KMU und von besonderen Personengruppen"
T_STUDENTS = "Studienabsolventen und Studienabbrecher für lokale KMU (binden, halten und anwerben)"
T_COMPANIES = "Beratung von Betrieben zur Beschäftigung und Qualifizierung geflüchteter Menschen"
T_NONFORMAL = (
    "Geflüchtete Menschen: Nutzbarmachung von nichtformalen beruflichen Kenntnissen und Fähigkeiten"
)
T_FAMILY = "Vereinbarkeit von Familie und Beruf"
T_PARTIAL = "Maßnahmen zur Förderung von Teilqualifikationen"
T_DIGITAL = "Digitale Kompetenzen von Beschäftigten"
T_WORK40 = "Arbeit 4.0 und mobiles Arbeiten"
T_KNOWLEDGE = "Wissenstransfer innerbetrieblich und intraregional"
T_CARE = "Rekrutierung von pädagogischen und pflegerischen Fachkräften und im medizinischen Bereich"
T_RETURN = "Rückkehrförderung"
T_TRANSPARENCY = "Transparenz, Vermarktung und Vernetzung bestehender Angebote"
T_WOMEN = "Arbeitgeber für Frauen attraktiv machen"
T_INTERNATIONAL = "Internationale Fachkräfte: Anwerbung, Anerkennung, Willkommenskultur"
T_TRANSFORMATION = "Weiterbildung in der Transformation der Automobil- und Zulieferindustrie"
T_MOBILE = "Mobiles Arbeiten und Arbeitszeit"
T_LONG_TERM = "Langzeitarbeitslose in Beschäftigung bringen"
T_REFUGEE_WOMEN = "Erwerbstätigkeit geflüchteter Frauen stärken"
T_AI = "Künstliche Intelligenz in der Arbeitswelt"
T_NO_DEGREE = "Junge Menschen ohne Berufsabschluss"

THEMES_2021_2024 = (
    FieldSpec(BERATUNG, (T_ORIENTATION, T_STUDENTS, T_COMPANIES, T_FAMILY, T_PARTIAL)),
    FieldSpec(DIGITAL, (T_DIGITAL, T_WORK40, T_KNOWLEDGE)),
    FieldSpec(REKRUTIERUNG, (T_CARE, T_RETURN, T_TRANSPARENCY, T_INTERNATIONAL, T_WOMEN)),
    FieldSpec(OPEN_FIELD, is_open=True),
)
THEMES_2024_2027 = (
    FieldSpec(GEWINNEN, (T_ORIENTATION, T_STUDENTS, T_INTERNATIONAL, T_CARE, T_WOMEN, T_FAMILY)),
    FieldSpec(QUALIFIZIERUNG, (T_PARTIAL, T_DIGITAL, T_TRANSFORMATION, T_KNOWLEDGE, T_MOBILE)),
    FieldSpec(INTEGRATION, (T_NONFORMAL, T_COMPANIES, T_LONG_TERM, T_REFUGEE_WOMEN)),
    FieldSpec(OPEN_FIELD, is_open=True),
)
THEMES_2027_2030 = (
    FieldSpec(GEWINNEN, (T_ORIENTATION, T_INTERNATIONAL, T_CARE, T_FAMILY)),
    FieldSpec(QUALIFIZIERUNG, (T_PARTIAL, T_TRANSFORMATION, T_AI, T_KNOWLEDGE)),
    FieldSpec(INTEGRATION, (T_NONFORMAL, T_LONG_TERM, T_NO_DEGREE)),
    FieldSpec(OPEN_FIELD, is_open=True),
)

# --- The cycle as data --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Version:
    """A version of the strategy's text, written by the office on `day`."""

    day: date
    analysis: str
    review: str
    fields_intro: str
    working_methods: str
    note: str


@dataclass(frozen=True)
class _Answer:
    """A partner's answer, unless it simply signed on the cycle's `signed_on`."""

    organisation: str
    status: SignatureStatus
    # The day it signed or declined.
    on: date | None = None
    # The day it told the office that its own bodies decide first (then pending).
    pending_on: date | None = None
    decision_body: str = ""
    reference: str = ""
    decision_date: date | None = None
    # The signed agreement uploaded as a PDF (else the office records a signature on paper).
    document: bool = False
    note: str = ""


@dataclass(frozen=True)
class _Recognition:
    decided_on: date
    reference: str
    virtual_budget: Decimal
    funding_rate: Decimal
    authority: str
    conditions: str = ILLUSTRATIVE_BUDGET
    carry_over: Decimal | None = None


@dataclass(frozen=True)
class _Cycle:
    phase: str
    starts_on: date
    ends_on: date
    # Applied for; the ministry's recognition assigns its own.
    virtual_budget: Decimal
    funding_rate: Decimal
    prepared_on: date
    themes_on: date
    themes: tuple[FieldSpec, ...]
    versions: tuple[_Version, ...]
    # The Steuerkreis meeting (day, item) that adopted the fields (`demo.meetings`).
    adopted_in: tuple[date, str]
    asked_on: date
    due_on: date
    # When the partners not named in `answers` signed; None: they have not answered.
    signed_on: date | None
    answers: tuple[_Answer, ...] = ()
    new_partners: tuple[str, ...] = ()
    applied_on: date | None = None
    cover_note: str = ""
    recognition: _Recognition | None = None
    project_end_cutoff: date | None = None


_DEMO_TEXT = "Demo-Text, beispielhaft formuliert."
_WORKING_METHODS = (
    "Zentrales Entscheidungsgremium ist der Steuerkreis, in dem alle Kooperationspartner "
    "stimmberechtigt vertreten sind; das Amt für regionale Landesentwicklung Braunschweig nimmt "
    "beratend teil. Der Steuerkreis tagt quartalsweise und entscheidet einvernehmlich; der "
    "Sprecherkreis bereitet seine Sitzungen vor. Jedes Projekt wird nach mindestens einer "
    "Beratung durch die Geschäftsstelle zweistufig beraten: Kurzskizze und Projektbeschreibung, "
    "jeweils erst im Sprecherkreis, dann im Steuerkreis. Die Geschäftsstelle bei der Allianz für "
    "die Region GmbH ist Ansprechpartnerin für alle Anfragen und führt die Projektideen der "
    "Partner zusammen."
)
_ANALYSIS_2018 = (
    "Die Region SüdOstNiedersachsen – die Städte Braunschweig, Salzgitter und Wolfsburg und die "
    "Landkreise Gifhorn, Goslar, Helmstedt, Peine und Wolfenbüttel – ist von der Automobil- und "
    "Zulieferindustrie, von Forschung und Entwicklung und vom Handwerk geprägt. Kleine und "
    "mittlere Unternehmen finden schwerer Fachkräfte als die großen Arbeitgeber; Pflege, "
    "Erziehung und Handwerk melden die meisten offenen Stellen. " + _DEMO_TEXT
)
# The review of the first phase is the council paper's.
_REVIEW_2018 = (
    "Die erste Phase des Fachkräftebündnisses hat die Fachkräftesituation in der Region noch "
    "nicht grundlegend verändert, aber wichtige Impulse für die Weiterentwicklung gesetzt; "
    "Grundlage war die Fachkräftestrategie für die Jahre 2015 bis 2018. Die Kooperation der "
    "Arbeitsmarktakteure hat sich deutlich verbessert, die Region wird als Handlungsraum "
    "wahrgenommen. Zehn Projekte wurden gefördert und in die Umsetzung begleitet, darunter Welcome "
    "Center, AWO-Praktikumsbörse für Migrantinnen und Migranten und Stille Reserve. Das vom Land "
    "zugewiesene virtuelle Budget von 1,5 Mio. € ist komplett verteilt und hat bei einem "
    "Fördersatz von 50 % Projekte mit einem Volumen von 3 Mio. € auf den Weg gebracht."
)
_FIELDS_2018 = (
    "In den drei thematischen Schwerpunkten Beratungsinfrastruktur, Digitalisierung / "
    "Innovation sowie Rekrutierung und Matching sollen in der zweiten Förderphase Projekte "
    "konzipiert und umgesetzt werden. Diese Aufzählung ist nicht abschließend: es bleibt bei der "
    "thematischen Offenheit."
)

CYCLES = (
    _Cycle(
        phase="2018–2021",
        starts_on=D(2018, 7, 1),
        ends_on=D(2021, 6, 30),
        # Illustrative: the paper does not give the second phase's budget; the first phase's is
        # assumed. The rate of 50 % held until 2021.
        virtual_budget=Decimal("1500000.00"),
        funding_rate=Decimal("50.00"),
        prepared_on=D(2018, 1, 15),
        themes_on=D(2018, 2, 20),
        themes=SON_THEMES_2018_2021,
        versions=(
            _Version(
                D(2018, 2, 26),
                _ANALYSIS_2018,
                _REVIEW_2018,
                "Entwurf der Themenstruktur für die Steuerkreissitzung im März 2018. "
                + _FIELDS_2018,
                _WORKING_METHODS,
                "Entwurf für den Steuerkreis",
            ),
            _Version(
                D(2018, 3, 20),
                _ANALYSIS_2018,
                _REVIEW_2018,
                _FIELDS_2018,
                _WORKING_METHODS,
                "Themenstruktur wie vom Steuerkreis im März 2018 verabschiedet",
            ),
        ),
        adopted_in=(meetings.MARCH_2018, meetings.THEMES_2018),
        asked_on=D(2018, 3, 21),
        due_on=D(2018, 6, 15),
        signed_on=D(2018, 5, 2),
        answers=(
            # The paper: the Verwaltungsausschuss decides on 05.06.2018 after the
            # Wirtschaftsausschuss on 01.06.2018; the city then signs the new agreement. The
            # paper is dated 23.05.2018; its number is not printed in it (illustrative here), nor
            # the day the city signed.
            _Answer(
                STADT_BRAUNSCHWEIG,
                S.SIGNED,
                on=D(2018, 6, 12),
                pending_on=D(2018, 5, 23),
                decision_body="Verwaltungsausschuss",
                reference="DS 18-08000",
                decision_date=D(2018, 6, 5),
                note=(
                    "Beschlussvorlage vom 23.05.2018: Vorberatung im Wirtschaftsausschuss am "
                    "01.06.2018 (öffentlich), Entscheidung im Verwaltungsausschuss am 05.06.2018 "
                    "(nicht öffentlich)."
                ),
            ),
        ),
        applied_on=D(2018, 6, 15),
        cover_note=(
            "Antrag auf Verlängerung der Anerkennung des Bündnisses beim Niedersächsischen "
            "Ministerium für Wirtschaft, Arbeit, Verkehr und Digitalisierung; Grundlage ist die "
            "fortgeschriebene regionale Fachkräftestrategie 2018 bis 2021."
        ),
        recognition=_Recognition(
            decided_on=D(2018, 6, 29),
            reference="MW 21-32521/2018-01 (beispielhaft)",
            virtual_budget=Decimal("1500000.00"),
            funding_rate=Decimal("50.00"),
            authority=MINISTRY,
        ),
    ),
    _Cycle(
        phase="2021–2024",
        starts_on=D(2021, 7, 1),
        ends_on=D(2024, 6, 30),
        virtual_budget=Decimal("1600000.00"),
        funding_rate=Decimal("50.00"),
        prepared_on=D(2020, 11, 16),
        themes_on=D(2021, 1, 20),
        themes=THEMES_2021_2024,
        versions=(
            _Version(
                D(2021, 1, 25),
                _ANALYSIS_2018.replace(
                    "Pflege, Erziehung und Handwerk melden",
                    "Die Pandemie hat Beratung und Weiterbildung ins Digitale verlagert; Pflege, "
                    "Erziehung und Handwerk melden",
                ),
                "Rückblick auf 2018–2021: Projekte in allen drei Schwerpunkten, darunter "
                "Willkommenslotsinnen für geflüchtete Frauen, das Folgeprojekt der "
                "AWO-Praktikumsbörse (im Umlaufverfahren einstimmig befürwortet) und ein Dual "
                "Career Service. " + _DEMO_TEXT,
                "Die drei Schwerpunkte bleiben; im Handlungsfeld Digitalisierung / Innovation "
                "kommen digitale Kompetenzen von Beschäftigten und mobiles Arbeiten hinzu. Die "
                "Aufzählung ist nicht abschließend.",
                _WORKING_METHODS,
                "Rückblick 2018–2021 und Handlungsfelder für den Steuerkreis",
            ),
        ),
        adopted_in=(meetings.FEBRUARY_2021, meetings.THEMES_2021),
        asked_on=D(2021, 2, 22),
        due_on=D(2021, 5, 31),
        signed_on=D(2021, 4, 28),
        answers=(
            _Answer(
                STADT_BRAUNSCHWEIG,
                S.SIGNED,
                on=D(2021, 4, 27),
                pending_on=D(2021, 3, 10),
                decision_body="Verwaltungsausschuss",
                reference="DS 21-15530 (beispielhaft)",
                decision_date=D(2021, 4, 20),
            ),
        ),
        applied_on=D(2021, 5, 31),
        cover_note=(
            "Antrag auf Verlängerung der Anerkennung für die Förderphase 2021–2024 mit der "
            "fortgeschriebenen Fachkräftestrategie und den Unterschriften aller 28 Partner."
        ),
        recognition=_Recognition(
            decided_on=D(2021, 6, 24),
            reference="MW 21-32521/2021-01 (beispielhaft)",
            virtual_budget=Decimal("1500000.00"),
            funding_rate=Decimal("50.00"),
            authority=MINISTRY,
        ),
    ),
    _Cycle(
        phase="2024–2027",
        starts_on=D(2024, 7, 1),
        ends_on=D(2027, 6, 30),
        virtual_budget=Decimal("1800000.00"),
        funding_rate=Decimal("60.00"),
        # Illustrative: projects of the phase may run to the end of 2027.
        project_end_cutoff=D(2027, 12, 31),
        prepared_on=D(2023, 11, 15),
        themes_on=D(2024, 1, 24),
        themes=THEMES_2024_2027,
        versions=(
            _Version(
                D(2024, 1, 29),
                "Die Transformation der Automobil- und Zulieferindustrie verändert die "
                "Anforderungen an Beschäftigte in der ganzen Region; gleichzeitig gehen mehr "
                "Fachkräfte in den Ruhestand, als junge nachkommen. Internationale Fachkräfte und "
                "Menschen, die bisher keinen Zugang zum Arbeitsmarkt finden, werden wichtiger. "
                + _DEMO_TEXT,
                "Rückblick auf 2021–2024: Projekte zu digitalen Kompetenzen, zur internationalen "
                "Pflegeausbildung, zur Transformation in Zulieferbetrieben und zur "
                "Berufsorientierung; ein Teil des Budgets wird in die neue Phase übertragen. "
                + _DEMO_TEXT,
                "Drei Handlungsfelder: Fachkräfte gewinnen und binden, Qualifizierung und "
                "Transformation, Integration in Arbeit. Projekte auf anderen Themen bleiben "
                "möglich.",
                _WORKING_METHODS,
                "Handlungsfelder neu geordnet, Rückblick 2021–2024",
            ),
        ),
        adopted_in=(meetings.FEBRUARY_2024, meetings.THEMES_2024),
        asked_on=D(2024, 2, 26),
        due_on=D(2024, 5, 31),
        signed_on=D(2024, 4, 24),
        answers=(
            _Answer(
                STADT_BRAUNSCHWEIG,
                S.SIGNED,
                on=D(2024, 4, 23),
                pending_on=D(2024, 3, 6),
                decision_body="Verwaltungsausschuss",
                reference="DS 24-23114 (beispielhaft)",
                decision_date=D(2024, 4, 16),
            ),
        ),
        applied_on=D(2024, 5, 29),
        cover_note=(
            "Antrag auf Verlängerung der Anerkennung für die Förderphase 2024–2027; beantragt "
            "werden 1,8 Mio. € virtuelles Budget bei einem Fördersatz von 60 %."
        ),
        recognition=_Recognition(
            decided_on=D(2024, 6, 26),
            reference="MW 21-32521/2024-01 (beispielhaft)",
            virtual_budget=Decimal("1600000.00"),
            funding_rate=Decimal("60.00"),
            authority=MINISTRY_2024,
            carry_over=Decimal("60000.00"),
            conditions=ILLUSTRATIVE_BUDGET
            + " Übertrag von 60.000,00 € nicht gebundener Mittel aus der Förderphase 2021–2024.",
        ),
    ),
)


def _pending(
    name: str, on: date, body: str, reference: str, decision_date: date, note: str = ""
) -> _Answer:
    return _Answer(
        name,
        S.PENDING,
        pending_on=on,
        decision_body=body,
        reference=reference,
        decision_date=decision_date,
        note=note,
    )


def _signed(name: str, on: date, *, document: bool = True) -> _Answer:
    return _Answer(name, S.SIGNED, on=on, document=document)


# The renewal in progress, as it stands in early December 2026. Every date, body, paper and
# planned decision is illustrative.
NEXT = _Cycle(
    phase="2027–2030",
    starts_on=D(2027, 7, 1),
    ends_on=D(2030, 6, 30),
    virtual_budget=Decimal("1800000.00"),
    funding_rate=Decimal("60.00"),
    prepared_on=D(2026, 9, 14),
    themes_on=D(2026, 10, 20),
    themes=THEMES_2027_2030,
    versions=(
        _Version(
            D(2026, 10, 26),
            "Die Transformation der Industrie hält an; Pflege, Erziehung und Handwerk bleiben die "
            "Berufe mit den meisten offenen Stellen. Künstliche Intelligenz verändert Tätigkeiten "
            "in Verwaltung und Produktion. " + _DEMO_TEXT,
            "Rückblick auf 2024–2027 (Stand Oktober 2026): Transformationslotsen, Welcome Center "
            "und internationale Pflegeausbildung laufen oder sind abgeschlossen; neue Vorhaben "
            "kommen aus allen drei Handlungsfeldern. " + _DEMO_TEXT,
            "Entwurf für den Steuerkreis: die drei Handlungsfelder bleiben, mit neuen Themen zu "
            "künstlicher Intelligenz und jungen Menschen ohne Berufsabschluss.",
            _WORKING_METHODS,
            "Entwurf nach der Steuerkreissitzung im August",
        ),
        _Version(
            D(2026, 11, 25),
            "Die Transformation der Industrie hält an; Pflege, Erziehung und Handwerk bleiben die "
            "Berufe mit den meisten offenen Stellen. Künstliche Intelligenz verändert Tätigkeiten "
            "in Verwaltung und Produktion. " + _DEMO_TEXT,
            "Rückblick auf 2024–2027 (Stand Oktober 2026): Transformationslotsen, Welcome Center "
            "und internationale Pflegeausbildung laufen oder sind abgeschlossen; neue Vorhaben "
            "kommen aus allen drei Handlungsfeldern. " + _DEMO_TEXT,
            "Drei Handlungsfelder, wie vom Steuerkreis am 18.11.2026 beschlossen: Fachkräfte "
            "gewinnen und binden, Qualifizierung und Transformation, Integration in Arbeit. "
            "Projekte auf anderen Themen bleiben möglich.",
            _WORKING_METHODS,
            "Beschluss des Steuerkreises vom 18.11.2026 eingearbeitet",
        ),
    ),
    adopted_in=(meetings.NOVEMBER_2026, meetings.THEMES_2027),
    asked_on=D(2026, 10, 5),
    due_on=D(2027, 3, 31),
    signed_on=None,
    answers=(
        _signed("Allianz für die Region GmbH", D(2026, 10, 7), document=False),
        _signed("IHK Braunschweig", D(2026, 10, 21)),
        _signed("Agentur für Arbeit Braunschweig-Goslar", D(2026, 10, 28)),
        _signed("Arbeitgeberverband Region Braunschweig e. V.", D(2026, 11, 2)),
        _signed("DGB Region SüdOstNiedersachsen", D(2026, 11, 4)),
        _signed("Handwerkskammer Braunschweig-Lüneburg-Stade", D(2026, 11, 10)),
        _signed("Technische Universität Braunschweig", D(2026, 11, 12)),
        _signed("Ostfalia Hochschule für angewandte Wissenschaften", D(2026, 11, 16)),
        _signed("Kreishandwerkerschaft Braunschweig-Gifhorn", D(2026, 11, 18), document=False),
        _signed("IHK Lüneburg-Wolfsburg", D(2026, 11, 24)),
        _signed("Jobcenter Braunschweig", D(2026, 11, 30), document=False),
        # Councils that decided before signing.
        _Answer(
            "Landkreis Helmstedt",
            S.SIGNED,
            on=D(2026, 11, 17),
            pending_on=D(2026, 10, 12),
            decision_body="Kreisausschuss",
            reference="Vorlage 2026/214",
            decision_date=D(2026, 11, 9),
            document=True,
        ),
        _Answer(
            "Landkreis Wolfenbüttel",
            S.SIGNED,
            on=D(2026, 11, 23),
            pending_on=D(2026, 10, 20),
            decision_body="Kreisausschuss",
            reference="Vorlage 2026/187",
            decision_date=D(2026, 11, 16),
            document=True,
        ),
        _Answer(
            "Stadt Wolfsburg",
            S.SIGNED,
            on=D(2026, 12, 1),
            pending_on=D(2026, 10, 14),
            decision_body="Rat der Stadt Wolfsburg",
            reference="V 2026/1123",
            decision_date=D(2026, 11, 25),
            document=True,
        ),
        # Councils that decide in the coming months: as in 2018, the city's paper goes to the
        # Wirtschaftsausschuss first and the Verwaltungsausschuss decides.
        _pending(
            STADT_BRAUNSCHWEIG,
            D(2026, 11, 5),
            "Verwaltungsausschuss",
            "DS 26-24512",
            D(2027, 3, 2),
            "Vorberatung im Wirtschaftsausschuss am 26.02.2027 (öffentlich), Entscheidung im "
            "Verwaltungsausschuss am 02.03.2027 (nicht öffentlich).",
        ),
        _pending(
            "Stadt Salzgitter", D(2026, 11, 2), "Rat der Stadt Salzgitter", "", D(2027, 2, 24)
        ),
        _pending("Landkreis Gifhorn", D(2026, 10, 26), "Kreisausschuss", "", D(2027, 1, 25)),
        _pending(
            "Landkreis Goslar", D(2026, 10, 29), "Kreistag", "Vorlage 2026/0917", D(2026, 12, 14)
        ),
        _pending("Landkreis Peine", D(2026, 11, 9), "Kreisausschuss", "", D(2027, 2, 1)),
        _Answer(
            "Technische Universität Clausthal",
            S.DECLINED,
            on=D(2026, 11, 26),
            note=(
                "Die Hochschule beteiligt sich weiter projektbezogen, unterzeichnet die "
                "Kooperationsvereinbarung für 2027–2030 aber nicht."
            ),
        ),
    ),
    # Asked, no answer yet: the other partners, and a new one.
    new_partners=(NEW_PARTNER_2027,),
)

# --- Loading ------------------------------------------------------------------------------------


def _document(phase: FundingPhase, organisation: Organisation, day: date) -> SimpleUploadedFile:
    content = demo_pdf(
        f"Kooperationsvereinbarung {phase.alliance.name}",
        f"Förderphase {phase.name}",
        f"Unterzeichnet von {organisation.name} am {day:%d.%m.%Y}",
        "Demo-Dokument mit beispielhaftem Inhalt.",
    )
    name = f"kooperationsvereinbarung-{slugify(phase.name)}-{slugify(organisation.short_name)}.pdf"
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _answer(
    office: User, phase: FundingPhase, request: SignatureRequest, answer: _Answer, day: date
) -> None:
    organisation = request.organisation
    with as_of(moment(day, 11)):
        if day == answer.pending_on:
            services.signature_mark_pending(
                actor=office,
                request=request,
                decision_body=answer.decision_body,
                reference=answer.reference,
                decision_date=answer.decision_date,
                note=answer.note,
            )
        elif answer.status == S.SIGNED:
            services.signature_sign(
                actor=office,
                request=request,
                signed_on=day,
                document=_document(phase, organisation, day) if answer.document else None,
            )
        elif answer.status == S.DECLINED:
            services.signature_decline(
                actor=office, request=request, declined_on=day, note=answer.note
            )


def run_cycle(alliance: Alliance, cycle: _Cycle, *, office: User, ministry: User) -> bool:
    """Walk the cycle of one phase through the services; False when the phase exists."""
    if FundingPhase.objects.filter(alliance=alliance, name=cycle.phase).exists():
        return False
    with as_of(moment(cycle.prepared_on, 9)):
        phase = services.phase_prepare(
            actor=office,
            alliance=alliance,
            name=cycle.phase,
            starts_on=cycle.starts_on,
            ends_on=cycle.ends_on,
            virtual_budget=cycle.virtual_budget,
            funding_rate=cycle.funding_rate,
            project_end_cutoff=cycle.project_end_cutoff,
            signature_deadline=cycle.due_on,
        )
    with as_of(moment(cycle.themes_on, 9)):
        themes_create(phase, cycle.themes, actor=office)
    adopted_day, title = cycle.adopted_in
    decision = meetings.decision_on(alliance, adopted_day, title)
    if decision is None:
        raise RuntimeError(f"Demo: kein Beschluss „{title}“ vom {adopted_day:%d.%m.%Y}")
    adopted = False
    for version in cycle.versions:
        if not adopted and version.day > adopted_day:
            with as_of(moment(adopted_day + timedelta(days=1), 9)):
                services.strategy_adopt(actor=office, phase=phase, decision=decision)
            adopted = True
        with as_of(moment(version.day, 15)):
            services.strategy_revise(
                actor=office,
                phase=phase,
                analysis=version.analysis,
                review=version.review,
                fields_intro=version.fields_intro,
                working_methods=version.working_methods,
                change_note=version.note,
            )
    if not adopted:
        with as_of(moment(adopted_day + timedelta(days=1), 9)):
            services.strategy_adopt(actor=office, phase=phase, decision=decision)

    previous = FundingPhase.objects.filter(
        alliance=alliance, starts_on__lt=cycle.starts_on
    ).order_by("-starts_on")[:1]
    asked = list(
        Organisation.objects.filter(
            alliance=alliance,
            pk__in=CooperationAgreement.objects.filter(phase__in=previous).values(
                "organisation_id"
            ),
        )
    ) + list(Organisation.objects.filter(alliance=alliance, name__in=cycle.new_partners))
    with as_of(moment(cycle.asked_on, 9)):
        services.signatures_request(
            actor=office,
            phase=phase,
            organisations=asked,
            asked_on=cycle.asked_on,
            due_on=cycle.due_on,
        )
    answers = {answer.organisation: answer for answer in cycle.answers}
    steps: list[tuple[date, str, _Answer]] = []
    for organisation in asked:
        answer = answers.get(organisation.name)
        if answer is None:
            if cycle.signed_on is None or organisation.name in cycle.new_partners:
                continue
            answer = _Answer(organisation.name, S.SIGNED, on=cycle.signed_on)
        steps += [(day, organisation.name, answer) for day in (answer.pending_on, answer.on) if day]
    requests = {
        request.organisation.name: request
        for request in SignatureRequest.objects.filter(phase=phase).select_related("organisation")
    }
    for step_day, name, answer in sorted(steps, key=lambda step: (step[0], step[1])):
        _answer(office, phase, requests[name], answer, step_day)

    if cycle.applied_on is not None:
        with as_of(moment(cycle.applied_on, 10)):
            services.application_submit(
                actor=office, phase=phase, cover_note=cycle.cover_note, keep_dossier=False
            )
    recognition = cycle.recognition
    if recognition is not None:
        with (
            as_of(moment(recognition.decided_on, 11)),
            override_settings(BUENDNIS_MINISTRY_NAME=recognition.authority),
        ):
            services.recognition_decide(
                actor=ministry,
                phase=phase,
                outcome="recognised",
                decided_on=recognition.decided_on,
                reference=recognition.reference,
                virtual_budget=recognition.virtual_budget,
                funding_rate=recognition.funding_rate,
                carry_over=recognition.carry_over,
                conditions=recognition.conditions,
            )
    return True


def _actors() -> tuple[User, User] | None:
    users = {user.username: user for user in User.objects.filter(is_demo=True)}
    office, ministry = users.get(OFFICE_LOGIN), users.get(MINISTRY_LOGIN)
    if office is None or ministry is None:
        return None
    return office, ministry


# Everything a cycle creates, for the count of new records (the audit rows and ledger bookings
# go with them).
MODELS: tuple[type[models.Model], ...] = (
    FundingPhase,
    ActionField,
    Topic,
    Strategy,
    StrategyVersion,
    SignatureRequest,
    CooperationAgreement,
    ExtensionApplication,
    RecognitionDecision,
    Seat,
)


def _count() -> int:
    return sum(model._default_manager.count() for model in MODELS)


def _load(cycles: tuple[_Cycle, ...]) -> int:
    alliance = Alliance.objects.filter(slug=SON).first()
    actors = _actors()
    if alliance is None or actors is None:
        return 0
    office, ministry = actors
    before = _count()
    with services.muted(), transaction.atomic():
        for cycle in cycles:
            run_cycle(alliance, cycle, office=office, ministry=ministry)
    return _count() - before


def load_demo_renewals() -> int:
    """The renewed phases 2018–2021, 2021–2024 and 2024–2027; returns how many records were
    created (0 when loaded). Runs after the alliances, their logins and the Steuerkreis meetings of the history
    (`demo.meetings.load_demo_history`), before the projects (a phase takes projects once it is
    recognised)."""
    return _load(CYCLES)


def load_demo_next_phase() -> int:
    """The draft 2027–2030; runs after the meetings of 2026 (its fields were adopted in
    November)."""
    return _load((NEXT,))
