"""Rendering a page inside an alliance's frame (band, navigation). Every app's alliance pages use it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from buendnis.accounts import permissions
from buendnis.alliances.models import Alliance
from buendnis.funding import permissions as funding_permissions


def render_alliance_page(
    request: HttpRequest,
    alliance: Alliance,
    template: str,
    section: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """Render with what the navigation needs; `section` marks the active item (aria-current)."""
    page: dict[str, Any] = {
        "alliance": alliance,
        "section": section,
        "show_internal_nav": permissions.can_view_internal(request.user, alliance),
        "show_applicant_nav": funding_permissions.can_create_project(request.user, alliance),
    }
    page.update(context or {})
    return render(request, template, page, status=status)
