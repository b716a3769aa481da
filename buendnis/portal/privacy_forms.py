"""Forms of /<slug>/intern/datenschutz/…: whose data (a username or an e-mail address) and, for
an erasure, why."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PersonForm(forms.Form):
    person = forms.CharField(
        label=_("Benutzername oder E-Mail-Adresse"),
        max_length=254,
        help_text=_(
            "Ein Benutzername findet den Zugang; eine E-Mail-Adresse ohne Zugang findet die "
            "Einträge von Personen ohne Anmeldung (Ansprechpersonen, Anfragen, Abonnements)."
        ),
    )


class EraseForm(PersonForm):
    reason = forms.CharField(
        label=_("Grund der Löschung"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Steht im Protokoll, z. B. „Verlangen vom 05.06.2025 (Art. 17 DSGVO)“."),
    )
