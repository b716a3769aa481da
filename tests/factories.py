"""factory_boy factories. They build through the ORM for speed; rules are tested via services."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
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
    Territory,
    Topic,
)
from buendnis.demo.clock import as_of, moment
from buendnis.funding import services
from buendnis.funding.models import Outcome, Project
from buendnis.funding.states import BODY_STAGES
from buendnis.funding.states import Status as S
from buendnis.ideas.models import Idea


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


def running_phase(alliance: Alliance, **fields: object) -> FundingPhase:
    """A phase that runs today (begun about two years ago, ending in about one): its projects
    can be walked to their start today, within their runtime (`funding.dates`)."""
    today = timezone.localdate()
    fields.setdefault("name", "laufende Phase")
    fields.setdefault("starts_on", today - timedelta(days=700))
    fields.setdefault("ends_on", today + timedelta(days=400))
    return PhaseFactory(alliance=alliance, **fields)


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CooperationAgreement

    phase = factory.SubFactory(PhaseFactory)
    alliance = factory.SelfAttribute("phase.alliance")
    organisation = factory.SubFactory(
        OrganisationFactory, alliance=factory.SelfAttribute("..alliance")
    )
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
    organisation = factory.SubFactory(
        OrganisationFactory, alliance=factory.SelfAttribute("..alliance")
    )
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
            (
                "agencies",
                "Arbeitsagenturen",
                GroupKind.EMPLOYMENT_AGENCIES,
                True,
                ["Agentur für Arbeit Braunschweig-Goslar", "Jobcenter Braunschweig"],
            ),
            (
                "municipalities",
                "Kommunen",
                GroupKind.MUNICIPALITIES,
                True,
                ["Stadt Braunschweig", "Landkreis Wolfenbüttel"],
            ),
            (
                "unions",
                "Gewerkschaften",
                GroupKind.UNIONS,
                True,
                ["DGB Region SüdOstNiedersachsen", "IG Metall Wolfsburg"],
            ),
            (
                "employers",
                "Arbeitgeberverbände",
                GroupKind.EMPLOYER_ASSOCIATIONS,
                True,
                ["Arbeitgeberverband Region Braunschweig", "AGV Wolfsburg"],
            ),
            (
                "chambers",
                "Kammern",
                GroupKind.CHAMBERS,
                False,
                ["IHK Braunschweig", "Handwerkskammer Braunschweig-Lüneburg-Stade"],
            ),
        ]
        self.groups: dict[str, OrganisationGroup] = {}
        self.orgs: dict[str, Organisation] = {}
        for position, (key, name, kind, sends, org_names) in enumerate(specs):
            group = GroupFactory(
                alliance=alliance,
                name=name,
                kind=kind,
                sends_deputy_speaker=sends,
                position=position,
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
    territories = {"city": Territory.INDEPENDENT_CITY, "district": Territory.DISTRICT}
    for key, group_key, name in organisation_specs:
        structure.organisations[key] = OrganisationFactory(
            alliance=alliance,
            group=structure.groups[group_key],
            name=name,
            city=place,
            email=f"info@{key}.{alliance.slug}.example.org",
            territory=territories.get(key, Territory.NONE),
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
    surnames = SURNAMES.get(
        place, (f"Brandt {place}", f"Albers {place}", f"Lindner {place}", f"Stadtmann {place}")
    )
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
        alliance=alliance,
        kind=BodyKind.STEERING,
        name="Steuerkreis",
        meeting_rhythm="vierteljährlich",
    )
    speakers = BodyFactory(
        alliance=alliance,
        kind=BodyKind.SPEAKERS,
        name="Sprecherkreis",
        meeting_rhythm="vor jeder Sitzung des Steuerkreises",
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
            [
                "Absolventen und Studienabbrecher für KMU gewinnen",
                "Betriebe zur Beschäftigung Geflüchteter beraten",
            ],
        ),
        ("Digitalisierung / Innovation", ["Digitales Lernen", "Arbeit 4.0"]),
        (
            "Rekrutierung und Matching",
            ["Pflege- und Erziehungskräfte gewinnen", "Zweitbewerber-Börse"],
        ),
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


# --- Projects (Vorhaben), built through the services -----------------------------------------
# Unlike the structure above, projects are built through `buendnis.funding.services`: a project in
# a given state then carries exactly the transitions, audit rows, documents and ledger bookings
# the procedure writes on its way there, and the helper breaks when the procedure does.

PDF_BYTES = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def pdf_upload(name: str = "dokument.pdf") -> SimpleUploadedFile:
    """A small valid PDF upload (a new object each time: an upload is read once)."""
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def _phase_of(where: "FundingPhase | AllianceStructure | Structure") -> FundingPhase:
    if isinstance(where, FundingPhase):
        return where
    return where.phase


def _first_action_field(phase: FundingPhase) -> ActionField:
    field = (
        ActionField.objects.filter(phase=phase, is_open=False).order_by("position", "id").first()
    )
    return field or ActionFieldFactory(phase=phase)


class ProjectFactory(factory.django.DjangoModelFactory):
    """A complete project in state `idea`, created through `services.project_create`.

    Complete means every rule of a submission holds: runtime inside the phase, requested grant =
    the phase's rate × costs (the most allowed), the rest co-financed by the applicant
    organisation itself. Pass `cofinancing=False` for a project without shares, `actor=` to create
    it as someone (default: the system, no permission check).
    """

    class Meta:
        model = Project

    phase = factory.SubFactory(PhaseFactory)
    alliance = factory.SelfAttribute("phase.alliance")
    applicant_organisation = factory.SubFactory(
        OrganisationFactory, alliance=factory.SelfAttribute("..alliance")
    )
    title = factory.Sequence(lambda n: f"Vorhaben {n}")
    summary = "Beratung kleiner und mittlerer Unternehmen zur Fachkräftesicherung."
    goals = "Fachkräfte in der Region gewinnen und halten."
    target_group = "KMU, Geflüchtete, Studienabbrecher"
    action_field = factory.LazyAttribute(lambda o: _first_action_field(o.phase))
    funding_priority = "structural"
    starts_on = factory.SelfAttribute("phase.starts_on")
    ends_on = factory.SelfAttribute("phase.ends_on")
    eligible_costs = Decimal("200000.00")
    requested_grant = factory.LazyAttribute(
        lambda o: services.proposed_grant(o.phase, o.eligible_costs)
    )
    contact_name = "Erika Mustermann"
    contact_email = factory.Sequence(lambda n: f"traeger{n}@example.org")

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> Project:
        # `actor` and `cofinancing` are not declared, so factory_boy hands them through.
        actor = kwargs.pop("actor", None)
        cofinancing = kwargs.pop("cofinancing", True)
        project = services.project_create(actor=actor, **kwargs)
        rest = project.eligible_costs - project.requested_grant
        if cofinancing and rest > 0:
            services.cofinancing_set(
                actor=actor,
                project=project,
                shares=[services.Share(amount=rest, organisation=project.applicant_organisation)],
            )
        return project


def applicant_of(project: Project, *, username: str | None = None) -> User:
    """A login holding the applicant role for the project's owner organisation."""
    organisation = project.applicant_organisation
    user = UserFactory(**({"username": username} if username else {}))
    MembershipFactory(
        user=user, alliance=organisation.alliance, role=Role.APPLICANT, organisation=organisation
    )
    return user


def body_of(alliance: Alliance, kind: str) -> Body:
    """The alliance's Sprecherkreis or Steuerkreis (created if the test built none)."""
    body = Body.objects.filter(alliance=alliance, kind=kind).order_by("id").first()
    if body is None:
        name = {BodyKind.SPEAKERS: "Sprecherkreis", BodyKind.STEERING: "Steuerkreis"}.get(
            kind, "Geschäftsstelle"
        )
        body = BodyFactory(alliance=alliance, kind=kind, name=name)
    return body


def _main_line() -> list[str]:
    return [
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


def _side_default(status: str) -> str | None:
    """Where a side branch leaves the main line unless `at=` says otherwise."""
    return {
        S.REVISION_REQUESTED: S.SKETCH_SPEAKERS,
        S.DEFERRED: S.SKETCH_SPEAKERS,
        S.REJECTED: S.SKETCH_STEERING,
        S.DECLINED: S.APPLICATION_FILED,
        S.WITHDRAWN: S.IDEA,
    }.get(status)


def advance(
    project: Project,
    status: str,
    *,
    at: str | None = None,
    actor: User | None = None,
    granted_amount: Decimal | None = None,
    final_grant: Decimal | None = None,
) -> Project:
    """Walk an existing project on to `status` through the services, one step each.

    Side states leave the main line at `at`: revision_requested and deferred at a body stage
    (default sketch_speakers), rejected at a Steuerkreis stage (default sketch_steering), declined
    at application_filed, withdrawn anywhere (default: where the project stands). A project in
    revision or deferral is first resubmitted or resumed. `actor` must be allowed every step
    (office, admin or None for the system). Amounts default to the full request.

    Steps are dated today. A project starts within its runtime (`funding.dates`): one whose
    runtime ended before today and that is walked from its idea past the start is walked in its
    past instead, as the demo writes history (`demo.clock.as_of`): created, consulted, decided,
    granted and started on its runtime's first day, closed on its last.
    """
    main = _main_line()
    target = S(status)
    branch = at or _side_default(target)
    if target == S.WITHDRAWN and at is None:
        branch = None  # withdraw from wherever the project stands
    goal = target if target in main else branch
    past = _past_walk(project, main, goal)

    def body_for(current: str) -> Body:
        return body_of(project.alliance, BODY_STAGES[current])

    def outcome(current: str, result: str, **extra: object) -> None:
        services.outcome_record(
            actor=actor,
            project=project,
            body=body_for(current),
            outcome=result,
            decided_on=timezone.localdate(),
            reference="Sitzung 1, TOP 3",
            **extra,
        )

    ticks = iter(range(len(main) + 2))

    def step(to: str) -> None:
        with _as_of_walk(past, to, next(ticks)):
            _step(to)

    def _step(to: str) -> None:
        today = timezone.localdate()
        current = project.status
        if to == S.CONSULTATION:
            services.consultation_record(
                actor=actor, project=project, held_on=today, participants="Geschäftsstelle, Träger"
            )
        elif to == S.SKETCH_SUBMITTED:
            services.sketch_submit(actor=actor, project=project, document=pdf_upload("skizze.pdf"))
        elif to in (S.SKETCH_SPEAKERS, S.DESCRIPTION_SPEAKERS):
            services.project_forward(actor=actor, project=project)
        elif to in (S.SKETCH_STEERING, S.DESCRIPTION_STEERING, S.DESCRIPTION_REQUESTED, S.ENDORSED):
            outcome(current, Outcome.POSITIVE)
        elif to == S.DESCRIPTION_SUBMITTED:
            services.description_submit(
                actor=actor, project=project, document=pdf_upload("beschreibung.pdf")
            )
        elif to == S.APPLICATION_FILED:
            services.application_file(
                actor=actor, project=project, filed_on=today, reference="NB-2024-0815"
            )
        elif to == S.GRANTED:
            services.bank_decision_record(
                actor=actor,
                project=project,
                decided_on=today,
                granted=True,
                granted_amount=granted_amount or project.requested_grant,
            )
        elif to == S.RUNNING:
            services.project_start(actor=actor, project=project, started_on=today)
        elif to == S.CLOSED:
            services.project_close(
                actor=actor,
                project=project,
                closed_on=today,
                final_eligible_costs=project.eligible_costs,
                final_grant=final_grant if final_grant is not None else project.granted_amount,
                final_report=pdf_upload("abschlussbericht.pdf"),
            )
        else:  # pragma: no cover - the caller's route is built from the main line
            raise AssertionError(f"kein Schritt nach {to}")

    # Back onto the main line first.
    if project.status == S.REVISION_REQUESTED and target != S.WITHDRAWN:
        services.project_resubmit(actor=actor, project=project, document=pdf_upload("fassung.pdf"))
    elif project.status == S.DEFERRED and target != S.WITHDRAWN:
        services.project_resume(actor=actor, project=project)
    if goal is not None:
        here, there = main.index(project.status), main.index(goal)
        if there < here:
            raise ValueError(f"{project.status} liegt schon hinter {goal}")
        for to in main[here + 1 : there + 1]:
            step(to)
    current = project.status
    today = timezone.localdate()
    if target == S.REVISION_REQUESTED:
        outcome(current, Outcome.REVISION, reasons="Bitte die Zielgruppe genauer beschreiben.")
    elif target == S.DEFERRED:
        outcome(current, Outcome.DEFERRED)
    elif target == S.REJECTED:
        outcome(current, Outcome.NEGATIVE, reasons="Passt nicht zu den Themen der Förderphase.")
    elif target == S.DECLINED:
        services.bank_decision_record(actor=actor, project=project, decided_on=today, granted=False)
    elif target == S.WITHDRAWN:
        services.project_withdraw(actor=actor, project=project, reason="Der Träger zieht zurück.")
    if project.status != target:
        raise AssertionError(f"{project.status} statt {target}")
    return project


def _past_walk(project: Project, main: list[str], goal: str | None) -> tuple[date, date] | None:
    """The runtime's first and last day when the walk to `goal` passes the start of a project
    whose runtime has ended: then it is walked in its past (see `advance`)."""
    if goal is None or project.status not in main or goal not in main:
        return None
    running = main.index(S.RUNNING)
    passes_start = main.index(project.status) < running <= main.index(goal)
    if not passes_start or project.ends_on is None or project.starts_on is None:
        return None
    if project.ends_on >= timezone.localdate():
        return None
    if project.status != S.IDEA or project.transitions.exists():
        raise ValueError(
            f"{project.reference}: die Laufzeit ist vorbei; nur ein neues Vorhaben lässt sich in "
            "seiner Vergangenheit bis zum Projektbeginn führen"
        )
    Project.objects.filter(pk=project.pk).update(created_at=moment(project.starts_on, 9))
    project.refresh_from_db(fields=["created_at"])
    return project.starts_on, project.ends_on


@contextmanager
def _as_of_walk(past: tuple[date, date] | None, to: str, number: int) -> Iterator[None]:
    """A step of a walk in the past runs as of the runtime's first day, a minute after the step
    before (the close: as of its last day)."""
    if past is None:
        yield
        return
    first, last = past
    when = moment(last, 10) if to == S.CLOSED else moment(first, 10) + timedelta(minutes=number)
    with as_of(when, restamp=False):
        yield


def project_in_state(
    where: "FundingPhase | AllianceStructure | Structure",
    status: str,
    *,
    at: str | None = None,
    actor: User | None = None,
    granted_amount: Decimal | None = None,
    final_grant: Decimal | None = None,
    **fields: object,
) -> Project:
    """A complete project of the phase (or of the structure's current phase) in `status`,
    walked there through the services: `project_in_state(structure, Status.GRANTED)`.

    `fields` go to ProjectFactory (title, eligible_costs, requested_grant, applicant_organisation,
    contact_email, cofinancing=False …); `at`, `actor` and the amounts to `advance`. The
    Sprecherkreis and Steuerkreis of the alliance decide (created if missing). Steps are dated
    today (a project whose runtime has ended and that reaches its start: in its past, `advance`).
    """
    project = ProjectFactory(phase=_phase_of(where), actor=actor, **fields)
    return advance(
        project, status, at=at, actor=actor, granted_amount=granted_amount, final_grant=final_grant
    )


# --- Meetings (Sitzungen, Tagesordnung, Umlaufbeschlüsse) ----------------------------------------
# The factories build through the ORM (a meeting in any state, fast); `meeting_in_session` builds
# through `meetings.services`, so attendance and state are what the office's steps leave behind.

from datetime import datetime  # noqa: E402

from buendnis.meetings.models import (  # noqa: E402
    AgendaItem,
    Meeting,
    MeetingStatus,
    Presence,
)
from buendnis.meetings.services import attendance, invitations, planning  # noqa: E402


class MeetingFactory(factory.django.DjangoModelFactory):
    """A meeting of a body, by default planned and starting an hour ago (decisions need a
    meeting that has begun; pass `starts_at` for another time)."""

    class Meta:
        model = Meeting

    body = factory.SubFactory(BodyFactory)
    alliance = factory.SelfAttribute("body.alliance")
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=3))
    location = "Frankfurter Straße 2, Braunschweig"
    status = MeetingStatus.PLANNED


class AgendaItemFactory(factory.django.DjangoModelFactory):
    """A free agenda item (no project); pass `project=` and `stage_status=` for a project item."""

    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    alliance = factory.SelfAttribute("meeting.alliance")
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Tagesordnungspunkt {n}")
    is_public = True
    proposed_decision = "Der Steuerkreis nimmt den Bericht zustimmend zur Kenntnis."


def hours_ago_today(hours: int = 1) -> "datetime":
    """About `hours` ago (under a day), but never before today's local midnight: just after
    midnight, a meeting begun an hour ago would lie on the day before the steps recorded today,
    which its decisions may not precede (funding.dates). Both candidates shrink as `hours` grows,
    so the later of them keeps meetings in their order at any time of day."""
    now = timezone.now().replace(microsecond=0)
    ago = now - timedelta(hours=hours)
    if hours >= 24:
        return ago
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    shrunk = midnight + (now - midnight) * (1 - hours / 24)
    return max(ago, shrunk).replace(microsecond=0)


def meeting_in_session(
    body: Body,
    *,
    starts_at: "datetime | None" = None,
    present: "list[Organisation] | None" = None,
    actor: User | None = None,
    **fields: object,
) -> Meeting:
    """A meeting of `body` that has begun, invited, with its attendance recorded, through the
    services: every seat holder represented, or only the organisations in `present`."""
    meeting = planning.meeting_create(
        actor=actor,
        body=body,
        starts_at=starts_at or hours_ago_today(),
        **fields,
    )
    invitations.meeting_invite(actor=actor, meeting=meeting)
    rows = list(meeting.attendances.all())
    chosen = None if present is None else {organisation.pk for organisation in present}
    attendance.attendance_record(
        actor=actor,
        meeting=meeting,
        entries={
            row.organisation_id: attendance.AttendanceEntry(
                Presence.REPRESENTATIVE
                if chosen is None or row.organisation_id in chosen
                else Presence.ABSENT
            )
            for row in rows
        },
    )
    return meeting


class IdeaFactory(factory.django.DjangoModelFactory):
    """An idea, built through the ORM like the other factories: not encoded for the similarity
    search (the tests of matching post through `ideas.services.idea_create`, which encodes).
    `actor=` makes someone its author."""

    class Meta:
        model = Idea

    alliance = factory.SubFactory(AllianceFactory)
    title = factory.Sequence(lambda n: f"Projektidee {n}")
    text = "Junge Menschen ohne Ausbildungsplatz mit Betrieben der Region zusammenbringen."
    aim = "Ausbildungsplätze besetzen"
    target_group = "Schulabgängerinnen und Schulabgänger"
    contact_name = "Max Beispiel"
    contact_email = factory.Sequence(lambda n: f"idee{n}@example.org")

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> Idea:
        kwargs["author"] = kwargs.pop("actor", None)
        return super()._create(model_class, *args, **kwargs)  # type: ignore[no-any-return]


# --- The alliance's own cycle (renewal), built through the ORM -----------------------------------
# The renewal services are not there yet: these factories write the records directly, without the
# rules the services will check (one request per partner and phase is still the database's).

from buendnis.renewal.models import (  # noqa: E402
    RecognitionDecision,
    RecognitionOutcome,
    SignatureRequest,
    SignatureStatus,
    Strategy,
    StrategyVersion,
)


class StrategyFactory(factory.django.DjangoModelFactory):
    """A phase's strategy; `adopted_on` set means the Steuerkreis adopted it."""

    class Meta:
        model = Strategy

    phase = factory.SubFactory(PhaseFactory)
    alliance = factory.SelfAttribute("phase.alliance")


class StrategyVersionFactory(factory.django.DjangoModelFactory):
    """One version of a strategy's text; pass `number` for a second one."""

    class Meta:
        model = StrategyVersion

    strategy = factory.SubFactory(StrategyFactory)
    alliance = factory.SelfAttribute("strategy.alliance")
    number = 1
    analysis = "Die Region altert; bis 2030 fehlen rund 20.000 Fachkräfte."
    review = "Zehn Projekte haben 1,5 Mio. € Zuschuss in 3 Mio. € Projektvolumen umgesetzt."
    fields_intro = "Der Steuerkreis hat drei Handlungsfelder und ein offenes Feld beschlossen."
    working_methods = "Der Steuerkreis entscheidet einvernehmlich; die Geschäftsstelle berät."


class SignatureRequestFactory(factory.django.DjangoModelFactory):
    """A partner asked to sign a phase's cooperation agreement (status `asked` unless given)."""

    class Meta:
        model = SignatureRequest

    phase = factory.SubFactory(PhaseFactory)
    alliance = factory.SelfAttribute("phase.alliance")
    organisation = factory.SubFactory(
        OrganisationFactory, alliance=factory.SelfAttribute("..alliance")
    )
    status = SignatureStatus.ASKED
    asked_on = date(2021, 3, 1)


class RecognitionDecisionFactory(factory.django.DjangoModelFactory):
    """The ministry's decision on a phase (recognised unless given)."""

    class Meta:
        model = RecognitionDecision

    phase = factory.SubFactory(PhaseFactory)
    alliance = factory.SelfAttribute("phase.alliance")
    outcome = RecognitionOutcome.RECOGNISED
    decided_on = date(2021, 6, 15)
    authority = "Niedersächsisches Ministerium für Wirtschaft, Verkehr, Bauen und Digitalisierung"
