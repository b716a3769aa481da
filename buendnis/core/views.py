from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the app answers and the database takes a query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse(
            {"status": "error", "database": "unreachable", "reason": str(exc).strip()[:200]},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok"})


def ping(request: HttpRequest) -> HttpResponse:
    """Liveness without the database: the process answers. Reads no session, sets no cookie;
    the benchmark's floor (the cost of the framework alone) and a probe for process managers."""
    return HttpResponse(b"ok", content_type="text/plain; charset=utf-8")
