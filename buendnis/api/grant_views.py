"""After the grant (/api/v1/alliances/{slug}/projects/{id}/reports/, payment-requests/,
participants/): what a project owes, has drawn and has reached (issue 12, `buendnis.grants`).

- The project is found as the project endpoints find it (`project_views.ProjectAPIView`): by its
  id in the alliance of the URL, among the projects the caller may see at all; otherwise 404, like
  a project of another alliance.
- Read by whoever may see the whole project (`grants.permissions.can_view_followup`: its
  applicant, the alliance's internal circle, the ministry, platform admins): 401 without a login,
  403 for everyone else (applicants of other projects, other alliances' members).
- A payment request is made by the project's applicant or the office for it
  (`grants.permissions.can_report`), 403 for everyone else before the input is read, and goes
  through `grants.services.payment_request_submit`, which checks every rule again under the
  project's lock: beyond the grant or the funding rate is a 400 with the German message and
  nothing is written. A token acts with its account's rights, like on every other write.
- Lists are paged (`limit`, `offset`) and their query counts do not grow with the rows: session,
  user, the alliance, the caller's roles, the project, the applicant check, then per list the
  count and the page (the receipts and versions counted in the page's query); the payment
  requests add the grant's standing, the participant figures are read in one query (every period,
  for the totals) and paged in memory.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from buendnis.core.errors import NotPermitted
from buendnis.funding import permissions as funding_permissions
from buendnis.funding.models import Project
from buendnis.grants import permissions, selectors, services

from . import grant_serializers as gs
from .base import CONFLICT, FORBIDDEN, INVALID, UNAUTHENTICATED, AllianceAPIView
from .project_views import NOT_FOUND, PK
from .views import SLUG

TAG = "Nach der Bewilligung / After the grant"

PAGING = [
    OpenApiParameter(
        "limit",
        OpenApiTypes.INT,
        OpenApiParameter.QUERY,
        description="Zeilen je Seite (100). / Rows per page (100).",
    ),
    OpenApiParameter(
        "offset",
        OpenApiTypes.INT,
        OpenApiParameter.QUERY,
        description="Ab der wievielten Zeile. / Index of the first row.",
    ),
]
WHO_READS = (
    "Lesen dürfen die Antragsteller/innen des Vorhabens, Geschäftsstelle, Sprecherkreis, "
    "Steuerkreis, beratende Mitglieder, das Ministerium und die Plattform-Administration; 401 "
    "ohne Anmeldung, 403 für alle anderen, 404 für ein unbekanntes Vorhaben.\n\n"
)
WHO_READS_EN = (
    " Readable by the project's applicants, the alliance's internal circle, the ministry and "
    "platform admins; 401 without login, 403 for everyone else, 404 for an unknown project."
)


class FollowupAPIView(AllianceAPIView[Any]):
    """Shared by the endpoints after the grant: the project of the URL and who may read it."""

    permission_classes = (IsAuthenticated,)

    @cached_property
    def project(self) -> Project:
        access = funding_permissions.project_access(self.request.user, self.alliance)
        project = selectors.api_project(
            self.alliance.pk, self.kwargs["pk"], visible=access.visible()
        )
        if project is None:
            raise Http404(_("Vorhaben nicht gefunden."))
        if not permissions.can_view_followup(self.request.user, project):
            raise NotPermitted(
                _(
                    "Berichte, Mittelabrufe und Teilnehmendenzahlen eines Vorhabens sehen seine "
                    "Antragsteller/innen, der Kreis des Bündnisses und das Ministerium."
                )
            )
        return project

    def page_envelope(self, results: Any, **extra: Any) -> dict[str, Any]:
        paginator = self.paginator
        assert paginator is not None  # noqa: S101 - the settings name a pagination class
        return {
            "count": paginator.count,  # type: ignore[attr-defined]
            "next": paginator.get_next_link(),  # type: ignore[attr-defined]
            "previous": paginator.get_previous_link(),  # type: ignore[attr-defined]
            **extra,
            "results": results,
        }


class ReportListView(FollowupAPIView):
    """The report schedule of a project."""

    serializer_class = gs.ReportSerializer

    @extend_schema(
        operation_id="alliance_project_reports_list",
        tags=[TAG],
        summary="Berichte / Reports",
        parameters=[SLUG, PK],
        responses={
            200: gs.ReportSerializer(many=True),
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        description=(
            "Die Berichte, die das Vorhaben nach der Bewilligung schuldet, nach Fälligkeit: "
            "Sachberichte, Zwischennachweise und der Verwendungsnachweis, mit Stand (`due` offen, "
            "`submitted` eingereicht, `changes_requested` Änderungen erbeten, `accepted` "
            "angenommen) und der Zahl eingereichter Fassungen. "
            + WHO_READS
            + "The reports the project owes after the grant, by due date, with their status and "
            "the number of versions submitted." + WHO_READS_EN
        ),
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(selectors.api_reports_of(self.project))
        return self.get_paginated_response(gs.ReportSerializer(page or [], many=True).data)


class PaymentRequestListView(FollowupAPIView):
    """The payment requests of a project; requesting a tranche."""

    serializer_class = gs.PaymentRequestSerializer

    @extend_schema(
        operation_id="alliance_project_payment_requests_list",
        tags=[TAG],
        summary="Mittelabrufe / Payment requests",
        parameters=[SLUG, PK, *PAGING],
        responses={
            200: gs.PaymentRequestPageSerializer,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        description=(
            "Die Mittelabrufe des Vorhabens nach Nummer, mit Zeitraum, förderfähigen Ausgaben, "
            "abgerufenem Betrag, Stand und Zahl der Belege, und unter `grant` der Stand des "
            "Zuschusses (bewilligt, abgerufen, freigegeben, noch abrufbar). Beträge sind "
            'Dezimalzahlen als Zeichenketten (`"1500.00"`). '
            + WHO_READS
            + "The project's payment requests by number, and under `grant` where the grant "
            "stands. Amounts are decimal strings." + WHO_READS_EN
        ),
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        project = self.project
        page = self.paginate_queryset(selectors.api_payment_requests_of(project))
        standing = selectors.drawn(project)
        data = self.page_envelope(
            page,
            grant={
                "granted": standing.granted,
                "held": standing.held,
                "released": standing.released,
                "left": standing.left,
            },
        )
        return Response(gs.PaymentRequestPageSerializer(data).data)

    @extend_schema(
        operation_id="alliance_project_payment_requests_create",
        tags=[TAG],
        summary="Mittel abrufen / Request a payment",
        parameters=[SLUG, PK],
        request=gs.PaymentRequestCreateSerializer,
        responses={
            201: gs.PaymentRequestSerializer,
            400: INVALID,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
        description=(
            "Ruft Mittel für einen abgelaufenen Zeitraum ab: die Antragsteller/innen des "
            "Vorhabens oder die Geschäftsstelle für sie (sonst 403). Abgelehnt mit 400 und "
            "deutscher Meldung je Feld, ohne dass etwas gespeichert wird: über den Fördersatz der "
            "Phase von den förderfähigen Ausgaben hinaus, über das hinaus, was vom bewilligten "
            "Zuschuss übrig ist, ein Zeitraum außerhalb der Laufzeit, in der Zukunft oder "
            "überschneidend mit einem anderen Abruf, Belege, die nicht die förderfähigen Ausgaben "
            "ergeben oder außerhalb des Zeitraums liegen; 409, wenn das Vorhaben weder bewilligt "
            "noch laufend ist. Die Geschäftsstelle prüft und gibt frei; erst die Freigabe bucht "
            "die Auszahlung.\n\n"
            "Requests a tranche for a past period: the project's applicants or the office for "
            "them (else 403). Refused with 400 and German messages per field, nothing written: "
            "beyond the funding rate of the costs, beyond what is left of the grant, a period "
            "outside the runtime, in the future or overlapping another request, receipts that do "
            "not add up or lie outside the period; 409 unless the project is granted or running. "
            "The office checks and releases; only the release books the payment."
        ),
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        project, actor = self.project, self.actor
        if actor is None or not permissions.can_report(actor, project):
            raise NotPermitted(
                _("Mittel ruft der Projektträger ab (oder die Geschäftsstelle für ihn).")
            )
        serializer = gs.PaymentRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        created = services.payment_request_submit(
            actor=actor,
            project=project,
            period_from=data["period_from"],
            period_to=data["period_to"],
            eligible_costs=data["eligible_costs"],
            amount=data["amount"],
            receipts=[services.ReceiptLine(**line) for line in data.get("receipts", [])],
        )
        row = selectors.api_payment_requests_of(project).get(pk=created.pk)
        return Response(gs.PaymentRequestSerializer(row).data, status=status.HTTP_201_CREATED)


class ParticipantListView(FollowupAPIView):
    """The participant figures of a project, per period and in total."""

    serializer_class = gs.ParticipantPeriodSerializer

    @extend_schema(
        operation_id="alliance_project_participants_list",
        tags=[TAG],
        summary="Teilnehmendenzahlen / Participant figures",
        parameters=[SLUG, PK, *PAGING],
        responses={
            200: gs.ParticipantPageSerializer,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        description=(
            "Eintritte und Austritte je Meldezeitraum, nur als Summen (nie einzelne Personen), "
            "aufgeschlüsselt nach den Merkmalen des Programms (Geschlecht, Alter, Erwerbsstatus, "
            "Bildungsstand), nach Zeitraum; unter `totals` alle Zeiträume zusammen und die "
            "geplanten Teilnehmenden. "
            + WHO_READS
            + "Entries and exits per reporting period, aggregates only, broken down by the "
            "programme's characteristics; under `totals` every period together and the "
            "participants planned." + WHO_READS_EN
        ),
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        project = self.project
        periods = list(selectors.participant_periods(project))
        page = self.paginate_queryset(periods)  # a list pages too
        totals = {
            "periods": len(periods),
            "planned": project.planned_participants,
            "entries": sum(row.entries for row in periods),
            "exits": sum(row.exits for row in periods),
            "breakdown": gs.full_breakdown([row.breakdown for row in periods]),
        }
        data = self.page_envelope(page, totals=totals)
        return Response(gs.ParticipantPageSerializer(data).data)
