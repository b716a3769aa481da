"""The gate of two-factor login (README, "Zwei-Faktor-Anmeldung"), after django-otp's
OTPMiddleware, which makes `request.user.is_verified()` answer for the session.

A signed-in person whose session has not passed the second step is sent to it: to the code step
when they have an authenticator app (whoever set one up, required or not), to the set-up when
their role requires it and they have none. Every page counts, the admin site included; only the
two-factor pages themselves, the logout, the language switch and static files stay open.

The API is left to its session authentication (`buendnis.api.authentication`): a request with a
token is the token's business (a token is its own factor), one that relies on the session cookie
of such a person gets a 403 in JSON there instead of a redirect a script could not follow.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from . import twofactor

# Machine paths: their session authentication refuses in JSON, nothing is redirected.
_API_PREFIXES = ("/api/", "/oparl/")


def _open_prefixes() -> tuple[str, ...]:
    return (
        reverse("accounts:two_factor"),
        reverse("accounts:two_factor_verify"),
        reverse("accounts:logout"),
        "/sprache/",
        "/i18n/",
        settings.STATIC_URL,
    )


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self._refusal(request)
        return refusal if refusal is not None else self.get_response(request)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        path = request.path_info
        # The API asks in its session authentication (api.authentication), and only where a view
        # reads the session at all: the open data read none, and stay without its queries.
        if path.startswith(_API_PREFIXES) or path.startswith(_open_prefixes()):
            return None
        step = twofactor.step_owed(request.user)
        if step is None:
            return None
        return redirect_to_page(
            request,
            reverse("accounts:two_factor_verify" if step == "verify" else "accounts:two_factor"),
        )


def redirect_to_page(request: HttpRequest, target: str) -> HttpResponse:
    """Send the visitor to `target` (login, two-factor step), coming back here afterwards when
    this was a page to read (GET/HEAD). An htmx request is told to load the page, which it would
    otherwise swap into a fragment of the current one."""
    if request.method in ("GET", "HEAD"):
        target += "?" + urlencode({"next": request.get_full_path()})
    if request.headers.get("HX-Request"):
        return HttpResponseClientRedirect(target, status=204)
    return HttpResponseRedirect(target)
