"""Members' subscriptions, their notifications and how they want them delivered; the public's
e-mail subscriptions."""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buendnis.alliances.models import Alliance

from .topics import MAX_LENGTH


class Delivery(models.TextChoices):
    """How a member hears of their notifications besides the notification centre."""

    EVENT = "event", _("Eine E-Mail zu jeder Benachrichtigung")
    DIGEST = "digest", _("Eine tägliche Zusammenfassung per E-Mail")
    IN_APP = "in_app", _("Keine E-Mail, nur im Bündnisportal")


DEFAULT_DELIVERY = Delivery.DIGEST


class Subscription(models.Model):
    """A member follows a topic of an alliance (`topics`: the keys and who may follow them)."""

    # A person's record: the audit trail names it by reference (`core.audit`), never by name.
    audit_by_reference: ClassVar[bool] = True

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="subscriptions",
        verbose_name=_("Konto"),
    )
    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="+", verbose_name=_("Bündnis")
    )
    topic = models.CharField(_("Thema"), max_length=MAX_LENGTH)
    created_at = models.DateTimeField(_("Abonniert am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Abonnement")
        verbose_name_plural = _("Abonnements")
        ordering = ["alliance", "topic"]
        constraints = [
            # `ideas:all` is the same key in every alliance: the alliance is part of it.
            models.UniqueConstraint(
                fields=["user", "alliance", "topic"], name="subscription_once_per_topic"
            )
        ]
        indexes = [
            # The fan-out: every subscriber of a topic.
            models.Index(fields=["alliance", "topic"], name="subscription_fanout"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.topic}"


class Notification(models.Model):
    """One thing a member was told about, in their notification centre (and mail)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("Empfänger/in"),
    )
    alliance = models.ForeignKey(
        Alliance, on_delete=models.CASCADE, related_name="+", verbose_name=_("Bündnis")
    )
    topic = models.CharField(_("Thema"), max_length=MAX_LENGTH)
    kind = models.CharField(_("Art"), max_length=60)
    title = models.CharField(_("Titel"), max_length=300)
    text = models.TextField(_("Text"), blank=True)
    # A path on this site (`/son/intern/sitzungen/4/`); mail makes it absolute.
    link = models.CharField(_("Verweis"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)
    read_at = models.DateTimeField(_("Gelesen am"), null=True, blank=True)
    mailed_at = models.DateTimeField(_("Gemailt am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Benachrichtigung")
        verbose_name_plural = _("Benachrichtigungen")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The centre: one member's notifications of an alliance, newest first.
            models.Index(
                fields=["recipient", "alliance", "-created_at"], name="notification_centre"
            ),
            # The header's unread count: only unread rows are in the index.
            models.Index(
                fields=["recipient", "alliance"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
            # The daily digest: what has not been mailed yet, by time.
            models.Index(
                fields=["created_at"],
                condition=Q(mailed_at__isnull=True),
                name="notification_unmailed",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """A member's choice of delivery; without a row, `DEFAULT_DELIVERY` (the daily digest)."""

    # A person's record: the audit trail names it by reference (`core.audit`), never by name.
    audit_by_reference: ClassVar[bool] = True

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_preference",
        verbose_name=_("Konto"),
    )
    delivery = models.CharField(
        _("Zustellung"), max_length=10, choices=Delivery.choices, default=DEFAULT_DELIVERY
    )
    updated_at = models.DateTimeField(_("Geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Benachrichtigungseinstellung")
        verbose_name_plural = _("Benachrichtigungseinstellungen")

    def __str__(self) -> str:
        return f"{self.user}: {self.get_delivery_display()}"


class PublicTopic(models.TextChoices):
    """What the public subscribes to by e-mail (and reads as Atom feeds)."""

    MEETINGS = (
        "meetings",
        _("Öffentliche Sitzungen (Einladung mit Tagesordnung, Absage, Protokoll)"),
    )
    PROJECTS = "projects", _("Neu geförderte Projekte (von der Förderbank bewilligt)")


def new_secret() -> str:
    return secrets.token_urlsafe(16)


class PublicSubscription(models.Model):
    """An e-mail address that asked for an alliance's news. Unconfirmed until its owner clicked
    the link of the confirmation mail; nothing is sent before. Unsubscribing deletes the row:
    the address is kept nowhere else (the audit trail records that it subscribed and left)."""

    # A person's record: the audit trail names it by reference (`core.audit`), never by name.
    audit_by_reference: ClassVar[bool] = True

    alliance = models.ForeignKey(
        Alliance,
        on_delete=models.CASCADE,
        related_name="public_subscriptions",
        verbose_name=_("Bündnis"),
    )
    email = models.EmailField(_("E-Mail-Adresse"))
    meetings = models.BooleanField(_("Öffentliche Sitzungen"), default=False)
    projects = models.BooleanField(_("Neu geförderte Projekte"), default=False)
    confirmed_at = models.DateTimeField(_("Bestätigt am"), null=True, blank=True)
    # Part of every link in its mails (`tokens`): a link of a deleted and renewed subscription
    # does not act on the new one.
    secret = models.CharField(_("Schlüssel"), max_length=32, default=new_secret, editable=False)
    created_at = models.DateTimeField(_("Angemeldet am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Öffentliches Abonnement")
        verbose_name_plural = _("Öffentliche Abonnements")
        ordering = ["alliance", "email"]
        constraints = [
            models.UniqueConstraint(fields=["alliance", "email"], name="public_subscription_once")
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def topics(self) -> list[str]:
        return [topic for topic in PublicTopic.values if getattr(self, topic)]
