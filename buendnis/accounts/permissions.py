"""Every permission decision of the platform, in one place.

Views, API and admin ask these functions; nothing else checks roles. Roles per alliance come from
Membership rows; the ministry and platform admins see every alliance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q, QuerySet
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
        user=user,
        alliance_id=project.alliance_id,
        role=Role.APPLICANT,
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


def applicant_organisation_ids(user: Any, alliance: Alliance) -> frozenset[int]:
    """Organisations of this alliance the user applies for (applicant role with an organisation).
    One query, none for anonymous or inactive users."""
    if not _active(user):
        return frozenset()
    return frozenset(
        Membership.objects.filter(
            user=user, alliance=alliance, role=Role.APPLICANT, organisation__isnull=False
        ).values_list("organisation_id", flat=True)
    )


if TYPE_CHECKING:
    from django.db.models import Q


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
        from django.db.models import Q

        from buendnis.funding.states import PUBLIC_STATES

        if self.internal:
            return Q()
        seen = Q(status__in=PUBLIC_STATES)
        if self.user_id is not None:
            seen |= Q(created_by_id=self.user_id)
        if self.organisation_ids:
            seen |= Q(applicant_organisation_id__in=self.organisation_ids)
        return seen

    def sees_everything_of(self, project: Any) -> bool:
        """Non-public fields too (`can_view_project`), from the project row alone."""
        return (
            self.internal
            or (self.user_id is not None and project.created_by_id == self.user_id)
            or project.applicant_organisation_id in self.organisation_ids
        )


def project_access(user: Any, alliance: Alliance) -> ProjectAccess:
    """The internal circle, the ministry and admins see every project of the alliance, with every
    field; an applicant sees the public ones and, with every field, their own; everyone else the
    public ones (states.PUBLIC_STATES)."""
    if can_view_internal(user, alliance):
        return ProjectAccess(user_id=user.pk, internal=True, organisation_ids=frozenset())
    if not _active(user):
        return ProjectAccess(user_id=None, internal=False, organisation_ids=frozenset())
    organisations = (
        applicant_organisation_ids(user, alliance)
        if Role.APPLICANT in roles_in(user, alliance)
        else frozenset()
    )
    return ProjectAccess(user_id=user.pk, internal=False, organisation_ids=organisations)


def can_create_project_for(user: Any, alliance: Alliance, organisation: Any) -> bool:
    """The office (and admins) start projects for any organisation of the alliance; an applicant
    only for an organisation they apply for."""
    if organisation.alliance_id != alliance.pk or not can_create_project(user, alliance):
        return False
    return can_manage(user, alliance) or organisation.pk in applicant_organisation_ids(
        user, alliance
    )


# --- API tokens -----------------------------------------------------------------------------------


def can_use_api_token(user: Any) -> bool:
    """A token acts as its user, so it opens nothing the user could not log in to: inactive
    accounts and, in production, demo logins are refused."""
    return _active(user)


def sees_all_api_tokens(user: Any) -> bool:
    """Tokens are account matters: platform admins maintain them, the ministry reads them; every
    other admin user sees their own."""
    return sees_all_alliances(user)


def can_revoke_api_token(user: Any, token: Any) -> bool:
    """Platform admins revoke any token; everyone their own."""
    return is_platform_admin(user) or (_active(user) and token.user_id == user.pk)


# --- Applicant portal -----------------------------------------------------------------------------


def can_use_applicant_portal(user: Any, alliance: Alliance) -> bool:
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


def project_rights(user: Any, project: Any) -> ProjectRights:
    from buendnis.funding.states import ACTIONS, APPLICANT_EDITABLE, Actor

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


def can_act_in_office_workspace(user: Any, alliance: Alliance) -> bool:
    """The office workspace offers its action forms to the office (and platform admins); the rest
    of the internal circle and the ministry read the pipeline without acting on it. Each action is
    still checked with `can_perform`."""
    return can_manage(user, alliance)


# --- Meetings and circulations ------------------------------------------------------------------


def can_view_meetings(user: Any, alliance: Alliance) -> bool:
    """Agendas with their non-public items, attendance, decisions and draft minutes: the
    internal circle and the ministry."""
    return can_view_internal(user, alliance)


def can_manage_meetings(user: Any, alliance: Alliance) -> bool:
    """Plan, invite, record attendance and decisions, write minutes, open circulations."""
    return can_manage(user, alliance)


def can_view_meeting_publicly(meeting: Any) -> bool:
    """A meeting with a public part has a public page and sits in the body's public calendar;
    everything non-public of it (items, notes, the non-public minutes) stays internal."""
    return bool(meeting.has_public_part)


def is_agenda_published(meeting: Any) -> bool:
    """The public agenda goes out with the invitation: before it, the agenda is the office's
    draft and the public sees only date and place."""
    return can_view_meeting_publicly(meeting) and meeting.invited_at is not None


def published_decisions_q() -> Q:
    """`is_agenda_published` and a public item, as a filter on Decision: the decisions the public
    sees, chosen in the database (the decisions API never loads the others)."""
    return Q(
        item__is_public=True,
        item__meeting__has_public_part=True,
        item__meeting__invited_at__isnull=False,
    )


def published_circulations_q() -> Q:
    """Circulations whose result the office made public (`Circulation.is_public`)."""
    return Q(is_public=True)


def public_projects_q(prefix: str = "") -> Q:
    """`can_view_project_publicly` as a filter, on a relation to Project named by `prefix`."""
    from buendnis.funding.states import PUBLIC_STATES

    return Q(**{f"{prefix}status__in": PUBLIC_STATES})


def can_view_meeting_calendar(user: Any, meeting: Any) -> bool:
    """One meeting's calendar entry: public meetings for everyone, the others for the internal
    circle (who get every item)."""
    return can_view_meeting_publicly(meeting) or can_view_meetings(user, meeting.alliance)


def can_subscribe_meetings(user: Any, alliance: Alliance) -> bool:
    """A private calendar address with every meeting and every item of both bodies. Checked when
    the address is made and on every fetch: an account that lost its access (or was
    deactivated) gets nothing from an address made earlier."""
    return can_view_meetings(user, alliance)


def can_view_meeting_document(user: Any, alliance: Alliance) -> bool:
    """Papers uploaded to agenda items: the internal circle, like the agendas they belong to."""
    return can_view_meetings(user, alliance)


def answering_organisation_ids(user: Any, alliance: Alliance) -> frozenset[int]:
    """Organisations this user answers circulations for: the organisation of each steering-
    committee role the user holds in the alliance. Whether the organisation has a vote is the
    circulation's question."""
    if not _active(user):
        return frozenset()
    return frozenset(
        Membership.objects.filter(
            user=user, alliance=alliance, role=Role.STEERING, organisation__isnull=False
        ).values_list("organisation_id", flat=True)
    )


# --- Public site: messages from the contact form ---------------------------------------------------


def can_view_contact_messages(user: Any, alliance: Alliance) -> bool:
    """Messages sent through the contact page carry a sender's name and address: the internal
    circle (and the ministry, platform admins) reads them, the public never."""
    return can_view_internal(user, alliance)


def can_handle_contact_messages(user: Any, alliance: Alliance) -> bool:
    """Marking a message handled is the office's work (and the platform admins')."""
    return can_manage(user, alliance)
