"""The forms of two-factor login: a code (from the app or a recovery code), and turning it off."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_(
            "Der sechsstellige Code aus Ihrer Authenticator-App oder einer Ihrer "
            "Wiederherstellungscodes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )


class SetupConfirmForm(forms.Form):
    code = forms.CharField(
        label=_("Code aus der App"),
        max_length=12,
        help_text=_("Sechs Ziffern; die App zeigt alle 30 Sekunden einen neuen Code."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class DisableForm(forms.Form):
    password = forms.CharField(
        label=_("Passwort"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("Aus der App oder ein Wiederherstellungscode."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )
