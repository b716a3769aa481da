"""The alliance's own cycle: /<slug>/intern/phasen/… (the office prepares the next phase, the
partners sign, the office applies, the ministry decides) and /<slug>/intern/vereinbarung/ (a
partner's own answer).

Views stay thin: reads through `renewal.selectors`, writes through `renewal.services`, whose German
errors land on the form that caused them (POST-redirect-GET; a refused form shows the page again
with the input kept).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buendnis.accounts import permissions as account_permissions
from buendnis.alliances import selectors as alliance_selectors
from buendnis.alliances.models import ActionField, Alliance, FundingPhase, RecognitionStatus
from buendnis.core.errors import refusal_status
from buendnis.core.forms import add_service_errors
from buendnis.renewal import permissions, selectors, services
from buendnis.renewal.models import SignatureRequest
from buendnis.web.files import file_response
from buendnis.web.pages import render_alliance_page, signed_in_page, signed_in_user

from .renewal_forms import (
    ActionFieldForm,
    AdoptForm,
    AskForm,
    DecisionForm,
    DeclineForm,
    PendingForm,
    PhaseForm,
    SignForm,
    StrategyForm,
    SubmitForm,
    TopicForm,
)

SECTION = "phases"
FORM_METHODS = ["GET", "HEAD", "POST"]
POST_ONLY = ["POST"]

VIEW_REFUSED = gettext_lazy(
    "Den Bündniszyklus sehen die Gremien des Bündnisses und das Ministerium."
)
PREPARE_REFUSED = gettext_lazy("Die nächste Förderphase bereitet die Geschäftsstelle vor.")
DECIDE_REFUSED = gettext_lazy("Über die Anerkennung entscheidet das Ministerium.")
ANSWER_REFUSED = gettext_lazy(
    "Für eine Organisation antworten ihre eigenen Ansprechpersonen oder die Geschäftsstelle."
)


def _may_decide(user: Any, alliance: Alliance) -> bool:
    return permissions.can_decide_recognition(user)


def _phase_url(alliance: Alliance, phase: FundingPhase) -> str:
    return reverse("renewal:phase", args=[alliance.slug, phase.pk])


def _phase_or_404(alliance: Alliance, pk: int) -> FundingPhase:
    phase = FundingPhase.objects.filter(alliance=alliance, pk=pk).first()
    if phase is None:
        raise Http404(_("Förderphase nicht gefunden."))
    phase.alliance = alliance
    return phase


def _page(
    request: HttpRequest,
    alliance: Alliance,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    return render_alliance_page(
        request, alliance, f"portal/renewal/{template}", SECTION, context, status=status
    )


def _back_to_phase(request: HttpRequest, slug: str, kwargs: dict[str, Any]) -> str:
    """After the login: a page read comes back to itself, a refused POST (it cannot be replayed)
    to the phase."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    return reverse("renewal:phase", args=[slug, kwargs["pk"]])


# --- The phases ---------------------------------------------------------------------------------


@signed_in_page(allowed=permissions.can_view_cycle, refused=VIEW_REFUSED)
def phase_list(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    """Every phase of the alliance with its recognition, the ones in preparation first."""
    phases, current = alliance_selectors.phase_overview(alliance, with_unrecognised=True)
    context = {
        "phases": list(reversed(phases)),
        "current": current,
        "can_prepare": permissions.can_prepare(request.user, alliance),
    }
    return _page(request, alliance, "list.html", context)


@signed_in_page(methods=FORM_METHODS, allowed=permissions.can_prepare, refused=PREPARE_REFUSED)
def phase_create(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    user = signed_in_user(request)
    latest = FundingPhase.objects.filter(alliance=alliance).order_by("-starts_on").first()
    initial: dict[str, Any] = {}
    if latest is not None:
        initial.update(
            starts_on=latest.ends_on + timedelta(days=1),
            funding_rate=latest.funding_rate,
            virtual_budget=latest.virtual_budget,
        )
    form = PhaseForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                phase = services.phase_prepare(actor=user, alliance=alliance, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
                status = refusal_status(error)
            else:
                messages.success(
                    request,
                    _("Die Förderphase %(phase)s ist angelegt (in Vorbereitung).")
                    % {"phase": phase.name},
                )
                return redirect(_phase_url(alliance, phase))
        else:
            status = 400
    return _page(request, alliance, "create.html", {"form": form}, status=status)


def _phase_context(request: HttpRequest, alliance: Alliance, phase: FundingPhase) -> dict[str, Any]:
    user = request.user
    rows = selectors.partner_rows(phase)
    can_prepare = permissions.can_prepare(user, alliance)
    editable = phase.recognition_status in services.EDITABLE
    versions = list(selectors.strategy_versions(phase)[:10])
    strategy = selectors.strategy_of(phase)
    context: dict[str, Any] = {
        "phase": phase,
        "strategy": strategy,
        "version": versions[0] if versions else None,
        "versions": versions,
        "fields": alliance_selectors.action_fields_of(phase),
        "rows": rows,
        "counts": selectors.status_counts(rows),
        "application": selectors.application_of(phase),
        "decisions": list(selectors.decisions_of(phase)),
        "can_prepare": can_prepare,
        "can_decide": permissions.can_decide_recognition(user)
        and phase.recognition_status == RecognitionStatus.APPLIED,
        "editable": editable,
        "previous": selectors.previous_phase(phase),
    }
    if phase.recognition_status != RecognitionStatus.RECOGNISED:
        ready = selectors.readiness(phase, strategy=strategy, version=context["version"])
        context.update(
            composition=ready.composition,
            speakers=ready.speakers,
            strategy_problems=ready.strategy,
        )
    if can_prepare and editable:
        context.update(
            ask_form=AskForm(
                prefix="anfrage",
                organisations=selectors.organisations_to_ask(phase),
                initial={
                    "asked_on": timezone.localdate(),
                    "due_on": context["application"].signature_deadline
                    if context["application"]
                    else None,
                    "organisations": list(selectors.partner_ids(context["previous"])),
                },
            ),
            submit_form=SubmitForm(prefix="antrag"),
            adopt_form=AdoptForm(
                decisions=selectors.adoptable_decisions(phase),
                circulations=selectors.adoptable_circulations(phase),
                prefix="beschluss",
            ),
            field_form=ActionFieldForm(prefix="feld"),
            topic_form=TopicForm(fields=context["fields"], prefix="thema"),
        )
    if context["can_decide"]:
        context["decision_form"] = DecisionForm(
            prefix="entscheidung",
            initial={
                "decided_on": timezone.localdate(),
                "virtual_budget": phase.virtual_budget,
                "funding_rate": phase.funding_rate,
            },
        )
    return context


@signed_in_page(allowed=permissions.can_view_cycle, refused=VIEW_REFUSED)
def phase_detail(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    phase = _phase_or_404(alliance, pk)
    return _page(request, alliance, "detail.html", _phase_context(request, alliance, phase))


def _refused_on_detail(
    request: HttpRequest,
    alliance: Alliance,
    phase: FundingPhase,
    name: str,
    form: Any,
    status: int,
) -> HttpResponse:
    """Show the phase again with the refused form in place of the fresh one."""
    context = _phase_context(request, alliance, phase)
    if name in context:
        context[name] = form
    else:
        # The phase no longer offers the form (it went to the ministry meanwhile): the reasons
        # stand above the page.
        context["refused_form"] = form
    context["refused"] = name
    return _page(request, alliance, "detail.html", context, status=status)


@signed_in_page(
    methods=FORM_METHODS,
    allowed=permissions.can_prepare,
    refused=PREPARE_REFUSED,
    after_login=_back_to_phase,
)
def phase_edit(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    phase = _phase_or_404(alliance, pk)
    application = selectors.application_of(phase)
    initial = {
        "name": phase.name,
        "starts_on": phase.starts_on,
        "ends_on": phase.ends_on,
        "virtual_budget": phase.virtual_budget,
        "funding_rate": phase.funding_rate,
        "project_end_cutoff": phase.project_end_cutoff,
        "signature_deadline": application.signature_deadline if application else None,
    }
    form = PhaseForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.phase_draft_update(actor=user, phase=phase, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
                status = refusal_status(error)
            else:
                messages.success(request, _("Die Förderphase ist gespeichert."))
                return redirect(_phase_url(alliance, phase))
        else:
            status = 400
    return _page(request, alliance, "edit.html", {"form": form, "phase": phase}, status=status)


# --- The strategy -------------------------------------------------------------------------------


@signed_in_page(methods=FORM_METHODS, allowed=permissions.can_view_cycle, refused=VIEW_REFUSED)
def strategy(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    """The strategy in its versions (`?fassung=n`), and for the office a new version."""
    phase = _phase_or_404(alliance, pk)
    versions = list(selectors.strategy_versions(phase))
    wanted = request.GET.get("fassung")
    shown = versions[0] if versions else None
    if wanted:
        shown = next((version for version in versions if str(version.number) == wanted), None)
        if shown is None:
            raise Http404(_("Diese Fassung gibt es nicht."))
    can_prepare = permissions.can_prepare(request.user, alliance)
    form = None
    status = 200
    if can_prepare:
        latest = versions[0] if versions else None
        initial = {key: getattr(latest, key) for key in latest.SECTIONS} if latest else {}
        form = StrategyForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        if form is None:
            return _page(
                request,
                alliance,
                "strategy.html",
                {"phase": phase, "versions": versions, "shown": shown, "refusal": PREPARE_REFUSED},
                status=403,
            )
        if form.is_valid():
            try:
                version = services.strategy_revise(
                    actor=signed_in_user(request), phase=phase, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
                status = refusal_status(error)
            else:
                messages.success(
                    request,
                    _("Fassung %(number)s der Strategie ist gespeichert.")
                    % {"number": version.number},
                )
                return redirect(reverse("renewal:strategy", args=[alliance.slug, phase.pk]))
        else:
            status = 400
    context = {
        "phase": phase,
        "editable": phase.recognition_status in services.EDITABLE,
        "versions": versions[:20],
        "shown": shown,
        "form": form,
        "fields": alliance_selectors.action_fields_of(phase),
        "strategy": selectors.strategy_of(phase),
    }
    return _page(request, alliance, "strategy.html", context, status=status)


@signed_in_page(
    methods=POST_ONLY,
    allowed=permissions.can_prepare,
    refused=PREPARE_REFUSED,
    after_login=_back_to_phase,
)
def field_add(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    """A field of action or a topic for the phase (before the Steuerkreis adopts them)."""
    user = signed_in_user(request)
    phase = _phase_or_404(alliance, pk)
    fields = list(ActionField.objects.filter(phase=phase))
    if "thema-action_field" in request.POST:
        form: Any = TopicForm(request.POST, fields=fields, prefix="thema")
        name = "topic_form"
    else:
        form = ActionFieldForm(request.POST, prefix="feld")
        name = "field_form"
    if not form.is_valid():
        return _refused_on_detail(request, alliance, phase, name, form, 400)
    try:
        if name == "topic_form":
            action_field = next(
                item for item in fields if item.pk == form.cleaned_data["action_field"]
            )
            services.topic_add(
                actor=user, phase=phase, action_field=action_field, title=form.cleaned_data["title"]
            )
        else:
            services.action_field_add(actor=user, phase=phase, title=form.cleaned_data["title"])
    except ValidationError as error:
        add_service_errors(form, error)
        return _refused_on_detail(request, alliance, phase, name, form, refusal_status(error))
    messages.success(request, _("Gespeichert: %(title)s") % {"title": form.cleaned_data["title"]})
    return redirect(_phase_url(alliance, phase) + "#handlungsfelder")


@signed_in_page(
    methods=POST_ONLY,
    allowed=permissions.can_prepare,
    refused=PREPARE_REFUSED,
    after_login=_back_to_phase,
)
def strategy_adopt(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    phase = _phase_or_404(alliance, pk)
    form = AdoptForm(
        request.POST,
        decisions=selectors.adoptable_decisions(phase),
        circulations=selectors.adoptable_circulations(phase),
        prefix="beschluss",
    )
    if not form.is_valid():
        return _refused_on_detail(request, alliance, phase, "adopt_form", form, 400)
    try:
        services.strategy_adopt(actor=signed_in_user(request), phase=phase, **form.chosen())
    except ValidationError as error:
        add_service_errors(form, error, field_map={"decision": "source", "circulation": "source"})
        return _refused_on_detail(
            request, alliance, phase, "adopt_form", form, refusal_status(error)
        )
    messages.success(request, _("Der Beschluss des Steuerkreises ist mit der Strategie verknüpft."))
    return redirect(_phase_url(alliance, phase) + "#handlungsfelder")


# --- The partners -------------------------------------------------------------------------------


@signed_in_page(
    methods=POST_ONLY,
    allowed=permissions.can_prepare,
    refused=PREPARE_REFUSED,
    after_login=_back_to_phase,
)
def partners_ask(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    phase = _phase_or_404(alliance, pk)
    form = AskForm(
        request.POST, organisations=selectors.organisations_to_ask(phase), prefix="anfrage"
    )
    if not form.is_valid():
        return _refused_on_detail(request, alliance, phase, "ask_form", form, 400)
    try:
        created = services.signatures_request(
            actor=signed_in_user(request), phase=phase, **form.cleaned_data
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _refused_on_detail(request, alliance, phase, "ask_form", form, refusal_status(error))
    messages.success(
        request,
        _("%(count)s Organisation(en) angefragt; sie erhalten eine E-Mail.")
        % {"count": len(created)},
    )
    return redirect(_phase_url(alliance, phase) + "#partner")


def _request_or_404(alliance: Alliance, pk: int) -> SignatureRequest:
    request = (
        SignatureRequest.objects.filter(alliance=alliance, pk=pk)
        .select_related("phase", "organisation")
        .first()
    )
    if request is None:
        raise Http404(_("Anfrage nicht gefunden."))
    request.phase.alliance = alliance
    return request


ANSWER_FORMS = {"pending": PendingForm, "sign": SignForm, "decline": DeclineForm}


def _answer(
    request: HttpRequest,
    alliance: Alliance,
    signature: SignatureRequest,
    action: str,
    prefix: str,
) -> tuple[Any, str | None, int]:
    """Run one answer form; returns (form, success message or None, status)."""
    form_class = ANSWER_FORMS.get(action)
    if form_class is None:
        raise Http404
    form = form_class(request.POST, request.FILES, prefix=prefix)
    if not form.is_valid():
        return form, None, 400
    user = signed_in_user(request)
    data = form.cleaned_data
    try:
        if action == "pending":
            services.signature_mark_pending(actor=user, request=signature, **data)
            message = _("Vermerkt: Der Beschluss in den Gremien von %(org)s steht aus.")
        elif action == "sign":
            services.signature_sign(actor=user, request=signature, **data)
            message = _("Vermerkt: %(org)s hat unterzeichnet.")
        else:
            services.signature_decline(actor=user, request=signature, **data)
            message = _("Vermerkt: %(org)s unterzeichnet nicht.")
    except ValidationError as error:
        add_service_errors(form, error)
        return form, None, refusal_status(error)
    return form, message % {"org": signature.organisation.name}, 200


@signed_in_page(methods=FORM_METHODS, allowed=permissions.can_view_cycle, refused=VIEW_REFUSED)
def partner_answer(
    request: HttpRequest, alliance: Alliance, pk: int, request_pk: int
) -> HttpResponse:
    """One partner's request: the office records an answer it received."""
    phase = _phase_or_404(alliance, pk)
    signature = _request_or_404(alliance, request_pk)
    if signature.phase_id != phase.pk:
        raise Http404(_("Anfrage nicht gefunden."))
    may_answer = permissions.can_answer_request(request.user, signature)
    forms: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        if not may_answer:
            return _page(
                request,
                alliance,
                "answer.html",
                {"phase": phase, "signature": signature, "forms": {}, "refusal": ANSWER_REFUSED},
                status=403,
            )
        action = request.POST.get("action", "")
        form, message, status = _answer(request, alliance, signature, action, action)
        if message:
            messages.success(request, message)
            return redirect(_phase_url(alliance, phase) + "#partner")
        forms[action] = form
    # A refused phase takes no answers (the service says so): no forms that could only fail.
    if may_answer and signature.is_open and phase.recognition_status != RecognitionStatus.REFUSED:
        for name, form_class in ANSWER_FORMS.items():
            forms.setdefault(
                name,
                form_class(
                    prefix=name,
                    initial={
                        "signed_on": timezone.localdate(),
                        "declined_on": timezone.localdate(),
                        "decision_body": signature.decision_body,
                        "reference": signature.reference,
                        "decision_date": signature.decision_date,
                    },
                ),
            )
    context = {"phase": phase, "signature": signature, "forms": forms}
    return _page(request, alliance, "answer.html", context, status=status)


def _speaks_for_someone(user: Any, alliance: Alliance) -> bool:
    return account_permissions.is_active_user(user) and bool(
        permissions.organisation_ids_of(user, alliance)
    )


@signed_in_page(
    methods=FORM_METHODS,
    allowed=_speaks_for_someone,
    refused=gettext_lazy("Diese Seite ist für die Ansprechpersonen der Partner des Bündnisses."),
)
def my_requests(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    """A partner's own page: the requests of the organisations the person speaks for, each with
    its answers (sign with the document, pending in the own bodies, decline)."""
    organisation_ids = permissions.organisation_ids_of(request.user, alliance)
    open_requests = list(selectors.open_requests_for(organisation_ids).filter(alliance=alliance))
    refused: dict[int, tuple[str, Any]] = {}
    status = 200
    if request.method == "POST":
        try:
            pk = int(request.POST.get("request", ""))
        except ValueError:
            raise Http404 from None
        signature = next((item for item in open_requests if item.pk == pk), None)
        if signature is None:
            raise Http404(_("Anfrage nicht gefunden."))
        signature.phase.alliance = alliance
        action = request.POST.get("action", "")
        form, message, status = _answer(
            request, alliance, signature, action, f"r{signature.pk}-{action}"
        )
        if message:
            messages.success(request, message)
            return redirect(reverse("renewal:my_requests", args=[alliance.slug]))
        refused[pk] = (action, form)
    entries = []
    today = timezone.localdate()
    for signature in open_requests:
        forms = {
            name: form_class(
                prefix=f"r{signature.pk}-{name}",
                initial={
                    "signed_on": today,
                    "declined_on": today,
                    "decision_body": signature.decision_body,
                    "reference": signature.reference,
                    "decision_date": signature.decision_date,
                },
            )
            for name, form_class in ANSWER_FORMS.items()
        }
        if signature.pk in refused:
            action, form = refused[signature.pk]
            forms[action] = form
        entries.append({"signature": signature, "forms": forms})
    return _page(request, alliance, "mine.html", {"entries": entries}, status=status)


# --- The application and the decision -----------------------------------------------------------


@signed_in_page(
    methods=POST_ONLY,
    allowed=permissions.can_prepare,
    refused=PREPARE_REFUSED,
    after_login=_back_to_phase,
)
def application_submit(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    phase = _phase_or_404(alliance, pk)
    form = SubmitForm(request.POST, prefix="antrag")
    if not form.is_valid():
        return _refused_on_detail(request, alliance, phase, "submit_form", form, 400)
    try:
        services.application_submit(
            actor=signed_in_user(request),
            phase=phase,
            cover_note=form.cleaned_data["cover_note"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _refused_on_detail(
            request, alliance, phase, "submit_form", form, refusal_status(error)
        )
    messages.success(request, _("Der Antrag ist beim Ministerium eingereicht."))
    return redirect(_phase_url(alliance, phase))


@signed_in_page(
    methods=POST_ONLY, allowed=_may_decide, refused=DECIDE_REFUSED, after_login=_back_to_phase
)
def recognition_decide(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    phase = _phase_or_404(alliance, pk)
    form = DecisionForm(request.POST, prefix="entscheidung")
    if not form.is_valid():
        return _refused_on_detail(request, alliance, phase, "decision_form", form, 400)
    try:
        decision = services.recognition_decide(
            actor=signed_in_user(request), phase=phase, **form.cleaned_data
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return _refused_on_detail(
            request, alliance, phase, "decision_form", form, refusal_status(error)
        )
    messages.success(
        request,
        _("Entscheidung erfasst: %(outcome)s. Die Geschäftsstelle erhält eine E-Mail.")
        % {"outcome": decision.get_outcome_display()},
    )
    return redirect(_phase_url(alliance, phase))


# --- The dossier --------------------------------------------------------------------------------


@signed_in_page(allowed=permissions.can_view_cycle, refused=VIEW_REFUSED)
def dossier_pdf(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    """The application dossier as it stands now (the one submitted is kept with the
    application)."""
    from buendnis.renewal import dossier

    phase = _phase_or_404(alliance, pk)
    try:
        pdf = dossier.render_pdf(phase)
    except dossier.PdfUnavailable:
        return _page(request, alliance, "dossier_unavailable.html", {"phase": phase}, status=503)
    return file_response(
        pdf,
        content_type="application/pdf",
        filename=f"Verlaengerungsantrag-{alliance.slug}-{phase.starts_on.year}.pdf",
    )


@signed_in_page(allowed=permissions.can_view_cycle, refused=VIEW_REFUSED)
def dossier_xlsx(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    from buendnis.renewal import dossier

    phase = _phase_or_404(alliance, pk)
    return file_response(
        dossier.render_xlsx(phase),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=f"Verlaengerungsantrag-{alliance.slug}-{phase.starts_on.year}.xlsx",
    )
