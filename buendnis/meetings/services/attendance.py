"""Who represented each organisation, and the guests. Quorum and consensus are read from these rows,
so they exist from the invitation on (`attendance_prefill`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from buendnis.core.audit import audit_record
from buendnis.core.errors import DomainError, TransitionNotAllowed
from buendnis.meetings import selectors
from buendnis.meetings.models import Attendance, Guest, Meeting, Presence
from buendnis.meetings.services._common import _lock_meeting, _require_manager

if TYPE_CHECKING:
    from buendnis.accounts.models import User


def attendance_prefill(meeting: Meeting) -> None:
    """One row per organisation with a seat on the body on the meeting's day (absent until
    recorded); a seat added later gets its row too. Rows already recorded stay as they are."""
    day = selectors.meeting_day(meeting)
    existing = set(meeting.attendances.values_list("organisation_id", flat=True))
    rows: dict[int, Attendance] = {}
    for seat in selectors.seats_on(meeting.body, day):
        if seat.organisation_id in existing:
            continue
        row = rows.get(seat.organisation_id)
        if row is None:
            rows[seat.organisation_id] = Attendance(
                alliance_id=meeting.alliance_id,
                meeting=meeting,
                organisation_id=seat.organisation_id,
                seat=seat,
                can_vote=seat.can_vote,
            )
        elif seat.can_vote and not row.can_vote:
            row.seat, row.can_vote = seat, True
    Attendance.objects.bulk_create(rows.values())


@dataclass(frozen=True)
class AttendanceEntry:
    presence: str
    attendee_name: str = ""


def attendance_record(
    *, actor: User | None, meeting: Meeting, entries: Mapping[int, AttendanceEntry]
) -> None:
    """Record who represented each organisation (by organisation id)."""
    _require_manager(actor, meeting.alliance)
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        if not locked.is_open_for_decisions:
            raise TransitionNotAllowed(
                _(
                    "Die Anwesenheit wird erfasst, sobald eingeladen ist und bis die Sitzung abgeschlossen ist."
                )
            )
        attendance_prefill(locked)
        rows = {
            row.organisation_id: row for row in locked.attendances.select_related("organisation")
        }
        unknown = set(entries) - set(rows)
        if unknown:
            raise DomainError(
                _("Nur Organisationen mit einem Sitz im Gremium können anwesend sein.")
            )
        changed: dict[str, list[str]] = {}
        for organisation_id, entry in entries.items():
            if entry.presence not in Presence.values:
                raise DomainError(_("Unbekannte Angabe zur Anwesenheit."))
            row = rows[organisation_id]
            if row.presence != entry.presence or row.attendee_name != entry.attendee_name:
                changed[row.organisation.name] = [row.presence, entry.presence]
                row.presence = entry.presence
                row.attendee_name = entry.attendee_name.strip()[:200]
        Attendance.objects.bulk_update(rows.values(), ["presence", "attendee_name"])
        if changed:
            audit_record(actor=actor, action="meeting.attendance", instance=locked, changes=changed)


def attendance_all_present(
    *,
    actor: User | None,
    meeting: Meeting,
    exceptions: Mapping[int, AttendanceEntry] | None = None,
) -> list[str]:
    """Every seat-holding organisation is represented — „Alle anwesend“ —, but the exceptions
    (by organisation id), recorded as given. An organisation recorded as present already (by a
    deputy, with a name) stays as it is; the absent ones are represented by their representative.
    One transaction and one audit row with the list of those marked and the exceptions; the
    queries do not grow with the number of seats. Returns the names of the organisations
    whose row changed."""
    _require_manager(actor, meeting.alliance)
    exceptions = dict(exceptions or {})
    if any(entry.presence not in Presence.values for entry in exceptions.values()):
        raise DomainError(_("Unbekannte Angabe zur Anwesenheit."))
    with transaction.atomic():
        locked = _lock_meeting(meeting)
        if not locked.is_open_for_decisions:
            raise TransitionNotAllowed(
                _(
                    "Die Anwesenheit wird erfasst, sobald eingeladen ist und bis die Sitzung abgeschlossen ist."
                )
            )
        attendance_prefill(locked)
        rows = list(locked.attendances.select_related("organisation"))
        if set(exceptions) - {row.organisation_id for row in rows}:
            raise DomainError(
                _("Nur Organisationen mit einem Sitz im Gremium können anwesend sein.")
            )
        marked: list[str] = []
        excepted: dict[str, str] = {}
        changed: list[Attendance] = []
        for row in rows:
            entry = exceptions.get(row.organisation_id)
            if entry is not None:
                name = entry.attendee_name.strip()[:200]
                excepted[row.organisation.name] = entry.presence
                if row.presence == entry.presence and row.attendee_name == name:
                    continue
                row.presence, row.attendee_name = entry.presence, name
            elif row.presence == Presence.ABSENT:
                row.presence = Presence.REPRESENTATIVE
                marked.append(row.organisation.name)
            else:
                continue
            changed.append(row)
        # One UPDATE for every changed row (a CASE per column), whatever their number.
        Attendance.objects.bulk_update(changed, ["presence", "attendee_name"])
        audit_record(
            actor=actor,
            action="meeting.attendance_all_present",
            instance=locked,
            changes={"present": sorted(marked), "exceptions": excepted},
        )
    return sorted(row.organisation.name for row in changed)


def guest_add(*, actor: User | None, meeting: Meeting, name: str, affiliation: str = "") -> Guest:
    _require_manager(actor, meeting.alliance)
    if not name.strip():
        raise DomainError({"name": [_("Bitte geben Sie den Namen an.")]})
    with transaction.atomic():
        guest = Guest.objects.create(
            alliance=meeting.alliance,
            meeting=meeting,
            name=name.strip(),
            affiliation=affiliation.strip(),
        )
        # The guest by number: a guest's name is personal data, the audit trail keeps none.
        audit_record(
            actor=actor, action="meeting.guest", instance=meeting, changes={"guest_id": guest.pk}
        )
    return guest


def guest_remove(*, actor: User | None, guest: Guest) -> None:
    _require_manager(actor, guest.alliance)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="meeting.guest_remove",
            instance=guest.meeting,
            changes={"guest_id": guest.pk},
        )
        guest.delete()
