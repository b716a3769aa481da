"""A meeting's minutes as PDF for the internal circle: both parts, the public and the non-public.

Rendered by `core.pdf` like the Stellungnahme; the minutes' stylesheet is read from this app's
folder, every other address is refused.
"""

from __future__ import annotations

from pathlib import Path

from django.utils import timezone

from buendnis.core.pdf import render_pdf

from .models import Meeting, Minutes

ASSETS = (Path(__file__).resolve().parent / "static" / "meetings" / "pdf").resolve()


def render_minutes_pdf(meeting: Meeting, minutes: Minutes) -> bytes:
    """The minutes (both parts) as PDF bytes. Raises core.pdf.PdfUnavailable when WeasyPrint
    cannot run here."""
    context = {
        "meeting": meeting,
        "minutes": minutes,
        "alliance": meeting.alliance,
        "issued_at": timezone.now(),
    }
    return render_pdf(
        "meetings/minutes_pdf.html", context, assets=ASSETS, document="des Protokolls"
    )
