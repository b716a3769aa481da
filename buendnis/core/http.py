"""What a request tells about where it came from."""

from __future__ import annotations

from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address the request came from, for the login lockout and the rate limits of forms.

    REMOTE_ADDR only: behind a proxy that is the proxy's address unless the proxy makes it the
    client's (gunicorn's --forwarded-allow-ips with nginx's X-Forwarded-For). X-Forwarded-For is
    not read here, since any client can send it. NOTE: a setting BUENDNIS_TRUSTED_PROXIES (how
    many proxies in front of the app to trust) is being added separately; once it exists, this is
    the one place that should read it."""
    return str(request.META.get("REMOTE_ADDR") or "unbekannt")
