"""What each endpoint answers: exact fields and values, as outside clients rely on them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from buendnis.alliances.models import Alliance
from tests.factories import AllianceFactory, OrganisationFactory, PhaseFactory

from .conftest import World, api_url, get_json

pytestmark = pytest.mark.django_db


def page(results: list[object]) -> dict[str, object]:
    """The LimitOffsetPagination envelope of a list that fits on one page."""
    return {"count": len(results), "next": None, "previous": None, "results": results}


def test_alliance_list(world: World, client: Client) -> None:
    data = get_json(client, reverse("api:alliance-list"))

    # By name; the inactive alliance is not there.
    assert data == page(
        [
            {
                "slug": "leine-weser",
                "name": "Fachkräftebündnis Leine-Weser",
                "short_name": "Leine-Weser",
                "region": "",
                "website": "",
                "office_host": "Geschäftsstelle GmbH",
                "url": "http://testserver/api/v1/alliances/leine-weser/",
            },
            {
                "slug": "son",
                "name": "Fachkräftebündnis SüdOstNiedersachsen",
                "short_name": "SüdOstNiedersachsen",
                "region": "Braunschweig, Wolfsburg, Salzgitter",
                "website": "https://www.fachkraeftebuendnis-son.example.org/",
                "office_host": "Allianz für die Region GmbH",
                "url": "http://testserver/api/v1/alliances/son/",
            },
        ]
    )


def test_alliance_list_url_leads_to_detail(world: World, client: Client) -> None:
    son = get_json(client, reverse("api:alliance-list"))["results"][1]
    assert get_json(client, son["url"])["slug"] == "son"


def test_alliance_detail(world: World, client: Client) -> None:
    data = get_json(client, api_url("alliance-detail"))

    assert data == {
        "slug": "son",
        "name": "Fachkräftebündnis SüdOstNiedersachsen",
        "short_name": "SüdOstNiedersachsen",
        "region": "Braunschweig, Wolfsburg, Salzgitter",
        "website": "https://www.fachkraeftebuendnis-son.example.org/",
        "office_host": "Allianz für die Region GmbH",
        "url": "http://testserver/api/v1/alliances/son/",
        "current_phase": {
            "name": "Laufende Phase",
            "starts_on": world.current.starts_on.isoformat(),
            "ends_on": world.current.ends_on.isoformat(),
        },
    }


def test_organisations(world: World, client: Client) -> None:
    data = get_json(client, api_url("alliance-organisations"))

    # By the group's position, then by name. Partner: signed for the current phase (the Landkreis
    # signed only for the previous one).
    assert data == page(
        [
            {
                "name": "Agentur für Arbeit Braunschweig-Goslar",
                "short_name": "AA BS-GS",
                "group": {"name": "Arbeitsagenturen", "kind": "employment_agencies"},
                "is_partner": True,
                "website": "https://www.arbeitsagentur.example.org/",
                "city": "Braunschweig",
            },
            {
                "name": "Landkreis Gifhorn",
                "short_name": "",
                "group": {"name": "Kommunen", "kind": "municipalities"},
                "is_partner": False,
                "website": "",
                "city": "Gifhorn",
            },
            {
                "name": "Stadt Braunschweig",
                "short_name": "BS",
                "group": {"name": "Kommunen", "kind": "municipalities"},
                "is_partner": True,
                "website": "https://www.braunschweig.example.org/",
                "city": "Braunschweig",
            },
            {
                "name": "Allianz für die Region GmbH",
                "short_name": "",
                "group": {"name": "Sonstige", "kind": "other"},
                "is_partner": True,
                "website": "",
                "city": "Braunschweig",
            },
            {
                "name": "Amt für regionale Landesentwicklung Braunschweig",
                "short_name": "",
                "group": {"name": "Sonstige", "kind": "other"},
                "is_partner": False,
                "website": "",
                "city": "",
            },
        ]
    )


def test_organisations_are_paginated(world: World, client: Client) -> None:
    data = get_json(client, api_url("alliance-organisations") + "?limit=2&offset=1")

    assert data["count"] == 5
    assert [org["name"] for org in data["results"]] == ["Landkreis Gifhorn", "Stadt Braunschweig"]
    assert data["next"] == "http://testserver/api/v1/alliances/son/organisations/?limit=2&offset=3"
    assert data["previous"] == "http://testserver/api/v1/alliances/son/organisations/?limit=2"


def test_bodies(world: World, client: Client) -> None:
    data = get_json(client, api_url("alliance-bodies"))
    start = world.current.starts_on.isoformat()

    def seat(org: str, role: str, label: str, group: str, vote: bool, **rest: object) -> object:
        return {
            "organisation": org,
            "role": role,
            "role_label": label,
            "group": group,
            "can_vote": vote,
            "starts_on": start,
            "ends_on": None,
            "person": None,
        } | rest

    stadt, agentur = "Stadt Braunschweig", "Agentur für Arbeit Braunschweig-Goslar"
    allianz = "Allianz für die Region GmbH"
    # Only the seats active today; Max Verborgen did not agree to be named, Dr. Erika Muster did.
    assert data == page(
        [
            {
                "kind": "steering",
                "name": "Steuerkreis",
                "meeting_rhythm": "vierteljährlich",
                "seats": [
                    seat(
                        "Amt für regionale Landesentwicklung Braunschweig",
                        "advisory",
                        "Beratendes Mitglied (ohne Stimme)",
                        "Sonstige",
                        False,
                    ),
                    seat(agentur, "member", "Stimmberechtigtes Mitglied", "Arbeitsagenturen", True),
                    seat(
                        stadt,
                        "member",
                        "Stimmberechtigtes Mitglied",
                        "Kommunen",
                        True,
                        person="Dr. Erika Muster",
                    ),
                ],
            },
            {
                "kind": "speakers",
                "name": "Sprecherkreis",
                "meeting_rhythm": "vor jedem Steuerkreis",
                "seats": [
                    seat(
                        agentur, "deputy_speaker", "Stellv. Sprecher/in", "Arbeitsagenturen", True
                    ),
                    seat(
                        stadt, "speaker", "Sprecher/in", "Kommunen", True, person="Dr. Erika Muster"
                    ),
                ],
            },
            {
                "kind": "office",
                "name": "Geschäftsstelle",
                "meeting_rhythm": "",
                "seats": [
                    seat(
                        allianz,
                        "office_lead",
                        "Leitung der Geschäftsstelle",
                        "Sonstige",
                        False,
                        person="Jana Leitung",
                    ),
                    seat(
                        allianz,
                        "office_staff",
                        "Mitarbeiter/in der Geschäftsstelle",
                        "Sonstige",
                        False,
                        ends_on=(world.today + timedelta(days=30)).isoformat(),
                    ),
                ],
            },
        ]
    )


def unbooked(budget: str) -> dict[str, str]:
    """The ledger figures of a phase without bookings, and no volume set in motion yet."""
    zero = "0.00"
    return {
        "budget": budget,
        "reserved": zero,
        "committed": zero,
        "paid": zero,
        "available": budget,
        "volume": zero,
        "leverage": None,
    }


def recognised(day: str | None, budget: str, rate: str) -> dict[str, object]:
    """The `recognition` of a phase recorded as recognised, without a reference."""
    return {
        "status": "recognised",
        "status_label": "Anerkannt",
        "date": day,
        "reference": "",
        "virtual_budget": budget,
        "funding_rate": rate,
    }


def test_phases(world: World, client: Client) -> None:
    data = get_json(client, api_url("alliance-phases"))

    # Money as decimal strings, never floats; by start. Nothing is booked yet.
    assert data == page(
        [
            {
                "id": world.previous.pk,
                "name": "Vorphase",
                "starts_on": world.previous.starts_on.isoformat(),
                "ends_on": world.previous.ends_on.isoformat(),
                "virtual_budget": "1500000.00",
                "funding_rate": "50.00",
                "recognised_on": (world.today - timedelta(days=1500)).isoformat(),
                "recognition": recognised(
                    (world.today - timedelta(days=1500)).isoformat(), "1500000.00", "50.00"
                ),
                "project_volume": "3000000.00",
                "partner_count": 2,
                "is_current": False,
                **unbooked("1500000.00"),
            },
            {
                "id": world.current.pk,
                "name": "Laufende Phase",
                "starts_on": world.current.starts_on.isoformat(),
                "ends_on": world.current.ends_on.isoformat(),
                "virtual_budget": "1500000.00",
                "funding_rate": "50.00",
                "recognised_on": (world.today - timedelta(days=420)).isoformat(),
                "recognition": recognised(
                    (world.today - timedelta(days=420)).isoformat(), "1500000.00", "50.00"
                ),
                "project_volume": "3000000.00",
                "partner_count": 3,
                "is_current": True,
                **unbooked("1500000.00"),
            },
            {
                "id": world.following.pk,
                "name": "Folgephase",
                "starts_on": world.following.starts_on.isoformat(),
                "ends_on": world.following.ends_on.isoformat(),
                "virtual_budget": "2500000.00",
                "funding_rate": "70.00",
                "recognised_on": None,
                "recognition": recognised(None, "2500000.00", "70.00"),
                "project_volume": "3571428.57",
                "partner_count": 0,
                "is_current": False,
                **unbooked("2500000.00"),
            },
        ]
    )


def test_phases_between_phases_the_latest_begun_is_current(world: World, client: Client) -> None:
    world.current.agreements.all().delete()
    world.current.action_fields.all().delete()
    world.current.delete()

    data = get_json(client, api_url("alliance-phases"))

    assert [(p["name"], p["is_current"]) for p in data["results"]] == [
        ("Vorphase", True),
        ("Folgephase", False),
    ]
    detail = get_json(client, api_url("alliance-detail"))
    assert detail["current_phase"]["name"] == "Vorphase"


def test_themes_of_the_current_phase(world: World, client: Client) -> None:
    data = get_json(client, api_url("alliance-themes"))

    # Fields by position, the open field last; topics by position with their subtopics.
    assert data == page(
        [
            {
                "title": "Beratungsinfrastruktur",
                "is_open": False,
                "position": 1,
                "topics": [
                    {
                        "title": "Absolventen und Abbrecher für KMU",
                        "subtopics": [
                            {"title": "binden"},
                            {"title": "halten"},
                            {"title": "gewinnen"},
                        ],
                    },
                    {"title": "Berufsorientierung", "subtopics": []},
                ],
            },
            {
                "title": "Digitalisierung / Innovation",
                "is_open": False,
                "position": 2,
                "topics": [{"title": "Arbeit 4.0", "subtopics": []}],
            },
            {"title": "Weitere Themen", "is_open": True, "position": 0, "topics": []},
        ]
    )


def test_themes_of_another_phase(world: World, client: Client) -> None:
    data = get_json(client, api_url("alliance-themes"), query_params={"phase": "Vorphase"})

    assert data == page(
        [
            {
                "title": "Altes Handlungsfeld",
                "is_open": False,
                "position": 1,
                "topics": [{"title": "Altes Thema", "subtopics": []}],
            }
        ]
    )


def test_themes_of_a_phase_without_fields(world: World, client: Client) -> None:
    data = get_json(client, api_url("alliance-themes"), query_params={"phase": "Folgephase"})
    assert data == page([])


def test_themes_of_an_unknown_phase(world: World, client: Client) -> None:
    response = client.get(api_url("alliance-themes"), query_params={"phase": "2099–2102"})

    assert response.status_code == 404
    assert response.json() == {"detail": "Förderphase nicht gefunden."}


def test_alliance_without_phases_or_structure(db: None, client: Client) -> None:
    AllianceFactory(slug="neu", name="Fachkräftebündnis Neu", short_name="Neu")
    organisation = OrganisationFactory(alliance=Alliance.objects.get(slug="neu"), name="Erste GmbH")

    assert get_json(client, api_url("alliance-detail", "neu"))["current_phase"] is None
    organisations = get_json(client, api_url("alliance-organisations", "neu"))
    assert organisations["results"] == [
        {
            "name": organisation.name,
            "short_name": "",
            "group": {"name": organisation.group.name, "kind": "other"},
            "is_partner": False,
            "website": "",
            "city": "",
        }
    ]
    for name in ("alliance-bodies", "alliance-phases", "alliance-themes"):
        assert get_json(client, api_url(name, "neu")) == page([])


def test_phase_amounts_keep_their_cents(db: None, client: Client) -> None:
    alliance = AllianceFactory(slug="cent", name="Fachkräftebündnis Cent")
    PhaseFactory(
        alliance=alliance, virtual_budget=Decimal("600000.05"), funding_rate=Decimal("33.33")
    )

    (phase,) = get_json(client, api_url("alliance-phases", "cent"))["results"]

    assert (phase["virtual_budget"], phase["funding_rate"]) == ("600000.05", "33.33")
    assert phase["project_volume"] == "1800180.17"  # 60000005 / 33.33 = 1800180.168…


def test_themes_with_an_empty_phase_parameter_show_the_current_phase(
    world: World, client: Client
) -> None:
    data = get_json(client, api_url("alliance-themes"), query_params={"phase": ""})
    assert data == get_json(client, api_url("alliance-themes"))
