"""Umlaufbeschlüsse (decisions in writing): /<slug>/intern/umlaufbeschluesse/… (paths in
circulation_urls.py are a contract).

The internal circle and the ministry read every page (`meetings.permissions.can_view_meetings`); the
office opens, evaluates and withdraws circulations (`can_manage_meetings`); a member of the
Steuerkreis answers for the organisation they sit for (`answering_organisation_ids`). Every write is
a POST that calls one service and redirects (POST-redirect-GET). A refused step re-renders the page
with the input as it was sent and the service's German reason: 400 for a broken rule, 409 when the
circulation's state no longer allows the step, 403 when the role may not take it. The pages carry
non-public data and are never cached.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from buendnis.alliances.models import Alliance, Body, BodyKind, Organisation
from buendnis.core.errors import refusal_status
from buendnis.core.forms import add_service_errors
from buendnis.funding import selectors as funding_selectors
from buendnis.funding.selectors import VoteChanges
from buendnis.meetings import permissions as meeting_permissions
from buendnis.meetings import selectors
from buendnis.meetings.models import Answer, Circulation, CirculationAnswer, CirculationStatus
from buendnis.meetings.services import circulations
from buendnis.web.pages import render_alliance_page, signed_in_page, signed_in_user

from .circulation_forms import AnswerForm, CancelForm, CirculationOpenForm

SECTION = "circulations"
FORM = ["GET", "HEAD", "POST"]
TEMPLATES = "meetings/circulations/"


def _deadline_text(circulation: Circulation) -> str:
    return formats.date_format(timezone.localtime(circulation.deadline), "d.m.Y H:i")


def _detail_url(alliance: Alliance, circulation: Circulation | int) -> str:
    pk = circulation if isinstance(circulation, int) else circulation.pk
    return reverse("circulations:detail", args=[alliance.slug, pk])


def _circulation(alliance: Alliance, pk: int) -> Circulation:
    """One circulation of the alliance with body, project and answers (organisation joined), in
    three queries; another alliance's answers 404."""
    circulation = (
        selectors.circulation_list(alliance)
        .select_related("opened_by", "project__applicant_organisation")
        .filter(pk=pk)
        .first()
    )
    if circulation is None:
        raise Http404(_("Umlaufbeschluss nicht gefunden."))
    return circulation


def circulation_action(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponseBase]:
    """A POST on one circulation. After the login the person sees the circulation again (a POST
    cannot be replayed)."""

    @signed_in_page(
        methods=["POST"],
        allowed=meeting_permissions.can_view_meetings,
        after_login=lambda request, slug, kwargs: reverse(
            "circulations:detail", args=[slug, kwargs["pk"]]
        ),
    )
    @wraps(view)
    def wrapper(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
        return view(request, alliance, _circulation(alliance, pk))

    return wrapper


# --- The list --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListRow:
    circulation: Circulation
    voters: int
    answered: int
    deadline_passed: bool
    # The organisations the user answers for that still owe an answer while it can be given.
    waiting_for: list[str]


@signed_in_page(allowed=meeting_permissions.can_view_meetings)
def circulation_list(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    now = timezone.now()
    mine = meeting_permissions.answering_organisation_ids(request.user, alliance)
    open_rows: list[ListRow] = []
    closed_rows: list[ListRow] = []
    # Queries: the circulations (body and project joined) and their answers, whatever their number.
    for circulation in selectors.circulation_list(alliance):
        tally = circulations.circulation_tally(circulation)
        names = {entry["id"]: entry["name"] for entry in circulation.entitled}
        waiting = (
            sorted(names[pk] for pk in (tally.silent & mine))
            if circulation.is_answerable(now)
            else []
        )
        row = ListRow(
            circulation=circulation,
            voters=len(tally.voters),
            answered=len(tally.voters) - len(tally.silent),
            deadline_passed=now >= circulation.deadline,
            waiting_for=waiting,
        )
        (open_rows if circulation.status == CirculationStatus.OPEN else closed_rows).append(row)
    open_rows.sort(key=lambda row: (row.circulation.deadline, row.circulation.pk))
    context = {
        "open_rows": open_rows,
        "closed_rows": closed_rows,
        "can_manage": meeting_permissions.can_manage_meetings(request.user, alliance),
    }
    return render_alliance_page(request, alliance, f"{TEMPLATES}list.html", SECTION, context)


# --- Opening a circulation -------------------------------------------------------------------------


@signed_in_page(methods=FORM, allowed=meeting_permissions.can_view_meetings)
def circulation_create(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    if not meeting_permissions.can_manage_meetings(request.user, alliance):
        raise PermissionDenied(_("Umlaufbeschlüsse eröffnet die Geschäftsstelle."))
    status = 200
    if request.method == "POST":
        form = CirculationOpenForm(request.POST, alliance=alliance)
        if form.is_valid():
            data = form.cleaned_data
            try:
                circulation = circulations.circulation_open(
                    actor=signed_in_user(request),
                    alliance=alliance,
                    title=data["title"],
                    text=data["text"],
                    deadline=data["deadline"],
                    project=data["project"],
                    is_public=data["is_public"],
                )
            except ValidationError as error:
                add_service_errors(form, error, field_map=CirculationOpenForm.FIELD_MAP)
                status = refusal_status(error)
            else:
                messages.success(
                    request,
                    _(
                        "Der Umlaufbeschluss ist eröffnet: %(count)s Organisationen sind gefragt, "
                        "Antworten bis %(deadline)s."
                    )
                    % {
                        "count": len(circulation.entitled) - len(circulation.recused),
                        "deadline": _deadline_text(circulation),
                    },
                )
                return redirect(_detail_url(alliance, circulation))
        else:
            status = 400
    else:
        form = CirculationOpenForm(alliance=alliance)
    body = Body.objects.filter(alliance=alliance, kind=BodyKind.STEERING).first()
    voting = selectors.voting_organisations(body, timezone.localdate()) if body is not None else {}
    context = {"form": form, "body": body, "voting": sorted(voting.values())}
    return render_alliance_page(
        request, alliance, f"{TEMPLATES}create.html", SECTION, context, status=status
    )


# --- One circulation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntitledRow:
    organisation_id: int
    name: str
    recused_reason: str | None
    answer: CirculationAnswer | None


@dataclass(frozen=True)
class Slot:
    """An organisation the user answers for, and whether (and how) it can answer here."""

    organisation_id: int
    name: str
    current: CirculationAnswer | None
    form: AnswerForm | None
    note: str


def _slots(
    request: HttpRequest,
    alliance: Alliance,
    circulation: Circulation,
    answers: dict[int, CirculationAnswer],
    failed: AnswerForm | None,
) -> list[Slot]:
    mine = meeting_permissions.answering_organisation_ids(request.user, alliance)
    if not mine:
        return []
    names = dict(Organisation.objects.filter(pk__in=mine).values_list("pk", "name"))
    entitled = circulation.entitled_ids
    recused = {entry["id"]: entry.get("reason", "") for entry in circulation.recused}
    answerable = circulation.is_answerable()
    slots = []
    for pk in sorted(mine, key=lambda pk: names.get(pk, "")):
        name, current = names.get(pk, str(pk)), answers.get(pk)
        form: AnswerForm | None = None
        note = ""
        if pk not in entitled:
            note = _("%(organisation)s ist in diesem Umlauf nicht stimmberechtigt.") % {
                "organisation": name
            }
        elif pk in recused:
            note = _("%(organisation)s ist befangen (%(reason)s) und gibt keine Antwort ab.") % {
                "organisation": name,
                "reason": recused[pk],
            }
        elif not answerable:
            note = (
                _("Der Umlauf ist abgeschlossen; Antworten sind nicht mehr möglich.")
                if circulation.status != CirculationStatus.OPEN
                else _("Die Antwortfrist ist abgelaufen.")
            )
        elif failed is not None and failed.organisation_id == pk:
            form = failed
        else:
            form = AnswerForm(organisation_id=pk, organisation_name=name, current=current)
        slots.append(Slot(organisation_id=pk, name=name, current=current, form=form, note=note))
    return slots


def _vote_changes(circulation: Circulation) -> list[VoteChanges]:
    """What changed in the circulation's project since a body's vote, for those who answer now
    (outcomes and co-financing: two queries); none once the project has left the stage."""
    project = circulation.project
    if project is None or (circulation.stage_status and project.status != circulation.stage_status):
        return []
    return funding_selectors.vote_changes(project, body_kind=circulation.body.kind)


def _render_detail(
    request: HttpRequest,
    alliance: Alliance,
    circulation: Circulation,
    *,
    failed_answer: AnswerForm | None = None,
    close_errors: list[str] | None = None,
    cancel_form: CancelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    tally = circulations.circulation_tally(circulation)
    answers = {row.organisation_id: row for row in circulation.answers.all()}
    recused = {entry["id"]: entry.get("reason", "") for entry in circulation.recused}
    rows = [
        EntitledRow(
            organisation_id=entry["id"],
            name=entry["name"],
            recused_reason=recused.get(entry["id"]),
            answer=answers.get(entry["id"]),
        )
        for entry in circulation.entitled
    ]
    is_open = circulation.status == CirculationStatus.OPEN
    can_manage = meeting_permissions.can_manage_meetings(request.user, alliance)
    result = circulation.result or {}
    context = {
        "circulation": circulation,
        "tally": tally,
        "voters": len(tally.voters),
        "answered": len(tally.voters) - len(tally.silent),
        "counts": {
            "agree": len(tally.agreeing),
            "object": len(tally.objecting),
            "abstain": len(tally.abstaining),
            "silent": len(tally.silent),
        },
        "rows": rows,
        "recused": circulation.recused,
        "is_open": is_open,
        "deadline_passed": now >= circulation.deadline,
        "answerable": circulation.is_answerable(now),
        "slots": _slots(request, alliance, circulation, answers, failed_answer),
        "failed_answer": failed_answer,
        "can_manage": can_manage,
        "can_close_now": is_open and (now >= circulation.deadline or tally.complete),
        "close_errors": close_errors or [],
        "cancel_form": cancel_form or CancelForm(),
        "result": result,
        "result_lists": [
            (_("Zugestimmt"), result.get("agreeing", [])),
            (_("Einwand erhoben"), result.get("objecting", [])),
            (_("Enthalten"), result.get("abstaining", [])),
            (_("Nicht geantwortet"), result.get("silent", [])),
        ],
        "answer_labels": dict(Answer.choices),
        "vote_changes": _vote_changes(circulation) if is_open else [],
    }
    return render_alliance_page(
        request, alliance, f"{TEMPLATES}detail.html", SECTION, context, status=status
    )


@signed_in_page(allowed=meeting_permissions.can_view_meetings)
def circulation_detail(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    return _render_detail(request, alliance, _circulation(alliance, pk))


@circulation_action
def circulation_answer(
    request: HttpRequest, alliance: Alliance, circulation: Circulation
) -> HttpResponse:
    mine = meeting_permissions.answering_organisation_ids(request.user, alliance)
    if not mine:
        raise PermissionDenied(
            _("Antworten geben die Mitglieder des Steuerkreises, jeweils für ihre Organisation.")
        )
    try:
        organisation_id = int(request.POST.get("organisation", ""))
    except ValueError:
        organisation_id = 0
    if organisation_id not in mine:
        raise PermissionDenied(_("Für diese Organisation können Sie nicht antworten."))
    organisation = Organisation.objects.get(pk=organisation_id)
    current = next(
        (row for row in circulation.answers.all() if row.organisation_id == organisation_id), None
    )
    form = AnswerForm(
        request.POST,
        organisation_id=organisation.pk,
        organisation_name=organisation.name,
        current=current,
    )
    status = 400
    if form.is_valid():
        try:
            saved = circulations.circulation_answer(
                actor=signed_in_user(request),
                circulation=circulation,
                organisation=organisation,
                answer=form.cleaned_data["answer"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            status = refusal_status(error)
        else:
            messages.success(
                request,
                _(
                    "Die Antwort für %(organisation)s ist gespeichert: %(answer)s. Sie können sie "
                    "bis %(deadline)s ändern."
                )
                % {
                    "organisation": organisation.name,
                    "answer": saved.get_answer_display(),
                    "deadline": _deadline_text(circulation),
                },
            )
            return redirect(_detail_url(alliance, circulation))
    # Someone may have acted meanwhile: show the circulation as it is now, the input as sent.
    return _render_detail(
        request, alliance, _circulation(alliance, circulation.pk), failed_answer=form, status=status
    )


def _require_office(request: HttpRequest, alliance: Alliance, message: str) -> None:
    if not meeting_permissions.can_manage_meetings(request.user, alliance):
        raise PermissionDenied(message)


@circulation_action
def circulation_close(
    request: HttpRequest, alliance: Alliance, circulation: Circulation
) -> HttpResponse:
    _require_office(request, alliance, _("Umlaufbeschlüsse wertet die Geschäftsstelle aus."))
    try:
        closed = circulations.circulation_close(
            actor=signed_in_user(request), circulation=circulation
        )
    except ValidationError as error:
        return _render_detail(
            request,
            alliance,
            _circulation(alliance, circulation.pk),
            close_errors=error.messages,
            status=refusal_status(error),
        )
    messages.success(
        request,
        _("Der Umlaufbeschluss ist ausgewertet: %(status)s.")
        % {"status": closed.get_status_display()},
    )
    return redirect(_detail_url(alliance, closed))


@circulation_action
def circulation_cancel(
    request: HttpRequest, alliance: Alliance, circulation: Circulation
) -> HttpResponse:
    _require_office(request, alliance, _("Umlaufbeschlüsse zieht die Geschäftsstelle zurück."))
    form = CancelForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            circulations.circulation_cancel(
                actor=signed_in_user(request),
                circulation=circulation,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            status = refusal_status(error)
        else:
            messages.success(request, _("Der Umlaufbeschluss ist zurückgezogen."))
            return redirect(_detail_url(alliance, circulation))
    return _render_detail(
        request, alliance, _circulation(alliance, circulation.pk), cancel_form=form, status=status
    )
