"""Who takes which step of the alliance's cycle.

The office prepares the phase, revises the strategy, asks the partners and applies; a partner's
own people answer for their organisation; the ministry (and platform admins) decide on
recognition and change nothing else; the internal circle reads along.
"""

from __future__ import annotations

from buendnis.accounts.models import Membership
from buendnis.accounts.permissions import (
    UserLike,
    can_manage,
    can_view_internal,
    is_active_user,
    is_ministry,
    is_platform_admin,
)
from buendnis.alliances.models import Alliance, Person

from .models import SignatureRequest


def can_view_cycle(user: UserLike, alliance: Alliance) -> bool:
    """The phase in preparation, its strategy drafts, the signatures: the internal circle, the
    ministry and platform admins."""
    return can_view_internal(user, alliance)


def can_prepare(user: UserLike, alliance: Alliance) -> bool:
    """Open and edit a phase, revise its strategy, ask partners, apply: the office."""
    return can_manage(user, alliance)


def can_decide_recognition(user: UserLike) -> bool:
    """Recognise a phase, ask for changes, refuse: the ministry, and platform admins (who run
    the deployment for it). Nobody of an alliance decides on its own recognition."""
    return is_ministry(user) or is_platform_admin(user)


def organisation_ids_of(user: UserLike, alliance: Alliance) -> frozenset[int]:
    """The organisations a user speaks for in the alliance: a role with the organisation, or a
    contact person's record linked to the login. Two queries, none for anonymous users."""
    if not is_active_user(user):
        return frozenset()
    by_role = Membership.objects.filter(
        user=user, alliance=alliance, organisation__isnull=False
    ).values_list("organisation_id", flat=True)
    by_person = Person.objects.filter(user=user, alliance=alliance).values_list(
        "organisation_id", flat=True
    )
    return frozenset(by_role) | frozenset(by_person)


def can_answer_request(user: UserLike, request: SignatureRequest) -> bool:
    """Record a partner's answer (pending, signed, declined): the office, or the partner's own
    people for their organisation."""
    alliance = request.phase.alliance
    return can_manage(user, alliance) or request.organisation_id in organisation_ids_of(
        user, alliance
    )
