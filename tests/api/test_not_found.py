"""Addresses below /api/ that match no route answer like the API's own 404s: JSON with a German
`detail`, never the HTML page of the site (outside clients parse every answer as JSON)."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

UNKNOWN = [
    # a slug the route's pattern does not accept
    "/api/v1/alliances/%C3%97z!/",
    "/api/v1/alliances/son%20bodies/organisations/",
    # an id that is not a number
    "/api/v1/alliances/son/projects/abc/",
    # no such endpoint, no such version
    "/api/v1/gibt-es-nicht/",
    "/api/v2/alliances/",
    "/api/",
]


@pytest.mark.parametrize("path", UNKNOWN)
def test_unknown_api_address_answers_json_404(client: Client, path: str) -> None:
    response = client.get(path, headers={"accept-language": "en"})

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Diese Adresse gibt es in der API nicht."}


def test_missing_slash_still_redirects(client: Client) -> None:
    # APPEND_SLASH keeps working below /api/ (clients that follow redirects rely on it).
    response = client.get("/api/v1/alliances")

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/alliances/"


def test_unknown_page_outside_the_api_stays_html(client: Client) -> None:
    response = client.get("/gibt-es-nicht/und/auch/nicht/hier/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
