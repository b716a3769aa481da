"""The office's inbox: every inquiry to the Geschäftsstelle, wherever it came from, with its
thread of messages, internal notes, and the alliance's own settings and reply templates.

Personal data of the person who asked sits in named fields (`asker_*`, a message's `author_*` and
`body`, a note's `body`), so that `services.inquiry_erase` knows exactly what to blank. Nothing
that names the person goes into `__str__`: audit rows copy it, and the audit trail cannot be
erased.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .rules import Status

__all__ = [
    "Channel",
    "Delivery",
    "Direction",
    "Inquiry",
    "InquiryCategory",
    "InquiryMessage",
    "InquiryNote",
    "OfficeSettings",
    "ReplyTemplate",
    "Source",
    "Status",
]

# Defaults of an alliance that has not saved its settings yet.
DEFAULT_RESPONSE_DAYS = 5
DEFAULT_RETENTION_DAYS = 180


class OfficeSettings(models.Model):
    """How the alliance's office works its inbox. A row of the office app, not fields of the
    alliance: the alliances app knows nothing of inquiries (the layering of README)."""

    alliance = models.OneToOneField(
        "alliances.Alliance",
        on_delete=models.CASCADE,
        related_name="office_settings",
        verbose_name=_("Bündnis"),
    )
    response_days = models.PositiveSmallIntegerField(
        _("Antwortziel (Arbeitstage)"),
        default=DEFAULT_RESPONSE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Eine neue Anfrage ist so viele Arbeitstage (Mo–Fr) nach Eingang fällig."),
    )
    retention_days = models.PositiveIntegerField(
        _("Aufbewahrung erledigter öffentlicher Anfragen (Tage)"),
        default=DEFAULT_RETENTION_DAYS,
        validators=[MinValueValidator(30), MaxValueValidator(3650)],
        help_text=_(
            "So viele Tage nach dem Erledigen werden Name, Kontaktdaten und Texte von Anfragen "
            "über das Kontaktformular, Telefon, Brief und E-Mail gelöscht. Die Statistik bleibt."
        ),
    )

    class Meta:
        verbose_name = _("Einstellungen der Geschäftsstelle")
        verbose_name_plural = _("Einstellungen der Geschäftsstelle")

    def __str__(self) -> str:
        return str(_("Einstellungen der Geschäftsstelle"))


class InquiryCategory(models.Model):
    """What an inquiry is about. Per alliance, kept in the admin: alliances are asked different
    things (funding, events, press, membership …) and the office names them without a release."""

    alliance = models.ForeignKey(
        "alliances.Alliance",
        on_delete=models.CASCADE,
        related_name="inquiry_categories",
        verbose_name=_("Bündnis"),
    )
    name = models.CharField(_("Name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    is_active = models.BooleanField(
        _("in Gebrauch"),
        default=True,
        help_text=_("Nicht mehr gebrauchte Kategorien bleiben an alten Anfragen stehen."),
    )

    class Meta:
        verbose_name = _("Kategorie von Anfragen")
        verbose_name_plural = _("Kategorien von Anfragen")
        ordering = ["alliance", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "name"], name="inquiry_category_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Source(models.TextChoices):
    CONTACT_FORM = "contact_form", _("Kontaktformular")
    CONSULTATION = "consultation", _("Beratungsanfrage")
    MEMBER = "member", _("Frage aus dem Bündnis")
    PHONE = "phone", _("Telefon")
    LETTER = "letter", _("Brief")
    EMAIL = "email", _("E-Mail")


# Inquiries of people outside the platform: their personal data is erased after the retention
# period. Members and applicants asked with their account; their inquiries are the alliance's
# record of its own work.
PUBLIC_SOURCES = frozenset({Source.CONTACT_FORM, Source.PHONE, Source.LETTER, Source.EMAIL})
# What the office records by hand.
RECORDED_SOURCES = (Source.PHONE, Source.LETTER, Source.EMAIL)


class Inquiry(models.Model):
    alliance = models.ForeignKey(
        "alliances.Alliance",
        on_delete=models.CASCADE,
        related_name="inquiries",
        verbose_name=_("Bündnis"),
    )
    source = models.CharField(_("Eingang über"), max_length=20, choices=Source.choices)
    category = models.ForeignKey(
        InquiryCategory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inquiries",
        verbose_name=_("Kategorie"),
    )
    subject = models.CharField(_("Betreff"), max_length=200)
    # Personal data of the person who asked (erased after the retention period where public).
    asker_name = models.CharField(_("Name"), max_length=200, blank=True)
    asker_email = models.EmailField(_("E-Mail-Adresse"), blank=True)
    asker_phone = models.CharField(_("Telefon"), max_length=50, blank=True)
    asker_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inquiries_asked",
        verbose_name=_("Konto der anfragenden Person"),
    )
    organisation = models.ForeignKey(
        "alliances.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inquiries",
        verbose_name=_("Organisation"),
    )
    project = models.ForeignKey(
        "funding.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inquiries",
        verbose_name=_("Vorhaben"),
    )
    # By name only: the idea pool sits above the inbox (it asks for consultations).
    idea = models.ForeignKey(
        "ideas.Idea",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inquiries",
        verbose_name=_("Idee"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_inquiries",
        verbose_name=_("Zuständig"),
    )
    status = models.CharField(_("Stand"), max_length=20, choices=Status.choices, default=Status.NEW)
    due_on = models.DateField(_("Fällig am"))
    # Not auto_now_add: the migration of the old contact messages keeps their time of arrival.
    created_at = models.DateTimeField(_("Eingegangen am"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Erfasst von"),
    )
    first_answered_at = models.DateTimeField(_("Erste Antwort am"), null=True, blank=True)
    closed_at = models.DateTimeField(_("Erledigt am"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Erledigt von"),
    )
    erased_at = models.DateTimeField(_("Personendaten gelöscht am"), null=True, blank=True)
    # Raised by every change of the office's form: a second form sent from a stale page is
    # refused instead of overwriting what someone else set meanwhile.
    version = models.PositiveIntegerField(_("Version"), default=1)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Anfrage")
        verbose_name_plural = _("Anfragen")
        ordering = ["due_on", "created_at", "id"]
        indexes = [
            # The inbox and the desk: open ones of an alliance, by due date.
            models.Index(fields=["alliance", "status", "due_on"], name="inquiry_inbox"),
            # The response times of the last 90 days.
            models.Index(fields=["alliance", "created_at"], name="inquiry_created"),
            # A person's inquiries (the export) and the open consultation of a project.
            models.Index(fields=["alliance", "asker_email"], name="inquiry_asker"),
            models.Index(fields=["project", "source", "status"], name="inquiry_project"),
        ]
        # On PostgreSQL the table also has the search's column `search_vector`, kept by a trigger,
        # with the GIN index `inquiry_search` (migration 0004; core.db.search_vector_column).

    def __str__(self) -> str:
        # A number only: the subject may name the person, and audit rows copy this.
        return f"Anfrage #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status != Status.DONE

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class Direction(models.TextChoices):
    IN = "in", _("eingegangen")
    OUT = "out", _("Antwort")


class Channel(models.TextChoices):
    WEB = "web", _("Kontaktformular")
    PORTAL = "portal", _("Bündnisportal")
    EMAIL = "email", _("E-Mail")
    PHONE = "phone", _("Telefon")
    LETTER = "letter", _("Brief")


class Delivery(models.TextChoices):
    """What became of an answer sent by mail (empty for everything else)."""

    NONE = "", _("–")
    PENDING = "pending", _("wird gesendet")
    SENT = "sent", _("gesendet")
    FAILED = "failed", _("nicht gesendet")


class InquiryMessage(models.Model):
    """One message of an inquiry's thread: what the person asked, and what the office answered."""

    inquiry = models.ForeignKey(
        Inquiry, on_delete=models.CASCADE, related_name="messages", verbose_name=_("Anfrage")
    )
    direction = models.CharField(_("Richtung"), max_length=3, choices=Direction.choices)
    channel = models.CharField(_("Weg"), max_length=10, choices=Channel.choices)
    # An account that wrote it (the office's answer, a member's or applicant's question) …
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Verfasst von"),
    )
    # … or the person outside, as their mail named them (erasable).
    author_name = models.CharField(_("Name"), max_length=200, blank=True)
    author_email = models.EmailField(_("E-Mail-Adresse"), blank=True)
    body = models.TextField(_("Text"), blank=True)
    attachment_note = models.TextField(_("Nicht übernommene Anhänge"), blank=True)
    sent_at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)
    # RFC 5322 threading: our own answers' ids, and the ids of mails that came in.
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=255, blank=True)
    references = models.TextField(_("References"), blank=True)
    delivery = models.CharField(
        _("Versand"), max_length=10, choices=Delivery.choices, default=Delivery.NONE, blank=True
    )

    class Meta:
        verbose_name = _("Nachricht zu einer Anfrage")
        verbose_name_plural = _("Nachrichten zu Anfragen")
        ordering = ["sent_at", "id"]
        constraints = [
            # A mail is stored once, however often the mailbox is read.
            models.UniqueConstraint(
                fields=["message_id"],
                condition=~Q(message_id=""),
                name="inquiry_message_unique_message_id",
            ),
        ]
        # On PostgreSQL the table also has the search's column `search_vector`, kept by a trigger,
        # with the GIN index `inquiry_message_search` (migration 0004).
        indexes = [models.Index(fields=["inquiry", "sent_at"], name="inquiry_thread")]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.inquiry_id}"


class InquiryNote(models.Model):
    """An internal note of the office; never sent, never shown to the person who asked."""

    inquiry = models.ForeignKey(
        Inquiry, on_delete=models.CASCADE, related_name="notes", verbose_name=_("Anfrage")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Verfasst von"),
    )
    body = models.TextField(_("Notiz"), max_length=5000)
    created_at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)

    class Meta:
        verbose_name = _("Interne Notiz")
        verbose_name_plural = _("Interne Notizen")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{_('Notiz')} {self.inquiry_id}"


class ReplyTemplate(models.Model):
    """A text the office starts an answer from. Placeholders like {name} are filled by
    `rules.fill_placeholders`, never by a template engine."""

    alliance = models.ForeignKey(
        "alliances.Alliance",
        on_delete=models.CASCADE,
        related_name="reply_templates",
        verbose_name=_("Bündnis"),
    )
    name = models.CharField(_("Name"), max_length=100)
    body = models.TextField(
        _("Text"),
        max_length=5000,
        help_text=_(
            "Platzhalter: {name}, {betreff}, {anfrage}, {buendnis}, {geschaeftsstelle}, "
            "{bearbeiter}."
        ),
    )
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    is_active = models.BooleanField(_("in Gebrauch"), default=True)

    class Meta:
        verbose_name = _("Antwortvorlage")
        verbose_name_plural = _("Antwortvorlagen")
        ordering = ["alliance", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["alliance", "name"], name="reply_template_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name
