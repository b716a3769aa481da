"""Who brings an alliance's records onto the platform and takes them out again."""

from __future__ import annotations

from buendnis.accounts.permissions import UserLike, can_manage
from buendnis.alliances.models import Alliance


def can_import(user: UserLike, alliance: Alliance) -> bool:
    """Import partners, people, phases, agreements and past projects from a spreadsheet, and
    export them in the same columns: the alliance's office and platform admins (the ministry
    reads the alliance, it changes nothing)."""
    return can_manage(user, alliance)
