"""The decisions API (/api/v1/alliances/{slug}/decisions/): the bodies' decisions in one list,
from meetings and from circulations (Umlaufbeschlüsse).

Design, where it differs from the meetings API (meeting_views.py, whose authentication, alliance
and `internal` it shares):

- The public sees the decisions on public agenda items of meetings whose agenda went out with the
  invitation (`meetings.permissions.published_decisions_q`, the filter form of
  `meetings.permissions.is_agenda_published`) and the results of circulations the office made public
  (`meetings.permissions.published_circulations_q`); the internal circle and the ministry see every
  decision. A decision the caller may not see answers 404.
- Organisations are named, never their reasons; a project only if it is public or the caller is
  internal. `?project=` matches, for the public, only public projects, so the answer does not
  confirm what a hidden project went through.
- Both kinds are paged together (one UNION query of keys, `decision_selectors.decision_keys`),
  then the page's rows come with one query per kind: the count does not grow with the data.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from buendnis.meetings import decision_selectors as selectors
from buendnis.meetings.models import Decision

from . import decision_serializers as ds
from .base import INVALID, UNAUTHENTICATED, error_response
from .meeting_views import BODY_PARAM, MEETING_BODIES, MeetingsAPIView, _day_param
from .pagination import whole_number
from .views import SLUG

TAG = "Beschlüsse / Decisions"

DECISION_KEY = OpenApiParameter(
    "key",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description=(
        "Kennung des Beschlusses, `meeting-<n>` oder `circulation-<n>`. / The decision's id, "
        "`meeting-<n>` or `circulation-<n>`."
    ),
)
DECISION_NOT_FOUND = error_response(
    "Bündnis unbekannt, oder den Beschluss gibt es nicht oder nicht für Sie. / Alliance unknown, "
    "or no such decision visible to you."
)
DECISIONS_DESCRIPTION = (
    "Die Beschlüsse des Steuerkreises und des Sprecherkreises, die ältesten zuerst: in Sitzungen "
    "(`kind` `meeting`, mit Sitzung und TOP-Nummer) und im Umlauf (`kind` `circulation`). Die "
    "Öffentlichkeit sieht die Beschlüsse zu öffentlichen Tagesordnungspunkten, sobald die "
    "Tagesordnung mit der Einladung veröffentlicht ist, und die Ergebnisse öffentlicher "
    "Umlaufbeschlüsse; Geschäftsstelle, Sprecherkreis, Steuerkreis, beratende Mitglieder, "
    "Ministerium und Plattform-Administration sehen alle. Organisationen mit Einwand, "
    "Enthaltung oder Befangenheit werden genannt, ihre Gründe nicht; ein Vorhaben nur, wenn es "
    "öffentlich ist.\n\n"
    "The decisions of the steering committee and the speakers' circle, oldest first: in meetings "
    "and in writing (circulations). The public sees the decisions on public agenda items once the "
    "agenda is published, and the results of public circulations; the internal circle and the "
    "ministry see all. Objecting, abstaining and recused organisations are named, their reasons "
    "are not."
)


class DecisionView(MeetingsAPIView):
    serializer_class = ds.DecisionSerializer

    def get_queryset(self) -> Any:
        # Only the schema generator asks (to learn the model); the views use the selectors.
        return Decision.objects.none()


def _decision_filter(request: Request) -> selectors.DecisionFilter:
    params = request.query_params
    body = params.get("body") or None
    if body is not None and body not in MEETING_BODIES:
        raise exceptions.ValidationError(
            {
                "body": [
                    _("Unbekanntes Gremium „%(body)s“. Möglich sind: %(values)s.")
                    % {"body": body, "values": ", ".join(MEETING_BODIES)}
                ]
            }
        )
    project = params.get("project") or None
    if project is not None and whole_number(project) is None:
        raise exceptions.ValidationError(
            {"project": [_("Bitte die Nummer (id) eines Vorhabens angeben.")]}
        )
    start, end = _day_param(request, "from"), _day_param(request, "until")
    if start is not None and end is not None and end < start:
        raise exceptions.ValidationError({"until": [_("„until“ liegt vor „from“.")]})
    zone = timezone.get_current_timezone()
    # Whole days of the alliance's time zone, as in the meetings list.
    return selectors.DecisionFilter(
        body=body,
        project_id=None if project is None else int(project),
        start=None if start is None else datetime.combine(start, time(), tzinfo=zone),
        end=None if end is None else datetime.combine(end + timedelta(days=1), time(), tzinfo=zone),
    )


class DecisionListView(DecisionView):
    """Queries: the alliance (and the caller's roles), count, the page's keys, then one query per
    kind on the page (decisions with item, meeting, body, project; circulations with body,
    project)."""

    @extend_schema(
        operation_id="alliance_decisions_list",
        tags=[TAG],
        summary="Beschlüsse / Decisions",
        parameters=[
            SLUG,
            BODY_PARAM,
            OpenApiParameter(
                "project",
                OpenApiTypes.INT,
                OpenApiParameter.QUERY,
                description=(
                    "Nur Beschlüsse zu diesem Vorhaben (id). / Only decisions on this project."
                ),
            ),
            OpenApiParameter(
                "from",
                OpenApiTypes.DATE,
                OpenApiParameter.QUERY,
                description=(
                    "Nur Beschlüsse ab diesem Tag (JJJJ-MM-TT). / Only decisions on or after "
                    "this day."
                ),
            ),
            OpenApiParameter(
                "until",
                OpenApiTypes.DATE,
                OpenApiParameter.QUERY,
                description=(
                    "Nur Beschlüsse bis einschließlich diesem Tag (JJJJ-MM-TT). / Only decisions "
                    "on or before this day."
                ),
            ),
        ],
        responses={
            200: ds.DecisionSerializer(many=True),
            400: INVALID,
            401: UNAUTHENTICATED,
            404: DECISION_NOT_FOUND,
        },
        description=DECISIONS_DESCRIPTION,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        keys = selectors.decision_keys(
            self.alliance, internal=self.internal, wanted=_decision_filter(request)
        )
        page = self.paginate_queryset(keys)
        shown = list(keys) if page is None else page
        entries = selectors.decision_entries(shown)
        data = self.get_serializer(entries, many=True).data
        return Response(data) if page is None else self.get_paginated_response(data)


class DecisionDetailView(DecisionView):
    @extend_schema(
        operation_id="alliance_decision_retrieve",
        tags=[TAG],
        summary="Beschluss / Decision",
        parameters=[SLUG, DECISION_KEY],
        responses={
            200: ds.DecisionSerializer,
            401: UNAUTHENTICATED,
            404: DECISION_NOT_FOUND,
        },
        description=(
            "Ein Beschluss mit denselben Feldern wie in der Liste.\n\n"
            "One decision, with the same fields as in the list."
        ),
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entry = selectors.decision_entry(self.alliance, self.kwargs["key"], internal=self.internal)
        if entry is None:
            raise Http404(_("Beschluss nicht gefunden."))
        return Response(self.get_serializer(entry).data)
