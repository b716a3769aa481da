"""The meetings and circulations API (/api/v1/alliances/{slug}/meetings/, …/circulations/).

Design, where it differs from the projects API (project_views.py; both map errors in base.py):

- Meetings are read by everyone, each caller seeing what the web pages show them: the public sees
  the meetings with a public part (cancelled ones too, flagged `is_cancelled`) and only their
  public agenda items, once the invitation published the agenda
  (`meetings.permissions.is_agenda_published`); the internal circle and the ministry
  (`meetings.permissions.can_view_meetings`) see every meeting and every item. A meeting the
  caller may not see answers 404, like one of another alliance. A project is named on an item only
  if it is public or the caller is internal. The office's internal notes on items are in no answer
  at all.
- Circulations are the internal circle's (and the ministry's): 401 without credentials, 403 for
  everyone else. A member of the Steuerkreis answers for the organisation they sit for
  (`meetings.permissions.answering_organisation_ids`) through
  `meetings.services.circulations.circulation_answer`, with the rules of the web form: 403 for an
  organisation the caller does not answer for, 400 for a broken rule (an objection without a
  reason, a recused organisation), 409 when the circulation is closed or its deadline has passed.
- Query counts are pinned (tests/api/test_meetings_api.py) and do not grow with the number of
  meetings, items or answers: the page with the body joined and one query for the items (project
  and decision joined) or the answers (organisation joined).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from buendnis.alliances.models import BodyKind, Organisation
from buendnis.core.errors import NotPermitted
from buendnis.meetings import permissions as meeting_permissions
from buendnis.meetings import selectors
from buendnis.meetings.models import AgendaItem, Circulation, CirculationStatus, Meeting
from buendnis.meetings.services import circulations as circulations_services

from . import meeting_serializers as ms
from .base import (
    CONFLICT,
    FORBIDDEN,
    INVALID,
    UNAUTHENTICATED,
    AllianceAPIView,
    error_response,
    filter_by_status,
)
from .views import SLUG

MEETINGS_TAG = "Sitzungen / Meetings"
CIRCULATIONS_TAG = "Umlaufbeschlüsse / Circulations"

MEETING_BODIES = (BodyKind.STEERING, BodyKind.SPEAKERS)

MEETING_PK = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Nummer der Sitzung. / Meeting id."
)
CIRCULATION_PK = OpenApiParameter(
    "id",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="Nummer des Umlaufbeschlusses. / Circulation id.",
)
MEETING_NOT_FOUND = error_response(
    "Bündnis unbekannt, oder die Sitzung gibt es nicht oder nicht für Sie. / Alliance unknown, "
    "or no such meeting visible to you."
)
CIRCULATION_NOT_FOUND = error_response(
    "Bündnis oder Umlaufbeschluss unbekannt. / Alliance or circulation unknown."
)
CIRCULATION_FORBIDDEN = error_response(
    "Umlaufbeschlüsse sind dem internen Kreis des Bündnisses und dem Ministerium vorbehalten. / "
    "Circulations are for the alliance's internal circle and the ministry."
)


class MeetingsAPIView(AllianceAPIView[Any]):
    """Shared: what `AllianceAPIView` gives (token or session, German answers, the alliance, the
    domain errors as in the projects API) and whether the caller is internal."""

    permission_classes: tuple[type[BasePermission], ...] = (AllowAny,)

    @cached_property
    def internal(self) -> bool:
        return meeting_permissions.can_view_meetings(self.request.user, self.alliance)

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if getattr(self, "swagger_fake_view", False):
            return context
        return {**context, "alliance": self.alliance, "internal": self.internal}


# --- Meetings --------------------------------------------------------------------------------------


# The schema's `format: date` (RFC 3339's full-date). date.fromisoformat alone also reads ISO
# 8601's other forms ("20250319", "2025-W12-3"), which no client of the schema sends on purpose.
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _day_param(request: Request, name: str) -> date | None:
    """The day of a query parameter; empty means none (a form's empty field)."""
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        if not DAY.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError as error:
        raise exceptions.ValidationError(
            {name: [_("Bitte ein Datum im Format JJJJ-MM-TT angeben, z. B. 2025-03-19.")]}
        ) from error


class MeetingView(MeetingsAPIView):
    serializer_class = ms.MeetingSerializer

    def get_queryset(self) -> QuerySet[Meeting]:
        """The meetings the caller sees, with the items they see: the page, then one query for
        the items (project and decision joined)."""
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks for the model
            return Meeting.objects.none()
        items = AgendaItem.objects.select_related("project", "decision").order_by("position", "id")
        meetings = selectors.meeting_list(self.alliance).filter(body__kind__in=MEETING_BODIES)
        if not self.internal:
            items = items.filter(is_public=True)
            meetings = meetings.filter(has_public_part=True)
        return meetings.prefetch_related(Prefetch("items", queryset=items))


BODY_PARAM = OpenApiParameter(
    "body",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    enum=list(MEETING_BODIES),
    description="Nur Sitzungen dieses Gremiums. / Only this body's meetings.",
)
FROM_PARAM = OpenApiParameter(
    "from",
    OpenApiTypes.DATE,
    OpenApiParameter.QUERY,
    description="Nur Sitzungen ab diesem Tag (JJJJ-MM-TT). / Only meetings on or after this day.",
)
UNTIL_PARAM = OpenApiParameter(
    "until",
    OpenApiTypes.DATE,
    OpenApiParameter.QUERY,
    description=(
        "Nur Sitzungen bis einschließlich diesem Tag (JJJJ-MM-TT). / Only meetings on or before "
        "this day."
    ),
)
MEETINGS_DESCRIPTION = (
    "Die Sitzungen des Steuerkreises und des Sprecherkreises nach Beginn, mit Tagesordnung und "
    "Beschlüssen. Zeiten in ISO 8601 mit Zeitzone. Die Öffentlichkeit sieht die Sitzungen mit "
    "öffentlichem Teil (abgesagte mit `is_cancelled`) und nur deren öffentliche "
    "Tagesordnungspunkte, diese erst mit der Einladung (`agenda_published`); ein Vorhaben wird "
    "nur genannt, wenn es öffentlich ist. "
    "Geschäftsstelle, Sprecherkreis, Steuerkreis, beratende Mitglieder, Ministerium und "
    "Plattform-Administration sehen alle Sitzungen und Punkte. Interne Notizen der "
    "Geschäftsstelle gibt die API nie heraus.\n\n"
    "The meetings of the steering committee and the speakers' circle by start, with agenda and "
    "decisions. The public sees the meetings with a public part (cancelled ones flagged) and "
    "their public items only; the internal circle and the ministry see everything. The office's "
    "internal notes are never part of an answer."
)


class MeetingListView(MeetingView):
    @extend_schema(
        operation_id="alliance_meetings_list",
        tags=[MEETINGS_TAG],
        summary="Sitzungen / Meetings",
        parameters=[SLUG, BODY_PARAM, FROM_PARAM, UNTIL_PARAM],
        responses={
            200: ms.MeetingSerializer(many=True),
            400: INVALID,
            401: UNAUTHENTICATED,
            404: MEETING_NOT_FOUND,
        },
        description=MEETINGS_DESCRIPTION,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        meetings = self.get_queryset()
        body = request.query_params.get("body")
        if body:
            if body not in MEETING_BODIES:
                raise exceptions.ValidationError(
                    {
                        "body": [
                            _("Unbekanntes Gremium „%(body)s“. Möglich sind: %(values)s.")
                            % {"body": body, "values": ", ".join(MEETING_BODIES)}
                        ]
                    }
                )
            meetings = meetings.filter(body__kind=body)
        start, end = _day_param(request, "from"), _day_param(request, "until")
        if start is not None and end is not None and end < start:
            raise exceptions.ValidationError({"until": [_("„until“ liegt vor „from“.")]})
        zone = timezone.get_current_timezone()
        # Whole days of the alliance's time zone; comparing instants keeps the index usable.
        if start is not None:
            meetings = meetings.filter(starts_at__gte=datetime.combine(start, time(), tzinfo=zone))
        if end is not None:
            meetings = meetings.filter(
                starts_at__lt=datetime.combine(end + timedelta(days=1), time(), tzinfo=zone)
            )
        page = self.paginate_queryset(meetings)
        shown = list(meetings) if page is None else page
        data = self.get_serializer(shown, many=True).data
        return Response(data) if page is None else self.get_paginated_response(data)


class MeetingDetailView(MeetingView):
    @extend_schema(
        operation_id="alliance_meeting_retrieve",
        tags=[MEETINGS_TAG],
        summary="Sitzung / Meeting",
        parameters=[SLUG, MEETING_PK],
        responses={
            200: ms.MeetingSerializer,
            401: UNAUTHENTICATED,
            404: MEETING_NOT_FOUND,
        },
        description=(
            "Eine Sitzung mit denselben Feldern wie in der Liste; eine Sitzung ohne öffentlichen "
            "Teil nur für den internen Kreis.\n\n"
            "One meeting, with the same fields as in the list; one without a public part for the "
            "internal circle only."
        ),
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        meeting = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if meeting is None:
            raise Http404(_("Sitzung nicht gefunden."))
        return Response(self.get_serializer(meeting).data)


# --- Circulations ----------------------------------------------------------------------------------


class CirculationView(MeetingsAPIView):
    """The internal circle's: 401 without credentials, 403 for everyone else."""

    permission_classes = (IsAuthenticated,)
    serializer_class = ms.CirculationSerializer

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not self.internal:
            raise NotPermitted(
                _(
                    "Umlaufbeschlüsse sind dem internen Kreis des Bündnisses und dem Ministerium "
                    "vorbehalten."
                )
            )

    @cached_property
    def answering(self) -> frozenset[int]:
        return meeting_permissions.answering_organisation_ids(self.request.user, self.alliance)

    def get_queryset(self) -> QuerySet[Circulation]:
        if getattr(self, "swagger_fake_view", False):
            return Circulation.objects.none()
        return selectors.circulation_list(self.alliance)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        return {**context, "answering": self.answering, "now": timezone.now()}

    def get_circulation(self) -> Circulation:
        circulation = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if circulation is None:
            raise Http404(_("Umlaufbeschluss nicht gefunden."))
        return circulation


STATUS_PARAM = OpenApiParameter(
    "status",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    enum=CirculationStatus.values,
    description="Nur Umlaufbeschlüsse in diesem Stand. / Only circulations in this state.",
)


class CirculationListView(CirculationView):
    @extend_schema(
        operation_id="alliance_circulations_list",
        tags=[CIRCULATIONS_TAG],
        summary="Umlaufbeschlüsse / Circulations",
        parameters=[SLUG, STATUS_PARAM],
        responses={
            200: ms.CirculationSerializer(many=True),
            400: INVALID,
            401: UNAUTHENTICATED,
            403: CIRCULATION_FORBIDDEN,
            404: CIRCULATION_NOT_FOUND,
        },
        description=(
            "Die Umlaufbeschlüsse des Bündnisses, die neuesten zuerst: Beschlussvorschlag, Frist, "
            "gefragte und befangene Organisationen, die Antworten bisher und nach der Auswertung "
            "das Ergebnis. `answerable_for` nennt die Organisationen, für die Sie antworten. Nur "
            "für den internen Kreis und das Ministerium.\n\n"
            "The alliance's circulations, newest first, with the answers so far and the result. "
            "`answerable_for` lists the organisations you answer for. Internal circle and ministry "
            "only."
        ),
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        circulations = self.get_queryset()
        circulations = filter_by_status(circulations, request, CirculationStatus.values)
        page = self.paginate_queryset(circulations)
        shown = list(circulations) if page is None else page
        data = self.get_serializer(shown, many=True).data
        return Response(data) if page is None else self.get_paginated_response(data)


class CirculationDetailView(CirculationView):
    @extend_schema(
        operation_id="alliance_circulation_retrieve",
        tags=[CIRCULATIONS_TAG],
        summary="Umlaufbeschluss / Circulation",
        parameters=[SLUG, CIRCULATION_PK],
        responses={
            200: ms.CirculationSerializer,
            401: UNAUTHENTICATED,
            403: CIRCULATION_FORBIDDEN,
            404: CIRCULATION_NOT_FOUND,
        },
        description=(
            "Ein Umlaufbeschluss mit denselben Feldern wie in der Liste.\n\n"
            "One circulation, with the same fields as in the list."
        ),
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.get_serializer(self.get_circulation()).data)


class CirculationAnswerView(CirculationView):
    @extend_schema(
        operation_id="alliance_circulation_answer",
        tags=[CIRCULATIONS_TAG],
        summary="Antworten / Answer",
        parameters=[SLUG, CIRCULATION_PK],
        request=ms.CirculationAnswerInputSerializer,
        responses={
            200: ms.CirculationSerializer,
            400: INVALID,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: CIRCULATION_NOT_FOUND,
            409: CONFLICT,
        },
        description=(
            "Die Antwort einer Organisation: `agree` (Zustimmung), `object` (Einwand, mit "
            "Begründung in `comment`) oder `abstain` (Enthaltung). Antworten dürfen die "
            "Mitglieder des Steuerkreises für ihre Organisation (`answerable_for`); eine zweite "
            "Antwort ersetzt die erste, bis die Frist abläuft. Antworten: 200 mit dem "
            "Umlaufbeschluss; 400 bei verletzter Regel (Einwand ohne Begründung, befangene oder "
            "nicht gefragte Organisation); 403 für eine Organisation, für die Sie nicht "
            "antworten; 409, wenn der Umlauf abgeschlossen oder die Frist abgelaufen ist.\n\n"
            "One organisation's answer: `agree`, `object` (with a reason in `comment`) or "
            "`abstain`. Members of the steering committee answer for their organisation; a second "
            "answer replaces the first until the deadline. 400 for a broken rule, 403 for an "
            "organisation you do not answer for, 409 when closed or past the deadline."
        ),
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        circulation = self.get_circulation()
        if not self.answering:
            raise NotPermitted(
                _(
                    "Antworten geben die Mitglieder des Steuerkreises, jeweils für ihre "
                    "Organisation."
                )
            )
        serializer = ms.CirculationAnswerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organisation = Organisation.objects.filter(
            alliance=self.alliance, pk=data["organisation"]
        ).first()
        if organisation is None:
            raise exceptions.ValidationError(
                {"organisation": [_("Diese Organisation gibt es in diesem Bündnis nicht.")]}
            )
        if organisation.pk not in self.answering:
            raise NotPermitted(
                _("Sie können nicht für %(organisation)s antworten.")
                % {"organisation": organisation.name}
            )
        circulations_services.circulation_answer(
            actor=self.actor,
            circulation=circulation,
            organisation=organisation,
            answer=data["answer"],
            comment=data["comment"],
        )
        return Response(self.get_serializer(self.get_circulation()).data)
