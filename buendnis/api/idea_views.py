"""The ideas API (/api/v1/alliances/{slug}/ideas/): the partners' idea pool.

- Internal: every answer needs a login (Bearer token or session); 401 without. The alliance's
  internal circle and the ministry read the whole pool, applicants the ideas of their
  organisations (`ideas.permissions`); an idea the caller may not see answers 404, like one of
  another alliance.
- Posting: the internal roles and applicants (for their organisation); the ministry reads only.
  Editing: the idea's authors while it is open or in talks, and the office; deleting: the office.
- `similar/`: the most similar other ideas and projects of the same alliance, best first, with a
  score (0–1) and the reasons in words (`ideas.matching`): never the idea itself, never what the
  caller may not see, never another alliance's data.
- Domain errors become 400/403/409 in one place (`base.exception_handler`), German messages.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from buendnis.core.errors import NotPermitted
from buendnis.funding import selectors as funding_selectors
from buendnis.ideas import matching, selectors, services
from buendnis.ideas import permissions as idea_permissions
from buendnis.ideas.models import Idea, IdeaStatus

from . import idea_serializers as serializers
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

TAG = "Ideen / Ideas"
PK = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Nummer der Idee. / Idea id."
)
NOT_FOUND = error_response(
    "Bündnis unbekannt, oder die Idee gibt es nicht oder nicht für Sie. / Alliance unknown, or no "
    "such idea visible to you."
)
SIMILAR_LIMIT = 10


class IdeaAPIView(AllianceAPIView[Idea]):
    permission_classes = (IsAuthenticated,)
    serializer_class = serializers.IdeaSerializer

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """The pool's pages' rule: its readers and the alliance's applicants (a former author
        without a role in the alliance gets nothing)."""
        super().initial(request, *args, **kwargs)
        if not idea_permissions.may_open_pool(request.user, self.alliance):
            raise exceptions.PermissionDenied(
                _("Der Ideenpool ist dem internen Kreis des Bündnisses vorbehalten.")
            )

    def get_queryset(self) -> QuerySet[Idea]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks for the model
            return Idea.objects.none()
        return selectors.idea_list(self.request.user, self.alliance).prefetch_related("topics")

    def get_idea(self) -> Idea:
        idea = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if idea is None:
            raise Http404(_("Idee nicht gefunden."))
        idea.alliance = self.alliance
        return idea

    def idea_response(self, idea: Idea, *, code: int = status.HTTP_200_OK) -> Response:
        self.kwargs["pk"] = idea.pk
        return Response(self.get_serializer(self.get_idea()).data, status=code)


class IdeaListView(IdeaAPIView):
    @extend_schema(
        operation_id="alliance_ideas_list",
        tags=[TAG],
        summary="Ideen / Ideas",
        parameters=[
            SLUG,
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                enum=IdeaStatus.values,
                description="Nur Ideen in diesem Stand. / Only ideas in this state.",
            ),
        ],
        responses={
            200: serializers.IdeaSerializer(many=True),
            400: INVALID,
            401: UNAUTHENTICATED,
            404: NOT_FOUND,
        },
        description=(
            "Die Projektideen des Bündnisses, neueste zuerst, seitenweise. Der interne Kreis und "
            "das Ministerium sehen alle, Antragsteller/innen die ihrer Organisationen.\n\n"
            "The alliance's project ideas, newest first, paginated: the internal circle and the "
            "ministry see all, applicants those of their organisations."
        ),
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ideas = self.get_queryset()
        ideas = filter_by_status(ideas, request, IdeaStatus.values)
        page = self.paginate_queryset(ideas)
        shown = list(ideas) if page is None else page
        for idea in shown:
            idea.alliance = self.alliance
        data = self.get_serializer(shown, many=True).data
        return Response(data) if page is None else self.get_paginated_response(data)

    @extend_schema(
        operation_id="alliance_ideas_create",
        tags=[TAG],
        summary="Idee einstellen / Post an idea",
        parameters=[SLUG],
        request=serializers.IdeaInputSerializer,
        responses={
            201: serializers.IdeaSerializer,
            400: INVALID,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        description=(
            "Eine neue Idee im Stand `open`: `title` und `text` sind Pflicht. Einstellen dürfen "
            "Geschäftsstelle, Sprecherkreis, Steuerkreis, beratende Mitglieder und "
            "Antragsteller/innen (für ihre Organisation).\n\n"
            "A new idea in state `open`; `title` and `text` are required. Posted by the "
            "alliance's internal roles and applicants (for their organisation)."
        ),
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        alliance, user = self.alliance, request.user
        if not idea_permissions.can_post_idea(user, alliance):
            raise NotPermitted(_("Sie dürfen in diesem Bündnis keine Ideen einstellen."))
        own = funding_selectors.applicant_organisations(user, alliance)
        serializer = serializers.IdeaInputSerializer(
            data=request.data, context={"alliance": alliance, "own_organisations": own}
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        idea = services.idea_create(
            actor=self.actor,
            alliance=alliance,
            title=data.pop("title"),
            text=data.pop("text"),
            topics=data.pop("topics", ()),
            **data,
        )
        response = self.idea_response(idea, code=status.HTTP_201_CREATED)
        response["Location"] = response.data["url"]
        return response


class IdeaDetailView(IdeaAPIView):
    @extend_schema(
        operation_id="alliance_idea_retrieve",
        tags=[TAG],
        summary="Idee / Idea",
        parameters=[SLUG, PK],
        responses={200: serializers.IdeaSerializer, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.get_serializer(self.get_idea()).data)

    @extend_schema(
        operation_id="alliance_idea_update",
        tags=[TAG],
        summary="Idee bearbeiten / Edit an idea",
        parameters=[SLUG, PK],
        request=serializers.IdeaUpdateSerializer,
        responses={
            200: serializers.IdeaSerializer,
            400: INVALID,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
        description=(
            "Ändert die gesendeten Felder; `version` ist Pflicht (409, wenn die Idee inzwischen "
            "geändert wurde). / Changes the fields sent; `version` is required."
        ),
    )
    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        idea = self.get_idea()
        if not idea_permissions.can_edit_idea(request.user, idea):
            raise NotPermitted(_("Sie dürfen diese Idee nicht ändern."))
        serializer = serializers.IdeaUpdateSerializer(
            data=request.data, partial=True, context={"alliance": self.alliance}
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        with transaction.atomic():
            services.idea_update(
                actor=self.actor,
                idea=idea,
                expected_version=data.pop("version"),
                topics=data.pop("topics", None),
                **data,
            )
        return self.idea_response(idea)

    @extend_schema(
        operation_id="alliance_idea_delete",
        tags=[TAG],
        summary="Idee löschen / Delete an idea",
        parameters=[SLUG, PK],
        responses={204: None, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND},
        description="Nur die Geschäftsstelle. / The office only.",
    )
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        idea = self.get_idea()
        if not idea_permissions.can_coordinate_ideas(request.user, self.alliance):
            raise NotPermitted(_("Ideen löscht nur die Geschäftsstelle."))
        services.idea_delete(actor=self.actor, idea=idea)
        return Response(status=status.HTTP_204_NO_CONTENT)


class IdeaSimilarView(IdeaAPIView):
    @extend_schema(
        operation_id="alliance_idea_similar",
        tags=[TAG],
        summary="Ähnliche Ideen und Vorhaben / Similar ideas and projects",
        parameters=[SLUG, PK],
        responses={
            200: serializers.SimilarListSerializer,
            401: UNAUTHENTICATED,
            404: NOT_FOUND,
        },
        description=(
            f"Die bis zu {SIMILAR_LIMIT} ähnlichsten anderen Ideen und Vorhaben (aller "
            "Förderphasen) desselben Bündnisses, beste zuerst, mit `score` (0–1) und den Gründen "
            "in Worten. Nie die Idee selbst, nie zurückgezogene oder zusammengeführte Ideen, nie, "
            "was der Aufrufende nicht sehen darf.\n\n"
            f"Up to the {SIMILAR_LIMIT} most similar other ideas and projects of the same "
            "alliance, best first, with a score and reasons in words."
        ),
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        idea = self.get_idea()
        results = []
        for item in matching.similar_to_idea(request.user, idea, limit=SIMILAR_LIMIT):
            name = (
                "api:alliance-idea-detail" if item.kind == "idea" else "api:alliance-project-detail"
            )
            entry: dict[str, Any] = {
                "kind": item.kind,
                "id": item.id,
                "title": item.title,
                "score": item.score,
                "reasons": item.reasons,
                "status": item.status,
                "url": request.build_absolute_uri(
                    reverse(name, kwargs={"slug": self.alliance.slug, "pk": item.id})
                ),
            }
            if item.reference:
                entry["reference"] = item.reference
            results.append(entry)
        return Response({"results": results})
