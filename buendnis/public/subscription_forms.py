"""The public's subscription form: an address and what to receive."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from buendnis.notifications.models import PublicTopic

from .forms import HONEYPOT


class PublicSubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("Ihre E-Mail-Adresse"),
        max_length=254,
        error_messages={
            "required": _("Bitte geben Sie Ihre E-Mail-Adresse an."),
            "invalid": _("Bitte geben Sie eine gültige E-Mail-Adresse an."),
        },
    )
    topics = forms.MultipleChoiceField(
        label=_("Was möchten Sie erhalten?"),
        choices=PublicTopic.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Bitte wählen Sie mindestens ein Thema."),
            "invalid_choice": _("Bitte wählen Sie nur die angebotenen Themen."),
        },
    )
    # Hidden from people (CSS, aria-hidden, no tab stop), as on the contact form.
    website = forms.CharField(
        label=_("Bitte leer lassen"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    @property
    def is_spam(self) -> bool:
        """Only meaningful after `is_valid()`."""
        return bool(self.cleaned_data.get(HONEYPOT))
