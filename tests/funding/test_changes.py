"""What a body decided on is kept with its outcome, and every change of money or aim since shows
as a difference against it (issue 12: a grant raised from 100.000 € to 1.000.000 € after the
Steuerkreis approved the sketch went unflagged)."""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from buendnis.alliances.models import Alliance
from buendnis.funding import changes, selectors, services
from buendnis.funding.models import BodyOutcome, Outcome, Project
from buendnis.funding.states import Status
from tests.factories import (
    AllianceStructure,
    advance,
    body_of,
    build_alliance_structure,
    project_in_state,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def structure(alliance: Alliance) -> AllianceStructure:
    return build_alliance_structure(alliance, place="Braunschweig")


def approved_sketch(structure: AllianceStructure, **fields: Any) -> Project:
    """A sketch of 100.000 € (of 200.000 € costs) the Steuerkreis has approved: the description
    is requested, the project is the applicant's to edit again."""
    fields.setdefault("eligible_costs", Decimal("200000.00"))
    fields.setdefault("requested_grant", Decimal("100000.00"))
    return project_in_state(structure, Status.DESCRIPTION_REQUESTED, **fields)


def raise_grant(project: Project) -> None:
    """The applicant's edit of the issue: ten times the grant, costs and co-financing to match."""
    services.project_update(
        actor=None,
        project=project,
        eligible_costs=Decimal("2000000.00"),
        requested_grant=Decimal("1000000.00"),
    )
    services.cofinancing_set(
        actor=None,
        project=project,
        shares=[
            services.Share(
                amount=Decimal("1000000.00"), organisation=project.applicant_organisation
            )
        ],
    )


def test_every_outcome_keeps_what_the_body_decided_on(structure: AllianceStructure) -> None:
    project = approved_sketch(structure, title="Welcome Center", planned_participants=40)
    speakers, steering = BodyOutcome.objects.filter(project=project).order_by("id")
    assert speakers.body.kind == "speakers" and steering.body.kind == "steering"
    assert steering.voted_terms == {
        "requested_grant": "100000.00",
        "eligible_costs": "200000.00",
        "cofinancing_total": "100000.00",
        "title": "Welcome Center",
        "summary": project.summary,
        "goals": project.goals,
        "target_group": project.target_group,
        "planned_participants": 40,
        "runtime": [project.starts_on.isoformat(), project.ends_on.isoformat()],
    }
    assert changes.voted_terms(project) == steering.voted_terms
    assert selectors.changes_since_vote(project) == []
    assert selectors.vote_changes(project) == []


def test_a_grant_raised_after_the_steering_vote(structure: AllianceStructure) -> None:
    project = approved_sketch(structure)
    raise_grant(project)
    found = selectors.changes_since_vote(project)
    # Read as (label, voted value, now), amounts formatted.
    assert [tuple(change) for change in found] == [
        ("Beantragter Zuschuss", "100.000,00 €", "1.000.000,00 €"),
        ("Förderfähige Gesamtkosten", "200.000,00 €", "2.000.000,00 €"),
        ("Kofinanzierung", "100.000,00 €", "1.000.000,00 €"),
    ]
    grant = found[0]
    assert grant.raised and grant.note == "erhöht um 900.000,00 €"
    [box] = selectors.vote_changes(project)
    day = timezone.localdate().strftime("%d.%m.%Y")
    assert box.heading == f"Geändert seit dem Votum des Steuerkreises am {day} (befürwortet)"
    assert box.grant_raised == grant
    assert box.warning == (
        f"Achtung: Der beantragte Zuschuss ist seit dem {day} von 100.000,00 € auf "
        "1.000.000,00 € gestiegen (erhöht um 900.000,00 €). Befürwortet hat der Steuerkreis "
        "den niedrigeren Betrag."
    )
    assert box.summary.startswith("Geändert seit dem Votum des Steuerkreises am")
    assert "Beantragter Zuschuss (erhöht um 900.000,00 €); Förderfähige Gesamtkosten" in (
        box.summary
    )


def test_a_lower_amount_is_a_change_but_no_warning(structure: AllianceStructure) -> None:
    project = approved_sketch(structure)
    services.project_update(actor=None, project=project, requested_grant=Decimal("80000.00"))
    [grant] = selectors.changes_since_vote(project)
    assert (grant.label, grant.voted, grant.now) == (
        "Beantragter Zuschuss",
        "100.000,00 €",
        "80.000,00 €",
    )
    assert not grant.raised and grant.note == "gesenkt um 20.000,00 €"
    [box] = selectors.vote_changes(project)
    assert box.grant_raised is None and box.warning == ""


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("title", "Welcome Center plus", "Titel"),
        ("summary", "Etwas ganz anderes.", "Kurzbeschreibung"),
        ("goals", "Andere Ziele.", "Ziele"),
        ("target_group", "Alle", "Zielgruppe"),
    ],
)
def test_every_text_of_the_aim(
    structure: AllianceStructure, field: str, value: str, label: str
) -> None:
    project = approved_sketch(structure)
    before = getattr(project, field)
    services.project_update(actor=None, project=project, **{field: value})
    [change] = selectors.changes_since_vote(project)
    assert (change.label, change.voted, change.now, change.note) == (
        label,
        before,
        value,
        "Text geändert",
    )


def test_a_text_saved_again_from_a_browser_is_no_change(structure: AllianceStructure) -> None:
    project = approved_sketch(structure, goals="Erstens.\nZweitens.")
    # A browser sends CRLF and the form may keep a trailing blank: the meaning is the same.
    services.project_update(actor=None, project=project, goals="Erstens. \r\nZweitens.\r\n")
    assert selectors.changes_since_vote(project) == []


def test_participants_and_runtime(structure: AllianceStructure) -> None:
    project = approved_sketch(structure, planned_participants=40)
    start, end = project.starts_on, project.ends_on
    services.project_update(
        actor=None,
        project=project,
        planned_participants=25,
        ends_on=end - timedelta(days=31),
    )
    participants, runtime = selectors.changes_since_vote(project)
    assert (participants.label, participants.voted, participants.now, participants.note) == (
        "Geplante Teilnehmende",
        "40",
        "25",
        "15 weniger",
    )
    fmt = "%d.%m.%Y"
    assert (runtime.label, runtime.voted, runtime.now) == (
        "Laufzeit",
        f"{start:{fmt}} – {end:{fmt}}",
        f"{start:{fmt}} – {end - timedelta(days=31):{fmt}}",
    )
    services.project_update(actor=None, project=project, planned_participants=None)
    participants, _runtime = selectors.changes_since_vote(project)
    assert (participants.voted, participants.now, participants.note) == ("40", "–", "")


def test_co_financing_alone(structure: AllianceStructure) -> None:
    project = approved_sketch(structure)
    services.cofinancing_set(
        actor=None,
        project=project,
        shares=[services.Share(amount=Decimal("60000.00"), name="Landkreis")],
    )
    [change] = selectors.changes_since_vote(project)
    assert tuple(change) == ("Kofinanzierung", "100.000,00 €", "60.000,00 €")


def test_an_outcome_from_before_the_record_compares_with_nothing(
    structure: AllianceStructure,
) -> None:
    project = approved_sketch(structure)
    BodyOutcome.objects.filter(project=project).update(voted_terms=None)
    raise_grant(project)
    assert selectors.latest_vote(project) is None
    assert selectors.changes_since_vote(project) == []
    assert selectors.vote_changes(project) == []


def test_the_steering_committee_sees_the_change_against_its_own_vote(
    structure: AllianceStructure,
) -> None:
    """The Sprecherkreis recommends the raised description: against its recommendation nothing
    changed, but the Steuerkreis approved the sketch at 100.000 € and reads the difference."""
    project = approved_sketch(structure)
    raise_grant(project)
    advance(project, Status.DESCRIPTION_STEERING)
    assert selectors.changes_since_vote(project) == []
    assert selectors.vote_changes(project) == []
    [box] = selectors.vote_changes(project, body_kind="steering")
    assert box.outcome.body.kind == "steering" and box.outcome.stage_status == "sketch_steering"
    assert box.grant_raised is not None
    # The same for the office's board: each row compared for the body whose turn it is.
    assert selectors.vote_changes_of([project])[project.pk][0].outcome == box.outcome
    # After the Votum on the description, nothing is left to flag.
    advance(project, Status.ENDORSED)
    assert selectors.vote_changes(project, body_kind="steering") == []


def test_headings_name_the_body_and_what_it_concluded(structure: AllianceStructure) -> None:
    day = timezone.localdate().strftime("%d.%m.%Y")
    recommended = project_in_state(structure, Status.SKETCH_STEERING)
    services.project_update(actor=None, project=recommended, title="Neu")
    [box] = selectors.vote_changes(recommended)
    assert box.heading == f"Geändert seit der Empfehlung des Sprecherkreises am {day} (befürwortet)"
    deferred = project_in_state(structure, Status.DEFERRED, at=Status.SKETCH_STEERING)
    services.project_update(actor=None, project=deferred, title="Neu")
    [box] = selectors.vote_changes(deferred)
    assert box.heading == f"Geändert seit dem Beschluss des Steuerkreises am {day} (vertagt)"
    sent_back = project_in_state(structure, Status.REVISION_REQUESTED)
    services.project_update(actor=None, project=sent_back, title="Neu")
    [box] = selectors.vote_changes(sent_back)
    assert box.heading == (
        f"Geändert seit dem Beschluss des Sprecherkreises am {day} (zur Überarbeitung zurück)"
    )
    assert box.grant_raised is None


def test_a_recorded_outcome_by_hand_keeps_the_terms(structure: AllianceStructure) -> None:
    project = project_in_state(structure, Status.SKETCH_SPEAKERS)
    outcome = services.outcome_record(
        actor=None,
        project=project,
        body=body_of(project.alliance, "speakers"),
        outcome=Outcome.POSITIVE,
        decided_on=timezone.localdate(),
    )
    assert outcome.voted_terms == changes.voted_terms(project)


def test_the_board_reads_many_rows_in_two_queries(
    structure: AllianceStructure, django_assert_num_queries: Callable[..., Any]
) -> None:
    rows = []
    for number in range(3):
        project = approved_sketch(structure, title=f"Vorhaben {number}")
        raise_grant(project)
        rows.append(project)
    rows.append(project_in_state(structure, Status.IDEA))
    # Outcomes with bodies; the projects' terms with their co-financing.
    with django_assert_num_queries(2):
        found = selectors.vote_changes_of(rows)
    assert set(found) == {project.pk for project in rows[:3]}
    assert all(boxes[0].grant_raised is not None for boxes in found.values())
    with django_assert_num_queries(0):
        assert selectors.vote_changes_of([]) == {}
