"""The contact form of the public site."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# The honeypot's name looks worth filling to a script; people never see the field.
HONEYPOT = "website"


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Ihr Name"), max_length=200)
    email = forms.EmailField(
        label=_("Ihre E-Mail-Adresse"),
        help_text=_("Die Geschäftsstelle antwortet an diese Adresse."),
        error_messages={"invalid": _("Bitte geben Sie eine gültige E-Mail-Adresse an.")},
    )
    subject = forms.CharField(label=_("Betreff"), max_length=200)
    message = forms.CharField(
        label=_("Ihre Nachricht"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8})
    )
    privacy = forms.BooleanField(
        label=_(
            "Ich bin einverstanden, dass die Geschäftsstelle meine Angaben speichert, um meine "
            "Anfrage zu beantworten."
        ),
        error_messages={
            "required": _("Bitte stimmen Sie der Speicherung Ihrer Angaben zu."),
        },
    )
    # Hidden from people (CSS, aria-hidden, no tab stop); bots fill in whatever they find.
    website = forms.CharField(
        label=_("Bitte leer lassen"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean_subject(self) -> str:
        # A line break in a subject would be a header injection in the office's mail.
        return " ".join(str(self.cleaned_data["subject"]).split())

    @property
    def is_spam(self) -> bool:
        """Only meaningful after `is_valid()`."""
        return bool(self.cleaned_data.get(HONEYPOT))

    def visible_fields_for_people(self) -> list[forms.BoundField]:
        return [field for field in self if field.name != HONEYPOT]
