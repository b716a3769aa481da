"""The alliance's own cycle: the next phase is prepared with its strategy, the partners renew the
cooperation agreement, the office applies for the extension of recognition, the ministry decides.

The phase itself (with its recognition status) and the signed agreements live in `alliances`;
this app holds the process around them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from buendnis.alliances.models import (
    Alliance,
    CooperationAgreement,
    FundingPhase,
    Organisation,
    RecognitionStatus,
    money_field,
)
from buendnis.core.append_only import AppendOnlyModel
from buendnis.core.models import Timestamped
from buendnis.core.uploads import validate_document

# A phase may be edited and its application (re)submitted while it is in these states.
EDITABLE = frozenset({RecognitionStatus.DRAFT, RecognitionStatus.CHANGES_REQUESTED})


class Strategy(Timestamped):
    """The regional skills strategy of a phase. Its text is kept in versions; its fields of action
    and topics are the phase's `ActionField`/`Topic` rows, adopted by a Steuerkreis decision."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="+", verbose_name=_("Bündnis")
    )
    phase = models.OneToOneField(
        FundingPhase,
        on_delete=models.CASCADE,
        related_name="strategy",
        verbose_name=_("Förderphase"),
    )
    # The Steuerkreis adopted the fields of action: in a meeting or in writing.
    adopted_decision = models.ForeignKey(
        "meetings.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Beschlossen in Sitzung (TOP)"),
    )
    adopted_circulation = models.ForeignKey(
        "meetings.Circulation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Beschlossen im Umlaufverfahren"),
    )
    adopted_on = models.DateField(_("Handlungsfelder beschlossen am"), null=True, blank=True)
    # The fields and topics as they were adopted: a later change shows as a difference.
    adopted_fields = models.JSONField(_("Beschlossene Handlungsfelder"), default=list, blank=True)

    class Meta:
        verbose_name = _("Regionale Fachkräftestrategie")
        verbose_name_plural = _("Regionale Fachkräftestrategien")
        constraints = [
            models.CheckConstraint(
                condition=Q(adopted_decision__isnull=True) | Q(adopted_circulation__isnull=True),
                name="strategy_adopted_once",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Fachkräftestrategie %(phase)s") % {"phase": self.phase})

    @property
    def is_adopted(self) -> bool:
        return self.adopted_on is not None


class StrategyVersion(AppendOnlyModel):
    """One version of the strategy's text; a revision is a new row, never an overwrite."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="+", verbose_name=_("Bündnis")
    )
    # PROTECT: a version is never deleted, so neither is the strategy (nor the phase) it belongs
    # to once written; the admin then lists it as the reason instead of failing.
    strategy = models.ForeignKey(
        Strategy, on_delete=models.PROTECT, related_name="versions", verbose_name=_("Strategie")
    )
    number = models.PositiveIntegerField(_("Fassung"))
    analysis = models.TextField(_("Analyse der Region"), blank=True)
    review = models.TextField(_("Rückblick auf die vorige Förderphase"), blank=True)
    fields_intro = models.TextField(_("Handlungsfelder und Themen (Einleitung)"), blank=True)
    working_methods = models.TextField(_("Arbeitsweise des Bündnisses"), blank=True)
    change_note = models.CharField(_("Was sich geändert hat"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Verfasst von"),
    )
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)

    append_only_message = _("Eine Fassung der Strategie bleibt; Änderungen sind eine neue Fassung.")

    class Meta:
        verbose_name = _("Fassung der Strategie")
        verbose_name_plural = _("Fassungen der Strategie")
        ordering = ["strategy", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "number"], name="strategy_version_unique_number"
            )
        ]

    def __str__(self) -> str:
        return str(_("Fassung %(number)s") % {"number": self.number})

    SECTIONS = ("analysis", "review", "fields_intro", "working_methods")


class SignatureStatus(models.TextChoices):
    """Where a partner stands with the new agreement. The names are a contract of the API."""

    ASKED = "asked", _("Angefragt")
    PENDING = "pending", _("Beschluss in den eigenen Gremien ausstehend")
    SIGNED = "signed", _("Unterzeichnet")
    DECLINED = "declined", _("Abgelehnt")


def signature_upload_to(instance: SignatureRequest, filename: str) -> str:
    return f"alliances/{instance.alliance_id}/agreements/{instance.phase_id}/{filename}"


class SignatureRequest(Timestamped):
    """A partner is asked to sign the cooperation agreement of a (new) phase.

    Signing creates the `CooperationAgreement`, which makes the organisation a partner of the
    phase; this row keeps the way there (asked, pending in the partner's own bodies, declined)."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="+", verbose_name=_("Bündnis")
    )
    phase = models.ForeignKey(
        FundingPhase,
        on_delete=models.CASCADE,
        related_name="signature_requests",
        verbose_name=_("Förderphase"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="signature_requests",
        verbose_name=_("Organisation"),
    )
    status = models.CharField(
        _("Stand"), max_length=20, choices=SignatureStatus.choices, default=SignatureStatus.ASKED
    )
    asked_on = models.DateField(_("Angefragt am"))
    due_on = models.DateField(_("Rückmeldung erbeten bis"), null=True, blank=True)
    decision_body = models.CharField(
        _("Beschließendes Gremium"), max_length=200, blank=True, help_text=_("z. B. Rat, Vorstand")
    )
    reference = models.CharField(
        _("Beschlussvorlage/Drucksache"),
        max_length=100,
        blank=True,
        help_text=_("z. B. DS 18-08123"),
    )
    decision_date = models.DateField(_("Beschluss vom (geplant)"), null=True, blank=True)
    signed_on = models.DateField(_("Unterzeichnet am"), null=True, blank=True)
    declined_on = models.DateField(_("Abgelehnt am"), null=True, blank=True)
    note = models.TextField(_("Vermerk"), blank=True)
    document = models.FileField(
        _("Unterzeichnete Vereinbarung"),
        upload_to=signature_upload_to,
        blank=True,
        validators=[validate_document],
        help_text=_("PDF, Office-Dokument oder Bild (PNG, JPEG)."),
    )
    agreement = models.OneToOneField(
        CooperationAgreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signature_request",
        verbose_name=_("Kooperationsvereinbarung"),
    )
    reminded_on = models.DateField(_("Zuletzt erinnert am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Unterschriftsanfrage")
        verbose_name_plural = _("Unterschriftsanfragen")
        ordering = ["phase", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["phase", "organisation"],
                name="signature_request_once_per_phase",
                violation_error_message=_(
                    "Diese Organisation ist für diese Förderphase bereits angefragt."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status="signed") | Q(signed_on__isnull=False),
                name="signature_signed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.phase}"

    @property
    def is_open(self) -> bool:
        return self.status in (SignatureStatus.ASKED, SignatureStatus.PENDING)


class ExtensionApplication(Timestamped):
    """The alliance's application to the ministry for the (extended) recognition of a phase."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="+", verbose_name=_("Bündnis")
    )
    phase = models.OneToOneField(
        FundingPhase,
        on_delete=models.CASCADE,
        related_name="extension_application",
        verbose_name=_("Förderphase"),
    )
    signature_deadline = models.DateField(_("Unterschriften erbeten bis"), null=True, blank=True)
    cover_note = models.TextField(_("Anschreiben an das Ministerium"), blank=True)
    submitted_at = models.DateTimeField(_("Eingereicht am"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Eingereicht von"),
    )
    # What was applied for when it was last submitted (the phase's figures may change after).
    requested_budget = money_field(_("Beantragtes virtuelles Budget (€)"), null=True, blank=True)
    requested_rate = models.DecimalField(
        _("Beantragter Fördersatz (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    submissions = models.PositiveSmallIntegerField(_("Einreichungen"), default=0)
    dossier = models.FileField(
        _("Antragsunterlagen (PDF)"),
        upload_to="alliances/extension/",
        blank=True,
    )

    class Meta:
        verbose_name = _("Antrag auf Verlängerung der Anerkennung")
        verbose_name_plural = _("Anträge auf Verlängerung der Anerkennung")

    def __str__(self) -> str:
        return str(_("Verlängerungsantrag %(phase)s") % {"phase": self.phase})


class RecognitionOutcome(models.TextChoices):
    RECOGNISED = "recognised", _("Anerkannt")
    CHANGES_REQUESTED = "changes_requested", _("Änderungen erbeten")
    REFUSED = "refused", _("Abgelehnt")


class RecognitionDecision(AppendOnlyModel):
    """The ministry's decision on an application: written once, a new decision is a new row."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.PROTECT, related_name="+", verbose_name=_("Bündnis")
    )
    phase = models.ForeignKey(
        FundingPhase,
        on_delete=models.PROTECT,
        related_name="recognition_decisions",
        verbose_name=_("Förderphase"),
    )
    outcome = models.CharField(_("Entscheidung"), max_length=20, choices=RecognitionOutcome.choices)
    decided_on = models.DateField(_("Entschieden am"))
    reference = models.CharField(_("Aktenzeichen"), max_length=100, blank=True)
    virtual_budget = money_field(_("Zugewiesenes virtuelles Budget (€)"), null=True, blank=True)
    funding_rate = models.DecimalField(
        _("Zugewiesener Fördersatz (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    carry_over = money_field(_("Übertrag aus der vorigen Phase (€)"), null=True, blank=True)
    conditions = models.TextField(_("Auflagen"), blank=True)
    reason = models.TextField(_("Begründung"), blank=True)
    # The ministry's name when it decided: the responsible ministry changes over the years.
    authority = models.CharField(_("Entscheidende Stelle"), max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Erfasst von"),
    )
    created_at = models.DateTimeField(_("Erfasst am"), auto_now_add=True)

    append_only_message = _("Eine Entscheidung des Ministeriums bleibt; sie wird nie geändert.")

    class Meta:
        verbose_name = _("Entscheidung über die Anerkennung")
        verbose_name_plural = _("Entscheidungen über die Anerkennung")
        ordering = ["phase", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} – {self.phase}"
