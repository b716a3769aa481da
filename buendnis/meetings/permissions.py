"""Who sees and keeps meetings, agendas, decisions and circulations, and what the public sees of them.

Built on the roles of `accounts.permissions`. Views, calendars, feeds, API, OParl and services ask
these functions; the `*_q` filters are the same rules for lists, chosen in the database.
"""

from __future__ import annotations

from django.db.models import Q

from buendnis.accounts.models import Role
from buendnis.accounts.permissions import (
    UserLike,
    can_manage,
    can_view_internal,
    organisation_ids_in_role,
)
from buendnis.alliances.models import Alliance

from .models import Meeting


def can_view_meetings(user: UserLike, alliance: Alliance) -> bool:
    """Agendas with their non-public items, attendance, decisions and draft minutes: the
    internal circle and the ministry."""
    return can_view_internal(user, alliance)


def can_manage_meetings(user: UserLike, alliance: Alliance) -> bool:
    """Plan, invite, record attendance and decisions, write minutes, open circulations."""
    return can_manage(user, alliance)


def can_view_meeting_publicly(meeting: Meeting) -> bool:
    """A meeting with a public part has a public page and sits in the body's public calendar;
    everything non-public of it (items, notes, the non-public minutes) stays internal."""
    return bool(meeting.has_public_part)


def is_agenda_published(meeting: Meeting) -> bool:
    """The public agenda goes out with the invitation: before it, the agenda is the office's
    draft and the public sees only date and place."""
    return can_view_meeting_publicly(meeting) and meeting.invited_at is not None


def published_decisions_q() -> Q:
    """`is_agenda_published` and a public item, as a filter on Decision: the decisions the public
    sees, chosen in the database (the decisions API never loads the others)."""
    return Q(
        item__is_public=True,
        item__meeting__has_public_part=True,
        item__meeting__invited_at__isnull=False,
    )


def published_circulations_q() -> Q:
    """Circulations whose result the office made public (`Circulation.is_public`)."""
    return Q(is_public=True)


def can_view_meeting_calendar(user: UserLike, meeting: Meeting) -> bool:
    """One meeting's calendar entry: public meetings for everyone, the others for the internal
    circle (who get every item)."""
    return can_view_meeting_publicly(meeting) or can_view_meetings(user, meeting.alliance)


def can_subscribe_meetings(user: UserLike, alliance: Alliance) -> bool:
    """A private calendar address with every meeting and every item of both bodies. Checked when
    the address is made and on every fetch: an account that lost its access (or was
    deactivated) gets nothing from an address made earlier."""
    return can_view_meetings(user, alliance)


def can_view_meeting_document(user: UserLike, alliance: Alliance) -> bool:
    """Papers uploaded to agenda items: the internal circle, like the agendas they belong to."""
    return can_view_meetings(user, alliance)


def answering_organisation_ids(user: UserLike, alliance: Alliance) -> frozenset[int]:
    """Organisations this user answers circulations for: the organisation of each steering-
    committee role the user holds in the alliance. Whether the organisation has a vote is the
    circulation's question."""
    return organisation_ids_in_role(user, alliance, Role.STEERING)
