"""Similar ideas and projects for a reader (`ideas.matching` on top of the engine): what comes
back, what never does, and that the corpus follows the database."""

from __future__ import annotations

import pytest
from django.test import Client

from buendnis.accounts import tokens
from buendnis.accounts.models import Role
from buendnis.funding.states import Status
from buendnis.ideas import matching, services
from buendnis.ideas.models import IdeaStatus
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PhaseFactory,
    ProjectFactory,
    UserFactory,
    project_in_state,
)

pytestmark = pytest.mark.django_db

DRIVERS = [
    (
        "Berufskraftfahrer gewinnen",
        "Arbeitsuchende in zwölf Monaten zu Berufskraftfahrern ausbilden, mit Führerschein C/CE.",
        "Menschen ohne Arbeit",
    ),
    (
        "Fahrerinnen und Fahrer für den Güterverkehr",
        "Quereinsteigerinnen und Quereinsteiger für das Lenken von Lastwagen qualifizieren und in "
        "Speditionen vermitteln.",
        "Arbeitslose Erwachsene",
    ),
]
CARE = (
    "Pflegeausbildung bekannt machen",
    "Schülerinnen und Schüler der Klassen 8 bis 10 lernen Pflegeberufe in Praktika kennen.",
    "Schülerinnen und Schüler",
)


def post(alliance, title, text, target_group="", actor=None, **fields):
    return services.idea_create(
        actor=actor,
        alliance=alliance,
        title=title,
        text=text,
        target_group=target_group,
        **fields,
    )


@pytest.fixture
def office(make_persona):
    return make_persona("office")


def test_the_paraphrase_comes_first_never_the_idea_itself(alliance, office):
    first = post(alliance, *DRIVERS[0])
    post(alliance, *CARE)
    second = post(alliance, *DRIVERS[1])
    found = matching.similar_to_idea(office, second, limit=10)
    assert [item.id for item in found if item.kind == "idea"][0] == first.pk
    assert second.pk not in [item.id for item in found if item.kind == "idea"]
    best = found[0]
    assert 0 < best.score <= 1 and best.reasons
    assert all(isinstance(reason, str) and reason for reason in best.reasons)
    scores = [item.score for item in found]
    assert scores == sorted(scores, reverse=True)


def test_projects_of_every_phase_take_part(alliance, office):
    old_phase = PhaseFactory(alliance=alliance, name="Förderphase 2015–2018")
    project = ProjectFactory(
        phase=old_phase,
        title="Lkw-Fahrer für die Region",
        summary="Arbeitslose werden zu Berufskraftfahrern umgeschult und in Speditionen vermittelt.",
        goals="Fahrermangel in der Logistik mindern",
        target_group="Arbeitslose",
    )
    # Projects are encoded by `manage.py ideas_encode` (periodic) and along an idea's save.
    assert matching.encode_pending_projects(alliance.pk) == 1
    idea = post(alliance, *DRIVERS[1])
    found = matching.similar_to_idea(office, idea, limit=10)
    assert ("project", project.pk) in [(item.kind, item.id) for item in found]
    entry = next(item for item in found if item.kind == "project")
    assert entry.reference == project.reference


def test_never_another_alliance_nor_withdrawn_or_merged_ideas(alliance, other_alliance, office):
    theirs = post(other_alliance, *DRIVERS[0])
    withdrawn = post(alliance, DRIVERS[0][0] + " (alt)", DRIVERS[0][1], DRIVERS[0][2])
    services.idea_set_status(actor=office, idea=withdrawn, status=IdeaStatus.WITHDRAWN)
    kept = post(alliance, *DRIVERS[0])
    merged = post(alliance, DRIVERS[0][0] + " II", DRIVERS[0][1], DRIVERS[0][2])
    services.ideas_merge(actor=office, target=kept, others=[merged])
    query = post(alliance, *DRIVERS[1])
    ids = [item.id for item in matching.similar_to_idea(office, query) if item.kind == "idea"]
    assert kept.pk in ids
    assert theirs.pk not in ids and withdrawn.pk not in ids and merged.pk not in ids


def test_a_new_idea_is_matchable_at_once_and_a_deleted_one_gone(alliance, office):
    query = post(alliance, *DRIVERS[1])
    assert matching.similar_to_idea(office, query) == []
    # The corpus of this process is built now; the next idea joins it through the table.
    newcomer = post(alliance, *DRIVERS[0])
    assert [item.id for item in matching.similar_to_idea(office, query)] == [newcomer.pk]
    services.idea_delete(actor=office, idea=newcomer)
    assert matching.similar_to_idea(office, query) == []


def test_an_applicant_sees_only_what_they_may(alliance):
    organisation = OrganisationFactory(alliance=alliance)
    applicant = UserFactory(username="bewerber")
    MembershipFactory(
        user=applicant, alliance=alliance, role=Role.APPLICANT, organisation=organisation
    )
    internal = post(alliance, *DRIVERS[0])  # another partner's idea: internal
    phase = PhaseFactory(alliance=alliance)
    hidden = ProjectFactory(
        phase=phase, title="Berufskraftfahrer im Entwurf", summary=DRIVERS[0][1]
    )  # state "idea": not public
    public = project_in_state(phase, Status.ENDORSED)
    matching.encode_pending_projects(alliance.pk)
    own = post(alliance, *DRIVERS[1], actor=applicant, organisation=organisation)
    seen = {(item.kind, item.id) for item in matching.similar_to_idea(applicant, own)}
    assert ("idea", internal.pk) not in seen
    assert ("project", hidden.pk) not in seen
    assert ("project", public.pk) in seen


def test_the_api_answers_the_contract(alliance, other_alliance, office):
    ideas = [post(alliance, f"{DRIVERS[0][0]} {number}", DRIVERS[0][1]) for number in range(12)]
    post(other_alliance, *DRIVERS[1])
    query = post(alliance, *DRIVERS[1])
    _row, secret = tokens.token_create(actor=None, user=office, name="Test")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get(
        f"/api/v1/alliances/son/ideas/{query.pk}/similar/"
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 10  # at least the 10 best where that many exist
    assert {entry["id"] for entry in results} <= {idea.pk for idea in ideas}
    for entry in results:
        assert {"kind", "id", "title", "score", "reasons"} <= set(entry)
        assert entry["kind"] == "idea" and isinstance(entry["reasons"], list)
    assert [entry["score"] for entry in results] == sorted(
        (entry["score"] for entry in results), reverse=True
    )


def test_overlaps_become_hints_for_the_office_until_settled(
    alliance, office, django_capture_on_commit_callbacks
):
    from buendnis.ideas import selectors
    from buendnis.ideas.models import Overlap

    with django_capture_on_commit_callbacks(execute=True):
        first = post(alliance, *DRIVERS[0])
        post(alliance, *CARE)
    assert not Overlap.objects.exists()  # nothing similar enough yet
    with django_capture_on_commit_callbacks(execute=True):
        second = post(alliance, *DRIVERS[1])
    hint = Overlap.objects.get()
    assert (hint.idea, hint.other_idea) == (second, first)
    assert hint.score >= matching.OVERLAP_MIN_SCORE and hint.reasons
    assert selectors.open_overlaps(alliance, limit=5) == ([hint], 1)
    # The office links the two: the hint is settled and stays settled when the idea changes.
    services.idea_link(actor=office, idea=first, other_idea=second)
    assert selectors.open_overlaps(alliance, limit=5) == ([], 0)
    with django_capture_on_commit_callbacks(execute=True):
        services.idea_update(actor=office, idea=second, text=second.text + " Mit Sprachkurs.")
    assert selectors.open_overlaps(alliance, limit=5) == ([], 0)


def test_a_hint_can_be_set_aside_by_the_office_only(
    alliance, office, make_persona, django_capture_on_commit_callbacks
):
    from buendnis.core.errors import NotPermitted
    from buendnis.ideas import selectors

    with django_capture_on_commit_callbacks(execute=True):
        post(alliance, *DRIVERS[0])
        post(alliance, *CARE)
        post(alliance, *DRIVERS[1])
    (hint,), _count = selectors.open_overlaps(alliance, limit=5)
    with pytest.raises(NotPermitted):
        services.overlap_set_aside(actor=make_persona("member"), overlap=hint)
    services.overlap_set_aside(actor=office, overlap=hint)
    hint.refresh_from_db()
    assert hint.settled_at is not None and hint.settled_by == office
    assert selectors.open_overlaps(alliance, limit=5) == ([], 0)


def test_the_same_idea_posted_twice_finds_its_twin(alliance, office):
    first = post(alliance, *DRIVERS[0])
    twin = post(alliance, *DRIVERS[0])
    found = matching.similar_to_idea(office, twin)
    assert found[0].id == first.pk and found[0].kind == "idea"
    assert twin.pk not in [item.id for item in found]


def test_a_reader_who_sees_little_still_gets_the_best_of_it(alliance):
    """Many internal ideas closer to the query than the one public project: an applicant, who
    may not see them, still finds the project."""
    organisation = OrganisationFactory(alliance=alliance)
    applicant = UserFactory(username="bewerberin")
    MembershipFactory(
        user=applicant, alliance=alliance, role=Role.APPLICANT, organisation=organisation
    )
    for number in range(45):
        post(alliance, f"{DRIVERS[0][0]} {number}", DRIVERS[0][1], DRIVERS[0][2])
    public = project_in_state(PhaseFactory(alliance=alliance), Status.ENDORSED)
    matching.encode_pending_projects(alliance.pk)
    own = post(alliance, *DRIVERS[1], actor=applicant, organisation=organisation)
    seen = [(item.kind, item.id) for item in matching.similar_to_idea(applicant, own)]
    assert seen == [("project", public.pk)]
