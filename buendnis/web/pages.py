"""A page of an alliance: its frame (band, navigation) and who may open it.

Every page below /<slug>/ takes the alliance from the address through
`alliances.selectors.get_alliance_for_user` (404 for an unknown or inactive slug, for everyone,
before anything else). Then:

- `public_page`: everyone reads it; cached publicly for anonymous visitors, privately for
  signed-in ones (`caching`).
- `signed_in_page(...)`: anonymous visitors go to the login and come back (after a POST to the
  page `after_login` names: a POST cannot be replayed); signed-in users without the right
  (`allowed`) get a 403 with the German reason. The alliance itself is public, so the 403
  reveals nothing the public pages do not. Never cached: these pages carry non-public data.
- `internal_page`: a signed-in page of the alliance's internal circle.

The view is then called as `view(request, alliance, **kwargs)`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from django_stubs_ext import StrOrPromise

from buendnis.accounts import permissions
from buendnis.accounts.models import User
from buendnis.accounts.permissions import UserLike
from buendnis.alliances import selectors as alliance_selectors
from buendnis.alliances.models import Alliance
from buendnis.funding import permissions as funding_permissions
from buendnis.ideas import permissions as idea_permissions
from buendnis.office import permissions as office_permissions
from buendnis.onboarding import permissions as onboarding_permissions
from buendnis.privacy import permissions as privacy_permissions

from .caching import public_cache

# (request, alliance, **kwargs) -> response
AllianceView = Callable[..., HttpResponseBase]
# (request, slug, **kwargs) -> response: what the URL conf calls
PageView = Callable[..., HttpResponseBase]
# Who may open a page: (user, alliance) -> yes or no.
Check = Callable[[UserLike, Alliance], bool]
# Where the login sends the visitor back to: (request, slug, the view's kwargs) -> path.
AfterLogin = Callable[[HttpRequest, str, dict[str, Any]], str]

READ = ("GET", "HEAD")
INTERNAL_REFUSED = _("Kein Zugang zum internen Bereich dieses Bündnisses.")


def render_alliance_page(
    request: HttpRequest,
    alliance: Alliance,
    template: str,
    section: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """Render with what the navigation needs; `section` marks the active item (aria-current)."""
    page: dict[str, Any] = {
        "alliance": alliance,
        "section": section,
        "show_internal_nav": permissions.can_view_internal(request.user, alliance),
        "show_applicant_nav": funding_permissions.can_create_project(request.user, alliance),
        # From the roles already read for the request: no query.
        "show_inquiries_nav": office_permissions.can_view_inquiries(request.user, alliance),
        "show_ask_nav": office_permissions.can_ask_office(request.user, alliance),
        "show_ideas_nav": idea_permissions.may_open_pool(request.user, alliance),
        "show_admin_nav": permissions.can_open_admin(request.user, alliance),
        "show_import_nav": onboarding_permissions.can_import(request.user, alliance),
        "show_privacy_nav": privacy_permissions.can_handle_personal_data(request.user, alliance),
    }
    page.update(context or {})
    return render(request, template, page, status=status)


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page everyone may read (GET and HEAD), cached as the module docstring says."""

    @wraps(view)
    @require_safe
    @public_cache
    def wrapper(request: HttpRequest, slug: str, **kwargs: Any) -> HttpResponse:
        return view(request, alliance_selectors.get_alliance_for_user(request.user, slug), **kwargs)

    return wrapper


def this_page(request: HttpRequest, slug: str, kwargs: dict[str, Any]) -> str:
    """Back to the page itself after the login (a GET page; its query string kept)."""
    return request.get_full_path()


def signed_in_page(
    *,
    methods: Sequence[str] = READ,
    allowed: Check | None = None,
    refused: StrOrPromise = INTERNAL_REFUSED,
    after_login: AfterLogin = this_page,
) -> Callable[[AllianceView], PageView]:
    """A page for signed-in users; with `allowed`, only for those it lets in (see the module
    docstring). Methods other than `methods` answer 405."""

    def decorate(view: AllianceView) -> PageView:
        @wraps(view)
        @require_http_methods(list(methods))
        @never_cache
        def wrapper(request: HttpRequest, slug: str, **kwargs: Any) -> HttpResponseBase:
            alliance = alliance_selectors.get_alliance_for_user(request.user, slug)
            if not request.user.is_authenticated:
                return redirect_to_login(after_login(request, slug, kwargs))
            if allowed is not None and not allowed(request.user, alliance):
                raise PermissionDenied(str(refused))
            return view(request, alliance, **kwargs)

        return wrapper

    return decorate


def signed_in_user(request: HttpRequest) -> User:
    """The user of a `signed_in_page`, as the services' actor."""
    user = request.user
    if not isinstance(user, User):  # never: the decorator lets nobody else in
        raise PermissionDenied
    return user


def internal_page(view: AllianceView) -> PageView:
    """A page of the alliance's internal circle (and the ministry, platform admins): GET and
    HEAD."""
    return signed_in_page(allowed=permissions.can_view_internal)(view)
