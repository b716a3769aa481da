"""What pages show of notifications: the header's unread count and a subscribe button's state.

`{% unread_notifications alliance as unread %}` in the site header: only for signed-in users
(the header asks `user.is_authenticated` first, so anonymous pages — the ones the shared cache
keeps — never ask the database); one query, shared with the centre through the request's user.

`{% follow_state alliance "project" project.pk as follow %}` before including
`portal/notifications/includes/follow_button.html`: whether the user follows the topic (one
query). Whether they may follow it is the page's business (it shows the button only where the
reader may see the thing) and the subscribe step's (it checks again).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance

from .. import permissions, selectors, topics

register = template.Library()


@dataclass(frozen=True)
class Unread:
    count: int
    alliance: Alliance | None


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context, alliance: Any = None) -> Unread:
    user = context.get("user")
    if not isinstance(user, User) or not user.is_authenticated:
        return Unread(0, None)
    where = alliance if isinstance(alliance, Alliance) else None
    if where is not None and not permissions.can_use_notifications(user, where):
        where = None  # another alliance's page: the count of all, linked to the settings
    return Unread(selectors.unread_count(user, where), where)


@dataclass(frozen=True)
class Follow:
    topic: str
    following: bool

    @property
    def anchor(self) -> str:
        """An id for the button's label, unique per topic on a page."""
        return "abo-" + self.topic.replace(":", "-")


@register.simple_tag(takes_context=True)
def follow_state(context: template.Context, alliance: Alliance, kind: str, ident: Any) -> Follow:
    topic = topics.key(kind, ident)
    user = context.get("user")
    if not isinstance(user, User) or not user.is_authenticated:
        return Follow(topic, False)
    return Follow(topic, selectors.is_following(user, alliance, topic))
