"""The minutes: draft, edit, approve, PDF."""

from __future__ import annotations

from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from buendnis.alliances.models import Alliance
from buendnis.core.pdf import PdfUnavailable
from buendnis.meetings import selectors
from buendnis.meetings.minutes_pdf import render_minutes_pdf
from buendnis.meetings.models import (
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
)
from buendnis.meetings.services import minutes as minutes_services
from buendnis.web.files import file_response
from buendnis.web.pages import signed_in_user

from ..meeting_forms import (
    ApproveForm,
    ConfirmForm,
    MinutesForm,
    ServiceForm,
)
from ._common import FORM, READ, WRITE, attempt, meeting_or_404, meetings_view, render_page

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
    meeting = meeting_or_404(alliance, pk, selectors.meeting_get)
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
    return render_page(request, alliance, "minutes.html", context, status=status)


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
    meeting = meeting_or_404(alliance, pk, selectors.meeting_get)
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
    meeting = meeting_or_404(alliance, pk, selectors.meeting_get)
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
    meeting = meeting_or_404(alliance, pk, selectors.meeting_get)
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
    meeting = meeting_or_404(alliance, pk, selectors.meeting_get)
    meeting.alliance = alliance
    record = Minutes.objects.filter(meeting=meeting).select_related("approved_in__body").first()
    if record is None:
        raise Http404(_("Zu dieser Sitzung gibt es noch kein Protokoll."))
    try:
        pdf = render_minutes_pdf(meeting, record)
    except PdfUnavailable:
        return render_page(
            request, alliance, "pdf_unavailable.html", {"meeting": meeting}, status=503
        )
    stamp = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d")
    return file_response(
        pdf,
        content_type="application/pdf",
        filename=f"Protokoll-{meeting.body.kind}-{stamp}.pdf",
    )
