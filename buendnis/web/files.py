"""Files a page serves instead of HTML: calendars (.ics) and PDFs."""

from __future__ import annotations

from django.http import HttpResponse


def file_response(
    content: bytes, *, content_type: str, filename: str, attachment: bool = False
) -> HttpResponse:
    """`content` under `filename`: shown in the browser (inline), or saved (`attachment`)."""
    response = HttpResponse(content, content_type=content_type)
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
