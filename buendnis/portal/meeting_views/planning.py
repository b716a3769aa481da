"""The meeting list, the year plan and one meeting: create, edit, invite, cancel, close."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time

from django.contrib import messages
from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from buendnis.alliances.models import Alliance
from buendnis.meetings import permissions as meeting_permissions
from buendnis.meetings import public_selectors, selectors
from buendnis.meetings.models import (
    MEETING_TRANSITIONS,
    Meeting,
    MeetingStatus,
    Minutes,
)
from buendnis.meetings.services import invitations, planning
from buendnis.meetings.services import minutes as minutes_services
from buendnis.web.pages import signed_in_user

from ..meeting_forms import (
    CancelForm,
    ConfirmForm,
    MeetingForm,
    PlanYearForm,
    ServiceForm,
)
from ._common import (
    FORM,
    READ,
    WRITE,
    attempt,
    detail_url,
    meeting_or_404,
    meetings_view,
    render_page,
    vote_changes_before,
)

# --- The list and planning -----------------------------------------------------------------------


@meetings_view(READ)
def meeting_list(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    meetings = list(selectors.meeting_overview(alliance))
    today = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    context = {
        "upcoming": [meeting for meeting in meetings if meeting.starts_at >= today],
        "past": [meeting for meeting in reversed(meetings) if meeting.starts_at < today],
        # Subscribe buttons for each body's meetings.
        "bodies": public_selectors.calendar_bodies(alliance),
    }
    return render_page(request, alliance, "list.html", context)


def _plan_year(request: HttpRequest) -> int:
    """The year whose dates the form proposes: `?jahr=`, else this year while its first
    proposed date is ahead, else the next one."""
    wanted = request.GET.get("jahr", "")
    if wanted.isdigit() and 2000 <= int(wanted) <= 2100:
        return int(wanted)
    today = timezone.localdate()
    first = planning.default_quarter_days(today.year)[0]
    return today.year if today < first else today.year + 1


@meetings_view(FORM, manage=True)
def meeting_plan(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    year = _plan_year(request)
    form = PlanYearForm(request.POST if request.method == "POST" else None, year=year)
    status = 200
    if request.method == "POST":
        planned: list[planning.PlannedQuarter] = []

        def plan() -> None:
            planned.extend(
                planning.meetings_plan_year(
                    actor=signed_in_user(request), alliance=alliance, **form.service_kwargs()
                )
            )

        refused = attempt(form, plan)
        if refused is None:
            messages.success(
                request,
                _(
                    "Geplant: %(count)s Sitzungen des Steuerkreises und ebenso viele des "
                    "Sprecherkreises, die sie vorbereiten."
                )
                % {"count": len(planned)},
            )
            return redirect("meetings:list", alliance.slug)
        status = refused
    context = {"form": form, "year": year, "years": [year - 1, year, year + 1]}
    return render_page(request, alliance, "plan.html", context, status=status)


@meetings_view(FORM, manage=True)
def meeting_create(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    form = MeetingForm(request.POST if request.method == "POST" else None, alliance=alliance)
    status = 200
    if request.method == "POST":
        created: list[Meeting] = []

        def create() -> None:
            created.append(
                planning.meeting_create(
                    actor=signed_in_user(request),
                    body=form.cleaned_data["body"],
                    **form.meeting_fields(),
                )
            )

        refused = attempt(form, create)
        if refused is None:
            meeting = created[0]
            messages.success(
                request,
                _("Die %(title)s ist angelegt.") % {"title": meeting.display_title},
            )
            return redirect("meetings:detail", alliance.slug, meeting.pk)
        status = refused
    return render_page(request, alliance, "meeting_form.html", {"form": form}, status=status)


@meetings_view(FORM, manage=True)
def meeting_edit(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    meeting = meeting_or_404(alliance, pk, selectors.meeting_get)
    form = MeetingForm(
        request.POST if request.method == "POST" else None, alliance=alliance, meeting=meeting
    )
    status = 200
    stale = False
    if request.method == "POST":

        def update() -> None:
            data = form.cleaned_data
            planning.meeting_update(
                actor=signed_in_user(request),
                meeting=meeting,
                expected_version=data["version"],
                **form.meeting_fields(),
            )

        refused = attempt(form, update)
        if refused is None:
            messages.success(request, _("Die Angaben zur Sitzung sind gespeichert."))
            return redirect("meetings:detail", alliance.slug, meeting.pk)
        status = refused
        meeting = meeting_or_404(alliance, pk, selectors.meeting_get)
        stale = status == 409 and str(meeting.version) != form.data.get("version")
        if stale:
            # The current state is shown next to the input: a deliberate second submission
            # may now overwrite it.
            data = request.POST.copy()
            data["version"] = str(meeting.version)
            form.data = data
    context = {"form": form, "meeting": meeting, "stale": stale}
    return render_page(request, alliance, "meeting_form.html", context, status=status)


# --- One meeting ---------------------------------------------------------------------------------


def render_detail(
    request: HttpRequest,
    alliance: Alliance,
    pk: int,
    *,
    failed: ServiceForm | None = None,
    failed_title: str = "",
    cancel_form: CancelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    meeting = meeting_or_404(alliance, pk, selectors.meeting_detail)
    meeting.alliance = alliance  # known already: spares a query
    can_manage = meeting_permissions.can_manage_meetings(request.user, alliance)
    agenda_open = selectors.agenda_open(meeting)
    moves = MEETING_TRANSITIONS[meeting.status]
    items = list(meeting.items.all())
    for item in items:
        item.meeting = meeting
        item.vote_changes = vote_changes_before(item)  # type: ignore[attr-defined]
    minutes: Minutes | None = getattr(meeting, "minutes", None)
    context = {
        "meeting": meeting,
        "items": items,
        "minutes": minutes,
        "can_manage": can_manage,
        "agenda_open": agenda_open,
        "sortable": can_manage and agenda_open and len(items) > 1,
        "can_invite": MeetingStatus.INVITED in moves,
        "can_cancel": MeetingStatus.CANCELLED in moves,
        "can_close": MeetingStatus.HELD in moves and meeting.starts_at <= timezone.now(),
        "open_for_decisions": meeting.is_open_for_decisions,
        "waiting_count": (
            selectors.projects_waiting_for(meeting.body).count()
            if can_manage and agenda_open
            else 0
        ),
        "cancel_form": cancel_form or CancelForm(),
        "failed": failed,
        "failed_title": failed_title,
    }
    return render_page(request, alliance, "detail.html", context, status=status)


@meetings_view(READ)
def meeting_detail(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    return render_detail(request, alliance, pk)


def detail_step(
    request: HttpRequest,
    alliance: Alliance,
    pk: int,
    *,
    title: str,
    step: Callable[[Meeting], str],
    form: ServiceForm | None = None,
    anchor: str = "",
) -> HttpResponse:
    """A step from the meeting's page: the service runs; success shows its message on the
    page, a refusal re-renders the page with the reason."""
    meeting = meeting_or_404(alliance, pk, selectors.meeting_get)
    meeting.alliance = alliance
    form = form or ConfirmForm(request.POST)
    done: list[str] = []
    refused = attempt(form, lambda: done.append(step(meeting)))
    if refused is None:
        messages.success(request, done[0])
        return redirect(detail_url(meeting) + anchor)
    return render_detail(
        request,
        alliance,
        pk,
        failed=form,
        failed_title=title,
        cancel_form=form if isinstance(form, CancelForm) else None,
        status=refused,
    )


@meetings_view(WRITE)
def meeting_invite(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    def invite(meeting: Meeting) -> str:
        invitations.meeting_invite(actor=signed_in_user(request), meeting=meeting)
        return _("Die Einladung ist verschickt; die Anwesenheitsliste ist angelegt.")

    return detail_step(request, alliance, pk, title=_("Einladen"), step=invite)


@meetings_view(WRITE)
def meeting_cancel(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    form = CancelForm(request.POST)

    def cancel(meeting: Meeting) -> str:
        planning.meeting_cancel(
            actor=signed_in_user(request), meeting=meeting, reason=form.cleaned_data["reason"]
        )
        return _("Die Sitzung ist abgesagt.")

    return detail_step(request, alliance, pk, title=_("Absagen"), step=cancel, form=form)


@meetings_view(WRITE)
def meeting_close(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    def close(meeting: Meeting) -> str:
        minutes_services.meeting_close(actor=signed_in_user(request), meeting=meeting)
        return _(
            "Die Sitzung ist als durchgeführt abgeschlossen; der Protokollentwurf ist erstellt."
        )

    return detail_step(request, alliance, pk, title=_("Als durchgeführt abschließen"), step=close)
