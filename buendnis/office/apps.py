from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficeConfig(AppConfig):
    name = "buendnis.office"
    label = "office"
    verbose_name = _("Geschäftsstelle: Anfragen")

    def ready(self) -> None:
        # A recorded consultation answers the project's consultation request (funding.signals).
        from buendnis.funding import signals

        from . import services

        signals.consultation_recorded.connect(
            services._on_consultation_recorded, dispatch_uid="office.consultation_held"
        )
