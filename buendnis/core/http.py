"""What a request tells about where it came from."""

from __future__ import annotations

from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address the request came from, for the login lockout and the rate limits of forms.

    REMOTE_ADDR only: behind a reverse proxy that is the proxy's address unless the proxy hands
    the client's on (e.g. the PROXY protocol). X-Forwarded-For is not read here, since any client
    can send it. NOTE: a setting BUENDNIS_TRUSTED_PROXIES (how many proxies in front of the app to
    trust, so that X-Forwarded-For can be read from the right) is being added separately; once it
    exists, this is the one place that should read it (the contact and subscription forms still
    have their own copies of this function)."""
    return str(request.META.get("REMOTE_ADDR") or "unbekannt")
