"""The OParl 1.1 API (/oparl/v1/): the alliances' meetings and papers as open data, read-only.

Addresses (a contract with outside clients; see urls.py):

    system                                 System
    body                                   list of Bodies (one per active alliance)
    body/<slug>                            Body
    body/<slug>/<list>                     organization, person, meeting, paper, membership,
                                           agendaitem, consultation, file, legislativeterm
    organization/body-<id>, org-<id>       a body (Gremium) / an organisation
    person|membership|meeting|agendaitem|consultation|legislativeterm/<id>
    paper/sketch-<id>, paper/description-<id>     the two papers of project <id>
    file/minutes-<id>, file/minutes-<id>/download  public part of approved minutes

Design:

- Public data only, the same for everyone: the views read no session and no user.
- Lists: `{"data", "pagination", "links"}`; `limit` (default 50, at most 200) and `page`;
  `links.next` is missing on the last page. Filters `created_since`, `created_until`,
  `modified_since`, `modified_until` (date-time with offset) on every list; a bad value answers
  400 with an OParl error object. With `modified_since`, papers and consultations of projects that
  left the public (withdrawn or declined after the Votum) appear as `deleted: true`; their
  addresses answer the same.
- Every answer is `application/json; charset=utf-8` with `Access-Control-Allow-Origin: *`;
  unknown addresses and objects answer 404 with an OParl error object, writes 405.
- The number of queries per list is fixed (count and page per source, plus its prefetches).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from buendnis.alliances import selectors as alliance_selectors
from buendnis.alliances.models import Alliance
from buendnis.funding import permissions as funding_permissions

from . import selectors, serializers
from .links import Links, type_url
from .serializers import Context, Obj

CONTENT_TYPE = "application/json; charset=utf-8"
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
FILTERS = ("created_since", "created_until", "modified_since", "modified_until")
# yyyy-mm-ddThh:mm[:ss[.ffffff]] with Z or ±hh:mm: the offset is required.
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$")

View = Callable[..., HttpResponseBase]


class OparlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def respond(data: Obj, status: int = 200) -> JsonResponse:
    return JsonResponse(
        data, status=status, content_type=CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
    )


def error(status: int, message: str) -> JsonResponse:
    return respond({"type": type_url("Error"), "message": message}, status=status)


def endpoint(view: View) -> View:
    """German answers, errors as OParl error objects, CORS for every answer, GET/HEAD only."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with translation.override("de"):
            response: HttpResponseBase
            if request.method == "OPTIONS":
                response = HttpResponse(status=204)
                response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
                response["Allow"] = "GET, HEAD, OPTIONS"
            elif request.method not in ("GET", "HEAD"):
                response = error(405, _("Die OParl-Schnittstelle kann nur gelesen werden."))
                response["Allow"] = "GET, HEAD, OPTIONS"
            else:
                try:
                    response = view(request, *args, **kwargs)
                except OparlError as exc:
                    response = error(exc.status, exc.message)
                except Http404 as exc:
                    response = error(404, str(exc) or _("Das Objekt gibt es nicht."))
        response["Access-Control-Allow-Origin"] = "*"
        return response

    # Nothing here changes state or reads a session: a CSRF check would only turn the 405
    # for writes into an HTML 403.
    return csrf_exempt(wrapper)


# --- Query parameters ------------------------------------------------------------------------------


def _when(name: str, raw: str) -> datetime:
    value = raw.strip()
    # An unencoded "+" in a query string arrives as a space: "…T10:00:00 02:00".
    if re.search(r"\d \d{2}:\d{2}$", value):
        value = f"{value[:-6]}+{value[-5:]}"
    message = _(
        "Der Filter „%(name)s“ erwartet Datum und Uhrzeit mit Zeitzone, "
        "z. B. 2024-05-23T10:00:00+02:00."
    ) % {"name": name}
    if not DATE_TIME.match(value):
        raise OparlError(400, message)
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise OparlError(400, message) from exc


def _positive(request: HttpRequest, name: str, default: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses (a 500).
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise OparlError(
            400,
            _("„%(name)s“ muss eine ganze Zahl größer als 0 sein.") % {"name": name},
        )
    return int(raw)


@dataclass(frozen=True)
class Query:
    filters: dict[str, datetime]
    limit: int
    page: int

    @classmethod
    def parse(cls, request: HttpRequest) -> Query:
        filters = {name: _when(name, request.GET[name]) for name in FILTERS if name in request.GET}
        limit = min(_positive(request, "limit", DEFAULT_LIMIT), MAX_LIMIT)
        return cls(filters=filters, limit=limit, page=_positive(request, "page", 1))

    @property
    def with_deleted(self) -> bool:
        """Deleted objects are listed for clients that ask what changed since."""
        return "modified_since" in self.filters

    def apply(self, rows: QuerySet[Any]) -> QuerySet[Any]:
        lookups = {
            "created_since": "oparl_created__gte",
            "created_until": "oparl_created__lte",
            "modified_since": "oparl_modified__gte",
            "modified_until": "oparl_modified__lte",
        }
        return rows.filter(**{lookups[name]: value for name, value in self.filters.items()})


# --- Lists -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Rows of one queryset, each rendered as `per_row` OParl objects (a project: two papers)."""

    rows: QuerySet[Any]
    render: Callable[[list[Any]], list[Obj]]
    per_row: int = 1


def _page_url(request: HttpRequest, query: Query, page: int) -> str:
    params = {name: request.GET[name] for name in FILTERS if name in request.GET}
    if "limit" in request.GET:
        params["limit"] = str(query.limit)
    params["page"] = str(page)
    return f"{request.build_absolute_uri(request.path)}?{urlencode(params)}"


def paged(request: HttpRequest, query: Query, sources: list[Source]) -> JsonResponse:
    """One page across the sources, in order. Queries: a count per source, then the rows of the
    sources this page touches (with their prefetches)."""
    filtered = [Source(query.apply(s.rows), s.render, s.per_row) for s in sources]
    counts = [source.rows.count() * source.per_row for source in filtered]
    total = sum(counts)
    pages = max(1, math.ceil(total / query.limit))
    if query.page > pages:
        raise OparlError(404, _("Diese Seite der Liste gibt es nicht."))
    start = (query.page - 1) * query.limit
    data: list[Obj] = []
    for source, count in zip(filtered, counts, strict=True):
        if start >= count:
            start -= count
            continue
        need = query.limit - len(data)
        if need <= 0:
            break
        first = start // source.per_row
        last = math.ceil(min(start + need, count) / source.per_row)
        objects = source.render(list(source.rows[first:last]))
        skip = start - first * source.per_row
        data.extend(objects[skip : skip + need])
        start = 0
    links = {
        "first": _page_url(request, query, 1),
        "last": _page_url(request, query, pages),
    }
    if query.page > 1:
        links["prev"] = _page_url(request, query, query.page - 1)
    if query.page < pages:
        links["next"] = _page_url(request, query, query.page + 1)
    return respond(
        {
            "data": data,
            "pagination": {
                "totalElements": total,
                "elementsPerPage": query.limit,
                "currentPage": query.page,
                "totalPages": pages,
            },
            "links": links,
        }
    )


def _alliance(slug: str) -> Alliance:
    # No user: the API answers the same for everyone (public alliances only).
    return alliance_selectors.get_alliance_for_user(None, slug)


def _found(row: Any, message: str) -> Any:
    if row is None:
        raise Http404(message)
    return row


def _renderer(
    ctx: Context, render: Callable[[Any, Context], Obj]
) -> Callable[[list[Any]], list[Obj]]:
    return lambda rows: [render(row, ctx) for row in rows]


def _paper_renderer(ctx: Context) -> Callable[[list[Any]], list[Obj]]:
    def render(rows: list[Any]) -> list[Obj]:
        ctx.decisions = selectors.decisions_by_outcome(
            [
                outcome.pk
                for project in rows
                if funding_permissions.can_view_project_publicly(project)
                for outcome in project.outcomes.all()
            ]
        )
        return [obj for project in rows for obj in serializers.papers(project, ctx)]

    return render


def _consultation_renderer(ctx: Context) -> Callable[[list[Any]], list[Obj]]:
    def render(rows: list[Any]) -> list[Obj]:
        ctx.decisions = selectors.decisions_by_outcome(
            [row.pk for row in rows if funding_permissions.can_view_project_publicly(row.project)]
        )
        return [serializers.consultation(row, row.project, ctx) for row in rows]

    return render


# --- Views: System and Body ------------------------------------------------------------------------


@endpoint
def system(request: HttpRequest) -> HttpResponseBase:
    return respond(serializers.system(Links(request)))


@endpoint
def body_list(request: HttpRequest) -> HttpResponseBase:
    """Queries: count; the page of alliances; their phases."""
    links = Links(request)
    source = Source(
        selectors.alliances().order_by("id"),
        lambda rows: [serializers.body(alliance, links) for alliance in rows],
    )
    return paged(request, Query.parse(request), [source])


@endpoint
def body_detail(request: HttpRequest, slug: str) -> HttpResponseBase:
    alliance = _found(selectors.alliances().filter(slug=slug).first(), _("Bündnis nicht gefunden."))
    return respond(serializers.body(alliance, Links(request)))


# --- Views: the lists of a Body ---------------------------------------------------------------------


def _body_list(
    request: HttpRequest, slug: str, sources: Callable[[Context, Query], list[Source]]
) -> HttpResponseBase:
    query = Query.parse(request)
    ctx = Context(Links(request), _alliance(slug))
    return paged(request, query, sources(ctx, query))


@endpoint
def organization_list(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Bodies first, then organisations. Queries: alliance; two counts; bodies with their seats
    (two); organisations (group joined)."""
    return _body_list(
        request,
        slug,
        lambda ctx, query: [
            Source(
                selectors.body_organizations(ctx.alliance),
                _renderer(ctx, serializers.body_organization),
            ),
            Source(selectors.organisations(ctx.alliance), _renderer(ctx, serializers.organisation)),
        ],
    )


@endpoint
def person_list(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Queries: alliance; count; people; their seats."""
    return _body_list(
        request,
        slug,
        lambda ctx, query: [
            Source(selectors.people(ctx.alliance), _renderer(ctx, serializers.person))
        ],
    )


@endpoint
def membership_list(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Queries: alliance; count; seats (person joined)."""
    return _body_list(
        request,
        slug,
        lambda ctx, query: [
            Source(selectors.memberships(ctx.alliance), _renderer(ctx, serializers.seat_membership))
        ],
    )


@endpoint
def legislative_term_list(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Queries: alliance; count; phases."""

    def render(ctx: Context) -> Callable[[list[Any]], list[Obj]]:
        return lambda rows: [
            serializers.legislative_term(phase, ctx.links, ctx.alliance.slug) for phase in rows
        ]

    return _body_list(
        request, slug, lambda ctx, query: [Source(selectors.terms(ctx.alliance), render(ctx))]
    )


@endpoint
def meeting_list(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Queries: alliance; count; meetings (body, minutes joined); their public items (decision,
    project joined)."""
    return _body_list(
        request,
        slug,
        lambda ctx, query: [
            Source(selectors.meetings(ctx.alliance), _renderer(ctx, serializers.meeting))
        ],
    )


@endpoint
def agenda_item_list(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Queries: alliance; count; items (meeting, decision, project joined)."""

    def render(ctx: Context) -> Callable[[list[Any]], list[Obj]]:
        return lambda rows: [serializers.agenda_item(item, item.meeting, ctx) for item in rows]

    return _body_list(
        request,
        slug,
        lambda ctx, query: [Source(selectors.agenda_items(ctx.alliance), render(ctx))],
    )


@endpoint
def file_list(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Queries: alliance; count; minutes (meeting and body joined)."""

    def render(ctx: Context) -> Callable[[list[Any]], list[Obj]]:
        return lambda rows: [serializers.minutes_file(row, row.meeting, ctx) for row in rows]

    return _body_list(
        request,
        slug,
        lambda ctx, query: [Source(selectors.minutes_files(ctx.alliance), render(ctx))],
    )


@endpoint
def paper_list(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Two papers per project. Queries: alliance; count; projects; their outcomes (body joined);
    their submissions; the decisions behind the outcomes; the office."""
    return _body_list(
        request,
        slug,
        lambda ctx, query: [
            Source(
                selectors.projects(ctx.alliance, with_deleted=query.with_deleted),
                _paper_renderer(ctx),
                per_row=len(selectors.PAPER_KINDS),
            )
        ],
    )


@endpoint
def consultation_list(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Queries: alliance; count; outcomes (body, project joined); the decisions behind them."""
    return _body_list(
        request,
        slug,
        lambda ctx, query: [
            Source(
                selectors.consultations(ctx.alliance, with_deleted=query.with_deleted),
                _consultation_renderer(ctx),
            )
        ],
    )


# --- Views: single objects ----------------------------------------------------------------------------


def _context(request: HttpRequest, alliance: Alliance) -> Context:
    return Context(Links(request), alliance)


@endpoint
def body_organization_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    row = _found(
        selectors.body_organizations(None).filter(pk=pk).first(), _("Gremium nicht gefunden.")
    )
    return respond(serializers.body_organization(row, _context(request, row.alliance)))


@endpoint
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    row = _found(
        selectors.organisations(None).filter(pk=pk).first(), _("Organisation nicht gefunden.")
    )
    return respond(serializers.organisation(row, _context(request, row.alliance)))


@endpoint
def person_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    # People who did not agree to be named answer exactly like people who do not exist.
    row = _found(selectors.people(None).filter(pk=pk).first(), _("Person nicht gefunden."))
    return respond(serializers.person(row, _context(request, row.alliance)))


@endpoint
def membership_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    row = _found(
        selectors.memberships(None).filter(pk=pk).first(), _("Mitgliedschaft nicht gefunden.")
    )
    return respond(serializers.seat_membership(row, _context(request, row.alliance)))


@endpoint
def legislative_term_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    row = _found(selectors.terms(None).filter(pk=pk).first(), _("Förderphase nicht gefunden."))
    return respond(serializers.legislative_term(row, Links(request), row.alliance.slug))


@endpoint
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    row = _found(selectors.meetings(None).filter(pk=pk).first(), _("Sitzung nicht gefunden."))
    return respond(serializers.meeting(row, _context(request, row.alliance)))


@endpoint
def agenda_item_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    row = _found(
        selectors.agenda_items(None).filter(pk=pk).first(),
        _("Tagesordnungspunkt nicht gefunden."),
    )
    if not serializers.item_is_published(row, row.meeting):
        raise Http404(_("Tagesordnungspunkt nicht gefunden."))
    return respond(serializers.agenda_item(row, row.meeting, _context(request, row.alliance)))


@endpoint
def paper_detail(request: HttpRequest, kind: str, pk: str) -> HttpResponseBase:
    project = _found(
        selectors.projects(None, with_deleted=True).filter(pk=pk).first(),
        _("Drucksache nicht gefunden."),
    )
    ctx = _context(request, project.alliance)
    return respond(_paper_renderer(ctx)([project])[selectors.PAPER_KINDS.index(kind)])


@endpoint
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    row = _found(
        selectors.consultations(None, with_deleted=True).filter(pk=pk).first(),
        _("Beratung nicht gefunden."),
    )
    ctx = _context(request, row.project.alliance)
    return respond(_consultation_renderer(ctx)([row])[0])


def _minutes(pk: int) -> Any:
    row = _found(selectors.minutes_files(None).filter(pk=pk).first(), _("Datei nicht gefunden."))
    if not serializers.minutes_are_published(row, row.meeting):
        raise Http404(_("Datei nicht gefunden."))
    return row


@endpoint
def file_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    row = _minutes(pk)
    return respond(serializers.minutes_file(row, row.meeting, _context(request, row.alliance)))


@endpoint
def file_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The public part of approved minutes as plain text."""
    row = _minutes(pk)
    response = HttpResponse(row.public_text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="protokoll-sitzung-{row.meeting_id}.txt"'
    return response


@endpoint
def not_found(request: HttpRequest, rest: str = "") -> HttpResponseBase:
    raise Http404(_("Diese Adresse gibt es in der OParl-Schnittstelle nicht."))
