"""Query counts of the office workspace are pinned and do not grow with the number of projects.

Each query is named in a comment; when a count changes, update the comment too.
"""

from collections.abc import Callable

import pytest
from django.test import Client

from buendnis.alliances.models import Alliance
from buendnis.funding.models import Project
from buendnis.funding.states import Status
from tests.factories import (
    AllianceStructure,
    ProjectFactory,
    build_alliance_structure,
    project_in_state,
)

BOARD = "/son/intern/vorhaben/"

# Every signed-in page starts with: session; user; alliance by slug; the user's memberships
# (cached for the request, so navigation and permission checks ask no more); the header's count
# of unread notifications.
# … and the two-factor check: the session's verified app (django-otp's OTPMiddleware), or,
# where the session has none, whether the user has an app (accounts.middleware).
SIGNED_IN = 6

# The board: the alliance's phases (to pick the running one; the filter's phase choices too, so
# validating and rendering the phase cost nothing more); the number of projects per state (GROUP
# BY); the longest waiting few of each state with phase, field of action and owner (a window
# query); the projects with the next deadlines and their total (a window count). Rendering the
# filter form: fields of action with their phase; organisations.
# The next deadlines add the meetings' dates: Steuerkreis meetings with an open submission
# deadline; the next meetings of both bodies (each with its body).
MEETING_DATES = 2
# The cards' changes since a body's vote: their outcomes with the body; their money and aim with
# the co-financing total (funding.selectors.vote_changes_of).
VOTE_CHANGES = 2
# The reports owed by the next deadline horizon (overdue ones too), with their project and total.
REPORT_DEADLINES = 1
BOARD_QUERIES = SIGNED_IN + 4 + 2 + MEETING_DATES + VOTE_CHANGES + REPORT_DEADLINES

# A list of the board: phases; the page's projects with phase, field of action and owner, each
# with the total (a window count). Rendering the filter form: fields; organisations. The rows'
# changes since a body's vote (as on the board).
LIST_QUERIES = SIGNED_IN + 2 + 2 + VOTE_CHANGES
LIST = f"{BOARD}liste/"

# A project page: the project with alliance, phase, field, owner and creator; its topics;
# co-financing with organisations; documents with uploader; consultations with recorder; outcomes
# with body and recorder; transitions with actor; the corrections of its consultations and
# outcomes (audit rows with their actor); the applicant's open consultation request; the project's
# budget balance from the ledger; whether the user follows the project (the subscribe button).
DETAIL_QUERIES = SIGNED_IN + 11

# A state per kind of work, so that every kind of section, row and action form is rendered.
STATES = [
    Status.IDEA,
    Status.SKETCH_SUBMITTED,
    Status.SKETCH_SPEAKERS,
    Status.DESCRIPTION_STEERING,
    Status.APPLICATION_FILED,
    Status.RUNNING,
    Status.CLOSED,
    Status.DEFERRED,
]


@pytest.fixture
def structure(alliance: Alliance) -> AllianceStructure:
    return build_alliance_structure(alliance, place="Braunschweig")


def grow(structure: AllianceStructure, count: int = 20) -> list[Project]:
    """`count` more projects across the states, in the running phase."""
    return [
        project_in_state(
            structure, STATES[number % len(STATES)], title=f"Zusatzvorhaben {number:02d}"
        )
        for number in range(count)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["office", "speaker"])
def test_board_queries(
    persona: str,
    client_as: Callable[[str], Client],
    structure: AllianceStructure,
    django_assert_num_queries: Callable[..., object],
) -> None:
    for status in STATES:
        project_in_state(structure, status)
    client = client_as(persona)
    with django_assert_num_queries(BOARD_QUERIES):  # type: ignore[attr-defined]
        assert client.get(BOARD).status_code == 200
    grow(structure)
    with django_assert_num_queries(BOARD_QUERIES):  # type: ignore[attr-defined]
        response = client.get(BOARD)
    content = response.content.decode()
    assert "Zusatzvorhaben 19" in content
    assert f"{len(STATES) + 20} Vorhaben gefunden" in content


@pytest.mark.django_db
def test_filtered_board_queries(
    client_as: Callable[[str], Client],
    structure: AllianceStructure,
    django_assert_num_queries: Callable[..., object],
) -> None:
    """Each chosen field of action or owner is validated by one query more; the text costs none."""
    grow(structure)
    client = client_as("office")
    field = structure.fields[0].pk
    owner = structure.organisations["city"].pk
    url = f"{BOARD}?q=Zusatz&status=idea&action_field={field}&applicant_organisation={owner}"
    # No project matches all four: no cards, so no changes since a vote to read.
    with django_assert_num_queries(BOARD_QUERIES + 2 - VOTE_CHANGES):  # type: ignore[attr-defined]
        assert client.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Status.SKETCH_SPEAKERS, Status.CLOSED])
def test_project_page_queries(
    status: str,
    client_as: Callable[[str], Client],
    structure: AllianceStructure,
    django_assert_num_queries: Callable[..., object],
) -> None:
    project = project_in_state(structure, status)
    client = client_as("office")
    url = f"{BOARD}{project.reference}/"
    with django_assert_num_queries(DETAIL_QUERIES):  # type: ignore[attr-defined]
        assert client.get(url).status_code == 200
    grow(structure)
    with django_assert_num_queries(DETAIL_QUERIES):  # type: ignore[attr-defined]
        assert client.get(url).status_code == 200


def many(structure: AllianceStructure, count: int) -> None:
    """`count` more projects spread over STATES, cheaply: ideas whose state is set directly (the
    board reads only the state; the procedure's bookings do not matter here)."""
    made = [ProjectFactory(phase=structure.phase, title=f"Viele {n}") for n in range(count)]
    for number, project in enumerate(made):
        Project.objects.filter(pk=project.pk).update(status=STATES[number % len(STATES)])


@pytest.mark.django_db
def test_board_beyond_its_cards_queries(
    client_as: Callable[[str], Client],
    structure: AllianceStructure,
    django_assert_num_queries: Callable[..., object],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """More projects than the board shows, in every state, at two sizes: the same queries."""
    from buendnis.portal import office_views

    monkeypatch.setattr(office_views, "BOARD_CARDS", 2)
    monkeypatch.setattr(office_views, "DEADLINES_SHOWN", 2)
    many(structure, 24)
    client = client_as("office")
    with django_assert_num_queries(BOARD_QUERIES):  # type: ignore[attr-defined]
        small = client.get(BOARD)
    many(structure, 24)
    with django_assert_num_queries(BOARD_QUERIES):  # type: ignore[attr-defined]
        large = client.get(BOARD)
    assert "24 Vorhaben gefunden" in small.content.decode()
    assert "48 Vorhaben gefunden" in large.content.decode()
    # Two cards per state and never more, however many there are.
    assert sum(len(c.projects) for c in large.context["columns"]) == 2 * len(STATES)


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["?status=idea", "?waiting=office&page=2", "?phase=&q=Viele"])
def test_list_queries(
    query: str,
    client_as: Callable[[str], Client],
    structure: AllianceStructure,
    django_assert_num_queries: Callable[..., object],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from buendnis.portal import office_views

    monkeypatch.setattr(office_views, "LIST_PAGE_SIZE", 3)
    many(structure, 24)
    client = client_as("speaker")
    with django_assert_num_queries(LIST_QUERIES):  # type: ignore[attr-defined]
        assert client.get(f"{LIST}{query}").status_code == 200
    many(structure, 24)
    with django_assert_num_queries(LIST_QUERIES):  # type: ignore[attr-defined]
        assert client.get(f"{LIST}{query}").status_code == 200
