"""A body's meetings as a topic of notifications (`notifications.topics`: `body:<id>`),
registered from `MeetingsConfig.ready`: who may follow the Steuerkreis' or the Sprecherkreis'
meetings is who may read them with their non-public items (`permissions.can_view_meetings`)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from buendnis.accounts.permissions import UserLike
from buendnis.alliances.models import Alliance, Body
from buendnis.notifications import topics

from . import links, permissions
from .public_selectors import MEETING_BODIES


def _bodies(alliance: Alliance, idents: Sequence[str]) -> list[Body]:
    return list(
        Body.objects.filter(
            alliance=alliance, kind__in=MEETING_BODIES, pk__in=topics.digits(idents)
        )
    )


def _load(alliance: Alliance, ident: str) -> Body | None:
    found = _bodies(alliance, [ident])
    if not found:
        return None
    found[0].alliance = alliance  # known already: no query for it in `_can_see`
    return found[0]


def _can_see(user: UserLike, body: Body) -> bool:
    return permissions.can_view_meetings(user, body.alliance)


def _describe(
    user: UserLike, alliance: Alliance, idents: Sequence[str]
) -> dict[str, topics.Subject]:
    path = links.internal_meetings_path(alliance)
    return {
        str(body.pk): topics.Subject(_("Sitzungen: %(body)s") % {"body": body.name}, path)
        for body in _bodies(alliance, idents)
    }


def register() -> None:
    topics.register(topics.TopicKind(topics.BODY, _load, _can_see, _describe))
