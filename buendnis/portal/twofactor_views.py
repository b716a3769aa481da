"""Two-factor login: the code step after the password, and the account's settings page (set up
the app, show and renew recovery codes, turn it off). The rules live in
`buendnis.accounts.twofactor`; `accounts.middleware.TwoFactorMiddleware` sends people here.

Everything here is one person's own: never cached, a CSRF token on every form. Recovery codes
are shown once, in the answer to the POST that made them, and never again.
"""

from __future__ import annotations

import logging
from base64 import b32encode
from urllib.parse import urlencode

import django_otp
import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from buendnis.accounts import permissions, twofactor
from buendnis.core.forms import add_service_errors
from buendnis.web.pages import signed_in_user

from .account_views import landing_path
from .twofactor_forms import CodeForm, DisableForm, SetupConfirmForm

logger = logging.getLogger(__name__)


def _next(request: HttpRequest) -> str:
    """Where to go after the step: a local `next`, else the person's work."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return landing_path(request.user)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """/konto/anmelden/code/: the second step of the login."""
    user = signed_in_user(request)
    if user.is_verified() or not twofactor.has_two_factor(user):  # type: ignore[attr-defined]
        return redirect(_next(request))
    status = 200
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        status = 400
        if form.is_valid():
            device = twofactor.code_check(user=user, code=form.cleaned_data["code"])
            if device is not None:
                django_otp.login(request, device)
                if not isinstance(device, TOTPDevice):
                    left = twofactor.recovery_codes_left(user)
                    messages.warning(
                        request,
                        _(
                            "Sie haben sich mit einem Wiederherstellungscode angemeldet; "
                            "%(left)s sind noch übrig. Erneuern Sie sie unter "
                            "„Zwei-Faktor-Anmeldung“, wenn sie zur Neige gehen."
                        )
                        % {"left": left},
                    )
                return redirect(_next(request))
            # Logged with the user's id only: the code itself never goes into a log.
            logger.warning("two-factor code refused for user %s", user.pk)
            form.add_error(
                "code",
                _("Der Code stimmt nicht oder wurde schon benutzt. Bitte versuchen Sie es erneut."),
            )
            if twofactor.is_throttled(user):
                form.add_error(
                    None,
                    _(
                        "Nach falschen Codes wartet die Anmeldung kurz; bitte geben Sie den "
                        "nächsten Code in einigen Sekunden ein."
                    ),
                )
    context = {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")}
    return render(request, "portal/twofactor/verify.html", context, status=status)


def _unverified(request: HttpRequest) -> bool:
    """Has an app, but this session has not given a code yet. The settings are open to such a
    session (the middleware lets them through for the set-up), so they ask themselves."""
    user = signed_in_user(request)
    return not user.is_verified() and twofactor.has_two_factor(user)  # type: ignore[attr-defined]


def _qr_svg(device: TOTPDevice) -> str:
    """The otpauth address as an inline SVG (segno, no external host; CSP allows inline SVG)."""
    svg: str = segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", border=2
    )
    return mark_safe(svg)  # noqa: S308 - segno's own markup; the address holds no user HTML


def _settings_context(request: HttpRequest, **extra: object) -> dict[str, object]:
    user = signed_in_user(request)
    enabled = twofactor.has_two_factor(user)
    pending = None if enabled else twofactor.pending_device(user)
    context: dict[str, object] = {
        "enabled": enabled,
        "required": permissions.must_use_two_factor(user),
        "pending": pending,
        "codes_left": twofactor.recovery_codes_left(user) if enabled else 0,
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    if pending is not None:
        secret = b32encode(pending.bin_key).decode()
        context.update(
            qr=_qr_svg(pending),
            otpauth=pending.config_url,
            # In groups of four, as apps ask for it when typed in.
            secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            confirm_form=SetupConfirmForm(),
        )
    if enabled and not permissions.must_use_two_factor(user):
        context["disable_form"] = DisableForm()
    context.update(extra)
    return context


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """/konto/zwei-faktor/: the state, and the step that comes next."""
    if _unverified(request):
        return redirect("accounts:two_factor_verify")
    return render(request, "portal/twofactor/settings.html", _settings_context(request))


@never_cache
@login_required
@require_POST
def setup_begin(request: HttpRequest) -> HttpResponse:
    """A new secret for the app (the page then shows it with its QR code)."""
    try:
        twofactor.totp_begin(user=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    target = reverse("accounts:two_factor")
    if request.POST.get("next"):
        target += "?" + urlencode({"next": _next(request)})
    return redirect(target)


@never_cache
@login_required
@require_POST
def setup_confirm(request: HttpRequest) -> HttpResponse:
    """The first code from the app confirms it; the answer shows the recovery codes once."""
    user = signed_in_user(request)
    device = twofactor.pending_device(user)
    if device is None:
        messages.error(request, _("Diese Einrichtung ist nicht mehr offen. Bitte neu beginnen."))
        return redirect("accounts:two_factor")
    form = SetupConfirmForm(request.POST)
    if form.is_valid():
        try:
            codes = twofactor.totp_confirm(user=user, device=device, code=form.cleaned_data["code"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            django_otp.login(request, device)
            return render(
                request,
                "portal/twofactor/codes.html",
                {"codes": codes, "just_enabled": True, "next": _next(request)},
            )
    context = _settings_context(request, confirm_form=form)
    return render(request, "portal/twofactor/settings.html", context, status=400)


@never_cache
@login_required
@require_POST
def codes_renew(request: HttpRequest) -> HttpResponse:
    """Ten new recovery codes, shown once; the old ones stop working. Only a verified session
    gets here when the app is set up."""
    if _unverified(request):
        return redirect("accounts:two_factor_verify")
    try:
        codes = twofactor.recovery_codes_renew(user=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:two_factor")
    return render(
        request,
        "portal/twofactor/codes.html",
        {"codes": codes, "just_enabled": False, "next": landing_path(request.user)},
    )


@never_cache
@login_required
@require_POST
def disable(request: HttpRequest) -> HttpResponse:
    """Turn it off, with password and a code; not for roles that require it."""
    user = signed_in_user(request)
    form = DisableForm(request.POST)
    if form.is_valid():
        try:
            twofactor.two_factor_disable(
                user=user, password=form.cleaned_data["password"], code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Die Zwei-Faktor-Anmeldung ist ausgeschaltet."))
            return redirect("accounts:two_factor")
    context = _settings_context(request, disable_form=form)
    return render(request, "portal/twofactor/settings.html", context, status=400)
