"""The alliance's written statement (Stellungnahme) on a project for the funding bank.

The bank decides on an application "taking the statement decisively into account"; the platform
writes it after the Steuerkreis' positive Votum. Reads here, rendering to PDF with `core.pdf`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from buendnis.alliances.models import Alliance, BodyKind, Seat, SeatRole
from buendnis.alliances.selectors import seats_active_on
from buendnis.core.pdf import local_fetcher, render_pdf
from buendnis.funding.models import (
    BodyOutcome,
    CoFinancing,
    Consultation,
    Outcome,
    Project,
)
from buendnis.funding.states import Status
from buendnis.funding.wording import STATEMENT_STATES

# The statement's stylesheet (and anything else WeasyPrint may load) comes from here, never from
# the network.
ASSETS = (Path(__file__).resolve().parent / "static" / "reports").resolve()
# How a refused address names the document (core.pdf.local_fetcher).
DOCUMENT = "der Stellungnahme"

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def statement_project(alliance: Alliance, reference: str) -> Project | None:
    """The project with everything the statement prints, in three queries (project with phase,
    owner and field; topics; co-financing with organisations)."""
    project = (
        Project.objects.filter(alliance=alliance, reference=reference)
        .select_related("phase", "applicant_organisation", "action_field")
        .prefetch_related(
            "topics",
            Prefetch("cofinancing", queryset=CoFinancing.objects.select_related("organisation")),
        )
        .first()
    )
    if project is not None:
        project.alliance = alliance  # known already: spares the permission check a query
    return project


def alliance_genitive(name: str) -> str:
    """ "Fachkräftebündnis SüdOstNiedersachsen" → "des Fachkräftebündnisses SüdOstNiedersachsen";
    other names are quoted after "des Bündnisses". Only German needs the inflection."""
    if not (get_language() or "de").lower().startswith("de"):
        return name
    prefix = "Fachkräftebündnis "
    if name.startswith(prefix):
        return f"des Fachkräftebündnisses {name.removeprefix(prefix)}"
    return f"des Bündnisses „{name}“"


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    if whole <= 0:
        return None
    return (part * HUNDRED / whole).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FinancingRow:
    payer: str
    amount: Decimal
    share: Decimal | None


@dataclass(frozen=True)
class ProcedureStep:
    """One line of „Verfahren im Bündnis“: the day and what happened."""

    day: date
    text: str


def procedure_steps(
    consultations: list[Consultation], outcomes: list[BodyOutcome]
) -> list[ProcedureStep]:
    """The consultations and the bodies' positive outcomes in the order of their days (a
    consultation before a body's outcome of the same day, outcomes of one day as recorded): the
    order in which they were recorded may differ, the statement follows the dates."""
    dated: list[tuple[date, int, int, str]] = [
        (row.held_on, 0, row.pk, _("Beratung durch die Geschäftsstelle")) for row in consultations
    ]
    for row in outcomes:
        stage = (
            _("Kurzskizze")
            if row.stage_status in (Status.SKETCH_SPEAKERS, Status.SKETCH_STEERING)
            else _("Projektbeschreibung")
        )
        text = f"{stage} – {row.body.name}: {row.get_outcome_display()}"
        if row.reference:
            text += f" ({row.reference})"
        dated.append((row.decided_on, 1, row.pk, text))
    return [ProcedureStep(day, text) for day, _order, _pk, text in sorted(dated)]


@dataclass
class StatementData:
    project: Project
    issued_on: date
    unavailable_reason: str = ""
    votum: BodyOutcome | None = None
    outcomes: list[BodyOutcome] = field(default_factory=list)
    consultations: list[Consultation] = field(default_factory=list)
    # Consultations and outcomes together, by their days: what „Verfahren im Bündnis“ lists.
    steps: list[ProcedureStep] = field(default_factory=list)
    speaker: Seat | None = None
    funding_rate: Decimal | None = None
    financing: list[FinancingRow] = field(default_factory=list)
    financing_total: Decimal = Decimal(0)

    @property
    def alliance(self) -> Alliance:
        return self.project.alliance

    @property
    def speaker_name(self) -> str:
        """The speaker's name where the person agreed to be named; else only role and seat."""
        person = self.speaker.person if self.speaker else None
        if person is not None and person.show_name_publicly:
            return person.full_name
        return ""


def statement_data(project: Project, *, on: date | None = None) -> StatementData:
    """Everything the statement says about the project. `unavailable_reason` (German) is set when
    the project has no statement: before the Votum, or after a withdrawal."""
    day = on or timezone.localdate()
    data = StatementData(project=project, issued_on=day)
    if project.status not in STATEMENT_STATES:
        if project.status == Status.WITHDRAWN:
            data.unavailable_reason = _(
                "Das Vorhaben wurde zurückgezogen; eine Stellungnahme des Bündnisses gibt es dafür "
                "nicht mehr."
            )
        else:
            data.unavailable_reason = _(
                "Die Stellungnahme des Bündnisses entsteht erst nach dem positiven Votum des "
                "Steuerkreises. Das Vorhaben ist im Stand „%(status)s“."
            ) % {"status": project.get_status_display()}
        return data
    data.outcomes = list(
        BodyOutcome.objects.filter(project=project, outcome=Outcome.POSITIVE)
        .select_related("body")
        .order_by("decided_on", "id")
    )
    votes = [
        outcome
        for outcome in data.outcomes
        if outcome.stage_status == Status.DESCRIPTION_STEERING
        and outcome.body.kind == BodyKind.STEERING
    ]
    data.votum = votes[-1] if votes else None
    data.consultations = list(
        Consultation.objects.filter(project=project).order_by("held_on", "id")
    )
    data.steps = procedure_steps(data.consultations, data.outcomes)
    data.speaker = (
        seats_active_on(day)
        .filter(
            alliance_id=project.alliance_id,
            body__kind=BodyKind.SPEAKERS,
            role=SeatRole.SPEAKER,
        )
        .first()
    )
    costs = project.eligible_costs
    data.funding_rate = _share(project.requested_grant, costs)
    data.financing = [
        FinancingRow(
            payer=_("Zuschuss der Förderbank (beantragt)"),
            amount=project.requested_grant,
            share=data.funding_rate,
        ),
        *(
            FinancingRow(payer=share.payer, amount=share.amount, share=_share(share.amount, costs))
            for share in project.cofinancing.all()
        ),
    ]
    data.financing_total = sum((row.amount for row in data.financing), Decimal(0))
    return data


def _local_fetcher() -> Any:
    """The fetcher the statement is rendered with: its own files and the shared stylesheet,
    never the network."""
    return local_fetcher(ASSETS, document=DOCUMENT)


def render_statement_pdf(data: StatementData) -> bytes:
    """The statement as PDF bytes. Raises core.pdf.PdfUnavailable when WeasyPrint cannot run
    here."""
    context = {
        "data": data,
        "project": data.project,
        "alliance": data.alliance,
        "alliance_genitive": alliance_genitive(data.alliance.name),
    }
    return render_pdf("reports/statement.html", context, assets=ASSETS, document=DOCUMENT)
