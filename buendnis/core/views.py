from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

HEALTH_KEY = "healthz"


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the app answers and the database takes a query (else 503).
    The shared cache (Redis on several app servers) is reported, "degraded" when away."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse(
            {"status": "error", "database": "unreachable", "reason": str(exc).strip()[:200]},
            status=503,
        )
    try:
        cache.get(HEALTH_KEY)
    except Exception as exc:  # noqa: BLE001 - every backend has its own errors (redis, OSError)
        # 200, not 503: the pages work without the shared cache (rendered, not cached), and with
        # one Redis for all servers a 503 would take every server out of the load balancer.
        return JsonResponse(
            {
                "status": "degraded",
                "database": "ok",
                "cache": "unreachable",
                "reason": str(exc).strip()[:200],
            }
        )
    return JsonResponse({"status": "ok", "database": "ok", "cache": "ok"})


def ping(request: HttpRequest) -> HttpResponse:
    """Liveness without the database: the process answers. Reads no session, sets no cookie;
    the benchmark's floor (the cost of the framework alone) and a probe for process managers."""
    return HttpResponse(b"ok", content_type="text/plain; charset=utf-8")


@require_safe
@never_cache
def language_switch(request: HttpRequest, code: str) -> HttpResponse:
    """The header's language links: set the language cookie and go back to `next`.

    A link, not Django's `set_language` POST form: that form's CSRF token gave every first visit
    a `csrftoken` cookie, which kept public pages out of every shared cache. Choosing a language
    changes nothing but the visitor's own display, so a cross-site link to it does no harm; the
    links are `rel="nofollow"` for crawlers. `next` must stay on this site."""
    if code not in {language for language, _name in settings.LANGUAGES}:
        raise Http404("Unknown language")
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
