"""Forms of the pages after the grant (grant_views, grant_office_views). They only read and shape
the input; every rule is the service's (`grants.services`), whose German errors land on these
fields through `add_service_errors`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from buendnis.core.forms import DateInput, MoneyField
from buendnis.funding.models import CoFinancing
from buendnis.grants.models import (
    CHARACTERISTICS,
    PaymentRequest,
    ReportKind,
    ReviewOutcome,
    ScheduledReport,
)
from buendnis.grants.services import ReceiptLine

from .applicant_forms import document_field

XLSX_ACCEPT = ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report_label(report: ScheduledReport) -> str:
    return f"{report.get_kind_display()} – {report.due_on:%d.%m.%Y}"


class ReportChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _report_label(cast(ScheduledReport, obj))


class RequestChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        request = cast(PaymentRequest, obj)
        return str(
            _("Mittelabruf %(number)s (%(start)s–%(end)s, %(status)s)")
            % {
                "number": request.number,
                "start": f"{request.period_from:%d.%m.%Y}",
                "end": f"{request.period_to:%d.%m.%Y}",
                "status": request.get_status_display(),
            }
        )


# --- The applicant's side -----------------------------------------------------------------------


class ReportSubmitForm(forms.Form):
    report = ReportChoiceField(label=_("Bericht"), queryset=ScheduledReport.objects.none())
    document = document_field(_("Dokument"))
    costs_to_date = MoneyField(
        label=_("Ausgaben bis zum Stichtag (€)"),
        required=False,
        help_text=_("Beim Verwendungsnachweis: die förderfähigen Gesamtausgaben."),
    )
    summary = forms.CharField(
        label=_("Stand in Kürze"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, reports: Iterable[ScheduledReport], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(ReportChoiceField, self.fields["report"])
        field.queryset = ScheduledReport.objects.filter(pk__in=[report.pk for report in reports])


class PaymentRequestForm(forms.Form):
    period_from = forms.DateField(label=_("Zeitraum von"), widget=DateInput)
    period_to = forms.DateField(label=_("Zeitraum bis"), widget=DateInput)
    eligible_costs = MoneyField(label=_("Förderfähige Ausgaben im Zeitraum (€)"))
    amount = MoneyField(
        label=_("Abgerufener Betrag (€)"),
        required=False,
        help_text=_(
            "Leer lassen, um den Höchstbetrag abzurufen: den Fördersatz der Förderphase von den "
            "förderfähigen Ausgaben."
        ),
    )
    receipts_file = forms.FileField(
        label=_("Belegliste als Excel-Datei (XLSX)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": XLSX_ACCEPT}),
        help_text=_(
            "Statt der Zeilen unten: eine Tabelle mit den Spalten Datum, Empfänger, Zweck und "
            "Betrag in der ersten Zeile."
        ),
    )


class ReceiptForm(forms.Form):
    paid_on = forms.DateField(label=_("Bezahlt am"), widget=DateInput)
    payee = forms.CharField(label=_("Empfänger/in"), max_length=200)
    purpose = forms.CharField(label=_("Zweck"), max_length=300)
    amount = MoneyField(label=_("Betrag (€)"))

    def line(self) -> ReceiptLine | None:
        data = self.cleaned_data
        if not data:
            return None
        return ReceiptLine(
            paid_on=data["paid_on"],
            payee=data["payee"],
            purpose=data["purpose"],
            amount=data["amount"],
        )


class BaseReceiptFormSet(forms.BaseFormSet):
    def lines(self) -> list[ReceiptLine]:
        return [
            line
            for form in self.forms
            if not form.cleaned_data.get("DELETE")
            and (line := cast(ReceiptForm, form).line()) is not None
        ]


ReceiptFormSet = cast(
    type[BaseReceiptFormSet],
    forms.formset_factory(
        ReceiptForm, formset=BaseReceiptFormSet, extra=5, max_num=100, validate_max=True
    ),
)


def breakdown_field_name(characteristic: str, category: str, column: str) -> str:
    return f"b_{characteristic}_{category}_{column}"


COLUMNS: tuple[tuple[str, StrOrPromise], ...] = (
    ("entries", _("Eintritte")),
    ("exits", _("Austritte")),
)


class ParticipantsForm(forms.Form):
    """Totals of a period and, per characteristic, the entries and exits of each category (a
    table of number inputs, empty counts as 0)."""

    period_from = forms.DateField(label=_("Zeitraum von"), widget=DateInput)
    period_to = forms.DateField(label=_("Zeitraum bis"), widget=DateInput)
    entries = forms.IntegerField(label=_("Eintritte insgesamt"), min_value=0)
    exits = forms.IntegerField(label=_("Austritte insgesamt"), min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, (label, categories) in CHARACTERISTICS.items():
            for code, category_label in categories:
                for column, column_label in COLUMNS:
                    self.fields[breakdown_field_name(key, code, column)] = forms.IntegerField(
                        label=f"{label}, {category_label}: {column_label}",
                        min_value=0,
                        required=False,
                        widget=forms.NumberInput(attrs={"min": 0, "class": "count"}),
                    )

    def tables(self) -> list[dict[str, Any]]:
        """Per characteristic: its label and rows of (category label, entries, exits) bound
        fields, for a table with row and column headers."""
        return [
            {
                "key": key,
                "label": label,
                "rows": [
                    (
                        category_label,
                        self[breakdown_field_name(key, code, "entries")],
                        self[breakdown_field_name(key, code, "exits")],
                    )
                    for code, category_label in categories
                ],
            }
            for key, (label, categories) in CHARACTERISTICS.items()
        ]

    def breakdown(self) -> dict[str, dict[str, dict[str, int]]]:
        data = self.cleaned_data
        return {
            key: {
                code: {
                    column: data.get(breakdown_field_name(key, code, column)) or 0
                    for column, _label in COLUMNS
                }
                for code, _category in categories
            }
            for key, (_label, categories) in CHARACTERISTICS.items()
        }


# --- The office's side --------------------------------------------------------------------------


class ScheduleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Art"), choices=ReportKind.choices)
    due_on = forms.DateField(label=_("Fällig am"), widget=DateInput)


class RescheduleForm(forms.Form):
    report = ReportChoiceField(label=_("Bericht"), queryset=ScheduledReport.objects.none())
    due_on = forms.DateField(label=_("Neue Frist"), widget=DateInput)
    reason = forms.CharField(
        label=_("Begründung"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, reports: Iterable[ScheduledReport], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(ReportChoiceField, self.fields["report"])
        field.queryset = ScheduledReport.objects.filter(pk__in=[report.pk for report in reports])


class ReviewForm(forms.Form):
    report = ReportChoiceField(label=_("Bericht"), queryset=ScheduledReport.objects.none())
    outcome = forms.ChoiceField(
        label=_("Ergebnis"), choices=ReviewOutcome.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Begründung (was soll geändert werden?)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, reports: Iterable[ScheduledReport], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(ReportChoiceField, self.fields["report"])
        field.queryset = ScheduledReport.objects.filter(pk__in=[report.pk for report in reports])


class PaymentDecisionForm(forms.Form):
    CHECK, RELEASE, REFUSE = "check", "release", "refuse"

    request = RequestChoiceField(label=_("Mittelabruf"), queryset=PaymentRequest.objects.none())
    decision = forms.ChoiceField(
        label=_("Entscheidung"),
        choices=[
            (CHECK, _("Sachlich geprüft")),
            (RELEASE, _("Freigeben und buchen (nach der Prüfung)")),
            (REFUSE, _("Ablehnen")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Grund der Ablehnung"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, requests: Iterable[PaymentRequest], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(RequestChoiceField, self.fields["request"])
        field.queryset = PaymentRequest.objects.filter(pk__in=[item.pk for item in requests])


class ShareChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(cast(CoFinancing, obj).payer)


class CoFinancingReceivedForm(forms.Form):
    share = ShareChoiceField(label=_("Zugesagter Anteil"), queryset=CoFinancing.objects.none())
    received_on = forms.DateField(
        label=_("Eingegangen am"), widget=DateInput, initial=timezone.localdate
    )
    amount = MoneyField(label=_("Betrag (€)"))

    def __init__(self, *args: Any, shares: Iterable[CoFinancing], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(ShareChoiceField, self.fields["share"])
        field.queryset = CoFinancing.objects.filter(pk__in=[share.pk for share in shares])


class ConcludeForm(forms.Form):
    closed_on = forms.DateField(
        label=_("Abgeschlossen am"), widget=DateInput, initial=timezone.localdate
    )
