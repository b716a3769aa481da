"""Who may read what of an alliance's structure beyond its public face: the phases the ministry has
not (yet) recognised and where the partners stand with a phase's cooperation agreement.

Built on the roles of `accounts.permissions`; views, API and pages ask these functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from buendnis.accounts import permissions
from buendnis.accounts.permissions import UserLike

if TYPE_CHECKING:
    from .models import Alliance


def can_view_unrecognised_phases(user: UserLike, alliance: Alliance) -> bool:
    """Phases in preparation, with the ministry, sent back or refused: the alliance's internal
    circle (office, speakers, Steuerkreis, advisory members), the ministry and platform admins.
    The public and applicants see recognised phases only."""
    return permissions.can_view_internal(user, alliance)


def can_view_phase_agreements(user: UserLike, alliance: Alliance) -> bool:
    """Each partner's answer to a phase's cooperation agreement (asked, pending in its own bodies,
    signed, declined, with its bodies' references): the same circle as the unrecognised phases."""
    return permissions.can_view_internal(user, alliance)
