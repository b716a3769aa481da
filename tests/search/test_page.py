"""The search page /<slug>/intern/suche/ (portal.search_views): who may open it, what each
persona finds, the other alliance never, the hint for a short query, links, escaping and the
pinned number of queries."""

from collections.abc import Callable
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from buendnis.funding.models import Project
from tests.conftest import PERSONAS
from tests.factories import IdeaFactory, MeetingFactory, ProjectFactory, body_of
from tests.office.factories import stored_inquiry

from .conftest import WORD, World

pytestmark = pytest.mark.django_db

URL = "/son/intern/suche/"
OPEN = {"office", "speaker", "member", "advisory", "ministry", "admin"}
# The inbox is the office's; the ministry reads it (office.permissions.can_view_inquiries).
INBOX = {"office", "ministry", "admin"}
# Found by the word for everyone who opens the page (the animals of tests/search/conftest.py).
EVERYONE_FINDS = [
    "Kranich",  # another organisation's project in its first state
    "Dachs",  # the applicant's project
    "Fuchs",  # a public project
    "Biber",  # a meeting without a public part
    "Otter",  # a public meeting
    "Igel",  # a decision on a non-public item
    "Marder",  # a published decision
    "Wiesel",  # a running circulation
    "specht",  # a project's document (the file name)
    "amsel",  # another project's document
    "Falke",  # a meeting's paper
    "Hase",  # an idea of the pool
    "Maus",  # the applicant's organisation's idea
]


def page(client: Client, q: str = WORD) -> Any:
    return client.get(URL, {"q": q})


def text(response: Any) -> str:
    return response.content.decode()


def test_the_address() -> None:
    assert reverse("public:internal_search", args=["son"]) == URL


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_open_it(persona: str, client_as: Callable[[str], Client], world: World) -> None:
    response = page(client_as(persona))
    if persona == "public":
        assert response.status_code == 302
        assert response["Location"].startswith("/konto/anmelden/")
    elif persona in OPEN:
        assert response.status_code == 200
    else:
        # Applicants and the other alliance's circle: not the internal circle here.
        assert response.status_code == 403
        for secret in [*EVERYONE_FINDS, "Eule"]:
            assert secret not in text(response)


def test_an_applicant_of_a_project_found_gets_no_search(client: Client, world: World) -> None:
    client.force_login(world.applicant)
    response = page(client)
    assert response.status_code == 403
    assert "Kranich" not in text(response)


@pytest.mark.parametrize("persona", sorted(OPEN))
def test_what_each_persona_finds(
    persona: str, client_as: Callable[[str], Client], world: World
) -> None:
    body = text(page(client_as(persona)))
    for animal in EVERYONE_FINDS:
        assert animal in body, animal
    # The inquiry and its group only where the inbox is readable; an erased one never.
    assert ("Eule" in body) is (persona in INBOX)
    assert ('id="anfragen"' in body) is (persona in INBOX)
    assert "Luchs" not in body
    # Nothing of the other alliance, where the same word is everywhere.
    assert "Walross" not in body


def test_the_other_alliance_finds_only_its_own(
    client_as: Callable[[str], Client], world: World
) -> None:
    body = text(client_as("outsider").get("/leine-weser/intern/suche/", {"q": WORD}))
    assert "Walross" in body
    # Its records share some names with ours; these are ours alone.
    for ours in ["/son/intern/", "SON-2018", "Dachs", "Fuchs", "Otter", "Marder", "amsel", "Maus"]:
        assert ours not in body, ours


def test_results_grouped_with_counts_links_and_dates(
    client_as: Callable[[str], Client], world: World
) -> None:
    body = text(page(client_as("office")))
    assert "14 Treffer für „Ausbildung“" in body
    for key, label, count in [
        ("vorhaben", "Vorhaben", 3),
        ("ideen", "Ideen", 2),
        ("anfragen", "Anfragen", 1),
        ("sitzungen", "Sitzungen", 2),
        ("beschluesse", "Beschlüsse", 3),
        ("dokumente", "Dokumente", 3),
    ]:
        assert f'<a href="#{key}">{label} ({count})</a>' in body
        assert f'<h2 id="{key}" tabindex="-1">{label} <span class="count">({count} Treffer)' in body
    alliance = world.alliance.slug
    for url in [
        f"/{alliance}/intern/vorhaben/{world.internal_project.reference}/",
        f"/{alliance}/intern/ideen/{world.idea.pk}/",
        f"/{alliance}/intern/anfragen/{world.inquiry.pk}/",
        f"/{alliance}/intern/sitzungen/{world.meeting.pk}/",
        f"/{alliance}/intern/sitzungen/{world.meeting.pk}/#top-{world.decision.item_id}",
        f"/{alliance}/intern/umlaufbeschluesse/{world.circulation.pk}/",
        world.document.file.url,
        world.paper.file.url,
    ]:
        assert f'href="{url}"' in body, url
    assert "<mark>Ausbildung</mark>" in body
    assert '<span class="search-kind">Umlaufbeschluss</span>' in body
    assert "hochgeladen am <time datetime=" in body


def test_at_most_ten_per_group_with_the_list_behind(
    client_as: Callable[[str], Client], world: World
) -> None:
    for number in range(9):
        ProjectFactory(phase=world.public_project.phase, title=f"{WORD} Nummer {number}")
    for number in range(10):
        stored_inquiry(world.alliance, subject=f"{WORD} Frage {number}")
    body = text(page(client_as("office")))
    assert '<a href="#vorhaben">Vorhaben (12)</a>' in body
    assert "Die ersten 10 von 12 Treffern." in body
    assert 'href="/son/intern/vorhaben/liste/?phase=&amp;q=Ausbildung"' in body
    assert "In der Liste der Vorhaben weitersuchen" in body
    assert 'href="/son/intern/anfragen/?status=all&amp;q=Ausbildung"' in body
    assert "Im Ideenpool weitersuchen" not in body  # two ideas: all shown
    vorhaben = body.split('id="vorhaben"')[1].split("</section>")[0]
    assert vorhaben.count("<li>") == 10


# Every signed-in page: the session; its user; the two-factor check (the session's verified app:
# django-otp's OTPMiddleware; or, without one, whether the user has an app); the alliance; the
# user's roles; the header's count of unread notifications.
FRAME = 6


@pytest.mark.parametrize("q", ["", " ", "a", " ä "])
def test_a_short_query_asks_nothing(
    q: str,
    client_as: Callable[[str], Client],
    world: World,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    client = client_as("office")
    with django_assert_num_queries(FRAME):  # no search at all
        response = page(client, q)
    body = text(response)
    assert response.status_code == 200
    assert "Kranich" not in body
    assert 'class="search-hint" role="status"' in body
    assert ("Bitte geben Sie mindestens 2 Zeichen ein." in body) is bool(q.strip())


# The search: projects; ideas; inquiries (office and ministry); meetings; decisions of meetings
# and circulations; project documents and meeting papers. Each with its total, none per row.
SEARCH = {"office": 8, "ministry": 8, "member": 7}


@pytest.mark.parametrize("persona", sorted(SEARCH))
def test_the_queries_are_pinned_whatever_the_data(
    persona: str,
    client_as: Callable[[str], Client],
    world: World,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    client = client_as(persona)
    with django_assert_num_queries(FRAME + SEARCH[persona]):
        page(client)
    # More of everything, the same queries.
    for number in range(12):
        ProjectFactory(phase=world.public_project.phase, title=f"{WORD} mehr {number}")
        stored_inquiry(world.alliance, subject=f"{WORD} mehr {number}")
        MeetingFactory(body=body_of(world.alliance, "steering"), title=f"{WORD} mehr {number}")
        IdeaFactory(alliance=world.alliance, title=f"{WORD} mehr {number}")
    with django_assert_num_queries(FRAME + SEARCH[persona]):
        response = page(client)
    assert "Die ersten 10 von" in text(response)


def test_a_script_in_a_title_comes_out_escaped(
    client_as: Callable[[str], Client], world: World
) -> None:
    Project.objects.filter(pk=world.internal_project.pk).update(
        title='<script>alert("x")</script> Kranich'
    )
    body = text(page(client_as("office"), "Kranich"))
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <mark>Kranich</mark>" in body


def test_the_query_is_kept_in_the_form_and_escaped(
    client_as: Callable[[str], Client], world: World
) -> None:
    body = text(page(client_as("office"), '"><b>Kranich'))
    assert 'value="&quot;&gt;&lt;b&gt;Kranich"' in body
    assert "<b>Kranich" not in body


def test_only_get_and_head(client_as: Callable[[str], Client], world: World) -> None:
    client = client_as("office")
    assert client.head(URL, {"q": WORD}).status_code == 200
    assert client.post(URL, {"q": WORD}).status_code == 405


def test_the_form_include(world: World) -> None:
    html = render_to_string(
        "portal/includes/search_form.html", {"alliance": world.alliance, "q": "Pflege"}
    )
    assert 'action="/son/intern/suche/"' in html
    assert 'role="search"' in html
    assert 'aria-labelledby="suche-label"' in html
    assert '<label id="suche-label" for="suche-q">Suchen im Bündnis</label>' in html
    assert 'id="suche-q" name="q" value="Pflege"' in html
    # A second form on the same page (the navigation) gets its own ids.
    nav = render_to_string(
        "portal/includes/search_form.html",
        {"alliance": world.alliance, "q": "", "form_id": "nav-suche"},
    )
    assert 'for="nav-suche-q"' in nav
    assert 'value=""' in nav


def test_english(client_as: Callable[[str], Client], world: World) -> None:
    client = client_as("office")
    client.cookies["django_language"] = "en"
    body = text(page(client))
    assert "Search the alliance" in body
    assert "14 results for" in body
