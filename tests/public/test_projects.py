"""The public project list (/<slug>/projekte/) and a project's page (/<slug>/projekte/<ref>/):
who sees what, filters, search, order, pages, query counts, and that nothing internal leaks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from buendnis.funding.models import Project
from buendnis.funding.states import PUBLIC_STATES, Status
from buendnis.meetings.models import (
    AgendaItem,
    Circulation,
    CirculationStatus,
    Decision,
    DecisionOutcome,
    Meeting,
    MeetingStatus,
)

from ..conftest import PERSONAS
from ..factories import AllianceStructure, project_in_state
from .public_data import SECRET_CONTACT, SECRET_EMAIL, SECRET_PHONE, bulk_projects

S = Status
REVISION_REASON = "Bitte die Zielgruppe genauer beschreiben."


@pytest.fixture
def funded(structure: AllianceStructure) -> Project:
    """A granted project that went through a revision (its reasons are internal)."""
    from ..factories import ProjectFactory, advance

    orgs = structure.organisations
    project = ProjectFactory(
        phase=structure.phase,
        title="Welcome Center Braunschweig",
        summary="Anlaufstelle für internationale Fachkräfte und Betriebe.",
        goals="Willkommenskultur in der Region stärken.",
        target_group="Internationale Fachkräfte, KMU",
        region="Stadt Braunschweig, Landkreis Wolfenbüttel",
        applicant_organisation=orgs["ihk"],
        action_field=structure.fields[1],
        topics=[structure.topics["Arbeit 4.0"]],
        funding_priority="structural",
        contact_name=SECRET_CONTACT,
        contact_email=SECRET_EMAIL,
        contact_phone=SECRET_PHONE,
    )
    advance(project, S.REVISION_REQUESTED)
    advance(project, S.GRANTED, granted_amount=Decimal("90000.00"))
    project.refresh_from_db()
    return project


@pytest.fixture
def endorsed(structure: AllianceStructure) -> Project:
    return project_in_state(
        structure,
        S.ENDORSED,
        title="Praktikumsbörse für Migrantinnen",
        region="Landkreis Peine",
        applicant_organisation=structure.organisations["union"],
        funding_priority="unemployed",
        eligible_costs=Decimal("100000.00"),
    )


@pytest.fixture
def hidden(structure: AllianceStructure) -> list[Project]:
    """Projects the public never sees: in the procedure, rejected, declined by the bank."""
    return [
        project_in_state(structure, S.SKETCH_STEERING, title="Geheime Skizze im Steuerkreis"),
        project_in_state(structure, S.REJECTED, title="Abgelehntes Vorhaben Zebra"),
        project_in_state(structure, S.DECLINED, title="Von der Bank abgelehnt Yak"),
    ]


@pytest.fixture
def foreign(other_structure: AllianceStructure) -> Project:
    return project_in_state(other_structure, S.RUNNING, title="Projekt aus Hameln")


def _text(response: Any) -> str:
    return response.content.decode()


# --- Who sees what -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_and_page_are_the_same_for_everyone(
    client_as: Callable[[str], Client],
    persona: str,
    funded: Project,
    endorsed: Project,
    hidden: list[Project],
    foreign: Project,
) -> None:
    client = client_as(persona)
    listing = client.get("/son/projekte/")
    assert listing.status_code == 200
    text = _text(listing)
    assert "Welcome Center Braunschweig" in text
    assert "Praktikumsbörse für Migrantinnen" in text
    for project in [*hidden, foreign]:
        assert project.title not in text
    assert "2 Projekte gefunden" in text
    page = client.get(f"/son/projekte/{funded.reference}/")
    assert page.status_code == 200
    assert "Welcome Center Braunschweig" in _text(page)
    # Non-public projects are a 404 for everyone, the office included: it has its workspace.
    for project in hidden:
        assert client.get(f"/son/projekte/{project.reference}/").status_code == 404
    assert client.get(f"/son/projekte/{foreign.reference}/").status_code == 404
    assert client.get(f"/leine-weser/projekte/{foreign.reference}/").status_code == 200
    assert client.get("/son/projekte/GIBT-ES-NICHT/").status_code == 404


def test_pages_answer_only_get(client: Client, funded: Project) -> None:
    assert client.post("/son/projekte/").status_code == 405
    assert client.post(f"/son/projekte/{funded.reference}/").status_code == 405


def test_unknown_and_inactive_alliance_is_404(client: Client, funded: Project) -> None:
    assert client.get("/unbekannt/projekte/").status_code == 404
    funded.alliance.is_active = False
    funded.alliance.save()
    assert client.get("/son/projekte/").status_code == 404
    assert client.get(f"/son/projekte/{funded.reference}/").status_code == 404


def test_public_states_are_exactly_the_listed_ones(
    structure: AllianceStructure, client: Client
) -> None:
    for status in Status.values:
        bulk_projects(structure, 1, status=status, prefix=f"Stand {status}")
    text = _text(client.get("/son/projekte/"))
    for status in Status.values:
        assert (f"Stand {status} 0000" in text) == (status in PUBLIC_STATES), status


# --- The project page: public fields only ------------------------------------------------------


def test_project_page_shows_public_fields(client: Client, funded: Project) -> None:
    text = _text(client.get(f"/son/projekte/{funded.reference}/"))
    for expected in [
        "Anlaufstelle für internationale Fachkräfte und Betriebe.",
        "Willkommenskultur in der Region stärken.",
        "Internationale Fachkräfte, KMU",
        "Stadt Braunschweig, Landkreis Wolfenbüttel",
        "IHK Braunschweig",
        "Arbeit 4.0",
        "Strukturprojekt",
        "Bewilligter Zuschuss",
        "90.000,00 €",
        "Kofinanzierung",
        "Bewilligt",
    ]:
        assert expected in text, expected
    # The requested grant is not shown once the bank has granted an amount.
    assert "Beantragter Zuschuss" not in text


def test_requested_grant_until_the_bank_decides(client: Client, endorsed: Project) -> None:
    text = _text(client.get(f"/son/projekte/{endorsed.reference}/"))
    assert "Beantragter Zuschuss" in text
    assert "70.000,00 €" in text  # 70 % of 100.000 €
    assert "Vom Bündnis befürwortet" in text


def test_project_page_keeps_internal_things_out(
    client_as: Callable[[str], Client], funded: Project
) -> None:
    # Even the office sees only public fields here.
    text = _text(client_as("office").get(f"/son/projekte/{funded.reference}/"))
    for secret in [SECRET_CONTACT, SECRET_EMAIL, SECRET_PHONE, REVISION_REASON, "skizze.pdf"]:
        assert secret not in text, secret
    assert "Überarbeitung angefordert" not in text  # the office's word for the state
    assert "Geschäftsstelle, Träger" not in text  # consultation participants


def test_timeline_uses_public_labels_and_days(client: Client, funded: Project) -> None:
    text = _text(client.get(f"/son/projekte/{funded.reference}/"))
    section = text.split('id="verlauf"')[1].split("</section>")[0]
    today = timezone.localdate().strftime("%d.%m.%Y")
    for label in [
        "In Vorbereitung",
        "Kurzskizze in Beratung",
        "In Überarbeitung",
        "Projektbeschreibung in Beratung",
        "Vom Bündnis befürwortet",
        "Förderantrag gestellt",
        "Bewilligt",
    ]:
        assert label in section, label
    assert today in section
    # Days only: no time of day.
    assert " Uhr" not in section


def _published_meeting(project: Project, *, invited: bool, public_part: bool = True) -> Meeting:
    body = project.alliance.bodies.get(kind="steering")
    return Meeting.objects.create(
        alliance=project.alliance,
        body=body,
        starts_at=timezone.now() - timedelta(days=3),
        status=MeetingStatus.HELD,
        has_public_part=public_part,
        invited_at=timezone.now() - timedelta(days=10) if invited else None,
    )


def _decision(meeting: Meeting, project: Project, *, public: bool, text: str) -> Decision:
    item = AgendaItem.objects.create(
        alliance=project.alliance,
        meeting=meeting,
        title=f"Vorhaben {project.reference}",
        is_public=public,
        project=project,
        notes="Interne Notiz Quokka",
    )
    return Decision.objects.create(
        alliance=project.alliance, item=item, outcome=DecisionOutcome.AGREED, text=text
    )


def test_published_decisions_only(client: Client, funded: Project) -> None:
    published = _published_meeting(funded, invited=True)
    _decision(published, funded, public=True, text="Votum erteilt: öffentlicher Beschluss Ibis")
    _decision(published, funded, public=False, text="Nichtöffentlicher Beschluss Okapi")
    draft = _published_meeting(funded, invited=False)
    _decision(draft, funded, public=True, text="Noch nicht veröffentlicht Tapir")
    closed = _published_meeting(funded, invited=True, public_part=False)
    _decision(closed, funded, public=True, text="Sitzung ohne öffentlichen Teil Gnu")
    body = funded.alliance.bodies.get(kind="steering")
    for title, is_public, status in [
        ("Umlauf öffentlich Lemur", True, CirculationStatus.PASSED),
        ("Umlauf intern Wombat", False, CirculationStatus.PASSED),
        ("Umlauf läuft noch Koala", True, CirculationStatus.OPEN),
    ]:
        Circulation.objects.create(
            alliance=funded.alliance,
            body=body,
            title=title,
            text=f"Vorschlag zu {title}",
            project=funded,
            deadline=timezone.now(),
            status=status,
            is_public=is_public,
            closed_at=timezone.now(),
            result={"objecting": [{"id": 1, "name": "X", "reason": "Einwand Marder"}]},
        )
    text = _text(client.get(f"/son/projekte/{funded.reference}/"))
    assert "öffentlicher Beschluss Ibis" in text
    assert "Umlauf öffentlich Lemur" in text
    for secret in [
        "Okapi",
        "Tapir",
        "Gnu",
        "Wombat",
        "Koala",
        "Quokka",
        "Einwand Marder",
    ]:
        assert secret not in text, secret


# --- The list: filters, search, order, pages ---------------------------------------------------


def _titles(response: Any) -> list[str]:
    return [project.title for project in response.context["projects"]]


def test_filters(
    client: Client,
    structure: AllianceStructure,
    funded: Project,
    endorsed: Project,
    hidden: list[Project],
) -> None:
    def titles(query: str) -> set[str]:
        response = client.get(f"/son/projekte/?{query}")
        assert response.status_code == 200
        return set(_titles(response))

    both = {funded.title, endorsed.title}
    assert titles("") == both
    assert titles(f"phase={structure.phase.pk}") == both
    assert titles(f"phase={structure.old_phase.pk}") == set()
    assert titles(f"topic={structure.topics['Arbeit 4.0'].pk}") == {funded.title}
    assert titles("funding_priority=unemployed") == {endorsed.title}
    assert titles("district=wolfenbüttel") == {funded.title}
    assert titles("district=Peine") == {endorsed.title}
    assert titles(f"applicant_organisation={structure.organisations['union'].pk}") == {
        endorsed.title
    }
    assert titles("status=granted") == {funded.title}
    assert titles("status=endorsed") == {endorsed.title}
    field = funded.action_field
    assert field is not None
    assert titles(f"action_field={field.pk}") == {
        p.title for p in (funded, endorsed) if p.action_field_id == field.pk
    }
    # A state that is not public is refused (the form says so) and widens nothing.
    response = client.get("/son/projekte/?status=sketch_steering")
    assert set(_titles(response)) == both
    assert "Bitte prüfen Sie Ihre Eingaben." in _text(response)
    # A value from another alliance is refused likewise.
    other_phase = structure.alliance.phases.model.objects.exclude(
        alliance=structure.alliance
    ).first()
    if other_phase is not None:
        assert titles(f"phase={other_phase.pk}") == both


def test_filter_form_is_accessible(client: Client, funded: Project) -> None:
    text = _text(client.get("/son/projekte/"))
    assert 'role="search"' in text
    assert "<fieldset" in text and "<legend>Filter</legend>" in text
    for name in [
        "q",
        "phase",
        "action_field",
        "topic",
        "funding_priority",
        "district",
        "applicant_organisation",
        "status",
        "sort",
    ]:
        assert f'<label for="id_{name}">' in text, name
    assert '<button type="submit" class="button">Projekte anzeigen</button>' in text
    assert "<script" not in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Welcome", {"Welcome Center Braunschweig"}),  # title
        ("anlaufstelle", {"Welcome Center Braunschweig"}),  # summary, any case
        ("willkommenskultur", {"Welcome Center Braunschweig"}),  # goals
        ("DGB-Region", {"Praktikumsbörse für Migrantinnen"}),  # applicant name
        ("Peine", {"Praktikumsbörse für Migrantinnen"}),  # region
        ("Skizze", set()),  # a non-public project stays hidden
        ("Zebra", set()),
        ("nichts dergleichen", set()),
    ],
)
def test_search(
    client: Client,
    funded: Project,
    endorsed: Project,
    hidden: list[Project],
    query: str,
    expected: set[str],
) -> None:
    response = client.get("/son/projekte/", {"q": query})
    assert set(_titles(response)) == expected


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="German full-text search needs PostgreSQL"
)
def test_full_text_search_finds_inflected_words(client: Client, funded: Project) -> None:
    # "Betrieben" is not a substring of "Betriebe": only the German stemmer finds it.
    assert _titles(client.get("/son/projekte/", {"q": "Betrieben"})) == [funded.title]


@pytest.mark.skipif(
    connection.vendor == "postgresql", reason="the substring search of other databases"
)
def test_substring_search_without_postgresql(client: Client, funded: Project) -> None:
    assert _titles(client.get("/son/projekte/", {"q": "Betrieben"})) == []
    assert _titles(client.get("/son/projekte/", {"q": "etrieb"})) == [funded.title]


def test_sort(client: Client, structure: AllianceStructure) -> None:
    bulk_projects(structure, 5)
    Project.objects.filter(title="Massenprojekt 0003").update(granted_amount=Decimal("999999.00"))

    def order(sort: str) -> list[str]:
        return _titles(client.get("/son/projekte/", {"sort": sort}))

    assert order("title") == [f"Massenprojekt {n:04d}" for n in range(5)]
    assert order("-grant")[0] == "Massenprojekt 0003"  # the granted amount counts once granted
    assert order("-grant")[1:] == [f"Massenprojekt {n:04d}" for n in (4, 2, 1, 0)]
    assert order("start") == [f"Massenprojekt {n:04d}" for n in range(5)]
    assert order("-start") == [f"Massenprojekt {n:04d}" for n in reversed(range(5))]
    by_applicant = client.get("/son/projekte/", {"sort": "applicant"}).context["projects"]
    names = [project.applicant_organisation.name for project in by_applicant]
    assert names == sorted(names)
    # Unknown orders fall back to the title.
    assert order("gibt-es-nicht") == order("title")


def test_pagination(client: Client, structure: AllianceStructure) -> None:
    bulk_projects(structure, 30)
    first = client.get("/son/projekte/", {"district": "Wolfenbüttel"})
    assert "15 Projekte gefunden" in _text(first)
    bulk_projects(structure, 30, prefix="Weitere")
    first = client.get("/son/projekte/")
    text = _text(first)
    assert "60 Projekte gefunden" in text
    assert len(first.context["projects"]) == 25
    assert "Seite 1 von 3" in text
    assert 'href="?page=2" rel="next"' in text
    third = client.get("/son/projekte/", {"page": 3})
    assert len(third.context["projects"]) == 10
    # Filters stay in the page links.
    filtered = _text(client.get("/son/projekte/", {"district": "Salzgitter", "sort": "-start"}))
    assert "30 Projekte gefunden" in filtered
    assert 'href="?district=Salzgitter&amp;sort=-start&amp;page=2"' in filtered
    # Out of range: the last page; not a number: the first.
    assert client.get("/son/projekte/", {"page": 99}).context["page"].number == 3
    assert client.get("/son/projekte/", {"page": "x"}).context["page"].number == 1


def test_list_links_to_the_exports_with_the_filter(client: Client, funded: Project) -> None:
    text = _text(client.get("/son/projekte/", {"district": "Braunschweig", "page": 1}))
    assert 'href="/son/projekte.csv?district=Braunschweig"' in text
    assert 'href="/son/projekte.xlsx?district=Braunschweig"' in text
    assert "Als CSV herunterladen" in text
    assert "Als Excel-Datei herunterladen" in text


def test_list_keeps_internal_things_out(client: Client, structure: AllianceStructure) -> None:
    bulk_projects(structure, 3)
    text = _text(client.get("/son/projekte/"))
    for secret in [SECRET_CONTACT, SECRET_EMAIL, SECRET_PHONE]:
        assert secret not in text


def test_nav_links(client_as: Callable[[str], Client], structure: AllianceStructure) -> None:
    text = _text(client_as("public").get("/son/projekte/"))
    assert '<a href="/son/projekte/" aria-current="page">Projekte</a>' in text
    assert '<a href="/son/budget/">Budget</a>' in text
    assert '<a href="/son/kontakt/">Kontakt</a>' in text
    assert "/son/intern/anfragen/" not in text
    assert '<a href="/son/intern/anfragen/">Anfragen</a>' in _text(
        client_as("office").get("/son/projekte/")
    )
    # The rest of the circle asks the office its own questions.
    assert '<a href="/son/intern/meine-anfragen/">Frage an die Geschäftsstelle</a>' in _text(
        client_as("member").get("/son/projekte/")
    )


# --- Query counts ------------------------------------------------------------------------------

# Anonymous visitor, no session: alliance by slug; the filter form's choices: phases, fields of
# action (with phase), topics (with field and phase), organisations with a public project; the
# number of results; the page of projects with phase, field and organisation.
LIST_QUERIES = 7
# Alliance; the project with phase, field and owner; topics; co-financing with organisation;
# transitions; published meeting decisions; public circulations.
DETAIL_QUERIES = 7


@pytest.mark.parametrize(
    "query",
    [
        {},
        {
            "q": "Massen",
            "sort": "-grant",
            "district": "Salzgitter",
            "funding_priority": "structural",
            "status": "running",
            "page": "2",
        },
    ],
)
def test_list_queries_do_not_grow(
    client: Client,
    structure: AllianceStructure,
    django_assert_num_queries: Callable[..., Any],
    query: dict[str, str],
) -> None:
    bulk_projects(structure, 100)
    with django_assert_num_queries(LIST_QUERIES):
        first = client.get("/son/projekte/", query)
    bulk_projects(structure, 300)
    with django_assert_num_queries(LIST_QUERIES):
        second = client.get("/son/projekte/", query)
    assert len(first.context["projects"]) == len(second.context["projects"]) == 25


def test_list_queries_with_model_filters(
    client: Client,
    structure: AllianceStructure,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    """Each chosen phase, field and organisation is looked up once to validate it."""
    bulk_projects(structure, 30)
    query = {
        "phase": structure.phase.pk,
        "action_field": structure.fields[0].pk,
        "applicant_organisation": structure.organisations["city"].pk,
    }
    with django_assert_num_queries(LIST_QUERIES + 3):
        first = client.get("/son/projekte/", query)
    bulk_projects(structure, 100)
    with django_assert_num_queries(LIST_QUERIES + 3):
        second = client.get("/son/projekte/", query)
    assert 0 < len(first.context["projects"]) < len(second.context["projects"])


def test_detail_queries_do_not_grow(
    client: Client,
    funded: Project,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    url = f"/son/projekte/{funded.reference}/"
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(url)
    for _ in range(3):
        meeting = _published_meeting(funded, invited=True)
        _decision(meeting, funded, public=True, text="Beschluss")
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(url)
    assert _text(response).count("Beschluss</dt>") == 3
