"""Who sees what: everyone the same public data, nobody contact data, nobody another alliance's
records, nobody a write."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from buendnis.accounts.models import User
from tests.conftest import PERSONAS

from .conftest import ALLIANCE_ENDPOINTS, ENDPOINTS, World, api_url, get_json

pytestmark = pytest.mark.django_db

SCHEMA_AND_ENDPOINTS = ["schema", *ENDPOINTS]


def url_of(name: str, slug: str = "son") -> str:
    return reverse("api:schema") if name == "schema" else api_url(name, slug)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_role_gets_the_public_data(
    world: World, client_as: Callable[[str], Client], persona: str, endpoint: str
) -> None:
    public = get_json(Client(), api_url(endpoint))

    response = client_as(persona).get(api_url(endpoint))

    assert response.status_code == 200
    assert response.json() == public
    body = response.content.decode()
    leaked = [secret for secret in world.secret_strings if secret in body]
    assert leaked == []


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_themes_of_other_phases_and_pages_are_public_too(
    world: World, client_as: Callable[[str], Client], persona: str, endpoint: str
) -> None:
    # The query string (paging, phase) changes nothing about who may read.
    params = {"limit": "1", "offset": "1"} | (
        {"phase": "Vorphase"} if endpoint.endswith("themes") else {}
    )
    public = get_json(Client(), api_url(endpoint), query_params=params)

    assert get_json(client_as(persona), api_url(endpoint), query_params=params) == public


@pytest.mark.parametrize("persona", PERSONAS)
def test_schema_is_public(world: World, client_as: Callable[[str], Client], persona: str) -> None:
    response = client_as(persona).get(reverse("api:schema"), query_params={"format": "json"})
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("endpoint", SCHEMA_AND_ENDPOINTS)
def test_writes_are_refused_for_everyone(
    world: World, make_persona: Callable[[str], User | None], persona: str, endpoint: str
) -> None:
    # With CSRF checks on, as in a browser: the answer is 405, not a CSRF 403, because the API
    # never reads the session.
    client = Client(enforce_csrf_checks=True)
    user = make_persona(persona)
    if user is not None:
        client.force_login(user)
    url = url_of(endpoint)

    for method in (client.post, client.put, client.patch, client.delete):
        response = method(url, data={"name": "Übernommen"}, content_type="application/json")
        assert response.status_code == 405, (method, response.content)
        assert "GET" in response["Allow"]
        assert "POST" not in response["Allow"]
    assert get_json(client, api_url("alliance-detail"))["name"] != "Übernommen"


@pytest.mark.parametrize("endpoint", ALLIANCE_ENDPOINTS)
@pytest.mark.parametrize("slug", ["gibt-es-nicht", "alt"])
def test_unknown_or_inactive_alliance_is_404(
    world: World, client_as: Callable[[str], Client], endpoint: str, slug: str
) -> None:
    # Not even the platform admin sees an inactive alliance through the public API.
    for persona in ("public", "admin"):
        response = client_as(persona).get(api_url(endpoint, slug))

        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Bündnis nicht gefunden."}


def test_inactive_alliance_is_not_listed(world: World, client: Client) -> None:
    slugs = [a["slug"] for a in get_json(client, reverse("api:alliance-list"))["results"]]
    assert slugs == ["leine-weser", "son"]


def test_answers_stay_german_whatever_the_client_asks(world: World, client: Client) -> None:
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}

    bodies = get_json(client, api_url("alliance-bodies"), **english)
    assert bodies["results"][0]["seats"][1]["role_label"] == "Stimmberechtigtes Mitglied"
    missing = client.get(api_url("alliance-detail", "gibt-es-nicht"), **english)
    assert missing.json() == {"detail": "Bündnis nicht gefunden."}
    refused = client.post(api_url("alliance-detail"), **english)
    assert refused.json() == {"detail": 'Methode "POST" nicht erlaubt.'}


@pytest.mark.parametrize("endpoint", ALLIANCE_ENDPOINTS)
def test_tenant_separation(world: World, client_as: Callable[[str], Client], endpoint: str) -> None:
    # The outsider holds every role in the other alliance: still nothing of it shows up here.
    for persona in ("public", "outsider"):
        body = client_as(persona).get(api_url(endpoint, "son")).content.decode()
        shown = [name for name in world.other_names if name in body]
        assert shown == []


def test_tenant_separation_the_other_way(world: World, client: Client) -> None:
    ours = ["Braunschweig", "Erika", "Arbeitsagenturen", "Beratungsinfrastruktur", "Vorphase"]
    for endpoint in ALLIANCE_ENDPOINTS:
        body = client.get(api_url(endpoint, "leine-weser")).content.decode()
        assert [name for name in ours if name in body] == [], endpoint
    organisations = get_json(client, api_url("alliance-organisations", "leine-weser"))
    assert [o["name"] for o in organisations["results"]] == ["Handwerkskammer Hannover"]


def test_themes_phase_is_looked_up_in_the_alliance_only(world: World, client: Client) -> None:
    # The other alliance's phase is unknown here ...
    response = client.get(api_url("alliance-themes"), query_params={"phase": "Nur Leine-Weser"})
    assert response.status_code == 404
    # ... and a phase name both alliances use means this alliance's phase.
    data = get_json(client, api_url("alliance-themes"), query_params={"phase": "Laufende Phase"})
    assert [field["title"] for field in data["results"]] == [
        "Beratungsinfrastruktur",
        "Digitalisierung / Innovation",
        "Weitere Themen",
    ]
