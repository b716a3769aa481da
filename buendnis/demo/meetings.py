"""Demo meetings, loaded with the demo alliances: SüdOstNiedersachsen's Steuerkreis and
Sprecherkreis from 2018 to the present, and a year ahead for both alliances.

History (`load_demo_history`, before the alliance's cycle and its projects): the Steuerkreis
meetings in which it adopted the fields of action of a phase — March 2018 (the structure of the
council paper, word for word; the day is illustrative), February 2021 and February 2024 — and the
two meetings of 2020 in which it decided the alliance's other business (the office's report, the
partners' shares of the office, a joint event, the dates). The projects' votes carry the dates of
meetings too ("Sitzung vom 17.09.2020"); those were recorded through the procedure when the
projects were loaded, so these meetings decide free items only.

The present (`load_demo_meetings`): the year 2026, planned in December 2025 as the office would
(`meetings_plan_year`: the Steuerkreis on the third Wednesday of each quarter's middle month, the
Sprecherkreis two weeks before it, submissions closing two weeks before that) and held quarter
by quarter, each meeting approving the minutes of its body's one before; in November 2026 the
Steuerkreis adopted the fields of action of 2027–2030 (`demo.renewal` links the decision). Ahead:
the first year whose meetings all lie ahead is planned for both alliances, the next Sprecherkreis
meeting has its agenda proposed from the projects waiting for it, and an Umlaufbeschluss is open
on the sketch waiting for the Steuerkreis.

Every meeting is held through the services as of its own time (`demo.clock`): created weeks
before, its agenda set and the invitation sent three weeks (Sprecherkreis: ten days) before,
attendance and decisions during the meeting, closed (minutes drafted) after it. People,
attendance, objections and guests are illustrative, like the rest of the demo; everything goes
through the services with `actor=None`. A second load creates and changes nothing: a meeting that
exists (or has left "planned") is not held again, a year with a Steuerkreis meeting is not planned
again, a circulation is found by its title, and proposing an agenda adds only projects that are
on no agenda yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

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

from .clock import as_of, moment
from .structure import ALLIANZ

SON = "son"
LEINE_WESER = "leine-weser"

LOCATIONS = {
    SON: "Braunschweig, Sitzungsraum der Geschäftsstelle (Allianz für die Region GmbH)",
    LEINE_WESER: "Hannover, Haus der Region",
}
VIDEO = "Videokonferenz"
VIDEO_URL = "https://konferenz.example.org/steuerkreis-son"

# The demo's present: the last of its recorded days lies before it (docs: README, "Demo data").
PRESENT = date(2026, 12, 6)

SKETCH_WAITING_FOR_STEERING = "Studienzweifler ins Handwerk"

SEPTEMBER = date(2020, 9, 17)
DECEMBER = date(2020, 12, 3)
# The Steuerkreis meetings that adopted the fields of action of a phase (`demo.renewal`).
MARCH_2018 = date(2018, 3, 14)
FEBRUARY_2021 = date(2021, 2, 17)
FEBRUARY_2024 = date(2024, 2, 21)
NOVEMBER_2026 = date(2026, 11, 18)
THEMES_2018 = "Themenstruktur der regionalen Fachkräftestrategie 2018–2021"
THEMES_2021 = "Handlungsfelder und Themen der Fachkräftestrategie 2021–2024"
THEMES_2024 = "Handlungsfelder und Themen der Fachkräftestrategie 2024–2027"
THEMES_2027 = "Handlungsfelder und Themen der Fachkräftestrategie 2027–2030"
# The year the office planned in December 2025 and held.
YEAR_HELD = 2026
PLANNED_ON = date(2025, 12, 10)

CIRCULATION_TITLE = f"Kurzskizze „{SKETCH_WAITING_FOR_STEERING}“ im Umlaufverfahren"
CIRCULATION_OPENED = date(2026, 12, 1)
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
    return moment(day, hour, minute)


def _bodies(alliance: Alliance) -> dict[str, Body]:
    return {body.kind: body for body in Body.objects.filter(alliance=alliance)}


# --- A meeting as data --------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSpec:
    title: str
    decision: str
    public: bool = True
    # Organisation names: objecting (with the reason), abstaining, recused (with the reason).
    objections: tuple[tuple[str, str], ...] = ()
    abstentions: tuple[str, ...] = ()
    recused: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class MeetingSpec:
    day: date
    items: tuple[ItemSpec, ...]
    # Not represented, represented by the deputy (organisation names); guests (name, affiliation).
    absent: tuple[str, ...] = ()
    deputies: tuple[str, ...] = ()
    guests: tuple[tuple[str, str], ...] = ()
    location: str = ""
    online_url: str = ""
    hours: float = 3
    # The first item approves the minutes of the body's meeting on this day.
    approves: date | None = None


# How long before a meeting the office creates it (unless the year's plan did) and invites.
CREATED_BEFORE = timedelta(weeks=6)
INVITED_BEFORE: dict[str, timedelta] = {
    BodyKind.STEERING: timedelta(days=21),
    BodyKind.SPEAKERS: timedelta(days=10),
}
ITEM_MINUTES = 20


def _approval(day: date) -> ItemSpec:
    return ItemSpec(
        f"Genehmigung des Protokolls der Sitzung vom {day:%d.%m.%Y}",
        f"Das Protokoll der Sitzung vom {day:%d.%m.%Y} wird genehmigt.",
    )


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


def hold(body: Body, spec: MeetingSpec, *, meeting: Meeting | None = None) -> Meeting:
    """Create (unless planned), invite, attend, decide and close a meeting, each step as of its
    own time. Precondition: the meeting lies in the past and is not held yet."""
    alliance = body.alliance
    organisations = {
        organisation.name: organisation
        for organisation in Organisation.objects.filter(alliance=alliance)
    }
    start = _local(spec.day, 10)
    end = start + timedelta(hours=spec.hours)
    if meeting is None:
        with as_of(start - CREATED_BEFORE, restamp=False):
            meeting = planning.meeting_create(
                actor=None,
                body=body,
                starts_at=start,
                ends_at=end,
                location=spec.location or LOCATIONS.get(alliance.slug, ""),
                online_url=spec.online_url,
                submission_deadline=spec.day - timedelta(days=28),
                has_public_part=body.kind == BodyKind.STEERING,
            )
    items: list[tuple[AgendaItem, ItemSpec]] = []
    earlier = None
    if spec.approves is not None:
        earlier = Meeting.objects.get(body=body, starts_at__date=spec.approves)
    with as_of(start - INVITED_BEFORE[body.kind], restamp=False):
        for item_spec in ((_approval(spec.approves),) if spec.approves else ()) + spec.items:
            item = agenda.agenda_item_create(
                actor=None,
                meeting=meeting,
                title=item_spec.title,
                is_public=item_spec.public and meeting.has_public_part,
                proposed_decision=item_spec.decision,
            )
            for name, reason in item_spec.recused:
                agenda.recusal_declare(
                    actor=None, item=item, organisation=organisations[name], reason=reason
                )
            items.append((item, item_spec))
        invitations.meeting_invite(actor=None, meeting=meeting)
    with as_of(start, restamp=False):
        _attendance(meeting, absent=spec.absent, deputies=spec.deputies)
        for name, affiliation in spec.guests:
            attendance.guest_add(actor=None, meeting=meeting, name=name, affiliation=affiliation)
    for number, (item, item_spec) in enumerate(items, start=1):
        with as_of(start + timedelta(minutes=ITEM_MINUTES * number), restamp=False):
            decisions.decision_record(
                actor=None,
                item=item,
                proposal=decisions.Proposal.DECIDE,
                objections={organisations[name].pk: reason for name, reason in item_spec.objections}
                or None,
                abstentions=tuple(organisations[name].pk for name in item_spec.abstentions),
            )
            if earlier is not None and number == 1:
                earlier.refresh_from_db()
                minutes.minutes_approve(actor=None, minutes=earlier.minutes, approved_in=meeting)
    with as_of(end + timedelta(minutes=30), restamp=False):
        minutes.meeting_close(actor=None, meeting=meeting)
    meeting.refresh_from_db()
    return meeting


def _held(body: Body, day: date) -> bool:
    return Meeting.objects.filter(body=body, starts_at__date=day).exists()


def decision_on(alliance: Alliance, day: date, title: str) -> Decision | None:
    """The Steuerkreis' decision on the item `title` of its meeting on `day` (for `demo.renewal`)."""
    return (
        Decision.objects.filter(
            alliance=alliance,
            item__meeting__body__kind=BodyKind.STEERING,
            item__meeting__starts_at__date=day,
            item__title=title,
        )
        .select_related("item__meeting")
        .first()
    )


# --- History ------------------------------------------------------------------------------------

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

_REPORT = (
    "Der Steuerkreis nimmt den Bericht der Geschäftsstelle zum Stand der Vorhaben und des "
    "virtuellen Budgets zur Kenntnis."
)

HISTORY = (
    MeetingSpec(
        MARCH_2018,
        (
            # The paper: "In der Steuerkreissitzung des Bündnisses im März 2018 wurde die
            # folgende Themenstruktur final verabschiedet" — and the list is not closed.
            ItemSpec(
                THEMES_2018,
                "Der Steuerkreis verabschiedet die Themenstruktur der regionalen "
                "Fachkräftestrategie 2018 bis 2021 mit den Schwerpunkten Beratungsinfrastruktur, "
                "Digitalisierung / Innovation sowie Rekrutierung und Matching. Die Aufzählung ist "
                "nicht abschließend; es bleibt bei der thematischen Offenheit.",
            ),
            ItemSpec(
                "Verlängerung der Anerkennung für die Förderphase 2018–2021",
                "Die Geschäftsstelle bittet die Partner, die Kooperationsvereinbarung ab 2018 zu "
                "unterzeichnen, und beantragt beim Ministerium die Verlängerung der Anerkennung.",
            ),
        ),
        absent=("Technische Universität Clausthal", "Landvolk Braunschweiger Land e. V."),
    ),
    MeetingSpec(
        SEPTEMBER,
        (
            ItemSpec("Bericht der Geschäftsstelle: Stand der Förderphase 2018–2021", _REPORT),
            ItemSpec(
                "Eigenanteile der Partner an der Geschäftsstelle 2021",
                "Die Partner tragen den Eigenanteil der Geschäftsstelle 2021 wie im Vorjahr nach "
                "dem vereinbarten Schlüssel.",
                public=False,
                abstentions=("Landkreis Helmstedt",),
                recused=((ALLIANZ, "Trägerin der Geschäftsstelle"),),
            ),
            ItemSpec(
                "Gemeinsamer Fachkräftetag mit dem Fachkräftebündnis Südniedersachsen im "
                "Frühjahr 2021",
                "Die Geschäftsstelle bereitet mit dem Fachkräftebündnis Südniedersachsen einen "
                "gemeinsamen Fachkräftetag im Frühjahr 2021 vor.",
                public=False,
                objections=(
                    (
                        "DGB Region SüdOstNiedersachsen",
                        "Der Zeitplan ist zu knapp; bitte mit einem Konzept in der "
                        "Dezembersitzung erneut beraten.",
                    ),
                ),
            ),
            ItemSpec(
                "Sitzungstermine 2021",
                "Der Steuerkreis tagt 2021 am 17.02., 19.05., 18.08. und 17.11.; der "
                "Sprecherkreis jeweils zwei Wochen vorher.",
            ),
        ),
        absent=ABSENT_IN_SEPTEMBER,
        deputies=DEPUTIES_IN_SEPTEMBER,
        guests=(("Dr. Petra Musterbank", "NBank, Förderberatung (Gast)"),),
    ),
    MeetingSpec(
        DECEMBER,
        (
            ItemSpec(
                "Gemeinsamer Fachkräftetag 2021: Konzept",
                "Der Steuerkreis stimmt dem Konzept für den gemeinsamen Fachkräftetag mit dem "
                "Fachkräftebündnis Südniedersachsen zu; er findet digital statt.",
            ),
        ),
        absent=ABSENT_IN_DECEMBER,
        location=VIDEO,
        online_url=VIDEO_URL,
        hours=2.5,
        approves=SEPTEMBER,
    ),
    MeetingSpec(
        FEBRUARY_2021,
        (
            ItemSpec(
                THEMES_2021,
                "Der Steuerkreis beschließt die Handlungsfelder Beratungsinfrastruktur, "
                "Digitalisierung / Innovation sowie Rekrutierung und Matching mit ihren Themen "
                "für die Förderphase 2021–2024; weitere Themen bleiben möglich.",
            ),
            ItemSpec(
                "Verlängerung der Anerkennung für die Förderphase 2021–2024",
                "Die Geschäftsstelle bittet die Partner um ihre Unterschrift unter die "
                "Kooperationsvereinbarung 2021–2024 bis zum 31.05.2021.",
            ),
        ),
        absent=("Technische Universität Clausthal", "Landkreis Goslar"),
        location=VIDEO,
        online_url=VIDEO_URL,
        hours=2.5,
        approves=DECEMBER,
    ),
    MeetingSpec(
        FEBRUARY_2024,
        (
            ItemSpec(
                THEMES_2024,
                "Der Steuerkreis beschließt die Handlungsfelder „Fachkräfte gewinnen und "
                "binden“, „Qualifizierung und Transformation“ und „Integration in Arbeit“ mit "
                "ihren Themen für die Förderphase 2024–2027; weitere Themen bleiben möglich.",
            ),
            ItemSpec(
                "Verlängerung der Anerkennung für die Förderphase 2024–2027",
                "Die Geschäftsstelle bittet die Partner um ihre Unterschrift unter die "
                "Kooperationsvereinbarung 2024–2027 bis zum 31.05.2024.",
            ),
        ),
        absent=("Landvolk Braunschweiger Land e. V.", "Caritasverband Braunschweig e. V."),
    ),
)


def load_history(alliance: Alliance) -> None:
    steering = _bodies(alliance).get(BodyKind.STEERING)
    if steering is None:
        return
    for spec in HISTORY:
        if not _held(steering, spec.day):
            hold(steering, spec)


# --- The present: the year 2026, held ------------------------------------------------------------

# The Steuerkreis meetings of 2026, by quarter (the days of `planning.default_quarter_days`).
STEERING_2026 = (
    MeetingSpec(
        date(2026, 2, 18),
        (
            ItemSpec("Bericht der Geschäftsstelle: Stand der Förderphase 2024–2027", _REPORT),
            ItemSpec(
                "Fachkräftekonferenz SüdOstNiedersachsen 2026",
                "Die Geschäftsstelle richtet die Fachkräftekonferenz am 12.11.2026 in "
                "Braunschweig aus.",
            ),
        ),
        absent=("Technische Universität Clausthal", "Agentur für Arbeit Helmstedt"),
    ),
    MeetingSpec(
        date(2026, 5, 20),
        (
            ItemSpec(
                "Fahrplan zur Verlängerung der Anerkennung für 2027–2030",
                "Die Geschäftsstelle bereitet die Förderphase 2027–2030 vor: Entwurf der "
                "Fachkräftestrategie bis Oktober, Beschluss der Handlungsfelder im November "
                "2026, Unterschriften der Partner bis Ende März 2027.",
            ),
        ),
        absent=("Landvolk Braunschweiger Land e. V.",),
        deputies=("Stadt Salzgitter",),
        approves=date(2026, 2, 18),
    ),
    MeetingSpec(
        date(2026, 8, 19),
        (
            ItemSpec(
                "Fachkräftestrategie 2027–2030: Rückblick und Eckpunkte",
                "Der Steuerkreis beauftragt die Geschäftsstelle, aus dem Rückblick auf die "
                "Förderphasen seit 2015 die Handlungsfelder der Förderphase 2027–2030 zu "
                "entwerfen; Beschluss in der Novembersitzung.",
            ),
            ItemSpec(
                "Eigenanteile der Partner an der Geschäftsstelle 2027",
                "Die Partner tragen den Eigenanteil der Geschäftsstelle 2027 nach dem "
                "vereinbarten Schlüssel.",
                public=False,
                abstentions=("Landkreis Helmstedt",),
                recused=((ALLIANZ, "Trägerin der Geschäftsstelle"),),
            ),
        ),
        absent=("Caritasverband Braunschweig e. V.", "Technische Universität Clausthal"),
        guests=(("Dr. Petra Musterbank", "NBank, Förderberatung (Gast)"),),
        approves=date(2026, 5, 20),
    ),
    MeetingSpec(
        NOVEMBER_2026,
        (
            ItemSpec(
                THEMES_2027,
                "Der Steuerkreis beschließt die Handlungsfelder „Fachkräfte gewinnen und "
                "binden“, „Qualifizierung und Transformation“ und „Integration in Arbeit“ mit "
                "ihren Themen für die Förderphase 2027–2030; weitere Themen bleiben möglich.",
            ),
            ItemSpec(
                "Sitzungstermine 2027",
                "Der Steuerkreis tagt 2027 am 17.02., 19.05., 18.08. und 17.11.; der "
                "Sprecherkreis jeweils zwei Wochen vorher.",
            ),
        ),
        absent=("Technische Universität Clausthal", "Landkreis Peine"),
        deputies=("IG Metall Braunschweig",),
        approves=date(2026, 8, 19),
    ),
)


def _speakers_spec(steering: MeetingSpec, approves: date | None) -> MeetingSpec:
    return MeetingSpec(
        steering.day - timedelta(days=14),
        (
            ItemSpec(
                f"Vorbereitung der Steuerkreissitzung am {steering.day:%d.%m.%Y}",
                "Der Sprecherkreis schlägt die Tagesordnung der Steuerkreissitzung vor und "
                "bereitet die Vorlagen vor.",
                public=False,
            ),
        ),
        approves=approves,
    )


def load_year_held(alliance: Alliance) -> None:
    """Plan 2026 as of December 2025, then hold its meetings quarter by quarter."""
    bodies = _bodies(alliance)
    steering, speakers = bodies.get(BodyKind.STEERING), bodies.get(BodyKind.SPEAKERS)
    if steering is None or speakers is None:
        return
    if not Meeting.objects.filter(body=steering, starts_at__year=YEAR_HELD).exists():
        with as_of(moment(PLANNED_ON, 9), restamp=False):
            planning.meetings_plan_year(
                actor=None,
                alliance=alliance,
                steering_days=planning.default_quarter_days(YEAR_HELD),
                location=LOCATIONS.get(alliance.slug, ""),
            )
    previous_speakers: date | None = None
    for spec in STEERING_2026:
        speakers_spec = _speakers_spec(spec, previous_speakers)
        previous_speakers = speakers_spec.day
        for body, body_spec in ((speakers, speakers_spec), (steering, spec)):
            planned = Meeting.objects.filter(
                body=body, starts_at__date=body_spec.day, status=MeetingStatus.PLANNED
            ).first()
            if planned is not None:
                hold(body, body_spec, meeting=planned)


# --- Ahead --------------------------------------------------------------------------------------


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


def _circulation(alliance: Alliance) -> None:
    """The sketch the Steuerkreis deferred in November waits for its vote: the office asks in
    writing, so that the description can be discussed in February."""
    if Circulation.objects.filter(alliance=alliance, title=CIRCULATION_TITLE).exists():
        return
    project = Project.objects.filter(
        alliance=alliance, title=SKETCH_WAITING_FOR_STEERING, status=Status.SKETCH_STEERING
    ).first()
    if project is None:
        return
    # The deadline lies ahead of whenever the demo is loaded.
    deadline = _local(max(timezone.localdate(), PRESENT) + timedelta(days=10), 18)
    opened = _local(CIRCULATION_OPENED, 14)
    with as_of(opened, restamp=False):
        circulation = circulations.circulation_open(
            actor=None,
            alliance=alliance,
            title=CIRCULATION_TITLE,
            text=(
                f"Der Steuerkreis befürwortet die Kurzskizze „{project.title}“ der "
                f"{project.applicant_organisation.name} und bittet um die Projektbeschreibung. "
                "Der Sprecherkreis hat die Befürwortung empfohlen; die Zusage der "
                "Kofinanzierung liegt inzwischen vor. Damit die Projektbeschreibung im Februar "
                "beraten werden kann, entscheidet der Steuerkreis im Umlaufverfahren."
            ),
            deadline=deadline,
            project=project,
        )
    # `opened_at` defaults to the real time (see `demo.clock`).
    Circulation.objects.filter(pk=circulation.pk).update(opened_at=opened)
    organisations = {
        organisation.name: organisation
        for organisation in Organisation.objects.filter(
            alliance=alliance, name__in=[name for name, _answer, _comment in CIRCULATION_ANSWERS]
        )
    }
    for number, (name, answer, comment) in enumerate(CIRCULATION_ANSWERS, start=1):
        with as_of(opened + timedelta(hours=20 * number), restamp=False):
            circulations.circulation_answer(
                actor=None,
                circulation=circulation,
                organisation=organisations[name],
                answer=answer,
                comment=comment,
            )


def load_demo_history() -> int:
    """SüdOstNiedersachsen's Steuerkreis meetings from 2018 to 2024; returns how many records
    were created (0 when loaded). Runs after the alliances, before their cycle
    (`demo.renewal`), which links the adoptions."""
    before = _count()
    alliance = Alliance.objects.filter(slug=SON).first()
    if alliance is None:
        return 0
    with notifications.muted(), transaction.atomic():
        load_history(alliance)
    return _count() - before


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
            if slug == SON:
                load_history(alliance)
                load_year_held(alliance)
            upcoming = _plan_ahead(alliance)
            if slug != SON:
                continue
            if upcoming is not None:
                agenda.agenda_propose(actor=None, meeting=upcoming)
            _circulation(alliance)
    return _count() - before
