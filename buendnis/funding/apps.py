from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "buendnis.funding"
    label = "funding"
    verbose_name = _("Förderverfahren")

    def ready(self) -> None:
        # Projects as topics of notifications (`project:<id>`): who may follow one is decided here.
        from . import topics

        topics.register()
