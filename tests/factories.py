"""factory_boy factories. They build through the ORM for speed; rules are tested via services."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import factory
from django.utils import timezone

from buendnis.accounts.models import Membership, PlatformRole, Role, User
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
    Seat,
    SeatRole,
    Topic,
)


class AllianceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alliance
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"buendnis-{n}")
    name = factory.Sequence(lambda n: f"Fachkräftebündnis Test {n}")
    short_name = factory.Sequence(lambda n: f"Test {n}")
    office_host = "Geschäftsstelle GmbH"


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationGroup

    alliance = factory.SubFactory(AllianceFactory)
    name = factory.Sequence(lambda n: f"Gruppe {n}")
    kind = GroupKind.OTHER


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    alliance = factory.SubFactory(AllianceFactory)
    group = factory.SubFactory(GroupFactory, alliance=factory.SelfAttribute("..alliance"))
    name = factory.Sequence(lambda n: f"Organisation {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    organisation = factory.SubFactory(OrganisationFactory)
    alliance = factory.SelfAttribute("organisation.alliance")
    first_name = "Erika"
    last_name = factory.Sequence(lambda n: f"Muster{n}")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    phone = "0531 000000"


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingPhase

    alliance = factory.SubFactory(AllianceFactory)
    name = "2018–2021"
    starts_on = date(2018, 7, 1)
    ends_on = date(2021, 6, 30)
    virtual_budget = Decimal("1500000.00")
    funding_rate = Decimal("50.00")


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CooperationAgreement

    phase = factory.SubFactory(PhaseFactory)
    alliance = factory.SelfAttribute("phase.alliance")
    organisation = factory.SubFactory(OrganisationFactory, alliance=factory.SelfAttribute("..alliance"))
    signed_on = factory.SelfAttribute("phase.starts_on")


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body

    alliance = factory.SubFactory(AllianceFactory)
    kind = BodyKind.STEERING
    name = "Steuerkreis"


class SeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seat

    body = factory.SubFactory(BodyFactory)
    alliance = factory.SelfAttribute("body.alliance")
    organisation = factory.SubFactory(OrganisationFactory, alliance=factory.SelfAttribute("..alliance"))
    role = SeatRole.MEMBER
    starts_on = date(2018, 7, 1)


class ActionFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionField

    phase = factory.SubFactory(PhaseFactory)
    alliance = factory.SelfAttribute("phase.alliance")
    title = factory.Sequence(lambda n: f"Handlungsfeld {n}")


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    action_field = factory.SubFactory(ActionFieldFactory)
    alliance = factory.SelfAttribute("action_field.alliance")
    title = factory.Sequence(lambda n: f"Thema {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    platform_role = PlatformRole.NONE
    password = factory.PostGenerationMethodCall("set_password", "geheim-genug-123")

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    alliance = factory.SubFactory(AllianceFactory)
    role = Role.STEERING


# --- A whole alliance structure, built through the ORM (no rules checked) ---------------------


class Structure:
    """An alliance as the council paper describes it, for tests of the rules on top of it.

    Phase 2018–2021 with a virtual budget of 1.5 M EUR at 50 %; four groups that send a deputy
    speaker (Arbeitsagenturen, Kommunen, Gewerkschaften, Arbeitgeberverbände) and the chambers,
    which do not; two partner organisations per group; the Amt für regionale Landesentwicklung
    (advisory, never signed) and a municipality that has not signed (`unsigned`); the three bodies.
    """

    def __init__(self, alliance: Alliance) -> None:
        self.alliance = alliance
        self.phase = PhaseFactory(alliance=alliance)
        specs = [
            ("agencies", "Arbeitsagenturen", GroupKind.EMPLOYMENT_AGENCIES, True,
             ["Agentur für Arbeit Braunschweig-Goslar", "Jobcenter Braunschweig"]),
            ("municipalities", "Kommunen", GroupKind.MUNICIPALITIES, True,
             ["Stadt Braunschweig", "Landkreis Wolfenbüttel"]),
            ("unions", "Gewerkschaften", GroupKind.UNIONS, True,
             ["DGB Region SüdOstNiedersachsen", "IG Metall Wolfsburg"]),
            ("employers", "Arbeitgeberverbände", GroupKind.EMPLOYER_ASSOCIATIONS, True,
             ["Arbeitgeberverband Region Braunschweig", "AGV Wolfsburg"]),
            ("chambers", "Kammern", GroupKind.CHAMBERS, False,
             ["IHK Braunschweig", "Handwerkskammer Braunschweig-Lüneburg-Stade"]),
        ]
        self.groups: dict[str, OrganisationGroup] = {}
        self.orgs: dict[str, Organisation] = {}
        for position, (key, name, kind, sends, org_names) in enumerate(specs):
            group = GroupFactory(
                alliance=alliance, name=name, kind=kind, sends_deputy_speaker=sends, position=position
            )
            self.groups[key] = group
            for org_name in org_names:
                organisation = OrganisationFactory(alliance=alliance, group=group, name=org_name)
                AgreementFactory(phase=self.phase, organisation=organisation)
                self.orgs[org_name] = organisation
        self.groups["other"] = GroupFactory(
            alliance=alliance, name="Sonstige", kind=GroupKind.OTHER, position=9
        )
        self.arl = OrganisationFactory(
            alliance=alliance,
            group=self.groups["other"],
            name="Amt für regionale Landesentwicklung Braunschweig",
        )
        self.unsigned = OrganisationFactory(
            alliance=alliance, group=self.groups["municipalities"], name="Gemeinde Cremlingen"
        )
        self.steering = BodyFactory(alliance=alliance, kind=BodyKind.STEERING, name="Steuerkreis")
        self.speakers = BodyFactory(alliance=alliance, kind=BodyKind.SPEAKERS, name="Sprecherkreis")
        self.office = BodyFactory(alliance=alliance, kind=BodyKind.OFFICE, name="Geschäftsstelle")

    def org(self, name: str) -> Organisation:
        return self.orgs[name]


# --- A realistic small alliance ------------------------------------------------------------------
# Built through the ORM (fast). Names carry the alliance's place so that tests can tell two
# alliances apart in rendered pages.


@dataclass
class AllianceStructure:
    alliance: Alliance
    old_phase: FundingPhase
    previous_phase: FundingPhase
    phase: FundingPhase
    groups: dict[str, OrganisationGroup] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    bodies: dict[str, Body] = field(default_factory=dict)
    fields: list[ActionField] = field(default_factory=list)
    topics: dict[str, Topic] = field(default_factory=dict)


SURNAMES = {
    "Braunschweig": ("Brandt", "Albers", "Lindner", "Stadtmann"),
    "Hameln": ("Hoffmeister", "Quandt", "Kaiserling", "Petersen"),
}


def build_alliance_structure(alliance: Alliance, *, place: str) -> AllianceStructure:
    """Three phases (the current one covers today), six groups, ten organisations, the three
    bodies fully staffed, themes with a nested topic and the open field. Nothing is missing, so
    `speakers_circle_problems` and `steering_problems` report nothing."""
    today = timezone.localdate()
    alliance.region = f"Region {place} und Umland"
    alliance.office_host = f"Allianz für die Region {place} GmbH"
    alliance.office_email = f"geschaeftsstelle@{alliance.slug}.example.org"
    alliance.office_phone = "0531 1218-0"
    alliance.office_address = f"Frankfurter Straße 2\n38122 {place}"
    alliance.recognising_authority = (
        "Niedersächsisches Ministerium für Wirtschaft, Arbeit, Verkehr und Digitalisierung"
    )
    alliance.save()

    old_phase = PhaseFactory(
        alliance=alliance,
        name="2015–2018",
        starts_on=date(2015, 7, 1),
        ends_on=date(2018, 6, 30),
        recognised_on=date(2015, 6, 5),
    )
    previous_phase = PhaseFactory(
        alliance=alliance,
        name="2018–2021",
        starts_on=date(2018, 7, 1),
        ends_on=date(2021, 6, 30),
        recognised_on=date(2018, 6, 5),
    )
    current_end = date(today.year + 2, 6, 30)
    phase = PhaseFactory(
        alliance=alliance,
        name=f"2021–{current_end.year}",
        starts_on=date(2021, 7, 1),
        ends_on=current_end,
        virtual_budget=Decimal("2000000.00"),
        funding_rate=Decimal("70.00"),
        recognised_on=date(2021, 6, 15),
    )
    structure = AllianceStructure(
        alliance=alliance, old_phase=old_phase, previous_phase=previous_phase, phase=phase
    )

    group_specs = [
        ("agencies", "Arbeitsagenturen/Jobcenter", GroupKind.EMPLOYMENT_AGENCIES, True),
        ("municipalities", "Kommunen", GroupKind.MUNICIPALITIES, True),
        ("unions", "Gewerkschaften", GroupKind.UNIONS, True),
        ("employers", "Arbeitgeberverbände", GroupKind.EMPLOYER_ASSOCIATIONS, True),
        ("chambers", "Kammern", GroupKind.CHAMBERS, False),
        ("other", "Weitere Partner", GroupKind.OTHER, False),
    ]
    for position, (key, name, kind, sends) in enumerate(group_specs):
        structure.groups[key] = GroupFactory(
            alliance=alliance, name=name, kind=kind, sends_deputy_speaker=sends, position=position
        )

    organisation_specs = [
        ("agency", "agencies", f"Agentur für Arbeit {place}"),
        ("jobcenter", "agencies", f"Jobcenter {place}"),
        ("city", "municipalities", f"Stadt {place}"),
        ("district", "municipalities", f"Landkreis {place}-Land"),
        ("union", "unions", f"DGB-Region {place}"),
        ("employers", "employers", f"Arbeitgeberverband {place}"),
        ("ihk", "chambers", f"IHK {place}"),
        ("hwk", "chambers", f"Handwerkskammer {place}"),
        ("host", "other", f"Allianz für die Region {place} GmbH"),
        ("arl", "other", f"Amt für regionale Landesentwicklung {place}"),
    ]
    for key, group_key, name in organisation_specs:
        structure.organisations[key] = OrganisationFactory(
            alliance=alliance,
            group=structure.groups[group_key],
            name=name,
            city=place,
            email=f"info@{key}.{alliance.slug}.example.org",
        )
    orgs = structure.organisations

    # Everyone but the advisory Amt signs the current phase; fewer signed the earlier ones.
    for key, organisation in orgs.items():
        if key != "arl":
            AgreementFactory(phase=phase, organisation=organisation)
        if key not in {"arl", "hwk"}:
            AgreementFactory(phase=previous_phase, organisation=organisation)
        if key in {"agency", "city", "union", "employers", "ihk", "host"}:
            AgreementFactory(phase=old_phase, organisation=organisation)

    # Distinct surnames per alliance, so a test can look for one person's name in a page.
    surnames = SURNAMES.get(place, (f"Brandt {place}", f"Albers {place}", f"Lindner {place}", f"Stadtmann {place}"))
    people = structure.people
    people["speaker"] = PersonFactory(
        organisation=orgs["ihk"],
        title="Dr.",
        first_name="Helene",
        last_name=surnames[0],
        email=f"helene.brandt@ihk.{alliance.slug}.example.org",
        show_name_publicly=True,
    )
    people["deputy"] = PersonFactory(
        organisation=orgs["agency"],
        first_name="Jonas",
        last_name=surnames[1],
        email=f"jonas.albers@agentur.{alliance.slug}.example.org",
        show_name_publicly=False,
    )
    people["office_lead"] = PersonFactory(
        organisation=orgs["host"],
        first_name="Maria",
        last_name=surnames[2],
        function="office",
        position_title="Leitung der Geschäftsstelle",
        email=f"maria.lindner@allianz.{alliance.slug}.example.org",
        show_name_publicly=True,
    )
    people["city"] = PersonFactory(
        organisation=orgs["city"],
        first_name="Ole",
        last_name=surnames[3],
        email=f"ole.stadtmann@stadt.{alliance.slug}.example.org",
    )

    steering = BodyFactory(
        alliance=alliance, kind=BodyKind.STEERING, name="Steuerkreis", meeting_rhythm="vierteljährlich"
    )
    speakers = BodyFactory(
        alliance=alliance, kind=BodyKind.SPEAKERS, name="Sprecherkreis", meeting_rhythm="vor jeder Sitzung des Steuerkreises"
    )
    office = BodyFactory(alliance=alliance, kind=BodyKind.OFFICE, name="Geschäftsstelle")
    structure.bodies = {"steering": steering, "speakers": speakers, "office": office}

    for key, organisation in orgs.items():
        if key == "arl":
            SeatFactory(body=steering, organisation=organisation, role=SeatRole.ADVISORY)
        elif key != "host":
            SeatFactory(body=steering, organisation=organisation, role=SeatRole.MEMBER)
    SeatFactory(
        body=speakers, organisation=orgs["ihk"], person=people["speaker"], role=SeatRole.SPEAKER
    )
    SeatFactory(
        body=speakers,
        organisation=orgs["agency"],
        person=people["deputy"],
        role=SeatRole.DEPUTY_SPEAKER,
    )
    for key in ("city", "union", "employers"):
        SeatFactory(body=speakers, organisation=orgs[key], role=SeatRole.DEPUTY_SPEAKER)
    SeatFactory(
        body=office,
        organisation=orgs["host"],
        person=people["office_lead"],
        role=SeatRole.OFFICE_LEAD,
    )

    field_specs = [
        (
            "Beratungsinfrastruktur",
            ["Absolventen und Studienabbrecher für KMU gewinnen", "Betriebe zur Beschäftigung Geflüchteter beraten"],
        ),
        ("Digitalisierung / Innovation", ["Digitales Lernen", "Arbeit 4.0"]),
        ("Rekrutierung und Matching", ["Pflege- und Erziehungskräfte gewinnen", "Zweitbewerber-Börse"]),
    ]
    for position, (title, topic_titles) in enumerate(field_specs, start=1):
        action_field = ActionFieldFactory(phase=phase, title=title, position=position)
        structure.fields.append(action_field)
        for topic_position, topic_title in enumerate(topic_titles):
            structure.topics[topic_title] = TopicFactory(
                action_field=action_field, title=topic_title, position=topic_position
            )
    structure.topics["nested"] = TopicFactory(
        action_field=structure.fields[0],
        parent=structure.topics["Betriebe zur Beschäftigung Geflüchteter beraten"],
        title="Nonformale Kompetenzen Geflüchteter nutzbar machen",
    )
    structure.fields.append(
        ActionFieldFactory(phase=phase, title="Weitere Themen", position=9, is_open=True)
    )
    return structure


def grow_alliance_structure(structure: AllianceStructure, *, count: int = 20) -> None:
    """Add `count` signed organisations with a steering seat and a person, and `count` topics
    (half of them nested): pages must not need more queries for more data."""
    alliance = structure.alliance
    for number in range(count):
        organisation = OrganisationFactory(
            alliance=alliance,
            group=structure.groups["other"],
            name=f"Zusatzpartner {number:02d} {alliance.slug}",
        )
        AgreementFactory(phase=structure.phase, organisation=organisation)
        person = PersonFactory(organisation=organisation, show_name_publicly=number % 2 == 0)
        SeatFactory(
            body=structure.bodies["steering"],
            organisation=organisation,
            person=person,
            role=SeatRole.MEMBER,
        )
    parent = structure.topics["Digitales Lernen"]
    for number in range(count):
        TopicFactory(
            action_field=structure.fields[1],
            title=f"Zusatzthema {number:02d}",
            parent=parent if number % 2 else None,
            position=10 + number,
        )
