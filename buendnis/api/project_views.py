"""The projects API (/api/v1/alliances/{slug}/projects/): read, create, edit, move through the
procedure.

Design, where it differs from the public read views (views.py):

- The answer depends on who asks, so these views authenticate: a Bearer token
  (`authentication.BearerTokenAuthentication`, for scripts) or the browser session, which
  DRF checks for a CSRF token on every write. Reading needs no login; writing does (401 without).
- Who sees which project, and which of its fields, comes from
  `funding.permissions.project_access`, decided once per request; a project the caller may not
  see answers 404, like a project of another alliance, so the answer does not confirm what exists.
- Every write goes through `buendnis.funding.services`, so the rules are the same as in the
  portal and the admin. The view asks `funding.permissions` first, so that a role that may not act gets
  403 before its input is even read; the service checks again under the row lock.
- Domain errors become HTTP answers in one place for the whole API (`base.exception_handler`): a
  move the current state does not allow and a stale edit are 409, a refused role 403, a broken
  rule 400 with German messages per field (`non_field_errors` for the rest). Messages are German
  whatever the client's Accept-Language, as everywhere in this API.
- Query counts are pinned and do not grow with the number of projects: the page of projects with
  phase, owner and field joined, one query for the topics, and five more for the non-public
  record of the projects on the page the caller sees in full (none if there is none).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from buendnis.alliances.models import Body
from buendnis.core.errors import NotPermitted
from buendnis.funding import permissions as funding_permissions
from buendnis.funding import selectors, services
from buendnis.funding.models import Project
from buendnis.funding.states import ACTIONS, Status

from . import project_serializers as ps
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

TAG = "Vorhaben / Projects"


PK = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Nummer des Vorhabens. / Project id."
)
NOT_FOUND = error_response(
    "Bündnis unbekannt, oder das Vorhaben gibt es nicht oder nicht für Sie. / Alliance unknown, "
    "or no such project visible to you."
)


class ProjectAPIView(AllianceAPIView[Project]):
    """Shared by the project endpoints: the caller's access (see the module docstring); errors
    are mapped by `base.exception_handler`."""

    permission_classes = (IsAuthenticatedOrReadOnly,)
    serializer_class = ps.ProjectSerializer

    def rename_fields(self, errors: dict[str, list[str]]) -> dict[str, list[str]]:
        """Subclasses map the services' field names to the names the client sent."""
        return errors

    @cached_property
    def access(self) -> funding_permissions.ProjectAccess:
        return funding_permissions.project_access(self.request.user, self.alliance)

    def get_queryset(self) -> QuerySet[Project]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks for the model
            return Project.objects.none()
        return selectors.api_project_list(self.alliance, visible=self.access.visible())

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "access": self.access}

    def get_project(self, *, with_record: bool = True) -> Project:
        """The project of the URL if the caller may see it, else 404. Its non-public record is
        fetched along when the caller sees it in full (and `with_record`: writes do not need it)."""
        project = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if project is None:
            raise Http404(_("Vorhaben nicht gefunden."))
        if with_record and self.access.sees_everything_of(project):
            selectors.api_project_records_prefetch([project])
        return project

    def project_response(self, project: Project, *, code: int = status.HTTP_200_OK) -> Response:
        """The project as it is now, after a write (read again: the services changed it)."""
        # A fresh access: a write may have made the caller the project's applicant (created_by).
        vars(self).pop("access", None)
        self.kwargs["pk"] = project.pk
        fresh = self.get_project()
        return Response(self.get_serializer(fresh).data, status=code)


class ProjectListView(ProjectAPIView):
    """The alliance's projects the caller may see; creating a project."""

    @extend_schema(
        operation_id="alliance_projects_list",
        tags=[TAG],
        summary="Vorhaben / Projects",
        parameters=[
            SLUG,
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                enum=Status.values,
                description="Nur Vorhaben in diesem Stand. / Only projects in this state.",
            ),
            OpenApiParameter(
                "phase",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                description="Nur Vorhaben dieser Förderphase (Name). / Only this phase's projects.",
            ),
        ],
        responses={
            200: ps.ProjectSerializer(many=True),
            400: INVALID,
            401: UNAUTHENTICATED,
            404: NOT_FOUND,
        },
        description=(
            "Die Vorhaben des Bündnisses nach Aktenzeichen. Die Öffentlichkeit sieht die Vorhaben "
            "ab dem Votum des Bündnisses (`endorsed`, `application_filed`, `granted`, `running`, "
            "`closed`) mit ihren öffentlichen Feldern. Antragsteller/innen sehen außerdem ihre "
            "eigenen Vorhaben, mit allen Feldern; Geschäftsstelle, Sprecherkreis, Steuerkreis, "
            "beratende Mitglieder, Ministerium und Plattform-Administration sehen alle Vorhaben "
            "mit allen Feldern.\n\n"
            "The alliance's projects by reference. The public sees projects from the alliance's "
            "endorsement on, with their public fields; applicants also see their own projects "
            "with every field; the alliance's circle, the ministry and admins see every project "
            "with every field."
        ),
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        projects = self.get_queryset()
        projects = filter_by_status(projects, request, Status.values)
        phase = request.query_params.get("phase")
        if phase:
            projects = projects.filter(phase__name=phase)
        page = self.paginate_queryset(projects)
        shown = list(projects) if page is None else page
        selectors.api_project_records_prefetch(
            [project for project in shown if self.access.sees_everything_of(project)]
        )
        data = self.get_serializer(shown, many=True).data
        return Response(data) if page is None else self.get_paginated_response(data)

    @extend_schema(
        operation_id="alliance_projects_create",
        tags=[TAG],
        summary="Vorhaben anlegen / Create a project",
        parameters=[SLUG],
        request=ps.ProjectCreateSerializer,
        responses={
            201: ps.ProjectSerializer,
            400: INVALID,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        description=(
            "Ein neues Vorhaben im Stand `idea`. Anlegen dürfen die Geschäftsstelle (für jede "
            "Organisation des Bündnisses) und Antragsteller/innen (für ihre eigene Organisation). "
            "Phase, Projektträger, Handlungsfeld und Themen werden mit Namen bzw. Titel "
            "angegeben, Beträge als Dezimal-Zeichenketten. Die Prüfung auf Vollständigkeit folgt "
            "erst bei der Einreichung.\n\n"
            "A new project in state `idea`, by the office (for any organisation) or an applicant "
            "(for their own organisation). Records are named, amounts are decimal strings. "
            "Completeness is checked on submission."
        ),
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        alliance, user = self.alliance, request.user
        if not funding_permissions.can_create_project(user, alliance):
            raise NotPermitted(_("Sie dürfen in diesem Bündnis keine Vorhaben anlegen."))
        own = selectors.applicant_organisations(user, alliance)
        serializer = ps.ProjectCreateSerializer(
            data=request.data, context={"alliance": alliance, "own_organisations": own}
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organisation = data.pop("applicant_organisation")
        if not funding_permissions.can_create_project_for(user, alliance, organisation):
            raise NotPermitted(
                _(
                    "Sie können Vorhaben nur für eine Organisation anlegen, für die Sie als "
                    "Antragsteller/in eingetragen sind."
                )
            )
        shares = data.pop("cofinancing", None)
        with transaction.atomic():
            project = services.project_create(
                actor=self.actor,
                alliance=alliance,
                phase=data.pop("phase"),
                title=data.pop("title"),
                applicant_organisation=organisation,
                topics=data.pop("topics", ()),
                **data,
            )
            if shares is not None:
                services.cofinancing_set(actor=self.actor, project=project, shares=shares)
        response = self.project_response(project, code=status.HTTP_201_CREATED)
        response["Location"] = response.data["url"]
        return response


class ProjectDetailView(ProjectAPIView):
    """One project; editing it."""

    @extend_schema(
        operation_id="alliance_project_retrieve",
        tags=[TAG],
        summary="Vorhaben / Project",
        parameters=[SLUG, PK],
        responses={200: ps.ProjectSerializer, 401: UNAUTHENTICATED, 404: NOT_FOUND},
        description=(
            "Ein Vorhaben, mit denselben Feldern wie in der Liste. Wer das Vorhaben ganz sehen "
            "darf, bekommt auch Kontaktdaten, Kofinanzierung, Dokumente mit Fassungen, Beratungen, "
            "Ergebnisse der Gremien mit Begründung, den Verlauf und `version`.\n\n"
            "One project, with the same fields as in the list. Those who may see it in full also "
            "get contact data, co-financing, documents with versions, consultations, the bodies' "
            "outcomes with reasons, the timeline and `version`."
        ),
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.get_serializer(self.get_project()).data)

    @extend_schema(
        operation_id="alliance_project_update",
        tags=[TAG],
        summary="Vorhaben bearbeiten / Edit a project",
        parameters=[SLUG, PK],
        request=ps.ProjectUpdateSerializer,
        responses={
            200: ps.ProjectSerializer,
            400: INVALID,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
        description=(
            "Ändert die gesendeten Felder. `version` ist Pflicht: der Bearbeitungsstand, auf dem "
            "die Änderung beruht; hat jemand das Vorhaben seither geändert, antwortet die API mit "
            "409 und ändert nichts. Antragsteller/innen bearbeiten ihr Vorhaben, solange es bei "
            "ihnen liegt (Idee, Beratung, Projektbeschreibung angefordert, Überarbeitung), die "
            "Geschäftsstelle jederzeit. Ein neues Handlungsfeld ohne `topics` leert die Themen.\n\n"
            "Changes the fields sent. `version` is required; 409 if the project changed since. "
            "Applicants edit while the project is in their hands, the office at any time."
        ),
    )
    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        project = self.get_project(with_record=False)
        if not funding_permissions.can_edit_project(request.user, project):
            raise NotPermitted(
                _("Sie dürfen dieses Vorhaben im Stand „%(status)s“ nicht bearbeiten.")
                % {"status": project.get_status_display()}
            )
        serializer = ps.ProjectUpdateSerializer(
            data=request.data, partial=True, context={"alliance": self.alliance, "project": project}
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        shares = data.pop("cofinancing", None)
        with transaction.atomic():
            services.project_update(
                actor=self.actor,
                project=project,
                expected_version=data.pop("version"),
                topics=data.pop("topics", None),
                **data,
            )
            if shares is not None:
                services.cofinancing_set(actor=self.actor, project=project, shares=shares)
        return self.project_response(project)


TRANSITION_REQUEST = PolymorphicProxySerializer(
    component_name="ProcedureStep",
    serializers={name: serializer for name, serializer in ps.ACTION_SERIALIZERS.items()},
    resource_type_field_name="action",
)


class ProjectTransitionView(ProjectAPIView):
    """One step of the procedure (states.ACTIONS), through its service."""

    # Documents come as multipart uploads.
    parser_classes = (JSONParser, MultiPartParser)
    # The service's name of an upload field → the name the client sent.
    UPLOAD_FIELDS = {
        "submit_sketch": "document",
        "submit_description": "document",
        "resubmit": "document",
        "close": "final_report",
    }

    @extend_schema(
        operation_id="alliance_project_transition",
        tags=[TAG],
        summary="Verfahrensschritt / Procedure step",
        parameters=[SLUG, PK],
        request={
            "application/json": TRANSITION_REQUEST,
            "multipart/form-data": TRANSITION_REQUEST,
        },
        responses={
            200: ps.ProjectSerializer,
            400: INVALID,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
        description=(
            "Führt einen Schritt des Förderverfahrens aus: `action` nennt ihn, die übrigen Felder "
            "sind seine Angaben (siehe die Varianten des Anfragekörpers). Dokumente (`document`, "
            "`final_report`) kommen als multipart/form-data. Antworten: 200 mit dem Vorhaben; 409, "
            "wenn der Schritt im aktuellen Stand nicht möglich ist; 403, wenn Ihre Rolle ihn nicht "
            "ausführen darf; 400 bei unbekannter Aktion oder verletzter Regel.\n\n"
            "Runs one step of the procedure: `action` names it, the other fields are its "
            "parameters. Documents go as multipart/form-data. 200 with the project; 409 if the "
            "step is not possible in the current state; 403 if your role may not; 400 for an "
            "unknown action or a broken rule."
        ),
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        project = self.get_project(with_record=False)
        data = request.data
        action = data.get("action") if isinstance(data, Mapping) else None
        if not isinstance(action, str) or action not in ACTIONS:
            raise exceptions.ValidationError(
                {
                    "action": [
                        _("Unbekannte Aktion. Möglich sind: %(actions)s.")
                        % {"actions": ", ".join(ACTIONS)}
                    ]
                }
            )
        self.action_name = action
        if not funding_permissions.can_perform(request.user, project, action):
            raise NotPermitted(_("Diesen Schritt dürfen Sie bei diesem Vorhaben nicht ausführen."))
        serializer = ps.ACTION_SERIALIZERS[action](data=request.data)
        serializer.is_valid(raise_exception=True)
        params = dict(serializer.validated_data)
        params.pop("action")
        self.perform_step(action, project, params)
        return self.project_response(project)

    def rename_fields(self, errors: dict[str, list[str]]) -> dict[str, list[str]]:
        upload = self.UPLOAD_FIELDS.get(getattr(self, "action_name", ""))
        if upload is None or "file" not in errors:
            return errors
        renamed = {name: messages for name, messages in errors.items() if name != "file"}
        renamed.setdefault(upload, []).extend(errors["file"])
        return renamed

    def perform_step(self, action: str, project: Project, params: dict[str, Any]) -> None:
        if action == "record_outcome":
            # The client names the body by kind; the step takes the alliance's body.
            kind = params.pop("body")
            body = Body.objects.filter(alliance_id=project.alliance_id, kind=kind).first()
            if body is None:
                raise ValidationError(
                    {"body": _("Das Bündnis hat keinen %(body)s.") % {"body": _body_name(kind)}}
                )
            params["body"] = body
        services.project_act(actor=self.actor, project=project, action=action, **params)


def _body_name(kind: str) -> str:
    return _("Sprecherkreis") if kind == "speakers" else _("Steuerkreis")
