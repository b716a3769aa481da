"""A small alliance in which one word, "Ausbildung", is in a record of every kind, each record
with a word of its own (an animal) so that a test can tell which ones a page shows; and the
other alliance with the same word everywhere, which must never be found."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from buendnis.accounts.models import Role, User
from buendnis.alliances.models import Alliance, BodyKind, Organisation
from buendnis.funding.models import DocumentKind, Project, ProjectDocument
from buendnis.funding.states import Status
from buendnis.ideas.models import Idea
from buendnis.meetings.models import (
    AgendaDocument,
    AgendaItem,
    Circulation,
    CirculationStatus,
    Decision,
    DecisionOutcome,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
)
from buendnis.office.models import Inquiry, Source
from tests.factories import (
    AgendaItemFactory,
    IdeaFactory,
    MeetingFactory,
    MembershipFactory,
    OrganisationFactory,
    PhaseFactory,
    ProjectFactory,
    UserFactory,
    body_of,
    pdf_upload,
)
from tests.office.factories import stored_inquiry

WORD = "Ausbildung"


@dataclass
class World:
    """Every record of `alliance` that the word finds, by who may see it."""

    alliance: Alliance
    own_organisation: Organisation
    applicant: User
    internal_project: Project  # non-public, another organisation's: Kranich
    own_project: Project  # non-public, the applicant's organisation's: Dachs
    public_project: Project  # granted, so public: Fuchs
    inquiry: Inquiry  # Eule
    erased: Inquiry  # erased, though its subject still says the word: Luchs
    meeting: Meeting  # internal only, with a non-public item and minutes: Biber
    public_meeting: Meeting  # with a public part, invited, approved minutes: Otter
    decision: Decision  # on the internal meeting's item: Igel
    public_decision: Decision  # on the public meeting's public item: Marder
    circulation: Circulation  # internal, running: Wiesel
    document: ProjectDocument  # of the internal project: Specht
    own_document: ProjectDocument  # of the applicant's project: Amsel
    paper: AgendaDocument  # of the internal meeting's item: Falke
    idea: Idea  # another organisation's idea in the pool: Hase
    own_idea: Idea  # the applicant's organisation's idea: Maus
    foreign: list[object]  # the other alliance's records: Walross


def _records(alliance: Alliance, *, animal: str | None = None) -> dict[str, object]:
    """One record of every kind with the word (`animal` in each, when given)."""

    def named(text: str) -> str:
        return f"{text} {animal}" if animal else text

    phase = PhaseFactory(alliance=alliance)
    steering = body_of(alliance, BodyKind.STEERING)
    project = ProjectFactory(
        phase=phase,
        title=named("Verbund Metall Kranich"),
        summary=f"Gemeinsame {WORD}en in kleinen Betrieben der Region.",
    )
    document = ProjectDocument.objects.create(
        project=project,
        kind=DocumentKind.SKETCH,
        version=1,
        file=pdf_upload(named("ausbildung-konzept-specht").replace(" ", "-") + ".pdf"),
    )
    inquiry = stored_inquiry(
        alliance,
        subject=named("Frage zur Ausbildung Eule"),
        body="Wie melde ich Auszubildende an? Wir suchen eine Ausbildung für zwei Personen.",
    )
    meeting = MeetingFactory(
        body=steering,
        title=named("Klausur Biber"),
        has_public_part=False,
        location="Haus der Wirtschaft",
    )
    item = AgendaItemFactory(
        meeting=meeting, title=named("Ausbildungsoffensive Igel"), is_public=False
    )
    Minutes.objects.create(
        alliance=alliance,
        meeting=meeting,
        nonpublic_text=f"Die {WORD} im Handwerk wurde vertraulich beraten.",
    )
    decision = Decision.objects.create(
        alliance=alliance,
        item=item,
        outcome=DecisionOutcome.AGREED,
        text=named(f"Der Steuerkreis unterstützt die {WORD} Igel."),
    )
    circulation = Circulation.objects.create(
        alliance=alliance,
        body=steering,
        title=named(f"Umlauf zur {WORD} Wiesel"),
        text="Zustimmung zum Vorschlag.",
        deadline=timezone.now() + timedelta(days=7),
        status=CirculationStatus.OPEN,
    )
    idea = IdeaFactory(
        alliance=alliance,
        title=named("Werkstatttage Hase"),
        text=f"Schülerinnen erproben eine {WORD} im Handwerk.",
        districts="Landkreis Peine",
    )
    paper = AgendaDocument.objects.create(
        alliance=alliance,
        item=item,
        title=named(f"Statistik {WORD} Falke"),
        file=pdf_upload("statistik.pdf"),
    )
    return {
        "phase": phase,
        "steering": steering,
        "project": project,
        "document": document,
        "inquiry": inquiry,
        "meeting": meeting,
        "decision": decision,
        "circulation": circulation,
        "paper": paper,
        "idea": idea,
    }


@pytest.fixture
def world(alliance: Alliance, other_alliance: Alliance) -> World:
    records = _records(alliance)
    phase = records["phase"]
    steering = records["steering"]
    own_organisation = OrganisationFactory(alliance=alliance, name="Bildungswerk Dachs")
    applicant = UserFactory(username="antrag-eigen")
    MembershipFactory(
        user=applicant, alliance=alliance, role=Role.APPLICANT, organisation=own_organisation
    )
    own_project = ProjectFactory(
        phase=phase,
        applicant_organisation=own_organisation,
        title="Pflege lernen Dachs",
        summary=f"Eine {WORD} in der Pflege.",
    )
    own_document = ProjectDocument.objects.create(
        project=own_project,
        kind=DocumentKind.DESCRIPTION,
        version=2,
        file=pdf_upload("ausbildung-amsel.pdf"),
    )
    public_project = ProjectFactory(
        phase=phase, title="Lotsen Fuchs", summary=f"Lotsen durch die {WORD} für Geflüchtete."
    )
    Project.objects.filter(pk=public_project.pk).update(status=Status.GRANTED)
    erased = stored_inquiry(alliance, subject=f"{WORD} Luchs", body=f"{WORD} Luchs")
    Inquiry.objects.filter(pk=erased.pk).update(erased_at=timezone.now())
    public_meeting = MeetingFactory(
        body=steering,
        title="Öffentliche Sitzung Otter",
        has_public_part=True,
        status=MeetingStatus.HELD,
        invited_at=timezone.now() - timedelta(days=14),
        starts_at=timezone.now() - timedelta(days=7),
    )
    public_item = AgendaItem.objects.create(
        alliance=alliance, meeting=public_meeting, title=f"{WORD} Marder", is_public=True
    )
    Minutes.objects.create(
        alliance=alliance,
        meeting=public_meeting,
        public_text=f"Bericht zur {WORD}.",
        status=MinutesStatus.APPROVED,
    )
    public_decision = Decision.objects.create(
        alliance=alliance,
        item=public_item,
        outcome=DecisionOutcome.AGREED,
        text="Einvernehmlich beschlossen Marder.",
    )
    own_idea = IdeaFactory(
        alliance=alliance,
        organisation=own_organisation,
        title="Pflegepaten Maus",
        text=f"Paten begleiten die {WORD} in der Altenpflege.",
    )
    foreign = list(_records(other_alliance, animal="Walross").values())
    inquiry = records["inquiry"]
    assert inquiry.source == Source.CONTACT_FORM
    return World(
        alliance=alliance,
        own_organisation=own_organisation,
        applicant=applicant,
        internal_project=records["project"],  # type: ignore[arg-type]
        own_project=own_project,
        public_project=public_project,
        inquiry=inquiry,  # type: ignore[arg-type]
        erased=erased,
        meeting=records["meeting"],  # type: ignore[arg-type]
        public_meeting=public_meeting,
        decision=records["decision"],  # type: ignore[arg-type]
        public_decision=public_decision,
        circulation=records["circulation"],  # type: ignore[arg-type]
        document=records["document"],  # type: ignore[arg-type]
        own_document=own_document,
        paper=records["paper"],  # type: ignore[arg-type]
        idea=records["idea"],  # type: ignore[arg-type]
        own_idea=own_idea,
        foreign=foreign,
    )
