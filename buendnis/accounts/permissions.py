"""Every permission decision of the platform, in one place.

Views, API and admin ask these functions; nothing else checks roles. Roles per alliance come from
Membership rows; the ministry and platform admins see every alliance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from .models import Membership, PlatformRole, Role

if TYPE_CHECKING:
    from buendnis.alliances.models import Alliance

# Roles that make someone part of the alliance's internal circle (internal pages, contact list).
INTERNAL_ROLES = frozenset({Role.OFFICE, Role.SPEAKER, Role.STEERING, Role.ADVISORY})


def _active(user: Any) -> bool:
    if not (user is not None and user.is_authenticated and user.is_active):
        return False
    # Demo logins are public knowledge; in production they are worth nothing.
    return not (user.is_demo and not settings.BUENDNIS_ALLOW_DEMO_LOGINS)


def is_platform_admin(user: Any) -> bool:
    return _active(user) and (user.is_superuser or user.platform_role == PlatformRole.ADMIN)


def is_ministry(user: Any) -> bool:
    return _active(user) and user.platform_role == PlatformRole.MINISTRY


def sees_all_alliances(user: Any) -> bool:
    """Ministry (read-only) and platform admins look across every alliance."""
    return is_platform_admin(user) or is_ministry(user)


def roles_in(user: Any, alliance: Alliance) -> frozenset[str]:
    """The user's roles in this alliance. Cached on the user object for the request."""
    if not _active(user):
        return frozenset()
    cache: dict[int, frozenset[str]] | None = getattr(user, "_buendnis_roles", None)
    if cache is None:
        cache = {}
        for alliance_id, role in Membership.objects.filter(user=user).values_list(
            "alliance_id", "role"
        ):
            cache[alliance_id] = cache.get(alliance_id, frozenset()) | {role}
        user._buendnis_roles = cache
    return cache.get(alliance.pk, frozenset())


def can_view_internal(user: Any, alliance: Alliance) -> bool:
    """Internal pages of an alliance: its own circle, the ministry and platform admins."""
    return sees_all_alliances(user) or bool(roles_in(user, alliance) & INTERNAL_ROLES)


def can_view_contacts(user: Any, alliance: Alliance) -> bool:
    """People's e-mail and phone numbers are for the alliance's circle, never for the public."""
    return can_view_internal(user, alliance)


def can_manage(user: Any, alliance: Alliance) -> bool:
    """Maintain the alliance's structure (organisations, phases, seats …): office and admins only."""
    return is_platform_admin(user) or Role.OFFICE in roles_in(user, alliance)


def can_view_audit(user: Any, alliance: Alliance) -> bool:
    return can_manage(user, alliance) or is_ministry(user)


def managed_alliance_ids(user: Any) -> set[int] | None:
    """Alliances whose records this user may change; None means all of them."""
    if is_platform_admin(user):
        return None
    if not _active(user):
        return set()
    return set(
        Membership.objects.filter(user=user, role=Role.OFFICE).values_list("alliance_id", flat=True)
    )


def visible_alliance_ids(user: Any) -> set[int] | None:
    """Alliances whose internal records this user may read; None means all of them."""
    if sees_all_alliances(user):
        return None
    if not _active(user):
        return set()
    return set(
        Membership.objects.filter(user=user, role__in=INTERNAL_ROLES).values_list(
            "alliance_id", flat=True
        )
    )


def limit_to_alliances(
    queryset: QuerySet[Any], ids: set[int] | None, field: str = "alliance"
) -> QuerySet[Any]:
    if ids is None:
        return queryset
    return queryset.filter(**{f"{field}__in": ids})


def get_alliance_for_user(user: Any, slug: str, *, internal: bool = False) -> Alliance:
    """Fetch an alliance by slug, or 404. With internal=True the user must see its internal pages;
    outsiders get a 404, not a 403, so the page does not even confirm what exists."""
    from buendnis.alliances.models import Alliance

    try:
        alliance = Alliance.objects.get(slug=slug, is_active=True)
    except Alliance.DoesNotExist as exc:
        raise Http404("Bündnis nicht gefunden.") from exc
    if internal and not can_view_internal(user, alliance):
        raise Http404("Bündnis nicht gefunden.")
    return alliance
