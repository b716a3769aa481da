"""The office's upload of an alliance's records (/<slug>/intern/import/)."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from buendnis.onboarding.columns import SHEETS
from buendnis.onboarding.reading import CSV_ENDINGS


def _sheet_choices() -> list[tuple[str, str]]:
    return [("", str(_("Excel-Arbeitsmappe (.xlsx) mit allen Blättern")))] + [
        (sheet.key, str(_("CSV-Datei mit dem Blatt „%(sheet)s“") % {"sheet": sheet.title}))
        for sheet in SHEETS
    ]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Datei"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    sheet = forms.ChoiceField(label=_("Inhalt der Datei"), required=False, choices=_sheet_choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Eine Excel-Arbeitsmappe mit den Blättern der Vorlage oder eine CSV-Datei mit einem "
            "Blatt; höchstens %(limit)s. Geprüft wird der Inhalt, nicht nur die Endung."
        ) % {"limit": filesizeformat(settings.MAX_UPLOAD_BYTES)}
        self.fields["sheet"].help_text = _(
            "Nur bei einer CSV-Datei: welches Blatt der Vorlage sie enthält."
        )

    def clean_file(self) -> Any:
        """Refuse a file too large before it is read into memory (the content is checked by
        the import's reading)."""
        upload = self.cleaned_data["file"]
        limit = settings.MAX_UPLOAD_BYTES
        if upload is not None and upload.size > limit:
            raise forms.ValidationError(
                _("Die Datei ist %(size)s groß; erlaubt sind höchstens %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        is_csv = upload is not None and PurePath(upload.name or "").suffix.lower() in CSV_ENDINGS
        if is_csv and not data.get("sheet"):
            self.add_error("sheet", _("Bitte angeben, welches Blatt die CSV-Datei enthält."))
        return data
