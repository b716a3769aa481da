"""The search across an alliance (/<slug>/intern/suche/?q=…): projects, ideas, inquiries,
meetings, decisions and documents, grouped by kind.

A page of the internal circle and the ministry (`internal_page`). Applicants get the 403 of every
internal page: what they may read beyond the public site is their own organisation's, a handful
of projects in the applicant portal and their ideas in the pool's list (which has a search), and
the rest is public, where the project list has its own search; a second, thinner search under
/intern/ would blur which pages are internal. The domain selectors take the caller's rights as
arguments (`project_access(...).visible()` and `.records()`, `visible_ideas_q`, `internal=`), so a
search for them would reuse them unchanged.

Each kind is searched by its own app (`<app>/search.py`), the rights come from the apps'
permission modules. Every group costs one query (decisions and documents two: two tables each),
whatever the data; a query shorter than two characters costs none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from buendnis.accounts.permissions import UserLike
from buendnis.alliances.models import Alliance
from buendnis.core import search as core_search
from buendnis.core.search import Found, Terms, When
from buendnis.funding import permissions as funding_permissions
from buendnis.funding import search as funding_search
from buendnis.funding.models import ProjectDocument
from buendnis.ideas import permissions as idea_permissions
from buendnis.ideas import search as idea_search
from buendnis.meetings import permissions as meeting_permissions
from buendnis.meetings import search as meeting_search
from buendnis.meetings.models import AgendaDocument, Circulation, Decision
from buendnis.office import permissions as office_permissions
from buendnis.office import search as office_search
from buendnis.web.pages import internal_page, render_alliance_page

SECTION = "search"
# Each group shows this many; the total says how many there are.
PER_GROUP = 10


@dataclass(frozen=True)
class Line:
    """What a result says besides its title and excerpt: address, kind, what its date means,
    a few facts (reference, state …)."""

    url: str
    kind: str
    when_label: str
    facts: str


@dataclass(frozen=True)
class Result:
    """One result: title and excerpt are HTML with the matches marked."""

    title: SafeString
    excerpt: SafeString
    when: When
    line: Line


@dataclass(frozen=True)
class Group:
    key: str  # the anchor of its heading
    label: str
    results: list[Result]
    total: int
    more_url: str = ""
    more_label: str = ""

    @property
    def has_more(self) -> bool:
        return self.total > len(self.results)


@dataclass
class Search:
    """What the page shows: the query as typed, and the groups once it is long enough."""

    q: str
    terms: Terms | None
    groups: list[Group] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(group.total for group in self.groups)


def _results[T](found: Found[T], line: Callable[[Any], Line]) -> list[Result]:
    return [
        Result(title=hit.title, excerpt=hit.excerpt, when=hit.when, line=line(hit.row))
        for hit in found.hits
    ]


def _with_query(path: str, **params: str) -> str:
    return f"{path}?{urlencode(params)}"


# --- The groups, in the order the page shows them -------------------------------------------------


def _projects(alliance: Alliance, terms: Terms, visible: Any) -> Group:
    found = funding_search.search_projects(alliance, terms, visible=visible, limit=PER_GROUP)
    return Group(
        key="vorhaben",
        label=pgettext("plural", "Vorhaben"),
        results=_results(
            found,
            lambda project: Line(
                reverse("office:project", args=[alliance.slug, project.reference]),
                pgettext("singular", "Vorhaben"),
                _("geändert am"),
                f"{project.reference} · {project.get_status_display()}",
            ),
        ),
        total=found.total,
        # The board's list searches titles and references for the text as typed.
        more_url=_with_query(reverse("office:list", args=[alliance.slug]), phase="", q=terms.text),
        more_label=_("In der Liste der Vorhaben weitersuchen"),
    )


def _ideas(alliance: Alliance, terms: Terms, visible: Any) -> Group:
    found = idea_search.search_ideas(alliance, terms, visible=visible, limit=PER_GROUP)
    return Group(
        key="ideen",
        label=_("Ideen"),
        results=_results(
            found,
            lambda idea: Line(
                reverse("ideas:detail", args=[alliance.slug, idea.pk]),
                _("Idee"),
                _("eingestellt am"),
                idea.get_status_display(),
            ),
        ),
        total=found.total,
        # The pool's list searches title, description, target group and districts for the text
        # as typed.
        more_url=_with_query(reverse("ideas:list", args=[alliance.slug]), q=terms.text),
        more_label=_("Im Ideenpool weitersuchen"),
    )


def _inquiries(alliance: Alliance, terms: Terms) -> Group:
    found = office_search.search_inquiries(alliance, terms, limit=PER_GROUP)
    return Group(
        key="anfragen",
        label=_("Anfragen"),
        results=_results(
            found,
            lambda inquiry: Line(
                reverse("inquiries:detail", args=[alliance.slug, inquiry.pk]),
                _("Anfrage"),
                _("eingegangen am"),
                f"#{inquiry.pk} · {inquiry.get_source_display()} · {inquiry.get_status_display()}",
            ),
        ),
        total=found.total,
        # The inbox searches subjects, names and addresses for the text as typed.
        more_url=_with_query(
            reverse("inquiries:list", args=[alliance.slug]), status="all", q=terms.text
        ),
        more_label=_("In den Anfragen weitersuchen"),
    )


def _meetings(alliance: Alliance, terms: Terms, internal: bool) -> Group:
    found = meeting_search.search_meetings(alliance, terms, internal=internal, limit=PER_GROUP)
    return Group(
        key="sitzungen",
        label=_("Sitzungen"),
        results=_results(
            found,
            lambda meeting: Line(
                reverse("meetings:detail", args=[alliance.slug, meeting.pk]),
                _("Sitzung"),
                _("am"),
                " · ".join(
                    part
                    for part in (meeting.body.name, meeting.location, meeting.get_status_display())
                    if part
                ),
            ),
        ),
        total=found.total,
    )


def _decision_line(alliance: Alliance, row: Decision | Circulation) -> Line:
    if isinstance(row, Circulation):
        return Line(
            reverse("circulations:detail", args=[alliance.slug, row.pk]),
            _("Umlaufbeschluss"),
            _("ausgewertet am") if row.closed_at else _("eröffnet am"),
            f"{row.body.name} · {row.get_status_display()}",
        )
    item = row.item
    meeting = item.meeting
    url = reverse("meetings:detail", args=[alliance.slug, meeting.pk])
    return Line(
        f"{url}#top-{item.pk}",
        _("Beschluss"),
        _("beschlossen am"),
        f"{meeting.display_title}, TOP {item.number} · {row.get_outcome_display()}",
    )


def _decisions(alliance: Alliance, terms: Terms, internal: bool) -> Group:
    found = meeting_search.search_decisions(alliance, terms, internal=internal, limit=PER_GROUP)
    return Group(
        key="beschluesse",
        label=_("Beschlüsse"),
        results=_results(found, lambda row: _decision_line(alliance, row)),
        total=found.total,
    )


def _documents(alliance: Alliance, terms: Terms, records: Any, papers: bool) -> Group:
    """Project documents of the projects whose record the user reads, and, for those who read
    agendas, the meetings' papers."""
    projects = funding_search.search_project_documents(
        alliance, terms, records=records, limit=PER_GROUP
    )
    parts: list[Found[Any]] = [projects]
    if papers:
        parts.append(meeting_search.search_agenda_documents(alliance, terms, limit=PER_GROUP))
    found = core_search.merged(*parts, limit=PER_GROUP)

    def line(row: ProjectDocument | AgendaDocument) -> Line:
        if isinstance(row, ProjectDocument):
            return Line(
                row.file.url,
                _("Dokument"),
                _("hochgeladen am"),
                _("%(kind)s, Version %(version)s · %(reference)s")
                % {
                    "kind": row.get_kind_display(),
                    "version": row.version,
                    "reference": row.project.reference,
                },
            )
        return Line(
            row.file.url,
            _("Unterlage"),
            _("hochgeladen am"),
            _("Unterlage zu TOP %(number)s") % {"number": row.item.number},
        )

    return Group(
        key="dokumente", label=_("Dokumente"), results=_results(found, line), total=found.total
    )


def search_groups(user: UserLike, alliance: Alliance, terms: Terms) -> list[Group]:
    """Every group the user may search, each narrowed to what the user may read."""
    access = funding_permissions.project_access(user, alliance)
    internal = meeting_permissions.can_view_meetings(user, alliance)
    groups = [
        _projects(alliance, terms, access.visible()),
        _ideas(alliance, terms, idea_permissions.visible_ideas_q(user, alliance)),
    ]
    if office_permissions.can_view_inquiries(user, alliance):
        groups.append(_inquiries(alliance, terms))
    groups.append(_meetings(alliance, terms, internal))
    groups.append(_decisions(alliance, terms, internal))
    papers = meeting_permissions.can_view_meeting_document(user, alliance)
    groups.append(_documents(alliance, terms, access.records(), papers))
    return groups


@internal_page
def search(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    q = " ".join(request.GET.get("q", "").split())[: core_search.MAX_LENGTH]
    terms = core_search.terms_of(q)
    found = Search(q=q, terms=terms)
    if terms is not None:
        found.groups = search_groups(request.user, alliance, terms)
    context = {"search": found, "q": q, "min_length": core_search.MIN_LENGTH}
    return render_alliance_page(request, alliance, "portal/search/results.html", SECTION, context)
