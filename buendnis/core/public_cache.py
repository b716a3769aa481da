"""A shared cache of public pages and open data for anonymous visitors.

Public pages and the open-data APIs are the hottest path and the same for every anonymous visitor,
so one rendering serves all of them until the data changes. The rules:

- Only anonymous GET/HEAD requests: no session cookie, no messages cookie, no Authorization header,
  no htmx partial request. Everyone else always gets a fresh rendering.
- Only public addresses: internal pages (`/<slug>/intern/…`), the applicant portal, accounts,
  admin, downloads (which check permissions), language switch and probes are never cached.
- Only 200 responses without Set-Cookie, without a CSRF token (a page that renders one belongs to
  one visitor, and CsrfViewMiddleware sets its cookie after this middleware has run) and not
  marked private/no-cache/no-store. Public pages carry no token (the language switch is a link,
  the contact form is checked by its headers: buendnis/core/origin.py), so a visitor's very
  first request, without any cookie, is stored and served from the cache.
- The key is scheme + host + full path with query + active language, under a global *data
  version*. Every service write calls `audit_record`, which bumps the version when its transaction
  commits (`bump_data_version`); bulk writers (the benchmark generator) bump it themselves. A
  bump sets a new random value, not an increment, so two concurrent bumps can never leave the old
  version in place. The version is read *before* the view renders: a page rendered while a write
  commits is stored under the old version, which nobody reads any more.

The cache is `settings.BUENDNIS_PUBLIC_CACHE_ALIAS` (default "default"). In production and the
benchmark that is a FileBasedCache shared by all gunicorn workers on the host (config/settings);
the test suite uses LocMem and switches the middleware on only where it tests it.

Position in MIDDLEWARE: after CsrfViewMiddleware, AuthenticationMiddleware and MessageMiddleware,
before the middleware that add headers to the rendered page (X-Frame-Options, CSP), whose headers
are stored with the page.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import translation

log = logging.getLogger(__name__)

VERSION_KEY = "public-cache:data-version"
HEADER = "X-Public-Cache"
# Paths (after the alliance slug, or at the top) that are never cached.
PRIVATE_SEGMENTS = ("/intern/", "/vorhaben/")
PRIVATE_PREFIXES = (
    "/admin/",
    "/konto/",
    "/i18n/",
    "/sprache/",
    "/media/",
    "/static/",
    "/healthz",
    "/ping",
)
NOT_SHARED = ("private", "no-cache", "no-store")
# Headers a hit must not repeat: never a cookie (such answers are not stored anyway); the length
# is recomputed.
DROP_HEADERS = frozenset({"set-cookie", "content-length"})


def _cache() -> BaseCache:
    return caches[getattr(settings, "BUENDNIS_PUBLIC_CACHE_ALIAS", "default")]


def enabled() -> bool:
    return bool(getattr(settings, "BUENDNIS_PUBLIC_CACHE", False))


def data_version() -> str:
    """The current data version; a new one is set if the cache lost it (never an old value)."""
    cache = _cache()
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, secrets.token_hex(8), timeout=None)
        version = cache.get(VERSION_KEY) or "lost"
    return str(version)


def bump_data_version() -> None:
    """Every cached page becomes stale. Called after a write has committed."""
    try:
        _cache().set(VERSION_KEY, secrets.token_hex(8), timeout=None)
    except Exception:
        # The write has committed; an error page now would make the user repeat it. Pages cached
        # before stay stale for at most BUENDNIS_PUBLIC_CACHE_SECONDS (and /healthz reports the
        # cache as unreachable, so the load balancer takes this server out).
        log.exception("Der öffentliche Seiten-Cache konnte nicht geleert werden")


def bump_on_commit() -> None:
    """For services: bump once the current transaction commits (at once outside of one). A
    transaction with many audit rows bumps once."""
    connection = transaction.get_connection()
    if any(func is bump_data_version for _, func, _ in connection.run_on_commit):
        return
    transaction.on_commit(bump_data_version)


def is_anonymous(request: HttpRequest) -> bool:
    cookies = request.COOKIES
    return (
        settings.SESSION_COOKIE_NAME not in cookies
        and "messages" not in cookies
        and "HTTP_AUTHORIZATION" not in request.META
        and "HTTP_HX_REQUEST" not in request.META
    )


def is_public_path(path: str) -> bool:
    if path.startswith(PRIVATE_PREFIXES):
        return False
    return not any(segment in path for segment in PRIVATE_SEGMENTS)


def cacheable_request(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD") and is_anonymous(request) and is_public_path(request.path)
    )


def cacheable_response(request: HttpRequest, response: HttpResponseBase) -> bool:
    if response.status_code != 200 or response.cookies or response.streaming:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # the page rendered a CSRF token: it is this visitor's
    control = response.headers.get("Cache-Control", "").lower()
    return not any(word in control for word in NOT_SHARED)


def cache_key(request: HttpRequest, version: str) -> str:
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    # "page2": entries are (status, headers, content); earlier ones had a fourth field.
    return f"public-page2:{version}:{translation.get_language()}:{digest}"


class PublicCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not enabled() or not cacheable_request(request):
            return self.get_response(request)
        try:
            version = data_version()
            key = cache_key(request, version)
            stored = _cache().get(key)
        except Exception:
            # The shared cache (Redis) is away: the page is rendered as for a signed-in visitor,
            # slower but right; /healthz reports the cache as unreachable.
            log.warning("Seiten-Cache nicht erreichbar; Seite ohne Cache", exc_info=True)
            return self.get_response(request)
        if stored is not None:
            return self._replay(request, stored)
        response = self.get_response(request)
        if (
            request.method == "GET"
            and isinstance(response, HttpResponse)
            and cacheable_response(request, response)
        ):
            headers = [
                (name, value)
                for name, value in response.headers.items()
                if name.lower() not in DROP_HEADERS
            ]
            timeout = getattr(settings, "BUENDNIS_PUBLIC_CACHE_SECONDS", 300)
            try:
                _cache().set(key, (response.status_code, headers, response.content), timeout)
            except Exception:
                log.warning("Seite konnte nicht in den Cache", exc_info=True)
                return response
            response.headers[HEADER] = "miss"
        return response

    def _replay(
        self, request: HttpRequest, stored: tuple[int, list[tuple[str, str]], bytes]
    ) -> HttpResponse:
        status, headers, content = stored
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response.headers[name] = value
        response.headers[HEADER] = "hit"
        if request.method == "HEAD":
            response.content = b""
        return response
