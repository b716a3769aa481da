"""The alliance's structure: who is in it, in which phase, on which body, on which themes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrOrPromise

from buendnis.core.models import Timestamped
from buendnis.core.uploads import validate_document


def money_field(verbose_name: StrOrPromise, **kwargs: Any) -> models.DecimalField:
    """Amounts in euro: Decimal with cent precision, never float."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


# Alliance slugs sit at the top of the URL space; these paths belong to the platform.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "api",
        "healthz",
        "konto",
        "static",
        "media",
        "i18n",
        "oparl",
        "ministerium",
        "intern",
    }
)


class Alliance(models.Model):
    """A Fachkräftebündnis: the tenant. Every domain record belongs to exactly one alliance."""

    slug = models.SlugField(_("Kurzname in Adressen"), max_length=60, unique=True)
    name = models.CharField(_("Name"), max_length=200, unique=True)
    short_name = models.CharField(_("Kurzname"), max_length=60, blank=True)
    region = models.CharField(_("Region"), max_length=300, blank=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    office_host = models.CharField(
        _("Träger der Geschäftsstelle"),
        max_length=200,
        blank=True,
        help_text=_("z. B. Allianz für die Region GmbH"),
    )
    office_email = models.EmailField(_("E-Mail der Geschäftsstelle"), blank=True)
    office_phone = models.CharField(_("Telefon der Geschäftsstelle"), max_length=50, blank=True)
    office_address = models.TextField(_("Anschrift der Geschäftsstelle"), blank=True)
    website = models.URLField(_("Internetauftritt"), blank=True)
    recognising_authority = models.CharField(
        _("Anerkennende Stelle"),
        max_length=300,
        blank=True,
        help_text=_(
            "z. B. Niedersächsisches Ministerium für Wirtschaft, Arbeit, Verkehr und Digitalisierung"
        ),
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Bündnis")
        verbose_name_plural = _("Bündnisse")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_short_name(self) -> str:
        return self.short_name or self.name


class GroupKind(models.TextChoices):
    """The usual groups of labour-market actors. Groups themselves are data per alliance."""

    EMPLOYMENT_AGENCIES = "employment_agencies", _("Arbeitsagenturen/Jobcenter")
    MUNICIPALITIES = "municipalities", _("Kommunen")
    UNIONS = "unions", _("Gewerkschaften")
    EMPLOYER_ASSOCIATIONS = "employer_associations", _("Arbeitgeberverbände")
    CHAMBERS = "chambers", _("Kammern")
    UNIVERSITIES = "universities", _("Hochschulen")
    WELFARE = "welfare", _("Wohlfahrtsverbände")
    OTHER = "other", _("Sonstige")


class OrganisationGroup(Timestamped):
    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="groups", verbose_name=_("Bündnis")
    )
    name = models.CharField(_("Name"), max_length=120)
    kind = models.CharField(
        _("Art"), max_length=40, choices=GroupKind.choices, default=GroupKind.OTHER
    )
    sends_deputy_speaker = models.BooleanField(
        _("entsendet stellv. Sprecher/in"),
        default=False,
        help_text=_(
            "Die Gruppe entsendet eine/n stellvertretende/n Sprecher/in in den Sprecherkreis."
        ),
    )
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        verbose_name = _("Gruppe")
        verbose_name_plural = _("Gruppen")
        ordering = ["alliance", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "name"], name="group_unique_name_per_alliance"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Territory(models.TextChoices):
    """What kind of local authority a municipal partner is: the state's composition rule counts
    districts and independent cities."""

    NONE = "", _("keine Gebietskörperschaft")
    DISTRICT = "district", _("Landkreis (oder Region)")
    INDEPENDENT_CITY = "independent_city", _("Kreisfreie Stadt")
    MUNICIPALITY = "municipality", _("Kreisangehörige Stadt oder Gemeinde")


class Organisation(Timestamped):
    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="organisations", verbose_name=_("Bündnis")
    )
    name = models.CharField(_("Name"), max_length=200)
    short_name = models.CharField(_("Kurzname"), max_length=60, blank=True)
    group = models.ForeignKey(
        OrganisationGroup,
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("Gruppe"),
    )
    territory = models.CharField(
        _("Gebietskörperschaft"),
        max_length=20,
        choices=Territory.choices,
        default=Territory.NONE,
        db_default=Territory.NONE,
        blank=True,
        help_text=_("Für Kommunen: Landkreis, kreisfreie Stadt oder kreisangehörige Gemeinde."),
    )
    street = models.CharField(_("Straße"), max_length=200, blank=True)
    postcode = models.CharField(_("PLZ"), max_length=10, blank=True)
    city = models.CharField(pgettext_lazy("postal address", "Ort"), max_length=100, blank=True)
    website = models.URLField(_("Internetauftritt"), blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    phone = models.CharField(_("Telefon"), max_length=50, blank=True)
    is_illustrative = models.BooleanField(
        _("Angaben beispielhaft"),
        default=False,
        help_text=_("Demo-Daten: Einzelheiten sind ergänzt und nicht amtlich."),
    )

    class Meta:
        verbose_name = _("Organisation")
        verbose_name_plural = _("Organisationen")
        ordering = ["alliance", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "name"], name="organisation_unique_name_per_alliance"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PersonFunction(models.TextChoices):
    REPRESENTATIVE = "representative", _("Vertreter/in")
    DEPUTY = "deputy", _("Stellvertreter/in")
    OFFICE = "office", _("Geschäftsstelle")
    CONTACT = "contact", _("Ansprechpartner/in")


class Person(Timestamped):
    """Someone who represents an organisation in the alliance."""

    # A person's record: the audit trail names it by reference (`core.audit`), never by name.
    audit_by_reference: ClassVar[bool] = True

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="people", verbose_name=_("Bündnis")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="people",
        verbose_name=_("Organisation"),
    )
    title = models.CharField(_("Titel"), max_length=40, blank=True)
    first_name = models.CharField(_("Vorname"), max_length=100)
    last_name = models.CharField(_("Nachname"), max_length=100)
    function = models.CharField(
        _("Funktion"),
        max_length=20,
        choices=PersonFunction.choices,
        default=PersonFunction.REPRESENTATIVE,
    )
    position_title = models.CharField(_("Stellung"), max_length=200, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    phone = models.CharField(_("Telefon"), max_length=50, blank=True)
    show_name_publicly = models.BooleanField(
        _("Name öffentlich zeigen"),
        default=False,
        help_text=_("Nur mit Einverständnis: der Name erscheint auf den öffentlichen Seiten."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("Zugang"),
    )

    class Meta:
        verbose_name = _("Person")
        verbose_name_plural = _("Personen")
        ordering = ["alliance", "last_name", "first_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.title, self.first_name, self.last_name) if part)


class RecognitionStatus(models.TextChoices):
    """Where a phase stands with the ministry. Only a recognised phase takes projects.

    The names are a contract of the API (`recognition.status`)."""

    DRAFT = "draft", _("In Vorbereitung")
    APPLIED = "applied", _("Verlängerung beantragt")
    CHANGES_REQUESTED = "changes_requested", _("Änderungen erbeten")
    RECOGNISED = "recognised", _("Anerkannt")
    REFUSED = "refused", _("Abgelehnt")


class FundingPhase(Timestamped):
    """A funding phase with its virtual budget, granted by the ministry at a funding rate.

    A phase the office prepares starts as a draft; its budget and rate are then the ones applied
    for, and the ministry's recognition sets the ones assigned. A phase recorded directly (the
    history of an alliance, the admin, an import) is recognised from the start."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="phases", verbose_name=_("Bündnis")
    )
    name = models.CharField(_("Name"), max_length=100)
    starts_on = models.DateField(_("Beginn"))
    ends_on = models.DateField(_("Ende"))
    virtual_budget = money_field(
        _("Virtuelles Budget (€)"),
        validators=[
            MinValueValidator(
                Decimal("0"), message=_("Das virtuelle Budget darf nicht negativ sein.")
            )
        ],
    )
    funding_rate = models.DecimalField(
        _("Fördersatz (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[
            MinValueValidator(
                Decimal("0.01"), message=_("Der Fördersatz muss größer als 0 %% sein.")
            ),
            MaxValueValidator(
                Decimal("100"), message=_("Der Fördersatz darf höchstens 100 %% betragen.")
            ),
        ],
    )
    # db_default as well: rows written by code that predates the column (an older release
    # during a rolling deploy, a migration test) are recorded phases, hence recognised.
    recognition_status = models.CharField(
        _("Anerkennung"),
        max_length=20,
        choices=RecognitionStatus.choices,
        default=RecognitionStatus.RECOGNISED,
        db_default=RecognitionStatus.RECOGNISED,
    )
    recognised_on = models.DateField(_("Anerkannt durch das Ministerium am"), null=True, blank=True)
    recognition_reference = models.CharField(
        _("Aktenzeichen der Anerkennung"), max_length=100, blank=True
    )
    extension_applied_on = models.DateField(_("Verlängerung beantragt am"), null=True, blank=True)
    extension_note = models.TextField(_("Verlängerungsantrag"), blank=True)
    recognition_conditions = models.TextField(
        _("Auflagen der Anerkennung"), blank=True, default="", db_default=""
    )
    project_end_cutoff = models.DateField(
        _("Spätestes Projektende"),
        null=True,
        blank=True,
        help_text=_("Falls Projekte über das Phasenende hinaus laufen dürfen: bis wann."),
    )

    class Meta:
        verbose_name = _("Förderphase")
        verbose_name_plural = _("Förderphasen")
        ordering = ["alliance", "starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "name"], name="phase_unique_name_per_alliance"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")),
                name="phase_ends_after_start",
                violation_error_message=_(
                    "Das Ende der Förderphase muss nach ihrem Beginn liegen."
                ),
            ),
            models.CheckConstraint(
                condition=Q(virtual_budget__gte=0),
                name="phase_budget_not_negative",
                violation_error_message=_("Das virtuelle Budget darf nicht negativ sein."),
            ),
            models.CheckConstraint(
                condition=Q(funding_rate__gt=0) & Q(funding_rate__lte=100),
                name="phase_rate_in_percent",
                violation_error_message=_(
                    "Der Fördersatz muss größer als 0 %% und höchstens 100 %% sein."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}"

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    @property
    def is_recognised(self) -> bool:
        return self.recognition_status == RecognitionStatus.RECOGNISED

    @property
    def project_volume(self) -> Decimal:
        """The project volume the whole budget sets in motion at this rate (1,5 Mio. at 50 % → 3 Mio.)."""
        return (self.virtual_budget * Decimal(100) / self.funding_rate).quantize(Decimal("0.01"))


def agreement_upload_to(instance: CooperationAgreement, filename: str) -> str:
    return f"alliances/{instance.alliance_id}/agreements/{filename}"


class CooperationAgreement(Timestamped):
    """An organisation signed the Kooperationsvereinbarung for a phase: from then on it is a partner."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("Bündnis")
    )
    phase = models.ForeignKey(
        FundingPhase,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("Förderphase"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("Organisation"),
    )
    signed_on = models.DateField(_("Unterzeichnet am"))
    decision_body = models.CharField(
        _("Beschließendes Gremium"),
        max_length=200,
        blank=True,
        help_text=_("z. B. Verwaltungsausschuss"),
    )
    decision_reference = models.CharField(
        _("Beschluss (Drucksache)"), max_length=100, blank=True, help_text=_("z. B. DS 15-00153")
    )
    decision_date = models.DateField(_("Beschluss vom"), null=True, blank=True)
    document = models.FileField(
        _("Dokument"),
        upload_to=agreement_upload_to,
        blank=True,
        validators=[validate_document],
        help_text=_("PDF, Office-Dokument oder Bild (PNG, JPEG)."),
    )

    class Meta:
        verbose_name = _("Kooperationsvereinbarung")
        verbose_name_plural = _("Kooperationsvereinbarungen")
        ordering = ["alliance", "phase__starts_on", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["phase", "organisation"],
                name="agreement_once_per_phase",
                violation_error_message=_(
                    "Diese Organisation hat für diese Förderphase bereits unterzeichnet."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.phase}"


class BodyKind(models.TextChoices):
    STEERING = "steering", _("Steuerkreis")
    SPEAKERS = "speakers", _("Sprecherkreis")
    OFFICE = "office", _("Geschäftsstelle")


class Body(Timestamped):
    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="bodies", verbose_name=_("Bündnis")
    )
    kind = models.CharField(_("Art"), max_length=20, choices=BodyKind.choices)
    name = models.CharField(_("Name"), max_length=120)
    description = models.TextField(_("Aufgabe"), blank=True)
    meeting_rhythm = models.CharField(_("Sitzungsrhythmus"), max_length=120, blank=True)
    # Quorum: more than this share of the voting seats must be present for a decision.
    quorum_percent = models.PositiveSmallIntegerField(
        _("Beschlussfähigkeit ab (Prozent der Stimmsitze)"),
        default=50,
        validators=[MaxValueValidator(99)],
        help_text=_(
            "Beschlussfähig ist das Gremium, wenn mehr als dieser Anteil der stimmberechtigten "
            "Sitze vertreten ist (Standard: mehr als die Hälfte)."
        ),
    )
    silence_is_consent = models.BooleanField(
        _("Schweigen gilt im Umlaufverfahren als Zustimmung"),
        default=False,
        help_text=_(
            "Ohne dieses Häkchen kommt ein Umlaufbeschluss nur zustande, wenn alle "
            "stimmberechtigten Organisationen geantwortet haben."
        ),
    )

    class Meta:
        verbose_name = _("Gremium")
        verbose_name_plural = _("Gremien")
        ordering = ["alliance", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["alliance", "kind"], name="body_one_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.alliance.display_short_name})"


class SeatRole(models.TextChoices):
    MEMBER = "member", _("Stimmberechtigtes Mitglied")
    ADVISORY = "advisory", _("Beratendes Mitglied (ohne Stimme)")
    SPEAKER = "speaker", _("Sprecher/in")
    DEPUTY_SPEAKER = "deputy_speaker", _("Stellv. Sprecher/in")
    OFFICE_LEAD = "office_lead", _("Leitung der Geschäftsstelle")
    OFFICE_STAFF = "office_staff", _("Mitarbeiter/in der Geschäftsstelle")


# Which roles a body admits, and which of them carry a vote.
ROLES_BY_BODY: dict[str, frozenset[str]] = {
    BodyKind.STEERING: frozenset({SeatRole.MEMBER, SeatRole.ADVISORY}),
    BodyKind.SPEAKERS: frozenset({SeatRole.SPEAKER, SeatRole.DEPUTY_SPEAKER}),
    BodyKind.OFFICE: frozenset({SeatRole.OFFICE_LEAD, SeatRole.OFFICE_STAFF}),
}
VOTING_ROLES = frozenset({SeatRole.MEMBER, SeatRole.SPEAKER, SeatRole.DEPUTY_SPEAKER})


class Seat(Timestamped):
    """An organisation's (and optionally a person's) seat on a body for a term."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="seats", verbose_name=_("Bündnis")
    )
    body = models.ForeignKey(
        Body, on_delete=models.CASCADE, related_name="seats", verbose_name=_("Gremium")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="seats", verbose_name=_("Organisation")
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="seats",
        verbose_name=_("Person"),
    )
    role = models.CharField(_("Rolle"), max_length=20, choices=SeatRole.choices)
    starts_on = models.DateField(_("Amtszeit ab"))
    ends_on = models.DateField(_("Amtszeit bis"), null=True, blank=True)

    class Meta:
        verbose_name = _("Sitz")
        verbose_name_plural = _("Sitze")
        ordering = ["body", "role", "organisation__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="seat_term_ends_after_start",
                violation_error_message=_("Die Amtszeit kann nicht vor ihrem Beginn enden."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.organisation}"

    @property
    def can_vote(self) -> bool:
        return self.role in VOTING_ROLES

    def is_active_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class ActionField(Timestamped):
    """A field of action (Handlungsfeld) of a phase. The open field keeps other topics possible."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="action_fields", verbose_name=_("Bündnis")
    )
    phase = models.ForeignKey(
        FundingPhase,
        on_delete=models.CASCADE,
        related_name="action_fields",
        verbose_name=_("Förderphase"),
    )
    title = models.CharField(_("Titel"), max_length=200)
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    is_open = models.BooleanField(
        _("thematisch offen"),
        default=False,
        help_text=_("Das ausdrücklich offene Feld für Projekte außerhalb der Themen."),
    )

    class Meta:
        verbose_name = _("Handlungsfeld")
        verbose_name_plural = _("Handlungsfelder")
        ordering = ["phase", "is_open", "position", "title"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "title"], name="action_field_unique_title"),
            models.UniqueConstraint(
                fields=["phase"], condition=Q(is_open=True), name="action_field_one_open_per_phase"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Topic(Timestamped):
    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="topics", verbose_name=_("Bündnis")
    )
    action_field = models.ForeignKey(
        ActionField,
        on_delete=models.CASCADE,
        related_name="topics",
        verbose_name=_("Handlungsfeld"),
    )
    title = models.CharField(_("Thema"), max_length=300)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("Übergeordnetes Thema"),
    )
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)

    class Meta:
        verbose_name = _("Thema")
        verbose_name_plural = _("Themen")
        ordering = ["action_field", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["action_field", "title"], name="topic_unique_title"),
        ]

    def __str__(self) -> str:
        return self.title
