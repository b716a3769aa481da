"""An alliance ready for its next phase, and the cycle's steps as helpers.

The alliance (`Structure`: ten partners in five groups, the advisory Amt, a municipality that
never signed) runs its recognised phase 2024–2027 with a complete Sprecherkreis and a Steuerkreis
seat for every partner. The office prepares 2027–2030 through the services; the helpers walk it
on (strategy, fields, adoption, requests, signatures, application, decision), each step through
`buendnis.renewal.services`, so that a test starts where its rule applies.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from buendnis.accounts.models import Role, User
from buendnis.alliances.models import (
    Alliance,
    FundingPhase,
    Organisation,
    SeatRole,
    Territory,
)
from buendnis.meetings.models import Circulation, CirculationStatus
from buendnis.renewal import services
from buendnis.renewal.models import SignatureRequest
from tests.conftest import PERSONAS
from tests.factories import (
    ActionFieldFactory,
    MembershipFactory,
    PersonFactory,
    SeatFactory,
    Structure,
    TopicFactory,
    UserFactory,
)

# The dossier (`buendnis.renewal.dossier`, antrag.pdf/.xlsx and the submission's PDF) is written
# in parallel; the pages that render it are tested once it is there (no stand-in for it).
DOSSIER = importlib.util.find_spec("buendnis.renewal.dossier") is not None

NEW_START = date(2027, 7, 1)
NEW_END = date(2030, 6, 30)
SPEAKERS = (
    "Agentur für Arbeit Braunschweig-Goslar",
    "Landkreis Wolfenbüttel",
    "DGB Region SüdOstNiedersachsen",
    "Arbeitgeberverband Region Braunschweig",
)


def today() -> date:
    return timezone.localdate()


@dataclass
class Cycle:
    """The alliance, its running phase (`structure.phase`) and the users who act in the cycle."""

    alliance: Alliance
    structure: Structure
    office: User
    ministry: User
    # Personas of tests/conftest.py by name (None for "public"), built once per test.
    personas: dict[str, User | None] = field(default_factory=dict)

    @property
    def previous(self) -> FundingPhase:
        return self.structure.phase

    def org(self, name: str) -> Organisation:
        return self.structure.org(name)

    @property
    def partners(self) -> list[Organisation]:
        """The ten organisations that signed the running phase."""
        return list(self.structure.orgs.values())

    def client(self, persona: str) -> Client:
        client = Client()
        user = self.personas[persona]
        if user is not None:
            client.force_login(user)
        return client

    # --- The steps, through the services ---------------------------------------------------------

    def prepare(self, **overrides: object) -> FundingPhase:
        data: dict[str, object] = {
            "name": "2027–2030",
            "starts_on": NEW_START,
            "ends_on": NEW_END,
            "virtual_budget": Decimal("1800000.00"),
            "funding_rate": Decimal("70.00"),
        }
        data.update(overrides)
        return services.phase_prepare(actor=self.office, alliance=self.alliance, **data)  # type: ignore[arg-type]

    def write_strategy(self, phase: FundingPhase) -> None:
        services.strategy_revise(
            actor=self.office,
            phase=phase,
            analysis="Die Region altert; Betriebe finden keine Auszubildenden.",
            review="Zehn Vorhaben, 1,5 Mio. Euro.",
            fields_intro="Drei Handlungsfelder, thematisch offen.",
            working_methods="Konsens im Steuerkreis.",
            change_note="Erster Entwurf",
        )

    def passed_circulation(self, title: str = "Handlungsfelder 2027–2030") -> Circulation:
        now = timezone.now()
        return Circulation.objects.create(
            alliance=self.alliance,
            body=self.structure.steering,
            title=title,
            text="Der Steuerkreis beschließt die Handlungsfelder und Themen.",
            deadline=now,
            status=CirculationStatus.PASSED,
            closed_at=now,
        )

    def adopt(self, phase: FundingPhase) -> None:
        field_ = ActionFieldFactory(phase=phase, title="Fachkräfte sichern", position=1)
        TopicFactory(action_field=field_, title="Rückkehrer gewinnen")
        services.strategy_adopt(
            actor=self.office, phase=phase, circulation=self.passed_circulation()
        )

    def ask(
        self, phase: FundingPhase, organisations: Iterable[Organisation] | None = None, **kw: object
    ) -> list[SignatureRequest]:
        kw.setdefault("asked_on", today())
        return services.signatures_request(
            actor=self.office,
            phase=phase,
            organisations=list(self.partners if organisations is None else organisations),
            **kw,  # type: ignore[arg-type]
        )

    def sign_all(self, requests: Iterable[SignatureRequest]) -> None:
        for request in requests:
            services.signature_sign(actor=self.office, request=request, signed_on=today())

    def ready(self) -> FundingPhase:
        """A draft that meets every rule: strategy adopted, all ten partners signed."""
        phase = self.prepare()
        self.write_strategy(phase)
        self.adopt(phase)
        self.sign_all(self.ask(phase))
        return phase

    def applied(self) -> FundingPhase:
        phase = self.ready()
        services.application_submit(actor=self.office, phase=phase, cover_note="Bitte verlängern.")
        phase.refresh_from_db()
        return phase

    def decide(self, phase: FundingPhase, outcome: str, **kw: object) -> None:
        kw.setdefault("decided_on", today())
        if outcome == "recognised":
            kw.setdefault("reference", "MS 21-12345")
            kw.setdefault("virtual_budget", Decimal("1500000.00"))
            kw.setdefault("funding_rate", Decimal("50.00"))
        else:
            kw.setdefault("reason", "Die Strategie braucht eine Analyse der Pflegeberufe.")
        services.recognition_decide(actor=self.ministry, phase=phase, outcome=outcome, **kw)  # type: ignore[arg-type]
        phase.refresh_from_db()


def build_structure(alliance: Alliance) -> Structure:
    """The smoke test's alliance: the running phase 2024–2027, a city and a district among the
    municipalities, a complete Sprecherkreis, every partner (and the advisory Amt) in the
    Steuerkreis."""
    built = Structure(alliance)
    built.phase.name = "2024–2027"
    built.phase.starts_on = date(2024, 7, 1)
    built.phase.ends_on = date(2027, 6, 30)
    built.phase.save()
    for name, territory in (
        ("Stadt Braunschweig", Territory.INDEPENDENT_CITY),
        ("Landkreis Wolfenbüttel", Territory.DISTRICT),
    ):
        organisation = built.org(name)
        organisation.territory = territory
        organisation.save()
    SeatFactory(
        body=built.speakers,
        organisation=built.org("Stadt Braunschweig"),
        role=SeatRole.SPEAKER,
        starts_on=date(2024, 7, 1),
    )
    for name in SPEAKERS:
        SeatFactory(
            body=built.speakers,
            organisation=built.org(name),
            role=SeatRole.DEPUTY_SPEAKER,
            starts_on=date(2024, 7, 1),
        )
    for organisation in built.orgs.values():
        SeatFactory(
            body=built.steering,
            organisation=organisation,
            role=SeatRole.MEMBER,
            starts_on=date(2024, 7, 1),
        )
    SeatFactory(
        body=built.steering,
        organisation=built.arl,
        role=SeatRole.ADVISORY,
        starts_on=date(2024, 7, 1),
    )
    return built


@pytest.fixture
def personas(make_persona: Callable[[str], User | None]) -> dict[str, User | None]:
    return {name: make_persona(name) for name in PERSONAS}


@pytest.fixture
def cycle(alliance: Alliance, personas: dict[str, User | None]) -> Cycle:
    alliance.office_email = "geschaeftsstelle@son.example.org"
    alliance.save()
    office = personas["office"]
    ministry = personas["ministry"]
    assert office is not None and ministry is not None
    return Cycle(
        alliance=alliance,
        structure=build_structure(alliance),
        office=office,
        ministry=ministry,
        personas=personas,
    )


@pytest.fixture
def contact(cycle: Cycle) -> User:
    """Speaks for the Stadt Braunschweig: a role with the organisation."""
    user = UserFactory(username="stadt", email="rat@braunschweig.example.org")
    MembershipFactory(
        user=user,
        alliance=cycle.alliance,
        role=Role.STEERING,
        organisation=cycle.org("Stadt Braunschweig"),
    )
    return user


@pytest.fixture
def person_contact(cycle: Cycle) -> User:
    """Speaks for the DGB: a contact person's record linked to the login, no role."""
    user = UserFactory(username="dgb", email="login@dgb.example.org")
    PersonFactory(
        organisation=cycle.org("DGB Region SüdOstNiedersachsen"),
        user=user,
        email="kontakt@dgb.example.org",
    )
    return user


def days(number: int) -> timedelta:
    return timedelta(days=number)
