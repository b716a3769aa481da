"""Attendance and guests of a meeting."""

from __future__ import annotations

from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from buendnis.alliances.models import Alliance
from buendnis.meetings import selectors
from buendnis.meetings.models import (
    Guest,
)
from buendnis.meetings.services import attendance as attendance_services
from buendnis.web.pages import signed_in_user

from ..meeting_forms import (
    AttendanceForm,
    ConfirmForm,
    GuestForm,
    ServiceForm,
)
from ._common import FORM, WRITE, attempt, meeting_or_404, meetings_view, render_page

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
    meeting = meeting_or_404(alliance, pk, selectors.meeting_attendance)
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
    return render_page(request, alliance, "attendance.html", context, status=status)


@meetings_view(FORM)
def attendance(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    if request.method != "POST":
        return _render_attendance(request, alliance, pk)
    meeting = meeting_or_404(alliance, pk, selectors.meeting_attendance)
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
def attendance_all(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    """„Alle anwesend“: every seat represented in one step; the exceptions are then changed in
    the form of the attendance page."""
    meeting = meeting_or_404(alliance, pk, selectors.meeting_get)
    meeting.alliance = alliance
    form = ConfirmForm(request.POST)
    changed: list[list[str]] = []
    refused = attempt(
        form,
        lambda: changed.append(
            attendance_services.attendance_all_present(
                actor=signed_in_user(request), meeting=meeting
            )
        ),
    )
    if refused is None:
        messages.success(
            request,
            ngettext(
                "Alle Organisationen mit Sitz sind als anwesend erfasst (%(count)s Eintrag "
                "geändert). Wer fehlt oder wer vertritt, ändern Sie unten einzeln.",
                "Alle Organisationen mit Sitz sind als anwesend erfasst (%(count)s Einträge "
                "geändert). Wer fehlt oder wer vertritt, ändern Sie unten einzeln.",
                len(changed[0]),
            )
            % {"count": len(changed[0])},
        )
        return redirect("meetings:attendance", alliance.slug, meeting.pk)
    return _render_attendance(
        request,
        alliance,
        pk,
        failed=form,
        failed_title=_("Alle anwesend"),
        status=refused,
    )


@meetings_view(WRITE)
def guest_add(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    meeting = meeting_or_404(alliance, pk, selectors.meeting_get)
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
    meeting = meeting_or_404(alliance, pk, selectors.meeting_get)
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
