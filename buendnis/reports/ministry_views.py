"""The ministry's overview across every alliance: /ministerium/ and /ministerium/uebersicht.xlsx.

For the ministry and platform admins only (`accounts.permissions.can_view_overview`): anonymous
visitors go to the login and come back, everyone else — the office of an alliance too — gets a
403 with the German reason. Never cached (internal figures). The figures come from
`reports.overview`, which the API's `overview/` reads as well.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from buendnis.accounts import permissions
from buendnis.alliances.models import RecognitionStatus
from buendnis.renewal import selectors as renewal_selectors
from buendnis.web.files import file_response

from . import charts, ministry_export
from . import overview as ministry_overview

PAGE_SIZE = 50
# The chart of the current phases draws at most this many alliances (the table pages them all).
CHART_LIMIT = 50

View = Callable[..., HttpResponse]


def ministry_page(view: View) -> View:
    """GET and HEAD for the ministry and platform admins; never cached."""

    @wraps(view)
    @require_safe
    @never_cache
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not permissions.can_view_overview(request.user):
            raise PermissionDenied(
                _(
                    "Die Übersicht über alle Bündnisse ist dem Ministerium und der "
                    "Plattformverwaltung vorbehalten."
                )
            )
        return view(request, *args, **kwargs)

    return wrapper


def _query(selection: ministry_overview.Selection, **changes: Any) -> str:
    """The query string of the selection with `changes` (None leaves a parameter out)."""
    params: dict[str, Any] = {
        "status": selection.status or None,
        "year": selection.year,
        "sort": selection.sort_param
        if selection.sort_param != ministry_overview.DEFAULT_SORT
        else None,
    }
    params.update(changes)
    return urlencode({key: value for key, value in params.items() if value not in (None, "")})


def _columns(selection: ministry_overview.Selection) -> list[dict[str, Any]]:
    """The table's sortable headers: label, link and aria-sort."""
    labels = [
        ("alliance", _("Bündnis"), False),
        ("phase", _("Förderphase"), False),
        ("status", _("Anerkennung"), False),
        ("budget", _("Budget"), True),
        ("reserved", _("Reserviert"), True),
        ("committed", _("Gebunden"), True),
        ("paid", _("Ausgezahlt"), True),
        ("available", _("Verfügbar"), True),
        ("projects", _("Vorhaben nach Stand"), False),
        ("volume", _("Projektvolumen"), True),
        ("leverage", _("Hebel"), True),
        ("participants", _("Teilnehmende"), True),
    ]
    columns = []
    for key, label, numeric in labels:
        active = selection.sort == key
        ascending_next = not active or selection.descending
        columns.append(
            {
                "key": key,
                "label": label,
                "numeric": numeric,
                "aria_sort": ("descending" if selection.descending else "ascending")
                if active
                else "",
                "href": "?" + _query(selection, sort=key if ascending_next else f"-{key}"),
                "next_label": _("aufsteigend sortieren")
                if ascending_next
                else _("absteigend sortieren"),
            }
        )
    return columns


def _sort_options(columns: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The same orders as the headers' links, for the form (phones show no table headers)."""
    options = []
    for column in columns:
        options.append((column["key"], _("%(column)s, aufsteigend") % {"column": column["label"]}))
        options.append(
            (f"-{column['key']}", _("%(column)s, absteigend") % {"column": column["label"]})
        )
    return options


WAITING_ROWS = 20


@ministry_page
def overview(request: HttpRequest) -> HttpResponse:
    """Every alliance's phases with their figures (filtered, sorted, 50 to a page), the budget
    use of each alliance's current phase and the trend from period to period."""
    rows = ministry_overview.overview_rows(with_reached=True)
    selection = ministry_overview.read_selection(request.GET)
    chosen = ministry_overview.select_rows(rows, selection)
    page = Paginator(chosen, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = ministry_overview.status_counts(rows)
    columns = _columns(selection)
    current = ministry_overview.current_rows(rows)
    periods = ministry_overview.period_figures(rows)
    context = {
        "ministry_name": settings.BUENDNIS_MINISTRY_NAME,
        # What waits for the ministry's decision, oldest application first (bounded).
        "waiting": list(renewal_selectors.applications_waiting()[:WAITING_ROWS]),
        "selection": selection,
        "page": page,
        "rows": list(page.object_list),
        "total": len(rows),
        "columns": columns,
        "sort_options": _sort_options(columns),
        "statuses": [
            {"value": value, "label": label, "count": counts[value]}
            for value, label in RecognitionStatus.choices
        ],
        "years": ministry_overview.years_of(rows),
        "query": _query(selection),
        "current_rows": current[:CHART_LIMIT],
        "current_left_out": max(0, len(current) - CHART_LIMIT),
        "alliance_chart": charts.stacked_bars(
            [(row.alliance.name, row.budget) for row in current[:CHART_LIMIT]],
            prefix="alliances",
            scale="own",
        ),
        "periods": periods,
        "period_chart": charts.stacked_bars(
            [(period.label, period.budget) for period in periods],
            prefix="periods",
            scale="largest",
        ),
    }
    return render(request, "reports/ministry/overview.html", context)


@ministry_page
def overview_xlsx(request: HttpRequest) -> HttpResponse:
    """The table as a spreadsheet: every row the selection admits (no pages), in its order."""
    selection = ministry_overview.read_selection(request.GET)
    rows = ministry_overview.select_rows(
        ministry_overview.overview_rows(with_reached=True), selection
    )
    content = ministry_export.render_xlsx(rows, ministry=settings.BUENDNIS_MINISTRY_NAME)
    return file_response(
        content,
        content_type=ministry_export.XLSX_CONTENT_TYPE,
        filename="buendnisse-uebersicht.xlsx",
        attachment=True,
    )
