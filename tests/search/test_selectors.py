"""The search selectors of each domain (`<app>/search.py`), on either database: who finds what,
the other alliance never, one query each (decisions two), at most `limit` with the total."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from buendnis.core.search import Found, Terms, terms_of
from buendnis.funding import permissions as funding_permissions
from buendnis.funding import search as funding_search
from buendnis.funding.models import Project
from buendnis.ideas import permissions as idea_permissions
from buendnis.ideas import search as idea_search
from buendnis.meetings import search as meeting_search
from buendnis.meetings.models import Circulation, Decision
from buendnis.office import search as office_search
from buendnis.office.models import InquiryMessage
from tests.factories import ProjectFactory

from .conftest import WORD, World

pytestmark = pytest.mark.django_db

LIMIT = 10


def terms(text: str = WORD) -> Terms:
    found = terms_of(text)
    assert found is not None
    return found


def rows(found: Found[Any]) -> set[Any]:
    return {hit.row for hit in found.hits}


def texts(found: Found[Any]) -> str:
    return " ".join(f"{hit.title} {hit.excerpt}" for hit in found.hits)


# --- Projects ---------------------------------------------------------------------------------


def test_projects_per_access(world: World) -> None:
    everything = Q()
    assert rows(
        funding_search.search_projects(world.alliance, terms(), visible=everything, limit=LIMIT)
    ) == {
        world.internal_project,
        world.own_project,
        world.public_project,
    }
    # The applicant: their organisation's project and the public one, never another's idea.
    applicant = funding_permissions.project_access(world.applicant, world.alliance)
    found = funding_search.search_projects(
        world.alliance, terms(), visible=applicant.visible(), limit=LIMIT
    )
    assert rows(found) == {world.own_project, world.public_project}
    assert found.total == 2
    # The public: the public project only.
    public = funding_permissions.project_access(AnonymousUser(), world.alliance)
    found = funding_search.search_projects(
        world.alliance, terms(), visible=public.visible(), limit=LIMIT
    )
    assert rows(found) == {world.public_project}


def test_projects_by_reference(world: World) -> None:
    reference = world.internal_project.reference
    found = funding_search.search_projects(
        world.alliance, terms(reference.lower()), visible=Q(), limit=LIMIT
    )
    assert rows(found) == {world.internal_project}


def test_projects_at_most_limit_with_the_total(
    world: World, django_assert_num_queries: Callable[..., Any]
) -> None:
    for number in range(12):
        ProjectFactory(phase=world.public_project.phase, title=f"{WORD} im Verbund {number}")
    with django_assert_num_queries(1):  # the projects with their total
        found = funding_search.search_projects(world.alliance, terms(), visible=Q(), limit=LIMIT)
        assert len(found.hits) == LIMIT
        assert found.total == 15
        # The hits use what the query brought.
        assert all(hit.row.reference for hit in found.hits)


def test_nothing_of_the_other_alliance(world: World, other_alliance: Any) -> None:
    everything = [
        funding_search.search_projects(world.alliance, terms("Walross"), visible=Q(), limit=LIMIT),
        funding_search.search_project_documents(
            world.alliance, terms("Walross"), records=Q(), limit=LIMIT
        ),
        office_search.search_inquiries(world.alliance, terms("Walross"), limit=LIMIT),
        meeting_search.search_meetings(
            world.alliance, terms("Walross"), internal=True, limit=LIMIT
        ),
        meeting_search.search_decisions(
            world.alliance, terms("Walross"), internal=True, limit=LIMIT
        ),
        meeting_search.search_agenda_documents(world.alliance, terms("Walross"), limit=LIMIT),
        idea_search.search_ideas(world.alliance, terms("Walross"), visible=Q(), limit=LIMIT),
    ]
    assert [found.total for found in everything] == [0, 0, 0, 0, 0, 0, 0]
    # … and the other alliance finds its own.
    theirs = meeting_search.search_decisions(
        other_alliance, terms("Walross"), internal=True, limit=LIMIT
    )
    assert theirs.total == 2


# --- Ideas ------------------------------------------------------------------------------------


def test_ideas_per_access(world: World, django_assert_num_queries: Callable[..., Any]) -> None:
    with django_assert_num_queries(1):  # the ideas with their total
        found = idea_search.search_ideas(world.alliance, terms(), visible=Q(), limit=LIMIT)
    assert rows(found) == {world.idea, world.own_idea}
    assert "Walross" not in texts(found)
    # The applicant: their organisation's idea, never the rest of the pool.
    visible = idea_permissions.visible_ideas_q(world.applicant, world.alliance)
    found = idea_search.search_ideas(world.alliance, terms(), visible=visible, limit=LIMIT)
    assert rows(found) == {world.own_idea}
    # By district, and a word only in the description.
    assert rows(
        idea_search.search_ideas(world.alliance, terms("Peine"), visible=Q(), limit=LIMIT)
    ) == {world.idea}
    assert rows(
        idea_search.search_ideas(world.alliance, terms("Altenpflege"), visible=Q(), limit=LIMIT)
    ) == {world.own_idea}


# --- Documents --------------------------------------------------------------------------------


def test_documents_of_the_projects_whose_record_one_reads(
    world: World, django_assert_num_queries: Callable[..., Any]
) -> None:
    with django_assert_num_queries(1):  # the documents with their project and the total
        found = funding_search.search_project_documents(
            world.alliance, terms(), records=Q(), limit=LIMIT
        )
        assert {hit.row.project.title for hit in found.hits} == {
            world.internal_project.title,
            world.own_project.title,
        }
    assert rows(found) == {world.document, world.own_document}
    applicant = funding_permissions.project_access(world.applicant, world.alliance)
    found = funding_search.search_project_documents(
        world.alliance, terms(), records=applicant.records(), limit=LIMIT
    )
    assert rows(found) == {world.own_document}
    # A public project's documents are not public.
    public = funding_permissions.project_access(AnonymousUser(), world.alliance)
    found = funding_search.search_project_documents(
        world.alliance, terms(), records=public.records(), limit=LIMIT
    )
    assert found.total == 0


def test_documents_by_kind_and_the_uploaded_name(world: World) -> None:
    found = funding_search.search_project_documents(
        world.alliance, terms("Kurzskizze"), records=Q(), limit=LIMIT
    )
    assert rows(found) == {world.document}
    [hit] = found.hits
    # The name as uploaded (the storage may have added a suffix to keep it unique).
    assert str(hit.title).startswith("ausbildung-konzept-specht")
    assert funding_search.file_label(world.own_document).startswith("ausbildung-amsel")


# --- Inquiries --------------------------------------------------------------------------------


def test_inquiries_by_subject_and_thread_never_erased(
    world: World, django_assert_num_queries: Callable[..., Any]
) -> None:
    with django_assert_num_queries(1):  # the inquiries with their excerpt and the total
        found = office_search.search_inquiries(world.alliance, terms(), limit=LIMIT)
    assert rows(found) == {world.inquiry}
    assert "Luchs" not in texts(found)
    # A word only in a message of the thread finds it, and is the excerpt.
    InquiryMessage.objects.create(
        inquiry=world.inquiry,
        direction="out",
        channel="email",
        body="Die Zimmerei Holzwurm bildet aus.",
    )
    found = office_search.search_inquiries(world.alliance, terms("Zimmerei"), limit=LIMIT)
    assert rows(found) == {world.inquiry}
    assert "<mark>Zimmerei</mark>" in str(found.hits[0].excerpt)
    assert office_search.search_inquiries(world.alliance, terms("Luchs"), limit=LIMIT).total == 0


# --- Meetings, decisions, papers --------------------------------------------------------------


def test_meetings_internal_and_public(
    world: World, django_assert_num_queries: Callable[..., Any]
) -> None:
    with django_assert_num_queries(1):  # the meetings with their body and the total
        found = meeting_search.search_meetings(world.alliance, terms(), internal=True, limit=LIMIT)
        assert {hit.row.body.name for hit in found.hits} == {"Steuerkreis"}
    assert rows(found) == {world.meeting, world.public_meeting}
    found = meeting_search.search_meetings(world.alliance, terms(), internal=False, limit=LIMIT)
    assert rows(found) == {world.public_meeting}


@pytest.mark.parametrize(
    ("word", "internal", "public"),
    [
        ("Biber", True, False),  # the title of a meeting without a public part
        ("vertraulich", True, False),  # the non-public part of the minutes
        ("Igel", True, False),  # a non-public item
        ("Otter", True, True),  # the title of a public meeting
        ("Marder", True, True),  # its public item, the agenda published
        ("Wirtschaft", True, False),  # a place
    ],
)
def test_meetings_by_what_one_may_read(
    world: World, word: str, internal: bool, public: bool
) -> None:
    assert meeting_search.search_meetings(
        world.alliance, terms(word), internal=True, limit=LIMIT
    ).total == int(internal)
    assert meeting_search.search_meetings(
        world.alliance, terms(word), internal=False, limit=LIMIT
    ).total == int(public)


def test_unpublished_items_and_draft_minutes_stay_internal(world: World) -> None:
    meeting = world.public_meeting
    type(meeting).objects.filter(pk=meeting.pk).update(invited_at=None)
    meeting.minutes.status = "draft"
    meeting.minutes.save()
    assert (
        meeting_search.search_meetings(
            world.alliance, terms("Marder"), internal=False, limit=LIMIT
        ).total
        == 0
    )
    assert (
        meeting_search.search_meetings(
            world.alliance, terms(f"Bericht zur {WORD}"), internal=False, limit=LIMIT
        ).total
        == 0
    )
    assert (
        meeting_search.search_meetings(
            world.alliance, terms("Marder"), internal=True, limit=LIMIT
        ).total
        == 1
    )


def test_decisions_internal_and_public(
    world: World, django_assert_num_queries: Callable[..., Any]
) -> None:
    with django_assert_num_queries(2):  # decisions with item, meeting, body; circulations with body
        found = meeting_search.search_decisions(world.alliance, terms(), internal=True, limit=LIMIT)
        for hit in found.hits:
            assert (
                hit.row.item.meeting.body.name
                if isinstance(hit.row, Decision)
                else hit.row.body.name
            )
    assert rows(found) == {world.decision, world.public_decision, world.circulation}
    assert found.total == 3
    # The public: published decisions and public results of decided circulations only.
    found = meeting_search.search_decisions(world.alliance, terms(), internal=False, limit=LIMIT)
    assert rows(found) == {world.public_decision}
    Circulation.objects.filter(pk=world.circulation.pk).update(
        status="passed", is_public=True, closed_at=world.circulation.opened_at
    )
    found = meeting_search.search_decisions(world.alliance, terms(), internal=False, limit=LIMIT)
    assert rows(found) == {world.public_decision, Circulation.objects.get(pk=world.circulation.pk)}


def test_decisions_merge_two_tables_within_the_limit(world: World) -> None:
    found = meeting_search.search_decisions(world.alliance, terms(), internal=True, limit=2)
    assert len(found.hits) == 2
    assert found.total == 3


def test_meeting_papers(world: World, django_assert_num_queries: Callable[..., Any]) -> None:
    with django_assert_num_queries(1):  # the papers with item, meeting and body, and the total
        found = meeting_search.search_agenda_documents(world.alliance, terms("Falke"), limit=LIMIT)
        assert "Klausur Biber" in str(found.hits[0].excerpt)
    assert rows(found) == {world.paper}
    assert (
        meeting_search.search_agenda_documents(
            world.alliance, terms("statistik.pdf"), limit=LIMIT
        ).total
        == 1
    )


def test_a_project_title_is_escaped(world: World) -> None:
    Project.objects.filter(pk=world.internal_project.pk).update(
        title=f"<script>alert(1)</script> {WORD} Kranich"
    )
    found = funding_search.search_projects(
        world.alliance, terms("Kranich"), visible=Q(), limit=LIMIT
    )
    [hit] = found.hits
    assert str(hit.title) == f"&lt;script&gt;alert(1)&lt;/script&gt; {WORD} <mark>Kranich</mark>"
