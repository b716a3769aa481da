"""The data every API test reads: a small but complete alliance, a second one for tenant separation,
and an inactive one. Dates are relative to today, so the tests do not depend on the calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buendnis.alliances.models import (
    ActionField,
    Alliance,
    Body,
    BodyKind,
    FundingPhase,
    GroupKind,
    Organisation,
    OrganisationGroup,
    Person,
    SeatRole,
    Topic,
)
from tests.factories import (
    ActionFieldFactory,
    AgreementFactory,
    AllianceFactory,
    BodyFactory,
    GroupFactory,
    OrganisationFactory,
    PersonFactory,
    PhaseFactory,
    SeatFactory,
    TopicFactory,
)

# Every endpoint that belongs to one alliance, by URL name.
ALLIANCE_ENDPOINTS = [
    "alliance-detail",
    "alliance-organisations",
    "alliance-bodies",
    "alliance-phases",
    "alliance-themes",
]
ENDPOINTS = ["alliance-list", *ALLIANCE_ENDPOINTS]


def api_url(name: str, slug: str = "son") -> str:
    if name == "alliance-list":
        return reverse("api:alliance-list")
    return reverse(f"api:{name}", kwargs={"slug": slug})


def get_json(client: Client, url: str, **extra: Any) -> Any:
    response = client.get(url, **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


@dataclass
class World:
    today: date
    alliance: Alliance
    other: Alliance
    inactive: Alliance
    previous: FundingPhase
    current: FundingPhase
    following: FundingPhase
    agencies: OrganisationGroup
    municipalities: OrganisationGroup
    others: OrganisationGroup
    agentur: Organisation
    stadt: Organisation
    landkreis: Organisation
    arl: Organisation
    allianz: Organisation
    erika: Person
    max: Person
    jana: Person
    steering: Body
    speakers: Body
    office: Body
    beratung: ActionField
    digital: ActionField
    open_field: ActionField
    absolventen: Topic
    # What the second alliance holds; none of it may ever show up in the first one's answers.
    other_names: list[str]
    # Contact data of people and organisations, and the name of a person who did not agree to be
    # named: never in any answer.
    secret_strings: list[str]


@pytest.fixture
def world(alliance: Alliance, other_alliance: Alliance) -> World:
    today = timezone.localdate()
    alliance.region = "Braunschweig, Wolfsburg, Salzgitter"
    alliance.website = "https://www.fachkraeftebuendnis-son.example.org/"
    alliance.office_host = "Allianz für die Region GmbH"
    alliance.save()

    previous = PhaseFactory(
        alliance=alliance,
        name="Vorphase",
        starts_on=today - timedelta(days=1460),
        ends_on=today - timedelta(days=400),
        recognised_on=today - timedelta(days=1500),
    )
    current = PhaseFactory(
        alliance=alliance,
        name="Laufende Phase",
        starts_on=today - timedelta(days=399),
        ends_on=today + timedelta(days=700),
        recognised_on=today - timedelta(days=420),
    )
    following = PhaseFactory(
        alliance=alliance,
        name="Folgephase",
        starts_on=today + timedelta(days=701),
        ends_on=today + timedelta(days=1800),
        virtual_budget=Decimal("2500000.00"),
        funding_rate=Decimal("70.00"),
        recognised_on=None,
    )

    # Created out of order: the API sorts by the group's position.
    others = GroupFactory(alliance=alliance, name="Sonstige", kind=GroupKind.OTHER, position=9)
    municipalities = GroupFactory(
        alliance=alliance, name="Kommunen", kind=GroupKind.MUNICIPALITIES, position=2
    )
    agencies = GroupFactory(
        alliance=alliance,
        name="Arbeitsagenturen",
        kind=GroupKind.EMPLOYMENT_AGENCIES,
        position=1,
        sends_deputy_speaker=True,
    )

    def organisation(name: str, group: OrganisationGroup, **fields: Any) -> Organisation:
        slug = name.split()[0].lower()
        return OrganisationFactory(
            alliance=alliance,
            group=group,
            name=name,
            email=f"post@{slug}.example.org",
            phone=f"0531 {len(name):06d}",
            street="Hauptstraße 1",
            **fields,
        )

    agentur = organisation(
        "Agentur für Arbeit Braunschweig-Goslar",
        agencies,
        short_name="AA BS-GS",
        city="Braunschweig",
        website="https://www.arbeitsagentur.example.org/",
    )
    stadt = organisation(
        "Stadt Braunschweig",
        municipalities,
        short_name="BS",
        city="Braunschweig",
        website="https://www.braunschweig.example.org/",
    )
    landkreis = organisation("Landkreis Gifhorn", municipalities, city="Gifhorn")
    arl = organisation("Amt für regionale Landesentwicklung Braunschweig", others)
    allianz = organisation("Allianz für die Region GmbH", others, city="Braunschweig")

    for org in (agentur, stadt, allianz):
        AgreementFactory(phase=current, organisation=org)
    for org in (agentur, landkreis):
        AgreementFactory(phase=previous, organisation=org)

    erika = PersonFactory(
        organisation=stadt,
        title="Dr.",
        first_name="Erika",
        last_name="Muster",
        email="erika.muster@stadt.example.org",
        phone="0531 4700001",
        show_name_publicly=True,
    )
    max_ = PersonFactory(
        organisation=arl,
        first_name="Max",
        last_name="Verborgen",
        email="max.verborgen@arl.example.org",
        phone="0531 4840002",
        show_name_publicly=False,
    )
    jana = PersonFactory(
        organisation=allianz,
        first_name="Jana",
        last_name="Leitung",
        email="jana.leitung@allianz.example.org",
        phone="0531 1218003",
        show_name_publicly=True,
    )

    # Created out of order: the API lists Steuerkreis, Sprecherkreis, Geschäftsstelle.
    office = BodyFactory(alliance=alliance, kind=BodyKind.OFFICE, name="Geschäftsstelle")
    steering = BodyFactory(
        alliance=alliance,
        kind=BodyKind.STEERING,
        name="Steuerkreis",
        meeting_rhythm="vierteljährlich",
    )
    speakers = BodyFactory(
        alliance=alliance,
        kind=BodyKind.SPEAKERS,
        name="Sprecherkreis",
        meeting_rhythm="vor jedem Steuerkreis",
    )
    start = current.starts_on
    SeatFactory(
        body=steering, organisation=stadt, person=erika, role=SeatRole.MEMBER, starts_on=start
    )
    SeatFactory(body=steering, organisation=agentur, role=SeatRole.MEMBER, starts_on=start)
    SeatFactory(
        body=steering, organisation=arl, person=max_, role=SeatRole.ADVISORY, starts_on=start
    )
    # Not active today: one ended yesterday, one begins tomorrow.
    SeatFactory(
        body=steering,
        organisation=landkreis,
        role=SeatRole.MEMBER,
        starts_on=previous.starts_on,
        ends_on=today - timedelta(days=1),
    )
    SeatFactory(
        body=steering,
        organisation=landkreis,
        role=SeatRole.ADVISORY,
        starts_on=today + timedelta(days=1),
    )
    SeatFactory(
        body=speakers, organisation=stadt, person=erika, role=SeatRole.SPEAKER, starts_on=start
    )
    SeatFactory(body=speakers, organisation=agentur, role=SeatRole.DEPUTY_SPEAKER, starts_on=start)
    SeatFactory(
        body=office,
        organisation=allianz,
        role=SeatRole.OFFICE_STAFF,
        starts_on=start,
        ends_on=today + timedelta(days=30),
    )
    SeatFactory(
        body=office, organisation=allianz, person=jana, role=SeatRole.OFFICE_LEAD, starts_on=start
    )

    # Created out of order: the open field comes last, the others by position.
    open_field = ActionFieldFactory(phase=current, title="Weitere Themen", is_open=True)
    digital = ActionFieldFactory(phase=current, title="Digitalisierung / Innovation", position=2)
    beratung = ActionFieldFactory(phase=current, title="Beratungsinfrastruktur", position=1)
    absolventen = TopicFactory(
        action_field=beratung, title="Absolventen und Abbrecher für KMU", position=1
    )
    TopicFactory(action_field=beratung, title="gewinnen", parent=absolventen, position=3)
    TopicFactory(action_field=beratung, title="binden", parent=absolventen, position=1)
    TopicFactory(action_field=beratung, title="halten", parent=absolventen, position=2)
    TopicFactory(action_field=beratung, title="Berufsorientierung", position=2)
    TopicFactory(action_field=digital, title="Arbeit 4.0", position=1)
    old_field = ActionFieldFactory(phase=previous, title="Altes Handlungsfeld", position=1)
    TopicFactory(action_field=old_field, title="Altes Thema")

    # The second alliance: the same phase name on purpose, everything else its own.
    other_phase = PhaseFactory(
        alliance=other_alliance,
        name="Laufende Phase",
        starts_on=today - timedelta(days=100),
        ends_on=today + timedelta(days=100),
        virtual_budget=Decimal("2500000.00"),
    )
    PhaseFactory(
        alliance=other_alliance,
        name="Nur Leine-Weser",
        starts_on=today - timedelta(days=900),
        ends_on=today - timedelta(days=101),
    )
    other_group = GroupFactory(
        alliance=other_alliance, name="Kammern Leine-Weser", kind=GroupKind.CHAMBERS
    )
    hwk = OrganisationFactory(
        alliance=other_alliance,
        group=other_group,
        name="Handwerkskammer Hannover",
        email="info@hwk-hannover.example.org",
        phone="0511 3485900",
    )
    AgreementFactory(phase=other_phase, organisation=hwk)
    bernd = PersonFactory(
        organisation=hwk,
        first_name="Bernd",
        last_name="Fremd",
        email="bernd.fremd@hwk-hannover.example.org",
        phone="0511 3485901",
        show_name_publicly=True,
    )
    other_steering = BodyFactory(
        alliance=other_alliance, kind=BodyKind.STEERING, name="Steuerkreis Leine-Weser"
    )
    SeatFactory(
        body=other_steering,
        organisation=hwk,
        person=bernd,
        role=SeatRole.MEMBER,
        starts_on=other_phase.starts_on,
    )
    other_field = ActionFieldFactory(phase=other_phase, title="Handwerk Leine-Weser")
    TopicFactory(action_field=other_field, title="Meisterschulen Leine-Weser")

    inactive = AllianceFactory(slug="alt", name="Fachkräftebündnis Altbestand", is_active=False)
    OrganisationFactory(alliance=inactive, name="Altorganisation")
    PhaseFactory(alliance=inactive, starts_on=current.starts_on, ends_on=current.ends_on)

    people = [erika, max_, jana, bernd]
    return World(
        today=today,
        alliance=alliance,
        other=other_alliance,
        inactive=inactive,
        previous=previous,
        current=current,
        following=following,
        agencies=agencies,
        municipalities=municipalities,
        others=others,
        agentur=agentur,
        stadt=stadt,
        landkreis=landkreis,
        arl=arl,
        allianz=allianz,
        erika=erika,
        max=max_,
        jana=jana,
        steering=steering,
        speakers=speakers,
        office=office,
        beratung=beratung,
        digital=digital,
        open_field=open_field,
        absolventen=absolventen,
        other_names=[
            "Kammern Leine-Weser",
            "Handwerkskammer Hannover",
            "Bernd",
            "Fremd",
            "Steuerkreis Leine-Weser",
            "Nur Leine-Weser",
            "Handwerk Leine-Weser",
            "Meisterschulen Leine-Weser",
        ],
        secret_strings=[
            *(p.email for p in people),
            *(p.phone for p in people),
            *(o.email for o in (agentur, stadt, landkreis, arl, allianz, hwk)),
            *(o.phone for o in (agentur, stadt, landkreis, arl, allianz, hwk)),
            "Hauptstraße",
            "Max Verborgen",
            "Verborgen",
            "@",
        ],
    )


# --- Projects (tests/api/test_projects*.py, test_tokens.py, test_phases_budget.py) -----------------
# Built through the services (tests.factories.project_in_state), so each carries the documents,
# transitions, outcomes and bookings the procedure writes on its way.


@dataclass
class Projects:
    world: World
    # Public (the alliance's Votum is given) and the applicant persona's own: Stadt Braunschweig.
    granted: Any
    # Public, another organisation's.
    running: Any
    # Not public, the applicant persona's own.
    sketch: Any
    # Not public, another organisation's.
    idea: Any
    # The other alliance's, public there.
    foreign: Any


@pytest.fixture
def projects(world: World) -> Projects:
    from buendnis.funding.states import Status
    from tests.factories import project_in_state

    granted = project_in_state(
        world.current,
        Status.GRANTED,
        applicant_organisation=world.stadt,
        title="Welcome Center",
        granted_amount=Decimal("90000.00"),
        region="Braunschweig",
        contact_email="welcome@stadt.example.org",
    )
    running = project_in_state(
        world.current, Status.RUNNING, applicant_organisation=world.agentur, title="Stille Reserve"
    )
    sketch = project_in_state(
        world.current,
        Status.SKETCH_SUBMITTED,
        applicant_organisation=world.stadt,
        title="Praktikumsbörse",
    )
    idea = project_in_state(
        world.current, Status.IDEA, applicant_organisation=world.agentur, title="Noch geheim"
    )
    other_phase = world.other.phases.get(name="Laufende Phase")
    foreign = project_in_state(other_phase, Status.GRANTED, title="Leine-Weser-Projekt")
    return Projects(
        world=world, granted=granted, running=running, sketch=sketch, idea=idea, foreign=foreign
    )


def project_url(project: Any, slug: str = "son", *, transitions: bool = False) -> str:
    name = "api:alliance-project-transitions" if transitions else "api:alliance-project-detail"
    return reverse(name, kwargs={"slug": slug, "pk": project.pk})


def projects_url(slug: str = "son") -> str:
    return reverse("api:alliance-projects", kwargs={"slug": slug})


@pytest.fixture
def api_client(make_persona: Any, world: World) -> Any:
    """A client logged in (session) as the persona, and the user. The `applicant` persona applies
    for Stadt Braunschweig, the owner of `projects.granted` and `projects.sketch`."""
    from buendnis.accounts.models import Membership, Role

    users: dict[str, Any] = {}

    def login(name: str) -> tuple[Client, Any]:
        client = Client()
        if name in users:
            user = users[name]
            if user is not None:
                client.force_login(user)
            return client, user
        user = users[name] = make_persona(name)
        if name == "applicant":
            Membership.objects.filter(user=user, role=Role.APPLICANT).update(
                organisation=world.stadt
            )
        if user is not None:
            client.force_login(user)
        return client, user

    return login
