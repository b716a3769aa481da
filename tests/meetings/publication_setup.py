"""A year of meetings for the tests of what leaves the office: public pages and calendars.

Built through the services (the rules hold as in production), with words in every non-public
field that a test can look for: whatever the public must never see contains "GEHEIM".
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from buendnis.accounts.models import User
from buendnis.meetings.models import AgendaItem, Meeting, Presence
from buendnis.meetings.services import agenda, attendance, decisions, invitations, planning
from buendnis.meetings.services import minutes as minutes_services
from tests.factories import AllianceStructure

# Must never appear on a public page or in a public calendar.
SECRETS = [
    "GEHEIM-Punkt Personalangelegenheit",
    "GEHEIM-Notiz zum öffentlichen Punkt",
    "GEHEIM-Notiz zum nichtöffentlichen Punkt",
    "GEHEIM-Beschluss nichtöffentlich",
    "GEHEIM-Protokoll nichtöffentlicher Teil",
    "GEHEIM-Entwurf öffentlicher Teil",
    "GEHEIM-Klausur des Steuerkreises",
    "GEHEIM-Punkt der Klausur",
    "GEHEIM-Punkt des Sprecherkreises",
]


@dataclass
class Scene:
    held: Meeting  # public part; decided; minutes approved
    approving: Meeting  # public part; invited, started; its own minutes a draft
    planned: Meeting  # public part; not yet invited (its agenda is a draft)
    closed_door: Meeting  # Steuerkreis without public part
    cancelled: Meeting  # public part; cancelled after the invitation
    speakers: Meeting  # Sprecherkreis, without public part (as planned by the year planner)
    report: AgendaItem  # public, agreed with an abstention and a recusal
    disputed: AgendaItem  # public, not agreed (an objection)
    personnel: AgendaItem  # non-public, agreed


def present_everyone(office: User, meeting: Meeting) -> None:
    attendance.attendance_record(
        actor=office,
        meeting=meeting,
        entries={
            row.organisation_id: attendance.AttendanceEntry(Presence.REPRESENTATIVE)
            for row in meeting.attendances.all()
        },
    )


def build_scene(structure: AllianceStructure, office: User) -> Scene:
    steering = structure.bodies["steering"]
    orgs = structure.organisations
    # Meetings start on the minute (the office enters them so; iCalendar keeps whole seconds).
    now = timezone.now().replace(second=0, microsecond=0)

    held = planning.meeting_create(
        actor=office,
        body=steering,
        starts_at=now - timedelta(days=30),
        ends_at=now - timedelta(days=30) + timedelta(hours=3),
        location="Rathaus Braunschweig, Großer Sitzungssaal",
    )
    report = agenda.agenda_item_create(
        actor=office,
        meeting=held,
        title="Bericht der Geschäftsstelle zur Fachkräftesicherung",
        is_public=True,
        notes="GEHEIM-Notiz zum öffentlichen Punkt",
    )
    disputed = agenda.agenda_item_create(
        actor=office, meeting=held, title="Gemeinsame Messe für Zweitbewerber", is_public=True
    )
    personnel = agenda.agenda_item_create(
        actor=office,
        meeting=held,
        title="GEHEIM-Punkt Personalangelegenheit",
        is_public=False,
        notes="GEHEIM-Notiz zum nichtöffentlichen Punkt",
    )
    invitations.meeting_invite(actor=office, meeting=held)
    present_everyone(office, held)
    agenda.recusal_declare(
        actor=office, item=report, organisation=orgs["hwk"], reason="Eigener Bericht"
    )
    decisions.decision_record(
        actor=office,
        item=report,
        proposal=decisions.Proposal.DECIDE,
        abstentions=[orgs["union"].pk],
        text="Der Steuerkreis nimmt den Bericht zustimmend zur Kenntnis.",
    )
    decisions.decision_record(
        actor=office,
        item=disputed,
        proposal=decisions.Proposal.DECIDE,
        objections={orgs["employers"].pk: "Zu teuer für die Betriebe."},
    )
    decisions.decision_record(
        actor=office,
        item=personnel,
        proposal=decisions.Proposal.DECIDE,
        text="GEHEIM-Beschluss nichtöffentlich",
    )
    minutes_services.meeting_close(actor=office, meeting=held)
    minutes = held.minutes
    minutes_services.minutes_update(
        actor=office,
        minutes=minutes,
        public_text="Öffentliches Protokoll: Der Bericht wurde vorgestellt.",
        nonpublic_text="GEHEIM-Protokoll nichtöffentlicher Teil",
    )

    approving = planning.meeting_create(
        actor=office, body=steering, starts_at=now - timedelta(hours=1), location="Wolfsburg"
    )
    agenda.agenda_item_create(
        actor=office, meeting=approving, title="Genehmigung des Protokolls", is_public=True
    )
    invitations.meeting_invite(actor=office, meeting=approving)
    minutes_services.minutes_approve(actor=office, minutes=minutes, approved_in=approving)
    # The approving meeting's own minutes stay a draft.
    minutes_services.meeting_close(actor=office, meeting=approving)
    draft = Meeting.objects.get(pk=approving.pk).minutes
    minutes_services.minutes_update(
        actor=office,
        minutes=draft,
        public_text="GEHEIM-Entwurf öffentlicher Teil",
        nonpublic_text="GEHEIM-Protokoll nichtöffentlicher Teil",
    )

    planned = planning.meeting_create(
        actor=office, body=steering, starts_at=now + timedelta(days=60), location="Salzgitter"
    )
    agenda.agenda_item_create(
        actor=office, meeting=planned, title="Entwurf einer Tagesordnung", is_public=True
    )

    closed_door = planning.meeting_create(
        actor=office,
        body=steering,
        starts_at=now + timedelta(days=20),
        title="GEHEIM-Klausur des Steuerkreises",
        has_public_part=False,
    )
    agenda.agenda_item_create(
        actor=office, meeting=closed_door, title="GEHEIM-Punkt der Klausur", is_public=True
    )

    cancelled = planning.meeting_create(
        actor=office, body=steering, starts_at=now + timedelta(days=10), location="Goslar"
    )
    agenda.agenda_item_create(
        actor=office, meeting=cancelled, title="Vorstellung des Welcome Centers", is_public=True
    )
    invitations.meeting_invite(actor=office, meeting=cancelled)
    planning.meeting_cancel(actor=office, meeting=cancelled, reason="Zu wenige Anmeldungen.")

    speakers = planning.meeting_create(
        actor=office,
        body=structure.bodies["speakers"],
        starts_at=now + timedelta(days=50),
        has_public_part=False,
        prepares=planned,
    )
    agenda.agenda_item_create(
        actor=office, meeting=speakers, title="GEHEIM-Punkt des Sprecherkreises", is_public=False
    )

    def fresh(meeting: Meeting) -> Meeting:
        return Meeting.objects.get(pk=meeting.pk)

    return Scene(
        held=fresh(held),
        approving=fresh(approving),
        planned=fresh(planned),
        closed_door=fresh(closed_door),
        cancelled=fresh(cancelled),
        speakers=fresh(speakers),
        report=report,
        disputed=disputed,
        personnel=personnel,
    )
