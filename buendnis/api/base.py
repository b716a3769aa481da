"""What the API's views share: German answers, the caller's alliance, and domain errors as HTTP
answers.

- `exception_handler` is DRF's `EXCEPTION_HANDLER` (config/settings/base.py), so every view maps
  the services' domain errors the same way, with the statuses the web pages use
  (`core.errors.refusal_status`): a move the current state does not allow and a stale edit are
  409, a refused role 403, a broken rule 400 with German messages per field (`non_field_errors`
  for the rest). A view whose client names a field differently from the service renames it in
  `rename_fields`.
- `AllianceAPIView` is the base of the endpoints below an alliance that answer each caller
  differently (projects, meetings, circulations, decisions): a Bearer token or the browser
  session, JSON, German whatever the client's Accept-Language, the alliance of the URL.
- The error responses every such endpoint documents in the OpenAPI schema.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, generics, status
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from buendnis.accounts.models import User
from buendnis.alliances import selectors as alliance_selectors
from buendnis.alliances.models import Alliance
from buendnis.core.errors import refusal_status

from .authentication import BearerTokenAuthentication, SessionAuthentication
from .serializers import ErrorSerializer


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """A Django ValidationError (services, model validation) as DRF's field → messages."""
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if name == NON_FIELD_ERRORS else name): messages
            for name, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, after turning a domain error into the API error of its status."""
    if isinstance(exc, ValidationError):
        code = refusal_status(exc)
        if code == status.HTTP_409_CONFLICT:
            exc = Conflict(detail=" ".join(exc.messages))
        elif code == status.HTTP_403_FORBIDDEN:
            exc = exceptions.PermissionDenied(detail=" ".join(exc.messages))
        else:
            errors = field_errors(exc)
            rename = getattr(context.get("view"), "rename_fields", None)
            exc = exceptions.ValidationError(detail=rename(errors) if rename else errors)
    return drf_exception_handler(exc, context)


def filter_by_status[M: Model](
    queryset: QuerySet[M], request: Request, values: Sequence[str]
) -> QuerySet[M]:
    """A list narrowed to the `?status=` its client asked for; an unknown state is a 400 that
    names the possible ones (projects, ideas and circulations share the rule)."""
    wanted = request.query_params.get("status")
    if not wanted:
        return queryset
    if wanted not in values:
        raise exceptions.ValidationError(
            {
                "status": [
                    _("Unbekannter Stand „%(status)s“. Möglich sind: %(values)s.")
                    % {"status": wanted, "values": ", ".join(values)}
                ]
            }
        )
    return queryset.filter(status=wanted)


class GermanAnswers(APIView):
    """Labels and messages are German whatever the client's Accept-Language: the contract promises
    German, and outside clients must not see them change with a header."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with translation.override("de"):
            return super().dispatch(request, *args, **kwargs)


class AllianceAPIView[M: Model](GermanAnswers, generics.GenericAPIView[M]):
    """An endpoint below /alliances/{slug}/ whose answer depends on who asks: a Bearer token
    (scripts) or the browser session, which DRF checks for a CSRF token on every write."""

    authentication_classes = (BearerTokenAuthentication, SessionAuthentication)
    parser_classes: tuple[type[BaseParser], ...] = (JSONParser,)

    @property
    def actor(self) -> User | None:
        user = self.request.user
        return user if isinstance(user, User) else None

    @cached_property
    def alliance(self) -> Alliance:
        return alliance_selectors.get_alliance_for_user(self.request.user, self.kwargs["slug"])


def error_response(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorSerializer, description=description)


UNAUTHENTICATED = error_response(
    "Nicht angemeldet oder API-Schlüssel ungültig. / Not logged in or invalid token."
)
FORBIDDEN = error_response(
    "Ihre Rolle darf das nicht (oder CSRF-Token fehlt). / Your role may not (or CSRF token missing)."
)
INVALID = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description=(
        "Eingaben verletzen eine Regel: deutsche Meldungen je Feld, übrige unter "
        "`non_field_errors`. / Input breaks a rule: German messages per field."
    ),
)
CONFLICT = error_response(
    "Der Schritt ist im aktuellen Stand nicht möglich, oder das Vorhaben wurde inzwischen "
    "geändert. / The step is not possible in the current state, or the project changed."
)
