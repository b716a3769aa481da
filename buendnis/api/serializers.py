"""Output serializers of the public read API. Field names are a contract with outside clients:
add fields if needed, never rename or drop one.

Nothing here reads a person's e-mail or phone number; a person appears only by name, and only
when they agreed to be named publicly (`Person.show_name_publicly`).
"""

from __future__ import annotations

from rest_framework import serializers

from buendnis.alliances.models import (
    ActionField,
    Alliance,
    Body,
    FundingPhase,
    Organisation,
    OrganisationGroup,
    RecognitionStatus,
    Seat,
    Topic,
)


class ErrorSerializer(serializers.Serializer[None]):
    """Fehlerantwort. / Error answer."""

    detail = serializers.CharField(help_text="Fehlermeldung (deutsch). / Error message (German).")


class AllianceSerializer(serializers.ModelSerializer[Alliance]):
    """Ein Fachkräftebündnis. / A skilled-labour alliance."""

    url = serializers.HyperlinkedIdentityField(
        view_name="api:alliance-detail",
        lookup_field="slug",
        help_text="Absolute Adresse des Bündnisses in der API. / Absolute link to the alliance.",
    )

    class Meta:
        model = Alliance
        fields = ["slug", "name", "short_name", "region", "website", "office_host", "url"]
        read_only_fields = fields


class PhaseSummarySerializer(serializers.ModelSerializer[FundingPhase]):
    """Förderphase in Kürze. / Funding phase in brief."""

    class Meta:
        model = FundingPhase
        fields = ["name", "starts_on", "ends_on"]
        read_only_fields = fields


class AllianceDetailSerializer(AllianceSerializer):
    """Ein Fachkräftebündnis mit aktueller Förderphase. / An alliance with its current phase."""

    # The view sets `current_phase` on the alliance (selectors.current_phase).
    current_phase = PhaseSummarySerializer(
        read_only=True,
        allow_null=True,
        help_text=(
            "Die laufende Förderphase; zwischen zwei Phasen die zuletzt begonnene, vor der ersten "
            "die erste. / The running phase; between phases the latest that began."
        ),
    )

    class Meta(AllianceSerializer.Meta):
        fields = [*AllianceSerializer.Meta.fields, "current_phase"]
        read_only_fields = fields


class GroupSerializer(serializers.ModelSerializer[OrganisationGroup]):
    """Gruppe von Arbeitsmarktakteuren. / Group of labour-market actors."""

    class Meta:
        model = OrganisationGroup
        fields = ["name", "kind"]
        read_only_fields = fields


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    """Organisation im Bündnis, ohne Kontaktdaten. / Organisation, without contact data."""

    # Expects `organisation_list`: the `is_partner` annotation and the group fetched with it.

    group = GroupSerializer(read_only=True)
    is_partner = serializers.BooleanField(
        read_only=True,
        help_text=(
            "Hat die Kooperationsvereinbarung der aktuellen Förderphase unterzeichnet. / "
            "Signed the cooperation agreement of the current phase."
        ),
    )

    class Meta:
        model = Organisation
        fields = ["name", "short_name", "group", "is_partner", "website", "city"]
        read_only_fields = fields


class SeatSerializer(serializers.ModelSerializer[Seat]):
    """Sitz einer Organisation in einem Gremium. / An organisation's seat on a body."""

    # Expects organisation, group and person fetched with the seat (`selectors.seats_active_on`).

    organisation = serializers.CharField(
        source="organisation.name",
        read_only=True,
        help_text="Name der Organisation. / Name of the organisation.",
    )
    role_label = serializers.CharField(
        source="get_role_display", read_only=True, help_text="Rolle, deutsch. / Role, German."
    )
    group = serializers.CharField(
        source="organisation.group.name",
        read_only=True,
        help_text="Gruppe der Organisation. / The organisation's group.",
    )
    can_vote = serializers.BooleanField(read_only=True, help_text="Stimmberechtigt. / Has a vote.")
    person = serializers.SerializerMethodField(
        help_text=(
            "Voller Name, nur mit Einverständnis der Person, sonst null. / "
            "Full name if the person agreed to be named publicly, else null."
        )
    )

    class Meta:
        model = Seat
        fields = [
            "organisation",
            "role",
            "role_label",
            "group",
            "can_vote",
            "starts_on",
            "ends_on",
            "person",
        ]
        read_only_fields = fields

    def get_person(self, seat: Seat) -> str | None:
        # The name only, never contact data; and only with the person's consent.
        if seat.person is None or not seat.person.show_name_publicly:
            return None
        return seat.person.full_name


class BodySerializer(serializers.ModelSerializer[Body]):
    """Gremium mit den heute besetzten Sitzen. / Body with the seats active today."""

    # Expects `current_seats` from `selectors.body_list`.

    seats = SeatSerializer(
        source="current_seats",
        many=True,
        read_only=True,
        help_text="Heute besetzte Sitze. / Seats active today.",
    )

    class Meta:
        model = Body
        fields = ["kind", "name", "meeting_rhythm", "seats"]
        read_only_fields = fields


def _ledger_figure(name: str, help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        source=f"budget_figures.{name}",
        max_digits=14,
        decimal_places=2,
        read_only=True,
        help_text=help_text,
    )


class PhaseRecognitionSerializer(serializers.Serializer[FundingPhase]):
    """Anerkennung der Förderphase durch das Ministerium. / The ministry's recognition of the
    phase."""

    status = serializers.ChoiceField(
        source="recognition_status",
        choices=RecognitionStatus.choices,
        read_only=True,
        help_text=(
            "`draft` in Vorbereitung, `applied` beim Ministerium beantragt, `changes_requested` "
            "Änderungen erbeten, `recognised` anerkannt, `refused` abgelehnt. / In preparation, "
            "applied for, changes requested, recognised, refused."
        ),
    )
    status_label = serializers.CharField(
        source="get_recognition_status_display",
        read_only=True,
        help_text="Stand, deutsch. / The status, German.",
    )
    date = serializers.DateField(
        source="recognised_on",
        read_only=True,
        allow_null=True,
        help_text=(
            "Anerkannt am; null, solange nicht anerkannt oder nicht erfasst. / Recognised on; "
            "null while not recognised or not recorded."
        ),
    )
    reference = serializers.CharField(
        source="recognition_reference",
        read_only=True,
        help_text="Aktenzeichen der Anerkennung, sonst leer. / The recognition's file reference.",
    )
    virtual_budget = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        help_text=(
            "Zugewiesenes virtuelles Budget; vor der Anerkennung das beantragte. / The virtual "
            "budget assigned; before the recognition the one applied for."
        ),
    )
    funding_rate = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        read_only=True,
        help_text=(
            "Zugewiesener Fördersatz in Prozent; vor der Anerkennung der beantragte. / The "
            "funding rate assigned, in percent; before the recognition the one applied for."
        ),
    )


class PhaseSerializer(serializers.ModelSerializer[FundingPhase]):
    """Förderphase; Beträge als Dezimal-Zeichenketten. / Funding phase; amounts as decimal strings."""

    # Expects `phase_list`'s `partner_count` annotation, `current_phase` in the context, the
    # ledger's figures as `budget_figures` and `volume` and `leverage` on each phase.

    project_volume = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        help_text=(
            "Projektvolumen, das das ganze Budget beim Fördersatz bewegt. / "
            "Project volume the whole budget sets in motion at the funding rate."
        ),
    )
    partner_count = serializers.IntegerField(
        read_only=True,
        help_text="Unterzeichnete Kooperationsvereinbarungen. / Signed cooperation agreements.",
    )
    is_current = serializers.SerializerMethodField(
        help_text="Die aktuelle Förderphase des Bündnisses. / The alliance's current phase."
    )
    recognition = PhaseRecognitionSerializer(
        source="*",
        read_only=True,
        help_text=(
            "Die Anerkennung durch das Ministerium. Die Öffentlichkeit sieht nur anerkannte "
            "Förderphasen. / The ministry's recognition. The public sees recognised phases only."
        ),
    )
    # From the budget ledger (`budget.selectors.budget_figures_by_phase`), set by the view as
    # `budget_figures` on each phase.
    budget = _ledger_figure(
        "budget",
        "Virtuelles Budget einschließlich späterer Budgetänderungen. / Virtual budget including "
        "later adjustments.",
    )
    reserved = _ledger_figure(
        "reserved",
        "Mit dem Votum des Bündnisses reserviert. / Reserved by the alliance's endorsement.",
    )
    committed = _ledger_figure(
        "committed", "Von der Förderbank bewilligt (gebunden). / Committed by the funding bank."
    )
    paid = _ledger_figure("paid", "Abgerechnet und ausgezahlt. / Settled and paid out.")
    available = _ledger_figure(
        "available",
        "Noch verfügbar: Budget − reserviert − gebunden − ausgezahlt. / Still available.",
    )

    volume = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        help_text=(
            "Projektvolumen der Vorhaben ab dem Votum (förderfähige Kosten; abgeschlossene mit "
            "den abgerechneten). / Project volume set in motion by projects from the endorsement "
            "on."
        ),
    )
    leverage = serializers.DecimalField(
        max_digits=14,
        decimal_places=1,
        read_only=True,
        allow_null=True,
        help_text=(
            "Hebel: Projektvolumen je Euro Zuschuss (reserviert + gebunden + ausgezahlt), null "
            "ohne Zuschüsse. / Leverage: volume per euro of grant; null without grants."
        ),
    )

    class Meta:
        model = FundingPhase
        fields = [
            "id",
            "name",
            "starts_on",
            "ends_on",
            "virtual_budget",
            "funding_rate",
            "recognised_on",
            "recognition",
            "project_volume",
            "partner_count",
            "is_current",
            "budget",
            "reserved",
            "committed",
            "paid",
            "available",
            "volume",
            "leverage",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "id": {
                "help_text": (
                    "Nummer der Förderphase (für `phases/{id}/agreements/`). / The phase's id."
                )
            }
        }

    def get_is_current(self, phase: FundingPhase) -> bool:
        current: FundingPhase | None = self.context.get("current_phase")
        return current is not None and current.pk == phase.pk


class SubtopicSerializer(serializers.ModelSerializer[Topic]):
    """Unterthema. / Subtopic."""

    class Meta:
        model = Topic
        fields = ["title"]
        read_only_fields = fields


class TopicSerializer(serializers.ModelSerializer[Topic]):
    """Thema mit Unterthemen. / Topic with its subtopics."""

    # Expects `subtopics` from `selectors.action_fields_of`.

    subtopics = SubtopicSerializer(many=True, read_only=True)

    class Meta:
        model = Topic
        fields = ["title", "subtopics"]
        read_only_fields = fields


class ActionFieldSerializer(serializers.ModelSerializer[ActionField]):
    """Handlungsfeld einer Förderphase. / Field of action of a funding phase."""

    # Expects `top_topics` from `selectors.action_fields_of`.

    topics = TopicSerializer(
        source="top_topics",
        many=True,
        read_only=True,
        help_text="Themen mit Unterthemen. / Topics with their subtopics.",
    )

    class Meta:
        model = ActionField
        fields = ["title", "is_open", "position", "topics"]
        read_only_fields = fields
