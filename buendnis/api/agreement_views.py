"""Where the partners stand with a phase's cooperation agreement
(/api/v1/alliances/{slug}/phases/{id}/agreements/).

Design, as for circulations (meeting_views.py):

- Internal: the alliance's circle, the ministry and platform admins
  (`renewal.permissions.can_view_cycle`, as on the cycle's pages); 401 without credentials, 403 for everyone
  else (applicants, other alliances' members). A phase of another alliance, or none, is a 404 —
  phases not yet recognised included, since the new phase's signatures are collected before the
  ministry recognises it.
- One entry per organisation (`renewal.selectors.partner_row`, the rows of the cycle's pages):
  its signature request, or the agreement it signed without one (the history before the
  platform) as `signed`.
- Paged like every list; the query count does not grow with the partners: the phase, count, the
  page of organisations (group joined), their requests, their agreements.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from buendnis.alliances import selectors as alliance_selectors
from buendnis.alliances.models import Organisation
from buendnis.core.errors import NotPermitted
from buendnis.renewal import permissions as renewal_permissions
from buendnis.renewal import selectors as renewal_selectors

from .agreement_serializers import PartnerSignatureSerializer
from .base import UNAUTHENTICATED, AllianceAPIView, error_response
from .views import SLUG, TAG

PHASE_PK = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Nummer der Förderphase. / Phase id."
)
AGREEMENTS_FORBIDDEN = error_response(
    "Die Unterschriften der Partner sind dem internen Kreis des Bündnisses und dem Ministerium "
    "vorbehalten. / The partners' signatures are for the alliance's internal circle and the "
    "ministry."
)
PHASE_NOT_FOUND = error_response(
    "Bündnis oder Förderphase unbekannt. / Alliance or funding phase unknown."
)


class PhaseAgreementListView(AllianceAPIView[Any]):
    """The entries are `renewal.selectors.PartnerRow`s of the phase's organisations."""

    permission_classes = (IsAuthenticated,)
    serializer_class = PartnerSignatureSerializer

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not renewal_permissions.can_view_cycle(request.user, self.alliance):
            raise NotPermitted(
                _(
                    "Die Unterschriften der Partner sind dem internen Kreis des Bündnisses und "
                    "dem Ministerium vorbehalten."
                )
            )

    def get_queryset(self) -> QuerySet[Organisation]:
        # Only the schema generator asks for this (to learn the model); `get` pages the selector.
        return Organisation.objects.none()

    @extend_schema(
        operation_id="alliance_phase_agreements_list",
        tags=[TAG],
        summary="Unterschriften der Partner / Partners' signatures",
        parameters=[SLUG, PHASE_PK],
        responses={
            200: PartnerSignatureSerializer(many=True),
            401: UNAUTHENTICATED,
            403: AGREEMENTS_FORBIDDEN,
            404: PHASE_NOT_FOUND,
        },
        description=(
            "Wo jede Organisation mit der Kooperationsvereinbarung der Förderphase steht, nach "
            "Name: angefragt (`asked`), Beschluss in den eigenen Gremien ausstehend (`pending`), "
            "unterzeichnet (`signed`) oder abgelehnt (`declined`), mit Beschlussvorlage "
            "(`reference`), Gremium und Daten. Eine Organisation erscheint einmal: mit ihrer "
            "Unterschriftsanfrage, oder — hat sie ohne Anfrage unterzeichnet (frühere Phasen) — "
            "mit ihrer Kooperationsvereinbarung als `signed` (`requested` false). Auch für "
            "Förderphasen, die noch nicht anerkannt sind. Nur für den internen Kreis des "
            "Bündnisses, das Ministerium und die Plattform-Administration.\n\n"
            "Where each organisation stands with the phase's cooperation agreement, by name: "
            "asked, pending in its own bodies, signed or declined, with its decision paper "
            "(`reference`), body and dates. One entry per organisation: its signature request, "
            "or, where it signed without one (earlier phases), its agreement as `signed` "
            "(`requested` false). Phases not yet recognised included. Internal circle, ministry "
            "and platform admins only."
        ),
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        phase = alliance_selectors.phase_by_id(
            self.alliance, self.kwargs["pk"], with_unrecognised=True
        )
        if phase is None:
            raise Http404(_("Förderphase nicht gefunden."))
        organisations = renewal_selectors.signature_organisation_list(phase)
        page = self.paginate_queryset(organisations)
        shown = list(organisations) if page is None else page
        entries = [renewal_selectors.partner_row(organisation) for organisation in shown]
        data = self.get_serializer(entries, many=True).data
        return Response(data) if page is None else self.get_paginated_response(data)
