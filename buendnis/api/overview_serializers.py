"""Serializers of the ministry's overview (`/api/v1/overview/`): every alliance with its phases and
their figures, read from `reports.overview.OverviewRow`. Amounts are decimal strings
(`"1500000.00"`) as everywhere in the API. Field names are a contract: add, never rename.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from buendnis.alliances.models import RecognitionStatus
from buendnis.funding.states import Status


def money(help_text: str, *, source: str | None = None) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, help_text=help_text, source=source
    )


class OverviewAllianceSerializer(serializers.Serializer[Any]):
    """Das Bündnis. / The alliance."""

    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)


class RecognitionSerializer(serializers.Serializer[Any]):
    """Wo die Förderphase mit der Anerkennung steht. / Where the phase stands with the ministry."""

    status = serializers.ChoiceField(
        choices=RecognitionStatus.choices,
        read_only=True,
        help_text="Stand der Anerkennung. / Recognition status.",
    )
    status_label = serializers.CharField(read_only=True, help_text="Deutsch. / German label.")
    date = serializers.DateField(
        source="recognition_date",
        read_only=True,
        allow_null=True,
        help_text=(
            "Der Tag zum Stand: anerkannt am, beantragt am, Änderungen erbeten oder abgelehnt am; "
            "null im Entwurf. / The day of the status; null for a draft."
        ),
    )
    reference = serializers.CharField(
        source="phase.recognition_reference",
        read_only=True,
        help_text="Aktenzeichen der Anerkennung. / Reference of the recognition.",
    )
    virtual_budget = money(
        "Virtuelles Budget: zugewiesen, vor der Anerkennung beantragt. / Virtual budget: "
        "assigned, or applied for before the recognition.",
        source="phase.virtual_budget",
    )
    funding_rate = serializers.DecimalField(
        source="phase.funding_rate",
        max_digits=5,
        decimal_places=2,
        read_only=True,
        help_text="Fördersatz in Prozent. / Funding rate in percent.",
    )
    recognised_on = serializers.DateField(
        source="phase.recognised_on", read_only=True, allow_null=True
    )
    applied_on = serializers.DateField(
        source="phase.extension_applied_on",
        read_only=True,
        allow_null=True,
        help_text="Verlängerung beantragt am. / Extension applied for on.",
    )
    decided_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text=(
            "Tag der letzten Entscheidung des Ministeriums. / Day of the ministry's latest "
            "decision."
        ),
    )
    conditions = serializers.CharField(
        source="phase.recognition_conditions",
        read_only=True,
        help_text="Auflagen der Anerkennung. / Conditions of the recognition.",
    )


class OverviewBudgetSerializer(serializers.Serializer[Any]):
    """Das virtuelle Budget aus dem Budgetbuch. / The virtual budget from the ledger."""

    virtual_budget = money(
        "Zugewiesenes (oder beantragtes) virtuelles Budget. / Assigned (or applied-for) budget.",
        source="phase.virtual_budget",
    )
    budget = money("Mit allen Budgetänderungen. / With every adjustment.", source="budget.budget")
    reserved = money(
        "Mit dem Votum reserviert. / Reserved by endorsements.", source="budget.reserved"
    )
    committed = money(
        "Von der Förderbank bewilligt. / Committed by the funding bank.", source="budget.committed"
    )
    paid = money("Ausgezahlt. / Paid out.", source="budget.paid")
    available = money(
        "Budget − reserviert − gebunden − ausgezahlt. / Still available.",
        source="budget.available",
    )


# One count per state of the procedure, every state present (zero where none).
ProjectsByStatusSerializer = type(
    "ProjectsByStatusSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "Vorhaben je Stand des Verfahrens. / Projects per state of the procedure.",
        **{
            value: serializers.IntegerField(read_only=True, help_text=label)
            for value, label in Status.choices
        },
    },
)


class ParticipantsSerializer(serializers.Serializer[Any]):
    """Teilnehmende der Vorhaben ab dem Votum. / Participants of the endorsed projects."""

    planned = serializers.IntegerField(source="planned_participants", read_only=True)
    entered = serializers.IntegerField(source="participants_entered", read_only=True)
    exited = serializers.IntegerField(source="participants_exited", read_only=True)


class ReachedSerializer(serializers.Serializer[Any]):
    """Teilnehmende bisher: abgeschlossene Vorhaben und die Meldungen der laufenden. / Participants
    so far: closed projects and what the running ones reported."""

    entered = serializers.IntegerField(source="participants_entered", read_only=True)
    exited = serializers.IntegerField(source="participants_exited", read_only=True)


class OverviewPhaseSerializer(serializers.Serializer[Any]):
    """Eine Förderphase mit ihren Zahlen. / A funding phase with its figures."""

    id = serializers.IntegerField(source="phase.pk", read_only=True)
    name = serializers.CharField(source="phase.name", read_only=True)
    starts_on = serializers.DateField(source="phase.starts_on", read_only=True)
    ends_on = serializers.DateField(source="phase.ends_on", read_only=True)
    is_current = serializers.BooleanField(
        read_only=True,
        help_text="Die aktuelle Förderphase des Bündnisses. / The alliance's current phase.",
    )
    recognition = RecognitionSerializer(source="*", read_only=True)
    budget = OverviewBudgetSerializer(source="*", read_only=True)
    projects_by_status = ProjectsByStatusSerializer(source="projects.by_status", read_only=True)
    projects = serializers.IntegerField(
        source="projects.total", read_only=True, help_text="Alle Vorhaben. / Every project."
    )
    volume = money(
        "Projektvolumen der Vorhaben ab dem Votum (abgeschlossene mit den abgerechneten Kosten), "
        "ohne abgelehnte und zurückgezogene. / Project volume set in motion.",
        source="projects.volume",
    )
    grants = money(
        "Zuschüsse: reserviert + gebunden + ausgezahlt. / Grants: reserved + committed + paid."
    )
    co_financing = money(
        "Kofinanzierung der Vorhaben ab dem Votum. / Co-financing of the endorsed projects.",
        source="projects.co_financing",
    )
    leverage = serializers.DecimalField(
        max_digits=14,
        decimal_places=1,
        read_only=True,
        allow_null=True,
        help_text=(
            "Projektvolumen je Euro Zuschuss, null ohne Zuschüsse. / Volume per euro of grant; "
            "null without grants."
        ),
    )
    participants = ParticipantsSerializer(
        source="projects",
        read_only=True,
        help_text=(
            "Geplant ab dem Votum; Ein- und Austritte der abgeschlossenen Vorhaben. / Planned "
            "from the Votum on; entries and exits of the closed projects."
        ),
    )
    # `participants` keeps its published meaning (closed projects); this adds the running ones,
    # as the ministry's page and spreadsheet count them.
    participants_reached = ReachedSerializer(source="*", read_only=True)


class OverviewEntrySerializer(serializers.Serializer[Any]):
    """Ein Bündnis mit seinen Förderphasen. / An alliance with its phases."""

    alliance = OverviewAllianceSerializer(read_only=True)
    phases = OverviewPhaseSerializer(many=True, read_only=True)


class OverviewSerializer(serializers.Serializer[Any]):
    """Die Übersicht des Ministeriums. / The ministry's overview."""

    ministry = serializers.CharField(
        read_only=True,
        help_text="Das zuständige Ministerium (Einstellung). / The responsible ministry.",
    )
    count = serializers.IntegerField(read_only=True, help_text="Bündnisse. / Alliances.")
    next = serializers.URLField(read_only=True, allow_null=True)
    previous = serializers.URLField(read_only=True, allow_null=True)
    results = OverviewEntrySerializer(many=True, read_only=True)
