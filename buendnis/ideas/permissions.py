"""Who may see, post, edit and coordinate ideas of the pool.

Built on the roles of `accounts.permissions`. The pool is the alliance's internal circle's (and
the ministry's, read-only); an applicant posts ideas for the organisations they apply for and sees
those, never the rest of the pool; the office coordinates (links, merges, brings authors together,
turns an idea into a project, deletes). Views, API and services ask these functions.
"""

from __future__ import annotations

from django.db.models import Q

from buendnis.accounts.models import Role
from buendnis.accounts.permissions import (
    UserLike,
    applicant_organisation_ids,
    can_manage,
    can_view_internal,
    is_active_user,
    is_ministry,
    roles_in,
)
from buendnis.alliances.models import Alliance, Organisation

from .models import ACTIVE_STATUSES, Idea


def can_view_pool(user: UserLike, alliance: Alliance) -> bool:
    """Every idea of the alliance: its internal circle, the ministry and platform admins."""
    return can_view_internal(user, alliance)


def may_open_pool(user: UserLike, alliance: Alliance) -> bool:
    """The pool's pages: whoever reads it, and applicants (their organisations' ideas). From the
    roles already read for the request: no query (the navigation asks on every page)."""
    return can_view_pool(user, alliance) or Role.APPLICANT in roles_in(user, alliance)


def can_post_idea(user: UserLike, alliance: Alliance) -> bool:
    """Partners post ideas: every internal role, and applicants (for their organisation). The
    ministry reads only."""
    if not is_active_user(user) or is_ministry(user):
        return False
    if can_manage(user, alliance):
        return True
    return bool(roles_in(user, alliance) & {Role.SPEAKER, Role.STEERING, Role.ADVISORY}) or (
        Role.APPLICANT in roles_in(user, alliance)
        and bool(applicant_organisation_ids(user, alliance))
    )


def can_post_idea_for(
    user: UserLike, alliance: Alliance, organisation: Organisation | None
) -> bool:
    """An applicant names one of their own organisations; the internal circle any of the
    alliance's (or none)."""
    if not can_post_idea(user, alliance):
        return False
    if organisation is not None and organisation.alliance_id != alliance.pk:
        return False
    if can_view_pool(user, alliance):
        return True
    return organisation is not None and organisation.pk in applicant_organisation_ids(
        user, alliance
    )


def is_idea_author(user: UserLike, idea: Idea) -> bool:
    """Who brought the idea in: its author, a co-author (kept from a merge), or an applicant of
    the idea's organisation."""
    if not is_active_user(user):
        return False
    if idea.author_id == user.pk or idea.co_authors.filter(pk=user.pk).exists():
        return True
    return idea.organisation_id is not None and idea.organisation_id in applicant_organisation_ids(
        user, idea.alliance
    )


def can_view_idea(user: UserLike, idea: Idea) -> bool:
    return can_view_pool(user, idea.alliance) or is_idea_author(user, idea)


def can_edit_idea(user: UserLike, idea: Idea) -> bool:
    """Its authors while it is open or in talks, and the office."""
    if is_ministry(user):
        return False
    if can_manage(user, idea.alliance):
        return True
    return idea.status in ACTIVE_STATUSES and is_idea_author(user, idea)


def can_withdraw_idea(user: UserLike, idea: Idea) -> bool:
    return can_edit_idea(user, idea) and idea.status in ACTIVE_STATUSES


def can_coordinate_ideas(user: UserLike, alliance: Alliance) -> bool:
    """Linking, merging, introducing authors to each other, turning an idea into a project,
    setting a status, deleting: the office's work as the alliance's hub."""
    return can_manage(user, alliance)


def visible_ideas_q(user: UserLike, alliance: Alliance) -> Q:
    """`can_view_idea` as a filter on the alliance's ideas."""
    if can_view_pool(user, alliance):
        return Q()
    if not is_active_user(user):
        return Q(pk__in=[])
    # A subquery, not a join over co-authors: no duplicate rows, no DISTINCT.
    co_authored = Idea.co_authors.through.objects.filter(user_id=user.pk).values("idea_id")
    seen = Q(author_id=user.pk) | Q(pk__in=co_authored)
    organisations = applicant_organisation_ids(user, alliance)
    if organisations:
        seen |= Q(organisation_id__in=organisations)
    return seen
