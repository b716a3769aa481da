from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from buendnis.accounts import services


class LoginForm(AuthenticationForm):
    """Django's login, plus: the public demo logins do not open a production system."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Benutzername oder Passwort ist falsch. Beide Felder unterscheiden Groß- und Kleinschreibung."
        ),
        "demo_refused": _("Demo-Zugänge sind auf diesem System gesperrt."),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if getattr(user, "is_demo", False) and not settings.BUENDNIS_ALLOW_DEMO_LOGINS:
            raise ValidationError(self.error_messages["demo_refused"], code="demo_refused")


class PasswordResetSetForm(SetPasswordForm):
    """The new password after a reset by mail, set through the service (checked and audited).

    The account acts itself: the link in its mail proved who it is.
    """

    def save(self, commit: bool = True) -> Any:
        return services.user_set_password(
            actor=self.user, user=self.user, password=self.cleaned_data["new_password1"]
        )
