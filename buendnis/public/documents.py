"""Uploaded documents are never served as plain static files: each download asks who may see it."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from buendnis.accounts import permissions
from buendnis.alliances.models import CooperationAgreement
from buendnis.funding import permissions as funding_permissions
from buendnis.funding.models import ProjectDocument
from buendnis.meetings import permissions as meeting_permissions
from buendnis.meetings.models import AgendaDocument
from buendnis.renewal import permissions as renewal_permissions
from buendnis.renewal.models import ExtensionApplication

# Where the dossiers of the extension applications are kept (`ExtensionApplication.dossier`).
EXTENSION_DOSSIERS = "alliances/extension/"


@require_safe
@never_cache
def document_download(request: HttpRequest, name: str) -> HttpResponseBase:
    """Serve an uploaded file to those who may read the record it belongs to.

    Agreement documents belong to the alliance's internal circle (and the ministry); a project's
    documents to whoever may see the whole project (`can_view_project`: its applicant and the
    internal circle); the papers of agenda items (under `sitzungen/`) to the internal circle, like
    the agendas they belong to (`can_view_meeting_document`); the dossier an alliance submitted
    with its extension application to those who read its cycle (`can_view_cycle`).
    """
    agreement = (
        CooperationAgreement.objects.select_related("alliance").filter(document=name).first()
    )
    if agreement is not None:
        allowed = permissions.can_view_internal(request.user, agreement.alliance)
        stored = agreement.document
    elif name.startswith(EXTENSION_DOSSIERS):
        application = (
            ExtensionApplication.objects.select_related("alliance").filter(dossier=name).first()
        )
        if application is None:
            raise Http404(_("Dokument nicht gefunden."))
        allowed = renewal_permissions.can_view_cycle(request.user, application.alliance)
        stored = application.dossier
    elif name.startswith("sitzungen/"):
        paper = AgendaDocument.objects.select_related("alliance").filter(file=name).first()
        if paper is None:
            raise Http404(_("Dokument nicht gefunden."))
        allowed = meeting_permissions.can_view_meeting_document(request.user, paper.alliance)
        stored = paper.file
    else:
        document = (
            ProjectDocument.objects.select_related("project__alliance").filter(file=name).first()
        )
        if document is None:
            raise Http404(_("Dokument nicht gefunden."))
        allowed = funding_permissions.can_view_project(request.user, document.project)
        stored = document.file
    if not allowed:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("Dokument nicht gefunden.")) from exc
    return FileResponse(handle, as_attachment=True, filename=name.rsplit("/", 1)[-1])
