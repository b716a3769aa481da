"""The invitation opens a meeting: attendance rows for every seat are created with it, and the mail
with the agenda and the .ics goes out on commit, with the notifications of the body's subscribers
(and the public's, for a meeting with a public part: the invitation publishes its agenda)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from buendnis.meetings import notifications
from buendnis.meetings.models import Meeting, MeetingStatus
from buendnis.meetings.services import attendance
from buendnis.meetings.services._common import _move, _require_manager

if TYPE_CHECKING:
    from buendnis.accounts.models import User


def meeting_invite(*, actor: User | None, meeting: Meeting) -> Meeting:
    """Send the invitation with the agenda and an .ics to every seat holder of the body."""
    _require_manager(actor, meeting.alliance)
    with transaction.atomic():
        locked = _move(actor, meeting, MeetingStatus.INVITED, invited_at=timezone.now())
        attendance.attendance_prefill(locked)
        meeting_id = locked.pk
        transaction.on_commit(lambda: notifications.send_invitations(meeting_id))
        transaction.on_commit(
            lambda: notifications.meeting_notify(
                meeting_id, notifications.MeetingEvent.INVITED, actor
            )
        )
    meeting.refresh_from_db()
    return meeting
