"""Reports of an alliance: the budget dashboard and the Stellungnahme for the funding bank.

Views stay thin: the alliance, the login and who may open a page come from `web.pages`, every
read goes through the selectors, every yes/no about a user through `accounts.permissions`,
`budget.permissions` or `funding.permissions`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buendnis.alliances import selectors as alliance_selectors
from buendnis.alliances.models import Alliance
from buendnis.budget import permissions as budget_permissions
from buendnis.budget import selectors as budget_selectors
from buendnis.budget.models import LedgerEntry
from buendnis.core.paging import page_of
from buendnis.core.pdf import PdfUnavailable
from buendnis.funding import figures as project_money
from buendnis.funding import permissions as funding_permissions
from buendnis.grants import selectors as grant_selectors
from buendnis.web.files import file_response
from buendnis.web.pages import render_alliance_page, signed_in_page

from . import charts
from .statement import render_statement_pdf, statement_data, statement_project

LEDGER_PAGE_SIZE = 25

# Those who may see the alliance's budget; never cached (internal figures).
budget_page = signed_in_page(
    allowed=budget_permissions.can_view_budget,
    refused=gettext_lazy("Kein Zugang zum Budget dieses Bündnisses."),
)


def _movements(entry: LedgerEntry) -> list[tuple[str, Decimal]]:
    """What a booking moved, column by column, leaving out the columns it did not touch."""
    columns = [
        (_("Budget"), entry.budget_delta),
        (_("Reserviert"), entry.reserved_delta),
        (_("Gebunden"), entry.committed_delta),
        (_("Ausgezahlt"), entry.paid_delta),
    ]
    return [(label, amount) for label, amount in columns if amount]


@budget_page
def budget(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    """Budget dashboard of one phase (`?phase=<name>`, default: the current phase)."""
    phases, current = alliance_selectors.phase_overview(alliance)
    wanted = request.GET.get("phase")
    if wanted:
        phase = next((candidate for candidate in phases if candidate.name == wanted), None)
        if phase is None:
            raise Http404(_("Diese Förderphase gibt es in diesem Bündnis nicht."))
    else:
        phase = current
    context: dict[str, Any] = {"phases": phases, "phase": phase}
    if phase is not None:
        overview = project_money.budget_overview(phase)
        page = page_of(
            budget_selectors.ledger_entries(phase), request.GET.get("page"), LEDGER_PAGE_SIZE
        )
        context.update(
            overview=overview,
            budget_bar=charts.budget_bar(overview.figures),
            field_bars=charts.field_bars(overview.fields),
            # Participants reached by the phase's projects: one query.
            reached=grant_selectors.participants_by_phase([phase.pk])[phase.pk],
            ledger_page=page,
            ledger_rows=[(entry, _movements(entry)) for entry in page.object_list],
        )
    return render_alliance_page(request, alliance, "reports/budget.html", "budget", context)


@signed_in_page()
def statement(request: HttpRequest, alliance: Alliance, reference: str) -> HttpResponse:
    """The alliance's written statement (Stellungnahme) on a project for the funding bank, as PDF.

    Anonymous visitors are sent to the login; who may not see the project gets a 404 (the page
    does not confirm that it exists); before the Votum, and after a withdrawal, there is no
    statement: a 404 page says so in German."""
    project = statement_project(alliance, reference)
    if project is None or not funding_permissions.can_view_project(request.user, project):
        raise Http404(_("Vorhaben nicht gefunden."))
    data = statement_data(project)
    if data.unavailable_reason:
        return render_alliance_page(
            request,
            alliance,
            "reports/statement_unavailable.html",
            "pipeline",
            {"project": project, "reason": data.unavailable_reason},
            status=404,
        )
    try:
        pdf = render_statement_pdf(data)
    except PdfUnavailable:
        return render_alliance_page(
            request,
            alliance,
            "reports/pdf_unavailable.html",
            "pipeline",
            {"project": project},
            status=503,
        )
    return file_response(
        pdf, content_type="application/pdf", filename=f"Stellungnahme-{project.reference}.pdf"
    )
