from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "buendnis.accounts"
    label = "accounts"
    verbose_name = _("Konten")

    def ready(self) -> None:
        # The idle timeout's note at login (a signal receiver).
        from . import idle  # noqa: F401
