"""The applicant portal: the projects of an applicant's organisation, from the idea to the end.

Views stay thin. Who may do what comes from `funding.permissions`, reads from
`funding.selectors`, and every write goes through `funding.services`, whose German errors land on
the form that caused them. Every form posts, redirects and shows a message (POST-redirect-GET).
The office may open every page; the internal circle and the ministry may read a project.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from buendnis.accounts import permissions
from buendnis.alliances import selectors as alliance_selectors
from buendnis.alliances.models import Alliance, FundingPhase, Organisation
from buendnis.core.errors import StaleEdit
from buendnis.core.forms import add_service_errors
from buendnis.core.paging import page_of
from buendnis.core.templatetags.buendnis_format import day
from buendnis.funding import permissions as funding_permissions
from buendnis.funding import selectors, services
from buendnis.funding.models import (
    DocumentKind,
    Outcome,
    Project,
    ProjectDocument,
)
from buendnis.funding.permissions import ProjectRights
from buendnis.funding.states import ACTION_STATES, CONSULTATION_STATES, GRANTED_STATES, Status
from buendnis.funding.wording import (
    DEADLINE_STATES,
    NEXT_STEPS,
    PUBLIC_LABELS,
    STATEMENT_STATES,
    next_step,
)
from buendnis.grants import selectors as grant_selectors
from buendnis.meetings import selectors as meeting_selectors
from buendnis.meetings.models import Meeting
from buendnis.office import selectors as office_selectors
from buendnis.office import services as office_services
from buendnis.web.pages import render_alliance_page, signed_in_page

from .applicant_forms import (
    ApplicationFiledForm,
    CoFinancingFormSet,
    ConsultationRequestForm,
    DocumentForm,
    ProjectCreateForm,
    ProjectForm,
    WithdrawForm,
)

S = Status
SECTION = "my_projects"
FORM_METHODS = ["GET", "HEAD", "POST"]
# The list of /<slug>/vorhaben/ is paged: the internal circle sees every project of the alliance.
LIST_PAGE_SIZE = 50


# --- Rendering and access -----------------------------------------------------------------------


def _page(
    request: HttpRequest,
    alliance: Alliance,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    return render_alliance_page(
        request, alliance, f"portal/applicant/{template}", SECTION, context, status=status
    )


def _forbidden(
    request: HttpRequest, alliance: Alliance, message: str, project: Project | None = None
) -> HttpResponse:
    """A German 403 inside the alliance's frame, saying why and where the user may go instead."""
    context = {"message": message, "project": project}
    return _page(request, alliance, "forbidden.html", context, status=403)


def _detail_url(project: Project) -> str:
    return reverse("applicant:project_detail", args=[project.alliance.slug, project.reference])


# (request, alliance, project, rights) -> response
ProjectView = Callable[..., HttpResponseBase]

VIEW_REFUSED = gettext_lazy(
    "Dieses Vorhaben sehen nur sein Projektträger, die Geschäftsstelle und die Gremien des "
    "Bündnisses."
)
ACT_REFUSED = gettext_lazy(
    "Diese Seite ist dem Projektträger des Vorhabens und der Geschäftsstelle vorbehalten."
)


def project_page(
    allowed: Callable[[ProjectRights], bool],
    *,
    refused: StrOrPromise = ACT_REFUSED,
    detail: bool = False,
    methods: list[str] | None = None,
) -> Callable[[ProjectView], Callable[..., HttpResponseBase]]:
    """A page of one project. `allowed` reads the user's rights on it (one decision, see
    `funding.permissions.project_rights`); who fails gets a German 403, anonymous visitors the
    login."""

    def decorate(view: ProjectView) -> Callable[..., HttpResponseBase]:
        @signed_in_page(methods=methods or FORM_METHODS)
        @wraps(view)
        def wrapper(
            request: HttpRequest, alliance: Alliance, reference: str, **kwargs: Any
        ) -> HttpResponseBase:
            fetch = selectors.workspace_project if detail else selectors.portal_project
            project = fetch(alliance=alliance, reference=reference)
            if project is None:
                raise Http404(_("Vorhaben nicht gefunden."))
            rights = funding_permissions.project_rights(request.user, project)
            if not allowed(rights):
                return _forbidden(request, alliance, str(refused), project if rights.view else None)
            return view(request, alliance, project, rights, **kwargs)

        return wrapper

    return decorate


def _possible(project: Project, action: str) -> bool:
    """Does the project's state offer this step now (states.ACTION_STATES)?"""
    return project.status in ACTION_STATES.get(action, frozenset())


def _labels() -> dict[str, Any]:
    labels: dict[str, Any] = {
        model_field.name: model_field.verbose_name for model_field in Project._meta.fields
    }
    labels["cofinancing"] = _("Kofinanzierung")
    labels["topics"] = _("Themen")
    return labels


def _missing(project: Project) -> list[str]:
    """What the project still lacks before a body may see it (services.project_rule_errors)."""
    labels = _labels()
    return [
        f"{labels.get(name, name)}: {message}"
        for name, messages_ in services.project_rule_errors(project).items()
        for message in messages_
    ]


# --- Submission deadlines (the states in which they matter: wording.DEADLINE_STATES) ----------


def _deadlines(alliance: Alliance) -> dict[str, Any]:
    """The next submission deadline ("Einreichung bis … für die Sitzung des Steuerkreises
    am …") and the following ones (one query)."""
    upcoming: list[Meeting] = meeting_selectors.upcoming_deadlines(alliance)
    return {"next_deadline": upcoming[0] if upcoming else None, "later_deadlines": upcoming[1:]}


# --- The list and a new project -----------------------------------------------------------------


@signed_in_page()
def project_list(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    if not funding_permissions.can_use_applicant_portal(request.user, alliance):
        return _forbidden(
            request,
            alliance,
            _(
                "Die Vorhaben dieses Bündnisses sind seinen Projektträgern, der Geschäftsstelle "
                "und den Gremien vorbehalten."
            ),
        )
    sees_all = permissions.can_view_internal(request.user, alliance)
    # Step links for those who take the steps: the office, and applicants (whose list holds only
    # their own projects). The rest of the internal circle reads.
    links = permissions.can_manage(request.user, alliance) or not sees_all
    page = page_of(
        selectors.portal_projects(request.user, alliance), request.GET.get("page"), LIST_PAGE_SIZE
    )
    rows = []
    for project in page.object_list:
        step = NEXT_STEPS[project.status]
        url = (
            reverse(f"applicant:{step.url_name}", args=[alliance.slug, project.reference])
            if links and step.url_name
            else ""
        )
        rows.append((project, step, url))
    context = {
        "rows": rows,
        "can_create": funding_permissions.can_create_project(request.user, alliance),
        "page": page,
        "sees_all": sees_all,
        **_deadlines(alliance),
    }
    return _page(request, alliance, "project_list.html", context)


@signed_in_page(methods=FORM_METHODS)
def project_create(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    user = request.user
    if not funding_permissions.can_create_project(user, alliance):
        return _forbidden(
            request,
            alliance,
            _("Vorhaben legen die Projektträger des Bündnisses und seine Geschäftsstelle an."),
        )
    phase, phase_choices = _phase_for_new_project(request, alliance)
    # The office starts projects for any organisation of the alliance, an applicant for their own.
    choose_owner = permissions.can_manage(user, alliance)
    organisations = [] if choose_owner else selectors.applicant_organisations(user, alliance)
    if phase is None or (not choose_owner and not organisations):
        return _page(
            request,
            alliance,
            "project_create.html",
            {"phase": phase, "form": None, "organisations": organisations},
        )
    owner_choices = (
        Organisation.objects.filter(alliance=alliance).order_by("name") if choose_owner else None
    )
    initial = {
        "contact_name": user.get_full_name(),  # type: ignore[union-attr]
        "contact_email": getattr(user, "email", ""),
    }
    form = ProjectCreateForm(
        request.POST if request.method == "POST" else None,
        instance=Project(alliance=alliance, phase=phase),
        initial=initial,
        phase=phase,
        organisations=owner_choices,
    )
    if request.method == "POST" and form.is_valid():
        owner = form.cleaned_data.get("applicant_organisation") or organisations[0]
        changes = form.changes()
        title = changes.pop("title")
        try:
            project = services.project_create(
                actor=user,  # type: ignore[arg-type]
                alliance=alliance,
                phase=phase,
                title=title,
                applicant_organisation=owner,
                **changes,
            )
        except ValidationError as error:
            add_service_errors(form, error, labels=_labels())
        else:
            project.alliance = alliance
            messages.success(
                request,
                _(
                    "Das Vorhaben „%(title)s“ ist angelegt (Aktenzeichen %(reference)s). Als Nächstes "
                    "ergänzen Sie die Angaben und vereinbaren eine Beratung mit der Geschäftsstelle."
                )
                % {"title": project.title, "reference": project.reference},
            )
            return redirect(_detail_url(project))
    context = {
        "phase": phase,
        "form": form,
        "organisations": organisations,
        "phase_choices": phase_choices,
    }
    return _page(request, alliance, "project_create.html", context)


def _phase_for_new_project(
    request: HttpRequest, alliance: Alliance
) -> tuple[FundingPhase | None, list[FundingPhase]]:
    """The phase a new project belongs to: the current one, or another recognised phase still
    open for projects that the person chose (`?phase=<id>`, e.g. the next phase once the
    ministry has recognised it). Returns it with the choices when there is more than one."""
    current = alliance_selectors.current_phase(alliance)
    choices = alliance_selectors.phases_open_for_projects(alliance)
    wanted = request.GET.get("phase")
    if wanted:
        chosen = next((phase for phase in choices if str(phase.pk) == wanted), None)
        if chosen is None:
            raise Http404(_("In dieser Förderphase lassen sich keine Vorhaben anlegen."))
        current = chosen
    elif current is not None and current not in choices and choices:
        # The current phase is over for new projects; the next recognised one takes them.
        current = choices[0]
    return current, choices if len(choices) > 1 else []


# --- The project --------------------------------------------------------------------------------


def _documents_by_kind(project: Project) -> list[tuple[StrOrPromise, list[ProjectDocument]]]:
    groups: dict[str, list[ProjectDocument]] = {}
    for document in project.documents.all():
        groups.setdefault(document.kind, []).append(document)
    return [
        (DocumentKind(kind).label, sorted(items, key=lambda item: -item.version))
        for kind, items in groups.items()
    ]


# The procedure's steps the applicant takes on a page of their own, in the order of the procedure.
STEP_PAGES: list[tuple[str, str, StrOrPromise]] = [
    ("submit_sketch", "sketch", gettext_lazy("Kurzskizze einreichen")),
    ("submit_description", "description", gettext_lazy("Projektbeschreibung einreichen")),
    ("resubmit", "revision", gettext_lazy("Überarbeitung einreichen")),
    ("file_application", "application_filed", gettext_lazy("Förderantrag vermerken")),
]


@project_page(
    lambda rights: rights.view, refused=VIEW_REFUSED, detail=True, methods=["GET", "HEAD"]
)
def project_detail(
    request: HttpRequest, alliance: Alliance, project: Project, rights: ProjectRights
) -> HttpResponse:
    outcomes = list(project.outcomes.all())
    feedback = [
        outcome
        for outcome in outcomes
        if outcome.outcome in (Outcome.REVISION, Outcome.NEGATIVE) and outcome.reasons
    ]
    steps = [
        (url_name, label)
        for action, url_name, label in STEP_PAGES
        if rights.may(action) and _possible(project, action)
    ]
    cofinancing = list(project.cofinancing.all())
    cofinancing_total = sum((share.amount for share in cofinancing), Decimal("0"))
    before_submission = project.status in (
        S.IDEA,
        S.CONSULTATION,
        S.DESCRIPTION_REQUESTED,
        S.REVISION_REQUESTED,
    )
    # „Beratung angefragt am …“ while a request waits in the office's inbox.
    consultation_request = office_selectors.open_consultation(project)
    context = {
        "project": project,
        "rights": rights,
        "next_step": next_step(project.status, consultation_requested=bool(consultation_request)),
        "steps": steps,
        "can_withdraw": rights.may("withdraw") and _possible(project, "withdraw"),
        "can_request_consultation": rights.act and project.status in CONSULTATION_STATES,
        "timeline": selectors.project_timeline(project, public_words=True),
        "documents": _documents_by_kind(project),
        "consultations": list(project.consultations.all()),
        "consultation_request": consultation_request,
        # The alliance's statement for the funding bank, after the Votum (reports.views.statement
        # lets the project's applicant open it).
        "statement_available": project.status in STATEMENT_STATES,
        "sees_notes": permissions.can_view_internal(request.user, alliance),
        "feedback": feedback,
        "latest_feedback": feedback[-1]
        if feedback and project.status in (S.REVISION_REQUESTED, S.REJECTED)
        else None,
        "cofinancing": cofinancing,
        "cofinancing_total": cofinancing_total,
        "funding_total": project.requested_grant + cofinancing_total,
        "proposed_grant": services.proposed_grant(project.phase, project.eligible_costs),
        "missing": _missing(project) if rights.act and before_submission else [],
    }
    if project.status in DEADLINE_STATES:
        context.update(_deadlines(alliance))
    if project.status in GRANTED_STATES:
        # After the grant, the next step is the report owed and the money left to draw.
        context["next_report"] = grant_selectors.next_open_report(project)
        context["drawn"] = grant_selectors.drawn(project)
        context["today"] = timezone.localdate()
    return _page(request, alliance, "project_detail.html", context)


# --- Editing ------------------------------------------------------------------------------------


def _cofinancing_initial(project: Project) -> list[dict[str, Any]]:
    return [
        {"organisation": share.organisation, "name": share.name, "amount": share.amount}
        for share in project.cofinancing.select_related("organisation")
    ]


def _same_shares(project: Project, shares: list[services.Share]) -> bool:
    stored = sorted(
        (share.organisation_id or 0, share.name, share.amount)
        for share in project.cofinancing.all()
    )
    new = sorted(
        (share.organisation.pk if share.organisation else 0, share.name, share.amount)
        for share in shares
    )
    return stored == new


STALE_HINT = gettext_lazy(
    "Ihre Eingaben stehen unten noch im Formular: Speichern Sie erneut, um sie trotzdem zu "
    "übernehmen, oder laden Sie die Seite neu, um den aktuellen Stand zu sehen."
)


@project_page(lambda rights: rights.act)
def project_edit(
    request: HttpRequest, alliance: Alliance, project: Project, rights: ProjectRights
) -> HttpResponse:
    if not rights.edit:
        return _page(request, alliance, "project_locked.html", {"project": project})
    organisations = Organisation.objects.filter(alliance=alliance).order_by("name")
    post = request.POST if request.method == "POST" else None
    form = ProjectForm(
        post,
        instance=copy.copy(project),
        initial={"version": project.version},
        phase=project.phase,
    )
    formset = CoFinancingFormSet(
        post,
        initial=None if post else _cofinancing_initial(project),
        prefix="kofi",
        form_kwargs={"organisations": organisations},
    )
    if post is not None and form.is_valid() and formset.is_valid():
        changes = form.changes()
        shares = formset.shares()
        try:
            with transaction.atomic():
                services.project_update(
                    actor=request.user,  # type: ignore[arg-type]
                    project=project,
                    expected_version=form.cleaned_data.get("version"),
                    topics=form.cleaned_data["topics"],
                    **changes,
                )
                if not _same_shares(project, shares):
                    services.cofinancing_set(
                        actor=request.user,  # type: ignore[arg-type]
                        project=project,
                        shares=shares,
                    )
        except StaleEdit as error:
            # Keep what the user typed, now on top of the current version: a second save is a
            # conscious decision to replace the other person's changes.
            data = post.copy()
            data["version"] = str(
                Project.objects.values_list("version", flat=True).get(pk=project.pk)
            )
            form = ProjectForm(data, instance=copy.copy(project), phase=project.phase)
            formset = CoFinancingFormSet(
                data, prefix="kofi", form_kwargs={"organisations": organisations}
            )
            form.is_valid()
            formset.is_valid()
            for message in error.messages:
                form.add_error(None, message)
            form.add_error(None, str(STALE_HINT))
        except ValidationError as error:
            project.refresh_from_db()
            add_service_errors(form, error, labels=_labels())
        else:
            messages.success(request, _("Die Angaben zum Vorhaben sind gespeichert."))
            return redirect(_detail_url(project))
    if post is not None and formset.total_error_count():
        form.add_error(
            None, _("Bitte prüfen Sie die Angaben zur Kofinanzierung (unten im Formular).")
        )
    context = {
        "project": project,
        "form": form,
        "formset": formset,
        "proposed_grant": services.proposed_grant(project.phase, project.eligible_costs),
    }
    return _page(request, alliance, "project_edit.html", context)


# --- The steps of the procedure -----------------------------------------------------------------


def _latest_feedback(project: Project) -> Any:
    return (
        project.outcomes.filter(outcome__in=[Outcome.REVISION, Outcome.NEGATIVE])
        .select_related("body")
        .order_by("-decided_on", "-id")
        .first()
    )


def _upload_step(
    request: HttpRequest,
    alliance: Alliance,
    project: Project,
    *,
    step: str,
    action: str,
    label: StrOrPromise,
    success: StrOrPromise,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    possible = _possible(project, action)
    missing = _missing(project) if possible else []
    form = DocumentForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        label=label,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.project_act(
                actor=request.user,  # type: ignore[arg-type]
                project=project,
                action=action,
                document=form.cleaned_data["document"],
            )
        except ValidationError as error:
            project.refresh_from_db()
            add_service_errors(form, error, labels=_labels(), field_map={"file": "document"})
        else:
            messages.success(request, str(success))
            return redirect(_detail_url(project))
    context = {
        "project": project,
        "step": step,
        "possible": possible,
        "missing": missing,
        "form": form,
        "public_label": PUBLIC_LABELS[project.status],
        **(extra or {}),
    }
    return _page(request, alliance, "upload_step.html", context)


@project_page(lambda rights: rights.may("submit_sketch"))
def sketch(
    request: HttpRequest, alliance: Alliance, project: Project, rights: ProjectRights
) -> HttpResponse:
    return _upload_step(
        request,
        alliance,
        project,
        step="sketch",
        action="submit_sketch",
        label=_("Kurzskizze"),
        success=_(
            "Die Kurzskizze ist eingereicht. Die Geschäftsstelle legt sie dem Sprecherkreis vor."
        ),
        extra={"consulted": project.consultations.exists()},
    )


@project_page(lambda rights: rights.may("submit_description"))
def description(
    request: HttpRequest, alliance: Alliance, project: Project, rights: ProjectRights
) -> HttpResponse:
    return _upload_step(
        request,
        alliance,
        project,
        step="description",
        action="submit_description",
        label=_("Projektbeschreibung"),
        success=_(
            "Die Projektbeschreibung ist eingereicht. Die Geschäftsstelle legt sie dem "
            "Sprecherkreis vor."
        ),
    )


@project_page(lambda rights: rights.may("resubmit"))
def revision(
    request: HttpRequest, alliance: Alliance, project: Project, rights: ProjectRights
) -> HttpResponse:
    sketch_stage = project.return_status != S.DESCRIPTION_SUBMITTED
    return _upload_step(
        request,
        alliance,
        project,
        step="revision",
        action="resubmit",
        label=_("Überarbeitete Kurzskizze")
        if sketch_stage
        else _("Überarbeitete Projektbeschreibung"),
        success=_("Die überarbeitete Fassung ist eingereicht."),
        extra={"feedback": _latest_feedback(project), "sketch_stage": sketch_stage},
    )


@project_page(lambda rights: rights.may("file_application"))
def application_filed(
    request: HttpRequest, alliance: Alliance, project: Project, rights: ProjectRights
) -> HttpResponse:
    form = ApplicationFiledForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_act(
                actor=request.user,  # type: ignore[arg-type]
                project=project,
                action="file_application",
                filed_on=form.cleaned_data["filed_on"],
                reference=form.cleaned_data["reference"],
            )
        except ValidationError as error:
            project.refresh_from_db()
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Der Förderantrag ist vermerkt. Jetzt entscheidet die Förderbank.")
            )
            return redirect(_detail_url(project))
    context = {
        "project": project,
        "form": form,
        "possible": _possible(project, "file_application"),
        "public_label": PUBLIC_LABELS[project.status],
    }
    return _page(request, alliance, "application_filed.html", context)


@project_page(lambda rights: rights.may("withdraw"))
def withdraw(
    request: HttpRequest, alliance: Alliance, project: Project, rights: ProjectRights
) -> HttpResponse:
    """Two steps: the reason, then a confirmation that shows what withdrawing means."""
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    confirming = False
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirmed") != "1":
            confirming = True
        else:
            try:
                services.project_act(
                    actor=request.user,  # type: ignore[arg-type]
                    project=project,
                    action="withdraw",
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                project.refresh_from_db()
                add_service_errors(form, error)
            else:
                messages.success(request, _("Das Vorhaben ist zurückgezogen."))
                return redirect(_detail_url(project))
    context = {
        "project": project,
        "form": form,
        "confirming": confirming,
        "possible": _possible(project, "withdraw"),
        "public_label": PUBLIC_LABELS[project.status],
    }
    return _page(request, alliance, "withdraw.html", context)


@project_page(lambda rights: rights.act)
def consultation_request(
    request: HttpRequest, alliance: Alliance, project: Project, rights: ProjectRights
) -> HttpResponse:
    """Ask the office for a consultation: an inquiry in the office's inbox, linked to the project
    (the office hears of it by mail, too). While one is open, a second message joins its thread;
    the same message sent twice (a double click, the back button) is kept once. Nothing is
    recorded on the project: the office records the consultation itself once it has taken
    place. Possible in the states in which the office records consultations."""
    possible = project.status in CONSULTATION_STATES
    form = ConsultationRequestForm(request.POST if request.method == "POST" and possible else None)
    if request.method == "POST" and possible and form.is_valid():
        try:
            result = office_services.inquiry_request_consultation(
                actor=request.user,  # type: ignore[arg-type]
                project=project,
                message=form.cleaned_data["message"],
                availability=form.cleaned_data["availability"],
                phone=form.cleaned_data["phone"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if result.repeated:
                text = _(
                    "Die Beratung ist bereits angefragt, am %(day)s; Ihre Nachricht liegt der "
                    "Geschäftsstelle schon vor. Sie meldet sich mit einem Terminvorschlag."
                ) % {"day": day(result.inquiry.created_at)}
            elif result.created:
                text = _(
                    "Ihre Anfrage ist bei der Geschäftsstelle eingegangen. Sie meldet sich mit "
                    "einem Terminvorschlag."
                )
            else:
                text = _(
                    "Ihre Nachricht ist bei der Geschäftsstelle eingegangen, zu Ihrer offenen "
                    "Beratungsanfrage vom %(day)s."
                ) % {"day": day(result.inquiry.created_at)}
            messages.success(request, text)
            return redirect(_detail_url(project))
    context = {
        "project": project,
        "form": form,
        "possible": possible,
        "consultations": list(project.consultations.all()),
        "consultation_request": office_selectors.open_consultation(project),
        "closed_message": "" if possible else services.consultation_closed_message(project.status),
    }
    return _page(request, alliance, "consultation_request.html", context)
