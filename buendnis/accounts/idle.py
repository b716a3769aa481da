"""The idle timeout of internal roles: signed out after BUENDNIS_IDLE_TIMEOUT_MINUTES without a
request (README, "Anmeldung und Sicherheit").

Whether the timeout applies is decided once, at login (`permissions.has_internal_role`), and kept
in the session, so that a request asks the database nothing more than the session it loads
anyway. A role granted during a session therefore applies from the next login. The time of the
last request is kept in the session too, written at most once a minute: a write per request would
cost a query on every page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from . import permissions
from .middleware import redirect_to_page

# Session keys: does the timeout apply, and the last request (seconds since the epoch).
INTERNAL_KEY = "_buendnis_internal"
LAST_ACTIVITY_KEY = "_buendnis_last_activity"
# Refresh the stored time only when it is older than this (seconds).
WRITE_EVERY = 60


@receiver(user_logged_in, dispatch_uid="buendnis.accounts.idle.remember")
def remember_at_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    request.session[INTERNAL_KEY] = permissions.has_internal_role(user)
    request.session[LAST_ACTIVITY_KEY] = int(time.time())


def idle_expired(request: HttpRequest) -> bool:
    """Has this request's signed-in internal user been idle too long? Refreshes the time of the
    last request otherwise (at most once a minute). The caller signs the user out."""
    minutes = int(settings.BUENDNIS_IDLE_TIMEOUT_MINUTES)
    # No session cookie: nobody is signed in, and the session is left untouched (reading it
    # would add `Vary: Cookie` to the public pages).
    if minutes <= 0 or settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    session = request.session
    if INTERNAL_KEY not in session:
        if SESSION_KEY not in session:
            return False
        # Signed in before the timeout existed.
        session[INTERNAL_KEY] = permissions.has_internal_role(request.user)
        session[LAST_ACTIVITY_KEY] = int(time.time())
    if not session[INTERNAL_KEY]:
        return False
    now = int(time.time())
    last = int(session.get(LAST_ACTIVITY_KEY, now))
    if now - last > minutes * 60:
        return True
    if now - last >= WRITE_EVERY:
        session[LAST_ACTIVITY_KEY] = now
    return False


def idle_message() -> str:
    return _("Sie wurden nach %(minutes)s Minuten ohne Aktivität abgemeldet.") % {
        "minutes": settings.BUENDNIS_IDLE_TIMEOUT_MINUTES
    }


class IdleTimeoutMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware (it logs out and leaves a message).

    Not for the API (/api/): its open data read no session, and loading it here would cost every
    signed-in request a query. The API checks the timeout where it reads the session
    (`buendnis.api.authentication.SessionAuthentication`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith("/api/") or not idle_expired(request):
            return self.get_response(request)
        logout(request)
        messages.info(request, idle_message())
        return redirect_to_page(request, reverse(settings.LOGIN_URL))
