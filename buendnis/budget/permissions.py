"""Who reads an alliance's budget beyond the public totals.

Built on the roles of `accounts.permissions`. Changes to the budget are the office's
(`budget.services` checks `can_manage`).
"""

from __future__ import annotations

from buendnis.accounts.permissions import UserLike, can_view_internal
from buendnis.alliances.models import Alliance


def can_view_budget(user: UserLike, alliance: Alliance) -> bool:
    """The budget dashboard: the internal circle and the ministry. The public sees the totals on
    the phases page."""
    return can_view_internal(user, alliance)
