"""Bringing an alliance onto the platform (/<slug>/intern/import/…), for its office and platform
admins: upload a workbook (or a sheet as CSV), see what it would create and change and every
problem by sheet, row and column, then import it all at once (`onboarding.services`); the
template and the export in the same columns.

Between the preview and the import the uploaded file waits in the default storage under a random
name that only the session knows, with its SHA-256: the import reads it from there and checks
it, never from a form field, and plans it again against the alliance as it is then. A new upload,
the import and „Verwerfen“ delete it; files nobody came back for are deleted a day later by the
next upload.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buendnis.alliances.models import Alliance
from buendnis.onboarding import permissions
from buendnis.onboarding.columns import SHEETS_BY_KEY
from buendnis.onboarding.exports import XLSX_CONTENT_TYPE, export_workbook, template_workbook
from buendnis.onboarding.reading import Unreadable, read
from buendnis.onboarding.services import Outcome, import_file
from buendnis.web.files import file_response
from buendnis.web.pages import render_alliance_page, signed_in_page, signed_in_user

from .import_forms import UploadForm

SECTION = "import"
SESSION_KEY = "onboarding_uploads"
PENDING_FOLDER = "onboarding"
PENDING_DAYS = 1
FORM_METHODS = ["GET", "HEAD", "POST"]
IMPORT_REFUSED = gettext_lazy("Daten eines Bündnisses übernimmt seine Geschäftsstelle.")

page = signed_in_page(methods=FORM_METHODS, allowed=permissions.can_import, refused=IMPORT_REFUSED)
read_page = signed_in_page(allowed=permissions.can_import, refused=IMPORT_REFUSED)
post_page = signed_in_page(
    methods=["POST"],
    allowed=permissions.can_import,
    refused=IMPORT_REFUSED,
    # After the login a POST cannot be replayed: back to the preview.
    after_login=lambda request, slug, kwargs: reverse("onboarding:preview", args=[slug]),
)


# --- The uploaded file between preview and import ----------------------------------------------


@dataclass(frozen=True)
class Pending:
    filename: str
    sheet: str
    digest: str
    content: bytes


def _uploads(request: HttpRequest) -> dict[str, dict[str, str]]:
    stored = request.session.get(SESSION_KEY)
    return dict(stored) if isinstance(stored, dict) else {}


def _pending(request: HttpRequest, alliance: Alliance) -> Pending | None:
    entry = _uploads(request).get(str(alliance.pk))
    if not entry:
        return None
    try:
        with default_storage.open(entry["name"], "rb") as handle:
            content = handle.read()
    except (OSError, KeyError):
        return None
    digest = hashlib.sha256(content).hexdigest()
    if not secrets.compare_digest(digest, entry.get("sha256", "")):
        return None
    return Pending(entry.get("filename", ""), entry.get("sheet", ""), digest, content)


def _discard(request: HttpRequest, alliance: Alliance) -> None:
    uploads = _uploads(request)
    entry = uploads.pop(str(alliance.pk), None)
    if entry is not None:
        default_storage.delete(entry["name"])
        request.session[SESSION_KEY] = uploads


def _sweep() -> None:
    """Delete waiting files older than PENDING_DAYS (their sessions never came back)."""
    cutoff = timezone.now() - timedelta(days=PENDING_DAYS)
    try:
        _folders, files = default_storage.listdir(PENDING_FOLDER)
        for name in files:
            path = f"{PENDING_FOLDER}/{name}"
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
    except (OSError, NotImplementedError):
        return


def _keep(
    request: HttpRequest, alliance: Alliance, content: bytes, filename: str, sheet: str
) -> None:
    _discard(request, alliance)
    _sweep()
    name = default_storage.save(
        f"{PENDING_FOLDER}/{secrets.token_hex(20)}.upload", ContentFile(content)
    )
    uploads = _uploads(request)
    uploads[str(alliance.pk)] = {
        "name": name,
        "filename": PurePath(filename).name[:200],
        "sheet": sheet,
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    request.session[SESSION_KEY] = uploads


# --- Pages -------------------------------------------------------------------------------------


def _page(
    request: HttpRequest,
    alliance: Alliance,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    return render_alliance_page(
        request, alliance, f"portal/onboarding/{template}", SECTION, context, status=status
    )


@page
def upload(request: HttpRequest, alliance: Alliance) -> HttpResponseBase:
    """The upload form with the template and the export; a readable file waits for the preview."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        sheet_key = form.cleaned_data["sheet"] or ""
        content = uploaded.read()
        try:
            read(content, uploaded.name or "", sheet=SHEETS_BY_KEY.get(sheet_key))
        except Unreadable as error:
            form.add_error("file", error.message)
        else:
            _keep(request, alliance, content, uploaded.name or "", sheet_key)
            return redirect("onboarding:preview", alliance.slug)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "pending": _pending(request, alliance)}
    return _page(request, alliance, "upload.html", context, status=status)


def _render_preview(
    request: HttpRequest,
    alliance: Alliance,
    pending: Pending,
    outcome: Outcome,
    *,
    status: int = 200,
) -> HttpResponse:
    sheet = SHEETS_BY_KEY.get(pending.sheet)
    context = {
        "pending": pending,
        "sheet": sheet,
        "plan": outcome.plan,
        "problems": outcome.problems,
    }
    return _page(request, alliance, "preview.html", context, status=status)


@read_page
def preview(request: HttpRequest, alliance: Alliance) -> HttpResponseBase:
    """What the waiting file would create, change and leave; every problem. Writes nothing."""
    pending = _pending(request, alliance)
    if pending is None:
        messages.info(request, _("Bitte zuerst eine Datei hochladen."))
        return redirect("onboarding:upload", alliance.slug)
    outcome = import_file(
        alliance=alliance,
        content=pending.content,
        filename=pending.filename,
        actor=signed_in_user(request),
        sheet=SHEETS_BY_KEY.get(pending.sheet),
        dry_run=True,
    )
    return _render_preview(request, alliance, pending, outcome)


@post_page
def confirm(request: HttpRequest, alliance: Alliance) -> HttpResponseBase:
    """„Jetzt importieren“: the waiting file, checked against what the preview showed (its
    digest), planned again and written all at once — or not at all."""
    pending = _pending(request, alliance)
    if pending is None:
        messages.error(
            request,
            _("Die hochgeladene Datei liegt nicht mehr vor; bitte laden Sie sie erneut hoch."),
        )
        return redirect("onboarding:upload", alliance.slug)
    if not secrets.compare_digest(request.POST.get("digest", ""), pending.digest):
        messages.error(
            request,
            _(
                "Inzwischen wurde eine andere Datei hochgeladen. Bitte prüfen Sie deren Vorschau; "
                "es wurde nichts importiert."
            ),
        )
        return redirect("onboarding:preview", alliance.slug)
    outcome = import_file(
        alliance=alliance,
        content=pending.content,
        filename=pending.filename,
        actor=signed_in_user(request),
        sheet=SHEETS_BY_KEY.get(pending.sheet),
    )
    if outcome.problems:
        return _render_preview(request, alliance, pending, outcome, status=400)
    _discard(request, alliance)
    if outcome.imported:
        counts = outcome.plan.counts()
        created = sum(entry["created"] for entry in counts.values())
        changed = sum(entry["changed"] for entry in counts.values())
        messages.success(
            request,
            _("„%(file)s“ ist übernommen: %(created)s Einträge neu angelegt, %(changed)s geändert.")
            % {"file": pending.filename, "created": created, "changed": changed},
        )
    else:
        messages.info(
            request,
            _("„%(file)s“ entspricht dem Stand des Bündnisses; es wurde nichts geändert.")
            % {"file": pending.filename},
        )
    return redirect("onboarding:upload", alliance.slug)


@post_page
def discard(request: HttpRequest, alliance: Alliance) -> HttpResponseBase:
    _discard(request, alliance)
    messages.info(request, _("Die hochgeladene Datei ist verworfen; es wurde nichts importiert."))
    return redirect("onboarding:upload", alliance.slug)


@read_page
def template(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    return file_response(
        template_workbook(),
        content_type=XLSX_CONTENT_TYPE,
        filename="vorlage-import.xlsx",
        attachment=True,
    )


@read_page
def export(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    """The alliance's records in the import's columns: imported again, nothing changes."""
    return file_response(
        export_workbook(alliance),
        content_type=XLSX_CONTENT_TYPE,
        filename=f"{alliance.slug}-daten.xlsx",
        attachment=True,
    )
