"""The agenda of a meeting: proposals from waiting projects, items, order, documents, recusals."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from buendnis.alliances.models import Alliance, Organisation
from buendnis.meetings import selectors
from buendnis.meetings.models import (
    AgendaItem,
    Meeting,
)
from buendnis.meetings.services import agenda, decisions
from buendnis.web.pages import signed_in_user

from ..meeting_forms import (
    ConfirmForm,
    DocumentForm,
    ItemCreateForm,
    ItemEditForm,
    MoveForm,
    RecusalForm,
    ReorderForm,
)
from ._common import (
    FORM,
    WRITE,
    attempt,
    detail_url,
    item_or_404,
    meeting_or_404,
    meetings_view,
    render_page,
)
from .planning import detail_step, render_detail

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

    return detail_step(
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
    meeting = meeting_or_404(alliance, pk, selectors.meeting_get)
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
        return redirect(detail_url(meeting) + "#tagesordnung")
    reasons = [str(message) for message in form.non_field_errors()] + [
        str(message) for message in form.errors.get("order", [])
    ]
    if _wants_json(request):
        for reason in reasons:
            messages.error(request, reason)
        return JsonResponse({"errors": reasons}, status=refused)
    return render_detail(
        request,
        alliance,
        pk,
        failed=form,
        failed_title=_("Reihenfolge ändern"),
        status=refused,
    )


@meetings_view(WRITE)
def item_move(request: HttpRequest, alliance: Alliance, pk: int, item: int) -> HttpResponse:
    meeting = meeting_or_404(alliance, pk, selectors.meeting_get)
    meeting.alliance = alliance
    agenda_item = item_or_404(meeting, item)
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
        return redirect(detail_url(meeting, agenda_item))
    return render_detail(
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
    return render_page(request, alliance, template, {"meeting": meeting, **context}, status=status)


@meetings_view(FORM, manage=True)
def item_create(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    meeting = meeting_or_404(alliance, pk, selectors.meeting_get)
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
            return redirect(detail_url(meeting, created[0]))
        status = refused
    return _item_page(request, alliance, meeting, "item_form.html", {"form": form}, status)


@meetings_view(FORM, manage=True)
def item_edit(request: HttpRequest, alliance: Alliance, pk: int, item: int) -> HttpResponse:
    meeting = meeting_or_404(alliance, pk, selectors.meeting_get)
    meeting.alliance = alliance
    agenda_item = item_or_404(meeting, item)
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
            return redirect(detail_url(meeting, agenda_item))
        status = refused
    context = {"form": form, "item": agenda_item}
    return _item_page(request, alliance, meeting, "item_form.html", context, status)


@meetings_view(FORM, manage=True)
def item_delete(request: HttpRequest, alliance: Alliance, pk: int, item: int) -> HttpResponse:
    meeting = meeting_or_404(alliance, pk, selectors.meeting_get)
    meeting.alliance = alliance
    agenda_item = item_or_404(meeting, item)
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
            return redirect(detail_url(meeting) + "#tagesordnung")
        status = refused
    context = {"form": form, "item": agenda_item}
    return _item_page(request, alliance, meeting, "item_delete.html", context, status)


@meetings_view(FORM, manage=True)
def item_document(request: HttpRequest, alliance: Alliance, pk: int, item: int) -> HttpResponse:
    meeting = meeting_or_404(alliance, pk, selectors.meeting_get)
    meeting.alliance = alliance
    agenda_item = item_or_404(meeting, item)
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
            return redirect(detail_url(meeting, agenda_item))
        status = refused
    context = {"form": form, "item": agenda_item}
    return _item_page(request, alliance, meeting, "document_form.html", context, status)


@meetings_view(FORM, manage=True)
def item_recusal(request: HttpRequest, alliance: Alliance, pk: int, item: int) -> HttpResponse:
    meeting = meeting_or_404(alliance, pk, selectors.meeting_get)
    meeting.alliance = alliance
    agenda_item = item_or_404(meeting, item)
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
            return redirect(detail_url(meeting, agenda_item))
        status = refused
    context = {
        "form": form,
        "item": agenda_item,
        "recused": recused_voters(agenda_item, decisions.decision_recused(agenda_item)),
    }
    return _item_page(request, alliance, meeting, "recusal_form.html", context, status)


def recused_voters(item: AgendaItem, reasons: dict[int, str]) -> list[tuple[str, str]]:
    """The recused organisations' names with their reasons (`decisions.decision_recused`), from
    the item's recusals and project as loaded."""
    names = {recusal.organisation_id: recusal.organisation.name for recusal in item.recusals.all()}
    if item.project is not None:
        names[item.project.applicant_organisation_id] = item.project.applicant_organisation.name
    return sorted((names.get(pk, str(pk)), reason) for pk, reason in reasons.items())
