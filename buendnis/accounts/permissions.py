"""Identity and roles: who someone is on the platform and what they may do in an alliance.

Roles per alliance come from Membership rows; the ministry and platform admins see every alliance.
The rules of a domain build on these and live beside it: projects in `funding.permissions`, the
budget in `budget.permissions`, meetings and circulations in `meetings.permissions`, the
office's inbox of inquiries in `office.permissions`. Views, API and admin ask those functions;
nothing else checks roles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, QuerySet

from .models import ApiToken, Membership, PlatformRole, Role, User

if TYPE_CHECKING:
    from buendnis.alliances.models import Alliance

# Whoever a request comes from: `request.user` outside and inside the API.
type UserLike = User | AnonymousUser

# Roles that make someone part of the alliance's internal circle (internal pages, contact list).
INTERNAL_ROLES = frozenset({Role.OFFICE, Role.SPEAKER, Role.STEERING, Role.ADVISORY})


def is_active_user(user: UserLike | None) -> TypeGuard[User]:
    """A logged-in account that may use its roles. Every right below starts here."""
    if not (isinstance(user, User) and user.is_authenticated and user.is_active):
        return False
    # Demo logins are public knowledge; in production they are worth nothing.
    return not (user.is_demo and not settings.BUENDNIS_ALLOW_DEMO_LOGINS)


def is_platform_admin(user: UserLike) -> bool:
    return is_active_user(user) and (user.is_superuser or user.platform_role == PlatformRole.ADMIN)


def is_ministry(user: UserLike) -> bool:
    return is_active_user(user) and user.platform_role == PlatformRole.MINISTRY


def sees_all_alliances(user: UserLike) -> bool:
    """Ministry (read-only) and platform admins look across every alliance."""
    return is_platform_admin(user) or is_ministry(user)


def can_view_overview(user: UserLike) -> bool:
    """The overview across every alliance (/ministerium/, the API's overview/): the ministry and
    platform admins; an alliance's own office sees its alliance, not the others."""
    return sees_all_alliances(user)


def _roles_by_alliance(user: User) -> dict[int, frozenset[str]]:
    """Every role of the user, by alliance id. Cached on the user object for the request."""
    cache: dict[int, frozenset[str]] | None = getattr(user, "_buendnis_roles", None)
    if cache is None:
        cache = {}
        for alliance_id, role in Membership.objects.filter(user=user).values_list(
            "alliance_id", "role"
        ):
            cache[alliance_id] = cache.get(alliance_id, frozenset()) | {role}
        user._buendnis_roles = cache
    return cache


def roles_in(user: UserLike, alliance: Alliance) -> frozenset[str]:
    """The user's roles in this alliance. Cached on the user object for the request."""
    if not is_active_user(user):
        return frozenset()
    return _roles_by_alliance(user).get(alliance.pk, frozenset())


def can_view_internal(user: UserLike, alliance: Alliance) -> bool:
    """Internal pages of an alliance: its own circle, the ministry and platform admins."""
    return sees_all_alliances(user) or bool(roles_in(user, alliance) & INTERNAL_ROLES)


def can_view_contacts(user: UserLike, alliance: Alliance) -> bool:
    """People's e-mail and phone numbers are for the alliance's circle, never for the public."""
    return can_view_internal(user, alliance)


def can_manage(user: UserLike, alliance: Alliance) -> bool:
    """Maintain the alliance's structure (organisations, phases, seats …): office and admins only."""
    return is_platform_admin(user) or Role.OFFICE in roles_in(user, alliance)


def can_view_audit(user: UserLike, alliance: Alliance) -> bool:
    return can_manage(user, alliance) or is_ministry(user)


def has_internal_role(user: UserLike) -> bool:
    """Someone who sees more than the public and an applicant: staff (the admin), the ministry,
    platform admins, and the internal circle of any alliance. Their sessions end after a time
    without a request (accounts/idle.py)."""
    if not is_active_user(user):
        return False
    return (
        user.is_staff
        or sees_all_alliances(user)
        or any(roles & INTERNAL_ROLES for roles in _roles_by_alliance(user).values())
    )


def managed_alliance_ids(user: UserLike) -> set[int] | None:
    """Alliances whose records this user may change; None means all of them."""
    if is_platform_admin(user):
        return None
    if not is_active_user(user):
        return set()
    # From the per-request role cache: the admin asks this several times per page.
    return {
        alliance_id
        for alliance_id, roles in _roles_by_alliance(user).items()
        if Role.OFFICE in roles
    }


def must_use_two_factor(user: UserLike) -> bool:
    """Two-factor login is required of the office of any alliance, the ministry and the
    platform's admins and staff (the admin site): they see people's data and release money.
    Everyone else may use it. Query: the roles, from the per-request cache."""
    if not is_active_user(user):
        return False
    if user.is_staff or sees_all_alliances(user):
        return True
    return any(Role.OFFICE in roles for roles in _roles_by_alliance(user).values())


def visible_alliance_ids(user: UserLike) -> set[int] | None:
    """Alliances whose internal records this user may read; None means all of them."""
    if sees_all_alliances(user):
        return None
    if not is_active_user(user):
        return set()
    return set(
        Membership.objects.filter(user=user, role__in=INTERNAL_ROLES).values_list(
            "alliance_id", flat=True
        )
    )


def limit_to_alliances[M: Model](
    queryset: QuerySet[M], ids: set[int] | None, field: str = "alliance"
) -> QuerySet[M]:
    if ids is None:
        return queryset
    return queryset.filter(**{f"{field}__in": ids})


# --- The admin (Django's /admin/) ----------------------------------------------------------------
# Django's own per-model permissions are not used: the office needs none assigned. The admin asks
# these functions instead. Django additionally requires `is_staff` to enter /admin/ at all.


def admin_alliance_ids(user: UserLike) -> set[int] | None:
    """Alliances whose records the user sees in the admin; None means all of them.

    Ministry (read-only) and platform admins see every alliance; the office sees its own ones.
    Other roles (speakers, members …) work on the site, not in the admin.
    """
    if sees_all_alliances(user):
        return None
    return managed_alliance_ids(user)


def can_enter_admin(user: UserLike) -> bool:
    """Office of at least one alliance, ministry or platform admin."""
    ids = admin_alliance_ids(user)
    return ids is None or bool(ids)


def can_view_in_admin(user: UserLike, alliance_id: int | None) -> bool:
    """Read a record of this alliance in the admin (None: a record of no alliance)."""
    ids = admin_alliance_ids(user)
    if ids is None:
        return True
    return alliance_id is not None and alliance_id in ids


def can_manage_any(user: UserLike) -> bool:
    """Add records in the admin at all: office of some alliance or platform admin."""
    ids = managed_alliance_ids(user)
    return ids is None or bool(ids)


def can_manage_alliance_id(user: UserLike, alliance_id: int | None) -> bool:
    """Change or delete a record of this alliance (None: a record of no alliance, admins only)."""
    ids = managed_alliance_ids(user)
    if ids is None:
        return True
    return alliance_id is not None and alliance_id in ids


def can_manage_platform(user: UserLike) -> bool:
    """Create or remove alliances, maintain user accounts: platform admins only."""
    return is_platform_admin(user)


def can_open_admin(user: UserLike, alliance: Alliance) -> bool:
    """The internal dashboard links to the admin for those who maintain the alliance there."""
    return can_manage(user, alliance) and bool(user.is_staff)


def sees_structure_problems(user: UserLike, alliance: Alliance) -> bool:
    """Gaps in Sprecherkreis and Steuerkreis are the office's to fix, so the office is told."""
    return can_manage(user, alliance)


# --- Applicants -----------------------------------------------------------------------------------


def organisation_ids_in_role(user: UserLike, alliance: Alliance, role: str) -> frozenset[int]:
    """The organisations of this alliance for which the user holds `role` (memberships with an
    organisation). One query, none for anonymous or inactive users."""
    if not is_active_user(user):
        return frozenset()
    return frozenset(
        Membership.objects.filter(
            user=user, alliance=alliance, role=role, organisation__isnull=False
        ).values_list("organisation_id", flat=True)
    )


def applicant_organisation_ids(user: UserLike, alliance: Alliance) -> frozenset[int]:
    """Organisations of this alliance the user applies for (applicant role with an organisation)."""
    return organisation_ids_in_role(user, alliance, Role.APPLICANT)


# --- API tokens -----------------------------------------------------------------------------------


def can_use_api_token(user: UserLike) -> bool:
    """A token acts as its user, so it opens nothing the user could not log in to: inactive
    accounts and, in production, demo logins are refused."""
    return is_active_user(user)


def sees_all_api_tokens(user: UserLike) -> bool:
    """Tokens are account matters: platform admins maintain them, the ministry reads them; every
    other admin user sees their own."""
    return sees_all_alliances(user)


def can_revoke_api_token(user: UserLike, token: ApiToken) -> bool:
    """Platform admins revoke any token; everyone their own."""
    return is_platform_admin(user) or (is_active_user(user) and token.user_id == user.pk)
