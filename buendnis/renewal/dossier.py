"""The application dossier: what the office sends the ministry with its application for the
(extended) recognition of a phase. It holds the partners and where each stands with the new
cooperation agreement, the strategy as last revised with its fields of action, and a report on
the phase before (projects by state, volume, grants, co-financing, leverage, participants, the
bodies' decisions, the budget used and left).

`dossier_data(phase)` gathers everything in a fixed number of queries, whatever the number of
partners, projects or decisions (sums and counts are taken in the database; the lists are
bounded); `render_pdf` (WeasyPrint through `core.pdf`) and `render_xlsx` (openpyxl) both print it.
Both speak German whatever the language of the office's pages: the dossier is a document to the
ministry, and the one submitted is kept with the application.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from buendnis.alliances import selectors as alliance_selectors
from buendnis.alliances.models import ActionField, Alliance, BodyKind, FundingPhase
from buendnis.budget.selectors import BudgetFigures, budget_figures, ledger_sum, to_cents
from buendnis.core.pdf import PdfUnavailable
from buendnis.core.pdf import render_pdf as render_document
from buendnis.core.spreadsheets import (
    DATE_FORMAT,
    EURO_FORMAT,
    PERCENT_FORMAT,
    WORKBOOK_TIME,
    safe_text,
)
from buendnis.core.templatetags.buendnis_format import day
from buendnis.funding.figures import leverage, volume_by_phase
from buendnis.funding.models import CoFinancing, Project
from buendnis.funding.states import GRANTED_STATES, VOLUME_STATES, Status
from buendnis.grants import selectors as grant_selectors
from buendnis.grants.selectors import Reached
from buendnis.meetings import decision_selectors
from buendnis.meetings.decision_selectors import DecisionEntry, DecisionFilter

from . import selectors
from .models import EDITABLE, ExtensionApplication, SignatureStatus, Strategy, StrategyVersion

__all__ = [
    "Dossier",
    "PdfUnavailable",
    "dossier_data",
    "render_html",
    "render_pdf",
    "render_xlsx",
]

# The dossier's stylesheet comes from here (and the shared one from core), never from the network.
ASSETS = (Path(__file__).resolve().parent / "static" / "renewal" / "pdf").resolve()
# How a refused address names the document (core.pdf.local_fetcher).
DOCUMENT = "der Antragsunterlagen"

# The report lists the latest decisions of the phase before, and its projects, up to these.
DECISION_LIMIT = 30
PROJECT_LIMIT = 1000

# Where the partners stand, in the order the dossier counts them, with the short labels it uses.
STATUS_ORDER = (
    SignatureStatus.SIGNED,
    SignatureStatus.PENDING,
    SignatureStatus.ASKED,
    SignatureStatus.DECLINED,
)


def status_label(status: str) -> str:
    return {
        SignatureStatus.SIGNED: _("Unterzeichnet"),
        SignatureStatus.PENDING: _("Beschluss ausstehend"),
        SignatureStatus.ASKED: _("Angefragt"),
        SignatureStatus.DECLINED: _("Abgelehnt"),
    }[SignatureStatus(status)]


# --- What the dossier holds ---------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerLine:
    """One organisation and where it stands with the phase's agreement."""

    organisation: str
    group: str
    status: str
    decision_body: str = ""
    reference: str = ""
    decision_date: date | None = None
    signed_on: date | None = None
    declined_on: date | None = None
    due_on: date | None = None

    @property
    def status_label(self) -> str:
        return status_label(self.status)


@dataclass
class PartnerGroup:
    name: str
    lines: list[PartnerLine] = field(default_factory=list)


@dataclass(frozen=True)
class Tally:
    """A labelled number (partners per status, projects per state)."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Section:
    key: str  # StrategyVersion.SECTIONS
    title: str
    text: str


@dataclass
class StrategyPart:
    """The latest version of the strategy's text with the phase's fields of action and topics,
    and how the Steuerkreis adopted them."""

    strategy: Strategy | None
    version: StrategyVersion | None
    sections: list[Section]
    fields: list[ActionField]
    adopted_on: date | None = None
    adopted_in: str = ""  # "in der Sitzung am … (TOP 4)" or "im Umlaufverfahren „…“"
    changed_since_adoption: bool = False


@dataclass(frozen=True)
class DecisionLine:
    decided_on: date
    body: str
    procedure: str  # "Sitzung … TOP n" or "Umlaufverfahren"
    title: str
    outcome: str


@dataclass
class PreviousReport:
    """The phase before in figures. Volume, co-financing and planned participants count the
    projects with a Votum that the bank has not declined (as the budget dashboard does); the
    grants are the bank's (granted) and the settlements' (final); the leverage is the volume per
    euro the ledger holds for projects (reserved, committed, paid)."""

    phase: FundingPhase
    by_status: list[Tally]
    projects_total: int
    funded: int
    volume: Decimal
    granted: Decimal
    final_grants: Decimal
    cofinancing: Decimal
    budget: BudgetFigures
    planned_participants: int
    participants_entered: int
    participants_exited: int
    # Every funded project's participants so far: what a closed one was closed with, what a
    # running one has reported (grants.selectors.participants_by_phase).
    participants_reached: Reached
    steering_decisions: int
    speakers_decisions: int
    decisions: list[DecisionLine]
    projects: list[Project]

    @property
    def grants(self) -> Decimal:
        """What the ledger holds for the projects: reserved, committed and paid."""
        return self.budget.distributed

    @property
    def leverage(self) -> Decimal | None:
        return leverage(self.volume, self.grants)

    @property
    def adjustments(self) -> Decimal:
        """Raises, cuts and carry-overs since the ministry assigned the budget."""
        return self.budget.budget - self.phase.virtual_budget

    @property
    def decisions_total(self) -> int:
        return self.steering_decisions + self.speakers_decisions

    @property
    def decisions_left_out(self) -> int:
        return self.decisions_total - len(self.decisions)

    @property
    def projects_left_out(self) -> int:
        return self.projects_total - len(self.projects)

    @property
    def funded_projects(self) -> list[Project]:
        return [project for project in self.projects if project.status in GRANTED_STATES]


@dataclass
class Dossier:
    phase: FundingPhase
    alliance: Alliance
    generated_on: date
    ministry: str
    application: ExtensionApplication | None
    cover_note: str
    requested_budget: Decimal
    requested_rate: Decimal
    partner_groups: list[PartnerGroup]
    partner_totals: list[Tally]
    composition_problems: list[str]
    speakers_problems: list[str]
    strategy: StrategyPart
    previous: PreviousReport | None

    @property
    def partners_total(self) -> int:
        return sum(entry.count for entry in self.partner_totals)

    @property
    def signed(self) -> int:
        return next(
            entry.count for entry in self.partner_totals if entry.key == SignatureStatus.SIGNED
        )

    @property
    def composition_met(self) -> bool:
        return not self.composition_problems and not self.speakers_problems

    @property
    def submitted_on(self) -> date | None:
        application = self.application
        if application is None or application.submitted_at is None:
            return None
        return timezone.localdate(application.submitted_at)

    @property
    def requested_volume(self) -> Decimal:
        """The project volume the budget applied for sets in motion at the rate applied for."""
        return (self.requested_budget * 100 / self.requested_rate).quantize(Decimal("0.01"))

    @property
    def title(self) -> str:
        return _("Antrag auf Verlängerung der Anerkennung – Förderphase %(phase)s") % {
            "phase": self.phase.name
        }

    @property
    def applicant(self) -> str:
        """The alliance as the subject of a German sentence: "Das Fachkräftebündnis X"."""
        name = self.alliance.name
        if name.startswith("Fachkräftebündnis "):
            return _("Das %(name)s") % {"name": name}
        return _("Das Bündnis „%(name)s“") % {"name": name}


# --- Gathering ----------------------------------------------------------------------------------


def _partner_line(row: selectors.PartnerRow) -> PartnerLine:
    request, agreement = row.request, row.agreement
    if request is not None:
        return PartnerLine(
            organisation=row.organisation.name,
            group=row.organisation.group.name,
            status=row.status,
            decision_body=request.decision_body,
            reference=request.reference,
            decision_date=request.decision_date,
            signed_on=request.signed_on or (agreement.signed_on if agreement else None),
            declined_on=request.declined_on,
            due_on=request.due_on,
        )
    # Signed without a request (recorded in the admin): the agreement holds the decision.
    assert agreement is not None  # noqa: S101 - partner_rows gives one or the other
    return PartnerLine(
        organisation=row.organisation.name,
        group=row.organisation.group.name,
        status=row.status,
        decision_body=agreement.decision_body,
        reference=agreement.decision_reference,
        decision_date=agreement.decision_date,
        signed_on=agreement.signed_on,
    )


def _partners(phase: FundingPhase) -> tuple[list[PartnerGroup], list[Tally]]:
    """The partners by group (in the alliance's order of groups, by name within) and how many
    stand where: two queries (selectors.partner_rows)."""
    rows = selectors.partner_rows(phase)
    ordered = sorted(
        rows,
        key=lambda row: (
            row.organisation.group.position,
            row.organisation.group.name.casefold(),
            row.organisation.name.casefold(),
        ),
    )
    groups: dict[int, PartnerGroup] = {}
    for row in ordered:
        group = row.organisation.group
        groups.setdefault(group.pk, PartnerGroup(group.name)).lines.append(_partner_line(row))
    counts = selectors.status_counts(rows)
    totals = [Tally(status, status_label(status), counts[status]) for status in STATUS_ORDER]
    return list(groups.values()), totals


def _adoption(strategy: Strategy | None) -> str:
    if strategy is None or strategy.adopted_on is None:
        return ""
    if strategy.adopted_decision is not None:
        item = strategy.adopted_decision.item
        return _("in der Sitzung am %(day)s, TOP %(number)s „%(title)s“") % {
            "day": day(item.meeting.starts_at),
            "number": item.number,
            "title": item.title,
        }
    if strategy.adopted_circulation is not None:
        return _("im Umlaufverfahren „%(title)s“") % {"title": strategy.adopted_circulation.title}
    return ""


def _fields_as_adopted(fields: list[ActionField]) -> list[dict[str, Any]]:
    """The fields in the form `services.fields_snapshot` keeps them, from rows already read."""
    return [
        {
            "title": action_field.title,
            "is_open": action_field.is_open,
            "topics": [topic.title for topic in action_field.all_topics],  # type: ignore[attr-defined]
        }
        for action_field in fields
    ]


def _strategy(phase: FundingPhase) -> StrategyPart:
    """Four queries: the strategy with its adopting decision, the latest version, the fields of
    action and their topics."""
    strategy = selectors.strategy_of(phase)
    version = selectors.latest_version(phase)
    fields = alliance_selectors.action_fields_of(phase)
    labels = {
        "analysis": _("Analyse der Region"),
        "review": _("Rückblick auf die vorige Förderphase"),
        "fields_intro": _("Handlungsfelder und Themen"),
        "working_methods": _("Arbeitsweise des Bündnisses"),
    }
    sections = [
        Section(key, labels[key], getattr(version, key) if version else "")
        for key in StrategyVersion.SECTIONS
    ]
    adopted_on = strategy.adopted_on if strategy is not None else None
    return StrategyPart(
        strategy=strategy,
        version=version,
        sections=sections,
        fields=fields,
        adopted_on=adopted_on,
        adopted_in=_adoption(strategy),
        changed_since_adoption=strategy is not None
        and adopted_on is not None
        and strategy.adopted_fields != _fields_as_adopted(fields),
    )


def _count_sum(name: str, condition: Q | None = None) -> Coalesce:
    return Coalesce(Sum(name, filter=condition), Value(0), output_field=IntegerField())


def _start_of(on: date) -> datetime:
    """The first moment of the day where the alliance is (TIME_ZONE)."""
    return timezone.make_aware(datetime.combine(on, time.min))


def _decision_line(entry: DecisionEntry) -> DecisionLine:
    if entry.meeting is not None:
        procedure = _("Sitzung am %(day)s, TOP %(number)s") % {
            "day": day(entry.meeting.starts_at),
            "number": entry.item_number,
        }
    else:
        procedure = _("Umlaufverfahren")
    return DecisionLine(
        decided_on=timezone.localdate(entry.decided_at),
        body=entry.body.name,
        procedure=procedure,
        title=entry.title,
        outcome=entry.outcome_label,
    )


def _previous_report(phase: FundingPhase, alliance: Alliance) -> PreviousReport | None:
    """The phase before in twelve queries at most (one when there is none): the phase; projects
    per state; the projects' sums; their volume; their co-financing; the participants reached;
    the ledger; the decisions of each deciding body; the latest decisions' keys and rows (one
    query per kind shown); the projects themselves, with what the ledger paid each and the
    participants each reached (`grants.selectors.with_results`, in the same query)."""
    previous = selectors.previous_phase(phase)
    if previous is None:
        return None
    projects = Project.objects.filter(phase=previous)
    counts = {
        row["status"]: row["count"]
        for row in projects.values("status").annotate(count=Count("id")).order_by()
    }
    sums = projects.aggregate(
        granted=ledger_sum("granted_amount", Q(status__in=GRANTED_STATES)),
        final_grants=ledger_sum("final_grant", Q(status=Status.CLOSED)),
        planned=_count_sum("planned_participants", Q(status__in=VOLUME_STATES)),
        entered=_count_sum("participants_entered"),
        exited=_count_sum("participants_exited"),
    )
    volume = volume_by_phase([previous.pk])[previous.pk]
    cofinancing = CoFinancing.objects.filter(
        project__phase=previous, project__status__in=VOLUME_STATES
    ).aggregate(total=ledger_sum("amount"))["total"]
    reached = grant_selectors.participants_by_phase(
        [previous.pk], projects=Q(status__in=VOLUME_STATES)
    )[previous.pk]
    ledger = budget_figures(previous)

    # Decided in the phase's period: from its first day to the end of its last.
    start = _start_of(previous.starts_on)
    end = _start_of(previous.ends_on + timedelta(days=1))

    def decisions(body: str | None = None) -> QuerySet[Any]:
        wanted = DecisionFilter(body=body, start=start, end=end)
        return decision_selectors.decision_keys(alliance, internal=True, wanted=wanted)

    steering = decisions(BodyKind.STEERING).count()
    speakers = decisions(BodyKind.SPEAKERS).count()
    latest = list(decisions().order_by("-entry_at", "-entry_kind", "-id")[:DECISION_LIMIT])
    entries = decision_selectors.decision_entries(latest)

    listed = list(
        grant_selectors.with_results(projects)
        .select_related("applicant_organisation")
        .order_by("reference")[:PROJECT_LIMIT]
    )
    return PreviousReport(
        phase=previous,
        by_status=[
            Tally(status, str(label), counts[status])
            for status, label in Status.choices
            if counts.get(status)
        ],
        projects_total=sum(counts.values()),
        funded=sum(counts.get(status, 0) for status in GRANTED_STATES),
        volume=volume,
        granted=to_cents(sums["granted"]),
        final_grants=to_cents(sums["final_grants"]),
        cofinancing=to_cents(cofinancing),
        budget=ledger,
        planned_participants=sums["planned"],
        participants_entered=sums["entered"],
        participants_exited=sums["exited"],
        participants_reached=reached,
        steering_decisions=steering,
        speakers_decisions=speakers,
        decisions=[_decision_line(entry) for entry in entries],
        projects=listed,
    )


def dossier_data(phase: FundingPhase, *, cover_note: str | None = None) -> Dossier:
    """Everything the dossier says about the phase, in a fixed number of queries (see
    tests/renewal/test_dossier.py for the count). `phase.alliance` is read as given (the views set
    it). `cover_note` is the note about to be submitted; by default the application's own."""
    alliance = phase.alliance
    application = selectors.application_of(phase)
    # Until it is with the ministry the phase holds what is applied for; afterwards the
    # application keeps it (the ministry's decision may change the phase's figures).
    requested_budget, requested_rate = phase.virtual_budget, phase.funding_rate
    if application is not None and phase.recognition_status not in EDITABLE:
        requested_budget = application.requested_budget or requested_budget
        requested_rate = application.requested_rate or requested_rate
    if cover_note is None:
        cover_note = application.cover_note if application is not None else ""
    groups, totals = _partners(phase)
    return Dossier(
        phase=phase,
        alliance=alliance,
        generated_on=timezone.localdate(),
        ministry=settings.BUENDNIS_MINISTRY_NAME,
        application=application,
        cover_note=cover_note.strip(),
        requested_budget=requested_budget,
        requested_rate=requested_rate,
        partner_groups=groups,
        partner_totals=totals,
        composition_problems=selectors.composition_problems(phase),
        speakers_problems=selectors.speakers_problems(phase),
        strategy=_strategy(phase),
        previous=_previous_report(phase, alliance),
    )


# --- The PDF ------------------------------------------------------------------------------------


def _context(data: Dossier) -> dict[str, Any]:
    return {"data": data, "alliance": data.alliance, "phase": data.phase}


def render_html(phase: FundingPhase, *, cover_note: str | None = None) -> str:
    """The dossier's HTML as WeasyPrint reads it (without the stylesheet's address)."""
    from django.template.loader import render_to_string

    with translation.override(settings.LANGUAGE_CODE):
        data = dossier_data(phase, cover_note=cover_note)
        return render_to_string("renewal/dossier.html", _context(data))


def render_pdf(phase: FundingPhase, *, cover_note: str | None = None) -> bytes:
    """The dossier as PDF bytes. Raises PdfUnavailable when WeasyPrint cannot run here."""
    with translation.override(settings.LANGUAGE_CODE):
        data = dossier_data(phase, cover_note=cover_note)
        return render_document(
            "renewal/dossier.html", _context(data), assets=ASSETS, document=DOCUMENT
        )


# --- The workbook -------------------------------------------------------------------------------

DECIMAL_FORMAT = "0.0"

# A cell's kind decides its format: text, money, date, count, percent (a share: 0.5 = 50 %),
# decimal (one place).
Cell = tuple[object, str]


FORMATS = {
    "money": EURO_FORMAT,
    "date": DATE_FORMAT,
    "percent": PERCENT_FORMAT,
    "decimal": DECIMAL_FORMAT,
    "count": "0",
}


def _sheet(
    workbook: Any,
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    widths: Sequence[int],
) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title)
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(
            [safe_text(value) if isinstance(value, str) else value for value, _kind in row]
        )
        for cell, (value, kind) in zip(sheet[sheet.max_row], row, strict=True):
            if kind in FORMATS and value is not None:
                cell.number_format = FORMATS[kind]
            if kind == "text" and isinstance(value, str) and "\n" in value:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _text(value: object) -> Cell:
    return (str(value) if value is not None else "", "text")


def _application_rows(data: Dossier) -> list[list[Cell]]:
    alliance, phase = data.alliance, data.phase
    rows: list[list[Cell]] = [
        [_text(_("Bündnis")), _text(alliance.name)],
        [_text(_("Region")), _text(alliance.region)],
        [_text(_("Träger der Geschäftsstelle")), _text(alliance.office_host)],
        [_text(_("Anschrift der Geschäftsstelle")), _text(alliance.office_address)],
        [_text(_("E-Mail der Geschäftsstelle")), _text(alliance.office_email)],
        [_text(_("Ministerium")), _text(data.ministry)],
        [_text(_("Förderphase")), _text(phase.name)],
        [_text(_("Beginn")), (phase.starts_on, "date")],
        [_text(_("Ende")), (phase.ends_on, "date")],
        [_text(_("Beantragtes virtuelles Budget")), (data.requested_budget, "money")],
        [_text(_("Beantragter Fördersatz")), (data.requested_rate / 100, "percent")],
        [_text(_("Damit angestrebtes Projektvolumen")), (data.requested_volume, "money")],
        [_text(_("Zuletzt eingereicht am")), (data.submitted_on, "date")],
        [_text(_("Erstellt am")), (data.generated_on, "date")],
        [_text(_("Anschreiben")), _text(data.cover_note)],
        [_text(_("Partner insgesamt")), (data.partners_total, "count")],
    ]
    rows.extend(
        [_text(_("Partner: %(status)s") % {"status": entry.label}), (entry.count, "count")]
        for entry in data.partner_totals
    )
    rows.append(
        [
            _text(_("Zusammensetzung nach den Vorgaben des Landes")),
            _text(
                _("erfüllt")
                if not data.composition_problems
                else "\n".join(data.composition_problems)
            ),
        ]
    )
    rows.append(
        [
            _text(_("Sprecherkreis")),
            _text(
                _("erfüllt") if not data.speakers_problems else "\n".join(data.speakers_problems)
            ),
        ]
    )
    version = data.strategy.version
    rows.append([_text(_("Fassung der Strategie")), (version.number if version else None, "count")])
    rows.append([_text(_("Handlungsfelder beschlossen am")), (data.strategy.adopted_on, "date")])
    return rows


def _partner_rows(data: Dossier) -> list[list[Cell]]:
    return [
        [
            _text(group.name),
            _text(line.organisation),
            _text(line.status_label),
            _text(line.decision_body),
            _text(line.reference),
            (line.decision_date, "date"),
            (line.signed_on, "date"),
            (line.declined_on, "date"),
        ]
        for group in data.partner_groups
        for line in group.lines
    ]


def _strategy_rows(data: Dossier) -> list[list[Cell]]:
    rows: list[list[Cell]] = [
        [_text(section.title), _text(""), _text(""), _text(section.text)]
        for section in data.strategy.sections
    ]
    for action_field in data.strategy.fields:
        rows.append(
            [
                _text(_("Handlungsfeld")),
                _text(action_field.title),
                _text(""),
                _text(_("thematisch offen") if action_field.is_open else ""),
            ]
        )
        rows.extend(
            [_text(_("Thema")), _text(action_field.title), _text(topic.title), _text("")]
            for topic in action_field.all_topics  # type: ignore[attr-defined]
        )
    return rows


def _previous_rows(report: PreviousReport | None) -> list[list[Cell]]:
    if report is None:
        return [[_text(_("Vorige Förderphase")), _text(_("keine"))]]
    budget = report.budget
    rows: list[list[Cell]] = [
        [_text(_("Förderphase")), _text(report.phase.name)],
        [_text(_("Beginn")), (report.phase.starts_on, "date")],
        [_text(_("Ende")), (report.phase.ends_on, "date")],
        [_text(_("Vorhaben insgesamt")), (report.projects_total, "count")],
    ]
    rows.extend(
        [_text(_("Vorhaben: %(status)s") % {"status": entry.label}), (entry.count, "count")]
        for entry in report.by_status
    )
    rows.extend(
        [
            [
                _text(_("Geförderte Vorhaben (bewilligt, in Umsetzung, abgeschlossen)")),
                (report.funded, "count"),
            ],
            [_text(_("Projektvolumen")), (report.volume, "money")],
            [_text(_("Zuschüsse bewilligt (Förderbank)")), (report.granted, "money")],
            [_text(_("Zuschüsse abgerechnet")), (report.final_grants, "money")],
            [_text(_("Zuschüsse (reserviert, gebunden, ausgezahlt)")), (report.grants, "money")],
            [_text(_("Kofinanzierung")), (report.cofinancing, "money")],
            [_text(_("Hebel (Projektvolumen je Euro Zuschuss)")), (report.leverage, "decimal")],
            [_text(_("Teilnehmende geplant")), (report.planned_participants, "count")],
            [_text(_("Teilnehmende eingetreten")), (report.participants_entered, "count")],
            [_text(_("Teilnehmende ausgetreten")), (report.participants_exited, "count")],
            [
                _text(_("Teilnehmende bisher eingetreten (alle geförderten Vorhaben)")),
                (report.participants_reached.entries, "count"),
            ],
            [
                _text(_("Teilnehmende bisher ausgetreten (alle geförderten Vorhaben)")),
                (report.participants_reached.exits, "count"),
            ],
            [_text(_("Beschlüsse des Steuerkreises")), (report.steering_decisions, "count")],
            [_text(_("Beschlüsse des Sprecherkreises")), (report.speakers_decisions, "count")],
            [_text(_("Virtuelles Budget (zugewiesen)")), (report.phase.virtual_budget, "money")],
            [_text(_("Budgetänderungen und Überträge")), (report.adjustments, "money")],
            [_text(_("Budget insgesamt")), (budget.budget, "money")],
            [_text(_("Reserviert")), (budget.reserved, "money")],
            [_text(_("Gebunden")), (budget.committed, "money")],
            [_text(_("Ausgezahlt")), (budget.paid, "money")],
            [_text(_("Verfügbar")), (budget.available, "money")],
        ]
    )
    return rows


def _project_rows(report: PreviousReport | None) -> list[list[Cell]]:
    if report is None:
        return []
    rows = []
    for project in report.projects:
        results = grant_selectors.results_of(project)
        reached = results.reached
        rows.append(
            [
                _text(project.reference),
                _text(project.title),
                _text(project.applicant_organisation.name),
                _text(project.get_status_display()),
                (project.eligible_costs, "money"),
                (project.final_eligible_costs, "money"),
                (project.requested_grant, "money"),
                (project.granted_amount, "money"),
                (project.final_grant, "money"),
                (results.paid, "money"),
                (project.planned_participants, "count"),
                (reached.entries if reached is not None else None, "count"),
                (reached.exits if reached is not None else None, "count"),
            ]
        )
    return rows


def render_xlsx(phase: FundingPhase) -> bytes:
    """The dossier as a workbook: the application's key facts, the partners, the strategy, the
    phase before in figures and its projects. Amounts are numbers in euro format, days are days."""
    from openpyxl import Workbook

    with translation.override(settings.LANGUAGE_CODE):
        data = dossier_data(phase)
        workbook = Workbook()
        workbook.remove(workbook.active)
        workbook.properties.created = WORKBOOK_TIME
        workbook.properties.modified = WORKBOOK_TIME
        workbook.properties.title = data.title
        workbook.properties.creator = data.alliance.name
        _sheet(workbook, _("Antrag"), [_("Angabe"), _("Wert")], _application_rows(data), [48, 70])
        _sheet(
            workbook,
            _("Partner"),
            [
                _("Gruppe"),
                _("Organisation"),
                _("Stand"),
                _("Beschließendes Gremium"),
                _("Beschluss/Drucksache"),
                _("Beschluss vom"),
                _("Unterzeichnet am"),
                _("Abgelehnt am"),
            ],
            _partner_rows(data),
            [26, 40, 22, 26, 22, 14, 16, 14],
        )
        _sheet(
            workbook,
            _("Strategie"),
            [_("Abschnitt"), _("Handlungsfeld"), _("Thema"), _("Text")],
            _strategy_rows(data),
            [34, 36, 40, 90],
        )
        _sheet(
            workbook,
            _("Vorphase"),
            [_("Kennzahl"), _("Wert")],
            _previous_rows(data.previous),
            [58, 22],
        )
        _sheet(
            workbook,
            _("Vorhaben Vorphase"),
            [
                _("Aktenzeichen"),
                _("Titel"),
                _("Projektträger"),
                _("Stand"),
                _("Förderfähige Gesamtkosten (€)"),
                _("Abgerechnete förderfähige Kosten (€)"),
                _("Beantragter Zuschuss (€)"),
                _("Bewilligter Zuschuss (€)"),
                _("Abgerechneter Zuschuss (€)"),
                _("Ausgezahlt (€)"),
                _("Geplante Teilnehmende"),
                _("Eintritte"),
                _("Austritte"),
            ],
            _project_rows(data.previous),
            [16, 40, 32, 26, 18, 18, 18, 18, 18, 18, 12, 10, 10],
        )
        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()
