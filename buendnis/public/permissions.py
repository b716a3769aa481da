"""Who reads and handles the messages sent through an alliance's contact page.

Built on the roles of `accounts.permissions`; the messages themselves are `public.models`.
"""

from __future__ import annotations

from buendnis.accounts.permissions import UserLike, can_manage, can_view_internal
from buendnis.alliances.models import Alliance


def can_view_contact_messages(user: UserLike, alliance: Alliance) -> bool:
    """Messages sent through the contact page carry a sender's name and address: the internal
    circle (and the ministry, platform admins) reads them, the public never."""
    return can_view_internal(user, alliance)


def can_handle_contact_messages(user: UserLike, alliance: Alliance) -> bool:
    """Marking a message handled is the office's work (and the platform admins')."""
    return can_manage(user, alliance)
