"""Who hands out and erases a person's data (Art. 15 and 17 GDPR).

The controller's answer, so the office's and the platform admins'; the ministry reads everything
but hands out no person's data and changes nothing. An account is the office's to handle only if
it belongs to its alliance alone: the office of one alliance must not answer for, or erase, an
account another alliance relies on, nor a platform account (ministry, admin) — those go to the
platform admins.
"""

from __future__ import annotations

from buendnis.accounts.models import User
from buendnis.accounts.permissions import UserLike, can_manage, is_platform_admin
from buendnis.alliances.models import Alliance


def can_handle_personal_data(user: UserLike, alliance: Alliance) -> bool:
    """The pages under /<slug>/intern/datenschutz/: the office and platform admins."""
    return can_manage(user, alliance)


def can_handle_account(user: UserLike, alliance: Alliance, account: User) -> bool:
    """Export or erase this account from the alliance's pages. Query: one (the account's
    alliances)."""
    if is_platform_admin(user):
        return True
    if not can_manage(user, alliance):
        return False
    if account.platform_role or account.is_superuser:
        return False
    alliance_ids = set(account.memberships.values_list("alliance_id", flat=True))
    return alliance_ids == {alliance.pk}
