"""The export of `selectors.personal_data` as a JSON document (for the person to keep or pass
on) and as display rows for the readable page."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from buendnis.core.templatetags.buendnis_format import day

from .selectors import PersonalData


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bool | int | float) or value is None:
        return value
    return str(value)


def document(data: PersonalData, *, generated_at: datetime) -> dict[str, Any]:
    """JSON-ready: the sections with their rows, nothing else."""
    return {
        "erstellt_am": generated_at.isoformat(),
        "konto": data.account.pk if data.account is not None else None,
        "email": data.email,
        "abschnitte": [
            {
                "art": section.key,
                "titel": section.title,
                "eintraege": [{k: _plain(v) for k, v in row.items()} for row in section.rows],
            }
            for section in data.sections
            if section.rows
        ],
    }


def as_json(data: PersonalData, *, generated_at: datetime) -> bytes:
    return json.dumps(
        document(data, generated_at=generated_at), ensure_ascii=False, indent=2
    ).encode()


def shown(value: Any) -> str:
    """A value as the page shows it: dates as 05.06.2018, yes/no in words, nothing as –."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "d.m.Y H:i")
    if isinstance(value, date):
        return day(value)
    return str(value)
