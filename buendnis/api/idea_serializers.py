"""Serializers of the ideas API (`/api/v1/alliances/{slug}/ideas/`).

Records are named as elsewhere in the API: the organisation by name, the field of action and
topics by title (the field of action of the running phase first, then of the latest phase that
has one of that title). Field names are a contract: add, never rename. Every write goes through
`buendnis.ideas.services`; these serializers check types and find the named records.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from buendnis.alliances import selectors as alliance_selectors
from buendnis.alliances.models import ActionField, Alliance, Organisation, Topic
from buendnis.ideas.models import IDEA_EDITABLE_FIELDS, Idea


class IdeaSerializer(serializers.ModelSerializer[Idea]):
    """Eine Projektidee. / A project idea."""

    # Expects `ideas.selectors.idea_list` (organisation and field joined) with topics prefetched.

    url = serializers.SerializerMethodField(
        help_text="Absolute Adresse der Idee in der API. / Absolute link to the idea."
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    organisation = serializers.CharField(
        source="organisation.name", read_only=True, allow_null=True, default=None
    )
    action_field = serializers.CharField(
        source="action_field.title", read_only=True, allow_null=True, default=None
    )
    topics: serializers.SlugRelatedField[Topic] = serializers.SlugRelatedField(
        slug_field="title", many=True, read_only=True, help_text="Themen. / Topics."
    )
    merged_into: serializers.PrimaryKeyRelatedField[Idea] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    project: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="reference",
        read_only=True,
        help_text="Aktenzeichen des daraus entstandenen Vorhabens. / Reference of the project.",
    )

    class Meta:
        model = Idea
        fields = [
            "id",
            "url",
            "title",
            "text",
            "aim",
            "target_group",
            "action_field",
            "topics",
            "districts",
            "partners_sought",
            "organisation",
            "contact_name",
            "contact_email",
            "contact_phone",
            "status",
            "status_label",
            "merged_into",
            "project",
            "wanted_public",
            "wanted_text",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, idea: Idea) -> str:
        path = reverse(
            "api:alliance-idea-detail", kwargs={"slug": idea.alliance.slug, "pk": idea.pk}
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


SCALAR_FIELDS = [
    name for name in IDEA_EDITABLE_FIELDS if name not in {"action_field", "organisation"}
]


class IdeaInputSerializer(serializers.ModelSerializer[Idea]):
    """Title and text are required when posting; everything else is optional."""

    action_field = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Titel eines Handlungsfelds des Bündnisses. / Title of a field of action.",
    )
    organisation = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=(
            "Name einer Organisation des Bündnisses; Antragsteller/innen: ihre eigene (Standard, "
            "wenn es genau eine ist). / Name of one of the alliance's organisations."
        ),
    )
    topics = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Titel von Themen. / Topic titles."
    )

    class Meta:
        model = Idea
        fields = [*SCALAR_FIELDS, "action_field", "organisation", "topics"]
        extra_kwargs = {"title": {"required": True}, "text": {"required": True}}

    @property
    def alliance(self) -> Alliance:
        alliance: Alliance = self.context["alliance"]
        return alliance

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        alliance = self.alliance
        if "action_field" in attrs:
            title = attrs["action_field"]
            attrs["action_field"] = None
            if title:
                attrs["action_field"] = _action_field(alliance, title)
                if attrs["action_field"] is None:
                    errors["action_field"] = [
                        _("Unbekanntes Handlungsfeld „%(title)s“.") % {"title": title}
                    ]
        if "organisation" in attrs:
            name = attrs["organisation"]
            attrs["organisation"] = None
            if name:
                attrs["organisation"] = Organisation.objects.filter(
                    alliance=alliance, name=name
                ).first()
                if attrs["organisation"] is None:
                    errors["organisation"] = [
                        _("Unbekannte Organisation „%(name)s“.") % {"name": name}
                    ]
        elif self.instance is None:
            own: list[Organisation] = self.context.get("own_organisations", [])
            if len(own) == 1:
                attrs["organisation"] = own[0]
        if "topics" in attrs:
            titles = list(dict.fromkeys(attrs["topics"]))
            found = {
                topic.title: topic
                for topic in Topic.objects.filter(alliance=alliance, title__in=titles)
            }
            missing = [title for title in titles if title not in found]
            if missing:
                errors["topics"] = [
                    _("Unbekanntes Thema „%(title)s“.") % {"title": title} for title in missing
                ]
            attrs["topics"] = [found[title] for title in titles if title in found]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def _action_field(alliance: Alliance, title: str) -> ActionField | None:
    """The field of action of that title: of the running phase if it has one, else of the latest
    phase that has one."""
    fields = list(
        ActionField.objects.filter(alliance=alliance, title=title).select_related("phase")
    )
    if not fields:
        return None
    current = alliance_selectors.current_phase(alliance)
    for field in fields:
        if current is not None and field.phase_id == current.pk:
            return field
    return max(fields, key=lambda field: field.phase.starts_on)


class IdeaUpdateSerializer(IdeaInputSerializer):
    version = serializers.IntegerField(
        help_text=(
            "Bearbeitungsstand, auf dem die Änderung beruht (409, wenn die Idee inzwischen "
            "geändert wurde). / The version the change is based on."
        )
    )

    class Meta(IdeaInputSerializer.Meta):
        fields = [*IdeaInputSerializer.Meta.fields, "version"]
        extra_kwargs = {"title": {"required": False}, "text": {"required": False}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A partial update leaves out what it does not change, never the version.
        if "version" not in attrs:
            raise serializers.ValidationError(
                {"version": [_("Dieses Feld ist zwingend erforderlich.")]}
            )
        return super().validate(attrs)


class SimilarItemSerializer(serializers.Serializer[Any]):
    """Eine ähnliche Idee oder ein ähnliches Vorhaben. / A similar idea or project."""

    kind = serializers.ChoiceField(choices=["idea", "project"])
    id = serializers.IntegerField()
    title = serializers.CharField()
    score = serializers.FloatField(help_text="Ähnlichkeit von 0 bis 1. / Similarity, 0 to 1.")
    reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text="Warum ähnlich, in Worten. / Why similar, in words.",
    )
    url = serializers.CharField(help_text="Adresse in der API. / Link in the API.")
    reference = serializers.CharField(
        required=False, help_text="Aktenzeichen (nur Vorhaben). / Reference (projects only)."
    )
    status = serializers.CharField()


class SimilarListSerializer(serializers.Serializer[Any]):
    results = SimilarItemSerializer(many=True)
