"""A funded project (Vorhaben) and what the procedure records about it."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from buendnis.alliances.models import money_field
from buendnis.core.uploads import validate_document

from .states import Status
from .wording import PUBLIC_LABELS

NOT_NEGATIVE = [MinValueValidator(Decimal("0"), message=_("Beträge dürfen nicht negativ sein."))]


class FundingPriority(models.TextChoices):
    STRUCTURAL = "structural", _("Strukturprojekt")
    UNEMPLOYED = "unemployed", _("Qualifizierung und Vermittlung Arbeitsloser")
    EMPLOYEES = "employees", _("Weiterbildung von Beschäftigten")


# The project's own data that forms and the API set, in the order every form shows it: exactly the
# fields `services.project_create` and `project_update` accept. Not among them: the topics (set on
# their own, `topics=`) and the co-financing (rows of their own, `services.cofinancing_set`).
PROJECT_EDITABLE_FIELDS: tuple[str, ...] = (
    "title",
    "summary",
    "goals",
    "target_group",
    "planned_participants",
    "participant_groups",
    "companies_reached",
    "region",
    "action_field",
    "funding_priority",
    "contact_name",
    "contact_email",
    "contact_phone",
    "starts_on",
    "ends_on",
    "eligible_costs",
    "requested_grant",
)


class Project(models.Model):
    alliance = models.ForeignKey(
        "alliances.Alliance",
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("Bündnis"),
    )
    phase = models.ForeignKey(
        "alliances.FundingPhase",
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("Förderphase"),
    )
    reference = models.CharField(_("Aktenzeichen"), max_length=40, unique=True, editable=False)
    title = models.CharField(_("Titel"), max_length=200)
    summary = models.TextField(_("Kurzbeschreibung"), blank=True)
    goals = models.TextField(_("Ziele"), blank=True)
    target_group = models.TextField(_("Zielgruppe"), blank=True)
    planned_participants = models.PositiveIntegerField(
        _("Geplante Teilnehmende"), null=True, blank=True
    )
    participant_groups = models.TextField(
        _("Teilnehmende nach Gruppen"),
        blank=True,
        help_text=_("z. B. 20 Geflüchtete, 10 Langzeitarbeitslose"),
    )
    companies_reached = models.PositiveIntegerField(
        _("Erreichte Unternehmen"), null=True, blank=True
    )
    region = models.CharField(_("Region (Landkreise/Städte)"), max_length=300, blank=True)
    action_field = models.ForeignKey(
        "alliances.ActionField",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("Handlungsfeld"),
    )
    topics = models.ManyToManyField(
        "alliances.Topic", blank=True, related_name="projects", verbose_name=_("Themen")
    )
    funding_priority = models.CharField(
        _("Förderschwerpunkt"), max_length=20, choices=FundingPriority.choices, blank=True
    )
    applicant_organisation = models.ForeignKey(
        "alliances.Organisation",
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("Projektträger"),
    )
    contact_name = models.CharField(_("Ansprechperson"), max_length=200, blank=True)
    contact_email = models.EmailField(_("E-Mail der Ansprechperson"), blank=True)
    contact_phone = models.CharField(_("Telefon der Ansprechperson"), max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="created_projects",
        verbose_name=_("Angelegt von"),
    )
    starts_on = models.DateField(_("Laufzeit ab"), null=True, blank=True)
    ends_on = models.DateField(_("Laufzeit bis"), null=True, blank=True)
    eligible_costs = money_field(
        _("Förderfähige Gesamtkosten (€)"), default=Decimal("0"), validators=NOT_NEGATIVE
    )
    requested_grant = money_field(
        _("Beantragter Zuschuss (€)"), default=Decimal("0"), validators=NOT_NEGATIVE
    )

    status = models.CharField(
        _("Stand"), max_length=30, choices=Status.choices, default=Status.IDEA, db_index=True
    )
    status_changed_at = models.DateTimeField(_("Stand seit"), auto_now_add=True)
    # Where a revision or deferral returns to.
    return_status = models.CharField(
        _("Rückkehr nach"), max_length=30, choices=Status.choices, blank=True
    )
    # Optimistic lock for forms: a form saved on an older version is refused.
    version = models.PositiveIntegerField(_("Version"), default=1)

    application_filed_on = models.DateField(_("Förderantrag gestellt am"), null=True, blank=True)
    application_reference = models.CharField(
        _("Aktenzeichen der Förderbank"), max_length=100, blank=True
    )
    bank_decided_on = models.DateField(_("Entscheidung der Förderbank am"), null=True, blank=True)
    granted_amount = money_field(
        _("Bewilligter Zuschuss (€)"), null=True, blank=True, validators=NOT_NEGATIVE
    )
    started_on = models.DateField(_("Projektbeginn"), null=True, blank=True)
    closed_on = models.DateField(_("Abgeschlossen am"), null=True, blank=True)
    final_eligible_costs = money_field(
        _("Abgerechnete förderfähige Kosten (€)"), null=True, blank=True, validators=NOT_NEGATIVE
    )
    final_grant = money_field(
        _("Abgerechneter Zuschuss (€)"), null=True, blank=True, validators=NOT_NEGATIVE
    )
    participants_entered = models.PositiveIntegerField(_("Eintritte"), null=True, blank=True)
    participants_exited = models.PositiveIntegerField(_("Austritte"), null=True, blank=True)

    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("Vorhaben")
        verbose_name_plural = pgettext_lazy("plural", "Vorhaben")
        ordering = ["-created_at", "-id"]
        # On PostgreSQL the table also has the search's column `search_vector`, kept by a trigger,
        # with the GIN index `project_search` (migration 0003; core.db.search_vector_column).
        indexes = [models.Index(fields=["alliance", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(eligible_costs__gte=0) & Q(requested_grant__gte=0),
                name="project_amounts_not_negative",
                violation_error_message=_("Beträge dürfen nicht negativ sein."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="project_runtime_ordered",
                violation_error_message=_("Die Laufzeit kann nicht vor ihrem Beginn enden."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def public_status_label(self) -> str:
        return str(PUBLIC_LABELS[self.status])

    @property
    def cofinancing_total(self) -> Decimal:
        """Sum of the co-financing shares (uses the prefetched rows where present)."""
        return sum((share.amount for share in self.cofinancing.all()), Decimal("0"))


class CoFinancing(models.Model):
    """A named organisation's share of the project's costs (Kofinanzierung / Eigenanteil)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="cofinancing", verbose_name=_("Vorhaben")
    )
    organisation = models.ForeignKey(
        "alliances.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cofinancing_shares",
        verbose_name=_("Organisation"),
    )
    name = models.CharField(
        _("Geldgeber"),
        max_length=200,
        blank=True,
        help_text=_("Falls die Organisation nicht im Bündnis verzeichnet ist."),
    )
    amount = money_field(_("Betrag (€)"), validators=NOT_NEGATIVE)

    class Meta:
        verbose_name = _("Kofinanzierung")
        verbose_name_plural = _("Kofinanzierungen")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | ~Q(name=""),
                name="cofinancing_named",
                violation_error_message=_(
                    "Jeder Finanzierungsanteil braucht eine Organisation oder einen Namen."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payer}: {self.amount}"

    @property
    def payer(self) -> str:
        return str(self.organisation) if self.organisation_id else self.name


class Consultation(models.Model):
    """An obligatory consultation with the office: no sketch without at least one."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="consultations", verbose_name=_("Vorhaben")
    )
    held_on = models.DateField(_("Datum"))
    participants = models.CharField(_("Teilnehmende"), max_length=500)
    notes = models.TextField(_("Notizen"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("Erfasst von"),
    )
    recorded_at = models.DateTimeField(_("Erfasst am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Beratung")
        verbose_name_plural = _("Beratungen")
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.project.reference} {self.held_on:%d.%m.%Y}"


class DocumentKind(models.TextChoices):
    SKETCH = "sketch", _("Kurzskizze")
    DESCRIPTION = "description", _("Projektbeschreibung")
    FINAL_REPORT = "final_report", _("Abschlussbericht")
    STATEMENT = "statement", _("Stellungnahme des Bündnisses")
    OTHER = "other", _("Sonstiges")


def document_upload_to(instance: ProjectDocument, filename: str) -> str:
    return f"projects/{instance.project_id}/{instance.kind}/v{instance.version}-{filename}"


class ProjectDocument(models.Model):
    """Every upload is kept: a new upload of the same kind is a new version."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="documents", verbose_name=_("Vorhaben")
    )
    kind = models.CharField(_("Art"), max_length=20, choices=DocumentKind.choices)
    version = models.PositiveIntegerField(_("Version"))
    file = models.FileField(
        _("Datei"), upload_to=document_upload_to, validators=[validate_document]
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("Hochgeladen von"),
    )
    uploaded_at = models.DateTimeField(_("Hochgeladen am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Dokument")
        verbose_name_plural = _("Dokumente")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "version"], name="document_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class Outcome(models.TextChoices):
    POSITIVE = "positive", _("befürwortet")
    NEGATIVE = "negative", _("nicht befürwortet")
    REVISION = "revision", _("zur Überarbeitung zurück")
    DEFERRED = "deferred", _("vertagt")


class BodyOutcome(models.Model):
    """What a body concluded about a project at one stage (recommendation or vote/Votum).

    Recorded by the office until meetings exist; later a meeting decision or circulation creates it
    through the same service.
    """

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("Vorhaben")
    )
    body = models.ForeignKey(
        "alliances.Body",
        on_delete=models.PROTECT,
        related_name="outcomes",
        verbose_name=_("Gremium"),
    )
    stage_status = models.CharField(_("Stufe"), max_length=30, choices=Status.choices)
    outcome = models.CharField(_("Ergebnis"), max_length=20, choices=Outcome.choices)
    decided_on = models.DateField(_("Datum"))
    reference = models.CharField(
        _("Fundstelle"), max_length=200, blank=True, help_text=_("z. B. Sitzung, TOP")
    )
    reasons = models.TextField(_("Begründung"), blank=True)
    # What the body decided on: the project's money and aim at that moment (`changes.voted_terms`),
    # so that a later change shows as a difference against the vote. Null for outcomes recorded
    # before the platform kept it: nothing is known to compare with.
    voted_terms = models.JSONField(_("Beschlossener Stand des Vorhabens"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("Erfasst von"),
    )
    recorded_at = models.DateTimeField(_("Erfasst am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Ergebnis eines Gremiums")
        verbose_name_plural = _("Ergebnisse der Gremien")
        ordering = ["decided_on", "id"]

    def __str__(self) -> str:
        return f"{self.body.name}: {self.get_outcome_display()} ({self.decided_on:%d.%m.%Y})"


class Transition(models.Model):
    """The project's timeline: one append-only row per state change (the audit trail has it too,
    this table serves the timeline and counts without parsing audit rows)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("Vorhaben")
    )
    from_status = models.CharField(_("Von"), max_length=30, choices=Status.choices)
    to_status = models.CharField(_("Nach"), max_length=30, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("Durch"),
    )
    comment = models.TextField(_("Kommentar"), blank=True)
    created_at = models.DateTimeField(_("Zeitpunkt"), auto_now_add=True)

    class Meta:
        verbose_name = _("Statuswechsel")
        verbose_name_plural = pgettext_lazy("plural", "Statuswechsel")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.project.reference}: {self.from_status} → {self.to_status}"
