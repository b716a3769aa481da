"""The office's meeting pages: /<slug>/intern/sitzungen/…

The internal circle and the ministry read every page (`can_view_meetings`); only the office acts
(`can_manage_meetings`). Views stay thin: reads through `selectors`, every write through one call
of a service, then a redirect (POST-redirect-GET). A refused step re-renders its page with the
form as it was sent and the service's German reason: 400 for a broken rule or an invalid form,
409 when the state does not allow the step or the record changed meanwhile, 403 when the role
may not.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from functools import partial, wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from buendnis.alliances.models import Alliance, Organisation
from buendnis.core.errors import refusal_status
from buendnis.core.forms import add_service_errors
from buendnis.core.pdf import PdfUnavailable
from buendnis.meetings import permissions as meeting_permissions
from buendnis.meetings import selectors
from buendnis.meetings.minutes_pdf import render_minutes_pdf
from buendnis.meetings.models import (
    MEETING_TRANSITIONS,
    AgendaItem,
    Guest,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
)
from buendnis.meetings.services import agenda, decisions, invitations, planning
from buendnis.meetings.services import attendance as attendance_services
from buendnis.meetings.services import minutes as minutes_services
from buendnis.web.files import file_response
from buendnis.web.pages import render_alliance_page, signed_in_page, signed_in_user

from .meeting_forms import (
    ApproveForm,
    AttendanceForm,
    CancelForm,
    ConfirmForm,
    DecisionForm,
    DocumentForm,
    GuestForm,
    ItemCreateForm,
    ItemEditForm,
    MeetingForm,
    MinutesForm,
    MoveForm,
    PlanYearForm,
    RecusalForm,
    ReorderForm,
    ServiceForm,
    Voter,
)

SECTION = "meetings"
READ = ["GET", "HEAD"]
WRITE = ["POST"]
FORM = ["GET", "HEAD", "POST"]

MeetingsView = Callable[..., HttpResponseBase]


# --- Access, rendering, refusals -----------------------------------------------------------------


def meetings_view(
    methods: list[str], *, manage: bool = False
) -> Callable[[MeetingsView], MeetingsView]:
    """A page or step of the office's meetings (`web.pages.signed_in_page`): for the internal
    circle (`can_view_meetings`), and only for the office for a POST or a page that only serves
    a step (`manage`). Never cached: non-public items, names, draft minutes."""

    def decorate(view: MeetingsView) -> MeetingsView:
        @signed_in_page(
            methods=methods,
            allowed=meeting_permissions.can_view_meetings,
            refused=gettext_lazy("Kein Zugang zu den Sitzungen dieses Bündnisses."),
            after_login=partial(_after_login, methods=methods),
        )
        @wraps(view)
        def wrapper(request: HttpRequest, alliance: Alliance, **kwargs: Any) -> HttpResponseBase:
            writes = manage or request.method not in ("GET", "HEAD")
            if writes and not meeting_permissions.can_manage_meetings(request.user, alliance):
                raise PermissionDenied(_("Sitzungen und Beschlüsse pflegt die Geschäftsstelle."))
            return view(request, alliance, **kwargs)

        return wrapper

    return decorate


def _after_login(
    request: HttpRequest, slug: str, kwargs: dict[str, Any], *, methods: list[str]
) -> str:
    """Back to the page after the login; after a POST (which cannot be replayed) to the page the
    step came from."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    if "GET" in methods:
        return request.path
    if "pk" in kwargs:
        return reverse("meetings:detail", args=[slug, kwargs["pk"]])
    return reverse("meetings:list", args=[slug])


def _render(
    request: HttpRequest,
    alliance: Alliance,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    context.setdefault(
        "can_manage", meeting_permissions.can_manage_meetings(request.user, alliance)
    )
    return render_alliance_page(
        request, alliance, f"meetings/office/{template}", SECTION, context, status=status
    )


def attempt(form: ServiceForm, step: Callable[[], object]) -> int | None:
    """Run the step if the form is valid. None when it ran; else the status of the refusal, with
    the German reasons on the form."""
    if not form.is_valid():
        return 400
    try:
        step()
    except ValidationError as error:
        add_service_errors(form, error, field_map=form.service_fields)
        return refusal_status(error)
    return None


def _meeting(alliance: Alliance, pk: int, read: Callable[[Alliance, int], Meeting]) -> Meeting:
    try:
        return read(alliance, pk)
    except Meeting.DoesNotExist as exc:
        raise Http404(_("Sitzung nicht gefunden.")) from exc


def _item(meeting: Meeting, pk: int) -> AgendaItem:
    try:
        return selectors.agenda_item_get(meeting, pk)
    except AgendaItem.DoesNotExist as exc:
        raise Http404(_("Tagesordnungspunkt nicht gefunden.")) from exc


def _detail_url(meeting: Meeting, item: AgendaItem | None = None) -> str:
    url = reverse("meetings:detail", args=[meeting.alliance.slug, meeting.pk])
    return f"{url}#top-{item.pk}" if item is not None else url


# --- The list and planning -----------------------------------------------------------------------


@meetings_view(READ)
def meeting_list(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    meetings = list(selectors.meeting_overview(alliance))
    today = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    context = {
        "upcoming": [meeting for meeting in meetings if meeting.starts_at >= today],
        "past": [meeting for meeting in reversed(meetings) if meeting.starts_at < today],
    }
    return _render(request, alliance, "list.html", context)


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
    return _render(request, alliance, "plan.html", context, status=status)


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
    return _render(request, alliance, "meeting_form.html", {"form": form}, status=status)


@meetings_view(FORM, manage=True)
def meeting_edit(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    meeting = _meeting(alliance, pk, selectors.meeting_get)
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
        meeting = _meeting(alliance, pk, selectors.meeting_get)
        stale = status == 409 and str(meeting.version) != form.data.get("version")
        if stale:
            # The current state is shown next to the input: a deliberate second submission
            # may now overwrite it.
            data = request.POST.copy()
            data["version"] = str(meeting.version)
            form.data = data
    context = {"form": form, "meeting": meeting, "stale": stale}
    return _render(request, alliance, "meeting_form.html", context, status=status)


# --- One meeting ---------------------------------------------------------------------------------


def _render_detail(
    request: HttpRequest,
    alliance: Alliance,
    pk: int,
    *,
    failed: ServiceForm | None = None,
    failed_title: str = "",
    cancel_form: CancelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    meeting = _meeting(alliance, pk, selectors.meeting_detail)
    meeting.alliance = alliance  # known already: spares a query
    can_manage = meeting_permissions.can_manage_meetings(request.user, alliance)
    agenda_open = selectors.agenda_open(meeting)
    moves = MEETING_TRANSITIONS[meeting.status]
    items = list(meeting.items.all())
    for item in items:
        item.meeting = meeting
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
    return _render(request, alliance, "detail.html", context, status=status)


@meetings_view(READ)
def meeting_detail(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    return _render_detail(request, alliance, pk)


def _detail_step(
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
    meeting = _meeting(alliance, pk, selectors.meeting_get)
    meeting.alliance = alliance
    form = form or ConfirmForm(request.POST)
    done: list[str] = []
    refused = attempt(form, lambda: done.append(step(meeting)))
    if refused is None:
        messages.success(request, done[0])
        return redirect(_detail_url(meeting) + anchor)
    return _render_detail(
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

    return _detail_step(request, alliance, pk, title=_("Einladen"), step=invite)


@meetings_view(WRITE)
def meeting_cancel(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    form = CancelForm(request.POST)

    def cancel(meeting: Meeting) -> str:
        planning.meeting_cancel(
            actor=signed_in_user(request), meeting=meeting, reason=form.cleaned_data["reason"]
        )
        return _("Die Sitzung ist abgesagt.")

    return _detail_step(request, alliance, pk, title=_("Absagen"), step=cancel, form=form)


@meetings_view(WRITE)
def meeting_close(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    def close(meeting: Meeting) -> str:
        minutes_services.meeting_close(actor=signed_in_user(request), meeting=meeting)
        return _(
            "Die Sitzung ist als durchgeführt abgeschlossen; der Protokollentwurf ist erstellt."
        )

    return _detail_step(request, alliance, pk, title=_("Als durchgeführt abschließen"), step=close)


# --- The agenda ----------------------------------------------------------------------------------


@meetings_view(WRITE)
def agenda_propose(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    def propose(meeting: Meeting) -> str:
        created = agenda.agenda_propose(actor=signed_in_user(request), meeting=meeting)
        if not created:
            return _("Kein Vorhaben wartet auf dieses Gremium.")
        return ngettext(
            "%(count)s Vorhaben steht jetzt auf der Tagesordnung.",
            "%(count)s Vorhaben stehen jetzt auf der Tagesordnung.",
            len(created),
        ) % {"count": len(created)}

    return _detail_step(
        request,
        alliance,
        pk,
        title=_("Tagesordnung aus wartenden Vorhaben vorschlagen"),
        step=propose,
        anchor="#tagesordnung",
    )


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@meetings_view(WRITE)
def agenda_reorder(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponseBase:
    """The full new order from the drag and drop script. The script reloads the page afterwards,
    which shows the message; it asks for JSON, a plain form post gets the page."""
    meeting = _meeting(alliance, pk, selectors.meeting_get)
    meeting.alliance = alliance
    form = ReorderForm(request.POST)
    refused = attempt(
        form,
        lambda: agenda.agenda_reorder(
            actor=signed_in_user(request), meeting=meeting, item_ids=form.cleaned_data["order"]
        ),
    )
    if refused is None:
        message = _("Die neue Reihenfolge der Tagesordnung ist gespeichert.")
        messages.success(request, message)
        if _wants_json(request):
            return JsonResponse({"message": message})
        return redirect(_detail_url(meeting) + "#tagesordnung")
    reasons = [str(message) for message in form.non_field_errors()] + [
        str(message) for message in form.errors.get("order", [])
    ]
    if _wants_json(request):
        for reason in reasons:
            messages.error(request, reason)
        return JsonResponse({"errors": reasons}, status=refused)
    return _render_detail(
        request,
        alliance,
        pk,
        failed=form,
        failed_title=_("Reihenfolge ändern"),
        status=refused,
    )


@meetings_view(WRITE)
def item_move(request: HttpRequest, alliance: Alliance, pk: int, item: int) -> HttpResponse:
    meeting = _meeting(alliance, pk, selectors.meeting_get)
    meeting.alliance = alliance
    agenda_item = _item(meeting, item)
    form = MoveForm(request.POST)
    refused = attempt(
        form,
        lambda: agenda.agenda_move(
            actor=signed_in_user(request), item=agenda_item, offset=form.cleaned_data["offset"]
        ),
    )
    if refused is None:
        agenda_item.refresh_from_db(fields=["position"])
        messages.success(
            request,
            _("„%(title)s“ ist jetzt TOP %(number)s.")
            % {"title": agenda_item.title, "number": agenda_item.number},
        )
        return redirect(_detail_url(meeting, agenda_item))
    return _render_detail(
        request, alliance, pk, failed=form, failed_title=_("Verschieben"), status=refused
    )


def _item_page(
    request: HttpRequest,
    alliance: Alliance,
    meeting: Meeting,
    template: str,
    context: dict[str, Any],
    status: int,
) -> HttpResponse:
    return _render(request, alliance, template, {"meeting": meeting, **context}, status=status)


@meetings_view(FORM, manage=True)
def item_create(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    meeting = _meeting(alliance, pk, selectors.meeting_get)
    meeting.alliance = alliance
    form = ItemCreateForm(request.POST if request.method == "POST" else None, meeting=meeting)
    status = 200
    if request.method == "POST":
        created: list[AgendaItem] = []

        def create() -> None:
            created.append(
                agenda.agenda_item_create(
                    actor=signed_in_user(request),
                    meeting=meeting,
                    project=form.cleaned_data["project"],
                    **form.item_fields(),
                )
            )

        refused = attempt(form, create)
        if refused is None:
            messages.success(
                request,
                _("TOP %(number)s „%(title)s“ steht auf der Tagesordnung.")
                % {"number": created[0].number, "title": created[0].title},
            )
            return redirect(_detail_url(meeting, created[0]))
        status = refused
    return _item_page(request, alliance, meeting, "item_form.html", {"form": form}, status)


@meetings_view(FORM, manage=True)
def item_edit(request: HttpRequest, alliance: Alliance, pk: int, item: int) -> HttpResponse:
    meeting = _meeting(alliance, pk, selectors.meeting_get)
    meeting.alliance = alliance
    agenda_item = _item(meeting, item)
    form = ItemEditForm(request.POST if request.method == "POST" else None, item=agenda_item)
    status = 200
    if request.method == "POST":
        refused = attempt(
            form,
            lambda: agenda.agenda_item_update(
                actor=signed_in_user(request), item=agenda_item, **form.item_fields()
            ),
        )
        if refused is None:
            messages.success(request, _("Der Tagesordnungspunkt ist gespeichert."))
            return redirect(_detail_url(meeting, agenda_item))
        status = refused
    context = {"form": form, "item": agenda_item}
    return _item_page(request, alliance, meeting, "item_form.html", context, status)


@meetings_view(FORM, manage=True)
def item_delete(request: HttpRequest, alliance: Alliance, pk: int, item: int) -> HttpResponse:
    meeting = _meeting(alliance, pk, selectors.meeting_get)
    meeting.alliance = alliance
    agenda_item = _item(meeting, item)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        refused = attempt(
            form, lambda: agenda.agenda_item_delete(actor=signed_in_user(request), item=agenda_item)
        )
        if refused is None:
            messages.success(
                request,
                _("„%(title)s“ ist von der Tagesordnung genommen.") % {"title": agenda_item.title},
            )
            return redirect(_detail_url(meeting) + "#tagesordnung")
        status = refused
    context = {"form": form, "item": agenda_item}
    return _item_page(request, alliance, meeting, "item_delete.html", context, status)


@meetings_view(FORM, manage=True)
def item_document(request: HttpRequest, alliance: Alliance, pk: int, item: int) -> HttpResponse:
    meeting = _meeting(alliance, pk, selectors.meeting_get)
    meeting.alliance = alliance
    agenda_item = _item(meeting, item)
    posted = request.method == "POST"
    form = DocumentForm(request.POST if posted else None, request.FILES if posted else None)
    status = 200
    if request.method == "POST":
        refused = attempt(
            form,
            lambda: agenda.agenda_document_add(
                actor=signed_in_user(request),
                item=agenda_item,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["upload"],
            ),
        )
        if refused is None:
            messages.success(
                request,
                _("Die Unterlage „%(title)s“ ist hochgeladen.")
                % {"title": form.cleaned_data["title"]},
            )
            return redirect(_detail_url(meeting, agenda_item))
        status = refused
    context = {"form": form, "item": agenda_item}
    return _item_page(request, alliance, meeting, "document_form.html", context, status)


@meetings_view(FORM, manage=True)
def item_recusal(request: HttpRequest, alliance: Alliance, pk: int, item: int) -> HttpResponse:
    meeting = _meeting(alliance, pk, selectors.meeting_get)
    meeting.alliance = alliance
    agenda_item = _item(meeting, item)
    seats = selectors.seats_on(meeting.body, selectors.meeting_day(meeting))
    organisations = Organisation.objects.filter(pk__in=seats.values("organisation_id")).order_by(
        "name"
    )
    form = RecusalForm(
        request.POST if request.method == "POST" else None, organisations=organisations
    )
    status = 200
    if request.method == "POST":
        refused = attempt(
            form,
            lambda: agenda.recusal_declare(
                actor=signed_in_user(request),
                item=agenda_item,
                organisation=form.cleaned_data["organisation"],
                reason=form.cleaned_data["reason"],
            ),
        )
        if refused is None:
            messages.success(
                request,
                _("Die Befangenheit von %(organisation)s ist erfasst.")
                % {"organisation": form.cleaned_data["organisation"].name},
            )
            return redirect(_detail_url(meeting, agenda_item))
        status = refused
    context = {
        "form": form,
        "item": agenda_item,
        "recused": _recused(agenda_item, decisions.decision_recused(agenda_item)),
    }
    return _item_page(request, alliance, meeting, "recusal_form.html", context, status)


def _recused(item: AgendaItem, reasons: dict[int, str]) -> list[tuple[str, str]]:
    """The recused organisations' names with their reasons (`decisions.decision_recused`), from
    the item's recusals and project as loaded."""
    names = {recusal.organisation_id: recusal.organisation.name for recusal in item.recusals.all()}
    if item.project is not None:
        names[item.project.applicant_organisation_id] = item.project.applicant_organisation.name
    return sorted((names.get(pk, str(pk)), reason) for pk, reason in reasons.items())


# --- Attendance ----------------------------------------------------------------------------------


def _render_attendance(
    request: HttpRequest,
    alliance: Alliance,
    pk: int,
    *,
    form: AttendanceForm | None = None,
    guest_form: GuestForm | None = None,
    failed: ServiceForm | None = None,
    failed_title: str = "",
    status: int = 200,
) -> HttpResponse:
    meeting = _meeting(alliance, pk, selectors.meeting_attendance)
    meeting.alliance = alliance
    sheet = selectors.attendance_sheet(meeting)
    if form is None:
        form = AttendanceForm(lines=sheet.lines)
    context = {
        "meeting": meeting,
        "sheet": sheet,
        "form": form,
        "guest_form": guest_form or GuestForm(),
        "guests": list(meeting.guests.all()),
        "open_for_decisions": meeting.is_open_for_decisions,
        "failed": failed,
        "failed_title": failed_title,
    }
    return _render(request, alliance, "attendance.html", context, status=status)


@meetings_view(FORM)
def attendance(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    if request.method != "POST":
        return _render_attendance(request, alliance, pk)
    meeting = _meeting(alliance, pk, selectors.meeting_attendance)
    meeting.alliance = alliance
    form = AttendanceForm(request.POST, lines=selectors.attendance_sheet(meeting).lines)
    refused = attempt(
        form,
        lambda: attendance_services.attendance_record(
            actor=signed_in_user(request), meeting=meeting, entries=form.entries()
        ),
    )
    if refused is None:
        messages.success(request, _("Die Anwesenheit ist gespeichert."))
        return redirect("meetings:attendance", alliance.slug, meeting.pk)
    return _render_attendance(
        request,
        alliance,
        pk,
        form=form,
        failed=form,
        failed_title=_("Anwesenheit speichern"),
        status=refused,
    )


@meetings_view(WRITE)
def guest_add(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    meeting = _meeting(alliance, pk, selectors.meeting_get)
    meeting.alliance = alliance
    form = GuestForm(request.POST)
    refused = attempt(
        form,
        lambda: attendance_services.guest_add(
            actor=signed_in_user(request),
            meeting=meeting,
            name=form.cleaned_data["name"],
            affiliation=form.cleaned_data["affiliation"],
        ),
    )
    if refused is None:
        messages.success(
            request, _("%(name)s ist als Gast erfasst.") % {"name": form.cleaned_data["name"]}
        )
        return redirect(reverse("meetings:attendance", args=[alliance.slug, pk]) + "#gaeste")
    return _render_attendance(
        request,
        alliance,
        pk,
        guest_form=form,
        failed=form,
        failed_title=_("Gast hinzufügen"),
        status=refused,
    )


@meetings_view(WRITE)
def guest_remove(request: HttpRequest, alliance: Alliance, pk: int, guest: int) -> HttpResponse:
    meeting = _meeting(alliance, pk, selectors.meeting_get)
    meeting.alliance = alliance
    try:
        visitor = meeting.guests.get(pk=guest)
    except Guest.DoesNotExist as exc:
        raise Http404(_("Gast nicht gefunden.")) from exc
    visitor.meeting = meeting
    form = ConfirmForm(request.POST)
    refused = attempt(
        form, lambda: attendance_services.guest_remove(actor=signed_in_user(request), guest=visitor)
    )
    if refused is None:
        messages.success(request, _("%(name)s ist entfernt.") % {"name": visitor.name})
        return redirect(reverse("meetings:attendance", args=[alliance.slug, pk]) + "#gaeste")
    return _render_attendance(
        request,
        alliance,
        pk,
        failed=form,
        failed_title=_("Gast entfernen"),
        status=refused,
    )


# --- Decisions -----------------------------------------------------------------------------------


@meetings_view(FORM)
def decision(request: HttpRequest, alliance: Alliance, pk: int, item: int) -> HttpResponse:
    meeting = _meeting(alliance, pk, selectors.meeting_detail)
    meeting.alliance = alliance
    agenda_item = next((entry for entry in meeting.items.all() if entry.pk == item), None)
    if agenda_item is None:
        raise Http404(_("Tagesordnungspunkt nicht gefunden."))
    agenda_item.meeting = meeting
    sheet = selectors.attendance_sheet(meeting)
    recused = decisions.decision_recused(agenda_item)
    voters = [
        Voter(organisation_id=line.organisation_id, name=line.organisation)
        for line in sheet.present_voting
        if line.organisation_id not in recused
    ]
    recorded = getattr(agenda_item, "decision", None)
    form = DecisionForm(
        request.POST if request.method == "POST" else None, item=agenda_item, voters=voters
    )
    status = 200
    if request.method == "POST":
        outcome: list[Any] = []

        def record() -> None:
            outcome.append(
                decisions.decision_record(
                    actor=signed_in_user(request), item=agenda_item, **form.service_kwargs()
                )
            )

        refused = attempt(form, record)
        if refused is None:
            messages.success(
                request,
                _("Beschluss zu TOP %(number)s erfasst: %(outcome)s.")
                % {"number": agenda_item.number, "outcome": outcome[0].get_outcome_display()},
            )
            return redirect(_detail_url(meeting, agenda_item))
        status = refused
    context = {
        "meeting": meeting,
        "item": agenda_item,
        "decision": recorded,
        "sheet": sheet,
        "form": form,
        # Only a voting seat can be recused: an applicant without one has nothing to abstain from.
        "recused": _recused(
            agenda_item,
            {
                pk: reason
                for pk, reason in recused.items()
                if pk in {line.organisation_id for line in sheet.lines if line.can_vote}
            },
        ),
        "open_for_decisions": meeting.is_open_for_decisions,
        "started": meeting.starts_at <= timezone.now(),
    }
    return _render(request, alliance, "decision.html", context, status=status)


# --- Minutes -------------------------------------------------------------------------------------


def _render_minutes(
    request: HttpRequest,
    alliance: Alliance,
    pk: int,
    *,
    form: MinutesForm | None = None,
    approve_form: ApproveForm | None = None,
    failed: ServiceForm | None = None,
    failed_title: str = "",
    stale: bool = False,
    status: int = 200,
) -> HttpResponse:
    meeting = _meeting(alliance, pk, selectors.meeting_get)
    meeting.alliance = alliance
    minutes = Minutes.objects.filter(meeting=meeting).select_related("approved_in__body").first()
    draft = minutes is not None and minutes.status == MinutesStatus.DRAFT
    context = {
        "meeting": meeting,
        "minutes": minutes,
        "draft": draft,
        "form": form or (MinutesForm(minutes=minutes) if minutes is not None else None),
        "approve_form": approve_form or (ApproveForm(meeting=meeting) if draft else None),
        "can_generate": meeting.status != MeetingStatus.CANCELLED and (minutes is None or draft),
        "failed": failed,
        "failed_title": failed_title,
        "stale": stale,
    }
    return _render(request, alliance, "minutes.html", context, status=status)


def _minutes_or_404(meeting: Meeting) -> Minutes:
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None:
        raise Http404(_("Zu dieser Sitzung gibt es noch kein Protokoll."))
    minutes.meeting = meeting
    return minutes


@meetings_view(FORM)
def minutes_page(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    if request.method != "POST":
        return _render_minutes(request, alliance, pk)
    meeting = _meeting(alliance, pk, selectors.meeting_get)
    meeting.alliance = alliance
    current = _minutes_or_404(meeting)
    form = MinutesForm(request.POST, minutes=current)
    refused = attempt(
        form,
        lambda: minutes_services.minutes_update(
            actor=signed_in_user(request),
            minutes=current,
            public_text=form.cleaned_data["public_text"],
            nonpublic_text=form.cleaned_data["nonpublic_text"],
            expected_version=form.cleaned_data["version"],
        ),
    )
    if refused is None:
        messages.success(request, _("Der Protokollentwurf ist gespeichert."))
        return redirect("meetings:minutes", alliance.slug, pk)
    stale = refused == 409 and str(current.version) != form.data.get("version")
    if stale:
        # The current text is shown beside the input, so a second submission is deliberate.
        data = request.POST.copy()
        data["version"] = str(current.version)
        form.data = data
    return _render_minutes(
        request,
        alliance,
        pk,
        form=form,
        failed=form,
        failed_title=_("Protokoll speichern"),
        stale=stale,
        status=refused,
    )


@meetings_view(WRITE)
def minutes_generate(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    meeting = _meeting(alliance, pk, selectors.meeting_get)
    meeting.alliance = alliance
    form = ConfirmForm(request.POST)
    refused = attempt(
        form,
        lambda: minutes_services.minutes_generate(actor=signed_in_user(request), meeting=meeting),
    )
    if refused is None:
        messages.success(
            request, _("Der Protokollentwurf ist aus Anwesenheit und Beschlüssen neu erzeugt.")
        )
        return redirect("meetings:minutes", alliance.slug, pk)
    return _render_minutes(
        request, alliance, pk, failed=form, failed_title=_("Neu erzeugen"), status=refused
    )


@meetings_view(WRITE)
def minutes_approve(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    meeting = _meeting(alliance, pk, selectors.meeting_get)
    meeting.alliance = alliance
    current = _minutes_or_404(meeting)
    form = ApproveForm(request.POST, meeting=meeting)
    refused = attempt(
        form,
        lambda: minutes_services.minutes_approve(
            actor=signed_in_user(request),
            minutes=current,
            approved_in=form.cleaned_data["approved_in"],
        ),
    )
    if refused is None:
        messages.success(
            request, _("Das Protokoll ist genehmigt; der öffentliche Teil ist veröffentlicht.")
        )
        return redirect("meetings:minutes", alliance.slug, pk)
    return _render_minutes(
        request,
        alliance,
        pk,
        approve_form=form,
        failed=form,
        failed_title=_("Protokoll genehmigen"),
        status=refused,
    )


@meetings_view(READ)
def minutes_pdf(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    """The minutes with both parts as PDF (WeasyPrint, local stylesheet only)."""
    meeting = _meeting(alliance, pk, selectors.meeting_get)
    meeting.alliance = alliance
    record = Minutes.objects.filter(meeting=meeting).select_related("approved_in__body").first()
    if record is None:
        raise Http404(_("Zu dieser Sitzung gibt es noch kein Protokoll."))
    try:
        pdf = render_minutes_pdf(meeting, record)
    except PdfUnavailable:
        return _render(request, alliance, "pdf_unavailable.html", {"meeting": meeting}, status=503)
    stamp = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d")
    return file_response(
        pdf,
        content_type="application/pdf",
        filename=f"Protokoll-{meeting.body.kind}-{stamp}.pdf",
    )
