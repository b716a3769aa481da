"""What every XLSX the platform writes shares: the German number and date formats, a fixed
metadata time (the file's bytes depend on the data only), and formula-safe text."""

from __future__ import annotations

from datetime import datetime

EURO_FORMAT = '#,##0.00 "€"'
DATE_FORMAT = "DD.MM.YYYY"
PERCENT_FORMAT = "0.00 %"
WORKBOOK_TIME = datetime(2000, 1, 1)  # noqa: DTZ001 - openpyxl stores naive times


def safe_text(value: str) -> str:
    """Spreadsheets run a cell that starts with = + - @ as a formula: quote such text
    (OWASP "CSV injection"). Numbers and dates are written as such and need no quoting."""
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
