"""The header's link to the ministry's overview, for those who may open it."""

from __future__ import annotations

from django import template

from buendnis.accounts import permissions
from buendnis.accounts.permissions import UserLike

register = template.Library()


@register.filter
def may_view_overview(user: UserLike) -> bool:
    """`{% if user|may_view_overview %}`: from the user's platform role, no query."""
    return permissions.can_view_overview(user)
