from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RenewalConfig(AppConfig):
    name = "buendnis.renewal"
    label = "renewal"
    verbose_name = _("Bündniszyklus: Strategie, Verlängerung, Anerkennung")
