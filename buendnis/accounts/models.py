from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PlatformRole(models.TextChoices):
    """Roles that span every alliance of the deployment."""

    NONE = "", _("keine")
    MINISTRY = "ministry", _("Ministerium (nur lesend, alle Bündnisse)")
    ADMIN = "admin", _("Plattform-Administration")


class Role(models.TextChoices):
    """Roles a user holds inside one alliance."""

    OFFICE = "office", _("Geschäftsstelle")
    SPEAKER = "speaker", _("Sprecherkreis")
    STEERING = "steering", _("Steuerkreis-Mitglied")
    ADVISORY = "advisory", _("Beratendes Mitglied")
    APPLICANT = "applicant", _("Antragsteller/in")


class User(AbstractUser):
    # A person's record: the audit trail names it by reference (`core.audit`), never by name.
    audit_by_reference: ClassVar[bool] = True

    email = models.EmailField(_("E-Mail-Adresse"), blank=True)
    platform_role = models.CharField(
        _("Plattformrolle"),
        max_length=20,
        choices=PlatformRole.choices,
        default=PlatformRole.NONE,
        blank=True,
    )
    is_demo = models.BooleanField(
        _("Demo-Zugang"),
        default=False,
        help_text=_("Öffentlich bekannte Demo-Zugänge werden in der Produktion abgewiesen."),
    )
    # Not a field: the user's roles by alliance id, read once per request (`permissions.roles_in`).
    _buendnis_roles: dict[int, frozenset[str]]

    class Meta:
        verbose_name = _("Benutzer/in")
        verbose_name_plural = _("Benutzer/innen")

    def __str__(self) -> str:
        full = self.get_full_name()
        return full or self.username


class Membership(models.Model):
    """A user's role in one alliance. A user may belong to several alliances and hold several roles."""

    # A person's record: the audit trail names it by reference (`core.audit`), never by name.
    audit_by_reference: ClassVar[bool] = True

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("Benutzer/in")
    )
    alliance = models.ForeignKey(
        "alliances.Alliance",
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("Bündnis"),
    )
    role = models.CharField(_("Rolle"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        "alliances.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("Organisation"),
    )

    class Meta:
        verbose_name = _("Rolle im Bündnis")
        verbose_name_plural = _("Rollen im Bündnis")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "alliance", "role"], name="membership_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} ({self.alliance})"


class ApiToken(models.Model):
    """A key for scripts (`Authorization: Bearer …`), acting as its user.

    Only the SHA-256 of the secret is stored: the secret is shown once, when the token is made
    (`manage.py create_api_token`), and cannot be read back. `prefix` finds the row and names the
    token in lists. A token is never deleted, only revoked, so its use stays traceable.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("Benutzer/in")
    )
    name = models.CharField(
        _("Bezeichnung"), max_length=100, help_text=_("Wofür, z. B. „Statistik-Export“.")
    )
    prefix = models.CharField(_("Kennung"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(_("Prüfsumme"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("zuletzt benutzt"), null=True, blank=True, editable=False)
    # New tokens get an expiry (settings.BUENDNIS_API_TOKEN_DAYS) unless one is given; empty only
    # on tokens made before that rule.
    expires_at = models.DateTimeField(_("gültig bis"), null=True, blank=True)
    # Reads only: GET, HEAD and OPTIONS; every write is refused (403). Older rows: False.
    read_only = models.BooleanField(
        _("nur lesen"),
        default=False,
        db_default=False,
        help_text=_("Der Schlüssel darf nur lesen, nichts ändern."),
    )
    revoked_at = models.DateTimeField(_("widerrufen am"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API-Schlüssel")
        verbose_name_plural = pgettext_lazy("plural", "API-Schlüssel")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
