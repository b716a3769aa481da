"""The whole demo in one transaction: structure, then projects, then meetings, then the office's
inbox, then the idea pool, then the members' subscriptions and notifications."""

from __future__ import annotations

from django.db import transaction

from buendnis.alliances.models import Alliance
from buendnis.funding import notifications
from buendnis.ideas import notifications as idea_notifications
from buendnis.meetings import notifications as meeting_notifications
from buendnis.office import notifications as inquiry_notifications

from .ideas import load_demo_ideas
from .inquiries import load_demo_inquiries
from .meetings import load_demo_meetings
from .notifications import load_demo_notifications
from .projects import load_demo_projects
from .structure import load_structure


def load_demo() -> int:
    """Load the demo alliances, logins, projects, meetings, inquiries, ideas and the members'
    subscriptions; returns how many records were created (0 when loaded).

    The projects walk through the procedure, which mails at every step, and the meetings invite
    and decide: mail stays muted until the whole load has committed.
    """
    with (
        notifications.muted(),
        meeting_notifications.muted(),
        inquiry_notifications.muted(),
        idea_notifications.muted(),
        transaction.atomic(),
    ):
        created = load_structure()
        created += load_demo_projects()
        created += load_demo_meetings()
        created += load_demo_inquiries()
        son = Alliance.objects.filter(slug="son").first()
        if son is not None:
            created += load_demo_ideas(son)
        created += load_demo_notifications()
    return created
