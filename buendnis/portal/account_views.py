"""The login, which leads each person to their work when no `next` names a page."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import reverse

from buendnis.accounts import permissions
from buendnis.accounts.models import Role
from buendnis.accounts.permissions import INTERNAL_ROLES, UserLike
from buendnis.alliances import selectors as alliance_selectors

from .account_forms import LoginForm


def landing_path(user: UserLike) -> str:
    """Where a login without `next` leads: the person's work.

    The ministry and platform admins see every alliance: the overview across them
    (/ministerium/). For platform admins too rather than /admin/: the overview is where their
    work across alliances starts (budgets, projects, recognitions, each alliance one click
    away), the admin is for maintenance and stays one address further. Someone with roles in one
    alliance: its desk (/<slug>/intern/) for the internal circle (office, Sprecherkreis,
    Steuerkreis, advisory members), its applicant portal (/<slug>/vorhaben/) for an applicant.
    Roles in several alliances, or none: the platform's start page, which lists the alliances."""
    if permissions.sees_all_alliances(user):
        return reverse("ministry:overview")
    alliances = alliance_selectors.roles_by_alliance(user)
    if len(alliances) == 1:
        [(alliance, roles)] = alliances.items()
        if roles & INTERNAL_ROLES:
            return reverse("public:internal_dashboard", args=[alliance.slug])
        if Role.APPLICANT in roles:
            return reverse("applicant:project_list", args=[alliance.slug])
    return reverse("public:platform_home")


class LoginView(auth_views.LoginView):
    """Django's login with the platform's form. A `next` that Django accepts (same host, safe
    scheme) still wins; without one, `landing_path`."""

    authentication_form = LoginForm

    def get_default_redirect_url(self) -> str:
        return landing_path(self.request.user)
