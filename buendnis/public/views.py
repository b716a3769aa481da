"""The transparency site of every alliance, and the small internal area of its circle.

Views stay thin: the alliance comes from `permissions.get_alliance_for_user` (404 for unknown or
inactive slugs), every read goes through `alliances.selectors`, every yes/no about a user through
`accounts.permissions`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from buendnis.accounts import permissions
from buendnis.accounts.models import Role
from buendnis.alliances import selectors
from buendnis.alliances.models import Alliance

from .rendering import render_alliance_page

AllianceView = Callable[[HttpRequest, Alliance], HttpResponse]


def _render(
    request: HttpRequest,
    alliance: Alliance,
    template: str,
    section: str,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    return render_alliance_page(request, alliance, template, section, context)


def public_page(view: AllianceView) -> Callable[..., HttpResponse]:
    """A page everyone may read: the alliance by slug, 404 when unknown or inactive."""

    @wraps(view)
    @require_safe
    def wrapper(request: HttpRequest, slug: str) -> HttpResponse:
        return view(request, permissions.get_alliance_for_user(request.user, slug))

    return wrapper


def internal_page(view: AllianceView) -> Callable[..., HttpResponse]:
    """A page of the alliance's internal circle.

    Anonymous visitors are sent to the login (and back); signed-in users without the right get a
    403. The alliance itself is public, so the 403 reveals nothing the public pages do not.
    Responses are never cached: they carry contact data."""

    @wraps(view)
    @require_safe
    @never_cache
    def wrapper(request: HttpRequest, slug: str) -> HttpResponse:
        alliance = permissions.get_alliance_for_user(request.user, slug)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not permissions.can_view_internal(request.user, alliance):
            raise PermissionDenied(_("Kein Zugang zum internen Bereich dieses Bündnisses."))
        return view(request, alliance)

    return wrapper


@require_safe
def platform_home(request: HttpRequest) -> HttpResponse:
    return render(request, "public/platform_home.html", {"alliances": selectors.alliance_list()})


@public_page
def alliance_home(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    _phases, phase = selectors.phase_overview(alliance)
    return _render(request, alliance, "public/alliance_home.html", "home", {"phase": phase})


@public_page
def bodies(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    overview = selectors.bodies_overview(alliance)
    return _render(request, alliance, "public/bodies.html", "bodies", {"overview": overview})


@public_page
def partners(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    _phases, phase = selectors.phase_overview(alliance)
    groups = selectors.partners_by_group(alliance, phase) if phase is not None else []
    total = sum(len(entry.organisations) for entry in groups)
    return _render(
        request,
        alliance,
        "public/partners.html",
        "partners",
        {"phase": phase, "groups": groups, "total": total},
    )


@public_page
def action_fields(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    _phases, phase = selectors.phase_overview(alliance)
    fields = selectors.action_fields_of(phase) if phase is not None else []
    return _render(
        request,
        alliance,
        "public/action_fields.html",
        "action_fields",
        {"phase": phase, "fields": fields},
    )


@public_page
def phases(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    phase_list, current = selectors.phase_overview(alliance)
    return _render(
        request,
        alliance,
        "public/phases.html",
        "phases",
        {"phases": phase_list, "current": current},
    )


@internal_page
def internal_dashboard(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    _phases, phase = selectors.phase_overview(alliance)
    show_problems = permissions.sees_structure_problems(request.user, alliance)
    roles = permissions.roles_in(request.user, alliance)
    context = {
        "phase": phase,
        "overview": selectors.bodies_overview(alliance),
        "role_labels": [label for value, label in Role.choices if value in roles],
        "is_ministry": permissions.is_ministry(request.user),
        "is_platform_admin": permissions.is_platform_admin(request.user),
        "can_open_admin": permissions.can_open_admin(request.user, alliance),
        "show_problems": show_problems,
        "problems": selectors.structure_problems(alliance) if show_problems else [],
    }
    return _render(request, alliance, "public/internal_dashboard.html", "internal", context)


@internal_page
def internal_contacts(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    if not permissions.can_view_contacts(request.user, alliance):
        raise PermissionDenied(_("Kein Zugang zu den Kontaktdaten dieses Bündnisses."))
    organisations = selectors.contacts_by_organisation(alliance)
    return _render(
        request,
        alliance,
        "public/internal_contacts.html",
        "contacts",
        {"organisations": organisations},
    )
