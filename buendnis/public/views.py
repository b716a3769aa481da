"""The transparency site of every alliance, and the small internal area of its circle.

Views stay thin: the alliance comes from `alliances.selectors.get_alliance_for_user` (404 for unknown or
inactive slugs) through `web.pages`, which also decides who may open a page; every read goes through `alliances.selectors`, every yes/no about a user through
`accounts.permissions` or the rules of the domain asked (`funding.permissions`). Messages of the
contact form go into the office's inbox (`buendnis.office`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from buendnis.alliances import selectors
from buendnis.alliances import selectors as alliance_selectors
from buendnis.alliances.models import Alliance
from buendnis.core.client import client_ip
from buendnis.core.origin import is_same_origin_request
from buendnis.core.paging import page_of
from buendnis.funding import permissions as funding_permissions
from buendnis.ideas import selectors as idea_selectors
from buendnis.renewal import selectors as renewal_selectors
from buendnis.reports import charts
from buendnis.web.caching import public_cache
from buendnis.web.pages import public_page, render_alliance_page

from . import exports
from . import selectors as public_selectors
from . import services as public_services
from .filters import PublicProjectFilter
from .forms import ContactForm


def _render(
    request: HttpRequest,
    alliance: Alliance,
    template: str,
    section: str,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    return render_alliance_page(request, alliance, template, section, context)


@require_safe
@public_cache
def platform_home(request: HttpRequest) -> HttpResponse:
    return render(request, "public/platform_home.html", {"alliances": selectors.alliance_list()})


@public_page
def alliance_home(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    """The alliance, its current phase with its recognition, and the phase's strategy: the newest
    version's text with the fields of action and topics (fetched only when there is a text)."""
    _phases, phase = selectors.phase_overview(alliance)
    context: dict[str, Any] = {"phase": phase}
    if phase is not None:
        version = renewal_selectors.latest_version(phase)
        context |= {
            "recognised_by": public_selectors.phase_recognised_by(alliance, phase),
            "strategy": version,
            "strategy_fields": selectors.action_fields_of(phase) if version is not None else [],
        }
    return _render(request, alliance, "public/alliance_home.html", "home", context)


@public_page
def bodies(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    overview = selectors.bodies_overview(alliance)
    return _render(request, alliance, "public/bodies.html", "bodies", {"overview": overview})


@public_page
def partners(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    _phases, phase = selectors.phase_overview(alliance)
    groups = selectors.partners_by_group(alliance, phase) if phase is not None else []
    total = sum(len(entry.organisations) for entry in groups)
    return _render(
        request,
        alliance,
        "public/partners.html",
        "partners",
        {"phase": phase, "groups": groups, "total": total},
    )


@public_page
def action_fields(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    _phases, phase = selectors.phase_overview(alliance)
    fields = selectors.action_fields_of(phase) if phase is not None else []
    return _render(
        request,
        alliance,
        "public/action_fields.html",
        "action_fields",
        {"phase": phase, "fields": fields},
    )


WANTED_PAGE_SIZE = 20


@public_page
def partners_wanted(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    """ "Partner gesucht": the short public entries of ideas whose authors look for partners."""
    page = page_of(
        idea_selectors.wanted_entries(alliance), request.GET.get("page"), WANTED_PAGE_SIZE
    )
    return _render(
        request,
        alliance,
        "public/partners_wanted.html",
        "partners_wanted",
        {"page": page, "entries": list(page.object_list)},
    )


@public_page
def phases(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    """Every recognised phase with its recognition and what its budget and projects came to."""
    history = public_selectors.public_phase_history(alliance)
    return _render(request, alliance, "public/phases.html", "phases", {"history": history})


# --- Funded projects ------------------------------------------------------------------------------

PROJECTS_PER_PAGE = 25


def _project_filter(request: HttpRequest, alliance: Alliance) -> PublicProjectFilter:
    return PublicProjectFilter(
        request.GET, public_selectors.public_projects(alliance), alliance=alliance
    )


def _query_without(request: HttpRequest, *names: str) -> str:
    """The current query string without `names` (for page links and the exports)."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@public_page
def project_list(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    """The alliance's funded projects (from its Votum on), filtered, searched, sorted, paged."""
    project_filter = _project_filter(request, alliance)
    page = Paginator(project_filter.qs, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    # The filter without the page: page links add their own, the exports hold every page.
    query = _query_without(request, "page")
    context = {
        "filter": project_filter,
        "page": page,
        "projects": page.object_list,
        "query": query,
        "export_query": query,
        "is_narrowed": project_filter.is_narrowed,
    }
    return _render(request, alliance, "public/projects/list.html", "projects", context)


@public_page
def project_detail(request: HttpRequest, alliance: Alliance, reference: str) -> HttpResponse:
    """A funded project's public page; every other project (and an unknown reference) is a 404
    for everyone, signed-in or not: the internal circle reads it in the office's workspace."""
    project = public_selectors.public_project(alliance, reference)
    if project is None or not funding_permissions.can_view_project_publicly(project):
        raise Http404(_("Vorhaben nicht gefunden."))
    results = public_selectors.public_results(project)
    context = {
        "project": project,
        "timeline": public_selectors.public_timeline(project),
        "published": public_selectors.published_decisions(project),
        "cofinancing": list(project.cofinancing.all()),
        "grant_is_granted": project.granted_amount is not None,
        "results": results,
    }
    response = _render(request, alliance, "public/projects/detail.html", "projects", context)
    # A tranche paid or figures reported change the page without touching the project row.
    changed = project.updated_at
    if results is not None and results.changed_at is not None:
        changed = max(changed, results.changed_at)
    response["Last-Modified"] = http_date(changed.timestamp())
    return response


def _export(request: HttpRequest, alliance: Alliance) -> tuple[list[list[exports.Cell]], str]:
    project_filter = _project_filter(request, alliance)
    rows = exports.rows_of(public_selectors.with_export_relations(project_filter.qs))
    name = f"projekte-{alliance.slug}-{timezone.localdate():%Y-%m-%d}"
    return rows, name


@public_page
def project_csv(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    rows, name = _export(request, alliance)
    return exports.attachment(
        exports.render_csv(rows),
        content_type=exports.CSV_CONTENT_TYPE,
        filename=f"{name}.csv",
        etag=exports.etag_of(rows, "csv"),
    )


@public_page
def project_xlsx(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    rows, name = _export(request, alliance)
    title = _("Geförderte Vorhaben – %(alliance)s") % {"alliance": alliance.name}
    return exports.attachment(
        exports.render_xlsx(rows, title=title),
        content_type=exports.XLSX_CONTENT_TYPE,
        filename=f"{name}.xlsx",
        etag=exports.etag_of(rows, "xlsx"),
    )


# --- The public budget ----------------------------------------------------------------------------


@public_page
def budget(request: HttpRequest, alliance: Alliance) -> HttpResponse:
    """Every phase's virtual budget from the ledger, with volume, leverage and the chart."""
    rows, current = public_selectors.public_budget(alliance)
    phases = [
        {
            "row": row,
            "is_current": row.phase == current,
            # The chart's template reads `phase`, `overview.figures` and `budget_bar`.
            "bar": charts.budget_bar(row.figures, prefix=f"budget-{row.phase.pk}"),
        }
        for row in rows
    ]
    return _render(request, alliance, "public/budget.html", "public_budget", {"phases": phases})


# --- Contact --------------------------------------------------------------------------------------


# No CSRF token: the page would set the `csrftoken` cookie on a visitor's first GET. The POST is
# checked by its Fetch Metadata and Origin headers instead (buendnis/core/origin.py says why).
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def contact(request: HttpRequest, slug: str) -> HttpResponse:
    """The office's address and a contact form. Never cached: after a refusal or a success the
    page carries the visitor's input or message. Sets no cookie on a GET."""
    alliance = alliance_selectors.get_alliance_for_user(request.user, slug)
    status = 200
    if request.method == "POST":
        if not is_same_origin_request(request):
            raise PermissionDenied(_("Das Formular wurde von einer anderen Website abgeschickt."))
        form = ContactForm(request.POST)
        client = client_ip(request)
        if public_services.contact_rate_exceeded(client=client):
            messages.error(
                request,
                _(
                    "Sie haben in kurzer Zeit zu viele Nachrichten gesendet. Bitte versuchen Sie "
                    "es in zehn Minuten noch einmal oder schreiben Sie der Geschäftsstelle eine "
                    "E-Mail."
                ),
            )
            status = 429
        elif form.is_valid():
            public_services.contact_rate_count(client=client)
            if not form.is_spam:
                data = form.cleaned_data
                public_services.contact_message_submit(
                    alliance=alliance,
                    name=data["name"],
                    email=data["email"],
                    subject=data["subject"],
                    message=data["message"],
                )
            # A filled honeypot is told the same, so that a script learns nothing.
            messages.success(
                request,
                _(
                    "Vielen Dank, Ihre Nachricht ist bei der Geschäftsstelle eingegangen. Sie "
                    "erhalten die Antwort an die angegebene E-Mail-Adresse."
                ),
            )
            return redirect("public:contact", alliance.slug)
        else:
            status = 400
    else:
        form = ContactForm()
    return render_alliance_page(
        request, alliance, "public/contact.html", "contact_form", {"form": form}, status=status
    )
