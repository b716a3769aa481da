"""Serializers of the projects API (`/api/v1/alliances/{slug}/projects/`).

Output: `ProjectSerializer` shows every field to those who may see the whole project
(`funding.permissions.ProjectAccess.sees_everything_of`: its applicant, the internal circle, the
ministry, admins) and only the public fields (`PublicProjectSerializer`) to everyone else; the
fields of `RESTRICTED_FIELDS` are then absent, not null. Field names are a contract: add, never
rename.

Input: records are named as the rest of the API names them, never by database id: the phase,
the owner organisation and co-financing organisations by name, the field of action and topics by
title. Every write goes through `buendnis.funding.services`; these serializers only check types and
find the named records of the alliance.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from buendnis.alliances import selectors as alliance_selectors
from buendnis.alliances.models import ActionField, Alliance, FundingPhase, Organisation, Topic
from buendnis.funding.models import (
    PROJECT_EDITABLE_FIELDS,
    BodyOutcome,
    CoFinancing,
    Consultation,
    FundingPriority,
    Outcome,
    Project,
    ProjectDocument,
    Transition,
)
from buendnis.funding.services import Share


def _money(help_text: str, **kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, help_text=help_text, **kwargs
    )


# --- Output: the parts of a project's record ------------------------------------------------------


class CoFinancingSerializer(serializers.ModelSerializer[CoFinancing]):
    """Anteil an der Kofinanzierung. / A co-financing share."""

    organisation = serializers.CharField(
        source="organisation.name",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="Organisation des Bündnisses, falls verzeichnet. / The alliance's organisation.",
    )
    payer = serializers.CharField(
        read_only=True, help_text="Wer zahlt (Organisation oder Name). / Who pays."
    )

    class Meta:
        model = CoFinancing
        fields = ["payer", "organisation", "name", "amount"]
        read_only_fields = fields


class DocumentSerializer(serializers.ModelSerializer[ProjectDocument]):
    """Ein hochgeladenes Dokument; jede Fassung bleibt erhalten. / An upload; every version kept."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    file_name = serializers.SerializerMethodField(help_text="Dateiname. / File name.")

    class Meta:
        model = ProjectDocument
        fields = ["kind", "kind_label", "version", "file_name", "uploaded_at"]
        read_only_fields = fields

    def get_file_name(self, document: ProjectDocument) -> str:
        return PurePath(document.file.name or "").name


class ConsultationSerializer(serializers.ModelSerializer[Consultation]):
    """Beratung durch die Geschäftsstelle. / Consultation with the office."""

    class Meta:
        model = Consultation
        fields = ["held_on", "participants", "notes"]
        read_only_fields = fields


class OutcomeSerializer(serializers.ModelSerializer[BodyOutcome]):
    """Ergebnis eines Gremiums mit Begründung. / A body's outcome with its reasons."""

    body = serializers.CharField(source="body.name", read_only=True)
    body_kind = serializers.CharField(
        source="body.kind", read_only=True, help_text="`speakers` oder `steering`."
    )
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)

    class Meta:
        model = BodyOutcome
        fields = [
            "body",
            "body_kind",
            "stage_status",
            "outcome",
            "outcome_label",
            "decided_on",
            "reference",
            "reasons",
        ]
        read_only_fields = fields


class TransitionSerializer(serializers.ModelSerializer[Transition]):
    """Ein Statuswechsel im Verlauf. / One change of state in the timeline."""

    to_label = serializers.CharField(source="get_to_status_display", read_only=True)
    actor = serializers.SerializerMethodField(
        help_text="Wer den Schritt ausgelöst hat; null für das System. / Who acted; null: system."
    )

    class Meta:
        model = Transition
        fields = ["from_status", "to_status", "to_label", "actor", "comment", "created_at"]
        read_only_fields = fields

    def get_actor(self, transition: Transition) -> str | None:
        return None if transition.actor is None else str(transition.actor)


# --- Output: the project --------------------------------------------------------------------------


class PublicProjectSerializer(serializers.ModelSerializer[Project]):
    """Ein Vorhaben, öffentliche Angaben. / A project, public fields."""

    # Expects `selectors.api_project_list`: phase, owner and field joined, topics prefetched.

    url = serializers.SerializerMethodField(
        help_text="Absolute Adresse des Vorhabens in der API. / Absolute link to the project."
    )
    status_label = serializers.CharField(
        source="public_status_label",
        read_only=True,
        help_text="Stand in den Worten der Öffentlichkeit. / The state in public words.",
    )
    phase = serializers.CharField(
        source="phase.name", read_only=True, help_text="Förderphase. / Funding phase."
    )
    applicant_organisation = serializers.CharField(
        source="applicant_organisation.name",
        read_only=True,
        help_text="Projektträger. / The organisation that runs the project.",
    )
    action_field = serializers.CharField(
        source="action_field.title",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="Handlungsfeld. / Field of action.",
    )
    topics: serializers.SlugRelatedField[Topic] = serializers.SlugRelatedField(
        slug_field="title", many=True, read_only=True, help_text="Themen. / Topics."
    )
    funding_priority_label = serializers.CharField(
        source="get_funding_priority_display", read_only=True
    )
    eligible_costs = _money("Förderfähige Gesamtkosten. / Eligible costs.")
    requested_grant = _money("Beantragter Zuschuss. / Requested grant.")
    granted_amount = _money(
        "Von der Förderbank bewilligter Zuschuss, sonst null. / Grant awarded by the bank.",
        allow_null=True,
    )

    class Meta:
        model = Project
        fields = [
            "id",
            "url",
            "reference",
            "title",
            "summary",
            "status",
            "status_label",
            "phase",
            "applicant_organisation",
            "action_field",
            "topics",
            "funding_priority",
            "funding_priority_label",
            "starts_on",
            "ends_on",
            "eligible_costs",
            "requested_grant",
            "granted_amount",
            "region",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, project: Project) -> str:
        path = reverse(
            "api:alliance-project-detail",
            kwargs={"slug": project.alliance.slug, "pk": project.pk},
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ProjectSerializer(PublicProjectSerializer):
    """Ein Vorhaben. Die nicht öffentlichen Felder sehen nur der Projektträger, der Kreis des
    Bündnisses, das Ministerium und die Plattform-Administration; allen anderen fehlen sie.
    / A project. The non-public fields are shown to its applicant, the alliance's circle, the
    ministry and admins only; for everyone else they are absent."""

    # Expects `selectors.api_project_records_prefetch` for every project shown in full, and the
    # request's `funding.permissions.ProjectAccess` as `access` in the context.

    internal_status_label = serializers.CharField(
        source="get_status_display",
        read_only=True,
        help_text="Stand in den Worten der Geschäftsstelle. / The state in the office's words.",
    )
    version = serializers.IntegerField(
        read_only=True,
        help_text=(
            "Bearbeitungsstand; PATCH verlangt ihn zurück. / Edit version; PATCH sends it back."
        ),
    )
    cofinancing = CoFinancingSerializer(many=True, read_only=True)
    cofinancing_total = _money("Summe der Kofinanzierung. / Sum of the co-financing.")
    final_eligible_costs = _money(
        "Abgerechnete förderfähige Kosten. / Final eligible costs.", allow_null=True
    )
    final_grant = _money("Abgerechneter Zuschuss. / Final grant.", allow_null=True)
    documents = DocumentSerializer(many=True, read_only=True)
    consultations = ConsultationSerializer(many=True, read_only=True)
    outcomes = OutcomeSerializer(many=True, read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta(PublicProjectSerializer.Meta):
        fields = [
            *PublicProjectSerializer.Meta.fields,
            "internal_status_label",
            "status_changed_at",
            "return_status",
            "version",
            "goals",
            "target_group",
            "planned_participants",
            "participant_groups",
            "companies_reached",
            "contact_name",
            "contact_email",
            "contact_phone",
            "cofinancing",
            "cofinancing_total",
            "application_filed_on",
            "application_reference",
            "bank_decided_on",
            "started_on",
            "closed_on",
            "final_eligible_costs",
            "final_grant",
            "participants_entered",
            "participants_exited",
            "documents",
            "consultations",
            "outcomes",
            "transitions",
            "created_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Project) -> dict[str, Any]:
        if self.context["access"].sees_everything_of(instance):
            return super().to_representation(instance)
        return PublicProjectSerializer(instance, context=self.context).data


PUBLIC_FIELDS = frozenset(PublicProjectSerializer.Meta.fields)
RESTRICTED_FIELDS = frozenset(ProjectSerializer.Meta.fields) - PUBLIC_FIELDS


# --- Input: creating and editing ------------------------------------------------------------------


def _amount(**kwargs: Any) -> serializers.DecimalField:
    # The project's own message for a negative amount, as in the model's validators.
    return serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        error_messages={"min_value": gettext_lazy("Beträge dürfen nicht negativ sein.")},
        **kwargs,
    )


class ShareInputSerializer(serializers.Serializer[Share]):
    """Anteil an der Kofinanzierung. / A co-financing share."""

    organisation = serializers.CharField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Name einer Organisation des Bündnisses. / Name of one of the alliance's organisations.",
    )
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text="Geldgeber außerhalb des Bündnisses. / A payer outside the alliance.",
    )
    amount = _amount()


PG_INTEGER_MAX = 2_147_483_647

# The project's own fields that both creating and editing set: the editable fields without the
# field of action, which the API names by title (declared below) and lists after them.
SCALAR_FIELDS = [name for name in PROJECT_EDITABLE_FIELDS if name != "action_field"]


class ProjectInputSerializer(serializers.ModelSerializer[Project]):
    """What creating and editing share. Context: `alliance`."""

    eligible_costs = _amount(required=False)
    requested_grant = _amount(required=False)

    funding_priority = serializers.ChoiceField(
        choices=FundingPriority.choices, required=False, allow_blank=True
    )
    action_field = serializers.CharField(
        required=False,
        allow_null=True,
        help_text=(
            "Titel eines Handlungsfelds der Förderphase, null für keins. / Title of a field of "
            "action of the phase, null for none."
        ),
    )
    topics = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=(
            "Titel von Themen des Handlungsfelds; ersetzt die bisherigen. / Titles of topics of "
            "the field of action; replaces the previous ones."
        ),
    )
    cofinancing = ShareInputSerializer(
        many=True,
        required=False,
        help_text=(
            "Die Kofinanzierung als Ganzes; ersetzt die bisherigen Anteile. / The co-financing as "
            "a whole; replaces the previous shares."
        ),
    )

    class Meta:
        model = Project
        fields = [*SCALAR_FIELDS, "action_field", "topics", "cofinancing"]
        # The limit of PostgreSQL's integer column, on every database: the API accepts the same
        # numbers on SQLite, and the schema (docs/openapi.yaml) does not depend on the backend.
        extra_kwargs = {
            "planned_participants": {"max_value": PG_INTEGER_MAX},
            "companies_reached": {"max_value": PG_INTEGER_MAX},
        }

    @property
    def alliance(self) -> Alliance:
        alliance: Alliance = self.context["alliance"]
        return alliance

    def _resolve(
        self, attrs: dict[str, Any], phase: FundingPhase, current: ActionField | None
    ) -> None:
        """Replace names by the alliance's records, in place; German errors per field."""
        errors: dict[str, list[str]] = {}
        action_field = current
        if "action_field" in attrs:
            title = attrs["action_field"]
            action_field = None
            if title is not None:
                action_field = ActionField.objects.filter(phase=phase, title=title).first()
                if action_field is None:
                    errors["action_field"] = [
                        _("Die Förderphase %(phase)s hat kein Handlungsfeld „%(title)s“.")
                        % {"phase": phase.name, "title": title}
                    ]
            attrs["action_field"] = action_field
        if "topics" in attrs and "action_field" not in errors:
            titles = list(dict.fromkeys(attrs["topics"]))
            found = (
                {
                    topic.title: topic
                    for topic in Topic.objects.filter(action_field=action_field, title__in=titles)
                }
                if action_field is not None
                else {}
            )
            missing = [title for title in titles if title not in found]
            if missing:
                errors["topics"] = [
                    _("Das Handlungsfeld hat kein Thema „%(title)s“.") % {"title": title}
                    for title in missing
                ]
            attrs["topics"] = [found[title] for title in titles if title in found]
        if "cofinancing" in attrs:
            # .get: an edit is validated as partial, which skips the nested defaults.
            names = {s.get("organisation") for s in attrs["cofinancing"]} - {None, ""}
            organisations = {
                o.name: o
                for o in Organisation.objects.filter(alliance=self.alliance, name__in=names)
            }
            shares = []
            for share in attrs["cofinancing"]:
                organisation = None
                if share.get("organisation"):
                    organisation = organisations.get(share["organisation"])
                    if organisation is None:
                        errors.setdefault("cofinancing", []).append(
                            _("Im Bündnis gibt es keine Organisation „%(name)s“.")
                            % {"name": share["organisation"]}
                        )
                        continue
                shares.append(
                    Share(
                        amount=share["amount"],
                        organisation=organisation,
                        name=share.get("name", ""),
                    )
                )
            attrs["cofinancing"] = shares
        if errors:
            raise serializers.ValidationError(errors)


class ProjectCreateSerializer(ProjectInputSerializer):
    """Ein neues Vorhaben. / A new project."""

    phase = serializers.CharField(
        required=False,
        help_text=(
            "Name der Förderphase; ohne: die aktuelle. / Name of the funding phase; default: "
            "the current one."
        ),
    )
    applicant_organisation = serializers.CharField(
        required=False,
        help_text=(
            "Name des Projektträgers; ohne: die eigene Organisation, wenn es genau eine ist. / "
            "Name of the organisation; default: the applicant's own, if there is exactly one."
        ),
    )

    class Meta(ProjectInputSerializer.Meta):
        fields = ["phase", "applicant_organisation", *ProjectInputSerializer.Meta.fields]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        alliance = self.alliance
        if "phase" in attrs:
            phase = FundingPhase.objects.filter(alliance=alliance, name=attrs["phase"]).first()
            if phase is None:
                raise serializers.ValidationError(
                    {
                        "phase": [
                            _("Das Bündnis hat keine Förderphase „%(name)s“.")
                            % {"name": attrs["phase"]}
                        ]
                    }
                )
        else:
            phase = alliance_selectors.current_phase(alliance)
            if phase is None:
                raise serializers.ValidationError(
                    {"phase": [_("Das Bündnis hat noch keine Förderphase.")]}
                )
        attrs["phase"] = phase
        if "applicant_organisation" in attrs:
            name = attrs["applicant_organisation"]
            organisation = Organisation.objects.filter(alliance=alliance, name=name).first()
            if organisation is None:
                raise serializers.ValidationError(
                    {
                        "applicant_organisation": [
                            _("Im Bündnis gibt es keine Organisation „%(name)s“.") % {"name": name}
                        ]
                    }
                )
        else:
            own: list[Organisation] = self.context["own_organisations"]
            if len(own) != 1:
                raise serializers.ValidationError(
                    {"applicant_organisation": [_("Bitte den Projektträger angeben.")]}
                )
            organisation = own[0]
        attrs["applicant_organisation"] = organisation
        self._resolve(attrs, phase, None)
        return attrs


class ProjectUpdateSerializer(ProjectInputSerializer):
    """Änderungen an einem Vorhaben; nur die gesendeten Felder ändern sich. / Changes to a project;
    only the fields sent change."""

    version = serializers.IntegerField(
        min_value=1,
        help_text=(
            "Der Bearbeitungsstand, auf dem die Änderung beruht (`version` der letzten Antwort). "
            "Hat sich das Vorhaben seither geändert, antwortet die API mit 409. / The version the "
            "change is based on; 409 when the project changed since."
        ),
    )

    class Meta(ProjectInputSerializer.Meta):
        fields = ["version", *ProjectInputSerializer.Meta.fields]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        project: Project = self.context["project"]
        if "version" not in attrs:  # partial validation does not enforce `required`
            raise serializers.ValidationError(
                {"version": [self.fields["version"].error_messages["required"]]}
            )
        if "action_field" in attrs and "topics" not in attrs:
            # Topics belong to one field of action: a new field starts without topics.
            attrs["topics"] = []
        self._resolve(attrs, project.phase, project.action_field)
        return attrs


# --- Input: the steps of the procedure ------------------------------------------------------------


class ActionSerializer(serializers.Serializer[None]):
    """Base of every step's parameters; `action` names the step."""

    action_name: str = ""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # A plain string: one single-value enum per step would only clutter the schema.
        action = serializers.CharField(help_text=f"`{self.action_name}`")
        return {"action": action, **super().get_fields()}


class RecordConsultationSerializer(ActionSerializer):
    """`record_consultation` (Geschäftsstelle): eine Beratung erfassen, bis zur Entscheidung der
    Förderbank; die erste macht aus der Idee ein Vorhaben in Beratung. Das Datum liegt zwischen
    der Anlage des Vorhabens und heute. / Record a consultation, up to the funding bank's
    decision; the first moves an idea on. The date lies between the project's creation and
    today."""

    action_name = "record_consultation"
    held_on = serializers.DateField()
    participants = serializers.CharField(max_length=500)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class DocumentStepSerializer(ActionSerializer):
    """A step that hands in a document, as multipart upload `document`."""

    document = serializers.FileField(
        required=False,
        allow_null=True,
        default=None,
        help_text=(
            "PDF, Office-, OpenDocument-Datei oder Bild (multipart/form-data). / PDF, office "
            "file or image, as multipart/form-data."
        ),
    )


class SubmitSketchSerializer(DocumentStepSerializer):
    """`submit_sketch`: die Kurzskizze einreichen (nach mindestens einer Beratung; ohne Datei nur,
    wenn schon eine hochgeladen ist). / Submit the sketch."""

    action_name = "submit_sketch"


class SubmitDescriptionSerializer(DocumentStepSerializer):
    """`submit_description`: die Projektbeschreibung einreichen (Datei nötig). / Submit the full
    description (file required)."""

    action_name = "submit_description"


class ResubmitSerializer(DocumentStepSerializer):
    """`resubmit`: die überarbeitete Fassung einreichen (Datei nötig). / Submit the revised version
    (file required)."""

    action_name = "resubmit"


class ForwardSerializer(ActionSerializer):
    """`forward` (Geschäftsstelle): Eingereichtes dem Sprecherkreis vorlegen. / Put the submission
    before the speakers' circle."""

    action_name = "forward"
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RecordOutcomeSerializer(ActionSerializer):
    """`record_outcome` (Geschäftsstelle): das Ergebnis des Gremiums, das am Zug ist. Ablehnung und
    Rückgabe zur Überarbeitung brauchen eine Begründung; das Datum liegt zwischen dem letzten
    Schritt des Vorhabens und heute. / The outcome of the body whose turn it is; negative and
    revision need reasons; the date lies between the project's latest step and today."""

    action_name = "record_outcome"
    body = serializers.ChoiceField(
        choices=[
            ("speakers", gettext_lazy("Sprecherkreis")),
            ("steering", gettext_lazy("Steuerkreis")),
        ],
        help_text="`speakers` oder `steering`.",
    )
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    decided_on = serializers.DateField()
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    reasons = serializers.CharField(required=False, allow_blank=True, default="")


class ResumeSerializer(ActionSerializer):
    """`resume` (Geschäftsstelle): ein vertagtes Vorhaben wieder dem Gremium vorlegen. / Bring a
    deferred project back before its body."""

    action_name = "resume"


class FileApplicationSerializer(ActionSerializer):
    """`file_application`: der Förderantrag bei der Förderbank ist gestellt, zwischen dem Votum
    und heute. / The formal application has been filed with the funding bank, between the vote
    of endorsement and today."""

    action_name = "file_application"
    filed_on = serializers.DateField()
    reference = serializers.CharField(max_length=100)


class RecordBankDecisionSerializer(ActionSerializer):
    """`record_bank_decision` (Geschäftsstelle): Bewilligung (mit Betrag) oder Ablehnung der
    Förderbank, zwischen dem Förderantrag und heute. / The bank's decision: granted with amount,
    or declined, between the application and today."""

    action_name = "record_bank_decision"
    decided_on = serializers.DateField()
    granted = serializers.BooleanField()
    granted_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, default=None
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class StartSerializer(ActionSerializer):
    """`start`: das Projekt hat begonnen, nach der Bewilligung, in seiner Laufzeit und nicht in
    der Zukunft. / The project has started: after the grant, within its runtime, not in the
    future."""

    action_name = "start"
    started_on = serializers.DateField()


class CloseSerializer(ActionSerializer):
    """`close` (Geschäftsstelle): Abschluss mit Abrechnung und Abschlussbericht (multipart
    `final_report`), zwischen Projektbeginn und heute; nie mehr Austritte als Eintritte. / Close
    with the final settlement and report, between the start and today; never more exits than
    entries."""

    action_name = "close"
    closed_on = serializers.DateField()
    final_eligible_costs = serializers.DecimalField(max_digits=14, decimal_places=2)
    final_grant = serializers.DecimalField(max_digits=14, decimal_places=2)
    final_report = serializers.FileField(required=False, allow_null=True, default=None)
    participants_entered = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0
    )
    participants_exited = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0
    )


class WithdrawSerializer(ActionSerializer):
    """`withdraw`: das Vorhaben zurückziehen, mit Grund. / Withdraw the project, with a reason."""

    action_name = "withdraw"
    reason = serializers.CharField()


ACTION_SERIALIZERS: dict[str, type[ActionSerializer]] = {
    serializer.action_name: serializer
    for serializer in (
        RecordConsultationSerializer,
        SubmitSketchSerializer,
        ForwardSerializer,
        RecordOutcomeSerializer,
        SubmitDescriptionSerializer,
        ResubmitSerializer,
        ResumeSerializer,
        FileApplicationSerializer,
        RecordBankDecisionSerializer,
        StartSerializer,
        CloseSerializer,
        WithdrawSerializer,
    )
}
