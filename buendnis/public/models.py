"""What the public site stores itself: messages sent through the contact form."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactMessage(models.Model):
    """A message to the alliance's office from its contact page. Read by the internal circle,
    marked handled by the office; the sender's address is never shown on a public page."""

    alliance = models.ForeignKey(
        "alliances.Alliance",
        on_delete=models.CASCADE,
        related_name="contact_messages",
        verbose_name=_("Bündnis"),
    )
    name = models.CharField(_("Name"), max_length=200)
    email = models.EmailField(_("E-Mail-Adresse"))
    subject = models.CharField(_("Betreff"), max_length=200)
    message = models.TextField(_("Nachricht"), max_length=5000)
    created_at = models.DateTimeField(_("Eingegangen am"), auto_now_add=True)
    handled = models.BooleanField(_("erledigt"), default=False)
    handled_at = models.DateTimeField(_("Erledigt am"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Erledigt von"),
    )

    class Meta:
        verbose_name = _("Kontaktanfrage")
        verbose_name_plural = _("Kontaktanfragen")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The office's list: open ones first, newest first, per alliance.
            models.Index(fields=["alliance", "handled", "-created_at"], name="contact_office_list"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.name})"
