"""What the state requires before the application goes out (composition of the signed partners,
territory, Sprecherkreis, strategy), and the submission itself."""

import re
from collections.abc import Collection

import pytest
from django.utils import timezone

from buendnis.alliances.models import (
    FundingPhase,
    GroupKind,
    RecognitionStatus,
    Territory,
)
from buendnis.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from buendnis.core.models import AuditEntry
from buendnis.renewal import selectors, services
from buendnis.renewal.models import ExtensionApplication, Strategy
from tests.factories import OrganisationFactory

from .conftest import Cycle, today

pytestmark = pytest.mark.django_db


def signed_except(
    cycle: Cycle,
    phase: FundingPhase,
    *,
    kinds: Collection[str] = (),
    names: Collection[str] = (),
) -> None:
    """Every partner signs but those of the groups `kinds` and the organisations `names`."""
    chosen = [
        organisation
        for organisation in cycle.partners
        if organisation.group.kind not in kinds and organisation.name not in names
    ]
    cycle.sign_all(cycle.ask(phase, chosen))


@pytest.fixture
def draft(cycle: Cycle) -> FundingPhase:
    """Strategy written and adopted; nobody asked yet."""
    phase = cycle.prepare()
    cycle.write_strategy(phase)
    cycle.adopt(phase)
    return phase


def test_a_complete_alliance_may_apply(cycle: Cycle, draft: FundingPhase) -> None:
    signed_except(cycle, draft)
    assert selectors.composition_problems(draft) == []
    assert selectors.speakers_problems(draft) == []
    assert selectors.strategy_problems(draft) == []


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        (GroupKind.CHAMBERS, "Unter den Partnern fehlt eine Kammer."),
        (GroupKind.EMPLOYER_ASSOCIATIONS, "Unter den Partnern fehlt ein Arbeitgeberverband."),
        (GroupKind.UNIONS, "Unter den Partnern fehlt eine Gewerkschaft."),
        (
            GroupKind.EMPLOYMENT_AGENCIES,
            "Unter den Partnern fehlt die Agentur für Arbeit oder ein Jobcenter.",
        ),
    ],
)
def test_each_required_group_must_have_signed(
    cycle: Cycle, draft: FundingPhase, kind: str, message: str
) -> None:
    signed_except(cycle, draft, kinds={kind})
    assert message in selectors.composition_problems(draft)


@pytest.mark.parametrize(
    "kind",
    [GroupKind.EMPLOYMENT_AGENCIES, GroupKind.CHAMBERS],
)
def test_one_organisation_of_a_group_is_enough(
    cycle: Cycle, draft: FundingPhase, kind: str
) -> None:
    """The agency or a Jobcenter; the IHK or the HWK."""
    one = next(org for org in cycle.partners if org.group.kind == kind)
    signed_except(cycle, draft, names={one.name})
    assert selectors.composition_problems(draft) == []


def test_no_local_authority_at_all(cycle: Cycle, draft: FundingPhase) -> None:
    signed_except(cycle, draft, kinds={GroupKind.MUNICIPALITIES})
    problems = selectors.composition_problems(draft)
    assert "Unter den Partnern fehlt ein Landkreis oder eine kreisfreie Stadt." in problems
    assert any("0 Landkreis(e) und 0 kreisfreie Stadt" in problem for problem in problems)


def _municipalities(cycle: Cycle, territories: list[str]) -> None:
    """The two municipalities of the structure with these territories (and more if needed)."""
    names = ["Stadt Braunschweig", "Landkreis Wolfenbüttel"]
    for name, territory in zip(names, territories, strict=False):
        organisation = cycle.org(name)
        organisation.territory = territory
        organisation.save()
    for number, territory in enumerate(territories[len(names) :]):
        cycle.structure.orgs[f"extra {number}"] = OrganisationFactory(
            alliance=cycle.alliance,
            group=cycle.structure.groups["municipalities"],
            name=f"Kommune {number}",
            territory=territory,
        )


@pytest.mark.parametrize(
    ("territories", "holds"),
    [
        ([Territory.DISTRICT, Territory.INDEPENDENT_CITY], True),
        ([Territory.DISTRICT, Territory.DISTRICT], True),
        ([Territory.INDEPENDENT_CITY, Territory.DISTRICT, Territory.DISTRICT], True),
        ([Territory.INDEPENDENT_CITY, Territory.INDEPENDENT_CITY], False),
        ([Territory.DISTRICT, Territory.MUNICIPALITY], False),
        ([Territory.DISTRICT, Territory.NONE], False),
        ([Territory.MUNICIPALITY, Territory.MUNICIPALITY], False),
    ],
)
def test_the_territory_covers_two_districts_or_a_district_and_a_city(
    cycle: Cycle, draft: FundingPhase, territories: list[str], holds: bool
) -> None:
    _municipalities(cycle, territories)
    signed_except(cycle, draft)
    problems = selectors.composition_problems(draft)
    territory = [problem for problem in problems if problem.startswith("Das Gebiet muss")]
    assert (territory == []) is holds
    assert (problems == []) is holds


def test_the_territory_counts_only_who_signed(cycle: Cycle, draft: FundingPhase) -> None:
    signed_except(cycle, draft, names={"Landkreis Wolfenbüttel"})
    [problem] = selectors.composition_problems(draft)
    assert "0 Landkreis(e) und 1 kreisfreie Stadt" in problem


def test_every_member_of_the_sprecherkreis_must_have_signed(
    cycle: Cycle, draft: FundingPhase
) -> None:
    signed_except(cycle, draft, names={"IG Metall Wolfsburg", "DGB Region SüdOstNiedersachsen"})
    problems = selectors.speakers_problems(draft)
    assert problems == [
        "DGB Region SüdOstNiedersachsen sitzt im Sprecherkreis, hat für 2027–2030 aber nicht "
        "unterzeichnet."
    ]


def test_the_strategy_must_be_adopted_and_written(cycle: Cycle) -> None:
    phase = cycle.prepare()
    assert selectors.strategy_problems(phase) == [
        "Der Steuerkreis hat die Handlungsfelder der Strategie noch nicht beschlossen.",
        "Die Strategie braucht mindestens die Analyse der Region und die Handlungsfelder.",
    ]
    cycle.write_strategy(phase)
    cycle.adopt(phase)
    assert selectors.strategy_problems(phase) == []


# --- Submitting ---------------------------------------------------------------------------------


def test_submission_is_refused_with_what_is_missing(cycle: Cycle, draft: FundingPhase) -> None:
    signed_except(cycle, draft, kinds={GroupKind.CHAMBERS})
    with pytest.raises(DomainError, match="kann noch nicht gestellt werden: .*fehlt eine Kammer"):
        services.application_submit(actor=cycle.office, phase=draft)
    draft.refresh_from_db()
    assert draft.recognition_status == RecognitionStatus.DRAFT
    assert ExtensionApplication.objects.get(phase=draft).submissions == 0
    assert not AuditEntry.objects.filter(action="renewal.applied").exists()


def test_submission_sends_the_phase_to_the_ministry(cycle: Cycle) -> None:
    phase = cycle.ready()
    application = services.application_submit(
        actor=cycle.office, phase=phase, cover_note="  Bitte verlängern.  "
    )
    phase.refresh_from_db()
    assert phase.recognition_status == RecognitionStatus.APPLIED
    assert phase.extension_applied_on == timezone.localdate()
    assert phase.extension_note == "Bitte verlängern."
    assert (application.submissions, application.submitted_by) == (1, cycle.office)
    assert application.requested_budget == phase.virtual_budget
    assert application.requested_rate == phase.funding_rate
    assert application.dossier.read().startswith(b"%PDF-")
    entry = AuditEntry.objects.get(action="renewal.applied")
    assert (entry.from_state, entry.to_state) == ("draft", "applied")
    assert entry.changes["submission"] == 1


def test_the_dossier_is_kept_with_the_application(cycle: Cycle) -> None:
    phase = cycle.ready()
    application = services.application_submit(actor=cycle.office, phase=phase)
    # The storage adds a suffix where a file of the name exists already.
    assert re.search(rf"-{phase.pk}-1(_\w+)?\.pdf$", application.dossier.name)
    assert application.dossier.read().startswith(b"%PDF-")


def test_a_submitted_application_is_not_submitted_twice(cycle: Cycle) -> None:
    phase = cycle.applied()
    with pytest.raises(TransitionNotAllowed, match="schon gestellt"):
        services.application_submit(actor=cycle.office, phase=phase)
    assert ExtensionApplication.objects.get(phase=phase).submissions == 1
    assert AuditEntry.objects.filter(action="renewal.applied").count() == 1


@pytest.mark.parametrize("persona", ["speaker", "member", "advisory", "ministry", "outsider"])
def test_only_the_office_applies(cycle: Cycle, persona: str) -> None:
    phase = cycle.ready()
    with pytest.raises(NotPermitted, match="Antrag stellt die Geschäftsstelle"):
        services.application_submit(actor=cycle.personas[persona], phase=phase)  # type: ignore[arg-type]
    phase.refresh_from_db()
    assert phase.recognition_status == RecognitionStatus.DRAFT


def test_an_unadopted_strategy_keeps_the_application_back(cycle: Cycle) -> None:
    phase = cycle.prepare()
    cycle.write_strategy(phase)
    cycle.sign_all(cycle.ask(phase))
    with pytest.raises(DomainError, match="noch nicht beschlossen"):
        services.application_submit(actor=cycle.office, phase=phase)
    Strategy.objects.get(phase=phase)  # untouched
    cycle.adopt(phase)
    services.application_submit(actor=cycle.office, phase=phase)
    phase.refresh_from_db()
    assert phase.recognition_status == RecognitionStatus.APPLIED
    assert phase.extension_applied_on == today()
