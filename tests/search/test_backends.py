"""What each database adds: PostgreSQL's German full text (stemming, ranking, the query syntax,
the database's excerpt, the indexes it uses), and the substring search elsewhere (every word,
newest first, an excerpt cut in Python)."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from buendnis.core.search import german_query, stored_vector
from buendnis.funding import search as funding_search
from buendnis.funding.models import Project
from buendnis.ideas.models import Idea
from buendnis.office.models import Inquiry, InquiryMessage
from tests.factories import ProjectFactory

from .conftest import WORD, World
from .test_selectors import LIMIT, rows, terms

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="German stemming, ranking and ts_headline exist only in PostgreSQL's full-text search",
)
sqlite_only = pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="the substring fallback answers only where there is no full-text search",
)


def projects(world: World, text: str) -> list[Project]:
    found = funding_search.search_projects(world.alliance, terms(text), visible=Q(), limit=LIMIT)
    return [hit.row for hit in found.hits]


# --- PostgreSQL ---------------------------------------------------------------------------------


@postgres_only
def test_german_stemming(world: World) -> None:
    # "Gemeinsame Ausbildungen …" and "Eine Ausbildung …": each form finds both.
    assert {world.internal_project, world.own_project} <= set(projects(world, "Ausbildungen"))
    assert {world.internal_project, world.own_project} <= set(projects(world, "Ausbildung"))
    assert set(projects(world, "Betrieb")) == {world.internal_project}  # "Betrieben"


@postgres_only
def test_the_excerpt_marks_the_inflected_form_and_escapes_the_rest(world: World) -> None:
    Project.objects.filter(pk=world.internal_project.pk).update(
        summary="Wenn a < b & <b>fett</b>: Ausbildungen in Betrieben.",
    )
    found = funding_search.search_projects(
        world.alliance, terms("Ausbildung"), visible=Q(pk=world.internal_project.pk), limit=LIMIT
    )
    [hit] = found.hits
    excerpt = str(hit.excerpt)
    assert "<mark>Ausbildungen</mark>" in excerpt
    assert "a &lt; b &amp;" in excerpt
    # Tags in the text never come out as tags: the database drops them, the rest is escaped.
    assert excerpt.replace("<mark>", "").replace("</mark>", "").count("<") == 0


@postgres_only
def test_a_title_match_ranks_first(world: World) -> None:
    in_text = ProjectFactory(
        phase=world.public_project.phase, title="Werkstatt", summary="Mit Kranichschutz."
    )
    in_title = ProjectFactory(phase=world.public_project.phase, title="Kranichschutz")
    assert projects(world, "Kranichschutz") == [in_title, in_text]


@postgres_only
def test_the_query_syntax(world: World) -> None:
    assert projects(world, '"Ausbildung in der Pflege"') == [world.own_project]
    found = set(projects(world, "Ausbildung -Pflege"))
    assert world.internal_project in found
    assert world.own_project not in found
    assert set(projects(world, "Kranich or Dachs")) == {world.internal_project, world.own_project}


def plan(queryset: Any) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # Whether the index can answer, not whether a scan of a tiny table is cheaper.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@postgres_only
def test_the_stored_text_is_read_through_its_index(world: World) -> None:
    query = german_query(terms())
    for model, index in [
        (Project, "project_search"),
        (Inquiry, "inquiry_search"),
        (InquiryMessage, "inquiry_message_search"),
        (Idea, "idea_search"),
    ]:
        found = model.objects.alias(v=stored_vector()).filter(v=query).values("pk")
        assert f"Bitmap Index Scan on {index}" in plan(found), model


@postgres_only
def test_the_stored_text_follows_every_write(world: World) -> None:
    project = world.own_project
    Project.objects.filter(pk=project.pk).update(title="Zebrastreifen", summary="")
    assert projects(world, "Zebrastreifen") == [project]
    assert projects(world, "Dachs") == []
    project.refresh_from_db()
    project.title = "Pflege lernen Dachs"
    project.save()
    assert projects(world, "Dachs") == [project]


@postgres_only
def test_the_columns_indexes_and_triggers_exist_on_postgresql(world: World) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname IN "
            "('project_search', 'inquiry_search', 'inquiry_message_search', 'idea_search') "
            "ORDER BY indexname"
        )
        assert [row[0] for row in cursor.fetchall()] == [
            "idea_search",
            "inquiry_message_search",
            "inquiry_search",
            "project_search",
        ]
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgname LIKE '%_search_vector' ORDER BY tgname"
        )
        assert [row[0] for row in cursor.fetchall()] == [
            "funding_project_search_vector",
            "ideas_idea_search_vector",
            "office_inquiry_search_vector",
            "office_inquirymessage_search_vector",
        ]


# --- Every other database -------------------------------------------------------------------------


@sqlite_only
def test_the_fallback_wants_every_word_anywhere_in_the_record(world: World) -> None:
    assert projects(world, "Pflege Dachs") == [world.own_project]
    assert projects(world, "pflege DACHS") == [world.own_project]
    assert projects(world, "Pflege Kranich") == []
    # Substrings: parts of words, and the reference in part.
    assert set(projects(world, "usbildung")) == {
        world.internal_project,
        world.own_project,
        world.public_project,
    }
    assert projects(world, world.internal_project.reference[-6:]) == [world.internal_project]


@sqlite_only
def test_the_fallback_lists_the_newest_first(world: World) -> None:
    now = timezone.now()
    for days, project in enumerate(
        [world.public_project, world.internal_project, world.own_project]
    ):
        Project.objects.filter(pk=project.pk).update(updated_at=now - timedelta(days=days))
    assert projects(world, WORD) == [
        world.public_project,
        world.internal_project,
        world.own_project,
    ]


@sqlite_only
def test_the_fallback_cuts_and_marks_the_excerpt(world: World) -> None:
    long_text = (
        " ".join(["Vorrede"] * 80) + f" Hier die <{WORD}> & mehr " + " ".join(["Schluss"] * 80)
    )
    Project.objects.filter(pk=world.own_project.pk).update(summary=long_text)
    found = funding_search.search_projects(
        world.alliance, terms("Dachs"), visible=Q(pk=world.own_project.pk), limit=LIMIT
    )
    [hit] = found.hits
    # Nothing of "Dachs" in the texts: the excerpt is their beginning, cut.
    assert str(hit.excerpt).startswith("Vorrede Vorrede")
    assert str(hit.title) == "Pflege lernen <mark>Dachs</mark>"
    found = funding_search.search_projects(
        world.alliance, terms(WORD), visible=Q(pk=world.own_project.pk), limit=LIMIT
    )
    excerpt = str(found.hits[0].excerpt)
    assert excerpt.startswith("… Vorrede")
    assert f"&lt;<mark>{WORD}</mark>&gt; &amp; mehr" in excerpt


@sqlite_only
def test_nothing_of_it_on_sqlite(world: World) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE name IN "
            "('project_search', 'inquiry_search', 'inquiry_message_search', 'idea_search')"
        )
        assert cursor.fetchall() == []
        cursor.execute("SELECT * FROM funding_project LIMIT 0")
        assert "search_vector" not in [column[0] for column in cursor.description]


def test_rows_helper_is_shared(world: World) -> None:
    # Both databases agree on what the word finds, whatever their order.
    found = funding_search.search_projects(world.alliance, terms(), visible=Q(), limit=LIMIT)
    assert rows(found) == {world.internal_project, world.own_project, world.public_project}
