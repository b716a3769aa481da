"""The idea pool's pages (/<slug>/intern/ideen/…): the list, posting and editing an idea, one idea
with its most similar ideas and projects, and the office's coordination (status, links,
introductions, merges, turning an idea into a project, deleting). Who sees what is
`ideas.permissions`; every write goes through `ideas.services`."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buendnis.accounts.permissions import UserLike, applicant_organisation_ids, is_ministry
from buendnis.alliances import selectors as alliance_selectors
from buendnis.alliances.models import ActionField, Alliance, FundingPhase, Organisation, Topic
from buendnis.core.errors import refusal_status
from buendnis.core.forms import add_service_errors
from buendnis.core.paging import page_of
from buendnis.funding.models import Project
from buendnis.ideas import matching, selectors, services
from buendnis.ideas import permissions as idea_permissions
from buendnis.ideas.models import ACTIVE_STATUSES, Idea, IdeaStatus, Overlap
from buendnis.web.pages import render_alliance_page, signed_in_page, signed_in_user

from .idea_forms import IdeaForm, IntroduceForm, LinkForm, MergeForm, StatusForm, ToProjectForm

PAGE_SIZE = 25
SIMILAR_SHOWN = 10
REFUSED = gettext_lazy("Der Ideenpool ist dem internen Kreis des Bündnisses vorbehalten.")
POST_REFUSED = gettext_lazy(
    "Ideen stellen die Mitglieder der Gremien und die Geschäftsstelle ein, Antragstellende für "
    "ihre Organisation; das Ministerium liest nur."
)
WRITE = ("GET", "HEAD", "POST")


def _idea_or_404(request: HttpRequest, alliance: Alliance, pk: int) -> Idea:
    idea = selectors.get_idea_for_user(request.user, alliance, pk)
    if idea is None:
        raise Http404(_("Idee nicht gefunden."))
    return idea


def _detail_url(idea: Idea) -> str:
    return reverse("ideas:detail", args=[idea.alliance.slug, idea.pk])


def _organisations(user: UserLike, alliance: Alliance) -> tuple[QuerySet[Organisation], bool]:
    """The organisations the author may name, and whether one must be named."""
    every = Organisation.objects.filter(alliance=alliance).order_by("name")
    if idea_permissions.can_view_pool(user, alliance):
        return every, False
    return every.filter(pk__in=applicant_organisation_ids(user, alliance)), True


def _action_fields(alliance: Alliance) -> QuerySet[ActionField]:
    return ActionField.objects.filter(alliance=alliance).order_by(
        "-phase__starts_on", "is_open", "position", "title"
    )


def _form(request: HttpRequest, alliance: Alliance, idea: Idea | None = None) -> IdeaForm:
    organisations, required = _organisations(request.user, alliance)
    data = request.POST if request.method == "POST" else None
    initial = {}
    if idea is None and required and organisations.count() == 1:
        initial["organisation"] = organisations.first()
    current = alliance_selectors.current_phase(alliance)
    # The running phase's topics, and those the idea already names (of earlier phases): an edit
    # must not drop what the form would not show.
    shown = Q(action_field__phase=current)
    if idea is not None:
        shown |= Q(pk__in=idea.topics.all())
    topics = Topic.objects.filter(alliance=alliance).filter(shown).select_related("action_field")
    return IdeaForm(
        data,
        instance=idea,
        initial=initial,
        action_fields=_action_fields(alliance),
        organisations=organisations,
        organisation_required=required,
        topics=topics.order_by("action_field__position", "position", "id"),
    )


@signed_in_page(allowed=idea_permissions.may_open_pool, refused=REFUSED)
def idea_list(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    status = request.GET.get("stand", "")
    if status not in IdeaStatus.values:
        status = ""
    try:
        action_field_id = int(request.GET.get("handlungsfeld", "") or 0) or None
    except ValueError:
        action_field_id = None
    text = request.GET.get("q", "").strip()[:100]
    mine = request.GET.get("meine") == "1"
    ideas = selectors.idea_list(
        request.user,
        alliance,
        status=status,
        action_field_id=action_field_id,
        text=text,
        mine=mine,
    )
    page = page_of(ideas, request.GET.get("page"), PAGE_SIZE)
    counts = selectors.status_counts(request.user, alliance)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "ideas": list(page.object_list),
        "status_rows": [(value, label, counts[value]) for value, label in IdeaStatus.choices],
        "statuses": IdeaStatus.choices,
        "status": status,
        "action_fields": _action_fields(alliance).select_related("phase"),
        "action_field_id": action_field_id,
        "text": text,
        "mine": mine,
        "query": query.urlencode(),
        "can_post": idea_permissions.can_post_idea(request.user, alliance),
        "whole_pool": idea_permissions.can_view_pool(request.user, alliance),
        "is_ministry": is_ministry(request.user),
    }
    return render_alliance_page(request, alliance, "portal/ideas/list.html", "ideas", context)


@signed_in_page(methods=WRITE, allowed=idea_permissions.can_post_idea, refused=POST_REFUSED)
def idea_create(request: HttpRequest, alliance: Alliance) -> HttpResponseBase:
    form = _form(request, alliance)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        try:
            idea = services.idea_create(
                actor=signed_in_user(request),
                alliance=alliance,
                title=changes.pop("title"),
                text=changes.pop("text"),
                topics=form.cleaned_data["topics"],
                **changes,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Ihre Idee ist eingestellt. Unten sehen Sie ähnliche Ideen und Vorhaben."),
            )
            return redirect(_detail_url(idea))
    return render_alliance_page(
        request, alliance, "portal/ideas/form.html", "ideas", {"form": form, "idea": None}
    )


@signed_in_page(allowed=idea_permissions.may_open_pool, refused=REFUSED)
def idea_detail(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponse:
    idea = _idea_or_404(request, alliance, pk)
    user = request.user
    coordinate = idea_permissions.can_coordinate_ideas(user, alliance)
    whole_pool = idea_permissions.can_view_pool(user, alliance)
    similar = matching.similar_to_idea(user, idea, limit=SIMILAR_SHOWN)
    context = {
        "idea": idea,
        "similar": [
            (
                item,
                Decimal(round(item.score * 100)),
                [_reason_parts(reason) for reason in item.reasons],
            )
            for item in similar
        ],
        "whole_pool": whole_pool,
        # The office's links name other partners' ideas and projects, with its notes: for the
        # pool's readers only.
        "links": (list(idea.links.all()) + list(idea.linked_from.all())) if whole_pool else [],
        "can_edit": idea_permissions.can_edit_idea(user, idea),
        "can_withdraw": idea_permissions.can_withdraw_idea(user, idea),
        "coordinate": coordinate,
        "active": idea.status in ACTIVE_STATUSES,
    }
    if coordinate:
        context.update(_office_forms(idea, similar))
    return render_alliance_page(request, alliance, "portal/ideas/detail.html", "ideas", context)


def _reason_parts(reason: str) -> tuple[str, list[str]]:
    """ "Gemeinsame Begriffe: Pflege, Ausbildung" → the label and the terms the page highlights."""
    label, colon, terms = reason.partition(": ")
    if not colon:
        return reason, []
    return label, [term.strip() for term in terms.split(", ") if term.strip()]


def _office_forms(idea: Idea, similar: list[matching.Similar]) -> dict[str, object]:
    alliance = idea.alliance
    similar_ideas = [item.id for item in similar if item.kind == "idea"]
    candidates = Idea.objects.filter(
        alliance=alliance, status__in=ACTIVE_STATUSES, pk__in=similar_ideas
    ).order_by("title")
    phases = FundingPhase.objects.filter(alliance=alliance).order_by("-starts_on")
    current = alliance_selectors.current_phase(alliance)
    return {
        "status_form": StatusForm(idea=idea),
        "merge_form": MergeForm(candidates=candidates),
        "project_form": ToProjectForm(
            phases=phases,
            organisations=Organisation.objects.filter(alliance=alliance).order_by("name"),
            initial={"phase": current, "applicant_organisation": idea.organisation},
        ),
        "link_form": LinkForm(),
    }


@signed_in_page(methods=WRITE, allowed=idea_permissions.may_open_pool, refused=REFUSED)
def idea_edit(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponseBase:
    idea = _idea_or_404(request, alliance, pk)
    if not idea_permissions.can_edit_idea(request.user, idea):
        raise PermissionDenied(_("Sie dürfen diese Idee nicht ändern."))
    form = _form(request, alliance, idea)
    if request.method == "POST" and form.is_valid():
        try:
            services.idea_update(
                actor=signed_in_user(request),
                idea=idea,
                expected_version=form.cleaned_data.get("version"),
                topics=form.cleaned_data["topics"],
                **form.changes(),
            )
        except ValidationError as error:
            idea.refresh_from_db()
            add_service_errors(form, error)
        else:
            messages.success(request, _("Die Idee ist gespeichert."))
            return redirect(_detail_url(idea))
    return render_alliance_page(
        request, alliance, "portal/ideas/form.html", "ideas", {"form": form, "idea": idea}
    )


def _refused(request: HttpRequest, idea: Idea, error: ValidationError) -> HttpResponseBase:
    """A refused coordination step: the message on the idea's page (403 for a role that may not)."""
    if refusal_status(error) == 403:
        raise PermissionDenied(" ".join(error.messages))
    for message in error.messages:
        messages.error(request, message)
    return redirect(_detail_url(idea))


def _require_coordinator(request: HttpRequest, alliance: Alliance) -> None:
    if not idea_permissions.can_coordinate_ideas(request.user, alliance):
        raise PermissionDenied(_("Das koordiniert die Geschäftsstelle."))


@signed_in_page(methods=("POST",), allowed=idea_permissions.may_open_pool, refused=REFUSED)
def idea_status(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponseBase:
    idea = _idea_or_404(request, alliance, pk)
    form = StatusForm(request.POST, idea=idea)
    withdrawing = request.POST.get("status") == IdeaStatus.WITHDRAWN
    if not (
        idea_permissions.can_coordinate_ideas(request.user, alliance)
        or (withdrawing and idea_permissions.can_withdraw_idea(request.user, idea))
    ):
        raise PermissionDenied(_("Den Stand dieser Idee setzt die Geschäftsstelle."))
    if not form.is_valid():
        messages.error(request, _("Dieser Stand ist von hier aus nicht wählbar."))
        return redirect(_detail_url(idea))
    try:
        services.idea_set_status(
            actor=signed_in_user(request),
            idea=idea,
            status=form.cleaned_data["status"],
            comment=form.cleaned_data["comment"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        return _refused(request, idea, error)
    messages.success(
        request, _("Die Idee steht jetzt auf „%(status)s“.") % {"status": idea.get_status_display()}
    )
    return redirect(_detail_url(idea))


@signed_in_page(methods=("POST",), allowed=idea_permissions.may_open_pool, refused=REFUSED)
def idea_link(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponseBase:
    # Not found first (an idea one may not see does not exist for one), then the office's right.
    idea = _idea_or_404(request, alliance, pk)
    _require_coordinator(request, alliance)
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte eine Idee oder ein Vorhaben wählen."))
        return redirect(_detail_url(idea))
    kind, number = form.cleaned_data["target"]
    other = Idea.objects.filter(alliance=alliance, pk=number).first() if kind == "idea" else None
    project = (
        Project.objects.filter(alliance=alliance, pk=number).first() if kind == "project" else None
    )
    if other is None and project is None:
        raise Http404(_("Idee oder Vorhaben nicht gefunden."))
    try:
        services.idea_link(
            actor=signed_in_user(request),
            idea=idea,
            other_idea=other,
            project=project,
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        return _refused(request, idea, error)
    messages.success(request, _("Die Verknüpfung ist vermerkt."))
    return redirect(_detail_url(idea))


@signed_in_page(methods=("POST",), allowed=idea_permissions.may_open_pool, refused=REFUSED)
def idea_introduce(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponseBase:
    # Not found first (an idea one may not see does not exist for one), then the office's right.
    idea = _idea_or_404(request, alliance, pk)
    _require_coordinator(request, alliance)
    form = IntroduceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte eine Idee wählen."))
        return redirect(_detail_url(idea))
    other = Idea.objects.filter(alliance=alliance, pk=form.cleaned_data["other"]).first()
    if other is None:
        raise Http404(_("Idee nicht gefunden."))
    try:
        services.ideas_introduce(
            actor=signed_in_user(request), idea=idea, other=other, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        return _refused(request, idea, error)
    messages.success(
        request,
        _("Beide Ansprechpersonen haben eine Mail mit den Kontaktdaten der anderen Idee bekommen."),
    )
    return redirect(_detail_url(idea))


@signed_in_page(methods=("POST",), allowed=idea_permissions.may_open_pool, refused=REFUSED)
def idea_merge(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponseBase:
    # Not found first (an idea one may not see does not exist for one), then the office's right.
    idea = _idea_or_404(request, alliance, pk)
    _require_coordinator(request, alliance)
    candidates = Idea.objects.filter(alliance=alliance, status__in=ACTIVE_STATUSES).exclude(
        pk=idea.pk
    )
    form = MergeForm(request.POST, candidates=candidates)
    if not form.is_valid():
        messages.error(request, _("Bitte mindestens eine Idee zum Zusammenführen wählen."))
        return redirect(_detail_url(idea))
    try:
        services.ideas_merge(
            actor=signed_in_user(request),
            target=idea,
            others=form.cleaned_data["others"],
            title=form.cleaned_data["title"] or None,
            text=form.cleaned_data["text"] or None,
        )
    except ValidationError as error:
        return _refused(request, idea, error)
    messages.success(request, _("Die Ideen sind zusammengeführt."))
    return redirect(_detail_url(idea))


@signed_in_page(methods=("POST",), allowed=idea_permissions.may_open_pool, refused=REFUSED)
def idea_to_project(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponseBase:
    # Not found first (an idea one may not see does not exist for one), then the office's right.
    idea = _idea_or_404(request, alliance, pk)
    _require_coordinator(request, alliance)
    form = ToProjectForm(
        request.POST,
        phases=FundingPhase.objects.filter(alliance=alliance),
        organisations=Organisation.objects.filter(alliance=alliance),
    )
    if not form.is_valid():
        messages.error(request, _("Bitte Förderphase und Projektträger wählen."))
        return redirect(_detail_url(idea))
    try:
        project = services.idea_to_project(
            actor=signed_in_user(request),
            idea=idea,
            phase=form.cleaned_data["phase"],
            applicant_organisation=form.cleaned_data["applicant_organisation"],
        )
    except ValidationError as error:
        return _refused(request, idea, error)
    messages.success(
        request,
        _("Aus der Idee ist das Vorhaben %(reference)s geworden.")
        % {"reference": project.reference},
    )
    return redirect(reverse("office:project", args=[alliance.slug, project.reference]))


@signed_in_page(methods=("POST",), allowed=idea_permissions.may_open_pool, refused=REFUSED)
def idea_delete(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponseBase:
    # Not found first (an idea one may not see does not exist for one), then the office's right.
    idea = _idea_or_404(request, alliance, pk)
    _require_coordinator(request, alliance)
    if request.POST.get("confirmed") != "1":
        messages.error(request, _("Bitte das Löschen bestätigen."))
        return redirect(_detail_url(idea))
    try:
        services.idea_delete(actor=signed_in_user(request), idea=idea)
    except ValidationError as error:
        return _refused(request, idea, error)
    messages.success(request, _("Die Idee „%(title)s“ ist gelöscht.") % {"title": idea.title})
    return redirect(reverse("ideas:list", args=[alliance.slug]))


@signed_in_page(methods=("POST",), allowed=idea_permissions.may_open_pool, refused=REFUSED)
def overlap_set_aside(request: HttpRequest, alliance: Alliance, pk: int) -> HttpResponseBase:
    """The office looked at a hint of the desk and sees nothing to link: it leaves the desk."""
    hint = Overlap.objects.filter(alliance=alliance, pk=pk).select_related("idea__alliance").first()
    if hint is None:
        raise Http404(_("Hinweis nicht gefunden."))
    _require_coordinator(request, alliance)
    try:
        services.overlap_set_aside(actor=signed_in_user(request), overlap=hint)
    except ValidationError as error:
        raise PermissionDenied(" ".join(error.messages)) from error
    messages.success(request, _("Der Hinweis ist erledigt."))
    return redirect(reverse("public:internal_dashboard", args=[alliance.slug]))
