#!/usr/bin/env python3
"""A large, realistic data set for the benchmark: the eight alliances of Lower Saxony.

Each alliance gets groups, ~30 organisations with people, its three bodies with seats, three
funding phases with fields of action and topics, N projects (default 2,500) spread over the phases
and every state of the procedure (most of them public), with co-financing, consultations,
transitions, body outcomes, documents (a few bytes each), ledger bookings, meetings with agenda
items, attendance and decisions.

Written with `bulk_create` in batches: the services would take hours for this much. The data keeps
the rules the services enforce all the same: amounts are Decimal with cents, the requested grant is
at most rate × eligible costs and grant + co-financing = eligible costs; the ledger of a phase
books exactly what the services would book for each state (reservation at the Votum, commitment
and release at the bank's decision, payment and release at closing) and the phase budget is sized
so that it is never overdrawn; transitions follow the procedure's table (`funding.states`).

    DATABASE_URL=postgres://… python scripts/bench_data.py --alliances 8 --projects 2500
    # importable: from scripts.bench_data import generate
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, ROUND_UP, Decimal
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    import django

    django.setup()

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone

from buendnis.alliances.models import (
    ActionField,
    Alliance,
    Body,
    BodyKind,
    CooperationAgreement,
    FundingPhase,
    GroupKind,
    Organisation,
    OrganisationGroup,
    Person,
    PersonFunction,
    Seat,
    SeatRole,
    Topic,
)
from buendnis.budget import rules as budget_rules
from buendnis.budget.models import LedgerEntry
from buendnis.core.models import AuditEntry
from buendnis.funding.models import (
    BodyOutcome,
    CoFinancing,
    Consultation,
    DocumentKind,
    FundingPriority,
    Outcome,
    Project,
    ProjectDocument,
    Transition,
)
from buendnis.funding.states import (
    BODY_STAGES,
    MONEY_FIXED_STATES,
    NEXT_ON_POSITIVE,
    Booking,
    booking_for,
    can_move,
)
from buendnis.funding.states import Status as S
from buendnis.funding.wording import RELEASE_NOTES
from buendnis.meetings.models import (
    AgendaItem,
    Attendance,
    Decision,
    DecisionOutcome,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    Presence,
)

BATCH = 2000
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# slug, name (as recognised by Lower Saxony in 2015), seat of the office, region
ALLIANCES: list[tuple[str, str, str, str]] = [
    (
        "son",
        "SüdOstNiedersachsen",
        "Braunschweig",
        "Braunschweig, Wolfsburg, Salzgitter, Gifhorn, Goslar, Helmstedt, Peine, Wolfenbüttel",
    ),
    ("suedniedersachsen", "Südniedersachsen", "Göttingen", "Göttingen, Northeim, Holzminden"),
    (
        "leine-weser",
        "Leine-Weser",
        "Hannover",
        "Region Hannover, Hameln-Pyrmont, Hildesheim, Nienburg, Schaumburg",
    ),
    (
        "nordwest",
        "Nordwest",
        "Oldenburg",
        "Oldenburg, Delmenhorst, Ammerland, Cloppenburg, Vechta, Wesermarsch",
    ),
    ("jadebay", "JadeBay", "Wilhelmshaven", "Wilhelmshaven, Friesland, Wittmund"),
    ("ems-achse", "Ems-Achse", "Papenburg", "Emsland, Grafschaft Bentheim, Leer, Aurich, Emden"),
    (
        "nordostniedersachsen",
        "Nordostniedersachsen",
        "Lüneburg",
        "Lüneburg, Lüchow-Dannenberg, Uelzen, Celle, Heidekreis, Harburg",
    ),
    ("elbe-weser", "Elbe-Weser", "Stade", "Stade, Cuxhaven, Osterholz, Rotenburg (Wümme), Verden"),
]

GROUPS: list[tuple[str, str, bool]] = [
    ("Arbeitsagenturen und Jobcenter", GroupKind.EMPLOYMENT_AGENCIES, True),
    ("Kommunen", GroupKind.MUNICIPALITIES, True),
    ("Gewerkschaften", GroupKind.UNIONS, True),
    ("Arbeitgeberverbände", GroupKind.EMPLOYER_ASSOCIATIONS, True),
    ("Kammern", GroupKind.CHAMBERS, False),
    ("Hochschulen", GroupKind.UNIVERSITIES, False),
    ("Wohlfahrtsverbände", GroupKind.WELFARE, False),
    ("Sonstige", GroupKind.OTHER, False),
]
ORGANISATIONS_BY_GROUP = [
    [
        "Agentur für Arbeit {city}",
        "Jobcenter {city}",
        "Jobcenter Landkreis {city}",
        "Regionaldirektion Niedersachsen-Bremen",
    ],
    [
        "Stadt {city}",
        "Landkreis {city}",
        "Samtgemeinde {city}-Land",
        "Amt für regionale Landesentwicklung {city}",
        "Region {city}",
    ],
    ["DGB Region {city}", "IG Metall {city}", "ver.di Bezirk {city}"],
    [
        "Arbeitgeberverband {city}",
        "Unternehmerverbände Niedersachsen, Bezirk {city}",
        "Arbeitgeberverband Chemie {city}",
    ],
    [
        "IHK {city}",
        "Handwerkskammer {city}",
        "Landwirtschaftskammer, Bezirksstelle {city}",
        "Ärztekammer, Bezirksstelle {city}",
    ],
    ["Hochschule {city}", "Universität {city}", "Volkshochschule {city}"],
    [
        "AWO Bezirksverband {city}",
        "Caritasverband {city}",
        "Diakonisches Werk {city}",
        "Paritätischer {city}",
    ],
    [
        "Wirtschaftsförderung {city}",
        "Welcome Center {city}",
        "Bildungswerk der Wirtschaft {city}",
        "Regionalmanagement {city}",
    ],
]
FIRST_NAMES = [
    "Anna",
    "Jens",
    "Birgit",
    "Mehmet",
    "Katrin",
    "Lars",
    "Sabine",
    "Olga",
    "Thomas",
    "Ines",
    "Jan",
    "Aylin",
]
LAST_NAMES = [
    "Meyer",
    "Schulze",
    "Brandt",
    "Yilmaz",
    "Hoffmann",
    "Janssen",
    "Kowalski",
    "Peters",
    "Wagner",
    "Ahrens",
]

# name, start, end, rate (50 % until 2021, 70 % later), latest project end
PHASES: list[tuple[str, date, date, Decimal, date | None]] = [
    (
        "Förderphase 2015–2018",
        date(2015, 1, 1),
        date(2018, 12, 31),
        Decimal("50.00"),
        date(2019, 6, 30),
    ),
    (
        "Förderphase 2019–2022",
        date(2019, 1, 1),
        date(2022, 12, 31),
        Decimal("50.00"),
        date(2023, 6, 30),
    ),
    ("Förderphase 2023–2027", date(2023, 1, 1), date(2027, 12, 31), Decimal("70.00"), None),
]
FIELDS = [
    (
        "Fachkräfte sichern und gewinnen",
        ["Welcome Center", "Rückkehrende", "Internationale Fachkräfte"],
    ),
    (
        "Arbeitslose qualifizieren und vermitteln",
        ["Langzeitarbeitslose", "Geflüchtete", "Stille Reserve"],
    ),
    ("Beschäftigte weiterbilden", ["Digitalisierung", "Pflege", "Kleine und mittlere Unternehmen"]),
    ("Übergang Schule–Beruf", ["Berufsorientierung", "Ausbildungsabbruch"]),
]
TITLE_WORDS = [
    "Welcome Center",
    "Praktikumsbörse",
    "Stille Reserve",
    "Pflege-Brücke",
    "Digital-Lotsen",
    "Fachkräfte-Netzwerk",
    "Qualifizierungsverbund",
    "Mentoring für Geflüchtete",
    "Zukunftswerkstatt",
    "Weiterbildungsberatung KMU",
    "Rückkehr in den Beruf",
    "Azubi-Coaching",
    "Teilzeitausbildung",
]

# The procedure's main line, and where each final or side state leaves it (the path to it).
MAIN_LINE = [
    S.IDEA,
    S.CONSULTATION,
    S.SKETCH_SUBMITTED,
    S.SKETCH_SPEAKERS,
    S.SKETCH_STEERING,
    S.DESCRIPTION_REQUESTED,
    S.DESCRIPTION_SUBMITTED,
    S.DESCRIPTION_SPEAKERS,
    S.DESCRIPTION_STEERING,
    S.ENDORSED,
    S.APPLICATION_FILED,
    S.GRANTED,
    S.RUNNING,
    S.CLOSED,
]
SIDE_STATES: dict[str, tuple[str, str]] = {
    # state: (the main-line state it leaves from, the state a revision/deferral returns to)
    S.REVISION_REQUESTED: (S.SKETCH_SPEAKERS, S.SKETCH_SUBMITTED),
    S.DEFERRED: (S.DESCRIPTION_SPEAKERS, S.DESCRIPTION_SPEAKERS),
    S.REJECTED: (S.SKETCH_STEERING, ""),
    S.WITHDRAWN: (S.DESCRIPTION_REQUESTED, ""),
    S.DECLINED: (S.APPLICATION_FILED, ""),
}
# Share of projects per state (percent), past phases and the current one. Public states dominate.
PAST_MIX = {S.CLOSED: 68, S.RUNNING: 4, S.DECLINED: 6, S.REJECTED: 10, S.WITHDRAWN: 12}
CURRENT_MIX = {
    S.IDEA: 3,
    S.CONSULTATION: 3,
    S.SKETCH_SUBMITTED: 3,
    S.SKETCH_SPEAKERS: 2,
    S.SKETCH_STEERING: 2,
    S.DESCRIPTION_REQUESTED: 3,
    S.DESCRIPTION_SUBMITTED: 2,
    S.DESCRIPTION_SPEAKERS: 2,
    S.DESCRIPTION_STEERING: 2,
    S.REVISION_REQUESTED: 2,
    S.DEFERRED: 2,
    S.REJECTED: 3,
    S.WITHDRAWN: 3,
    S.DECLINED: 2,
    S.ENDORSED: 12,
    S.APPLICATION_FILED: 10,
    S.GRANTED: 12,
    S.RUNNING: 20,
    S.CLOSED: 12,
}
PHASE_SHARE = (0.3, 0.3, 0.4)
GRANTED_STATES = frozenset({S.GRANTED, S.RUNNING, S.CLOSED})


def path_to(state: str) -> list[str]:
    """The states a project went through to reach `state`, in order, each move allowed."""
    if state in SIDE_STATES:
        leave, _back = SIDE_STATES[state]
        states = [*MAIN_LINE[: MAIN_LINE.index(leave) + 1], state]
    else:
        states = MAIN_LINE[: MAIN_LINE.index(state) + 1]
    if not all(can_move(a, b) for a, b in zip(states, states[1:], strict=False)):
        raise ValueError(f"Kein erlaubter Weg: {states}")
    return states


def reached(state: str, milestone: str) -> bool:
    return milestone in path_to(state)


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(CENT)


def _bulk(model: type[models.Model], rows: Sequence[models.Model]) -> list[Any]:
    return model.objects.bulk_create(rows, batch_size=BATCH)  # type: ignore[attr-defined]


@dataclass
class Plan:
    """One project as planned before any row is written."""

    phase_index: int
    state: str
    costs: Decimal
    requested: Decimal
    granted: Decimal | None = None
    final: Decimal | None = None
    shares: list[Decimal] = field(default_factory=list)


@dataclass
class Counts:
    values: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, number: int) -> None:
        self.values[name] = self.values.get(name, 0) + number


def _pick_states(rng: random.Random, mix: dict[str, int], number: int) -> list[str]:
    """Shares as given (rounded), and every state at least once even in small sets."""
    total = sum(mix.values())
    rest: list[str] = []
    for state, weight in mix.items():
        rest += [state] * max(0, round(number * weight / total) - 1)
    rng.shuffle(rest)
    states = (list(mix) + rest)[:number]
    while len(states) < number:
        states.append(rng.choice(list(mix)))
    rng.shuffle(states)
    return states


def _plan_projects(rng: random.Random, number: int) -> list[Plan]:
    plans: list[Plan] = []
    sizes = [round(number * share) for share in PHASE_SHARE]
    sizes[-1] = number - sum(sizes[:-1])
    for index, size in enumerate(sizes):
        rate = PHASES[index][3]
        mix = CURRENT_MIX if index == len(PHASES) - 1 else PAST_MIX
        for state in _pick_states(rng, mix, size):
            costs = Decimal(rng.randrange(200, 4000) * 100)
            # At most rate × costs (rounded down to the cent), often a little less.
            maximum = (costs * rate / 100).quantize(CENT, rounding=ROUND_DOWN)
            requested = (maximum * Decimal(rng.choice([100, 100, 95, 90])) / 100).quantize(
                CENT, rounding=ROUND_DOWN
            )
            rest = costs - requested
            first = (rest * Decimal(rng.randrange(30, 80)) / 100).quantize(CENT)
            shares = [first, rest - first] if rng.random() < 0.6 else [rest]
            plan = Plan(index, state, costs, requested, shares=shares)
            if state in GRANTED_STATES:
                plan.granted = (
                    requested * Decimal(rng.choice([100, 100, 100, 92])) / 100
                ).quantize(CENT, rounding=ROUND_DOWN)
            if state == S.CLOSED and plan.granted is not None:
                plan.final = (plan.granted * Decimal(rng.randrange(85, 101)) / 100).quantize(
                    CENT, rounding=ROUND_DOWN
                )
            plans.append(plan)
    return plans


def _ledger_rows(plan: Plan, base: dict[str, Any]) -> list[LedgerEntry]:
    """Exactly the bookings the budget services make for the project's path: each move's booking
    as `states.STEPS` declares it, its rows computed by the same rules (`budget.rules`)."""
    entries: list[budget_rules.Entry] = []
    reserved = committed = ZERO  # what the project holds after the moves so far
    path = path_to(plan.state)
    for source, target in zip(path, path[1:], strict=False):
        booking = booking_for(source, target)
        booked: list[budget_rules.Entry] = []
        if booking is Booking.RESERVE:
            booked = budget_rules.reservation(plan.requested)
        elif booking is Booking.COMMIT and plan.granted is not None:
            booked = budget_rules.commitment(reserved=reserved, granted=plan.granted)
        elif booking is Booking.SETTLE and plan.final is not None:
            booked = budget_rules.settlement(committed=committed, final_grant=plan.final)
        elif booking is Booking.RELEASE:
            booked = budget_rules.release(
                reserved=reserved, committed=committed, note=RELEASE_NOTES[target]
            )
        reserved += sum((entry.reserved for entry in booked), ZERO)
        committed += sum((entry.committed for entry in booked), ZERO)
        entries += booked
    return [
        LedgerEntry(
            kind=entry.kind,
            note=str(entry.note),
            **base,
            budget_delta=entry.budget,
            reserved_delta=entry.reserved,
            committed_delta=entry.committed,
            paid_delta=entry.paid,
        )
        for entry in entries
    ]


def _snapshot(orgs: list[Organisation]) -> dict[str, Any]:
    entries = [{"id": org.pk, "name": org.name} for org in orgs]
    present = entries[: max(1, len(entries) * 3 // 4)]
    return {
        "quorum": {
            "voting_seats": len(entries),
            "present": len(present),
            "required": len(entries) // 2 + 1,
            "percent": 50,
            "met": True,
        },
        "entitled": entries,
        "present": present,
        "advisory_present": [],
        "agreeing": present,
        "objecting": [],
        "abstaining": [],
        "recused": [],
    }


def _generate_alliance(
    rng: random.Random, index: int, projects: int, counts: Counts, write_files: bool
) -> None:
    slug, short, city, region = ALLIANCES[index]
    today = timezone.localdate()
    alliance = Alliance.objects.create(
        slug=slug,
        name=f"Fachkräftebündnis {short}",
        short_name=short,
        region=region,
        description=f"Regionales Fachkräftebündnis {short}, anerkannt 2015 vom Land Niedersachsen.",
        office_host=f"Allianz für die Region {city} GmbH",
        office_email=f"geschaeftsstelle@{slug}.example.org",
        recognising_authority="Niedersächsisches Ministerium für Wirtschaft, Arbeit, Verkehr und Digitalisierung",
    )
    counts.add("alliances", 1)

    groups = _bulk(
        OrganisationGroup,
        [
            OrganisationGroup(
                alliance=alliance, name=name, kind=kind, sends_deputy_speaker=deputy, position=pos
            )
            for pos, (name, kind, deputy) in enumerate(GROUPS)
        ],
    )
    orgs_new = []
    for group, names in zip(groups, ORGANISATIONS_BY_GROUP, strict=True):
        for pattern in names:
            orgs_new.append(
                Organisation(
                    alliance=alliance,
                    group=group,
                    name=pattern.format(city=city),
                    city=city,
                    postcode=f"{30000 + index * 1000 + len(orgs_new):05d}",
                    email=f"info{len(orgs_new)}@{slug}.example.org",
                    is_illustrative=True,
                )
            )
    orgs: list[Organisation] = _bulk(Organisation, orgs_new)
    people: list[Person] = _bulk(
        Person,
        [
            Person(
                alliance=alliance,
                organisation=org,
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                function=function,
                show_name_publicly=function == PersonFunction.REPRESENTATIVE,
            )
            for org in orgs
            for function in (PersonFunction.REPRESENTATIVE, PersonFunction.DEPUTY)
        ],
    )
    counts.add("organisations", len(orgs))
    counts.add("people", len(people))

    steering, speakers, office = _bulk(
        Body,
        [
            Body(
                alliance=alliance,
                kind=BodyKind.STEERING,
                name="Steuerkreis",
                meeting_rhythm="zweimal im Jahr",
            ),
            Body(
                alliance=alliance,
                kind=BodyKind.SPEAKERS,
                name="Sprecherkreis",
                meeting_rhythm="viermal im Jahr",
            ),
            Body(alliance=alliance, kind=BodyKind.OFFICE, name="Geschäftsstelle"),
        ],
    )
    seats = [
        Seat(
            alliance=alliance,
            body=steering,
            organisation=org,
            person=people[2 * pos],
            role=SeatRole.ADVISORY if pos % 6 == 5 else SeatRole.MEMBER,
            starts_on=date(2015, 1, 1),
        )
        for pos, org in enumerate(orgs)
    ]
    speaker_orgs = [orgs[0]] + [org for org in orgs if org.group.sends_deputy_speaker][1:5]
    seats += [
        Seat(
            alliance=alliance,
            body=speakers,
            organisation=org,
            role=SeatRole.SPEAKER if pos == 0 else SeatRole.DEPUTY_SPEAKER,
            starts_on=date(2015, 1, 1),
        )
        for pos, org in enumerate(speaker_orgs)
    ]
    host = orgs[-1]
    seats += [
        Seat(
            alliance=alliance,
            body=office,
            organisation=host,
            role=SeatRole.OFFICE_LEAD,
            starts_on=date(2015, 1, 1),
        ),
        Seat(
            alliance=alliance,
            body=office,
            organisation=host,
            role=SeatRole.OFFICE_STAFF,
            starts_on=date(2015, 1, 1),
        ),
    ]
    _bulk(Seat, seats)
    counts.add("seats", len(seats))
    voting = {
        BodyKind.STEERING: [
            seat.organisation
            for seat in seats
            if seat.body_id == steering.pk and seat.role == SeatRole.MEMBER
        ],
        BodyKind.SPEAKERS: speaker_orgs,
    }

    # Plan the projects first: the phase budgets are sized from what they book.
    plans = _plan_projects(rng, projects)
    booked = [ZERO, ZERO, ZERO]
    for plan in plans:
        if plan.state in MONEY_FIXED_STATES:
            booked[plan.phase_index] += plan.requested
    phases: list[FundingPhase] = _bulk(
        FundingPhase,
        [
            FundingPhase(
                alliance=alliance,
                name=name,
                starts_on=start,
                ends_on=end,
                funding_rate=rate,
                project_end_cutoff=cutoff,
                recognised_on=start - timedelta(days=60),
                recognition_reference=f"MW-{slug.upper()}-{start.year}",
                # Room for every reservation the phase ever held, plus a tenth left over.
                virtual_budget=(booked[pos] * Decimal("1.1") / 100000).quantize(
                    Decimal(1), rounding=ROUND_UP
                )
                * 100000
                or Decimal("600000.00"),
            )
            for pos, (name, start, end, rate, cutoff) in enumerate(PHASES)
        ],
    )
    _bulk(
        CooperationAgreement,
        [
            CooperationAgreement(
                alliance=alliance,
                phase=phase,
                organisation=org,
                signed_on=phase.starts_on - timedelta(days=30 - pos % 20),
            )
            for phase in phases
            for pos, org in enumerate(orgs)
        ],
    )
    fields_new: list[ActionField] = []
    for phase in phases:
        fields_new += [
            ActionField(alliance=alliance, phase=phase, title=title, position=pos)
            for pos, (title, _topics) in enumerate(FIELDS)
        ]
        fields_new.append(
            ActionField(
                alliance=alliance,
                phase=phase,
                title="Offenes Handlungsfeld",
                position=99,
                is_open=True,
            )
        )
    action_fields: list[ActionField] = _bulk(ActionField, fields_new)
    topics_new = []
    for action_field in action_fields:
        titles = dict(FIELDS).get(action_field.title, ["Sonstige Themen"])
        topics_new += [
            Topic(alliance=alliance, action_field=action_field, title=t, position=p)
            for p, t in enumerate(titles)
        ]
    topics: list[Topic] = _bulk(Topic, topics_new)
    topics_by_field: dict[int, list[Topic]] = {}
    for topic in topics:
        topics_by_field.setdefault(topic.action_field_id, []).append(topic)
    fields_by_phase: dict[int, list[ActionField]] = {}
    for action_field in action_fields:
        fields_by_phase.setdefault(action_field.phase_id, []).append(action_field)
    counts.add("phases", len(phases))
    counts.add("topics", len(topics))

    # The projects.
    numbers = [0, 0, 0]
    new_projects = []
    for plan in plans:
        phase = phases[plan.phase_index]
        numbers[plan.phase_index] += 1
        start = phase.starts_on + timedelta(days=rng.randrange(60, 500))
        end = min(
            start + timedelta(days=rng.randrange(365, 900)),
            phase.project_end_cutoff or phase.ends_on,
        )
        action_field = rng.choice(fields_by_phase[phase.pk])
        word = rng.choice(TITLE_WORDS)
        new_projects.append(
            Project(
                alliance=alliance,
                phase=phase,
                reference=f"{slug.upper()}-{phase.starts_on.year}-{numbers[plan.phase_index]:03d}",
                title=f"{word} {city} {numbers[plan.phase_index]}",
                summary=f"{word}: ein Vorhaben des Fachkräftebündnisses {short} in der Region {city}.",
                goals="Fachkräfte gewinnen, qualifizieren und halten.",
                target_group="Beschäftigte und Arbeitsuchende der Region",
                planned_participants=rng.randrange(10, 200),
                region=region[:300],
                action_field=action_field,
                funding_priority=rng.choice(FundingPriority.values),
                applicant_organisation=rng.choice(orgs),
                contact_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                starts_on=start,
                ends_on=end,
                eligible_costs=plan.costs,
                requested_grant=plan.requested,
                status=plan.state,
                return_status=SIDE_STATES.get(plan.state, ("", ""))[1],
                version=len(path_to(plan.state)),
                application_filed_on=start if reached(plan.state, S.APPLICATION_FILED) else None,
                application_reference=f"NB-{rng.randrange(10**6):06d}"
                if reached(plan.state, S.APPLICATION_FILED)
                else "",
                bank_decided_on=start + timedelta(days=40)
                if plan.granted is not None or plan.state == S.DECLINED
                else None,
                granted_amount=plan.granted,
                started_on=start + timedelta(days=60) if reached(plan.state, S.RUNNING) else None,
                closed_on=end if plan.state == S.CLOSED else None,
                final_eligible_costs=(plan.final * 100 / phase.funding_rate).quantize(CENT)
                if plan.final is not None
                else None,
                final_grant=plan.final,
                participants_entered=rng.randrange(5, 150)
                if reached(plan.state, S.RUNNING)
                else None,
                participants_exited=rng.randrange(5, 150) if plan.state == S.CLOSED else None,
            )
        )
    project_rows: list[Project] = _bulk(Project, new_projects)
    counts.add("projects", len(project_rows))

    topic_links = []
    cofinancing = []
    consultations = []
    transitions = []
    outcomes = []
    documents = []
    ledger = []
    Through = Project.topics.through
    for plan, project in zip(plans, project_rows, strict=True):
        candidates = topics_by_field.get(project.action_field_id or 0, [])
        topic_links += [
            Through(project_id=project.pk, topic_id=t.pk)
            for t in rng.sample(candidates, min(2, len(candidates)))
        ]
        cofinancing += [
            CoFinancing(
                project=project,
                organisation=rng.choice(orgs) if pos == 0 else None,
                name="" if pos == 0 else "Landkreis (Eigenanteil)",
                amount=share,
            )
            for pos, share in enumerate(plan.shares)
        ]
        states = path_to(plan.state)
        if len(states) > 1:
            consultations.append(
                Consultation(
                    project=project,
                    held_on=project.starts_on - timedelta(days=90),
                    participants="Geschäftsstelle, Projektträger",
                )
            )
        transitions += [
            Transition(project=project, from_status=a, to_status=b)
            for a, b in zip(states, states[1:], strict=False)
        ]
        day = project.starts_on - timedelta(days=80)
        for a, b in zip(states, states[1:], strict=False):
            if a in BODY_STAGES:
                outcome = (
                    Outcome.POSITIVE
                    if NEXT_ON_POSITIVE.get(a) == b
                    else Outcome.REVISION
                    if b == S.REVISION_REQUESTED
                    else Outcome.DEFERRED
                    if b == S.DEFERRED
                    else Outcome.NEGATIVE
                )
                body = steering if BODY_STAGES[a] == BodyKind.STEERING else speakers
                outcomes.append(
                    BodyOutcome(
                        project=project,
                        body=body,
                        stage_status=a,
                        outcome=outcome,
                        decided_on=day,
                        reference="Sitzung",
                    )
                )
                day += timedelta(days=14)
        for kind, milestone in (
            (DocumentKind.SKETCH, S.SKETCH_SUBMITTED),
            (DocumentKind.DESCRIPTION, S.DESCRIPTION_SUBMITTED),
            (DocumentKind.STATEMENT, S.ENDORSED),
        ):
            if reached(plan.state, milestone):
                documents.append(ProjectDocument(project=project, kind=kind, version=1))
        if plan.state == S.CLOSED:
            documents.append(
                ProjectDocument(project=project, kind=DocumentKind.FINAL_REPORT, version=1)
            )
        ledger += _ledger_rows(
            plan, {"alliance": alliance, "phase_id": project.phase_id, "project": project}
        )

    for document in documents:
        name = f"projects/{document.project_id}/{document.kind}/v1-{document.kind}.pdf"
        # A few bytes each: rows and links matter for the benchmark, not the file sizes.
        document.file.name = (
            default_storage.save(name, ContentFile(b"%PDF-1.4\n%%EOF\n")) if write_files else name
        )
    _bulk(Through, topic_links)
    _bulk(CoFinancing, cofinancing)
    _bulk(Consultation, consultations)
    _bulk(Transition, transitions)
    outcome_rows: list[BodyOutcome] = _bulk(BodyOutcome, outcomes)
    _bulk(ProjectDocument, documents)
    _bulk(LedgerEntry, ledger)
    for name, rows in (
        ("transitions", transitions),
        ("outcomes", outcomes),
        ("documents", documents),
        ("ledger", ledger),
        ("cofinancing", cofinancing),
    ):
        counts.add(name, len(rows))

    # Meetings: the speakers prepare, the steering committee decides; each body outcome is a
    # decision on an agenda item of a meeting of its body near the outcome's date.
    snapshots = {kind: _snapshot(orgs_) for kind, orgs_ in voting.items()}
    meeting_rows: list[Meeting] = []
    for body, step in ((steering, 182), (speakers, 91)):
        day = date(2014, 9, 1)
        while day < today + timedelta(days=365):
            held = day < today
            meeting_rows.append(
                Meeting(
                    alliance=alliance,
                    body=body,
                    starts_at=datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC),
                    ends_at=datetime(day.year, day.month, day.day, 11, 0, tzinfo=UTC),
                    location=f"Geschäftsstelle {city}",
                    status=MeetingStatus.MINUTES_APPROVED if held else MeetingStatus.PLANNED,
                    submission_deadline=day - timedelta(days=21),
                    invited_at=datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC)
                    - timedelta(days=14)
                    if held
                    else None,
                )
            )
            day += timedelta(days=step)
    meeting_rows = _bulk(Meeting, meeting_rows)
    by_body: dict[int, list[Meeting]] = {}
    for meeting in meeting_rows:
        by_body.setdefault(meeting.body_id, []).append(meeting)
    held_meetings = [m for m in meeting_rows if m.status == MeetingStatus.MINUTES_APPROVED]
    _bulk(
        Minutes,
        [
            Minutes(
                alliance=alliance,
                meeting=m,
                public_text="Die Sitzung beriet die Vorhaben der Tagesordnung.",
                status=MinutesStatus.APPROVED,
                approved_at=m.starts_at + timedelta(days=30),
            )
            for m in held_meetings
        ],
    )
    _bulk(
        Attendance,
        [
            Attendance(
                alliance=alliance,
                meeting=m,
                organisation=org,
                can_vote=True,
                presence=Presence.REPRESENTATIVE if pos % 4 else Presence.ABSENT,
            )
            for m in held_meetings
            for pos, org in enumerate(
                voting[BodyKind.STEERING if m.body_id == steering.pk else BodyKind.SPEAKERS]
            )
        ],
    )
    items: list[AgendaItem] = []
    decided: list[tuple[AgendaItem, BodyOutcome]] = []
    positions: dict[int, int] = {}
    for meeting in meeting_rows:
        items.append(
            AgendaItem(
                alliance=alliance,
                meeting=meeting,
                position=0,
                title="Begrüßung und Genehmigung der Tagesordnung",
            )
        )
        positions[meeting.pk] = 1
    outcome_map = {
        Outcome.POSITIVE: DecisionOutcome.AGREED,
        Outcome.NEGATIVE: DecisionOutcome.NOT_AGREED,
        Outcome.REVISION: DecisionOutcome.REVISION,
        Outcome.DEFERRED: DecisionOutcome.DEFERRED,
    }
    starts = {body_id: [m.starts_at.date() for m in rows] for body_id, rows in by_body.items()}
    project_by_pk = {p.pk: p for p in project_rows}
    for outcome_row in outcome_rows:
        candidates_m = by_body[outcome_row.body_id]
        days = starts[outcome_row.body_id]
        # The first meeting on or after the outcome's day (or the last one).
        pos = next((i for i, d in enumerate(days) if d >= outcome_row.decided_on), len(days) - 1)
        meeting = candidates_m[pos]
        project = project_by_pk[outcome_row.project_id]
        item = AgendaItem(
            alliance=alliance,
            meeting=meeting,
            position=positions[meeting.pk],
            title=f"{project.reference}: {project.title}",
            project=project,
            stage_status=outcome_row.stage_status,
            proposed_decision="Befürwortung des Vorhabens",
        )
        positions[meeting.pk] += 1
        items.append(item)
        decided.append((item, outcome_row))
    items = _bulk(AgendaItem, items)
    decisions = [
        Decision(
            alliance=alliance,
            item=item,
            outcome=outcome_map[outcome_row.outcome],
            text=f"Der {'Steuerkreis' if outcome_row.body_id == steering.pk else 'Sprecherkreis'} beschließt: {outcome_row.get_outcome_display()}.",
            snapshot=snapshots[
                BodyKind.STEERING if outcome_row.body_id == steering.pk else BodyKind.SPEAKERS
            ],
            body_outcome=outcome_row,
            decided_at=item.meeting.starts_at,
        )
        for item, outcome_row in decided
    ]
    _bulk(Decision, decisions)
    counts.add("meetings", len(meeting_rows))
    counts.add("agenda_items", len(items))
    counts.add("decisions", len(decisions))
    AuditEntry.objects.create(
        alliance=alliance,
        action="bench.generate",
        object_type="alliances.alliance",
        object_id=str(alliance.pk),
        object_repr=str(alliance),
        comment=f"Benchmark-Daten: {len(project_rows)} Vorhaben (scripts/bench_data.py)",
    )


def generate(
    *,
    alliances: int = 8,
    projects: int = 2500,
    seed: int = 2015,
    start: int = 0,
    write_files: bool = True,
    log: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Create `alliances` alliances (from index `start` of ALLIANCES) with `projects` projects
    each. Precondition: migrated database without these alliances. Returns the row counts."""
    if not start >= 0 and start + alliances <= len(ALLIANCES):
        raise ValueError(f"Es gibt nur {len(ALLIANCES)} Bündnisse.")
    counts = Counts()
    for index in range(start, start + alliances):
        began = time.perf_counter()
        rng = random.Random(seed + index)  # noqa: S311 (reproducible data, not security)
        with transaction.atomic():
            _generate_alliance(rng, index, projects, counts, write_files)
        if log:
            log(
                f"  {ALLIANCES[index][1]}: {projects} Vorhaben in {time.perf_counter() - began:.1f} s"
            )
    # Bulk writes bypass the services and so the audit hook: tell the public cache explicitly.
    from buendnis.core.public_cache import bump_data_version

    bump_data_version()
    return counts.values


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--alliances", type=int, default=8)
    parser.add_argument("--projects", type=int, default=2500, help="Vorhaben je Bündnis")
    parser.add_argument("--start", type=int, default=0, help="erstes Bündnis (Index in ALLIANCES)")
    parser.add_argument("--seed", type=int, default=2015)
    args = parser.parse_args(list(argv) if argv is not None else None)
    began = time.perf_counter()
    counts = generate(
        alliances=args.alliances,
        projects=args.projects,
        seed=args.seed,
        start=args.start,
        log=print,
    )
    print(
        f"Fertig in {time.perf_counter() - began:.1f} s: "
        + ", ".join(f"{k} {v}" for k, v in counts.items())
    )


if __name__ == "__main__":
    main()
