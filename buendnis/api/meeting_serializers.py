"""Serializers of the meetings and circulations API (`/api/v1/alliances/{slug}/meetings/`,
`…/circulations/`). Field names are a contract with outside clients: add, never rename.

What a caller sees is decided in meeting_views.py (which meetings and items); the serializers
need the context the views put there: `alliance`, `internal` (the caller belongs to the
alliance's internal circle or the ministry) and, for circulations, `answering` (the organisations
the caller answers for). The office's internal notes on agenda items (`AgendaItem.notes`) are not
part of any serializer here: they never leave the office.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from buendnis.alliances.models import Body
from buendnis.funding import permissions as funding_permissions
from buendnis.funding.models import Project
from buendnis.meetings import permissions as meeting_permissions
from buendnis.meetings.models import (
    AgendaItem,
    Answer,
    Circulation,
    CirculationAnswer,
    Decision,
    Meeting,
    MeetingStatus,
)


def _absolute(serializer: serializers.BaseSerializer[Any], name: str, **kwargs: Any) -> str:
    path = reverse(name, kwargs=kwargs)
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


class MeetingBodySerializer(serializers.ModelSerializer[Body]):
    """Das Gremium einer Sitzung. / The body that meets."""

    class Meta:
        model = Body
        fields = ["kind", "name"]
        read_only_fields = fields


class ProjectReferenceSerializer(serializers.ModelSerializer[Project]):
    """Verweis auf ein Vorhaben. / Reference to a project."""

    url = serializers.SerializerMethodField(
        help_text="Das Vorhaben in der API. / The project in the API."
    )

    class Meta:
        model = Project
        fields = ["id", "reference", "title", "url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, project: Project) -> str:
        return _absolute(
            self,
            "api:alliance-project-detail",
            slug=self.context["alliance"].slug,
            pk=project.pk,
        )


def _project_reference(
    serializer: serializers.BaseSerializer[Any], project: Project | None
) -> dict[str, Any] | None:
    """The project if the caller may learn of it: public projects for everyone, every project for
    the internal circle."""
    if project is None:
        return None
    if not (
        serializer.context["internal"] or funding_permissions.can_view_project_publicly(project)
    ):
        return None
    return dict(ProjectReferenceSerializer(project, context=serializer.context).data)


PROJECT_REFERENCE = ProjectReferenceSerializer(
    allow_null=True,
    help_text=(
        "Das Vorhaben, sofern es öffentlich ist oder Sie zum internen Kreis gehören; sonst null. "
        "/ The project, if it is public or you belong to the internal circle; else null."
    ),
)


class MeetingDecisionSerializer(serializers.ModelSerializer[Decision]):
    """Der Beschluss zu einem Tagesordnungspunkt. / The decision on an agenda item."""

    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)
    objecting = serializers.SerializerMethodField(
        help_text="Organisationen mit Einwand. / Organisations that objected."
    )
    abstaining = serializers.SerializerMethodField(
        help_text="Organisationen, die sich enthielten. / Organisations that abstained."
    )
    recused = serializers.SerializerMethodField(
        help_text="Befangene Organisationen. / Organisations that were recused."
    )

    class Meta:
        model = Decision
        fields = [
            "outcome",
            "outcome_label",
            "text",
            "decided_at",
            "objecting",
            "abstaining",
            "recused",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_objecting(self, decision: Decision) -> list[str]:
        return decision.names("objecting")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_abstaining(self, decision: Decision) -> list[str]:
        return decision.names("abstaining")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_recused(self, decision: Decision) -> list[str]:
        return decision.names("recused")


class AgendaItemSerializer(serializers.ModelSerializer[AgendaItem]):
    """Ein Tagesordnungspunkt. / An agenda item."""

    number = serializers.IntegerField(read_only=True, help_text="TOP-Nummer. / Item number.")
    project = serializers.SerializerMethodField()
    decision = MeetingDecisionSerializer(
        read_only=True,
        allow_null=True,
        help_text="Der Beschluss, sonst null. / The decision, if taken; else null.",
    )

    class Meta:
        model = AgendaItem
        fields = [
            "number",
            "title",
            "is_public",
            "project",
            "proposed_decision",
            "recommendation",
            "decision",
        ]
        read_only_fields = fields

    @extend_schema_field(PROJECT_REFERENCE)
    def get_project(self, item: AgendaItem) -> dict[str, Any] | None:
        return _project_reference(self, item.project)


class MeetingSerializer(serializers.ModelSerializer[Meeting]):
    """Eine Sitzung des Steuerkreises oder des Sprecherkreises. / A meeting of the steering
    committee or the speakers' circle."""

    # Expects `meeting_views.meeting_queryset`: body joined, items prefetched (project and
    # decision joined, only the public ones for callers outside the internal circle).

    url = serializers.SerializerMethodField(
        help_text="Die Sitzung in der API. / The meeting in the API."
    )
    title = serializers.CharField(
        source="display_title",
        read_only=True,
        help_text="Bezeichnung der Sitzung. / The meeting's title.",
    )
    body = MeetingBodySerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    is_cancelled = serializers.SerializerMethodField(
        help_text="Die Sitzung ist abgesagt. / The meeting is cancelled."
    )
    cancelled_reason = serializers.SerializerMethodField(
        help_text=(
            "Grund der Absage; nur für den internen Kreis, sonst null. / Why it was cancelled; "
            "for the internal circle only, else null."
        )
    )
    agenda_published = serializers.SerializerMethodField(
        help_text=(
            "Die öffentliche Tagesordnung ist mit der Einladung veröffentlicht. / The public "
            "agenda went out with the invitation."
        )
    )
    items = AgendaItemSerializer(
        many=True,
        read_only=True,
        help_text=(
            "Die Tagesordnung. Die Öffentlichkeit sieht nur die öffentlichen Punkte, und erst "
            "mit der Einladung (`agenda_published`); vorher ist die Liste leer. / The agenda. "
            "The public sees the public items only, once the invitation went out."
        ),
    )

    class Meta:
        model = Meeting
        fields = [
            "id",
            "url",
            "title",
            "body",
            "starts_at",
            "ends_at",
            "location",
            "status",
            "status_label",
            "is_cancelled",
            "cancelled_reason",
            "has_public_part",
            "submission_deadline",
            "agenda_published",
            "items",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Meeting) -> dict[str, Any]:
        data = dict(super().to_representation(instance))
        if not self.context["internal"] and not meeting_permissions.is_agenda_published(instance):
            # Before the invitation the agenda is the office's draft.
            data["items"] = []
        return data

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, meeting: Meeting) -> str:
        return _absolute(
            self, "api:alliance-meeting-detail", slug=self.context["alliance"].slug, pk=meeting.pk
        )

    def get_agenda_published(self, meeting: Meeting) -> bool:
        return meeting_permissions.is_agenda_published(meeting)

    def get_is_cancelled(self, meeting: Meeting) -> bool:
        return meeting.status == MeetingStatus.CANCELLED

    @extend_schema_field(OpenApiTypes.STR)
    def get_cancelled_reason(self, meeting: Meeting) -> str | None:
        if not self.context["internal"] or meeting.status != MeetingStatus.CANCELLED:
            return None
        return meeting.cancelled_reason


# --- Circulations ----------------------------------------------------------------------------------


class OrganisationRefSerializer(serializers.Serializer[dict[str, Any]]):
    """Eine Organisation des Bündnisses. / One of the alliance's organisations."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class RecusedOrganisationSerializer(OrganisationRefSerializer):
    """Eine befangene Organisation. / A recused organisation."""

    reason = serializers.CharField(read_only=True, help_text="Grund. / Why.")


class CirculationAnswerSerializer(serializers.ModelSerializer[CirculationAnswer]):
    """Die Antwort einer Organisation. / One organisation's answer."""

    organisation = serializers.SerializerMethodField()
    answer_label = serializers.CharField(source="get_answer_display", read_only=True)

    class Meta:
        model = CirculationAnswer
        fields = ["organisation", "answer", "answer_label", "comment", "answered_at"]
        read_only_fields = fields

    @extend_schema_field(OrganisationRefSerializer)
    def get_organisation(self, row: CirculationAnswer) -> dict[str, Any]:
        return {"id": row.organisation_id, "name": row.organisation.name}


class CirculationSerializer(serializers.ModelSerializer[Circulation]):
    """Ein Umlaufbeschluss (schriftliche Entscheidung ohne Sitzung). / A decision taken in
    writing, without a meeting."""

    # Expects `meetings.selectors.circulation_list` (body, project joined; answers prefetched
    # with their organisation) and `answering` in the context.

    url = serializers.SerializerMethodField(
        help_text="Der Umlaufbeschluss in der API. / The circulation in the API."
    )
    body = MeetingBodySerializer(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    project = serializers.SerializerMethodField()
    entitled = OrganisationRefSerializer(
        many=True,
        read_only=True,
        help_text="Die gefragten stimmberechtigten Organisationen. / The voting organisations.",
    )
    entitled_count = serializers.SerializerMethodField(
        help_text="Zahl der gefragten Organisationen. / Number of organisations asked."
    )
    recused = RecusedOrganisationSerializer(many=True, read_only=True)
    answers = CirculationAnswerSerializer(many=True, read_only=True)
    is_answerable = serializers.SerializerMethodField(
        help_text=(
            "Der Umlauf läuft und die Frist ist nicht abgelaufen. / Open, and the deadline has "
            "not passed."
        )
    )
    answerable_for = serializers.SerializerMethodField(
        help_text=(
            "Die Organisationen (ids), für die Sie in diesem Umlauf antworten. / The "
            "organisations (ids) you answer for in this circulation."
        )
    )
    result = serializers.SerializerMethodField(
        help_text=(
            "Nach der Auswertung: `agreeing`, `objecting` (mit `reason`), `abstaining`, "
            "`silent`, `recused`, `silence_is_consent`; nach dem Zurückziehen `reason`; wenn das "
            "Verfahren den Beschluss nicht übernahm, `error`. Solange er läuft: leer. / After "
            "the evaluation: the lists of organisations; after a withdrawal `reason`; empty "
            "while open."
        )
    )

    class Meta:
        model = Circulation
        fields = [
            "id",
            "url",
            "title",
            "text",
            "body",
            "project",
            "status",
            "status_label",
            "deadline",
            "opened_at",
            "closed_at",
            "is_public",
            "silence_is_consent",
            "entitled",
            "entitled_count",
            "recused",
            "answers",
            "is_answerable",
            "answerable_for",
            "result",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, circulation: Circulation) -> str:
        return _absolute(
            self,
            "api:alliance-circulation-detail",
            slug=self.context["alliance"].slug,
            pk=circulation.pk,
        )

    @extend_schema_field(PROJECT_REFERENCE)
    def get_project(self, circulation: Circulation) -> dict[str, Any] | None:
        return _project_reference(self, circulation.project)

    def get_entitled_count(self, circulation: Circulation) -> int:
        return len(circulation.entitled)

    def get_is_answerable(self, circulation: Circulation) -> bool:
        return circulation.is_answerable(self.context.get("now"))

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_answerable_for(self, circulation: Circulation) -> list[int]:
        recused = {entry["id"] for entry in circulation.recused}
        voters = circulation.entitled_ids - recused
        return sorted(voters & self.context["answering"])

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_result(self, circulation: Circulation) -> dict[str, Any]:
        return dict(circulation.result or {})


class CirculationAnswerInputSerializer(serializers.Serializer[dict[str, Any]]):
    """Antwort auf einen Umlaufbeschluss. / An answer to a circulation."""

    organisation = serializers.IntegerField(
        help_text=(
            "Die Organisation (id), für die Sie antworten (siehe `answerable_for`). / The "
            "organisation (id) you answer for."
        )
    )
    answer = serializers.ChoiceField(
        choices=Answer.choices,
        error_messages={
            "invalid_choice": gettext_lazy(
                "Bitte wählen Sie Zustimmung (agree), Einwand (object) oder Enthaltung (abstain)."
            )
        },
        help_text="`agree`, `object` oder `abstain`.",
    )
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Anmerkung; Pflicht bei einem Einwand. / Comment; required with an objection.",
    )
