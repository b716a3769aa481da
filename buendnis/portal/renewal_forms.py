"""Forms of the alliance's own cycle. Field names are the services' keyword names, so a service's
German error about a field lands on that field (`core.forms.add_service_errors`)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from buendnis.alliances.models import Organisation
from buendnis.core.forms import DateInput, MoneyField
from buendnis.core.uploads import validate_document
from buendnis.meetings.models import Circulation, Decision
from buendnis.renewal.models import RecognitionOutcome

RATE_HELP = _("In Prozent, z. B. 50 oder 70.")


class RateField(forms.DecimalField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 5)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0.01"))
        kwargs.setdefault("max_value", Decimal("100"))
        kwargs.setdefault("help_text", RATE_HELP)
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)


class PhaseForm(forms.Form):
    """The next phase as the office applies for it."""

    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("z. B. 2027–2030"))
    starts_on = forms.DateField(label=_("Beginn"), widget=DateInput)
    ends_on = forms.DateField(label=_("Ende"), widget=DateInput)
    virtual_budget = MoneyField(label=_("Beantragtes virtuelles Budget (€)"))
    funding_rate = RateField(label=_("Fördersatz (%)"))
    project_end_cutoff = forms.DateField(
        label=_("Spätestes Projektende"),
        required=False,
        widget=DateInput,
        help_text=_("Falls Projekte über das Phasenende hinaus laufen dürfen: bis wann."),
    )
    signature_deadline = forms.DateField(
        label=_("Unterschriften erbeten bis"), required=False, widget=DateInput
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends <= starts:
            self.add_error("ends_on", _("Das Ende der Förderphase muss nach ihrem Beginn liegen."))
        budget = data.get("virtual_budget")
        if budget is not None and budget < 0:
            self.add_error("virtual_budget", _("Das virtuelle Budget darf nicht negativ sein."))
        return data


class StrategyForm(forms.Form):
    analysis = forms.CharField(
        label=_("Analyse der Region"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    review = forms.CharField(
        label=_("Rückblick auf die vorige Förderphase"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    fields_intro = forms.CharField(
        label=_("Handlungsfelder und Themen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Einleitung zu den Handlungsfeldern; die Felder und Themen selbst stehen darunter "
            "und werden vom Steuerkreis beschlossen."
        ),
    )
    working_methods = forms.CharField(
        label=_("Arbeitsweise des Bündnisses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    change_note = forms.CharField(label=_("Was sich geändert hat"), required=False, max_length=300)


class ActionFieldForm(forms.Form):
    title = forms.CharField(label=_("Neues Handlungsfeld"), max_length=200)


class TopicForm(forms.Form):
    action_field = forms.TypedChoiceField(label=_("Handlungsfeld"), coerce=int)
    title = forms.CharField(label=_("Neues Thema"), max_length=300)

    def __init__(self, *args: Any, fields: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["action_field"]).choices = [
            (item.pk, item.title) for item in fields
        ]


class AdoptForm(forms.Form):
    """The Steuerkreis' decision that adopted the fields: from a meeting or in writing."""

    source = forms.ChoiceField(label=_("Beschluss"), required=True)

    def __init__(
        self,
        *args: Any,
        decisions: Sequence[Decision],
        circulations: Sequence[Circulation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.records: dict[str, Decision | Circulation] = {}
        choices: list[tuple[str, str]] = [("", "–")]
        for decision in decisions:
            key = f"d{decision.pk}"
            self.records[key] = decision
            choices.append(
                (
                    key,
                    _("Sitzung vom %(day)s, TOP %(number)s: %(title)s")
                    % {
                        "day": formats.date_format(
                            timezone.localtime(decision.item.meeting.starts_at),
                            "SHORT_DATE_FORMAT",
                        ),
                        "number": decision.item.number,
                        "title": decision.item.title,
                    },
                )
            )
        for circulation in circulations:
            key = f"c{circulation.pk}"
            self.records[key] = circulation
            choices.append((key, _("Umlaufbeschluss: %(title)s") % {"title": circulation.title}))
        cast(forms.ChoiceField, self.fields["source"]).choices = choices

    def chosen(self) -> dict[str, Any]:
        record = self.records.get(self.cleaned_data["source"])
        if isinstance(record, Decision):
            return {"decision": record}
        return {"circulation": record}


class AskForm(forms.Form):
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisationen"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    asked_on = forms.DateField(label=_("Angefragt am"), widget=DateInput)
    due_on = forms.DateField(label=_("Rückmeldung erbeten bis"), required=False, widget=DateInput)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["organisations"]).queryset = organisations


class PendingForm(forms.Form):
    decision_body = forms.CharField(
        label=_("Beschließendes Gremium"), max_length=200, help_text=_("z. B. Rat, Vorstand")
    )
    reference = forms.CharField(
        label=_("Beschlussvorlage/Drucksache"), max_length=100, required=False
    )
    decision_date = forms.DateField(
        label=_("Beschluss vom (geplant)"), required=False, widget=DateInput
    )
    note = forms.CharField(
        label=_("Vermerk"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("Unterzeichnet am"), widget=DateInput)
    document = forms.FileField(
        label=_("Unterzeichnete Vereinbarung"),
        required=False,
        validators=[validate_document],
        help_text=_("PDF, Office-Dokument oder Bild (PNG, JPEG)."),
    )
    decision_body = forms.CharField(
        label=_("Beschließendes Gremium"), max_length=200, required=False
    )
    reference = forms.CharField(
        label=_("Beschlussvorlage/Drucksache"), max_length=100, required=False
    )
    decision_date = forms.DateField(label=_("Beschluss vom"), required=False, widget=DateInput)


class DeclineForm(forms.Form):
    declined_on = forms.DateField(label=_("Abgelehnt am"), widget=DateInput)
    note = forms.CharField(
        label=_("Begründung"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SubmitForm(forms.Form):
    cover_note = forms.CharField(
        label=_("Anschreiben an das Ministerium"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Entscheidung"), choices=RecognitionOutcome.choices, widget=forms.RadioSelect
    )
    decided_on = forms.DateField(label=_("Entschieden am"), widget=DateInput)
    reference = forms.CharField(label=_("Aktenzeichen"), max_length=100, required=False)
    virtual_budget = MoneyField(label=_("Zugewiesenes virtuelles Budget (€)"), required=False)
    funding_rate = RateField(label=_("Zugewiesener Fördersatz (%)"), required=False)
    carry_over = MoneyField(
        label=_("Übertrag aus der vorigen Phase (€)"),
        required=False,
        help_text=_(
            "Nicht verbrauchtes Budget der vorigen Phase, soweit das Ministerium es überträgt."
        ),
    )
    conditions = forms.CharField(
        label=_("Auflagen"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = forms.CharField(
        label=_("Begründung"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Pflicht, wenn Änderungen erbeten werden oder die Anerkennung abgelehnt wird."),
    )
