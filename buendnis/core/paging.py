"""Pages of a long list in one query: the page's rows carry the total (a window count), so a
page costs the same queries as an unpaged list, whatever the number of rows."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window


def page_of(queryset: QuerySet[Any], number: object, per_page: int) -> Page:
    """Page `number` (1 for anything that is not a positive number) of the ordered `queryset`.

    One query: `COUNT(*) OVER ()` is computed before LIMIT/OFFSET, so every row of the page knows
    the total. Only an address past the last page costs more: it gets the last page, like
    `Paginator.get_page`."""
    try:
        wanted = max(1, int(str(number)))
    except ValueError:
        wanted = 1
    bottom = (wanted - 1) * per_page
    rows = list(queryset.annotate(listed_total=Window(Count("pk")))[bottom : bottom + per_page])
    paginator = Paginator(queryset, per_page)
    if rows or wanted == 1:
        # Fill Paginator.count (a cached property) so that it never asks the database.
        paginator.__dict__["count"] = rows[0].listed_total if rows else 0
        return Page(rows, wanted, paginator)
    return paginator.get_page(wanted)
