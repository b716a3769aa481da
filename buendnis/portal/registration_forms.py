"""The registration form: who, which alliance, which organisation (a listed one or a new name)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from buendnis.alliances.models import Alliance, Organisation


class RegistrationForm(forms.Form):
    first_name = forms.CharField(
        label=_("Vorname"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Nachname"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("E-Mail-Adresse"),
        max_length=150,
        help_text=_(
            "Mit dieser Adresse melden Sie sich später an; an sie geht der Bestätigungslink."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Passwort"),
        strip=False,
        help_text=_(
            "Mindestens 10 Zeichen, nicht nur Ziffern und nicht zu ähnlich zu Ihrem Namen."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Passwort wiederholen"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    alliance = forms.ModelChoiceField(
        queryset=Alliance.objects.none(),
        label=_("Fachkräftebündnis"),
        empty_label=_("– bitte wählen –"),
    )
    organisation = forms.TypedChoiceField(
        label=_("Ihre Organisation"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Die Organisation, für die Sie Vorhaben einreichen (Projektträger)."),
    )
    new_organisation = forms.CharField(
        label=_("oder: Ihre Organisation ist nicht aufgeführt"),
        required=False,
        max_length=200,
        help_text=_("Den vollständigen Namen eintragen; die Organisation wird dann neu angelegt."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )

    def __init__(self, *args: Any, alliance: Alliance | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fixed_alliance = alliance
        alliances = cast(forms.ModelChoiceField, self.fields["alliance"])
        alliances.queryset = Alliance.objects.filter(is_active=True).order_by("name")
        organisations = Organisation.objects.filter(alliance__is_active=True).select_related(
            "alliance"
        )
        if alliance is not None:
            # The alliance came with the link: only its organisations, no choice to get wrong.
            self.fields["alliance"].widget = forms.HiddenInput()
            self.initial["alliance"] = alliance.pk
            organisations = organisations.filter(alliance=alliance)
        choices: list[Any] = [("", _("– bitte wählen –"))]
        if alliance is not None:
            choices += [(org.pk, org.name) for org in organisations.order_by("name")]
        else:
            grouped: dict[str, list[tuple[int, str]]] = {}
            for org in organisations.order_by("alliance__name", "name"):
                grouped.setdefault(org.alliance.name, []).append((org.pk, org.name))
            choices += list(grouped.items())
        cast(forms.TypedChoiceField, self.fields["organisation"]).choices = choices

    def clean(self) -> dict[str, Any]:
        cleaned = cast(dict[str, Any], super().clean())
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Die beiden Passwörter stimmen nicht überein."))
        organisation_id = cleaned.get("organisation")
        new_name = (cleaned.get("new_organisation") or "").strip()
        alliance = cleaned.get("alliance")
        if organisation_id and new_name:
            self.add_error(
                "new_organisation",
                _(
                    "Bitte entweder eine Organisation wählen oder eine neue eintragen, nicht beides."
                ),
            )
        elif not organisation_id and not new_name and "organisation" not in self.errors:
            self.add_error(
                "organisation",
                _("Bitte Ihre Organisation wählen oder, wenn sie fehlt, unten neu eintragen."),
            )
        cleaned["organisation_object"] = None
        if organisation_id and alliance is not None:
            organisation = Organisation.objects.filter(pk=organisation_id).first()
            if organisation is None or organisation.alliance_id != alliance.pk:
                self.add_error(
                    "organisation",
                    _("Diese Organisation gehört nicht zum gewählten Bündnis %(alliance)s.")
                    % {"alliance": alliance.name},
                )
            else:
                cleaned["organisation_object"] = organisation
        return cleaned
