"""The login, which leads each person to their work when no `next` names a page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpResponse
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _

from buendnis.accounts import permissions, twofactor
from buendnis.accounts.models import Role
from buendnis.accounts.permissions import INTERNAL_ROLES, UserLike
from buendnis.alliances import selectors as alliance_selectors
from buendnis.core.client import client_ip
from buendnis.core.rate_limit import RateLimit

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

    def get_success_url(self) -> str:
        """The password was right. Whoever has an authenticator app gives its code next, whoever
        must use one and has none sets it up (TwoFactorMiddleware would send them there anyway;
        this spares the detour), both carrying the page they asked for."""
        target = super().get_success_url()
        user = self.request.user
        if twofactor.has_two_factor(user):  # type: ignore[arg-type]
            step = "accounts:two_factor_verify"
        elif permissions.must_use_two_factor(user):
            step = "accounts:two_factor"
        else:
            return target
        return f"{reverse(step)}?{urlencode({'next': target})}"


# A reset sends a mail: five requests per client address in ten minutes (as the contact form),
# three per address an hour. Counted for every address alike, with an account or without, so
# that the limit tells nothing about which addresses have one.
RESET_CLIENT_LIMIT = RateLimit("password-reset-client", 5, 10 * 60)
RESET_ADDRESS_LIMIT = RateLimit("password-reset-address", 3, 60 * 60)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset by mail, rate-limited per client address and per address."""

    success_url = reverse_lazy("accounts:password_reset_done")
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        client = client_ip(self.request)
        address = form.cleaned_data["email"].strip().lower()
        if RESET_CLIENT_LIMIT.exceeded(client) or RESET_ADDRESS_LIMIT.exceeded(address):
            form.add_error(
                None,
                _(
                    "In kurzer Zeit wurden zu viele neue Passwörter angefordert, von Ihrem "
                    "Anschluss oder für diese E-Mail-Adresse. Bitte versuchen Sie es in einer "
                    "Stunde noch einmal."
                ),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        RESET_CLIENT_LIMIT.count(client)
        RESET_ADDRESS_LIMIT.count(address)
        return super().form_valid(form)
