"""Every permission decision of the platform, in one place.

Views, API and admin ask these functions; nothing else checks roles. Roles per alliance come from
Membership rows; the ministry and platform admins see every alliance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

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


def _roles_by_alliance(user: Any) -> dict[int, frozenset[str]]:
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


def roles_in(user: Any, alliance: Alliance) -> frozenset[str]:
    """The user's roles in this alliance. Cached on the user object for the request."""
    if not _active(user):
        return frozenset()
    return _roles_by_alliance(user).get(alliance.pk, frozenset())


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
    # From the per-request role cache: the admin asks this several times per page.
    return {
        alliance_id
        for alliance_id, roles in _roles_by_alliance(user).items()
        if Role.OFFICE in roles
    }


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


# --- The admin (Django's /admin/) ----------------------------------------------------------------
# Django's own per-model permissions are not used: the office needs none assigned. The admin asks
# these functions instead. Django additionally requires `is_staff` to enter /admin/ at all.


def admin_alliance_ids(user: Any) -> set[int] | None:
    """Alliances whose records the user sees in the admin; None means all of them.

    Ministry (read-only) and platform admins see every alliance; the office sees its own ones.
    Other roles (speakers, members …) work on the site, not in the admin.
    """
    if sees_all_alliances(user):
        return None
    return managed_alliance_ids(user)


def can_enter_admin(user: Any) -> bool:
    """Office of at least one alliance, ministry or platform admin."""
    ids = admin_alliance_ids(user)
    return ids is None or bool(ids)


def can_view_in_admin(user: Any, alliance_id: int | None) -> bool:
    """Read a record of this alliance in the admin (None: a record of no alliance)."""
    ids = admin_alliance_ids(user)
    if ids is None:
        return True
    return alliance_id is not None and alliance_id in ids


def can_manage_any(user: Any) -> bool:
    """Add records in the admin at all: office of some alliance or platform admin."""
    ids = managed_alliance_ids(user)
    return ids is None or bool(ids)


def can_manage_alliance_id(user: Any, alliance_id: int | None) -> bool:
    """Change or delete a record of this alliance (None: a record of no alliance, admins only)."""
    ids = managed_alliance_ids(user)
    if ids is None:
        return True
    return alliance_id is not None and alliance_id in ids


def can_manage_platform(user: Any) -> bool:
    """Create or remove alliances, maintain user accounts: platform admins only."""
    return is_platform_admin(user)


def get_alliance_for_user(user: Any, slug: str, *, internal: bool = False) -> Alliance:
    """Fetch an alliance by slug, or 404. With internal=True the user must see its internal pages;
    outsiders get a 404, not a 403, so the page does not even confirm what exists."""
    from buendnis.alliances.models import Alliance

    try:
        alliance = Alliance.objects.get(slug=slug, is_active=True)
    except Alliance.DoesNotExist as exc:
        raise Http404(_("Bündnis nicht gefunden.")) from exc
    if internal and not can_view_internal(user, alliance):
        raise Http404(_("Bündnis nicht gefunden."))
    return alliance


def can_open_admin(user: Any, alliance: Alliance) -> bool:
    """The internal dashboard links to the admin for those who maintain the alliance there."""
    return can_manage(user, alliance) and bool(user.is_staff)


def sees_structure_problems(user: Any, alliance: Alliance) -> bool:
    """Gaps in Sprecherkreis and Steuerkreis are the office's to fix, so the office is told."""
    return can_manage(user, alliance)


# --- Funding procedure ----------------------------------------------------------------------------


def is_project_applicant(user: Any, project: Any) -> bool:
    """The project's own applicant: holds the applicant role for the project owner organisation
    in the project's alliance, or created the project."""
    if not _active(user):
        return False
    if project.created_by_id == user.pk:
        return True
    return Membership.objects.filter(
        user=user, alliance_id=project.alliance_id, role=Role.APPLICANT,
        organisation_id=project.applicant_organisation_id,
    ).exists()


def can_view_project(user: Any, project: Any) -> bool:
    """All of a project (non-public fields included): its applicant and the internal circle."""
    return can_view_internal(user, project.alliance) or is_project_applicant(user, project)


def can_view_project_publicly(project: Any) -> bool:
    from buendnis.funding.states import PUBLIC_STATES

    return project.status in PUBLIC_STATES


def can_create_project(user: Any, alliance: Alliance) -> bool:
    """Applicants of the alliance and its office start projects."""
    return can_manage(user, alliance) or Role.APPLICANT in roles_in(user, alliance)


def can_edit_project(user: Any, project: Any) -> bool:
    from buendnis.funding.states import APPLICANT_EDITABLE

    if can_manage(user, project.alliance):
        return True
    return project.status in APPLICANT_EDITABLE and is_project_applicant(user, project)


def can_perform(user: Any, project: Any, action: str) -> bool:
    """May the user trigger this action of the procedure on this project (whatever its state)?"""
    from buendnis.funding.states import ACTIONS, Actor

    allowed = ACTIONS.get(action, frozenset())
    if Actor.OFFICE in allowed and can_manage(user, project.alliance):
        return True
    return Actor.APPLICANT in allowed and is_project_applicant(user, project)


def can_view_budget(user: Any, alliance: Alliance) -> bool:
    """The budget dashboard: the internal circle and the ministry. The public sees the totals on
    the phases page."""
    return can_view_internal(user, alliance)
