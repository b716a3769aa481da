"""Checks for uploaded documents: the type is read from the content, not trusted from the name."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

# Leading bytes of each accepted kind, with the file endings that may carry it.
_SIGNATURES: list[tuple[bytes, frozenset[str], str]] = [
    (b"%PDF-", frozenset({".pdf"}), "PDF"),
    (b"PK\x03\x04", frozenset({".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"}), "Office"),
    (b"\x89PNG\r\n\x1a\n", frozenset({".png"}), "PNG"),
    (b"\xff\xd8\xff", frozenset({".jpg", ".jpeg"}), "JPEG"),
]
ACCEPTED_ENDINGS = sorted(ending for _sig, endings, _kind in _SIGNATURES for ending in endings)


@deconstructible
class DocumentValidator:
    """Accepts PDF, Office/OpenDocument files and images up to settings.MAX_UPLOAD_BYTES."""

    def __call__(self, upload: Any) -> None:
        if not upload:
            return
        # Only new uploads are checked; a stored file was checked when it came in.
        if getattr(upload, "_committed", False):
            return
        limit = settings.MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise ValidationError(
                _("Die Datei ist %(size)s groß; erlaubt sind höchstens %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
                code="file_too_large",
            )
        ending = PurePath(upload.name or "").suffix.lower()
        position = upload.tell() if hasattr(upload, "tell") else 0
        upload.seek(0)
        head = upload.read(16)
        upload.seek(position)
        for signature, endings, _kind in _SIGNATURES:
            if head.startswith(signature) and ending in endings:
                return
        raise ValidationError(
            _(
                "Die Datei „%(name)s“ ist kein erlaubtes Dokument. Erlaubt sind PDF, Office- und "
                "OpenDocument-Dateien sowie PNG- und JPEG-Bilder (%(endings)s); geprüft wird der "
                "Inhalt, nicht nur die Endung."
            )
            % {"name": PurePath(upload.name or "").name, "endings": ", ".join(ACCEPTED_ENDINGS)},
            code="file_type",
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DocumentValidator)

    def __hash__(self) -> int:
        return hash(type(self))


validate_document = DocumentValidator()
