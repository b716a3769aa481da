"""Output of the decisions API (`/api/v1/alliances/{slug}/decisions/`). Field names are a contract
with outside clients: add, never rename.

A decision comes from a meeting (`kind` `meeting`, with the meeting and the item's number) or from
a circulation (`kind` `circulation`). Organisations appear by name only: the reasons of objections
and recusals, the circulation's answers and comments are not part of it. The context needs
`alliance` and `internal`, as for the meetings API (meeting_serializers.py).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from buendnis.meetings.decision_selectors import CIRCULATION, MEETING, DecisionEntry
from buendnis.meetings.models import Circulation, CirculationStatus, DecisionOutcome

from .meeting_serializers import (
    PROJECT_REFERENCE,
    MeetingBodySerializer,
    _absolute,
    _project_reference,
)


class DecisionMeetingSerializer(serializers.Serializer[dict[str, Any]]):
    """Die Sitzung, in der beschlossen wurde. / The meeting that decided."""

    # Serializes {"meeting": Meeting, "item_number": int}.

    id = serializers.IntegerField(source="meeting.pk", read_only=True)
    url = serializers.SerializerMethodField(help_text="Die Sitzung in der API. / In the API.")
    title = serializers.CharField(source="meeting.display_title", read_only=True)
    starts_at = serializers.DateTimeField(source="meeting.starts_at", read_only=True)
    item_number = serializers.IntegerField(
        read_only=True, help_text="Nummer des Tagesordnungspunkts. / Agenda item number."
    )

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, value: dict[str, Any]) -> str:
        return _absolute(
            self,
            "api:alliance-meeting-detail",
            slug=self.context["alliance"].slug,
            pk=value["meeting"].pk,
        )


class DecisionCirculationSerializer(serializers.Serializer[Circulation]):
    """Der Umlaufbeschluss, in dem beschlossen wurde. / The circulation that decided."""

    id = serializers.IntegerField(read_only=True)
    status = serializers.ChoiceField(choices=CirculationStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    opened_at = serializers.DateTimeField(read_only=True)
    deadline = serializers.DateTimeField(read_only=True)


def _names(help_text: str) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(), read_only=True, help_text=help_text)


class DecisionSerializer(serializers.Serializer[DecisionEntry]):
    """Ein Beschluss des Steuerkreises oder des Sprecherkreises. / A decision of the steering
    committee or the speakers' circle."""

    id = serializers.CharField(
        source="key",
        read_only=True,
        help_text=(
            "Kennung: `meeting-<n>` (Beschluss in einer Sitzung) oder `circulation-<n>` "
            "(Umlaufbeschluss). / Identifier: `meeting-<n>` or `circulation-<n>`."
        ),
    )
    url = serializers.SerializerMethodField(
        help_text="Der Beschluss in der API. / The decision in the API."
    )
    kind = serializers.ChoiceField(
        choices=[(MEETING, "Sitzung"), (CIRCULATION, "Umlaufbeschluss")],
        read_only=True,
        help_text="In einer Sitzung oder im Umlauf. / In a meeting or in writing.",
    )
    decided_at = serializers.DateTimeField(read_only=True)
    date = serializers.SerializerMethodField(
        help_text="Tag des Beschlusses (Zeitzone des Bündnisses). / Day of the decision."
    )
    body = MeetingBodySerializer(read_only=True)
    outcome = serializers.ChoiceField(
        choices=DecisionOutcome.choices,
        read_only=True,
        help_text=(
            "Ergebnis; ein Umlaufbeschluss ist `agreed` (beschlossen) oder `not_agreed` (nicht "
            "zustande gekommen). / Outcome; a circulation is `agreed` or `not_agreed`."
        ),
    )
    outcome_label = serializers.CharField(read_only=True)
    title = serializers.CharField(
        read_only=True,
        help_text="Tagesordnungspunkt oder Betreff des Umlaufs. / Agenda item or subject.",
    )
    text = serializers.CharField(read_only=True, help_text="Beschlusstext. / Decision text.")
    project = serializers.SerializerMethodField()
    is_public = serializers.BooleanField(
        read_only=True,
        help_text=(
            "Öffentlich; die Öffentlichkeit sieht nur diese. / Public; the public sees only these."
        ),
    )
    objecting = _names("Organisationen mit Einwand. / Organisations that objected.")
    abstaining = _names("Organisationen, die sich enthielten. / Organisations that abstained.")
    recused = _names("Befangene Organisationen. / Organisations that were recused.")
    meeting = serializers.SerializerMethodField()
    circulation = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, entry: DecisionEntry) -> str:
        return _absolute(
            self,
            "api:alliance-decision-detail",
            slug=self.context["alliance"].slug,
            key=entry.key,
        )

    @extend_schema_field(OpenApiTypes.DATE)
    def get_date(self, entry: DecisionEntry) -> str:
        return timezone.localtime(entry.decided_at).date().isoformat()

    @extend_schema_field(PROJECT_REFERENCE)
    def get_project(self, entry: DecisionEntry) -> dict[str, Any] | None:
        return _project_reference(self, entry.project)

    @extend_schema_field(DecisionMeetingSerializer(allow_null=True))
    def get_meeting(self, entry: DecisionEntry) -> dict[str, Any] | None:
        if entry.meeting is None:
            return None
        value = {"meeting": entry.meeting, "item_number": entry.item_number}
        return dict(DecisionMeetingSerializer(value, context=self.context).data)

    @extend_schema_field(DecisionCirculationSerializer(allow_null=True))
    def get_circulation(self, entry: DecisionEntry) -> dict[str, Any] | None:
        if entry.circulation is None:
            return None
        return dict(DecisionCirculationSerializer(entry.circulation, context=self.context).data)
