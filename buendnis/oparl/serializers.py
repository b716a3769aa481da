"""OParl 1.1 objects as plain dicts, from rows the selectors fetched.

Only public data goes in: what the public site shows. Contact data, internal notes, reasons of
outcomes, non-public agenda items, draft minutes and the non-public part of minutes are never read
here. Own fields carry the vendor prefix `buendnis:`. Date-times are local time with their offset
(`2024-05-23T10:00:00+02:00`), whole seconds, as the specification asks.

Mapping (see the module docstring of views.py for the addresses):

- Body: an alliance. LegislativeTerm: a funding phase.
- Organization: the alliance's bodies (`classification` "Gremium", the office "Geschäftsstelle")
  and its organisations ("Kooperationspartner" once they signed an agreement).
- Person: only people who agreed to be named (`show_name_publicly`).
- Membership: a seat on a body; `onBehalfOf` the organisation that holds it; `person` only if
  named publicly.
- Meeting / AgendaItem: meetings with a public part; public items once the agenda went out.
- Paper: a public project's Kurzskizze and Projektbeschreibung; Consultation: a body's outcome on
  it (Sprecherkreis "Vorberatung", Steuerkreis "Beschluss", authoritative).
- File: the public part of approved minutes (text/plain). Project documents are not public.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone

from buendnis.alliances.models import (
    Alliance,
    Body,
    BodyKind,
    FundingPhase,
    Organisation,
    Person,
    Seat,
)
from buendnis.funding import permissions as funding_permissions
from buendnis.funding.models import BodyOutcome, Project
from buendnis.meetings import permissions as meeting_permissions
from buendnis.meetings.models import (
    AgendaItem,
    Decision,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
)

from . import selectors
from .links import OPARL_VERSION, Links, type_url

Obj = dict[str, Any]

PAPER_TYPES = {selectors.SKETCH: "Kurzskizze", selectors.DESCRIPTION: "Projektbeschreibung"}


def when(value: datetime) -> str:
    """`yyyy-mm-ddThh:mm:ss±hh:mm` in the platform's time zone."""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def day(value: date) -> str:
    return value.isoformat()


def money(value: Decimal) -> str:
    """Amounts as strings with cents ("140000.00"): JSON numbers would invite floats."""
    return f"{value:.2f}"


def _stamps(obj: Any) -> Obj:
    return {"created": when(obj.oparl_created), "modified": when(obj.oparl_modified)}


def deleted(url: str, kind: str, *, created: datetime, modified: datetime) -> Obj:
    """What remains of an object that left the public: its id, type, dates and `deleted`."""
    return {
        "id": url,
        "type": type_url(kind),
        "created": when(created),
        "modified": when(modified),
        "deleted": True,
    }


@dataclass
class Context:
    """What the objects of one answer share: the addresses, and lookups made once per page."""

    links: Links
    alliance: Alliance
    decisions: dict[int, Decision] = field(default_factory=dict)
    _office: int | None = None
    _office_known: bool = False

    def office_id(self) -> int | None:
        if not self._office_known:
            self._office = selectors.office_body_id(self.alliance)
            self._office_known = True
        return self._office

    @property
    def body_url(self) -> str:
        return self.links.body(self.alliance.slug)


# --- System, Body, LegislativeTerm ---------------------------------------------------------------


def system(links: Links) -> Obj:
    return {
        "id": links.system(),
        "type": type_url("System"),
        "oparlVersion": OPARL_VERSION,
        "body": links.body_list(),
        "name": "Bündnisportal",
        "website": links.site("/"),
    }


def legislative_term(phase: FundingPhase, links: Links, slug: str) -> Obj:
    return {
        "id": links.obj("legislativeterm", phase.pk),
        "type": type_url("LegislativeTerm"),
        "body": links.body(slug),
        "name": phase.name,
        "startDate": day(phase.starts_on),
        "endDate": day(phase.ends_on),
        **_stamps(phase),
    }


def body(alliance: Alliance, links: Links) -> Obj:
    slug = alliance.slug
    data: Obj = {
        "id": links.body(slug),
        "type": type_url("Body"),
        "system": links.system(),
        "name": alliance.name,
        "shortName": alliance.display_short_name,
        "classification": "Fachkräftebündnis",
        "legislativeTerm": [
            legislative_term(phase, links, slug) for phase in alliance.phases.all()
        ],
        "legislativeTermList": links.body_part(slug, "legislativeterm"),
        "web": links.site(reverse("public:alliance_home", args=[slug])),
        **_stamps(alliance),
    }
    for name in (
        "organization",
        "person",
        "meeting",
        "paper",
        "membership",
        "consultation",
        "file",
    ):
        data[name] = links.body_part(slug, name)
    data["agendaItem"] = links.body_part(slug, "agendaitem")
    if alliance.website:
        data["website"] = alliance.website
    if alliance.office_email:
        data["contactEmail"] = alliance.office_email
    if alliance.office_host:
        data["contactName"] = alliance.office_host
    return data


# --- Organization --------------------------------------------------------------------------------


def body_organization(row: Body, ctx: Context) -> Obj:
    return {
        "id": ctx.links.body_organization(row.pk),
        "type": type_url("Organization"),
        "body": ctx.body_url,
        "name": row.name,
        "classification": "Geschäftsstelle" if row.kind == BodyKind.OFFICE else "Gremium",
        "membership": [ctx.links.obj("membership", seat.pk) for seat in row.seats.all()],
        "web": ctx.links.site(reverse("public:bodies", args=[ctx.alliance.slug])),
        **_stamps(row),
    }


def organisation(row: Organisation, ctx: Context) -> Obj:
    data: Obj = {
        "id": ctx.links.organisation(row.pk),
        "type": type_url("Organization"),
        "body": ctx.body_url,
        "name": row.name,
        "classification": (
            "Kooperationspartner" if getattr(row, "has_signed", False) else "Weitere Organisation"
        ),
        "buendnis:group": row.group.name,
        **_stamps(row),
    }
    if row.short_name:
        data["shortName"] = row.short_name
    if row.website:
        data["website"] = row.website
    if row.city:
        data["buendnis:city"] = row.city
    return data


# --- Person, Membership ----------------------------------------------------------------------------


def membership(seat: Seat, ctx: Context, *, person: Person | None, modified: datetime) -> Obj:
    """`person` is the seat's person if (and only if) they agreed to be named."""
    data: Obj = {
        "id": ctx.links.obj("membership", seat.pk),
        "type": type_url("Membership"),
        "organization": ctx.links.body_organization(seat.body_id),
        "onBehalfOf": ctx.links.organisation(seat.organisation_id),
        "role": seat.get_role_display(),
        "votingRight": seat.can_vote,
        "startDate": day(seat.starts_on),
        "created": when(seat.created_at),
        "modified": when(modified),
    }
    if person is not None and person.show_name_publicly:
        data["person"] = ctx.links.obj("person", person.pk)
    if seat.ends_on is not None:
        data["endDate"] = day(seat.ends_on)
    return data


def seat_membership(seat: Seat, ctx: Context) -> Obj:
    """A membership from the membership list (person joined, `oparl_modified` annotated)."""
    return membership(seat, ctx, person=seat.person, modified=seat.oparl_modified)  # type: ignore[attr-defined]


def person(row: Person, ctx: Context) -> Obj:
    if not row.show_name_publicly:  # the selector fetched none of these; the rule holds anyway
        raise ValueError("person not public")
    data: Obj = {
        "id": ctx.links.obj("person", row.pk),
        "type": type_url("Person"),
        "body": ctx.body_url,
        "name": row.full_name,
        "familyName": row.last_name,
        "givenName": row.first_name,
        "membership": [
            membership(seat, ctx, person=row, modified=max(seat.updated_at, row.updated_at))
            for seat in row.seats.all()
        ],
        **_stamps(row),
    }
    if row.title:
        data["title"] = [row.title]
    return data


# --- Meeting, AgendaItem, File ----------------------------------------------------------------------


def item_is_published(item: AgendaItem, meeting: Meeting) -> bool:
    return item.is_public and meeting_permissions.is_agenda_published(meeting)


def minutes_are_published(minutes: Minutes | None, meeting: Meeting) -> bool:
    """Only approved minutes of a public meeting are published (their public part), as on the
    meeting's public page."""
    return (
        minutes is not None
        and minutes.status == MinutesStatus.APPROVED
        and meeting_permissions.can_view_meeting_publicly(meeting)
    )


def agenda_item(item: AgendaItem, meeting: Meeting, ctx: Context) -> Obj:
    decision: Decision | None = getattr(item, "decision", None)
    modified = item.updated_at if decision is None else max(item.updated_at, decision.created_at)
    data: Obj = {
        "id": ctx.links.obj("agendaitem", item.pk),
        "type": type_url("AgendaItem"),
        "meeting": ctx.links.obj("meeting", meeting.pk),
        "number": str(item.number),
        "order": item.position,
        "name": item.title,
        "public": True,
        "created": when(item.created_at),
        "modified": when(modified),
    }
    if decision is not None:
        data["result"] = decision.get_outcome_display()
        if decision.text:
            data["resolutionText"] = decision.text
        project = item.project
        if (
            decision.body_outcome_id is not None
            and project is not None
            and funding_permissions.can_view_project_publicly(project)
        ):
            data["consultation"] = ctx.links.obj("consultation", decision.body_outcome_id)
    return data


def minutes_file(minutes: Minutes, meeting: Meeting, ctx: Context) -> Obj:
    text = minutes.public_text
    data: Obj = {
        "id": ctx.links.minutes_file(minutes.pk),
        "type": type_url("File"),
        "name": f"Protokoll (öffentlicher Teil): {meeting.display_title}",
        "fileName": f"protokoll-sitzung-{meeting.pk}.txt",
        "mimeType": "text/plain",
        "size": len(text.encode()),
        "accessUrl": ctx.links.minutes_download(minutes.pk),
        "downloadUrl": ctx.links.minutes_download(minutes.pk),
        "meeting": [ctx.links.obj("meeting", meeting.pk)],
        "created": when(minutes.created_at),
        "modified": when(minutes.updated_at),
    }
    if minutes.approved_at is not None:
        data["date"] = day(timezone.localtime(minutes.approved_at).date())
    return data


def meeting(row: Meeting, ctx: Context) -> Obj:
    if not meeting_permissions.can_view_meeting_publicly(row):
        raise ValueError("meeting not public")
    data: Obj = {
        "id": ctx.links.obj("meeting", row.pk),
        "type": type_url("Meeting"),
        "name": row.display_title,
        "meetingState": row.get_status_display(),
        "cancelled": row.status == MeetingStatus.CANCELLED,
        "start": when(row.starts_at),
        "organization": [ctx.links.body_organization(row.body_id)],
        "web": ctx.links.site(reverse("public_meetings:detail", args=[ctx.alliance.slug, row.pk])),
        **_stamps(row),
    }
    if row.ends_at is not None:
        data["end"] = when(row.ends_at)
    if row.location:
        data["buendnis:location"] = row.location
    if meeting_permissions.is_agenda_published(row):
        data["agendaItem"] = [
            agenda_item(item, row, ctx) for item in row.items.all() if item_is_published(item, row)
        ]
    minutes: Minutes | None = getattr(row, "minutes", None)
    if minutes is not None and minutes_are_published(minutes, row):
        data["resultsProtocol"] = minutes_file(minutes, row, ctx)
    return data


# --- Paper, Consultation -----------------------------------------------------------------------------


def consultation(outcome: BodyOutcome, project: Project, ctx: Context) -> Obj:
    """One body's outcome on one paper. Deleted once the project left the public."""
    url = ctx.links.obj("consultation", outcome.pk)
    modified = max(outcome.recorded_at, project.updated_at)
    if not funding_permissions.can_view_project_publicly(project):
        return deleted(url, "Consultation", created=outcome.recorded_at, modified=modified)
    steering = outcome.body.kind == BodyKind.STEERING
    data: Obj = {
        "id": url,
        "type": type_url("Consultation"),
        "paper": ctx.links.paper(selectors.paper_kind(outcome.stage_status), project.pk),
        "organization": [ctx.links.body_organization(outcome.body_id)],
        "role": "Beschluss" if steering else "Vorberatung",
        "authoritative": steering,
        "buendnis:result": outcome.get_outcome_display(),
        "buendnis:date": day(outcome.decided_on),
        "created": when(outcome.recorded_at),
        "modified": when(modified),
    }
    decision = ctx.decisions.get(outcome.pk)
    if decision is not None:
        item = decision.item
        if meeting_permissions.can_view_meeting_publicly(item.meeting):
            data["meeting"] = ctx.links.obj("meeting", item.meeting_id)
        if item_is_published(item, item.meeting):
            data["agendaItem"] = ctx.links.obj("agendaitem", item.pk)
    return data


def paper(project: Project, kind: str, ctx: Context) -> Obj:
    url = ctx.links.paper(kind, project.pk)
    if not funding_permissions.can_view_project_publicly(project):
        return deleted(url, "Paper", created=project.created_at, modified=project.updated_at)
    other = selectors.DESCRIPTION if kind == selectors.SKETCH else selectors.SKETCH
    label = PAPER_TYPES[kind]
    grant = (
        project.granted_amount if project.granted_amount is not None else project.requested_grant
    )
    data: Obj = {
        "id": url,
        "type": type_url("Paper"),
        "body": ctx.body_url,
        "name": f"{label} „{project.title}“",
        "reference": project.reference,
        "paperType": label,
        "relatedPaper": [ctx.links.paper(other, project.pk)],
        "originatorOrganization": [ctx.links.organisation(project.applicant_organisation_id)],
        "consultation": [
            consultation(outcome, project, ctx)
            for outcome in project.outcomes.all()
            if outcome.stage_status in selectors.OUTCOME_STAGES[kind]
        ],
        "buendnis:status": project.public_status_label,
        "buendnis:grant": money(grant),
        "buendnis:eligibleCosts": money(project.eligible_costs),
        "created": when(project.created_at),
        "modified": when(project.updated_at),
    }
    if project.summary:
        data["buendnis:summary"] = project.summary
    office = ctx.office_id()
    if office is not None:
        data["underDirectionOf"] = [ctx.links.body_organization(office)]
    submitted = [
        step.created_at
        for step in project.transitions.all()
        if step.to_status == selectors.SUBMITTED[kind]
    ]
    if submitted:
        data["date"] = day(timezone.localtime(max(submitted)).date())
    return data


def papers(project: Project, ctx: Context) -> list[Obj]:
    return [paper(project, kind, ctx) for kind in selectors.PAPER_KINDS]
