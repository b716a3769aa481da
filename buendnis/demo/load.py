"""The whole demo in one transaction, in the order of its history: the structure (alliances,
partners, the first phase, logins); the Steuerkreis meetings of the history; the phases the
alliance renewed through its own cycle; the projects of every phase; the meetings of the present
year and ahead; the renewal 2027–2030 in progress; then the office's inbox, the idea pool and the
members' subscriptions and notifications."""

from __future__ import annotations

from django.db import transaction

from buendnis.alliances.models import Alliance
from buendnis.funding import notifications
from buendnis.grants import services as grant_services
from buendnis.ideas import notifications as idea_notifications
from buendnis.meetings import notifications as meeting_notifications
from buendnis.office import notifications as inquiry_notifications
from buendnis.renewal import services as renewal_services

from .grants import load_demo_grants
from .ideas import load_demo_ideas
from .inquiries import load_demo_inquiries
from .meetings import load_demo_history, load_demo_meetings
from .notifications import load_demo_notifications
from .projects import load_demo_projects
from .renewal import load_demo_next_phase, load_demo_renewals
from .structure import load_structure


def load_demo() -> int:
    """Load the demo alliances, logins, phases, projects, meetings, inquiries, ideas and the
    members' subscriptions; returns how many records were created (0 when loaded).

    The projects walk through the procedure, which mails at every step, the meetings invite and
    decide, the cycle asks partners and applies: mail stays muted until the whole load has
    committed.
    """
    with (
        notifications.muted(),
        meeting_notifications.muted(),
        inquiry_notifications.muted(),
        idea_notifications.muted(),
        renewal_services.muted(),
        grant_services.muted(),
        transaction.atomic(),
    ):
        created = load_structure()
        created += load_demo_history()
        created += load_demo_renewals()
        created += load_demo_projects()
        # After the grant: reports, payment requests, co-financing, figures, one close.
        created += load_demo_grants()
        created += load_demo_meetings()
        created += load_demo_next_phase()
        created += load_demo_inquiries()
        son = Alliance.objects.filter(slug="son").first()
        if son is not None:
            created += load_demo_ideas(son)
        created += load_demo_notifications()
    return created
