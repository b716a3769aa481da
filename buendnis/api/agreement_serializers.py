"""Serializer of a phase's partner signatures (`/api/v1/alliances/{slug}/phases/{id}/agreements/`).
Field names are a contract with outside clients: add, never rename.

Organisations appear as `{"id", "name"}` like in the other internal answers (circulations).
"""

from __future__ import annotations

from rest_framework import serializers

from buendnis.renewal.models import SignatureStatus
from buendnis.renewal.selectors import PartnerRow

from .meeting_serializers import OrganisationRefSerializer


class PartnerSignatureSerializer(serializers.Serializer[PartnerRow]):
    """Wo eine Organisation mit der Kooperationsvereinbarung einer Förderphase steht. / Where an
    organisation stands with a phase's cooperation agreement."""

    # Expects `renewal.selectors.partner_row` entries (organisation with its group).

    organisation = OrganisationRefSerializer(read_only=True)
    group = serializers.CharField(
        source="organisation.group.name",
        read_only=True,
        help_text="Gruppe der Organisation. / The organisation's group.",
    )
    status = serializers.ChoiceField(
        choices=SignatureStatus.choices,
        read_only=True,
        help_text=(
            "`asked` angefragt, `pending` Beschluss in den eigenen Gremien ausstehend, `signed` "
            "unterzeichnet, `declined` abgelehnt. / Asked, pending in its own bodies, signed, "
            "declined."
        ),
    )
    status_label = serializers.CharField(
        read_only=True, help_text="Stand, deutsch. / The status, German."
    )
    reference = serializers.CharField(
        read_only=True,
        help_text=(
            "Beschlussvorlage oder Drucksache der Organisation, sonst leer. / The organisation's "
            "decision paper, else empty."
        ),
    )
    signed_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="Unterzeichnet am. / Signed on."
    )
    decision_body = serializers.CharField(
        read_only=True,
        help_text="Beschließendes Gremium der Organisation. / The organisation's deciding body.",
    )
    decision_date = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="Beschluss vom (oder geplant für). / Decided (or planned) on.",
    )
    asked_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text=(
            "Angefragt am; null für eine Unterschrift ohne Anfrage (aus der Zeit vor der "
            "Plattform). / Asked on; null for a signature recorded without a request."
        ),
    )
    due_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="Rückmeldung erbeten bis. / Answer asked for by.",
    )
    requested = serializers.BooleanField(
        read_only=True,
        help_text=(
            "Über eine Unterschriftsanfrage erfasst; false für eine ohne Anfrage erfasste "
            "Vereinbarung. / Recorded through a signature request; false for an agreement "
            "recorded without one."
        ),
    )
