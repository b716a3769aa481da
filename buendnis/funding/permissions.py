"""Who may see, start, edit and move a project through the procedure.

Built on the roles of `accounts.permissions`; the procedure's own tables (`states.ACTIONS`,
`states.APPLICANT_EDITABLE`, `states.PUBLIC_STATES`) say what each role may do in which state.
Views, API, admin and services ask these functions; nothing else decides about projects.
"""

from __future__ import annotations

from django.db.models import Q

from buendnis.accounts.models import Membership, Role
from buendnis.accounts.permissions import (
    UserLike,
    applicant_organisation_ids,
    can_manage,
    can_view_internal,
    is_active_user,
    roles_in,
)
from buendnis.alliances.models import Alliance, Organisation

from .models import Project
from .states import ACTIONS, APPLICANT_EDITABLE, PUBLIC_STATES, Actor


def is_project_applicant(user: UserLike, project: Project) -> bool:
    """The project's own applicant: holds the applicant role for the project owner organisation
    in the project's alliance, or created the project."""
    if not is_active_user(user):
        return False
    if project.created_by_id == user.pk:
        return True
    return Membership.objects.filter(
        user=user,
        alliance_id=project.alliance_id,
        role=Role.APPLICANT,
        organisation_id=project.applicant_organisation_id,
    ).exists()


def can_view_project(user: UserLike, project: Project) -> bool:
    """All of a project (non-public fields included): its applicant and the internal circle."""
    return can_view_internal(user, project.alliance) or is_project_applicant(user, project)


def can_view_project_publicly(project: Project) -> bool:
    return project.status in PUBLIC_STATES


def public_projects_q(prefix: str = "") -> Q:
    """`can_view_project_publicly` as a filter, on a relation to Project named by `prefix`."""
    return Q(**{f"{prefix}status__in": PUBLIC_STATES})


def can_create_project(user: UserLike, alliance: Alliance) -> bool:
    """Applicants of the alliance and its office start projects."""
    return can_manage(user, alliance) or Role.APPLICANT in roles_in(user, alliance)


def can_create_project_for(user: UserLike, alliance: Alliance, organisation: Organisation) -> bool:
    """The office (and admins) start projects for any organisation of the alliance; an applicant
    only for an organisation they apply for."""
    if organisation.alliance_id != alliance.pk or not can_create_project(user, alliance):
        return False
    return can_manage(user, alliance) or organisation.pk in applicant_organisation_ids(
        user, alliance
    )


def can_edit_project(user: UserLike, project: Project) -> bool:
    if can_manage(user, project.alliance):
        return True
    return project.status in APPLICANT_EDITABLE and is_project_applicant(user, project)


def can_perform(user: UserLike, project: Project, action: str) -> bool:
    """May the user trigger this action of the procedure on this project (whatever its state)?"""
    allowed = ACTIONS.get(action, frozenset())
    if Actor.OFFICE in allowed and can_manage(user, project.alliance):
        return True
    return Actor.APPLICANT in allowed and is_project_applicant(user, project)


def can_correct_record(user: UserLike, project: Project) -> bool:
    """The office (and platform admins) correct what was recorded about a project (a
    consultation's or a body outcome's day), in any state; the correction is audited."""
    return can_manage(user, project.alliance)


class ProjectAccess:
    """What one user sees of one alliance's projects, decided once per request so that a list
    needs no query per project. The same rules as `can_view_project` and
    `can_view_project_publicly`, for many projects at once."""

    __slots__ = ("internal", "organisation_ids", "user_id")

    def __init__(
        self, *, user_id: int | None, internal: bool, organisation_ids: frozenset[int]
    ) -> None:
        self.user_id = user_id
        self.internal = internal
        self.organisation_ids = organisation_ids

    def visible(self) -> Q:
        """The projects this user finds in lists and may open at all."""
        if self.internal:
            return Q()
        seen = Q(status__in=PUBLIC_STATES)
        if self.user_id is not None:
            seen |= Q(created_by_id=self.user_id)
        if self.organisation_ids:
            seen |= Q(applicant_organisation_id__in=self.organisation_ids)
        return seen

    def records(self) -> Q:
        """The projects whose non-public record (documents, contact, co-financing …) this user
        reads: `sees_everything_of` as a filter."""
        if self.internal:
            return Q()
        seen = Q(pk__in=[])
        if self.user_id is not None:
            seen |= Q(created_by_id=self.user_id)
        if self.organisation_ids:
            seen |= Q(applicant_organisation_id__in=self.organisation_ids)
        return seen

    def sees_everything_of(self, project: Project) -> bool:
        """Non-public fields too (`can_view_project`), from the project row alone."""
        return (
            self.internal
            or (self.user_id is not None and project.created_by_id == self.user_id)
            or project.applicant_organisation_id in self.organisation_ids
        )


def project_access(user: UserLike, alliance: Alliance) -> ProjectAccess:
    """The internal circle, the ministry and admins see every project of the alliance, with every
    field; an applicant sees the public ones and, with every field, their own; everyone else the
    public ones (states.PUBLIC_STATES)."""
    if can_view_internal(user, alliance):
        return ProjectAccess(user_id=user.pk, internal=True, organisation_ids=frozenset())
    if not is_active_user(user):
        return ProjectAccess(user_id=None, internal=False, organisation_ids=frozenset())
    organisations = (
        applicant_organisation_ids(user, alliance)
        if Role.APPLICANT in roles_in(user, alliance)
        else frozenset()
    )
    return ProjectAccess(user_id=user.pk, internal=False, organisation_ids=organisations)


# --- Applicant portal -----------------------------------------------------------------------------


def can_use_applicant_portal(user: UserLike, alliance: Alliance) -> bool:
    """The list under /<slug>/vorhaben/: applicants and the office work there, the internal circle
    and the ministry may read it (they may read every project anyway)."""
    return can_create_project(user, alliance) or can_view_internal(user, alliance)


class ProjectRights:
    """Every yes/no the pages of one project ask, decided with at most one membership query.

    The same rules as `can_view_project`, `can_edit_project` and `can_perform` (the portal's
    tests prove that they agree for every persona, state and action). `act` is "works on the
    project": its applicant or the office, who may also ask the office for a consultation.
    """

    __slots__ = ("act", "actions", "edit", "view")

    def __init__(self, *, view: bool, act: bool, edit: bool, actions: frozenset[str]) -> None:
        self.view = view
        self.act = act
        self.edit = edit
        self.actions = actions

    def may(self, action: str) -> bool:
        return action in self.actions


def project_rights(user: UserLike, project: Project) -> ProjectRights:
    manages = can_manage(user, project.alliance)
    # Every action open to the applicant is open to the office too: a manager needs no query.
    applicant = not manages and is_project_applicant(user, project)
    actions = frozenset(
        action
        for action, actors in ACTIONS.items()
        if (Actor.OFFICE in actors and manages) or (Actor.APPLICANT in actors and applicant)
    )
    return ProjectRights(
        view=applicant or can_view_internal(user, project.alliance),
        act=manages or applicant,
        edit=manages or (applicant and project.status in APPLICANT_EDITABLE),
        actions=actions,
    )


# --- Office workspace ------------------------------------------------------------------------------


def can_act_in_office_workspace(user: UserLike, alliance: Alliance) -> bool:
    """The office workspace offers its action forms to the office (and platform admins); the rest
    of the internal circle and the ministry read the pipeline without acting on it. Each action is
    still checked with `can_perform`."""
    return can_manage(user, alliance)
