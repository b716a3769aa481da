"""HTTP caching of the public pages and the open data.

- Anonymous visitors: `Cache-Control: public, max-age=60`; a minute's delay is fine for a
  transparency site, and proxies and browsers spare the database.
- Signed-in visitors get the same addresses with their internal navigation: `private`, so no
  shared cache keeps them. `Vary: Cookie` (set for every response by
  `core.middleware.ExplicitLanguageMiddleware`, and here again) keeps the two apart, and the
  language choice too.
- Public pages carry no CSRF token and set no cookie for anonymous visitors (the language switch
  is a link; the contact form is checked by its headers, buendnis/core/origin.py), so even a
  visitor's very first answer is `public`: proxies and the shared page cache
  (buendnis/core/public_cache.py) serve first visits and crawlers too. Should a response ever
  set a cookie for a visitor without one, it stays `private`, as Django's cache middleware does:
  a shared cache would hand that cookie to the next visitor.
- ETag: from the content (a weak tag); `ConditionalGetMiddleware` answers a matching
  `If-None-Match` with 304. Signed-in visitors' pages carry the masked CSRF token of the logout
  form, which differs on every rendering: the tag leaves tokens out, so their pages get 304s
  too. Downloads set a tag from their data (views).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

PUBLIC_MAX_AGE = 60
_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')


def content_etag(content: bytes) -> str:
    digest = hashlib.sha256(_TOKEN.sub(b"", content)).hexdigest()[:32]
    return f'W/"{digest}"'


def apply_public_caching(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ("Cookie",))
    if response.status_code != 200:
        return response
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, max_age=0)
    else:
        sets_cookie = bool(response.cookies) or bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
        if sets_cookie and not request.COOKIES:
            patch_cache_control(response, private=True, max_age=PUBLIC_MAX_AGE)
        else:
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    if not response.streaming and not response.has_header("ETag"):
        response["ETag"] = content_etag(response.content)
    return response


def public_cache(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Cache headers for a public page or download (see the module's docstring)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return apply_public_caching(request, view(request, *args, **kwargs))

    return wrapper
