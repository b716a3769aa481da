"""Query counts of every page are pinned, and more data does not mean more queries.

The counts are for an anonymous visitor (no session) on public pages and for the office on the
internal ones. Each query is named in a comment; when a count changes, update the comment too.
"""

from collections.abc import Callable

import pytest
from django.test import Client

from ..factories import AllianceStructure, grow_alliance_structure

PUBLIC_PAGES = [
    # (url, queries)
    ("/", 1),  # active alliances
    # alliance by slug; phases with partner count (current phase picked in Python); who recognised
    # the current phase; the newest version of its strategy (none here: no fields of action
    # fetched for it; tests/public/test_recognition_strategy.py pins the page with one)
    ("/son/", 4),
    ("/son/gremien/", 3),  # alliance; bodies; current seats with organisation, group and person
    ("/son/partner/", 3),  # alliance; phases; organisations with group and "signed" flag
    ("/son/handlungsfelder/", 4),  # alliance; phases; fields of action; all their topics
    # alliance; phases with partner count; who recognised them; the ledger's columns by phase;
    # the projects (number and volume) by phase and state; their co-financing by phase
    ("/son/foerderphasen/", 6),
]

# Signed-in pages start with: session; user; alliance by slug; the user's memberships (cached
# for the request, so the navigation asks no more); the header's count of unread notifications.
# … and the two-factor check: the session's verified app (django-otp's OTPMiddleware), or,
# where the session has none, whether the user has an app (accounts.middleware).
SIGNED_IN = 6
INTERNAL_PAGES = [
    # (url, queries, text that shows the grown data is rendered)
    # phases; bodies; seats — then the office's problem report: bodies; Sprecherkreis seats;
    # groups that send a deputy; phase running today; its signatures; Steuerkreis seats — then
    # the desk: projects of the phase by state; the phase's ledger sums; Steuerkreis meetings
    # with an open submission deadline; meetings from today on; new and overdue inquiries; the
    # answer times (answered and unanswered of the period; open per assignee); projects waiting
    # for the office and their count; open overlap hints of ideas and their count; phases in
    # preparation with their partners' answers; overdue reports of funded projects; reports and
    # payment requests waiting for the office's answer.
    ("/son/intern/", SIGNED_IN + 3 + 6 + 15, "28 stimmberechtigt"),
    # organisations with group; their people.
    ("/son/intern/kontakte/", SIGNED_IN + 2, "Zusatzpartner 19"),
]


@pytest.mark.parametrize(("url", "queries"), PUBLIC_PAGES)
def test_public_page_queries(
    client: Client,
    structure: AllianceStructure,
    django_assert_num_queries: Callable[..., object],
    url: str,
    queries: int,
) -> None:
    with django_assert_num_queries(queries):  # type: ignore[attr-defined]
        assert client.get(url).status_code == 200
    grow_alliance_structure(structure, count=20)
    with django_assert_num_queries(queries):  # type: ignore[attr-defined]
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize(("url", "queries", "grown"), INTERNAL_PAGES)
def test_internal_page_queries(
    client_as: Callable[[str], Client],
    structure: AllianceStructure,
    django_assert_num_queries: Callable[..., object],
    url: str,
    queries: int,
    grown: str,
) -> None:
    client = client_as("office")
    with django_assert_num_queries(queries):  # type: ignore[attr-defined]
        assert client.get(url).status_code == 200
    grow_alliance_structure(structure, count=20)
    with django_assert_num_queries(queries):  # type: ignore[attr-defined]
        response = client.get(url)
    assert response.status_code == 200
    assert grown in response.content.decode()


def test_grown_data_is_on_the_pages(client: Client, structure: AllianceStructure) -> None:
    """The counts above mean something only if the extra rows are really rendered."""
    grow_alliance_structure(structure, count=20)
    assert "Zusatzpartner 19" in client.get("/son/gremien/").content.decode()
    assert "Zusatzpartner 19" in client.get("/son/partner/").content.decode()
    assert "Zusatzthema 19" in client.get("/son/handlungsfelder/").content.decode()
    assert (
        '<td data-label="Partner" class="num">29</td>'
        in client.get("/son/foerderphasen/").content.decode()
    )
