"""Documents as PDF: the minutes of a meeting, the Stellungnahme on a project.

WeasyPrint is imported only when a PDF is asked for: the library needs Debian's Pango at import
time, and a server without it still serves every page (the caller shows a German 503 page on
`PdfUnavailable`). Every document's template extends `pdf/document.html`, which links the shared
stylesheet (`STYLESHEET`: A4, the typefaces, the running footer, the letterhead) before the
document's own, read from the document's `assets` folder. The fetcher reads those two places and
refuses every other address, the network above all, so rendering never leaves the server.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

SHARED_ASSETS = (Path(__file__).resolve().parent / "static" / "buendnis" / "pdf").resolve()
STYLESHEET = SHARED_ASSETS / "document.css"


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system libraries it needs are missing on this server."""


def local_fetcher(assets: Path, *, document: str) -> Any:
    """A WeasyPrint URL fetcher that reads files below `assets` and the shared stylesheet's
    folder and refuses everything else; a refused or failed fetch stops the rendering.
    `document` names the document in the refusal ("der Stellungnahme")."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    roots = (assets.resolve(), SHARED_ASSETS)

    class LocalAssets(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme != "file":
                raise ValueError(f"Nur lokale Dateien: {url}")
            path = Path(url2pathname(parts.path)).resolve()
            if not any(path.is_relative_to(root) for root in roots) or not path.is_file():
                raise ValueError(f"Keine Datei {document}: {url}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
            )

    return LocalAssets(fail_on_errors=True)


def render_pdf(template: str, context: dict[str, Any], *, assets: Path, document: str) -> bytes:
    """The template (extending `pdf/document.html`) as PDF bytes; relative addresses in it are
    read from `assets` (see `local_fetcher` for `document`). Raises PdfUnavailable when
    WeasyPrint cannot run here."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango or its friends are not installed
        logger.error("WeasyPrint ist nicht nutzbar: %s", exc)
        raise PdfUnavailable(str(exc)) from exc
    html = render_to_string(template, {**context, "pdf_stylesheet": STYLESHEET.as_uri()})
    source = weasyprint.HTML(
        string=html,
        base_url=assets.resolve().as_uri() + "/",
        url_fetcher=local_fetcher(assets, document=document),
    )
    pdf: bytes = source.write_pdf()
    return pdf
