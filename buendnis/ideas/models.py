"""The partners' idea pool: project ideas before they enter the funding procedure, the office's
links between overlapping ones, and each text's encoding for finding similar ideas and projects.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from buendnis.core.models import Timestamped


class IdeaStatus(models.TextChoices):
    OPEN = "open", _("offen")
    IN_TALKS = "in_talks", _("im Gespräch")
    MERGED = "merged", _("zusammengeführt")
    PROJECT = "project", _("Vorhaben geworden")
    WITHDRAWN = "withdrawn", _("zurückgezogen")


# Ideas that take part in matching and may still change; the others are history.
ACTIVE_STATUSES = (IdeaStatus.OPEN, IdeaStatus.IN_TALKS)

# The fields an author sets (forms, API, services: one list).
IDEA_EDITABLE_FIELDS: tuple[str, ...] = (
    "title",
    "text",
    "aim",
    "target_group",
    "action_field",
    "districts",
    "partners_sought",
    "organisation",
    "contact_name",
    "contact_email",
    "contact_phone",
    "wanted_public",
    "wanted_text",
)


class Idea(Timestamped):
    """A partner's project idea. Visible to the alliance's internal circle and to its authors;
    the short "Partner gesucht" text goes public only when the author asks for it."""

    alliance = models.ForeignKey(
        "alliances.Alliance",
        on_delete=models.CASCADE,
        related_name="ideas",
        verbose_name=_("Bündnis"),
    )
    title = models.CharField(_("Titel"), max_length=200)
    text = models.TextField(_("Beschreibung"), max_length=8000)
    aim = models.CharField(
        _("Ziel"),
        max_length=500,
        blank=True,
        help_text=_("Was soll sich ändern? z. B. „Langzeitarbeitslose in Arbeit bringen“"),
    )
    target_group = models.CharField(
        _("Zielgruppe"),
        max_length=500,
        blank=True,
        help_text=_("Für wen? z. B. „Menschen, die seit mehr als einem Jahr arbeitslos sind“"),
    )
    action_field = models.ForeignKey(
        "alliances.ActionField",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("Handlungsfeld"),
    )
    topics = models.ManyToManyField(
        "alliances.Topic", blank=True, related_name="ideas", verbose_name=_("Themen")
    )
    districts = models.CharField(
        _("Landkreise und Städte"),
        max_length=300,
        blank=True,
        help_text=_("z. B. „Landkreis Wolfenbüttel, Stadt Salzgitter“"),
    )
    partners_sought = models.TextField(
        _("Gesuchte Partner"),
        max_length=2000,
        blank=True,
        help_text=_("Wen suchen Sie für die Umsetzung? z. B. Betriebe, Bildungsträger, Kammern"),
    )
    organisation = models.ForeignKey(
        "alliances.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("Organisation"),
    )
    contact_name = models.CharField(_("Ansprechperson"), max_length=200, blank=True)
    contact_email = models.EmailField(_("E-Mail der Ansprechperson"), blank=True)
    contact_phone = models.CharField(_("Telefon der Ansprechperson"), max_length=50, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("Eingestellt von"),
    )
    # Kept when ideas are merged: everyone who brought one of them in.
    co_authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="co_authored_ideas",
        verbose_name=_("Mitautorinnen und Mitautoren"),
    )
    status = models.CharField(
        _("Stand"),
        max_length=20,
        choices=IdeaStatus.choices,
        default=IdeaStatus.OPEN,
        db_index=True,
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_ideas",
        verbose_name=_("Zusammengeführt in"),
    )
    project = models.ForeignKey(
        "funding.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("Daraus entstandenes Vorhaben"),
    )
    wanted_public = models.BooleanField(
        _("„Partner gesucht“ öffentlich zeigen"),
        default=False,
        help_text=_(
            "Ein kurzer Eintrag auf der öffentlichen Seite des Bündnisses: Titel, Kurztext, "
            "Handlungsfeld und Landkreise der Idee."
        ),
    )
    wanted_text = models.CharField(
        _("Öffentlicher Kurztext"),
        max_length=500,
        blank=True,
        help_text=_("Erscheint öffentlich; ohne Namen und Kontaktdaten von Personen."),
    )
    # Optimistic lock for forms, as on projects.
    version = models.PositiveIntegerField(_("Version"), default=1)

    class Meta:
        verbose_name = _("Projektidee")
        verbose_name_plural = _("Projektideen")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["alliance", "status", "-created_at"], name="idea_pool_list"),
            models.Index(fields=["alliance", "updated_at"], name="idea_changed"),
        ]
        # On PostgreSQL the table also has the search's column `search_vector`, kept by a trigger,
        # with the GIN index `idea_search` (migration 0002; core.db.search_vector_column).
        constraints = [
            models.CheckConstraint(
                condition=~Q(wanted_public=True) | ~Q(wanted_text=""),
                name="idea_public_wanted_has_text",
                violation_error_message=_(
                    "Für den öffentlichen Eintrag „Partner gesucht“ fehlt der Kurztext."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class IdeaLink(models.Model):
    """The office's note that two ideas (or an idea and a project) overlap; `brought_together_at`
    says when their authors were introduced to each other by mail."""

    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.CASCADE, related_name="+", verbose_name=_("Bündnis")
    )
    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, related_name="links", verbose_name=_("Idee")
    )
    other_idea = models.ForeignKey(
        Idea,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="linked_from",
        verbose_name=_("Verwandte Idee"),
    )
    project = models.ForeignKey(
        "funding.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="idea_links",
        verbose_name=_("Verwandtes Vorhaben"),
    )
    note = models.CharField(_("Vermerk"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Verknüpft von"),
    )
    created_at = models.DateTimeField(_("verknüpft am"), auto_now_add=True)
    brought_together_at = models.DateTimeField(
        _("Autorinnen und Autoren zusammengebracht am"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("Verknüpfung")
        verbose_name_plural = _("Verknüpfungen")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(other_idea__isnull=False) & Q(project__isnull=True))
                | (Q(other_idea__isnull=True) & Q(project__isnull=False)),
                name="idea_link_one_target",
            ),
            models.CheckConstraint(
                condition=~Q(idea=models.F("other_idea")), name="idea_link_not_itself"
            ),
            models.UniqueConstraint(fields=["idea", "other_idea"], name="idea_link_unique_idea"),
            models.UniqueConstraint(fields=["idea", "project"], name="idea_link_unique_project"),
        ]

    def __str__(self) -> str:
        return f"{self.idea} ↔ {self.other_idea or self.project}"


class Overlap(models.Model):
    """A similar idea or project found when an idea was saved: a hint on the office's desk until
    the office links the two (`IdeaLink`) or sets the hint aside (`settled_at`)."""

    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.CASCADE, related_name="+", verbose_name=_("Bündnis")
    )
    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, related_name="overlaps", verbose_name=_("Idee")
    )
    other_idea = models.ForeignKey(
        Idea,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Ähnliche Idee"),
    )
    project = models.ForeignKey(
        "funding.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Ähnliches Vorhaben"),
    )
    score = models.FloatField(_("Ähnlichkeit"))
    reasons = models.JSONField(_("Gründe"), default=list)
    found_at = models.DateTimeField(_("gefunden am"), auto_now_add=True)
    settled_at = models.DateTimeField(_("erledigt am"), null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Erledigt von"),
    )

    class Meta:
        verbose_name = _("Überschneidung")
        verbose_name_plural = _("Überschneidungen")
        ordering = ["found_at", "id"]
        indexes = [
            # The desk: the open hints of an alliance, oldest first.
            models.Index(fields=["alliance", "settled_at", "found_at"], name="overlap_desk"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(other_idea__isnull=False) & Q(project__isnull=True))
                | (Q(other_idea__isnull=True) & Q(project__isnull=False)),
                name="overlap_one_target",
            ),
            models.UniqueConstraint(fields=["idea", "other_idea"], name="overlap_unique_idea"),
            models.UniqueConstraint(fields=["idea", "project"], name="overlap_unique_project"),
        ]

    def __str__(self) -> str:
        return f"{self.idea} ~ {self.other_idea or self.project}"


class Encoding(models.Model):
    """A text's encoding for the similarity search (`ideas.similarity`), kept beside the data so
    that nothing is encoded per request. One per idea or per project; `version` names the
    encoder that made it, so a new encoder re-encodes (`manage.py ideas_encode`)."""

    alliance = models.ForeignKey(
        "alliances.Alliance", on_delete=models.CASCADE, related_name="+", verbose_name=_("Bündnis")
    )
    idea = models.OneToOneField(
        Idea, on_delete=models.CASCADE, null=True, blank=True, related_name="encoding"
    )
    project = models.OneToOneField(
        "funding.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="idea_encoding",
    )
    version = models.CharField(_("Kodierer"), max_length=40)
    data = models.BinaryField(_("Kodierung"))
    # The source's `updated_at` when it was encoded: a later change means encode again.
    source_updated_at = models.DateTimeField(_("Stand der Quelle"))
    encoded_at = models.DateTimeField(_("kodiert am"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("Kodierung")
        verbose_name_plural = _("Kodierungen")
        indexes = [models.Index(fields=["alliance", "encoded_at"], name="encoding_changed")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(idea__isnull=False) & Q(project__isnull=True))
                | (Q(idea__isnull=True) & Q(project__isnull=False)),
                name="encoding_one_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.idea or self.project} ({self.version})"
