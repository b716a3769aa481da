"""After the grant, the office's side: /<slug>/intern/vorhaben/<reference>/berichte/,
mittelabrufe/, kofinanzierung/ and abschliessen/.

Thin views over `grants.services`. The internal circle and the ministry read every page; only the
office (and platform admins) get the forms. Every form posts, redirects and shows a message; a
refused form comes back with its input and the service's German reason.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from buendnis.accounts import permissions
from buendnis.alliances.models import Alliance
from buendnis.core.forms import add_service_errors
from buendnis.core.templatetags.buendnis_format import day, money
from buendnis.funding import selectors as funding_selectors
from buendnis.funding.models import Project
from buendnis.funding.states import Status
from buendnis.grants import selectors, services
from buendnis.grants.models import (
    PaymentStatus,
    ReportKind,
    ReportStatus,
)
from buendnis.web.pages import render_alliance_page, signed_in_page, signed_in_user

from .grant_forms import (
    CoFinancingReceivedForm,
    ConcludeForm,
    PaymentDecisionForm,
    RescheduleForm,
    ReviewForm,
    ScheduleForm,
)
from .grant_views import report_rows

SECTION = "pipeline"
FORM_METHODS = ["GET", "HEAD", "POST"]

# (request, alliance, project, can_act) -> response
SupervisionView = Callable[..., HttpResponseBase]


def supervision_page(view: SupervisionView) -> Callable[..., HttpResponseBase]:
    """An office page of one project: the internal circle reads it, the office acts (`can_act`);
    a POST from anyone else is refused."""

    @signed_in_page(methods=FORM_METHODS, allowed=permissions.can_view_internal)
    @wraps(view)
    def wrapper(request: HttpRequest, alliance: Alliance, reference: str) -> HttpResponseBase:
        project = funding_selectors.portal_project(alliance=alliance, reference=reference)
        if project is None:
            raise Http404(_("Vorhaben nicht gefunden."))
        can_act = permissions.can_manage(request.user, alliance)
        if request.method == "POST" and not can_act:
            raise PermissionDenied(_("Diese Schritte geht die Geschäftsstelle."))
        return view(request, alliance, project, can_act)

    return wrapper


def _page(
    request: HttpRequest, alliance: Alliance, template: str, context: dict[str, Any]
) -> HttpResponse:
    return render_alliance_page(
        request, alliance, f"portal/grants/office/{template}", SECTION, context
    )


def _back(name: str, project: Project) -> HttpResponse:
    return redirect(
        reverse(f"grants_office:{name}", args=[project.alliance.slug, project.reference])
    )


def _post(request: HttpRequest, form_name: str) -> Any:
    """The POST data when the page's form `form_name` was sent (pages hold several forms)."""
    if request.method == "POST" and request.POST.get("form") == form_name:
        return request.POST
    return None


# --- Reports ------------------------------------------------------------------------------------


@supervision_page
def reports(
    request: HttpRequest, alliance: Alliance, project: Project, can_act: bool
) -> HttpResponse:
    today = timezone.localdate()
    rows = report_rows(project, today)
    followed = project.status in services.FOLLOWED_STATES
    open_reports = [row.report for row in rows if row.report.status in selectors.OPEN_REPORT_STATES]
    submitted = [row.report for row in rows if row.report.status == ReportStatus.SUBMITTED]
    schedule = reschedule = review = None
    if can_act and followed:
        actor = signed_in_user(request)
        schedule = ScheduleForm(_post(request, "schedule"), prefix="plan")
        reschedule = RescheduleForm(
            _post(request, "reschedule"), reports=open_reports, prefix="frist"
        )
        review = ReviewForm(_post(request, "review"), reports=submitted, prefix="pruefung")
        if schedule.is_bound and schedule.is_valid():
            try:
                report = services.report_schedule(
                    actor=actor,
                    project=project,
                    kind=schedule.cleaned_data["kind"],
                    due_on=schedule.cleaned_data["due_on"],
                )
            except ValidationError as error:
                add_service_errors(schedule, error)
            else:
                messages.success(
                    request,
                    _("„%(kind)s“ ist fällig am %(day)s.")
                    % {"kind": report.get_kind_display(), "day": day(report.due_on)},
                )
                return _back("reports", project)
        if reschedule.is_bound and reschedule.is_valid():
            try:
                report = services.report_reschedule(
                    actor=actor,
                    report=reschedule.cleaned_data["report"],
                    due_on=reschedule.cleaned_data["due_on"],
                    reason=reschedule.cleaned_data["reason"],
                )
            except ValidationError as error:
                add_service_errors(reschedule, error)
            else:
                messages.success(
                    request,
                    _("Die neue Frist für „%(kind)s“ ist der %(day)s.")
                    % {"kind": report.get_kind_display(), "day": day(report.due_on)},
                )
                return _back("reports", project)
        if review.is_bound and review.is_valid():
            try:
                result = services.report_review(
                    actor=actor,
                    report=review.cleaned_data["report"],
                    outcome=review.cleaned_data["outcome"],
                    reason=review.cleaned_data["reason"],
                )
            except ValidationError as error:
                add_service_errors(review, error)
            else:
                messages.success(
                    request,
                    _("Die Prüfung ist vermerkt: %(outcome)s.")
                    % {"outcome": result.get_outcome_display()},
                )
                return _back("reports", project)
    context = {
        "project": project,
        "rows": rows,
        "can_act": can_act,
        "schedule": schedule,
        "reschedule": reschedule if open_reports else None,
        "review": review if submitted else None,
    }
    return _page(request, alliance, "reports.html", context)


# --- Payment requests ---------------------------------------------------------------------------


@supervision_page
def payments(
    request: HttpRequest, alliance: Alliance, project: Project, can_act: bool
) -> HttpResponse:
    requests = list(selectors.payment_requests_of(project).prefetch_related("receipts"))
    open_requests = [
        item for item in requests if item.status in (PaymentStatus.SUBMITTED, PaymentStatus.CHECKED)
    ]
    form = None
    if can_act and open_requests:
        form = PaymentDecisionForm(_post(request, "decision"), requests=open_requests)
        if form.is_bound and form.is_valid():
            actor = signed_in_user(request)
            item = form.cleaned_data["request"]
            decision = form.cleaned_data["decision"]
            try:
                if decision == PaymentDecisionForm.CHECK:
                    item = services.payment_request_check(actor=actor, request=item)
                elif decision == PaymentDecisionForm.RELEASE:
                    item = services.payment_request_release(actor=actor, request=item)
                else:
                    item = services.payment_request_refuse(
                        actor=actor, request=item, reason=form.cleaned_data["reason"]
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Mittelabruf %(number)s: %(status)s.")
                    % {"number": item.number, "status": item.get_status_display()},
                )
                return _back("payments", project)
    context = {
        "project": project,
        "requests": requests,
        "standing": selectors.drawn(project),
        "form": form,
        "can_act": can_act,
    }
    return _page(request, alliance, "payments.html", context)


# --- Co-financing received ----------------------------------------------------------------------


@supervision_page
def cofinancing(
    request: HttpRequest, alliance: Alliance, project: Project, can_act: bool
) -> HttpResponse:
    shares = list(
        project.cofinancing.select_related("organisation")
        .annotate(received=Sum("payments__amount"))
        .order_by("pk")
    )
    form = None
    if can_act and shares and project.status in services.FOLLOWED_STATES:
        form = CoFinancingReceivedForm(_post(request, "received"), shares=shares)
        if form.is_bound and form.is_valid():
            try:
                payment = services.cofinancing_received(
                    actor=signed_in_user(request),
                    share=form.cleaned_data["share"],
                    received_on=form.cleaned_data["received_on"],
                    amount=form.cleaned_data["amount"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Eingang von %(amount)s am %(day)s ist erfasst.")
                    % {"amount": money(payment.amount), "day": day(payment.received_on)},
                )
                return _back("cofinancing", project)
    rows = [(share, share.received or Decimal("0")) for share in shares]
    context = {"project": project, "rows": rows, "form": form, "can_act": can_act}
    return _page(request, alliance, "cofinancing.html", context)


# --- Closing ------------------------------------------------------------------------------------


@supervision_page
def conclude(
    request: HttpRequest, alliance: Alliance, project: Project, can_act: bool
) -> HttpResponse:
    reports = list(selectors.reports_of(project).filter(kind=ReportKind.FINAL_PROOF))
    proof = next((report for report in reports if report.status == ReportStatus.ACCEPTED), None)
    proof_version = proof.versions.order_by("-number").first() if proof else None
    open_requests = list(
        selectors.payment_requests_of(project).filter(
            status__in=(PaymentStatus.SUBMITTED, PaymentStatus.CHECKED)
        )
    )
    standing = selectors.drawn(project)
    missing = []
    if project.status != Status.RUNNING:
        missing.append(
            _("Abgeschlossen wird ein laufendes Vorhaben (Stand: „%(status)s“).")
            % {"status": project.get_status_display()}
        )
    if proof is None:
        missing.append(_("Der Verwendungsnachweis ist noch nicht angenommen."))
    elif proof_version is not None and proof_version.costs_to_date is None:
        missing.append(
            _("Der angenommene Verwendungsnachweis nennt keine förderfähigen Gesamtausgaben.")
        )
    missing.extend(
        _("Mittelabruf %(number)s ist noch offen (%(status)s).")
        % {"number": item.number, "status": item.get_status_display()}
        for item in open_requests
    )
    form = None
    if can_act and project.status == Status.RUNNING:
        form = ConcludeForm(_post(request, "conclude"))
        if form.is_bound and form.is_valid():
            try:
                services.project_conclude(
                    actor=signed_in_user(request),
                    project=project,
                    closed_on=form.cleaned_data["closed_on"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Das Vorhaben ist abgeschlossen."))
                return redirect(reverse("office:project", args=[alliance.slug, project.reference]))
    context = {
        "project": project,
        "missing": missing,
        "proof_version": proof_version,
        "standing": standing,
        "reached": selectors.participants_reached(project),
        "returned": standing.granted - standing.released,
        "form": form,
        "can_act": can_act,
    }
    return _page(request, alliance, "conclude.html", context)
