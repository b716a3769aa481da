from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "buendnis.meetings"
    label = "meetings"
    verbose_name = _("Sitzungen und Beschlüsse")

    def ready(self) -> None:
        # A body's meetings as a topic of notifications (`body:<id>`): who may follow it is
        # decided here.
        from . import topics

        topics.register()
