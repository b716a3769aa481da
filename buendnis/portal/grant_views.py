"""After the grant, the applicant's side: /<slug>/vorhaben/<reference>/berichte/, mittelabrufe/
and teilnehmende/.

Thin views over `grants.services`: the project's applicant and the office fill the forms; the
internal circle and the ministry read the same pages without forms; everyone else gets a German
403, an unknown reference (or one of another alliance) a 404. Every form posts, redirects and
shows a message; a refused form comes back with its input and the service's German reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buendnis.alliances.models import Alliance
from buendnis.core.forms import add_service_errors
from buendnis.core.templatetags.buendnis_format import day, money
from buendnis.funding import permissions as funding_permissions
from buendnis.funding import selectors as funding_selectors
from buendnis.funding.models import Project
from buendnis.funding.services import proposed_grant
from buendnis.funding.states import Status
from buendnis.grants import selectors, services
from buendnis.grants.models import (
    CHARACTERISTICS,
    ParticipantFigures,
    PaymentRequest,
    ReportVersion,
    ScheduledReport,
)
from buendnis.grants.receipts import read_receipts
from buendnis.web.pages import render_alliance_page, signed_in_page, signed_in_user

from .grant_forms import (
    ParticipantsForm,
    PaymentRequestForm,
    ReceiptFormSet,
    ReportSubmitForm,
)

SECTION = "my_projects"
FORM_METHODS = ["GET", "HEAD", "POST"]
# The pages exist from the grant on; forms only while the project is followed (services).
FOLLOWUP_STATES = frozenset({Status.GRANTED, Status.RUNNING, Status.CLOSED})
VIEW_REFUSED = gettext_lazy(
    "Berichte, Mittelabrufe und Teilnehmendenzahlen eines Vorhabens sehen sein Projektträger, "
    "die Geschäftsstelle und die Gremien des Bündnisses."
)

# (request, alliance, project, can_act) -> response
FollowupView = Callable[..., HttpResponseBase]


def _page(
    request: HttpRequest, alliance: Alliance, template: str, context: dict[str, Any]
) -> HttpResponse:
    return render_alliance_page(request, alliance, f"portal/grants/{template}", SECTION, context)


def followup_page(view: FollowupView) -> Callable[..., HttpResponseBase]:
    """A page of one project after the grant: who may see the project reads it (`can_act` says
    whether the forms are offered: its applicant and the office, while it is followed)."""

    @signed_in_page(methods=FORM_METHODS)
    @wraps(view)
    def wrapper(request: HttpRequest, alliance: Alliance, reference: str) -> HttpResponseBase:
        project = funding_selectors.portal_project(alliance=alliance, reference=reference)
        if project is None:
            raise Http404(_("Vorhaben nicht gefunden."))
        rights = funding_permissions.project_rights(request.user, project)
        if not rights.view:
            return render_alliance_page(
                request,
                alliance,
                "portal/applicant/forbidden.html",
                SECTION,
                {"message": str(VIEW_REFUSED), "project": None},
                status=403,
            )
        can_act = rights.act and project.status in services.FOLLOWED_STATES
        if request.method == "POST" and not can_act:
            return render_alliance_page(
                request,
                alliance,
                "portal/applicant/forbidden.html",
                SECTION,
                {
                    "message": _(
                        "Einreichen können der Projektträger und die Geschäftsstelle, solange das "
                        "Vorhaben bewilligt ist oder läuft."
                    ),
                    "project": project,
                },
                status=403,
            )
        return view(request, alliance, project, can_act)

    return wrapper


def _back(name: str, project: Project) -> HttpResponse:
    return redirect(reverse(f"grants:{name}", args=[project.alliance.slug, project.reference]))


# --- Reports ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    report: ScheduledReport
    versions: list[ReportVersion]
    overdue_days: int  # 0: not overdue


def report_rows(project: Project, today: date) -> list[ReportRow]:
    """The schedule with every version and its review (two queries: reports; versions with
    their review and submitter)."""
    reports = selectors.reports_of(project).prefetch_related(
        Prefetch(
            "versions",
            queryset=ReportVersion.objects.select_related("review", "submitted_by").order_by(
                "number"
            ),
        )
    )
    rows = []
    for report in reports:
        open_ = report.status in selectors.OPEN_REPORT_STATES
        overdue = (today - report.due_on).days if open_ and report.due_on < today else 0
        rows.append(ReportRow(report, list(report.versions.all()), overdue))
    return rows


@followup_page
def reports(
    request: HttpRequest, alliance: Alliance, project: Project, can_act: bool
) -> HttpResponse:
    today = timezone.localdate()
    rows = report_rows(project, today)
    open_reports = [row.report for row in rows if row.report.status in selectors.OPEN_REPORT_STATES]
    form = None
    if can_act and open_reports:
        form = ReportSubmitForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
            reports=open_reports,
        )
        if request.method == "POST" and form.is_valid():
            report = form.cleaned_data["report"]
            report.project = project
            try:
                version = services.report_submit(
                    actor=signed_in_user(request),
                    report=report,
                    document=form.cleaned_data["document"],
                    costs_to_date=form.cleaned_data["costs_to_date"],
                    summary=form.cleaned_data["summary"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("„%(report)s“ ist eingereicht (Fassung %(number)s).")
                    % {"report": report.get_kind_display(), "number": version.number},
                )
                return _back("reports", project)
    elif request.method == "POST":
        messages.error(request, _("Es ist kein Bericht offen."))
        return _back("reports", project)
    context = {"project": project, "rows": rows, "form": form, "can_act": can_act, "today": today}
    return _page(request, alliance, "reports.html", context)


# --- Payment requests ---------------------------------------------------------------------------


@followup_page
def payments(
    request: HttpRequest, alliance: Alliance, project: Project, can_act: bool
) -> HttpResponse:
    form = formset = None
    if can_act:
        posted = request.method == "POST"
        form = PaymentRequestForm(
            request.POST if posted else None, request.FILES if posted else None
        )
        formset = ReceiptFormSet(request.POST if posted else None, prefix="belege")
        if posted and form.is_valid() and formset.is_valid():
            lines = formset.lines()
            upload = form.cleaned_data["receipts_file"]
            if upload is not None and lines:
                form.add_error(
                    "receipts_file",
                    _(
                        "Bitte die Belege entweder als Datei oder in den Zeilen angeben, nicht beides."
                    ),
                )
            elif upload is not None:
                try:
                    lines = read_receipts(upload)
                except ValidationError as error:
                    form.add_error("receipts_file", error)
            if not form.errors:
                created = _submit_payment(request, project, form, lines)
                if created is not None:
                    messages.success(
                        request,
                        _(
                            "Mittelabruf %(number)s über %(amount)s ist eingereicht; die "
                            "Geschäftsstelle prüft ihn."
                        )
                        % {"number": created.number, "amount": money(created.amount)},
                    )
                    return _back("payments", project)
    requests = list(selectors.payment_requests_of(project).prefetch_related("receipts"))
    context = {
        "project": project,
        "requests": requests,
        "standing": selectors.drawn(project),
        "rate": project.phase.funding_rate,
        "form": form,
        "formset": formset,
        "can_act": can_act,
    }
    return _page(request, alliance, "payments.html", context)


def _submit_payment(
    request: HttpRequest, project: Project, form: PaymentRequestForm, lines: list[Any]
) -> PaymentRequest | None:
    data = form.cleaned_data
    amount = data["amount"]
    if amount is None:
        amount = proposed_grant(project.phase, data["eligible_costs"])
    try:
        return services.payment_request_submit(
            actor=signed_in_user(request),
            project=project,
            period_from=data["period_from"],
            period_to=data["period_to"],
            eligible_costs=data["eligible_costs"],
            amount=amount,
            receipts=lines,
        )
    except ValidationError as error:
        add_service_errors(
            form,
            error,
            field_map={"receipts": "receipts_file"},
            labels={"receipts": _("Belege")},
        )
        return None


# --- Participant figures ------------------------------------------------------------------------


@followup_page
def participants(
    request: HttpRequest, alliance: Alliance, project: Project, can_act: bool
) -> HttpResponse:
    form = None
    if can_act and project.planned_participants:
        form = ParticipantsForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                figures = services.participants_record(
                    actor=signed_in_user(request),
                    project=project,
                    period_from=data["period_from"],
                    period_to=data["period_to"],
                    entries=data["entries"],
                    exits=data["exits"],
                    breakdown=form.breakdown(),
                )
            except ValidationError as error:
                # The breakdown's messages name their characteristic already: above the form.
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Die Zahlen für %(start)s–%(end)s sind gemeldet.")
                    % {"start": day(figures.period_from), "end": day(figures.period_to)},
                )
                return _back("participants", project)
    elif request.method == "POST":
        messages.error(
            request,
            _("Das Vorhaben plant keine Teilnehmenden; es meldet keine Teilnehmendenzahlen."),
        )
        return _back("participants", project)
    periods: list[ParticipantFigures] = list(selectors.participant_periods(project))
    context = {
        "project": project,
        "periods": periods,
        "reached": selectors.participants_reached(project),
        "characteristics": [
            (key, label, categories) for key, (label, categories) in CHARACTERISTICS.items()
        ],
        "form": form,
        "can_act": can_act,
    }
    return _page(request, alliance, "participants.html", context)
