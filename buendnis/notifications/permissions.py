"""Who uses the notification centre and who may follow what.

Built on the roles of `accounts.permissions`; whether someone may follow a topic is the rule of
the app that owns the topic's records, registered in `topics` (projects: funding, bodies'
meetings: meetings). Views and services ask these functions.
"""

from __future__ import annotations

from buendnis.accounts.permissions import UserLike, is_active_user, roles_in, sees_all_alliances
from buendnis.alliances.models import Alliance

from . import topics
from .models import Notification


def can_use_notifications(user: UserLike, alliance: Alliance) -> bool:
    """The notification centre and the subscriptions of an alliance: everyone with a role in it
    (the internal circle and applicants), the ministry and platform admins. Reads the roles the
    request has already read: no query of its own."""
    return sees_all_alliances(user) or bool(roles_in(user, alliance))


def can_follow(user: UserLike, alliance: Alliance, topic: str) -> bool:
    """Subscribe to a topic: a user of the alliance's notifications who may see the topic's
    thing, by the rule of the app that owns it (`topics`). An unknown or malformed topic, or one
    of another alliance, is never followed."""
    return can_use_notifications(user, alliance) and topics.may_follow(user, alliance, topic)


def can_open_notification(user: UserLike, notification: Notification) -> bool:
    """A notification is its recipient's only."""
    return is_active_user(user) and notification.recipient_id == user.pk
