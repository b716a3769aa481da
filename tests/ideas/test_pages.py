"""The idea pool's pages for every persona and the other alliance; posting, editing and the
office's coordination through the pages; bounded lists with pinned query counts."""

from __future__ import annotations

import pytest
from django.test import Client

from buendnis.accounts.models import Role
from buendnis.ideas.models import Idea, IdeaLink, IdeaStatus
from tests.conftest import PERSONAS
from tests.factories import (
    IdeaFactory,
    MembershipFactory,
    OrganisationFactory,
    PhaseFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

POOL = "/son/intern/ideen/"

# GET of the list, the new-idea form and an idea's page.
LIST = {
    "public": 302,
    "office": 200,
    "speaker": 200,
    "member": 200,
    "advisory": 200,
    "applicant": 200,  # no organisation: an empty pool, nothing to post for
    "ministry": 200,
    "admin": 200,
    "outsider": 403,
}
CREATE = {**LIST, "ministry": 403, "applicant": 403}
DETAIL = {**LIST, "applicant": 404}  # another partner's idea: not theirs
# POST of an office step (status, link, introduce, merge, project, delete).
COORDINATE = {
    "public": 302,
    "office": 302,
    "speaker": 403,
    "member": 403,
    "advisory": 403,
    "applicant": 404,  # the idea is not theirs
    "ministry": 403,
    "admin": 302,
    "outsider": 403,
}


def test_every_persona_has_an_expectation():
    assert set(LIST) == set(CREATE) == set(DETAIL) == set(COORDINATE) == set(NAV) == set(PERSONAS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_reading_per_persona(alliance, client_as, persona):
    idea = IdeaFactory(alliance=alliance, title="Pflegekräfte aus dem Ausland")
    client = client_as(persona)
    for url, expected in (
        (POOL, LIST),
        (f"{POOL}neu/", CREATE),
        (f"{POOL}{idea.pk}/", DETAIL),
    ):
        response = client.get(url)
        assert response.status_code == expected[persona], (url, response.status_code)
        if expected[persona] == 302:
            assert response["Location"].startswith("/konto/anmelden/")
    if DETAIL[persona] == 200:
        assert "Pflegekräfte aus dem Ausland" in client.get(POOL).content.decode()


STEPS = {
    "stand/": {"status": IdeaStatus.IN_TALKS, "version": "1"},
    "verknuepfen/": {"target": "idea:{other}"},
    "zusammenbringen/": {"other": "{other}"},
    "zusammenfuehren/": {"others": "{other}"},
    "loeschen/": {"confirmed": "1"},
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("step", STEPS)
def test_coordination_per_persona(alliance, client_as, persona, step):
    idea = IdeaFactory(alliance=alliance)
    other = IdeaFactory(alliance=alliance)
    data = {key: value.format(other=other.pk) for key, value in STEPS[step].items()}
    before = (
        Idea.objects.count(),
        IdeaLink.objects.count(),
        list(Idea.objects.values_list("status", flat=True)),
    )
    response = client_as(persona).post(f"{POOL}{idea.pk}/{step}", data)
    assert response.status_code == COORDINATE[persona], response.status_code
    after = (
        Idea.objects.count(),
        IdeaLink.objects.count(),
        list(Idea.objects.values_list("status", flat=True)),
    )
    if COORDINATE[persona] == 302 and persona in {"office", "admin"}:
        assert after != before
    else:
        assert after == before


# The link to the pool in the alliance's navigation (public pages and the notification centre,
# signed in), as in the internal area's menu.
NAV = {
    "public": None,
    "office": "Ideenpool",
    "speaker": "Ideenpool",
    "member": "Ideenpool",
    "advisory": "Ideenpool",
    "applicant": "Meine Ideen",
    "ministry": "Ideenpool",
    "admin": "Ideenpool",
    "outsider": None,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_alliances_navigation_links_the_pool(alliance, client_as, persona):
    page = client_as(persona).get("/son/").content.decode()
    link = f'<li class="nav-internal"><a href="{POOL}">{NAV[persona]}</a></li>'
    assert (link in page) == (NAV[persona] is not None), persona
    if NAV[persona] is None:
        assert f'href="{POOL}"' not in page


def test_other_alliances_idea_is_not_found(alliance, other_alliance, client_as):
    theirs = IdeaFactory(alliance=other_alliance)
    client = client_as("office")
    assert client.get(f"{POOL}{theirs.pk}/").status_code == 404
    assert client.post(f"{POOL}{theirs.pk}/loeschen/", {"confirmed": "1"}).status_code == 404
    assert Idea.objects.filter(pk=theirs.pk).exists()


def test_post_an_idea_through_the_page_and_see_it(alliance, client_as):
    client = client_as("member")
    response = client.post(
        f"{POOL}neu/",
        {
            "title": "Quereinstieg Berufskraftfahrer",
            "text": "Arbeitsuchende zu Fahrerinnen und Fahrern im Güterverkehr qualifizieren.",
            "aim": "Fahrpersonal gewinnen",
            "target_group": "Arbeitsuchende",
        },
    )
    idea = Idea.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{POOL}{idea.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Quereinstieg Berufskraftfahrer" in page and "Ähnliche Ideen und Vorhaben" in page


def test_a_broken_form_keeps_the_input_and_says_why(alliance, client_as):
    client = client_as("member")
    response = client.post(
        f"{POOL}neu/", {"title": "", "text": "Mein Text bleibt", "wanted_public": "on"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mein Text bleibt" in page
    assert "Bitte prüfen Sie Ihre Eingaben." in page
    assert not Idea.objects.exists()


def test_applicant_posts_for_their_organisation_and_sees_only_theirs(alliance):
    organisation = OrganisationFactory(alliance=alliance, name="Bildungswerk Süd")
    applicant = UserFactory(username="bewerberin")
    MembershipFactory(
        user=applicant, alliance=alliance, role=Role.APPLICANT, organisation=organisation
    )
    foreign = IdeaFactory(alliance=alliance, title="Fremde Idee")
    client = Client()
    client.force_login(applicant)
    response = client.post(
        f"{POOL}neu/",
        {"title": "Eigene Idee", "text": "Text", "organisation": organisation.pk},
    )
    assert response.status_code == 302
    page = client.get(POOL).content.decode()
    assert "Eigene Idee" in page and "Fremde Idee" not in page
    assert client.get(f"{POOL}{foreign.pk}/").status_code == 404


def test_stale_edit_is_refused_with_the_input_kept(alliance, client_as):
    idea = IdeaFactory(alliance=alliance)
    office = client_as("office")
    # Two forms opened on version 1: the first save wins, the second is refused.
    first = office.post(
        f"{POOL}{idea.pk}/bearbeiten/", {"title": "Vom Büro", "text": idea.text, "version": "1"}
    )
    assert first.status_code == 302
    response = office.post(
        f"{POOL}{idea.pk}/bearbeiten/", {"title": "Veraltet", "text": idea.text, "version": "1"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "inzwischen geändert" in page and 'value="Veraltet"' in page
    assert Idea.objects.get(pk=idea.pk).title == "Vom Büro"


def test_turn_into_project_through_the_page(alliance, client_as):
    phase = PhaseFactory(alliance=alliance)
    organisation = OrganisationFactory(alliance=alliance)
    idea = IdeaFactory(alliance=alliance, organisation=organisation)
    response = client_as("office").post(
        f"{POOL}{idea.pk}/vorhaben/",
        {"phase": phase.pk, "applicant_organisation": organisation.pk},
    )
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.PROJECT
    assert response["Location"] == f"/son/intern/vorhaben/{idea.project.reference}/"


def test_the_list_is_paged_with_constant_queries(
    alliance, client_as, django_assert_max_num_queries
):
    for number in range(30):
        IdeaFactory(alliance=alliance, title=f"Idee {number:02d}")
    client = client_as("office")
    page = client.get(POOL).content.decode()
    assert "Seite 1 von 2" in page
    assert "Idee 29" in page and "Idee 00" not in page
    # session, user, alliance, roles ×2 (navigation), the page with its total, counts by state,
    # the fields of action of the filter; the header's count of unread notifications.
    with django_assert_max_num_queries(10):
        client.get(POOL)


def test_an_idea_names_topics_of_the_running_phase(alliance, client_as):
    from django.utils import timezone

    from tests.factories import ActionFieldFactory, TopicFactory

    today = timezone.localdate()
    phase = PhaseFactory(
        alliance=alliance,
        starts_on=today.replace(year=today.year - 1),
        ends_on=today.replace(year=today.year + 2),
    )
    field = ActionFieldFactory(phase=phase)
    topic = TopicFactory(action_field=field, title="Pflegekräfte gewinnen")
    client = client_as("member")
    form = client.get(f"{POOL}neu/").content.decode()
    assert "Pflegekräfte gewinnen" in form
    response = client.post(f"{POOL}neu/", {"title": "Pflege", "text": "Text", "topics": [topic.pk]})
    assert response.status_code == 302
    assert list(Idea.objects.get().topics.all()) == [topic]


def test_an_applicant_author_sees_neither_the_offices_links_nor_their_notes(alliance, client_as):
    from buendnis.ideas import services

    organisation = OrganisationFactory(alliance=alliance)
    applicant = UserFactory(username="bewerber")
    MembershipFactory(
        user=applicant, alliance=alliance, role=Role.APPLICANT, organisation=organisation
    )
    own = IdeaFactory(alliance=alliance, organisation=organisation, title="Eigene Idee")
    other = IdeaFactory(alliance=alliance, title="Idee eines anderen Partners")
    office = client_as("office")  # makes the office persona
    services.idea_link(
        actor=None, idea=own, other_idea=other, note="Vertraulicher Vermerk der Geschäftsstelle"
    )
    assert "Vertraulicher Vermerk" in office.get(f"{POOL}{own.pk}/").content.decode()
    client = Client()
    client.force_login(applicant)
    page = client.get(f"{POOL}{own.pk}/").content.decode()
    assert "Eigene Idee" in page
    assert "Idee eines anderen Partners" not in page and "Vertraulicher Vermerk" not in page


def test_editing_keeps_topics_of_earlier_phases(alliance, client_as):
    from tests.factories import ActionFieldFactory, TopicFactory

    old = TopicFactory(action_field=ActionFieldFactory(phase=PhaseFactory(alliance=alliance)))
    idea = IdeaFactory(alliance=alliance)
    idea.topics.add(old)
    client = client_as("office")
    response = client.post(
        f"{POOL}{idea.pk}/bearbeiten/",
        {"title": "Neu", "text": idea.text, "version": "1", "topics": [old.pk]},
    )
    assert response.status_code == 302
    assert list(Idea.objects.get(pk=idea.pk).topics.all()) == [old]
