"""The ministry's overview (`/api/v1/overview/`): every active alliance with its phases and their
figures, the same as the page /ministerium/ (`reports.overview`).

- For the ministry and platform admins only (`accounts.permissions.can_view_overview`): 401
  without a login (Bearer token or session), 403 for every other role, the office of an alliance
  too. Read only.
- Paged by alliance (`limit`, `offset`, like every list); each alliance with all of its phases,
  drafts and applications included. Queries: count; the page of alliances; the four of
  `reports.overview.overview_rows` for the page's alliances — whatever the number of phases,
  projects and bookings.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from buendnis.accounts import permissions
from buendnis.alliances import selectors as alliance_selectors
from buendnis.alliances.models import Alliance
from buendnis.reports import overview

from . import overview_serializers as serializers
from .authentication import BearerTokenAuthentication, SessionAuthentication
from .base import FORBIDDEN, UNAUTHENTICATED, GermanAnswers
from .pagination import LimitOffsetPagination

TAG = "Ministerium / Ministry"


class OverviewView(GermanAnswers, APIView):
    authentication_classes = (BearerTokenAuthentication, SessionAuthentication)
    permission_classes = (IsAuthenticated,)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not permissions.can_view_overview(request.user):
            raise exceptions.PermissionDenied(
                _(
                    "Die Übersicht über alle Bündnisse ist dem Ministerium und der "
                    "Plattformverwaltung vorbehalten."
                )
            )

    @extend_schema(
        operation_id="overview_retrieve",
        tags=[TAG],
        summary="Übersicht aller Bündnisse / Overview of every alliance",
        parameters=[
            OpenApiParameter(
                "limit",
                OpenApiTypes.INT,
                OpenApiParameter.QUERY,
                description="Bündnisse je Seite (100). / Alliances per page (100).",
            ),
            OpenApiParameter(
                "offset",
                OpenApiTypes.INT,
                OpenApiParameter.QUERY,
                description="Ab dem wievielten Bündnis. / Index of the first alliance.",
            ),
        ],
        responses={
            200: serializers.OverviewSerializer,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
        },
        description=(
            "Nur für das Ministerium und die Plattformverwaltung. Jedes aktive Bündnis (nach "
            "Name, seitenweise) mit allen Förderphasen, auch denen in Vorbereitung und im "
            "Anerkennungsverfahren: das virtuelle Budget aus dem Budgetbuch (reserviert, gebunden, "
            "ausgezahlt, verfügbar), die Vorhaben je Stand, Projektvolumen, Zuschüsse, "
            "Kofinanzierung, Hebel und Teilnehmende der Vorhaben ab dem Votum, und wo die Phase "
            "mit der Anerkennung steht. Beträge sind Dezimalzahlen als Zeichenketten "
            '(`"1500000.00"`). `ministry` ist das zuständige Ministerium der Plattform.\n\n'
            "For the ministry and platform admins only. Every active alliance (by name, paginated) "
            "with all of its phases, drafts and applications included: the ledger's figures, the "
            "projects per state, volume, grants, co-financing, leverage and participants, and the "
            "recognition status. Amounts are decimal strings."
        ),
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        paginator = LimitOffsetPagination()
        alliances: list[Alliance] = (
            paginator.paginate_queryset(alliance_selectors.alliance_list(), request, view=self)
            or []
        )
        rows = overview.overview_rows([alliance.pk for alliance in alliances], with_reached=True)
        phases: dict[int, list[overview.OverviewRow]] = {alliance.pk: [] for alliance in alliances}
        for row in rows:
            phases[row.alliance.pk].append(row)
        data = {
            "ministry": settings.BUENDNIS_MINISTRY_NAME,
            "count": paginator.count,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "results": [
                {"alliance": alliance, "phases": phases[alliance.pk]} for alliance in alliances
            ],
        }
        return Response(serializers.OverviewSerializer(data).data)
