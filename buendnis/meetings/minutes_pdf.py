"""A meeting's minutes as PDF for the internal circle: both parts, the public and the non-public.

Rendered by WeasyPrint like the Stellungnahme (imported only when a PDF is asked for: the library
needs Debian's Pango at import time). The stylesheet is read from this app's folder; every other
address, the network above all, is refused.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.template.loader import render_to_string
from django.utils import timezone

from .models import Meeting, Minutes

logger = logging.getLogger(__name__)

ASSETS = (Path(__file__).resolve().parent / "static" / "meetings" / "pdf").resolve()


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs are missing on this server."""


def _local_fetcher() -> Any:
    """A WeasyPrint URL fetcher that reads files below ASSETS and refuses everything else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalAssets(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme != "file":
                raise ValueError(f"Nur lokale Dateien: {url}")
            path = Path(url2pathname(parts.path)).resolve()
            if not path.is_relative_to(ASSETS) or not path.is_file():
                raise ValueError(f"Keine Datei des Protokolls: {url}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
            )

    return LocalAssets(fail_on_errors=True)


def render_minutes_pdf(meeting: Meeting, minutes: Minutes) -> bytes:
    """The minutes (both parts) as PDF bytes. Raises PdfUnavailable when WeasyPrint cannot run."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango or its friends are not installed
        logger.error("WeasyPrint ist nicht nutzbar: %s", exc)
        raise PdfUnavailable(str(exc)) from exc
    html = render_to_string(
        "meetings/minutes_pdf.html",
        {
            "meeting": meeting,
            "minutes": minutes,
            "alliance": meeting.alliance,
            "issued_at": timezone.now(),
        },
    )
    document = weasyprint.HTML(
        string=html, base_url=ASSETS.as_uri() + "/", url_fetcher=_local_fetcher()
    )
    pdf: bytes = document.write_pdf()
    return pdf
