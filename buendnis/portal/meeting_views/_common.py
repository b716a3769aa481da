"""Access, rendering and refusals shared by the meeting pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, wraps
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
)
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buendnis.alliances.models import Alliance
from buendnis.core.errors import refusal_status
from buendnis.core.forms import add_service_errors
from buendnis.funding import selectors as funding_selectors
from buendnis.funding.selectors import VoteChanges
from buendnis.meetings import permissions as meeting_permissions
from buendnis.meetings import selectors
from buendnis.meetings.models import (
    AgendaItem,
    Meeting,
)
from buendnis.web.pages import render_alliance_page, signed_in_page

from ..meeting_forms import (
    ServiceForm,
)

SECTION = "meetings"
READ = ["GET", "HEAD"]
WRITE = ["POST"]
FORM = ["GET", "HEAD", "POST"]

MeetingsView = Callable[..., HttpResponseBase]


# --- Access, rendering, refusals -----------------------------------------------------------------


def meetings_view(
    methods: list[str], *, manage: bool = False
) -> Callable[[MeetingsView], MeetingsView]:
    """A page or step of the office's meetings (`web.pages.signed_in_page`): for the internal
    circle (`can_view_meetings`), and only for the office for a POST or a page that only serves
    a step (`manage`). Never cached: non-public items, names, draft minutes."""

    def decorate(view: MeetingsView) -> MeetingsView:
        @signed_in_page(
            methods=methods,
            allowed=meeting_permissions.can_view_meetings,
            refused=gettext_lazy("Kein Zugang zu den Sitzungen dieses Bündnisses."),
            after_login=partial(_after_login, methods=methods),
        )
        @wraps(view)
        def wrapper(request: HttpRequest, alliance: Alliance, **kwargs: Any) -> HttpResponseBase:
            writes = manage or request.method not in ("GET", "HEAD")
            if writes and not meeting_permissions.can_manage_meetings(request.user, alliance):
                raise PermissionDenied(_("Sitzungen und Beschlüsse pflegt die Geschäftsstelle."))
            return view(request, alliance, **kwargs)

        return wrapper

    return decorate


def _after_login(
    request: HttpRequest, slug: str, kwargs: dict[str, Any], *, methods: list[str]
) -> str:
    """Back to the page after the login; after a POST (which cannot be replayed) to the page the
    step came from."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    if "GET" in methods:
        return request.path
    if "pk" in kwargs:
        return reverse("meetings:detail", args=[slug, kwargs["pk"]])
    return reverse("meetings:list", args=[slug])


def render_page(
    request: HttpRequest,
    alliance: Alliance,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    context.setdefault(
        "can_manage", meeting_permissions.can_manage_meetings(request.user, alliance)
    )
    return render_alliance_page(
        request, alliance, f"meetings/office/{template}", SECTION, context, status=status
    )


def attempt(form: ServiceForm, step: Callable[[], object]) -> int | None:
    """Run the step if the form is valid. None when it ran; else the status of the refusal, with
    the German reasons on the form."""
    if not form.is_valid():
        return 400
    try:
        step()
    except ValidationError as error:
        add_service_errors(form, error, field_map=form.service_fields)
        return refusal_status(error)
    return None


def meeting_or_404(
    alliance: Alliance, pk: int, read: Callable[[Alliance, int], Meeting]
) -> Meeting:
    try:
        return read(alliance, pk)
    except Meeting.DoesNotExist as exc:
        raise Http404(_("Sitzung nicht gefunden.")) from exc


def item_or_404(meeting: Meeting, pk: int) -> AgendaItem:
    try:
        return selectors.agenda_item_get(meeting, pk)
    except AgendaItem.DoesNotExist as exc:
        raise Http404(_("Tagesordnungspunkt nicht gefunden.")) from exc


def vote_changes_before(item: AgendaItem) -> list[VoteChanges]:
    """What changed in the item's project since a body's vote, for the body about to decide:
    only while the item is undecided and the project still at its stage (`meeting_detail`
    prefetched the outcomes and co-financing: no query)."""
    project = item.project
    if project is None or getattr(item, "decision", None) is not None:
        return []
    if item.stage_status and project.status != item.stage_status:
        return []
    return funding_selectors.vote_changes(project, body_kind=item.meeting.body.kind)


def detail_url(meeting: Meeting, item: AgendaItem | None = None) -> str:
    url = reverse("meetings:detail", args=[meeting.alliance.slug, meeting.pk])
    return f"{url}#top-{item.pk}" if item is not None else url
