from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "buendnis.grants"
    label = "grants"
    verbose_name = _("Nach der Bewilligung: Berichte, Mittelabrufe, Teilnehmende")
