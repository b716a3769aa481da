"""The lockout after failed logins (django-axes, configured in config/settings/base.py).

Axes counts failures per login name and client address, and per client address; these two
functions tell it which name a login was for and what a locked-out client sees.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

# Django's "Too Many Requests": the same for every name, known or not.
LOCKOUT_STATUS = 429


def login_name(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The name as the login compares it (DemoAwareBackend: without regard to case), so that
    "Erika" and "ERIKA" are counted as the one account they open."""
    name = (credentials or {}).get("username")
    if name is None:
        name = request.POST.get("username") if request.method == "POST" else None
    return str(name).strip().lower() if name is not None else None


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The login page, empty, with one message. Nothing on it depends on the name that was tried
    (not even the name itself), so it does not tell whether an account exists."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        "form": AuthenticationForm(request),
        "next": "",
        "lockout": _(
            "Zu viele fehlgeschlagene Anmeldeversuche. Bitte versuchen Sie es in %(minutes)s "
            "Minuten erneut."
        )
        % {"minutes": minutes},
    }
    return render(request, "registration/login.html", context, status=LOCKOUT_STATUS)
