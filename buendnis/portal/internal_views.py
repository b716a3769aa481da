"""The internal area's own pages: the dashboard and the contact list (`/<slug>/intern/`,
`…/kontakte/`), and the old addresses of the contact inbox (`…/kontakt/`), which lead to the
office's inbox now. They serve the alliance's circle, so they live in the portal; their URL names
stay in the `public` namespace (config/urls.py), as before."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from buendnis.accounts import permissions
from buendnis.accounts.models import Role
from buendnis.alliances import selectors
from buendnis.alliances.models import Alliance, FundingPhase
from buendnis.budget import selectors as budget_selectors
from buendnis.funding import selectors as funding_selectors
from buendnis.funding.models import Project
from buendnis.funding.wording import WAITING_FOR
from buendnis.grants import selectors as grant_selectors
from buendnis.ideas import selectors as idea_selectors
from buendnis.meetings import links as meeting_links
from buendnis.meetings import permissions as meeting_permissions
from buendnis.meetings import selectors as meeting_selectors
from buendnis.office import selectors as office_selectors
from buendnis.office.models import Source
from buendnis.renewal import selectors as renewal_selectors
from buendnis.web.pages import internal_page, render_alliance_page

from .office_filters import WAITING_BY_KEY
from .office_views import meeting_dates

# How many of each kind the desk lists (the rest: the count and a link to the full list).
DESK_ROWS = 5


@internal_page
def internal_dashboard(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    """The desk: what waits for the reader today, oldest first, with counts and links; the
    figures of the running phase at a glance. The office sees its work (inquiries, projects,
    overlapping ideas, dates, response times); the other roles theirs (circulations to answer,
    meetings ahead, their questions and ideas). Every part is bounded: a fixed number of
    queries whatever the data."""
    user = request.user
    today = timezone.localdate()
    _phases, phase = selectors.phase_overview(alliance)
    office = permissions.can_manage(user, alliance)
    show_problems = permissions.sees_structure_problems(user, alliance)
    roles = permissions.roles_in(user, alliance)
    context: dict[str, Any] = {
        "phase": phase,
        "overview": selectors.bodies_overview(alliance),
        "role_labels": [label for value, label in Role.choices if value in roles],
        "is_ministry": permissions.is_ministry(user),
        "is_platform_admin": permissions.is_platform_admin(user),
        "can_open_admin": permissions.can_open_admin(user, alliance),
        "show_problems": show_problems,
        "problems": selectors.structure_problems(alliance) if show_problems else [],
        "office": office,
        "stages": _stages(alliance, phase),
        "budget": budget_selectors.budget_figures(phase) if phase is not None else None,
        "dates": meeting_dates(alliance, today)[:DESK_ROWS],
        "today": today,
    }
    if office:
        office_projects = WAITING_BY_KEY["office"]
        context.update(
            inquiries=office_selectors.inquiries_waiting(alliance, today, limit=DESK_ROWS),
            response=office_selectors.response_times(alliance),
            waiting_projects=_flag_changes(
                funding_selectors.projects_waiting(
                    alliance, office_projects.statuses, limit=DESK_ROWS
                )
            ),
            overlaps=idea_selectors.open_overlaps(alliance, limit=DESK_ROWS),
            renewals=renewal_selectors.renewal_desk(alliance.pk),
            overdue_reports=list(
                grant_selectors.overdue_reports(alliance.pk, today)[: DESK_ROWS + 1]
            ),
            reports_to_review=grant_selectors.reports_to_review(alliance.pk, limit=DESK_ROWS),
            payments_to_decide=grant_selectors.payments_to_decide(alliance.pk, limit=DESK_ROWS),
        )
    else:
        if permissions.is_active_user(user):
            context["signature_requests"] = renewal_selectors.open_requests_of_user(
                user.pk, alliance.pk
            )
        context["circulations"] = meeting_selectors.circulations_to_answer(
            alliance,
            meeting_permissions.answering_organisation_ids(user, alliance),
            limit=DESK_ROWS,
        )
        papers = meeting_selectors.recent_papers(alliance, limit=DESK_ROWS)
        for paper in papers:
            paper.item.meeting.alliance = alliance
        context["papers"] = [
            (paper, meeting_links.internal_meeting_path(paper.item.meeting)) for paper in papers
        ]
    return render_alliance_page(
        request, alliance, "public/internal_dashboard.html", "internal", context
    )


def _flag_changes(waiting: tuple[list[Project], int]) -> tuple[list[Project], int]:
    """The office's waiting projects, each with what changed since a body's vote (two queries
    when there are any): a raised grant is seen before the office forwards the project."""
    projects, count = waiting
    changed = funding_selectors.vote_changes_of(projects)
    for project in projects:
        project.vote_changes = changed.get(project.pk, [])  # type: ignore[attr-defined]
    return projects, count


def _stages(alliance: Alliance, phase: FundingPhase | None) -> list[tuple[str, str, int]]:
    """Projects of the running phase by who is next (one GROUP BY query): key, label, count."""
    projects = funding_selectors.pipeline_projects(alliance)
    if phase is not None:
        projects = projects.filter(phase=phase)
    counts = funding_selectors.pipeline_counts(projects)
    return [
        (group.key, str(group.label), sum(counts.get(status, 0) for status in group.statuses))
        for group in WAITING_FOR
    ]


@internal_page
def internal_contacts(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    if not permissions.can_view_contacts(request.user, alliance):
        raise PermissionDenied(_("Kein Zugang zu den Kontaktdaten dieses Bündnisses."))
    organisations = selectors.contacts_by_organisation(alliance)
    return render_alliance_page(
        request,
        alliance,
        "public/internal_contacts.html",
        "contacts",
        {"organisations": organisations},
    )


# The old contact inbox (/<slug>/intern/kontakt/…) is the inbox of every inquiry now
# (/<slug>/intern/anfragen/, buendnis.office): its addresses and names stay, answering with a
# permanent redirect. The inbox itself decides who may see it.


def contact_messages(request: HttpRequest, slug: str) -> HttpResponsePermanentRedirect:
    """`/<slug>/intern/kontakt/` → the inbox, narrowed to the contact form's inquiries."""
    return HttpResponsePermanentRedirect(
        f"{reverse('inquiries:list', args=[slug])}?source={Source.CONTACT_FORM}"
    )


def contact_message_handled(
    request: HttpRequest, slug: str, pk: int
) -> HttpResponsePermanentRedirect:
    """`/<slug>/intern/kontakt/<n>/erledigt/` (the old "mark handled" button) → the inbox. The
    old message numbers are not the inquiries' numbers; nothing is marked by this address."""
    return HttpResponsePermanentRedirect(reverse("inquiries:list", args=[slug]))
