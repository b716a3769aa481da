"""Cross-site request protection without a token, for the one public form (the contact page).

Django's CsrfViewMiddleware (6.x) checks a POST's `Origin` header, but it also insists on the
token and its cookie, and a page that renders the token sets `csrftoken` on the first visit: no
shared cache may then keep the page. Django offers no token-less mode yet (the proposal to adopt
Fetch Metadata, django/new-features#98, is open), so the contact view checks what browsers send
with every request, as Go's net/http CrossOriginProtection does (words.filippo.io/csrf):

1. `Sec-Fetch-Site` (all current browsers): only `same-origin` and `none` (typed or bookmarked)
   pass; `same-site` and `cross-site` are refused.
2. Without it, `Origin` (sent with every POST since 2020): it must be this site's own origin or
   one of CSRF_TRUSTED_ORIGINS.
3. Neither header: not a browser (or a very old one). It passes: a forged request needs the
   victim's browser, and a script can post the anonymous form directly anyway.

The form grants nothing that posting it directly would not, so this is enough for it; pages that
act for a signed-in user keep Django's token.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

TRUSTED_SITES = frozenset({"same-origin", "none"})


def is_same_origin_request(request: HttpRequest) -> bool:
    """Did a page of this site (or the visitor directly) send this request?"""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site.lower() in TRUSTED_SITES
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    own = f"{request.scheme}://{request.get_host()}"
    return origin == own or origin in settings.CSRF_TRUSTED_ORIGINS
