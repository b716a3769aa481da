"""Meetings of the Steuerkreis and the Sprecherkreis, their agendas, attendance, consensus
decisions and minutes, and decisions taken in writing (Umlaufbeschluss)."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from buendnis.alliances.models import Alliance, Body, BodyKind, Organisation, Seat
from buendnis.core.uploads import validate_document
from buendnis.funding.models import BodyOutcome, Project
from buendnis.funding.states import Status


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Geplant")
    INVITED = "invited", _("Eingeladen")
    HELD = "held", _("Durchgeführt")
    MINUTES_APPROVED = "minutes_approved", _("Protokoll genehmigt")
    CANCELLED = "cancelled", _("Abgesagt")


# A meeting's life. Cancelling is possible until it has been held.
MEETING_TRANSITIONS: dict[str, frozenset[str]] = {
    MeetingStatus.PLANNED: frozenset({MeetingStatus.INVITED, MeetingStatus.CANCELLED}),
    MeetingStatus.INVITED: frozenset({MeetingStatus.HELD, MeetingStatus.CANCELLED}),
    MeetingStatus.HELD: frozenset({MeetingStatus.MINUTES_APPROVED}),
    MeetingStatus.MINUTES_APPROVED: frozenset(),
    MeetingStatus.CANCELLED: frozenset(),
}


class Meeting(models.Model):
    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("Bündnis")
    )
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("Gremium")
    )
    title = models.CharField(
        _("Bezeichnung"),
        max_length=200,
        blank=True,
        help_text=_("Leer lassen für „Sitzung des Steuerkreises“ usw."),
    )
    starts_at = models.DateTimeField(_("Beginn"))
    ends_at = models.DateTimeField(_("Ende"), null=True, blank=True)
    location = models.CharField(_("Ort"), max_length=300, blank=True)
    online_url = models.URLField(_("Online-Zugang"), blank=True)
    status = models.CharField(
        _("Stand"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    has_public_part = models.BooleanField(
        _("mit öffentlichem Teil"),
        default=True,
        help_text=_("Öffentliche Sitzungen erscheinen im öffentlichen Kalender des Bündnisses."),
    )
    prepares = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="preparatory_meetings",
        verbose_name=_("bereitet vor"),
        help_text=_(
            "Die Sitzung des Steuerkreises, die diese Sitzung des Sprecherkreises vorbereitet."
        ),
    )
    submission_deadline = models.DateField(
        _("Einreichungsfrist"),
        null=True,
        blank=True,
        help_text=_("Bis zu diesem Tag eingereichte Unterlagen werden für diese Sitzung beraten."),
    )
    # The UID and SEQUENCE of the iCalendar event (RFC 5545): a changed time or place is sent
    # as an update of the same event, not as a second one.
    uid = models.UUIDField(_("Kalender-UID"), default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("Kalender-Version"), default=0, editable=False)
    invited_at = models.DateTimeField(_("Eingeladen am"), null=True, blank=True)
    cancelled_reason = models.TextField(_("Grund der Absage"), blank=True)
    version = models.PositiveIntegerField(_("Bearbeitungsstand"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Angelegt von"),
    )
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Sitzung")
        verbose_name_plural = _("Sitzungen")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["alliance", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
                violation_error_message=_("Eine Sitzung muss nach ihrem Beginn enden."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        day = formats.date_format(timezone.localtime(self.starts_at).date(), "d.m.Y")
        # German needs the genitive: "Sitzung des Steuerkreises", not "des Steuerkreis".
        if self.body.kind == BodyKind.STEERING:
            return str(_("Sitzung des Steuerkreises am %(day)s") % {"day": day})
        if self.body.kind == BodyKind.SPEAKERS:
            return str(_("Sitzung des Sprecherkreises am %(day)s") % {"day": day})
        return str(_("Sitzung des %(body)s am %(day)s") % {"body": self.body.name, "day": day})

    @property
    def is_open_for_decisions(self) -> bool:
        """Attendance and decisions are recorded once the invitation has gone out (on the day or
        afterwards, until the meeting is closed as held)."""
        return self.status in (MeetingStatus.INVITED, MeetingStatus.HELD)


class AgendaItem(models.Model):
    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="+", verbose_name=_("Bündnis")
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="items", verbose_name=_("Sitzung")
    )
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    title = models.CharField(_("Titel"), max_length=300)
    is_public = models.BooleanField(_("öffentlich"), default=True)
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("Vorhaben"),
    )
    # The project's stage when the item was put on the agenda: a decision on a project that has
    # moved on since is refused.
    stage_status = models.CharField(
        _("Verfahrensstand"), max_length=30, choices=Status.choices, blank=True
    )
    proposed_decision = models.TextField(_("Beschlussvorschlag"), blank=True)
    recommendation = models.TextField(_("Empfehlung des Sprecherkreises"), blank=True)
    recommended_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Empfohlen im Tagesordnungspunkt"),
    )
    notes = models.TextField(_("Interne Notizen"), blank=True)
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Tagesordnungspunkt")
        verbose_name_plural = _("Tagesordnungspunkte")
        ordering = ["meeting", "position", "id"]

    def __str__(self) -> str:
        return f"TOP {self.number}: {self.title}"

    @property
    def number(self) -> int:
        return self.position + 1


def agenda_document_path(instance: AgendaDocument, filename: str) -> str:
    return f"sitzungen/{instance.item.meeting_id}/{uuid.uuid4().hex}/{filename}"


class AgendaDocument(models.Model):
    """A paper of an agenda item besides the project's own documents (which are linked)."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="+", verbose_name=_("Bündnis")
    )
    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="documents", verbose_name=_("TOP")
    )
    title = models.CharField(_("Titel"), max_length=200)
    file = models.FileField(
        _("Datei"), upload_to=agenda_document_path, validators=[validate_document]
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Hochgeladen von"),
    )
    created_at = models.DateTimeField(_("Hochgeladen am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Unterlage")
        verbose_name_plural = _("Unterlagen")
        ordering = ["item", "id"]

    def __str__(self) -> str:
        return self.title


class Presence(models.TextChoices):
    REPRESENTATIVE = "representative", _("vertreten durch Vertreter/in")
    DEPUTY = "deputy", _("vertreten durch Stellvertreter/in")
    ABSENT = "absent", _("nicht vertreten")


class Attendance(models.Model):
    """Whether a seat-holding organisation was represented at a meeting, and by whom."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="+", verbose_name=_("Bündnis")
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("Sitzung")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("Organisation")
    )
    seat = models.ForeignKey(
        Seat, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Copied from the seat when recorded: a later change of seats does not rewrite history.
    can_vote = models.BooleanField(_("stimmberechtigt"))
    presence = models.CharField(
        _("Anwesenheit"), max_length=20, choices=Presence.choices, default=Presence.ABSENT
    )
    attendee_name = models.CharField(_("Teilgenommen hat"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Anwesenheit")
        verbose_name_plural = _("Anwesenheiten")
        ordering = ["meeting", "-can_vote", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "organisation"], name="attendance_one_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_presence_display()}"

    @property
    def is_present(self) -> bool:
        return self.presence != Presence.ABSENT


class Guest(models.Model):
    """Someone who took part without a seat (speaks, never votes)."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="+", verbose_name=_("Bündnis")
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="guests", verbose_name=_("Sitzung")
    )
    name = models.CharField(_("Name"), max_length=200)
    affiliation = models.CharField(_("Organisation/Funktion"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Gast")
        verbose_name_plural = _("Gäste")
        ordering = ["meeting", "name"]

    def __str__(self) -> str:
        return self.name


class Recusal(models.Model):
    """An organisation that declared itself biased on an item: it neither votes nor blocks.
    The applicant of a project item is recused without a declaration."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="+", verbose_name=_("Bündnis")
    )
    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="recusals", verbose_name=_("TOP")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("Organisation")
    )
    reason = models.CharField(_("Grund"), max_length=300)

    class Meta:
        verbose_name = _("Befangenheit")
        verbose_name_plural = _("Befangenheiten")
        constraints = [
            models.UniqueConstraint(fields=["item", "organisation"], name="recusal_once_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.reason}"


class DecisionOutcome(models.TextChoices):
    AGREED = "agreed", _("einvernehmlich beschlossen")
    NOT_AGREED = "not_agreed", _("kein Einvernehmen")
    DEFERRED = "deferred", _("vertagt")
    REVISION = "revision", _("zur Überarbeitung zurückgegeben")


class Decision(models.Model):
    """The decision on one agenda item, with who was entitled, present, objecting, abstaining
    and recused at that moment (`snapshot`, written once)."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="+", verbose_name=_("Bündnis")
    )
    item = models.OneToOneField(
        AgendaItem, on_delete=models.CASCADE, related_name="decision", verbose_name=_("TOP")
    )
    outcome = models.CharField(_("Ergebnis"), max_length=20, choices=DecisionOutcome.choices)
    text = models.TextField(_("Beschlusstext"), blank=True)
    snapshot = models.JSONField(_("Abstimmungsstand"), default=dict)
    body_outcome = models.ForeignKey(
        BodyOutcome,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Ergebnis im Verfahren"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Erfasst von"),
    )
    decided_at = models.DateTimeField(_("Beschlossen am"), default=timezone.now)
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Beschluss")
        verbose_name_plural = _("Beschlüsse")
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.item}: {self.get_outcome_display()}"

    def names(self, key: str) -> list[str]:
        return [entry["name"] for entry in self.snapshot.get(key, [])]


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", _("Entwurf")
    APPROVED = "approved", _("Genehmigt")


class Minutes(models.Model):
    """A meeting's minutes: a public part for the public site and a non-public part that never
    leaves the members' area. Approved in a later meeting of the same body."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="+", verbose_name=_("Bündnis")
    )
    meeting = models.OneToOneField(
        Meeting, on_delete=models.CASCADE, related_name="minutes", verbose_name=_("Sitzung")
    )
    public_text = models.TextField(_("Öffentlicher Teil"), blank=True)
    nonpublic_text = models.TextField(_("Nichtöffentlicher Teil"), blank=True)
    status = models.CharField(
        _("Stand"), max_length=20, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    approved_in = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_minutes",
        verbose_name=_("Genehmigt in der Sitzung"),
    )
    approved_at = models.DateTimeField(_("Genehmigt am"), null=True, blank=True)
    version = models.PositiveIntegerField(_("Bearbeitungsstand"), default=1)
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Protokoll")
        verbose_name_plural = _("Protokolle")

    def __str__(self) -> str:
        return str(_("Protokoll: %(meeting)s") % {"meeting": self.meeting})


class CirculationStatus(models.TextChoices):
    OPEN = "open", _("Läuft")
    PASSED = "passed", _("Beschlossen")
    FAILED = "failed", _("Nicht zustande gekommen")
    CANCELLED = "cancelled", _("Zurückgezogen")


class Answer(models.TextChoices):
    AGREE = "agree", _("Zustimmung")
    OBJECT = "object", _("Einwand")
    ABSTAIN = "abstain", _("Enthaltung")


class Circulation(models.Model):
    """A decision in writing (Umlaufbeschluss) of a body, without a meeting."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="circulations", verbose_name=_("Bündnis")
    )
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="circulations", verbose_name=_("Gremium")
    )
    title = models.CharField(_("Betreff"), max_length=300)
    text = models.TextField(_("Beschlussvorschlag"))
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="circulations",
        verbose_name=_("Vorhaben"),
    )
    stage_status = models.CharField(
        _("Verfahrensstand"), max_length=30, choices=Status.choices, blank=True
    )
    deadline = models.DateTimeField(_("Antwort bis"))
    status = models.CharField(
        _("Stand"),
        max_length=20,
        choices=CirculationStatus.choices,
        default=CirculationStatus.OPEN,
    )
    is_public = models.BooleanField(
        _("Ergebnis öffentlich"),
        default=False,
        help_text=_("Das Ergebnis erscheint auf der öffentlichen Seite des Bündnisses."),
    )
    # Fixed when the circulation opens: who is asked, who is recused, whether silence consents.
    silence_is_consent = models.BooleanField(_("Schweigen gilt als Zustimmung"), default=False)
    entitled = models.JSONField(_("Stimmberechtigte"), default=list)
    recused = models.JSONField(_("Befangene"), default=list)
    result = models.JSONField(_("Ergebnis"), default=dict, blank=True)
    body_outcome = models.ForeignKey(
        BodyOutcome,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Ergebnis im Verfahren"),
    )
    reminder_sent_at = models.DateTimeField(_("Erinnerung versandt am"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Eröffnet von"),
    )
    opened_at = models.DateTimeField(_("Eröffnet am"), default=timezone.now)
    closed_at = models.DateTimeField(_("Ausgewertet am"), null=True, blank=True)
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Umlaufbeschluss")
        verbose_name_plural = _("Umlaufbeschlüsse")
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def entitled_ids(self) -> set[int]:
        return {entry["id"] for entry in self.entitled}

    def is_answerable(self, now: Any = None) -> bool:
        return self.status == CirculationStatus.OPEN and (now or timezone.now()) < self.deadline


class CirculationAnswer(models.Model):
    """One organisation's answer; it may change it until the deadline (every change audited)."""

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="+", verbose_name=_("Bündnis")
    )
    circulation = models.ForeignKey(
        Circulation, on_delete=models.CASCADE, related_name="answers", verbose_name=_("Umlauf")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("Organisation")
    )
    answer = models.CharField(_("Antwort"), max_length=20, choices=Answer.choices)
    comment = models.TextField(_("Anmerkung"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Beantwortet von"),
    )
    answered_at = models.DateTimeField(_("Beantwortet am"), default=timezone.now)

    class Meta:
        verbose_name = _("Antwort im Umlauf")
        verbose_name_plural = _("Antworten im Umlauf")
        ordering = ["circulation", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["circulation", "organisation"], name="circulation_one_answer_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_answer_display()}"


class CalendarFeed(models.Model):
    """A member's private calendar address (all meetings of the alliance's bodies). Only the
    hash of the secret is stored, as with API tokens; a new address replaces the old one."""

    # A person's record: the audit trail names it by reference (`core.audit`), never by name.
    audit_by_reference: ClassVar[bool] = True

    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="+", verbose_name=_("Bündnis")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("Benutzer/in"),
    )
    key_hash = models.CharField(_("Prüfsumme"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("Zuletzt abgerufen"), null=True, blank=True)

    class Meta:
        verbose_name = _("Kalenderabo")
        verbose_name_plural = _("Kalenderabos")
        constraints = [
            models.UniqueConstraint(fields=["alliance", "user"], name="calendar_feed_one_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.alliance})"
