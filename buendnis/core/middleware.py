from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _


def chosen_language(request: HttpRequest) -> str:
    """The language of the visitor's switch (the language cookie), else German."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    available = {code for code, _name in settings.LANGUAGES}
    return chosen if chosen in available else settings.LANGUAGE_CODE


class ExplicitLanguageMiddleware:
    """German unless the visitor chose another language with the switch (the language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; a German public body's
    site speaks German to everyone by default, whatever the browser is set to.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


# Paths whose clients read JSON: the refusal is JSON there, a page everywhere else.
API_PREFIXES = ("/api/", "/oparl/")


class RequestBodyLimitMiddleware:
    """Refuses a request whose announced body exceeds MAX_REQUEST_BODY_BYTES with 413, before
    anything reads the body: otherwise a 60 MB upload is received in full (onto disk, past
    FILE_UPLOAD_MAX_MEMORY_SIZE) before the upload's own check (core/uploads.py) refuses it.

    Only Content-Length is looked at, and that is enough: Django reads a WSGI body only up to
    CONTENT_LENGTH (`LimitedStream`), so a request without one (chunked) has an empty body for
    every view and is never read at all. Non-file form data and JSON are capped again by
    DATA_UPLOAD_MAX_MEMORY_SIZE when parsed. In production the proxy refuses first
    (nginx `client_max_body_size`, README "Deploying"); this is the app's own floor for a
    proxy without it, and the page people see."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            announced = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:  # Django reads such a body as empty
            announced = 0
        if announced > settings.MAX_REQUEST_BODY_BYTES:
            return self.refuse(request)
        return self.get_response(request)

    def refuse(self, request: HttpRequest) -> HttpResponse:
        # Before ExplicitLanguageMiddleware: the visitor's language is chosen here as there.
        with translation.override(chosen_language(request)):
            limit = _("Eine Datei darf höchstens %(limit)s groß sein.") % {
                "limit": filesizeformat(settings.MAX_UPLOAD_BYTES)
            }
            if request.path.startswith(API_PREFIXES):
                detail = _("Die gesendeten Daten sind zu groß.") + " " + limit
                return JsonResponse({"detail": detail}, status=413)
            page = render_to_string("413.html", {"limit": limit})
        return HttpResponse(page, status=413)
