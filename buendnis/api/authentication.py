"""Token authentication for scripts: `Authorization: Bearer bp_<prefix>_<secret>`.

A token acts as its user with exactly that user's rights; a read-only token only for reads (GET,
HEAD, OPTIONS: every write answers 403). Tokens are checked in
`buendnis.accounts.tokens`; this class only reads the header and turns a refusal into a 401 with a
German message. A request with a token needs no CSRF token (it carries no cookie a foreign page
could send along); a request with the session cookie does (DRF's SessionAuthentication).
"""

from __future__ import annotations

from django.contrib.auth import logout
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

from buendnis.accounts import idle, tokens, twofactor
from buendnis.accounts.models import ApiToken, User

KEYWORD = "Bearer"


class BearerTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>`; no header (or another scheme) leaves the request to the
    next authentication class."""

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Ungültige Kopfzeile: nach „Bearer“ folgt genau ein API-Schlüssel.")
            )
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(_("Ungültiger API-Schlüssel.")) from error
        try:
            token = tokens.token_authenticate(raw)
        except tokens.TokenRefused as error:
            raise exceptions.AuthenticationFailed(str(error)) from error
        if token.read_only and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(
                _("Dieser API-Schlüssel darf nur lesen; Änderungen sind mit ihm nicht erlaubt.")
            )
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes an unauthenticated write a 401 that names the scheme, not a bare 403.
        return f'{KEYWORD} realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser session, as DRF checks it (CSRF token on every write), refusing in German.
    An internal role's session idle too long ends here, as on the pages (accounts/idle.py). A
    session that still owes the two-factor code (or the set-up its role requires) opens nothing:
    403 (the pages send it to the code step, accounts.middleware)."""

    def authenticate(self, request: Request) -> tuple[User, None] | None:
        if idle.idle_expired(request._request):
            logout(request._request)
        result = super().authenticate(request)
        if result is not None and twofactor.step_owed(request._request.user) is not None:
            raise exceptions.PermissionDenied(
                _(
                    "Für diesen Zugang ist die Zwei-Faktor-Anmeldung nötig: bitte im Browser mit "
                    "Code anmelden oder einen API-Schlüssel verwenden."
                )
            )
        return result

    def enforce_csrf(self, request: Request) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as error:
            raise exceptions.PermissionDenied(
                _(
                    "CSRF-Prüfung fehlgeschlagen: Schreibende Anfragen mit dem Sitzungs-Cookie "
                    "brauchen das CSRF-Token (Kopfzeile X-CSRFToken). Skripte nehmen besser einen "
                    "API-Schlüssel (Authorization: Bearer …)."
                )
            ) from error
