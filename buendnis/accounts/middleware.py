"""The gate of two-factor login (README, "Zwei-Faktor-Anmeldung"), after django-otp's
OTPMiddleware, which makes `request.user.is_verified()` answer for the session.

A signed-in person whose session has not passed the second step is sent to it: to the code step
when they have an authenticator app (whoever set one up, required or not), to the set-up when
their role requires it and they have none. Every page counts, the admin site included; only the
two-factor pages themselves, the logout, the language switch and static files stay open.

The API: a request with a token (`Authorization: Bearer …`) is the token's business (a token is
its own factor; its user's session plays no part). A request that relies on the session cookie of
such a person gets a 403 in JSON instead of a redirect a script could not follow.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from . import permissions, twofactor

# Machine paths: refused in JSON, never redirected.
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
        user = request.user
        # Anonymous and verified sessions pass without a query (the verified device was read by
        # OTPMiddleware from the session).
        if not user.is_authenticated or user.is_verified():  # type: ignore[attr-defined]
            return None
        path = request.path_info
        if path.startswith(_open_prefixes()):
            return None
        has_app = twofactor.has_two_factor(user)
        if not has_app and not permissions.must_use_two_factor(user):
            return None
        if path.startswith(_API_PREFIXES):
            if request.headers.get("Authorization", "").lower().startswith("bearer "):
                return None
            return JsonResponse(
                {
                    "detail": _(
                        "Für diesen Zugang ist die Zwei-Faktor-Anmeldung nötig: bitte im "
                        "Browser mit Code anmelden oder einen API-Schlüssel verwenden."
                    )
                },
                status=403,
            )
        target = reverse("accounts:two_factor_verify" if has_app else "accounts:two_factor")
        if request.method in ("GET", "HEAD"):
            target += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            # htmx would swap the page into a fragment: have it load the page instead.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)
