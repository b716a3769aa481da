from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "buendnis.notifications"
    label = "notifications"
    verbose_name = _("Benachrichtigungen")

    def ready(self) -> None:
        # The kinds this app can answer for itself (fields of action are the alliances' records);
        # the apps above register theirs in their own `ready` (funding: projects, meetings: bodies).
        from . import topics

        topics.register_defaults()
