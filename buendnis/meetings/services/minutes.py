"""A held meeting is closed and its minutes drafted from attendance and decisions; the office edits
the draft, and a later meeting of the same body approves it, which publishes the public part (and
tells the body's subscribers and, for a meeting with a public part, the public's)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buendnis.core.audit import audit_record, diff, snapshot
from buendnis.core.errors import DomainError, TransitionNotAllowed
from buendnis.meetings import notifications, selectors
from buendnis.meetings.models import Meeting, MeetingStatus, Minutes, MinutesStatus
from buendnis.meetings.services._common import (
    _check_version,
    _lock_meeting,
    _move,
    _require_manager,
)

if TYPE_CHECKING:
    from buendnis.accounts.models import User


def meeting_close(*, actor: User | None, meeting: Meeting) -> Meeting:
    """The meeting took place: its draft minutes are generated from attendance and decisions."""
    _require_manager(actor, meeting.alliance)
    if meeting.starts_at > timezone.now():
        raise TransitionNotAllowed(_("Die Sitzung hat noch nicht stattgefunden."))
    with transaction.atomic():
        locked = _move(actor, meeting, MeetingStatus.HELD)
        minutes_generate(actor=actor, meeting=locked)
    meeting.refresh_from_db()
    return meeting


def minutes_draft_text(meeting: Meeting) -> tuple[str, str]:
    """The public and the non-public part, generated from attendance and decisions."""
    from django.template.loader import render_to_string

    meeting = selectors.meeting_detail(meeting.alliance, meeting.pk)
    items = list(meeting.items.all())
    context = {
        "meeting": meeting,
        "present": [row for row in meeting.attendances.all() if row.is_present and row.can_vote],
        "advisory": [
            row for row in meeting.attendances.all() if row.is_present and not row.can_vote
        ],
        "absent": [row for row in meeting.attendances.all() if not row.is_present],
        "guests": list(meeting.guests.all()),
    }
    public = render_to_string(
        "meetings/minutes_draft.txt",
        {**context, "items": [item for item in items if item.is_public], "part": "public"},
    ).strip()
    nonpublic = render_to_string(
        "meetings/minutes_draft.txt",
        {**context, "items": [item for item in items if not item.is_public], "part": "nonpublic"},
    ).strip()
    return public, nonpublic


def minutes_generate(*, actor: User | None, meeting: Meeting) -> Minutes:
    """Create the draft, or regenerate it while it is a draft (the office's edits are replaced)."""
    _require_manager(actor, meeting.alliance)
    with transaction.atomic():
        public, nonpublic = minutes_draft_text(meeting)
        minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
        if minutes is None:
            minutes = Minutes.objects.create(
                alliance=meeting.alliance,
                meeting=meeting,
                public_text=public,
                nonpublic_text=nonpublic,
            )
            audit_record(actor=actor, action="minutes.create", instance=minutes)
            return minutes
        if minutes.status != MinutesStatus.DRAFT:
            raise TransitionNotAllowed(_("Ein genehmigtes Protokoll wird nicht neu erstellt."))
        minutes.public_text, minutes.nonpublic_text = public, nonpublic
        minutes.version += 1
        minutes.save()
        audit_record(actor=actor, action="minutes.regenerate", instance=minutes)
    return minutes


def minutes_update(
    *,
    actor: User | None,
    minutes: Minutes,
    public_text: str,
    nonpublic_text: str,
    expected_version: int | None = None,
) -> Minutes:
    _require_manager(actor, minutes.alliance)
    with transaction.atomic():
        locked = Minutes.objects.select_for_update().get(pk=minutes.pk)
        _check_version(locked.version, expected_version)
        if locked.status != MinutesStatus.DRAFT:
            raise TransitionNotAllowed(_("Ein genehmigtes Protokoll wird nicht mehr geändert."))
        before = snapshot(locked)
        locked.public_text, locked.nonpublic_text = public_text, nonpublic_text
        locked.version += 1
        locked.save()
        audit_record(
            actor=actor,
            action="minutes.update",
            instance=locked,
            changes=diff(before, snapshot(locked)),
        )
    minutes.refresh_from_db()
    return minutes


def minutes_approve(*, actor: User | None, minutes: Minutes, approved_in: Meeting) -> Minutes:
    """The next meeting of the same body approves the minutes; the public part is published."""
    _require_manager(actor, minutes.alliance)
    with transaction.atomic():
        # The meeting before its minutes, as closing a meeting (which writes them) does.
        meeting = _lock_meeting(minutes.meeting)
        locked = (
            Minutes.objects.select_for_update(of=("self",))
            .select_related("meeting__body")
            .get(pk=minutes.pk)
        )
        if locked.status != MinutesStatus.DRAFT:
            raise TransitionNotAllowed(_("Das Protokoll ist bereits genehmigt."))
        if approved_in.body_id != meeting.body_id or approved_in.starts_at <= meeting.starts_at:
            raise DomainError(
                {
                    "approved_in": [
                        _("Ein Protokoll genehmigt eine spätere Sitzung desselben Gremiums.")
                    ]
                }
            )
        if not approved_in.is_open_for_decisions or approved_in.starts_at > timezone.now():
            raise DomainError(
                {
                    "approved_in": [
                        _("Die genehmigende Sitzung muss eingeladen sein und begonnen haben.")
                    ]
                }
            )
        locked.status = MinutesStatus.APPROVED
        locked.approved_in = approved_in
        locked.approved_at = timezone.now()
        locked.version += 1
        locked.save()
        audit_record(
            actor=actor,
            action="minutes.approve",
            instance=locked,
            to_state=MinutesStatus.APPROVED,
            changes={"approved_in": str(approved_in)},
        )
        _move(actor, meeting, MeetingStatus.MINUTES_APPROVED)
        meeting_id = meeting.pk
        transaction.on_commit(
            lambda: notifications.meeting_notify(
                meeting_id, notifications.MeetingEvent.MINUTES_APPROVED, actor
            )
        )
    minutes.refresh_from_db()
    return minutes
