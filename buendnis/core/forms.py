"""Form pieces every app shares."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

# 250.000,00 · 250000,00 · 250000.50 · -12.345,67 · 1.500 (German thousands). A dot followed by
# exactly three digits groups thousands; a dot or comma followed by one or two digits at the end
# marks the cents (so `1234.5` pasted from a spreadsheet reads right). Anything else — `1,500.00`,
# `12,345`, `1.5.0` — is ambiguous and refused rather than guessed.
_AMOUNT = re.compile(r"^([+-]?)(\d{1,3}(?:\.\d{3})+|\d+)(?:[,.](\d{1,2}))?$")
_SWAP_SEPARATORS = str.maketrans(",.", ".,")


def parse_amount(text: str) -> Decimal:
    """An amount in euro as people type it, in the active language's notation. Decimal, never float."""
    cleaned = re.sub(r"[\s\u00a0€]", "", text).replace("\u2212", "-")
    if not (get_language() or "de").lower().startswith("de"):
        cleaned = cleaned.translate(_SWAP_SEPARATORS)  # 12,500.00 → the German shape
    match = _AMOUNT.match(cleaned)
    if match is None:
        raise ValidationError(
            _("Bitte einen Betrag in Euro angeben, z. B. 12.500,00 (negativ: -12.345,67)."),
            code="invalid",
        )
    sign, whole, cents = match.groups()
    value = Decimal(f"{whole.replace('.', '')}.{(cents or '0').ljust(2, '0')}")
    return -value if sign == "-" else value


class DateInput(forms.DateInput):
    """The browser's date picker: it sends and shows ISO dates, which every language's input
    formats read (typed German dates too, config/formats/de)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    """The browser's time picker (hours and minutes)."""

    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


class MoneyInput(forms.TextInput):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Decimal):
            return formats.number_format(value, decimal_pos=2, use_l10n=True)
        return super().format_value(value)


class MoneyField(forms.Field):
    """An amount in euro, typed the way people write it."""

    widget = MoneyInput

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        return parse_amount(str(value))


def add_service_errors(
    form: forms.BaseForm,
    error: ValidationError,
    *,
    field_map: Mapping[str, str] | None = None,
    labels: Mapping[str, Any] | None = None,
) -> None:
    """Put a service's German messages on the form that called it: a message about a field on
    that field (or on the one `field_map` names, where the form calls it differently), the rest
    above the form. Services name model fields freely, and Django refuses `add_error` for a
    name the form does not have; where `labels` knows such a field, its label goes in front, so
    the message still says what it is about."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        target = (field_map or {}).get(name, name)
        for item in errors:
            if target != NON_FIELD_ERRORS and target in form.fields:
                form.add_error(target, item)
            elif labels and name != NON_FIELD_ERRORS and name in labels:
                for message in item.messages:
                    form.add_error(None, f"{labels[name]}: {message}")
            else:
                form.add_error(None, item)
