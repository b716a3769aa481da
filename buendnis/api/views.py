"""The public read API (/api/v1/): open data of the alliances, the same for everyone who asks.

The projects endpoints (`projects/…`) answer each caller differently and accept writes; their
design is in project_views.py. Design, shared by every view here:

- Public data needs no login, so the views read no session at all (`authentication_classes = ()`).
  The answer can therefore never depend on who asks, the query count is the same for every
  visitor, and a write is refused with 405 for everyone, including logged-in office staff and
  admins (with session authentication a missing CSRF token would turn it into a 403 first).
  The one exception is `phases/`: the public sees the recognised phases, the alliance's internal
  circle, the ministry and admins also those in preparation or with the ministry
  (`renewal.permissions.can_view_cycle`). It reads a token or the session, for
  reads only, so that a write is still a 405 for everyone.
- Only GET (and HEAD/OPTIONS) exist; there is no handler for POST/PUT/PATCH/DELETE.
- The alliance comes from `get_alliance_for_user`, the one place that decides who sees an
  alliance: unknown and inactive slugs answer 404 with a German `detail`.
- Reads go through `buendnis.alliances.selectors`, which fetch every relation up front, so the
  number of queries does not grow with organisations, seats or topics.
- Every list uses the configured LimitOffsetPagination (`count`, `next`, `previous`, `results`),
  even the short lists per alliance: one envelope for every list, and clients that page through
  the alliance list page through everything else the same way.
- Labels (`role_label`) and messages are German whatever the client's Accept-Language: the
  contract promises German, and outside clients must not see them change with a header.
- An address below /api/ that matches no route (a slug outside the pattern, an id that is not a
  number, an unknown endpoint) answers like the views' own 404: JSON with a German `detail`
  (`not_found`, called by the site's 404 handler in config/urls.py), never the site's HTML page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, JsonResponse
from django.utils import translation
from django.utils.functional import cached_property
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from buendnis.alliances import selectors
from buendnis.alliances.models import (
    ActionField,
    Alliance,
    Body,
    FundingPhase,
    Organisation,
)
from buendnis.budget import selectors as budget_selectors
from buendnis.funding import figures as project_money
from buendnis.renewal import permissions as renewal_permissions

from . import serializers
from .authentication import BearerTokenAuthentication, SessionAuthentication
from .base import GermanAnswers

TAG = "Bündnisse / Alliances"


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """The 404 of an address below /api/ that no route matches, shaped like DRF's."""
    with translation.override("de"):
        detail = translation.gettext("Diese Adresse gibt es in der API nicht.")
    return JsonResponse({"detail": detail}, status=404)


NOT_FOUND = OpenApiResponse(
    response=serializers.ErrorSerializer,
    description="Bündnis unbekannt oder nicht aktiv. / Alliance unknown or inactive.",
)

SLUG = OpenApiParameter(
    "slug",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="Kurzname des Bündnisses, z. B. `son`. / The alliance's slug.",
)


class PublicReadMixin(GermanAnswers):
    """Open data: no authentication, no permission check, German answers (see module docstring)."""

    authentication_classes: tuple[type[BaseAuthentication], ...] = ()
    permission_classes = (AllowAny,)


class AllianceListView(PublicReadMixin, generics.ListAPIView[Alliance]):
    """All active alliances, by name. Queries: count, page."""

    serializer_class = serializers.AllianceSerializer

    @extend_schema(
        operation_id="alliances_list",
        tags=[TAG],
        summary="Bündnisse / Alliances",
        description=(
            "Alle aktiven Fachkräftebündnisse der Plattform, nach Name.\n\n"
            "All active skilled-labour alliances on the platform, by name."
        ),
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Alliance]:
        return selectors.alliance_list()


class AllianceDetailView(PublicReadMixin, generics.RetrieveAPIView[Alliance]):
    """One alliance with a summary of its current phase. Queries: alliance, current phase."""

    serializer_class = serializers.AllianceDetailSerializer

    @extend_schema(
        operation_id="alliance_retrieve",
        tags=[TAG],
        summary="Bündnis / Alliance",
        parameters=[SLUG],
        responses={200: serializers.AllianceDetailSerializer, 404: NOT_FOUND},
        description=(
            "Ein Bündnis mit seiner aktuellen Förderphase (`current_phase`, null ohne Phase).\n\n"
            "One alliance with its current funding phase (`current_phase`, null without phases)."
        ),
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_object(self) -> Alliance:
        alliance = selectors.get_alliance_for_user(self.request.user, self.kwargs["slug"])
        alliance.current_phase = selectors.current_phase(alliance)  # type: ignore[attr-defined]
        return alliance


class AllianceItemsView(PublicReadMixin, generics.ListAPIView[Any]):
    """A list that belongs to one alliance (`/alliances/{slug}/…/`), paginated like every list.

    Subclasses say which model they list (`model`, for the schema) and fetch the items through a
    selector in `get_items`; the alliance is fetched once per request.
    """

    model: type[Any]

    @cached_property
    def alliance(self) -> Alliance:
        return selectors.get_alliance_for_user(self.request.user, self.kwargs["slug"])

    def get_items(self) -> QuerySet[Any] | Sequence[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        # Only the schema generator asks for this (to learn the model); `list` uses `get_items`.
        return self.model._default_manager.none()

    def prepare(self, items: Sequence[Any]) -> None:
        """Fetch what the serializer needs for the items shown, for all of them at once."""

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        items = self.get_items()
        page = self.paginate_queryset(items)
        shown = list(items) if page is None else page  # None: pagination switched off
        self.prepare(shown)
        data = self.get_serializer(shown, many=True).data
        return Response(data) if page is None else self.get_paginated_response(data)


class OrganisationListView(AllianceItemsView):
    """Organisations of the alliance with their group and whether they are partners in the current
    phase. Queries: alliance, current phase, count, page (group joined)."""

    model = Organisation
    serializer_class = serializers.OrganisationSerializer

    @extend_schema(
        operation_id="alliance_organisations_list",
        tags=[TAG],
        summary="Organisationen / Organisations",
        parameters=[SLUG],
        responses={200: serializers.OrganisationSerializer, 404: NOT_FOUND},
        description=(
            "Die Organisationen des Bündnisses, nach Gruppe. `is_partner`: hat die "
            "Kooperationsvereinbarung der aktuellen Förderphase unterzeichnet. Keine "
            "Kontaktdaten.\n\n"
            "The alliance's organisations, by group. `is_partner`: signed the cooperation "
            "agreement of the current phase. No contact data."
        ),
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_items(self) -> QuerySet[Organisation]:
        phase = selectors.current_phase(self.alliance)
        return selectors.organisation_list(self.alliance, phase=phase)


class BodyListView(AllianceItemsView):
    """Steuerkreis, Sprecherkreis, Geschäftsstelle with the seats active today. Queries: alliance,
    bodies, seats (organisation, group, person joined). Never more than three bodies."""

    model = Body
    serializer_class = serializers.BodySerializer

    @extend_schema(
        operation_id="alliance_bodies_list",
        tags=[TAG],
        summary="Gremien / Bodies",
        parameters=[SLUG],
        responses={200: serializers.BodySerializer, 404: NOT_FOUND},
        description=(
            "Steuerkreis, Sprecherkreis und Geschäftsstelle mit den heute besetzten Sitzen. "
            "Personen erscheinen nur mit Namen und nur mit ihrem Einverständnis.\n\n"
            "Steering committee, speakers' circle and office with the seats active today. People "
            "appear by name only, and only with their consent."
        ),
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_items(self) -> list[Body]:
        return selectors.body_list(self.alliance)


class PhaseListView(AllianceItemsView):
    """Funding phases by start, with their recognition, partner count, budget figures and the
    current one marked; phases not (yet) recognised only for those who may see them. Queries:
    (session and user, or the token, and the caller's roles, when credentials are sent),
    alliance, count, page, the ledger's sums for the page's phases (one query), the volume of the
    page's phases (one query), current phase (one while a phase runs; up to three between
    phases)."""

    model = FundingPhase
    serializer_class = serializers.PhaseSerializer
    # The answer depends on who asks (see the module docstring).
    authentication_classes = (BearerTokenAuthentication, SessionAuthentication)

    def perform_authentication(self, request: Request) -> None:
        # Reads only: every other method is refused with 405 (there is no handler), which the
        # session's CSRF check would otherwise turn into a 403 first.
        if request.method in SAFE_METHODS:
            super().perform_authentication(request)

    @cached_property
    def sees_unrecognised(self) -> bool:
        return renewal_permissions.can_view_cycle(self.request.user, self.alliance)

    @extend_schema(
        operation_id="alliance_phases_list",
        tags=[TAG],
        summary="Förderphasen / Funding phases",
        parameters=[SLUG],
        responses={
            200: serializers.PhaseSerializer,
            401: OpenApiResponse(
                response=serializers.ErrorSerializer,
                description=(
                    "API-Schlüssel oder Sitzung ungültig (ohne Anmeldung: 200). / Invalid token "
                    "or session (without credentials: 200)."
                ),
            ),
            404: NOT_FOUND,
        },
        description=(
            "Die Förderphasen des Bündnisses nach Beginn, jede mit ihrer Anerkennung "
            "(`recognition`: Stand, Datum, Aktenzeichen, virtuelles Budget und Fördersatz). Die "
            "Öffentlichkeit und Antragsteller/innen sehen nur anerkannte Förderphasen; "
            "Geschäftsstelle, Sprecherkreis, Steuerkreis, beratende Mitglieder, Ministerium und "
            "Plattform-Administration (angemeldet oder mit API-Schlüssel) auch die in "
            "Vorbereitung (`draft`), beantragte (`applied`), zurückgegebene "
            "(`changes_requested`) und abgelehnte (`refused`). `id` führt zu den "
            "Unterschriften der Partner (`phases/{id}/agreements/`). Beträge sind Dezimalzahlen "
            'als Zeichenketten (`"1500000.00"`), der Fördersatz in Prozent. `reserved`, `committed`, '
            "`paid` und `available` stammen aus dem Budgetbuch der Phase: reserviert mit dem Votum "
            "des Bündnisses, gebunden mit der Bewilligung der Förderbank, ausgezahlt mit der "
            "Abrechnung; `available` ist der Rest des Budgets (`budget`, mit Budgetänderungen). "
            "`volume` ist das Projektvolumen der Vorhaben ab dem Votum (förderfähige Kosten, nach "
            "der Abrechnung die abgerechneten), `leverage` das Volumen je Euro Zuschuss "
            "(reserviert, gebunden, ausgezahlt), null ohne Zuschüsse.\n\n"
            "The alliance's funding phases by start, each with its recognition "
            "(`recognition`). The public and applicants see recognised phases only; the "
            "alliance's internal circle, the ministry and platform admins (logged in or with a "
            "token) also those in preparation, applied for, sent back or refused. `id` leads to "
            "the partners' signatures (`phases/{id}/agreements/`). Amounts are decimal strings, "
            "the funding rate is in percent. `reserved`, `committed`, `paid` and `available` come "
            "from the "
            "phase's budget ledger; `available` is what is left of `budget` (with adjustments). "
            "`volume` is the project volume set in motion (projects from the endorsement on), "
            "`leverage` the volume per euro of grant, null without grants."
        ),
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_items(self) -> QuerySet[FundingPhase]:
        return selectors.phase_list(self.alliance, with_unrecognised=self.sees_unrecognised)

    def prepare(self, items: Sequence[Any]) -> None:
        # The ledger's sums for every phase on the page, in one query.
        ids = [phase.pk for phase in items]
        figures = budget_selectors.budget_figures_by_phase(
            ids, {phase.pk: phase.virtual_budget for phase in items}
        )
        # The volume the projects set in motion, in one more query.
        volumes = project_money.volume_by_phase(ids)
        for phase in items:
            phase.budget_figures = figures[phase.pk]
            phase.volume = volumes[phase.pk]
            phase.leverage = project_money.leverage(
                volumes[phase.pk], figures[phase.pk].distributed
            )

    def get_serializer_context(self) -> dict[str, Any]:
        return {
            **super().get_serializer_context(),
            "current_phase": selectors.current_phase(self.alliance),
        }


class ThemeListView(AllianceItemsView):
    """Fields of action with topics and subtopics, of the current phase or of `?phase=<name>`.
    Queries: alliance, phase, action fields, topics. Never more than a handful of fields."""

    model = ActionField
    serializer_class = serializers.ActionFieldSerializer

    @extend_schema(
        operation_id="alliance_themes_list",
        tags=[TAG],
        summary="Handlungsfelder / Fields of action",
        parameters=[
            SLUG,
            OpenApiParameter(
                "phase",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                description=(
                    "Name einer Förderphase des Bündnisses; ohne: die aktuelle. / Name of one "
                    "of the alliance's phases; default: the current one."
                ),
            ),
        ],
        responses={
            200: serializers.ActionFieldSerializer,
            404: OpenApiResponse(
                response=serializers.ErrorSerializer,
                description=(
                    "Bündnis oder Förderphase unbekannt. / Alliance or funding phase unknown."
                ),
            ),
        },
        description=(
            "Die Handlungsfelder einer Förderphase mit Themen und Unterthemen; das thematisch "
            "offene Feld (`is_open`) zuletzt. Ohne Förderphase eine leere Liste.\n\n"
            "The fields of action of a funding phase with topics and subtopics; the open field "
            "(`is_open`) last. Empty without any phase."
        ),
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_items(self) -> list[ActionField]:
        name = self.request.query_params.get("phase")
        if not name:  # `?phase=` without a value means the same as no parameter
            phase = selectors.current_phase(self.alliance)
        else:
            phase = selectors.phase_by_name(self.alliance, name)
            if phase is None:
                raise Http404(translation.gettext("Förderphase nicht gefunden."))
        return [] if phase is None else selectors.action_fields_of(phase)
