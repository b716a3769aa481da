"""Demo meetings, loaded after the demo alliances and projects.

For both demo alliances a year is planned at once, as the office would (`meetings_plan_year`):
the Steuerkreis on the third Wednesday of each quarter's middle month, the Sprecherkreis two weeks
before it, submissions closing two weeks before that. It is the first year whose meetings all lie
ahead (the current one early in the year, else the next), so no past meeting is left "planned".

For SüdOstNiedersachsen, the alliance of the council paper, there is history consistent with its
projects, which are dated 2018–2021: the Steuerkreis met on 17.09.2020 and 03.12.2020, the dates
the demo projects' votes carry ("Sitzung vom 17.09.2020"). Those votes were recorded through the
procedure when the projects were loaded, so the two meetings decide the alliance's other business
(free items): the office's report, the partners' shares of the office, a joint event, the dates.
The first meeting's minutes, with a public and a non-public part, were approved in the second.
Ahead lies the next Sprecherkreis meeting with its agenda proposed from the projects waiting for
it, and one Umlaufbeschluss is open on the sketch waiting for the Steuerkreis.

People, attendance, objections and guests are illustrative, like the rest of the demo. Everything
goes through the services with `actor=None`. A second load creates and changes nothing: a year
with a Steuerkreis meeting is not planned again, the history is skipped when its first meeting
exists, a circulation is found by its title, and proposing an agenda adds only projects that are
on no agenda yet.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import models, transaction
from django.utils import timezone

from buendnis.alliances.models import Alliance, Body, BodyKind, Organisation, Person, PersonFunction
from buendnis.funding.models import Project
from buendnis.funding.states import Status
from buendnis.meetings import notifications, selectors
from buendnis.meetings.models import (
    AgendaDocument,
    AgendaItem,
    Answer,
    Attendance,
    Circulation,
    CirculationAnswer,
    Decision,
    Guest,
    Meeting,
    MeetingStatus,
    Minutes,
    Presence,
    Recusal,
)
from buendnis.meetings.services import (
    agenda,
    attendance,
    circulations,
    decisions,
    invitations,
    minutes,
    planning,
)

from .structure import ALLIANZ

SON = "son"
LEINE_WESER = "leine-weser"

LOCATIONS = {
    SON: "Braunschweig, Sitzungsraum der Geschäftsstelle (Allianz für die Region GmbH)",
    LEINE_WESER: "Hannover, Haus der Region",
}

SKETCH_WAITING_FOR_STEERING = "Studienzweifler ins Handwerk"

SEPTEMBER = date(2020, 9, 17)
DECEMBER = date(2020, 12, 3)

# Not represented on 17.09.2020 (four of 28); represented by the deputy.
ABSENT_IN_SEPTEMBER = (
    "Technische Universität Clausthal",
    "Landvolk Braunschweiger Land e. V.",
    "Agentur für Arbeit Helmstedt",
    "Caritasverband Braunschweig e. V.",
)
DEPUTIES_IN_SEPTEMBER = ("Landkreis Goslar", "IG Metall Braunschweig", "Stadt Salzgitter")
ABSENT_IN_DECEMBER = (
    "Technische Universität Clausthal",
    "Landkreis Peine",
    "Diakonie im Braunschweiger Land gGmbH",
)

CIRCULATION_TITLE = f"Kurzskizze „{SKETCH_WAITING_FOR_STEERING}“ im Umlaufverfahren"
# Answered so far (the demo login "steuerkreis" answers for the Stadt Braunschweig).
CIRCULATION_ANSWERS = (
    ("IHK Braunschweig", Answer.AGREE, ""),
    ("Agentur für Arbeit Braunschweig-Goslar", Answer.AGREE, ""),
    ("Kreishandwerkerschaft Braunschweig-Gifhorn", Answer.AGREE, ""),
    ("Technische Universität Braunschweig", Answer.ABSTAIN, ""),
)

# Everything this module creates, for the count of new records.
MODELS: tuple[type[models.Model], ...] = (
    Meeting,
    AgendaItem,
    AgendaDocument,
    Attendance,
    Guest,
    Recusal,
    Decision,
    Minutes,
    Circulation,
    CirculationAnswer,
)


def _count() -> int:
    return sum(model._default_manager.count() for model in MODELS)


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def _bodies(alliance: Alliance) -> dict[str, Body]:
    return {body.kind: body for body in Body.objects.filter(alliance=alliance)}


# --- The year's plan ----------------------------------------------------------------------------


def _plan(alliance: Alliance, year: int) -> None:
    """Plan the year unless a Steuerkreis meeting of it exists (the office planned it, or a
    previous load did)."""
    planned = (
        Meeting.objects.filter(
            alliance=alliance, body__kind=BodyKind.STEERING, starts_at__year=year
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .exists()
    )
    if planned:
        return
    planning.meetings_plan_year(
        actor=None,
        alliance=alliance,
        steering_days=planning.default_quarter_days(year),
        location=LOCATIONS.get(alliance.slug, ""),
    )


SPEAKERS_LEAD_DAYS = 14


def _plan_ahead(alliance: Alliance) -> Meeting | None:
    """Unless a Sprecherkreis meeting lies ahead, plan the first year whose meetings all lie
    ahead. Returns the next Sprecherkreis meeting."""
    speakers = _bodies(alliance).get(BodyKind.SPEAKERS)
    if speakers is None:
        return None
    upcoming = selectors.next_meeting(speakers, timezone.now())
    if upcoming is None:
        # A year whose meetings would lie behind us stays unplanned: past meetings left
        # "planned" would look forgotten. The first year with all meetings ahead is planned.
        today = timezone.localdate()
        year = today.year
        if planning.default_quarter_days(year)[0] - timedelta(days=SPEAKERS_LEAD_DAYS) <= today:
            year += 1
        _plan(alliance, year)
        upcoming = selectors.next_meeting(speakers, timezone.now())
    return upcoming


# --- History: two Steuerkreis meetings of 2020 --------------------------------------------------


def _attendance(
    meeting: Meeting, *, absent: tuple[str, ...], deputies: tuple[str, ...] = ()
) -> None:
    """Every seat represented but the absent ones, by the organisation's representative (or its
    deputy); the advisory Amt takes part."""
    rows = list(meeting.attendances.select_related("organisation"))
    people = {
        (person.organisation_id, person.function): person.full_name
        for person in Person.objects.filter(
            organisation_id__in=[row.organisation_id for row in rows],
            function__in=(PersonFunction.REPRESENTATIVE, PersonFunction.DEPUTY),
        )
    }
    entries = {}
    for row in rows:
        name = row.organisation.name
        if name in absent:
            entries[row.organisation_id] = attendance.AttendanceEntry(Presence.ABSENT)
        elif name in deputies:
            entries[row.organisation_id] = attendance.AttendanceEntry(
                Presence.DEPUTY, people.get((row.organisation_id, PersonFunction.DEPUTY), "")
            )
        else:
            entries[row.organisation_id] = attendance.AttendanceEntry(
                Presence.REPRESENTATIVE,
                people.get((row.organisation_id, PersonFunction.REPRESENTATIVE), ""),
            )
    attendance.attendance_record(actor=None, meeting=meeting, entries=entries)


def _item(meeting: Meeting, title: str, decision: str, *, public: bool = True) -> AgendaItem:
    return agenda.agenda_item_create(
        actor=None, meeting=meeting, title=title, is_public=public, proposed_decision=decision
    )


def _decide(
    item: AgendaItem,
    *,
    objections: dict[int, str] | None = None,
    abstentions: tuple[int, ...] = (),
) -> Decision:
    return decisions.decision_record(
        actor=None,
        item=item,
        proposal=decisions.Proposal.DECIDE,
        objections=objections,
        abstentions=abstentions,
    )


def _history(alliance: Alliance) -> None:
    bodies = _bodies(alliance)
    steering = bodies.get(BodyKind.STEERING)
    if steering is None:
        return
    if Meeting.objects.filter(body=steering, starts_at=_local(SEPTEMBER, 10)).exists():
        return
    organisations = {
        organisation.name: organisation
        for organisation in Organisation.objects.filter(alliance=alliance)
    }

    september = planning.meeting_create(
        actor=None,
        body=steering,
        starts_at=_local(SEPTEMBER, 10),
        ends_at=_local(SEPTEMBER, 13),
        location=LOCATIONS[SON],
        submission_deadline=SEPTEMBER - timedelta(days=28),
    )
    invitations.meeting_invite(actor=None, meeting=september)
    _attendance(september, absent=ABSENT_IN_SEPTEMBER, deputies=DEPUTIES_IN_SEPTEMBER)
    attendance.guest_add(
        actor=None,
        meeting=september,
        name="Dr. Petra Musterbank",
        affiliation="NBank, Förderberatung (Gast)",
    )
    report = _item(
        september,
        "Bericht der Geschäftsstelle: Stand der Förderphase 2018–2021",
        "Der Steuerkreis nimmt den Bericht der Geschäftsstelle zum Stand der Vorhaben und des "
        "virtuellen Budgets zur Kenntnis.",
    )
    _decide(report)
    shares = _item(
        september,
        "Eigenanteile der Partner an der Geschäftsstelle 2021",
        "Die Partner tragen den Eigenanteil der Geschäftsstelle 2021 wie im Vorjahr nach dem "
        "vereinbarten Schlüssel.",
        public=False,
    )
    agenda.recusal_declare(
        actor=None,
        item=shares,
        organisation=organisations[ALLIANZ],
        reason="Trägerin der Geschäftsstelle",
    )
    _decide(shares, abstentions=(organisations["Landkreis Helmstedt"].pk,))
    event = _item(
        september,
        "Gemeinsamer Fachkräftetag mit dem Fachkräftebündnis Südniedersachsen im Frühjahr 2021",
        "Die Geschäftsstelle bereitet mit dem Fachkräftebündnis Südniedersachsen einen "
        "gemeinsamen Fachkräftetag im Frühjahr 2021 vor.",
        public=False,
    )
    _decide(
        event,
        objections={
            organisations["DGB Region SüdOstNiedersachsen"].pk: (
                "Der Zeitplan ist zu knapp; bitte mit einem Konzept in der Dezembersitzung "
                "erneut beraten."
            )
        },
    )
    dates = _item(
        september,
        "Sitzungstermine 2021",
        "Der Steuerkreis tagt 2021 am 17.02., 19.05., 18.08. und 17.11.; der Sprecherkreis "
        "jeweils zwei Wochen vorher.",
    )
    _decide(dates)
    minutes.meeting_close(actor=None, meeting=september)

    december = planning.meeting_create(
        actor=None,
        body=steering,
        starts_at=_local(DECEMBER, 10),
        ends_at=_local(DECEMBER, 12, 30),
        location="Videokonferenz",
        online_url="https://konferenz.example.org/steuerkreis-son",
        submission_deadline=DECEMBER - timedelta(days=28),
    )
    invitations.meeting_invite(actor=None, meeting=december)
    _attendance(december, absent=ABSENT_IN_DECEMBER)
    approval = _item(
        december,
        "Genehmigung des Protokolls der Sitzung vom 17.09.2020",
        "Das Protokoll der Sitzung vom 17.09.2020 wird genehmigt.",
    )
    _decide(approval)
    september.refresh_from_db()
    minutes.minutes_approve(actor=None, minutes=september.minutes, approved_in=december)
    concept = _item(
        december,
        "Gemeinsamer Fachkräftetag 2021: Konzept",
        "Der Steuerkreis stimmt dem Konzept für den gemeinsamen Fachkräftetag mit dem "
        "Fachkräftebündnis Südniedersachsen zu; er findet digital statt.",
    )
    _decide(concept)
    minutes.meeting_close(actor=None, meeting=december)


# --- Ahead: the next Sprecherkreis meeting, and a circulation -----------------------------------


def _circulation(alliance: Alliance) -> None:
    if Circulation.objects.filter(alliance=alliance, title=CIRCULATION_TITLE).exists():
        return
    project = Project.objects.filter(
        alliance=alliance, title=SKETCH_WAITING_FOR_STEERING, status=Status.SKETCH_STEERING
    ).first()
    if project is None:
        return
    deadline = _local(timezone.localdate() + timedelta(days=10), 18)
    circulation = circulations.circulation_open(
        actor=None,
        alliance=alliance,
        title=CIRCULATION_TITLE,
        text=(
            f"Der Steuerkreis befürwortet die Kurzskizze „{project.title}“ der "
            f"{project.applicant_organisation.name} und bittet um die Projektbeschreibung. "
            "Der Sprecherkreis hat die Befürwortung empfohlen; damit die Projektbeschreibung "
            "noch in diesem Quartal beraten werden kann, entscheidet der Steuerkreis im "
            "Umlaufverfahren."
        ),
        deadline=deadline,
        project=project,
    )
    organisations = {
        organisation.name: organisation
        for organisation in Organisation.objects.filter(
            alliance=alliance, name__in=[name for name, _answer, _comment in CIRCULATION_ANSWERS]
        )
    }
    for name, answer, comment in CIRCULATION_ANSWERS:
        circulations.circulation_answer(
            actor=None,
            circulation=circulation,
            organisation=organisations[name],
            answer=answer,
            comment=comment,
        )


def load_demo_meetings() -> int:
    """Load the demo meetings; returns how many records were created (0 when loaded).

    Runs after the alliances and projects (returns 0 without them). Mail stays muted; as with the
    projects, the caller mutes around its outermost transaction when it nests this load."""
    before = _count()
    with notifications.muted(), transaction.atomic():
        for slug in (SON, LEINE_WESER):
            alliance = Alliance.objects.filter(slug=slug).first()
            if alliance is None:
                continue
            upcoming = _plan_ahead(alliance)
            if slug != SON:
                continue
            _history(alliance)
            if upcoming is not None:
                agenda.agenda_propose(actor=None, meeting=upcoming)
            _circulation(alliance)
    return _count() - before
