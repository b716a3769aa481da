"""Who works the office's inbox, who reads it, and who may ask the office a question.

Built on the roles of `accounts.permissions`. The inbox holds questions of the public, of members
and of applicants with their names and addresses: it is the office's, not the whole internal
circle's (the old contact inbox was readable by every member; members now ask the office through
their own form and see their own questions).
"""

from __future__ import annotations

from buendnis.accounts.permissions import (
    INTERNAL_ROLES,
    UserLike,
    can_manage,
    is_ministry,
    is_platform_admin,
    roles_in,
)
from buendnis.alliances.models import Alliance


def can_view_inquiries(user: UserLike, alliance: Alliance) -> bool:
    """The inbox and every inquiry: the office and platform admins, and the ministry, which reads
    everything of an alliance and changes nothing (README, roles)."""
    return can_manage(user, alliance) or is_ministry(user)


def can_handle_inquiries(user: UserLike, alliance: Alliance) -> bool:
    """Answer, assign, close, note, record a call or letter: the office (and platform admins)."""
    return can_manage(user, alliance)


def can_export_inquiries(user: UserLike, alliance: Alliance) -> bool:
    """A person's data on request (Art. 15 GDPR) is the controller's answer, so the office's; the
    ministry reads the inbox, but does not hand out people's data."""
    return can_manage(user, alliance)


def can_ask_office(user: UserLike, alliance: Alliance) -> bool:
    """„Frage an die Geschäftsstelle“: anyone of the alliance's internal circle, and platform
    admins. The ministry changes nothing, so it does not ask through the alliance's inbox."""
    return is_platform_admin(user) or bool(roles_in(user, alliance) & INTERNAL_ROLES)
