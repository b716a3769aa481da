"""What the pages say: structure, money and dates, and what they must never say."""

import re
from collections.abc import Callable
from datetime import date

import pytest
from django.conf import settings
from django.test import Client

from buendnis.alliances.models import Seat, SeatRole

from ..conftest import PERSONAS
from ..factories import AllianceStructure, OrganisationFactory
from .test_access import INTERNAL_ALLOWED, INTERNAL_URLS, PUBLIC_URLS

ALLIANCE_URLS = PUBLIC_URLS[1:]


def text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def test_platform_home_lists_active_alliances(
    client: Client, structure: AllianceStructure, other_structure: AllianceStructure
) -> None:
    page = text(client.get("/"))
    assert 'href="/son/"' in page
    assert "Fachkräftebündnis SüdOstNiedersachsen" in page
    assert "Region Braunschweig und Umland" in page
    assert 'href="/leine-weser/"' in page
    assert "Was ist ein Fachkräftebündnis?" in page


def test_alliance_home_shows_office_and_current_phase(
    client: Client, structure: AllianceStructure
) -> None:
    page = text(client.get("/son/"))
    assert "<h1>Fachkräftebündnis SüdOstNiedersachsen</h1>" in page
    assert "Allianz für die Region Braunschweig GmbH" in page
    assert "geschaeftsstelle@son.example.org" in page  # the office's address is public
    assert structure.phase.name in page
    assert "2.000.000,00 €" in page
    assert "70 %" in page
    assert "2.857.142,86 €" in page  # project volume: 2 Mio. at 70 %
    assert "01.07.2021" in page
    for path in ("gremien", "partner", "handlungsfelder", "foerderphasen"):
        assert f'href="/son/{path}/"' in page


def test_phases_page_formats_money_and_dates_the_german_way(
    client: Client, structure: AllianceStructure
) -> None:
    page = text(client.get("/son/foerderphasen/"))
    assert "1.500.000,00 €" in page
    assert "3.000.000,00 €" in page  # 1,5 Mio. at 50 %
    assert "50 %" in page
    assert "01.07.2018" in page
    assert "30.06.2021" in page
    assert "05.06.2018" in page  # recognised on
    for phase in (structure.old_phase, structure.previous_phase, structure.phase):
        assert phase.name in page
    # Partners per phase: 6, 8 and 9 signatures.
    counts = re.findall(r'data-label="Partner" class="num">(\d+)<', page)
    assert counts == ["6", "8", "9"]
    assert page.count('class="current"') == 1


def test_english_formats_the_english_way(client: Client, structure: AllianceStructure) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = text(client.get("/son/foerderphasen/"))
    assert '<html lang="en">' in page
    assert "€1,500,000.00" in page
    assert "50%" in page


def test_bodies_page(client: Client, structure: AllianceStructure) -> None:
    page = text(client.get("/son/gremien/"))
    voting, advisory = page.split("Beratende Mitglieder (ohne Stimme)")
    assert "IHK Braunschweig" in voting
    assert "Amt für regionale Landesentwicklung Braunschweig" not in voting
    assert "Amt für regionale Landesentwicklung Braunschweig" in advisory.split("Sprecherkreis")[0]
    assert "vierteljährlich" in page
    assert "entscheidet einvernehmlich" in page
    assert 'Stimmberechtigte Mitglieder <span class="count">(8)</span>' in page
    # Sprecherkreis: the speaker and every deputy with the group that sends them.
    assert page.count('<span class="role">Stellv. Sprecher/in</span>') == 4
    assert page.count('<span class="role">Sprecher/in</span>') == 1
    for group in (
        "Arbeitsagenturen/Jobcenter",
        "Kommunen",
        "Gewerkschaften",
        "Arbeitgeberverbände",
    ):
        assert f"entsandt von der Gruppe {group}" in page
    assert "Leitung der Geschäftsstelle" in page


def test_person_names_only_with_consent(client: Client, structure: AllianceStructure) -> None:
    page = text(client.get("/son/gremien/"))
    assert structure.people["speaker"].full_name in page  # agreed to be named
    assert structure.people["office_lead"].full_name in page
    assert structure.people["deputy"].last_name not in page  # did not agree


def test_ended_seats_are_not_listed(client: Client, structure: AllianceStructure) -> None:
    seat = Seat.objects.get(
        body=structure.bodies["steering"], organisation=structure.organisations["hwk"]
    )
    seat.ends_on = date(2020, 12, 31)
    seat.save()
    page = text(client.get("/son/gremien/"))
    assert "Handwerkskammer Braunschweig" not in page


def test_partners_page_groups_and_counts(client: Client, structure: AllianceStructure) -> None:
    # An organisation of the alliance that has not signed for the current phase.
    OrganisationFactory(
        alliance=structure.alliance,
        group=structure.groups["municipalities"],
        name="Gemeinde Cremlingen",
    )
    page = text(client.get("/son/partner/"))
    assert "haben 9 Organisationen die Kooperationsvereinbarung unterzeichnet" in page
    assert "Gemeinde Cremlingen" not in page
    assert "Amt für regionale Landesentwicklung Braunschweig" not in page  # advisory, not signed
    assert re.search(r"Kommunen <span class=\"count\">\(2\)</span>", page)
    assert re.search(r"Kammern <span class=\"count\">\(2\)</span>", page)
    # Groups in the alliance's order.
    assert page.index("Arbeitsagenturen/Jobcenter") < page.index("Kommunen") < page.index("Kammern")


def test_action_fields_page(client: Client, structure: AllianceStructure) -> None:
    page = text(client.get("/son/handlungsfelder/"))
    for action_field in structure.fields:
        assert action_field.title in page
    assert "thematisch offen" in page
    assert page.index("Rekrutierung und Matching") < page.index("Weitere Themen")
    # The nested topic sits in a list inside its parent's item.
    parent = "Betriebe zur Beschäftigung Geflüchteter beraten"
    child = "Nonformale Kompetenzen Geflüchteter nutzbar machen"
    assert re.search(re.escape(parent) + r'<ul class="topics">\s*<li>' + re.escape(child), page)


def test_navigation_marks_the_current_page(
    client_as: Callable[[str], Client], structure: AllianceStructure
) -> None:
    client = client_as("office")
    for url in [*ALLIANCE_URLS, *INTERNAL_URLS]:
        page = text(client.get(url))
        assert page.count('aria-current="page"') == 1, url
        assert f'href="{url}" aria-current="page"' in page, url


@pytest.mark.parametrize("persona", PERSONAS)
def test_internal_link_only_for_the_circle(
    client_as: Callable[[str], Client], structure: AllianceStructure, persona: str
) -> None:
    page = text(client_as(persona).get("/son/"))
    assert ('href="/son/intern/"' in page) == (persona in INTERNAL_ALLOWED)


# --- Contact data and tenant separation ------------------------------------------------------


def private_strings(structure: AllianceStructure) -> list[str]:
    """What only the internal circle may read: people's e-mail and phone, unnamed people."""
    strings = [person.email for person in structure.people.values()]
    strings += [person.phone for person in structure.people.values()]
    strings.append(structure.people["deputy"].last_name)
    strings.append(structure.people["city"].last_name)
    return strings


@pytest.mark.parametrize("persona", PERSONAS)
def test_contact_data_never_on_public_pages(
    client_as: Callable[[str], Client],
    structure: AllianceStructure,
    other_structure: AllianceStructure,
    persona: str,
) -> None:
    client = client_as(persona)
    for url in PUBLIC_URLS:
        page = text(client.get(url))
        for secret in private_strings(structure) + private_strings(other_structure):
            assert secret not in page, (url, secret)


@pytest.mark.parametrize("persona", sorted(INTERNAL_ALLOWED))
def test_contacts_page_shows_contact_data(
    client_as: Callable[[str], Client], structure: AllianceStructure, persona: str
) -> None:
    page = text(client_as(persona).get("/son/intern/kontakte/"))
    for person in structure.people.values():
        assert person.email in page
        assert person.full_name in page
    assert "0531 000000" in page
    assert structure.organisations["ihk"].email in page


@pytest.mark.parametrize("persona", ["applicant", "outsider"])
def test_no_contact_data_without_the_right(
    client_as: Callable[[str], Client], structure: AllianceStructure, persona: str
) -> None:
    client = client_as(persona)
    for url in INTERNAL_URLS:
        page = text(client.get(url))
        for secret in private_strings(structure):
            assert secret not in page, (url, secret)
        assert "IHK Braunschweig" not in page


@pytest.mark.parametrize("persona", PERSONAS)
def test_alliance_pages_show_only_their_own_organisations(
    client_as: Callable[[str], Client],
    structure: AllianceStructure,
    other_structure: AllianceStructure,
    persona: str,
) -> None:
    client = client_as(persona)
    for url in [*ALLIANCE_URLS, *INTERNAL_URLS]:
        page = text(client.get(url))
        assert "Hameln" not in page, url  # every name of the other alliance carries its place
        for person in other_structure.people.values():
            assert person.last_name not in page, url


def test_outsider_sees_its_own_internal_pages(
    client_as: Callable[[str], Client],
    structure: AllianceStructure,
    other_structure: AllianceStructure,
) -> None:
    client = client_as("outsider")
    page = text(client.get("/leine-weser/intern/kontakte/"))
    assert other_structure.people["deputy"].email in page
    assert "Braunschweig" not in page


# --- Dashboard ------------------------------------------------------------------------------


def test_office_dashboard_links_admin_and_reports_complete_bodies(
    client_as: Callable[[str], Client], structure: AllianceStructure
) -> None:
    page = text(client_as("office").get("/son/intern/"))
    assert 'href="/admin/"' in page
    assert 'href="/son/intern/kontakte/"' in page
    assert "vollständig besetzt" in page
    assert "Sie sehen diese Seite als:</span>\n  Geschäftsstelle" in page


def test_office_dashboard_shows_structure_problems(
    client_as: Callable[[str], Client], structure: AllianceStructure
) -> None:
    Seat.objects.filter(
        body=structure.bodies["speakers"],
        role=SeatRole.DEPUTY_SPEAKER,
        organisation=structure.organisations["union"],
    ).delete()
    structure.phase.agreements.filter(organisation=structure.organisations["hwk"]).delete()
    page = text(client_as("office").get("/son/intern/"))
    assert "Hinweise zur Besetzung der Gremien" in page
    assert "Es fehlt der/die stellvertretende Sprecher/in der Gruppe Gewerkschaften." in page
    assert "Handwerkskammer Braunschweig hat einen stimmberechtigten Sitz" in page


@pytest.mark.parametrize("persona", ["speaker", "member", "advisory", "ministry"])
def test_others_see_no_problems_and_no_admin_link(
    client_as: Callable[[str], Client], structure: AllianceStructure, persona: str
) -> None:
    Seat.objects.filter(body=structure.bodies["speakers"], role=SeatRole.SPEAKER).delete()
    page = text(client_as(persona).get("/son/intern/"))
    assert "Hinweise zur Besetzung" not in page
    assert "vollständig besetzt" not in page
    assert 'href="/admin/"' not in page
