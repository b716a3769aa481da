from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "buendnis.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        # drf-spectacular finds its extensions by subclass registration: import them once.
        from . import schema  # noqa: F401
