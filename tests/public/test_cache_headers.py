"""HTTP caching: public pages and open data are cacheable for a minute for anonymous visitors,
private for signed-in ones, never cached internally; ETag and If-None-Match give 304."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.utils.http import http_date

from buendnis.funding.models import Project
from buendnis.funding.states import Status

from ..factories import AllianceStructure, project_in_state

PUBLIC_URLS = [
    "/son/",
    "/son/gremien/",
    "/son/foerderphasen/",
    "/son/projekte/",
    "/son/budget/",
    "/son/sitzungen/",
]
DOWNLOADS = ["/son/projekte.csv", "/son/projekte.xlsx", "/son/sitzungen/steuerkreis.ics"]


@pytest.fixture
def project(structure: AllianceStructure) -> Project:
    return project_in_state(structure, Status.GRANTED, granted_amount=Decimal("1000.00"))


def _directives(value: str) -> set[str]:
    return {part.strip() for part in value.split(",")}


def _vary(response: object) -> set[str]:
    return {part.strip().lower() for part in response["Vary"].split(",")}  # type: ignore[index]


@pytest.mark.parametrize("url", [*PUBLIC_URLS, "/son/projekte/{ref}/"])
def test_public_pages_for_anonymous_visitors(client: Client, project: Project, url: str) -> None:
    url = url.format(ref=project.reference)
    # The very first request, without any cookie, gets a shareable answer that sets none.
    first = client.get(url)
    assert first.status_code == 200
    assert _directives(first["Cache-Control"]) == {"public", "max-age=60"}
    assert not first.cookies
    assert "cookie" in _vary(first)
    assert first.has_header("ETag")
    second = client.get(url)
    assert _directives(second["Cache-Control"]) == {"public", "max-age=60"}
    assert second["ETag"] == first["ETag"]


@pytest.mark.parametrize("url", [*PUBLIC_URLS, "/son/projekte/{ref}/"])
def test_public_pages_for_signed_in_users_stay_private(
    client_as: Callable[[str], Client], project: Project, url: str
) -> None:
    response = client_as("office").get(url.format(ref=project.reference))
    assert response.status_code == 200
    directives = _directives(response["Cache-Control"])
    assert "private" in directives and "public" not in directives
    assert "cookie" in _vary(response)


@pytest.mark.parametrize("url", DOWNLOADS)
def test_downloads_are_public(client: Client, project: Project, url: str) -> None:
    response = client.get(url)
    assert _directives(response["Cache-Control"]) == {"public", "max-age=60"}
    assert "cookie" in _vary(response)
    assert not response.cookies


@pytest.mark.parametrize("url", [*PUBLIC_URLS, "/son/projekte/{ref}/", *DOWNLOADS])
def test_if_none_match_gives_304(client: Client, project: Project, url: str) -> None:
    url = url.format(ref=project.reference)
    response = client.get(url)
    etag = response["ETag"]
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag


def test_changed_data_changes_the_etag(client: Client, project: Project) -> None:
    url = "/son/projekte/"
    client.get(url)
    etag = client.get(url)["ETag"]
    Project.objects.filter(pk=project.pk).update(title="Ein neuer Titel")
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag
    csv_tag = client.get("/son/projekte.csv")["ETag"]
    Project.objects.filter(pk=project.pk).update(title="Noch ein Titel")
    assert client.get("/son/projekte.csv", headers={"if-none-match": csv_tag}).status_code == 200


def test_project_page_has_last_modified(client: Client, project: Project) -> None:
    url = f"/son/projekte/{project.reference}/"
    response = client.get(url)
    project.refresh_from_db()
    assert response["Last-Modified"] == http_date(project.updated_at.timestamp())
    client.get(url)
    again = client.get(url, headers={"if-modified-since": response["Last-Modified"]})
    assert again.status_code == 304


@pytest.mark.parametrize("url", ["/son/intern/", "/son/intern/anfragen/", "/son/kontakt/"])
def test_internal_pages_and_forms_are_never_cached(
    client_as: Callable[[str], Client], structure: AllianceStructure, url: str
) -> None:
    client = client_as("office")
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert not response.has_header("ETag")
    # Never a 304 for them, whatever the client sends.
    assert client.get(url, headers={"if-none-match": "*"}).status_code == 200


def test_not_found_is_not_marked_public(client: Client, structure: AllianceStructure) -> None:
    response = client.get("/son/projekte/GIBT-ES-NICHT/")
    assert response.status_code == 404
    assert "public" not in response.get("Cache-Control", "")
