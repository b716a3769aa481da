"""Projects as topics of notifications (`notifications.topics`: `project:<id>`), registered from
`FundingConfig.ready`: who may follow a project is who may see all of it
(`permissions.can_view_project`: its applicant and the internal circle), and each reads it on
their own page — the office's workspace or the applicant portal."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from buendnis.accounts.permissions import UserLike, can_view_internal
from buendnis.alliances.models import Alliance
from buendnis.notifications import topics

from . import permissions
from .models import Project


def project_path(user: UserLike, project: Project) -> str:
    """The project's page for this reader: the office's workspace for the internal circle, the
    applicant portal for its applicant ("" where neither page exists)."""
    name = (
        "office:project"
        if can_view_internal(user, project.alliance)
        else "applicant:project_detail"
    )
    try:
        return reverse(name, args=[project.alliance.slug, project.reference])
    except NoReverseMatch:
        return ""


def _load(alliance: Alliance, ident: str) -> Project | None:
    if not ident.isdigit():
        return None
    project = Project.objects.filter(alliance=alliance, pk=int(ident)).first()
    if project is not None:
        project.alliance = alliance  # known already: the checks below ask no query for it
    return project


def _can_see(user: UserLike, project: Project) -> bool:
    return permissions.can_view_project(user, project)


def _describe(
    user: UserLike, alliance: Alliance, idents: Sequence[str]
) -> dict[str, topics.Subject]:
    projects = Project.objects.filter(alliance=alliance, pk__in=topics.digits(idents))
    named = {}
    for project in projects:
        project.alliance = alliance
        named[str(project.pk)] = topics.Subject(
            _("Vorhaben %(reference)s „%(title)s“")
            % {"reference": project.reference, "title": project.title},
            project_path(user, project),
        )
    return named


def register() -> None:
    topics.register(topics.TopicKind(topics.PROJECT, _load, _can_see, _describe))
