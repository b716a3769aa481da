"""Serializers of what follows the grant (`/api/v1/alliances/{slug}/projects/{id}/…`): the
report schedule, payment requests and participant figures (`buendnis.grants`).

Field names are a contract (issue 12): add, never rename. Amounts are decimal strings, periods
`{"from": date, "to": date}`. Input is only checked for types here; every rule of a payment
request is the service's (`grants.services.payment_request_submit`).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from buendnis.grants.models import (
    CHARACTERISTICS,
    ParticipantFigures,
    PaymentRequest,
    PaymentStatus,
    ReportKind,
    ReportStatus,
    ScheduledReport,
)


def _money(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, help_text=help_text
    )


class PeriodSerializer(serializers.Serializer[Any]):
    """Zeitraum, beide Tage eingeschlossen. / A period, both days included."""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # `from` is a Python keyword, so the fields cannot be declared as class attributes.
        return {
            "from": serializers.DateField(
                source="period_from", read_only=True, help_text="Erster Tag. / First day."
            ),
            "to": serializers.DateField(
                source="period_to", read_only=True, help_text="Letzter Tag. / Last day."
            ),
        }


# --- Reports ------------------------------------------------------------------------------------


class ReportSerializer(serializers.ModelSerializer[ScheduledReport]):
    """Ein Bericht, den das Vorhaben schuldet. / A report the project owes."""

    kind = serializers.ChoiceField(
        choices=ReportKind.choices,
        read_only=True,
        help_text=(
            "`interim_report` Sachbericht, `interim_proof` Zwischennachweis, `final_proof` "
            "Verwendungsnachweis. / Interim report, interim proof of use, final proof of use."
        ),
    )
    kind_label = serializers.CharField(
        source="get_kind_display", read_only=True, help_text="Art, deutsch. / The kind, German."
    )
    due = serializers.DateField(source="due_on", read_only=True, help_text="Fällig am. / Due on.")
    status = serializers.ChoiceField(
        choices=ReportStatus.choices,
        read_only=True,
        help_text="Stand. / Status.",
    )
    status_label = serializers.CharField(
        source="get_status_display", read_only=True, help_text="Stand, deutsch. / Status, German."
    )
    submitted_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="Zuletzt eingereicht am. / Last submitted on.",
    )
    accepted_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="Angenommen am. / Accepted on."
    )
    versions = serializers.IntegerField(
        source="version_count",
        read_only=True,
        help_text="Eingereichte Fassungen. / Versions submitted.",
    )

    class Meta:
        model = ScheduledReport
        fields = [
            "id",
            "kind",
            "kind_label",
            "due",
            "status",
            "status_label",
            "submitted_on",
            "accepted_on",
            "versions",
        ]


# --- Payment requests ---------------------------------------------------------------------------


class PaymentRequestSerializer(serializers.ModelSerializer[PaymentRequest]):
    """Ein Mittelabruf. / A payment request."""

    number = serializers.IntegerField(
        read_only=True, help_text="Laufende Nummer im Vorhaben. / Running number in the project."
    )
    period = PeriodSerializer(source="*", read_only=True)
    eligible_costs = _money("Förderfähige Ausgaben im Zeitraum. / Eligible costs of the period.")
    amount = _money("Abgerufener Betrag. / Amount requested.")
    status = serializers.ChoiceField(
        choices=PaymentStatus.choices,
        read_only=True,
        help_text=(
            "`submitted` eingereicht, `checked` sachlich geprüft, `released` freigegeben und "
            "gebucht, `refused` abgelehnt. / Submitted, checked, released and booked, refused."
        ),
    )
    status_label = serializers.CharField(
        source="get_status_display", read_only=True, help_text="Stand, deutsch. / Status, German."
    )
    submitted_on = serializers.SerializerMethodField(
        help_text="Eingereicht am. / Submitted on.",
    )
    released_on = serializers.SerializerMethodField(
        help_text="Freigegeben am. / Released on.",
    )
    refusal_reason = serializers.CharField(
        read_only=True, help_text="Grund der Ablehnung. / Why it was refused."
    )
    receipts = serializers.IntegerField(
        source="receipt_count", read_only=True, help_text="Belege. / Receipts listed."
    )

    class Meta:
        model = PaymentRequest
        fields = [
            "id",
            "number",
            "period",
            "eligible_costs",
            "amount",
            "status",
            "status_label",
            "submitted_on",
            "released_on",
            "refusal_reason",
            "receipts",
        ]

    @extend_schema_field(OpenApiTypes.DATE)
    def get_submitted_on(self, request: PaymentRequest) -> str:
        return timezone.localdate(request.created_at).isoformat()

    @extend_schema_field(OpenApiTypes.DATE)
    def get_released_on(self, request: PaymentRequest) -> str | None:
        return timezone.localdate(request.released_at).isoformat() if request.released_at else None


class GrantStandingSerializer(serializers.Serializer[Any]):
    """Wo der Zuschuss steht. / Where the grant stands."""

    granted = _money("Bewilligter Zuschuss. / Grant awarded.")
    held = _money(
        "Eingereicht, geprüft oder freigegeben abgerufen. / Requested (submitted, checked or "
        "released)."
    )
    released = _money("Freigegeben und gebucht. / Released and booked.")
    left = _money("Noch abrufbar. / Left to request.")


class PaymentRequestPageSerializer(serializers.Serializer[Any]):
    """Seite der Mittelabrufe mit dem Stand des Zuschusses. / A page of payment requests."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    grant = GrantStandingSerializer()
    results = PaymentRequestSerializer(many=True)


class ReceiptInputSerializer(serializers.Serializer[Any]):
    """Ein Beleg. / A receipt."""

    paid_on = serializers.DateField(help_text="Bezahlt am. / Paid on.")
    payee = serializers.CharField(max_length=200, help_text="Empfänger/in. / Payee.")
    purpose = serializers.CharField(max_length=300, help_text="Zweck. / Purpose.")
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Betrag. / Amount."
    )


class PaymentRequestCreateSerializer(serializers.Serializer[Any]):
    """Ein Mittelabruf für einen Zeitraum. / A payment request for a period."""

    period_from = serializers.DateField(help_text="Zeitraum von. / First day of the period.")
    period_to = serializers.DateField(help_text="Zeitraum bis. / Last day of the period.")
    eligible_costs = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        help_text="Förderfähige Ausgaben im Zeitraum. / Eligible costs of the period.",
    )
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Abgerufener Betrag. / Amount requested."
    )
    receipts = ReceiptInputSerializer(
        many=True,
        required=False,
        help_text=(
            "Belegliste; sie ergibt die förderfähigen Ausgaben und liegt im Zeitraum. / The "
            "receipts; they add up to the eligible costs and lie in the period."
        ),
    )


# --- Participant figures ------------------------------------------------------------------------


class CountsSerializer(serializers.Serializer[Any]):
    entries = serializers.IntegerField(help_text="Eintritte. / Entries.")
    exits = serializers.IntegerField(help_text="Austritte. / Exits.")


def full_breakdown(
    breakdowns: list[dict[str, dict[str, dict[str, int]]]],
) -> dict[str, dict[str, dict[str, int]]]:
    """The breakdowns summed, with every characteristic and category of the programme (0 where
    none was reported), in the programme's order."""
    return {
        key: {
            code: {
                column: sum(b.get(key, {}).get(code, {}).get(column, 0) for b in breakdowns)
                for column in ("entries", "exits")
            }
            for code, _label in categories
        }
        for key, (_name, categories) in CHARACTERISTICS.items()
    }


BREAKDOWN_HELP = (
    "Je Merkmal (`gender`, `age`, `employment`, `education`) je Kategorie Eintritte und "
    "Austritte; jedes Merkmal ergibt die Summen. / Per characteristic per category the entries "
    "and exits; each characteristic adds up to the totals."
)


class ParticipantPeriodSerializer(serializers.ModelSerializer[ParticipantFigures]):
    """Teilnehmendenzahlen eines Zeitraums, nur als Summen. / A period's participant figures,
    aggregates only."""

    period = PeriodSerializer(source="*", read_only=True)
    entries = serializers.IntegerField(read_only=True, help_text="Eintritte. / Entries.")
    exits = serializers.IntegerField(read_only=True, help_text="Austritte. / Exits.")
    breakdown = serializers.SerializerMethodField(help_text=BREAKDOWN_HELP)

    class Meta:
        model = ParticipantFigures
        fields = ["id", "period", "entries", "exits", "breakdown"]

    @extend_schema_field(
        serializers.DictField(child=serializers.DictField(child=CountsSerializer()))
    )
    def get_breakdown(self, figures: ParticipantFigures) -> dict[str, dict[str, dict[str, int]]]:
        return full_breakdown([figures.breakdown])


class ParticipantTotalsSerializer(serializers.Serializer[Any]):
    """Alle Zeiträume zusammen. / Every period together."""

    periods = serializers.IntegerField(help_text="Gemeldete Zeiträume. / Periods reported.")
    planned = serializers.IntegerField(
        allow_null=True, help_text="Geplante Teilnehmende. / Participants planned."
    )
    entries = serializers.IntegerField(help_text="Eintritte. / Entries.")
    exits = serializers.IntegerField(help_text="Austritte. / Exits.")
    breakdown = serializers.DictField(
        child=serializers.DictField(child=CountsSerializer()), help_text=BREAKDOWN_HELP
    )


class ParticipantPageSerializer(serializers.Serializer[Any]):
    """Seite der Zeiträume mit den Summen aller. / A page of periods with every period's totals."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    totals = ParticipantTotalsSerializer()
    results = ParticipantPeriodSerializer(many=True)
