"""After the grant: the alliance accompanies its projects into implementation.

Reports on a schedule (progress reports and proofs of use, each submission a version), payment
requests drawn in tranches against the grant, co-financing received, and participant figures as
aggregates (ESF+: entries and exits per period by the programme's characteristics, never a
person). The project, its state and the ledger live in `funding` and `budget`.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from buendnis.alliances.models import Alliance, money_field
from buendnis.core.append_only import AppendOnlyModel
from buendnis.core.models import Timestamped
from buendnis.core.uploads import validate_document

NOT_NEGATIVE = [MinValueValidator(Decimal("0"), message=_("Beträge dürfen nicht negativ sein."))]


# --- Reports on a schedule ----------------------------------------------------------------------


class ReportKind(models.TextChoices):
    """The names are a contract of the API (`kind`)."""

    INTERIM_REPORT = "interim_report", _("Sachbericht (Zwischenbericht)")
    INTERIM_PROOF = "interim_proof", _("Zwischennachweis")
    FINAL_PROOF = "final_proof", _("Verwendungsnachweis")


class ReportStatus(models.TextChoices):
    DUE = "due", _("Offen")
    SUBMITTED = "submitted", _("Eingereicht")
    CHANGES_REQUESTED = "changes_requested", _("Änderungen erbeten")
    ACCEPTED = "accepted", _("Angenommen")


class ReportTemplate(Timestamped):
    """What the alliance asks for in a kind of report: guidance and an optional form to fill."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="+", verbose_name=_("Bündnis")
    )
    kind = models.CharField(_("Art"), max_length=20, choices=ReportKind.choices)
    guidance = models.TextField(_("Hinweise für den Bericht"), blank=True)
    form = models.FileField(
        _("Vorlage"),
        upload_to="grants/templates/",
        blank=True,
        validators=[validate_document],
        help_text=_("PDF oder Office-Dokument zum Ausfüllen."),
    )

    class Meta:
        verbose_name = _("Berichtsvorlage")
        verbose_name_plural = _("Berichtsvorlagen")
        constraints = [
            models.UniqueConstraint(fields=["alliance", "kind"], name="report_template_per_kind")
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())


def report_upload_to(instance: ReportVersion, filename: str) -> str:
    return f"grants/{instance.alliance_id}/reports/{instance.report_id}/{filename}"


class ScheduledReport(Timestamped):
    """One report the project owes by a due date, set by the office from the grant decision."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="+", verbose_name=_("Bündnis")
    )
    project = models.ForeignKey(
        "funding.Project",
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("Vorhaben"),
    )
    kind = models.CharField(_("Art"), max_length=20, choices=ReportKind.choices)
    due_on = models.DateField(_("Fällig am"))
    status = models.CharField(
        _("Stand"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DUE
    )
    submitted_on = models.DateField(_("Eingereicht am"), null=True, blank=True)
    accepted_on = models.DateField(_("Angenommen am"), null=True, blank=True)
    reminded_on = models.DateField(_("Zuletzt erinnert am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Bericht")
        verbose_name_plural = _("Berichte")
        ordering = ["project", "due_on", "id"]
        indexes = [models.Index(fields=["alliance", "status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.due_on:%d.%m.%Y})"


class ReportVersion(AppendOnlyModel):
    """One submission of a report: the document and the structured figures, never overwritten."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="+", verbose_name=_("Bündnis")
    )
    report = models.ForeignKey(
        ScheduledReport,
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name=_("Bericht"),
    )
    number = models.PositiveSmallIntegerField(_("Fassung"))
    document = models.FileField(
        _("Dokument"), upload_to=report_upload_to, validators=[validate_document]
    )
    costs_to_date = money_field(
        _("Ausgaben bis zum Stichtag (€)"), null=True, blank=True, validators=NOT_NEGATIVE
    )
    summary = models.TextField(_("Stand in Kürze"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Eingereicht von"),
    )
    submitted_at = models.DateTimeField(_("Eingereicht am"), auto_now_add=True)

    append_only_message = _(
        "Eine eingereichte Fassung bleibt; eine Korrektur ist eine neue Fassung."
    )

    class Meta:
        verbose_name = _("Fassung eines Berichts")
        verbose_name_plural = _("Fassungen von Berichten")
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_version_number")
        ]

    def __str__(self) -> str:
        return str(_("Fassung %(number)s") % {"number": self.number})


class ReviewOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Angenommen")
    CHANGES_REQUESTED = "changes_requested", _("Änderungen erbeten")


class ReportReview(AppendOnlyModel):
    """The office's answer to one version: accepted, or changes asked for with a reason."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="+", verbose_name=_("Bündnis")
    )
    version = models.OneToOneField(
        ReportVersion, on_delete=models.PROTECT, related_name="review", verbose_name=_("Fassung")
    )
    outcome = models.CharField(_("Ergebnis"), max_length=20, choices=ReviewOutcome.choices)
    reason = models.TextField(_("Begründung"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Geprüft von"),
    )
    reviewed_at = models.DateTimeField(_("Geprüft am"), auto_now_add=True)

    append_only_message = _("Eine Prüfung bleibt, wie sie ist.")

    class Meta:
        verbose_name = _("Prüfung eines Berichts")
        verbose_name_plural = _("Prüfungen von Berichten")

    def __str__(self) -> str:
        return str(self.get_outcome_display())


# --- Payment requests (Mittelabruf) -------------------------------------------------------------


class PaymentStatus(models.TextChoices):
    """The names are a contract of the API (`status`)."""

    SUBMITTED = "submitted", _("Eingereicht")
    CHECKED = "checked", _("Sachlich geprüft")
    RELEASED = "released", _("Freigegeben und gebucht")
    REFUSED = "refused", _("Abgelehnt")


# A request in these states holds its amount against the grant.
HOLDING = (PaymentStatus.SUBMITTED, PaymentStatus.CHECKED, PaymentStatus.RELEASED)


class PaymentRequest(Timestamped):
    """A tranche of the grant the applicant draws for a period, against its receipts. The office
    checks it and then releases it (two people or two steps); the release books the payment."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="+", verbose_name=_("Bündnis")
    )
    project = models.ForeignKey(
        "funding.Project",
        on_delete=models.PROTECT,
        related_name="payment_requests",
        verbose_name=_("Vorhaben"),
    )
    number = models.PositiveSmallIntegerField(_("Nummer"))
    period_from = models.DateField(_("Zeitraum von"))
    period_to = models.DateField(_("Zeitraum bis"))
    eligible_costs = money_field(
        _("Förderfähige Ausgaben im Zeitraum (€)"), validators=NOT_NEGATIVE
    )
    amount = money_field(_("Abgerufener Betrag (€)"), validators=NOT_NEGATIVE)
    status = models.CharField(
        _("Stand"),
        max_length=20,
        choices=PaymentStatus.choices,
        default=PaymentStatus.SUBMITTED,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Eingereicht von"),
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Geprüft von"),
    )
    checked_at = models.DateTimeField(_("Geprüft am"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Freigegeben von"),
    )
    released_at = models.DateTimeField(_("Freigegeben am"), null=True, blank=True)
    refusal_reason = models.TextField(_("Grund der Ablehnung"), blank=True)
    ledger_entry = models.OneToOneField(
        "budget.LedgerEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Buchung"),
    )

    class Meta:
        verbose_name = _("Mittelabruf")
        verbose_name_plural = _("Mittelabrufe")
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="payment_request_number"),
            models.CheckConstraint(
                condition=Q(period_to__gte=F("period_from")),
                name="payment_period_ordered",
                violation_error_message=_("Der Zeitraum endet vor seinem Beginn."),
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return str(_("Mittelabruf %(number)s") % {"number": self.number})


class Receipt(models.Model):
    """One receipt (Beleg) of a payment request's list."""

    payment_request = models.ForeignKey(
        PaymentRequest,
        on_delete=models.CASCADE,
        related_name="receipts",
        verbose_name=_("Mittelabruf"),
    )
    position = models.PositiveSmallIntegerField(_("Lfd. Nr."))
    paid_on = models.DateField(_("Bezahlt am"))
    payee = models.CharField(_("Empfänger/in"), max_length=200)
    purpose = models.CharField(_("Zweck"), max_length=300)
    amount = money_field(_("Betrag (€)"), validators=NOT_NEGATIVE)

    class Meta:
        verbose_name = _("Beleg")
        verbose_name_plural = _("Belege")
        ordering = ["payment_request", "position"]

    def __str__(self) -> str:
        return f"{self.position}: {self.purpose}"


class CoFinancingPayment(models.Model):
    """Money a co-financing partner actually paid of its pledged share."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="+", verbose_name=_("Bündnis")
    )
    share = models.ForeignKey(
        "funding.CoFinancing",
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("Kofinanzierung"),
    )
    received_on = models.DateField(_("Eingegangen am"))
    amount = money_field(_("Betrag (€)"), validators=NOT_NEGATIVE)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Erfasst von"),
    )
    created_at = models.DateTimeField(_("Erfasst am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Eingang einer Kofinanzierung")
        verbose_name_plural = _("Eingänge von Kofinanzierungen")
        ordering = ["share", "received_on", "id"]

    def __str__(self) -> str:
        return f"{self.share} {self.received_on:%d.%m.%Y}"


# --- Participant figures (ESF+), aggregates only ------------------------------------------------

# The characteristics the programme reports by, each with its categories. Entries and exits of a
# period are counted per category; each characteristic's categories add up to the period's totals.
CHARACTERISTICS: dict[str, tuple[StrOrPromise, tuple[tuple[str, StrOrPromise], ...]]] = {
    "gender": (
        _("Geschlecht"),
        (
            ("female", _("weiblich")),
            ("male", _("männlich")),
            ("diverse", _("divers")),
            ("not_stated", _("ohne Angabe")),
        ),
    ),
    "age": (
        _("Alter"),
        (
            ("under_25", _("unter 25 Jahre")),
            ("25_to_54", _("25 bis 54 Jahre")),
            ("55_plus", _("55 Jahre und älter")),
        ),
    ),
    "employment": (
        _("Erwerbsstatus"),
        (
            ("employed", _("erwerbstätig")),
            ("unemployed", _("arbeitslos")),
            ("long_term_unemployed", _("langzeitarbeitslos")),
            ("inactive", _("nicht erwerbstätig")),
        ),
    ),
    "education": (
        _("Bildungsstand"),
        (
            ("isced_0_2", _("ISCED 0–2 (höchstens Sekundarstufe I)")),
            ("isced_3_4", _("ISCED 3–4 (Sekundarstufe II, postsekundar)")),
            ("isced_5_8", _("ISCED 5–8 (tertiär)")),
        ),
    ),
}


class ParticipantFigures(Timestamped):
    """Entries and exits of one reporting period, as totals and per category of each
    characteristic (`breakdown`: characteristic → category → {"entries": n, "exits": n})."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="+", verbose_name=_("Bündnis")
    )
    project = models.ForeignKey(
        "funding.Project",
        on_delete=models.CASCADE,
        related_name="participant_figures",
        verbose_name=_("Vorhaben"),
    )
    period_from = models.DateField(_("Zeitraum von"))
    period_to = models.DateField(_("Zeitraum bis"))
    entries = models.PositiveIntegerField(_("Eintritte"))
    exits = models.PositiveIntegerField(_("Austritte"))
    breakdown = models.JSONField(_("Aufschlüsselung"), default=dict)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Erfasst von"),
    )

    class Meta:
        verbose_name = _("Teilnehmendenzahlen")
        verbose_name_plural = _("Teilnehmendenzahlen")
        ordering = ["project", "period_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_to__gte=F("period_from")),
                name="participants_period_ordered",
                violation_error_message=_("Der Zeitraum endet vor seinem Beginn."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_from:%d.%m.%Y}–{self.period_to:%d.%m.%Y}"
