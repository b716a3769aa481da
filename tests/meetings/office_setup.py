"""A Steuerkreis meeting as the office's pages see it, built through the services.

Shared by the view and permission tests of the office's meeting pages. The meeting began an hour
ago (decisions need a meeting that has begun) and is still planned; the alliance is the one of
`build_alliance_structure`: eight voting organisations and the advisory Amt on the Steuerkreis, so
five present make a quorum.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from buendnis.alliances.models import Organisation
from buendnis.funding.models import Project
from buendnis.funding.states import Status
from buendnis.meetings.models import (
    AgendaDocument,
    AgendaItem,
    Attendance,
    Decision,
    Guest,
    Meeting,
    Minutes,
    Presence,
    Recusal,
)
from buendnis.meetings.services import agenda, attendance, invitations, planning
from buendnis.meetings.services import minutes as minutes_services
from tests.factories import AllianceStructure, hours_ago_today, pdf_upload, project_in_state

ROOT = "/son/intern/sitzungen/"


def url(meeting: Meeting, rest: str = "") -> str:
    return f"/{meeting.alliance.slug}/intern/sitzungen/{meeting.pk}/{rest}"


def item_url(item: AgendaItem, rest: str = "") -> str:
    return url(item.meeting, f"punkte/{item.pk}/{rest}")


def steering_meeting(structure: AllianceStructure, *, hours_ago: int = 1, **fields: Any) -> Meeting:
    start = hours_ago_today(hours_ago)
    fields.setdefault("location", "Haus der Wirtschaft, Braunschweig")
    return planning.meeting_create(
        actor=None,
        body=structure.bodies["steering"],
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        **fields,
    )


def free_item(meeting: Meeting, title: str, **fields: Any) -> AgendaItem:
    return agenda.agenda_item_create(actor=None, meeting=meeting, title=title, **fields)


def steering_project(structure: AllianceStructure, **fields: Any) -> Project:
    """A sketch before the Steuerkreis, by default of the city (which holds a vote there)."""
    fields.setdefault("applicant_organisation", structure.organisations["city"])
    return project_in_state(structure, Status.SKETCH_STEERING, **fields)


def voting(structure: AllianceStructure) -> list[Organisation]:
    """The Steuerkreis' voting organisations, in the order of their names."""
    keys = ["agency", "jobcenter", "city", "district", "union", "employers", "ihk", "hwk"]
    return sorted((structure.organisations[key] for key in keys), key=lambda org: org.name)


def record_presence(meeting: Meeting, present: list[Organisation]) -> None:
    """Invite (if needed) and mark `present` as represented, everyone else absent."""
    if meeting.status == "planned":
        invitations.meeting_invite(actor=None, meeting=meeting)
    ids = {org.pk for org in present}
    attendance.attendance_record(
        actor=None,
        meeting=meeting,
        entries={
            row.organisation_id: attendance.AttendanceEntry(
                Presence.REPRESENTATIVE if row.organisation_id in ids else Presence.ABSENT
            )
            for row in meeting.attendances.all()
        },
    )


def attendance_data(
    meeting: Meeting, presence: dict[int, str], names: dict[int, str] | None = None
) -> dict[str, str]:
    """The attendance form as a browser sends it: every row, absent unless named."""
    data: dict[str, str] = {}
    for row in Attendance.objects.filter(meeting=meeting):
        data[f"presence_{row.organisation_id}"] = presence.get(row.organisation_id, Presence.ABSENT)
        data[f"name_{row.organisation_id}"] = (names or {}).get(row.organisation_id, "")
    return data


def snapshot(meeting: Meeting) -> tuple[object, ...]:
    """Everything a step on the meeting could change."""
    fresh = Meeting.objects.get(pk=meeting.pk)
    minutes = (
        Minutes.objects.filter(meeting=meeting)
        .values_list("status", "version", "public_text")
        .first()
    )
    return (
        fresh.status,
        fresh.version,
        fresh.location,
        list(
            AgendaItem.objects.filter(meeting=meeting)
            .order_by("pk")
            .values_list("pk", "position", "title")
        ),
        list(
            Attendance.objects.filter(meeting=meeting)
            .order_by("pk")
            .values_list("organisation_id", "presence")
        ),
        list(Guest.objects.filter(meeting=meeting).values_list("name", flat=True)),
        Decision.objects.filter(item__meeting=meeting).count(),
        Recusal.objects.filter(item__meeting=meeting).count(),
        AgendaDocument.objects.filter(item__meeting=meeting).count(),
        minutes,
        Meeting.objects.filter(alliance=meeting.alliance).count(),
    )


@dataclass
class Scene:
    """A meeting with a project item, a free item, a paper, a guest and draft minutes."""

    structure: AllianceStructure
    meeting: Meeting
    later: Meeting
    project: Project
    project_item: AgendaItem
    item: AgendaItem
    document: AgendaDocument
    guest: Any


def build_scene(structure: AllianceStructure) -> Scene:
    meeting = steering_meeting(structure)
    later = steering_meeting(structure, hours_ago=-24 * 90)
    project = steering_project(structure, title="Welcome Center")
    [project_item] = agenda.agenda_propose(actor=None, meeting=meeting)
    item = free_item(
        meeting,
        "Bericht der Geschäftsstelle",
        proposed_decision="Der Steuerkreis nimmt den Bericht zur Kenntnis.",
    )
    document = agenda.agenda_document_add(
        actor=None, item=item, title="Jahresbericht", upload=pdf_upload("bericht.pdf")
    )
    guest = attendance.guest_add(actor=None, meeting=meeting, name="Dr. Gast", affiliation="NBank")
    minutes_services.minutes_generate(actor=None, meeting=meeting)
    return Scene(
        structure=structure,
        meeting=meeting,
        later=later,
        project=project,
        project_item=project_item,
        item=item,
        document=document,
        guest=guest,
    )
