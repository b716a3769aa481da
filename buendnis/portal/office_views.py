"""The office workspace: the pipeline board, one project's workspace, and the procedure's steps.

The alliance's internal circle (and the ministry) read every page; only the office acts. Every
step is a POST to `<reference>/aktion/<action>/` that calls the step's service and redirects
(POST-redirect-GET); a refused step re-renders the project page with the form as it was sent and
the German reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from buendnis.accounts import permissions
from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance, FundingPhase
from buendnis.alliances.selectors import phase_pick_current
from buendnis.budget.selectors import project_balance
from buendnis.core.errors import StaleEdit
from buendnis.core.forms import add_service_errors
from buendnis.core.paging import page_of
from buendnis.core.templatetags.buendnis_format import day, money
from buendnis.funding import permissions as funding_permissions
from buendnis.funding import selectors, services
from buendnis.funding.models import BodyOutcome, Consultation, Project
from buendnis.funding.selectors import Deadline
from buendnis.funding.services import project_rule_errors, proposed_grant
from buendnis.funding.states import (
    APPLICANT_EDITABLE,
    BODY_STAGES,
    FINAL_STATES,
    Status,
    actions_possible,
)
from buendnis.funding.wording import STATEMENT_STATES, WAITING_FOR
from buendnis.grants import selectors as grant_selectors
from buendnis.grants.models import ScheduledReport
from buendnis.meetings import links as meeting_links
from buendnis.meetings import public_selectors as meeting_reads
from buendnis.meetings import selectors as meeting_selectors
from buendnis.office import permissions as office_permissions
from buendnis.office import selectors as office_selectors
from buendnis.web.pages import (
    internal_page,
    render_alliance_page,
    signed_in_page,
    signed_in_user,
)

from .office_filters import WAITING_BY_KEY, PipelineFilter
from .office_forms import (
    ACTION_FORMS,
    ActionForm,
    ConsultationCorrectionForm,
    OutcomeCorrectionForm,
)

# The Steuerkreis meets quarterly: a project that waits longer than that in one state is marked.
LONG_WAIT_DAYS = 90
# Running projects take years by design; waiting is not the word for them.
NOT_WAITING = FINAL_STATES | {Status.RUNNING}
# The board shows this many of each state and of each party's turn, the rest in the paged list.
BOARD_CARDS = 4
LIST_PAGE_SIZE = 50
# The next deadlines: the soonest of the projects' dates, the rest counted.
DEADLINES_SHOWN = 10


def _project_or_404(alliance: Alliance, reference: str) -> Project:
    project = selectors.workspace_project(alliance=alliance, reference=reference)
    if project is None:
        raise Http404(_("Vorhaben nicht gefunden."))
    return project


# --- The pipeline board ---------------------------------------------------------------------------


@dataclass
class Column:
    """A state on the board: its count and its longest waiting few."""

    status: str
    label: StrOrPromise
    count: int = 0
    projects: list[Project] = field(default_factory=list)
    more_url: str = ""


@dataclass
class Waiting:
    key: str
    label: StrOrPromise
    task: StrOrPromise
    count: int
    projects: list[Project]
    more_url: str = ""


@dataclass(frozen=True)
class MeetingDate:
    day: date
    label: str
    url: str = ""


def meeting_dates(alliance: Alliance, today: date) -> list[MeetingDate]:
    """The submission deadlines and the next meetings of both bodies, by day (two queries:
    Steuerkreis meetings with an open deadline; meetings from today on)."""
    dates = []
    for meeting in meeting_selectors.upcoming_deadlines(alliance, on=today):
        if meeting.submission_deadline is None:  # excluded by the selector; for the types
            continue
        meeting.alliance = alliance
        dates.append(
            MeetingDate(
                meeting.submission_deadline,
                _("Einreichungsfrist für die Sitzung des Steuerkreises am %(day)s")
                % {"day": formats.date_format(meeting_selectors.meeting_day(meeting), "d.m.Y")},
                meeting_links.internal_meeting_path(meeting),
            )
        )
    start = timezone.make_aware(datetime.combine(today, time.min))
    for meeting in meeting_reads.upcoming_meetings(alliance, after=start):
        meeting.alliance = alliance
        label = _("%(meeting)s, %(time)s Uhr (%(status)s)") % {
            "meeting": meeting.title or meeting.body.name,
            "time": formats.time_format(timezone.localtime(meeting.starts_at), "H:i"),
            "status": meeting.get_status_display(),
        }
        dates.append(
            MeetingDate(
                meeting_selectors.meeting_day(meeting),
                label,
                meeting_links.internal_meeting_path(meeting),
            )
        )
    return sorted(dates, key=lambda entry: entry.day)


def _board_filter(
    request: HttpRequest, alliance: Alliance, today: date
) -> tuple[PipelineFilter, FundingPhase | None]:
    """The filters of the board and its lists, and the running phase. Without a choice they show
    the running phase; "Alle Förderphasen" sends phase=""."""
    phases = selectors.pipeline_phases(alliance)
    current = phase_pick_current(phases, today)
    data = request.GET.copy()
    data.pop("page", None)
    if "phase" not in data and current is not None:
        data["phase"] = str(current.pk)
    board_filter = PipelineFilter(
        data, selectors.pipeline_projects(alliance), alliance=alliance, phases=phases
    )
    return board_filter, current


def _list_url(alliance: Alliance, board_filter: PipelineFilter, **narrow: str) -> str:
    """The paged list of a column or group, with the board's filters (and its phase) kept."""
    query = board_filter.data.copy()
    for name, value in narrow.items():
        query[name] = value
    return f"{reverse('office:list', args=[alliance.slug])}?{query.urlencode()}"


def _mark(projects: list[Any], alliance: Alliance, today: date) -> None:
    """What a row shows besides the fields: its address, days in the state, closed, waiting too
    long (set on the loaded projects, hence `Any`)."""
    # A project's workspace is the board's address and the reference (office_urls): one reverse
    # per page, not two per row.
    board = reverse("office:pipeline", args=[alliance.slug])
    for project in projects:
        project.office_url = f"{board}{quote(project.reference)}/"
        # Formatted here once: as filters, they cost a good part of the board's rendering.
        since = timezone.localtime(project.status_changed_at)
        project.since_iso = since.isoformat()
        project.since_day = day(since)
        project.grant_text = money(project.requested_grant)
        project.days_in_status = selectors.days_in_status(project, today=today)
        project.is_final = project.status in FINAL_STATES
        project.waits_long = (
            project.status not in NOT_WAITING and project.days_in_status >= LONG_WAIT_DAYS
        )
    # Money or aim changed since a body's vote: the row says so (two queries for all rows).
    changed = selectors.vote_changes_of(projects)
    for project in projects:
        project.vote_changes = changed.get(project.pk, [])


@internal_page
def pipeline(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    """The board: per state and per party whose move it is, the count and the BOARD_CARDS longest
    waiting, with a link to the paged list of the rest. The queries do not grow with the data:
    counts by state, the bounded cards, the bounded deadlines."""
    today = timezone.localdate()
    board_filter, current = _board_filter(request, alliance, today)
    counts = selectors.pipeline_counts(board_filter.qs)
    cards = selectors.pipeline_cards(board_filter.qs, per_state=BOARD_CARDS)
    _mark(cards, alliance, today)
    columns = []
    for status, label in Status.choices:
        column = Column(status=status, label=label, count=counts.get(status, 0))
        column.projects = [project for project in cards if project.status == status]
        if column.count > len(column.projects):
            column.more_url = _list_url(alliance, board_filter, status=status)
        columns.append(column)
    waiting = []
    for group in WAITING_FOR:
        entry = Waiting(
            key=group.key,
            label=group.label,
            task=group.task,
            count=sum(counts.get(status, 0) for status in group.statuses),
            # The cards come oldest first: the group's oldest are its first ones.
            projects=[project for project in cards if project.status in group.statuses][
                :BOARD_CARDS
            ],
        )
        if entry.count > len(entry.projects):
            entry.more_url = _list_url(alliance, board_filter, waiting=group.key)
        waiting.append(entry)
    dated, dated_total = selectors.deadline_projects(
        board_filter.qs, today=today, limit=DEADLINES_SHOWN
    )
    reports, reports_total = grant_selectors.report_deadlines(
        board_filter.qs,
        until=today + timedelta(days=selectors.DEADLINE_HORIZON_DAYS),
        limit=DEADLINES_SHOWN,
    )
    context = {
        "board_filter": board_filter,
        "total": sum(counts.values()),
        "columns": columns,
        "waiting": waiting,
        "can_act": funding_permissions.can_act_in_office_workspace(request.user, alliance),
        "long_wait_days": LONG_WAIT_DAYS,
        "board_cards": BOARD_CARDS,
        "deadlines": sorted(
            selectors.upcoming_deadlines(dated, current, today=today)
            + [_report_deadline(alliance, report, today) for report in reports],
            key=lambda deadline: deadline.day,
        ),
        "more_deadlines": dated_total - len(dated) + reports_total - len(reports),
        "running_url": _list_url(alliance, board_filter, status=Status.RUNNING),
        "meeting_dates": meeting_dates(alliance, today),
    }
    return render_alliance_page(
        request, alliance, "portal/office/pipeline.html", "pipeline", context
    )


def _report_deadline(alliance: Alliance, report: ScheduledReport, today: date) -> Deadline:
    """A report the applicant owes, as a date of the board: due soon, or overdue."""
    return Deadline(
        report.due_on,
        _("%(kind)s fällig") % {"kind": report.get_kind_display()},
        report.project,
        report.due_on < today,
        url=reverse("grants_office:reports", args=[alliance.slug, report.project.reference]),
    )


@internal_page
def project_list(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    """All projects of a column or group of the board (or any filter), LIST_PAGE_SIZE a page,
    longest waiting first."""
    today = timezone.localdate()
    board_filter, _current = _board_filter(request, alliance, today)
    page = page_of(board_filter.qs, request.GET.get("page"), LIST_PAGE_SIZE)
    projects = list(page.object_list)
    _mark(projects, alliance, today)
    data = board_filter.form.cleaned_data if board_filter.form.is_valid() else {}
    status = data.get("status")
    group = WAITING_BY_KEY.get(data.get("waiting") or "")
    context = {
        "board_filter": board_filter,
        "page": page,
        "projects": projects,
        "status_label": Status(status).label if status else "",
        "group": group,
        "query": board_filter.data.urlencode(),
        "board_url": f"{reverse('office:pipeline', args=[alliance.slug])}?"
        + board_filter.data.urlencode(),
        "can_act": funding_permissions.can_act_in_office_workspace(request.user, alliance),
        "long_wait_days": LONG_WAIT_DAYS,
    }
    return render_alliance_page(
        request, alliance, "portal/office/project_list.html", "pipeline", context
    )


# --- One project ----------------------------------------------------------------------------------


@internal_page
def project_detail(request: HttpRequest, alliance: Alliance, reference: str) -> HttpResponse:
    return _render_project(request, alliance, _project_or_404(alliance, reference))


def _render_project(
    request: HttpRequest,
    alliance: Alliance,
    project: Project,
    *,
    failed: ActionForm | None = None,
) -> HttpResponse:
    """The workspace page; `failed` is a refused step's bound form, shown in its place."""
    action_forms: list[ActionForm] = []
    can_act = funding_permissions.can_act_in_office_workspace(request.user, alliance)
    if can_act:
        possible = set(actions_possible(project.status))
        for action, form_class in ACTION_FORMS.items():
            if action not in possible or not funding_permissions.can_perform(
                request.user, project, action
            ):
                continue
            if failed is not None and failed.action == action:
                action_forms.append(failed)
            else:
                action_forms.append(form_class(project=project))
    checks = project_rule_errors(project) if project.status in APPLICANT_EDITABLE else {}
    # „korrigiert am … (vorher: …)“ beside each corrected consultation and outcome.
    corrections = selectors.record_corrections(project)
    for consultation in project.consultations.all():
        consultation.corrections = corrections.get(("consultation", consultation.pk), [])  # type: ignore[attr-defined]
    for outcome in project.outcomes.all():
        outcome.corrections = corrections.get(("bodyoutcome", outcome.pk), [])  # type: ignore[attr-defined]
    consultation_request = office_selectors.open_consultation(project)
    context = {
        "project": project,
        "days_in_status": selectors.days_in_status(project),
        "is_public": funding_permissions.can_view_project_publicly(project),
        "balance": project_balance(project.pk),
        "max_grant": proposed_grant(project.phase, project.eligible_costs),
        "cofinancing_total": project.cofinancing_total,
        "open_checks": [message for messages in checks.values() for message in messages],
        "can_act": can_act,
        "action_forms": action_forms,
        "failed": failed,
        "statement_available": project.status in STATEMENT_STATES,
        # Against the latest vote and, before a body, against that body's own last vote (the
        # outcomes and co-financing are prefetched: no query).
        "vote_changes": selectors.vote_changes(project, body_kind=BODY_STAGES.get(project.status)),
        "timeline": selectors.project_timeline(project, public_words=False),
        # The applicant's open request for a consultation, an inquiry in the office's inbox.
        "consultation_request": consultation_request,
        "sees_inquiries": consultation_request is not None
        and office_permissions.can_view_inquiries(request.user, alliance),
        "can_correct": can_act,
    }
    return render_alliance_page(request, alliance, "portal/office/detail.html", "pipeline", context)


def _stale_message() -> str:
    return _(
        "Das Vorhaben wurde bereits geändert, seit diese Seite geladen wurde – vielleicht wurde "
        "das Formular doppelt abgeschickt. Der Schritt wurde nicht ausgeführt. Bitte prüfen Sie "
        "den aktuellen Stand."
    )


def _return_url(request: HttpRequest, alliance: Alliance, project: Project) -> str:
    """Back to the board when the step came from there (its filters kept), else the project."""
    board = reverse("office:pipeline", args=[alliance.slug])
    target = request.POST.get("return_to", "")
    if target.startswith(board) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("office:project", args=[alliance.slug, project.reference])


@signed_in_page(
    methods=["POST"],
    allowed=permissions.can_view_internal,
    # After the login the person sees the project again; a POST cannot be replayed.
    after_login=lambda request, slug, kwargs: reverse(
        "office:project", args=[slug, kwargs["reference"]]
    ),
)
def project_action(
    request: HttpRequest, alliance: Alliance, reference: str, action: str
) -> HttpResponse:
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404(_("Diesen Schritt gibt es nicht."))
    project = _project_or_404(alliance, reference)
    user = signed_in_user(request)
    if not (
        funding_permissions.can_act_in_office_workspace(user, alliance)
        and funding_permissions.can_perform(user, project, action)
    ):
        raise PermissionDenied(_("Schritte im Verfahren erfasst die Geschäftsstelle."))

    form = form_class(request.POST, request.FILES, project=project)
    stale = False
    if form.is_valid():
        try:
            # The service compares the version the page showed with the locked project: a
            # second submission waits for the first and then finds it changed.
            services.project_act(
                actor=user,
                project=project,
                action=action,
                expected_version=form.cleaned_data["version"],
                **form.params(),
            )
        except StaleEdit:
            stale = True
            form.add_error(None, _stale_message())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, form.success_message())
            return redirect(_return_url(request, alliance, project))

    # Someone may have acted meanwhile: show the project as it is now.
    current = _project_or_404(alliance, reference)
    if stale:
        # The person has seen the current state now; a deliberate second submission may pass.
        data = request.POST.copy()
        data["version"] = str(current.version)
        if "consultations" in form.fields:
            data["consultations"] = str(len(current.consultations.all()))
        form.data = data
    return _render_project(request, alliance, current, failed=form)


# --- Corrections of a consultation or a body outcome ----------------------------------------------

# The office corrects what was recorded; everyone else of the alliance reads the workspace.
correction_page = signed_in_page(
    methods=["GET", "HEAD", "POST"],
    allowed=funding_permissions.can_act_in_office_workspace,
    refused=gettext_lazy("Erfasste Angaben korrigiert die Geschäftsstelle des Bündnisses."),
)


def _correction(
    request: HttpRequest,
    alliance: Alliance,
    project: Project,
    *,
    record: Consultation | BodyOutcome,
    form: forms.Form,
    correct: Callable[[User, dict[str, Any]], object],
    title: StrOrPromise,
    anchor: str,
) -> HttpResponse:
    """The correction page of one record: its form, and what earlier corrections changed. A
    valid form calls `correct(actor, cleaned_data)` (the service) and returns to the project."""
    user = signed_in_user(request)
    if request.method == "POST" and form.is_valid():
        try:
            correct(user, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Die Korrektur ist gespeichert; die bisherigen Angaben stehen im Protokoll."),
            )
            url = reverse("office:project", args=[alliance.slug, project.reference])
            return redirect(f"{url}#{anchor}")
    name = record._meta.model_name or ""
    context = {
        "project": project,
        "record": record,
        "kind": name,
        "form": form,
        "title": title,
        "anchor": anchor,
        "corrections": selectors.record_corrections(project).get((name, record.pk), []),
    }
    return render_alliance_page(
        request, alliance, "portal/office/correct.html", "pipeline", context
    )


@correction_page
def consultation_correct(
    request: HttpRequest, alliance: Alliance, reference: str, pk: int
) -> HttpResponse:
    project = _project_or_404(alliance, reference)
    consultation = next((row for row in project.consultations.all() if row.pk == pk), None)
    if consultation is None:
        raise Http404(_("Diese Beratung gibt es bei diesem Vorhaben nicht."))
    form = ConsultationCorrectionForm(
        request.POST if request.method == "POST" else None,
        initial={
            "held_on": consultation.held_on,
            "participants": consultation.participants,
            "notes": consultation.notes,
        },
        auto_id="korrektur-%s",
    )

    def correct(actor: User, data: dict[str, Any]) -> object:
        return services.consultation_correct(
            actor=actor,
            consultation=consultation,
            held_on=data["held_on"],
            participants=data["participants"],
            notes=data["notes"],
            reason=data["reason"],
        )

    return _correction(
        request,
        alliance,
        project,
        record=consultation,
        form=form,
        correct=correct,
        title=_("Beratung korrigieren"),
        anchor="beratungen",
    )


@correction_page
def outcome_correct(
    request: HttpRequest, alliance: Alliance, reference: str, pk: int
) -> HttpResponse:
    project = _project_or_404(alliance, reference)
    outcome = next((row for row in project.outcomes.all() if row.pk == pk), None)
    if outcome is None:
        raise Http404(_("Dieses Ergebnis gibt es bei diesem Vorhaben nicht."))
    form = OutcomeCorrectionForm(
        request.POST if request.method == "POST" else None,
        initial={"decided_on": outcome.decided_on, "reference": outcome.reference},
        auto_id="korrektur-%s",
    )

    def correct(actor: User, data: dict[str, Any]) -> object:
        return services.outcome_correct(
            actor=actor,
            outcome=outcome,
            decided_on=data["decided_on"],
            reference=data["reference"],
            reason=data["reason"],
        )

    return _correction(
        request,
        alliance,
        project,
        record=outcome,
        form=form,
        correct=correct,
        title=_("Ergebnis des Gremiums korrigieren"),
        anchor="ergebnisse",
    )
