"""Every page × every persona: who gets the page, who is sent to the login, who gets a 403."""

from collections.abc import Callable

import pytest
from django.test import Client

from ..conftest import PERSONAS
from ..factories import AllianceStructure

PUBLIC_URLS = [
    "/",
    "/son/",
    "/son/gremien/",
    "/son/partner/",
    "/son/handlungsfelder/",
    "/son/foerderphasen/",
]
INTERNAL_URLS = ["/son/intern/", "/son/intern/kontakte/"]
# Everyone of the alliance's internal circle, plus ministry and platform admins.
INTERNAL_ALLOWED = {"office", "speaker", "member", "advisory", "ministry", "admin"}

pytestmark = pytest.mark.usefixtures("structure", "other_structure")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_pages_open_to_everyone(
    client_as: Callable[[str], Client], persona: str, url: str
) -> None:
    response = client_as(persona).get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url", INTERNAL_URLS)
def test_internal_pages(client_as: Callable[[str], Client], persona: str, url: str) -> None:
    response = client_as(persona).get(url)
    if persona == "public":
        assert response.status_code == 302
        assert response["Location"] == f"/konto/anmelden/?next={url}"
    elif persona in INTERNAL_ALLOWED:
        assert response.status_code == 200
        assert "no-cache" in response["Cache-Control"]
        assert b'<meta name="robots" content="noindex, nofollow">' in response.content
    else:
        # The applicant of this alliance and the outsider (every role, but in the other one).
        assert response.status_code == 403
        assert "Kein Zugriff auf diese Seite" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/unbekannt/", "/unbekannt/gremien/", "/unbekannt/intern/", "/son/gibt-es-nicht/"],
)
def test_unknown_pages_are_404_in_german(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()


def test_inactive_alliance_is_404(client: Client, structure: AllianceStructure) -> None:
    structure.alliance.is_active = False
    structure.alliance.save()
    for url in [*PUBLIC_URLS[1:], *INTERNAL_URLS]:
        assert client.get(url).status_code == 404, url
    assert "SüdOstNiedersachsen" not in client.get("/").content.decode()


@pytest.mark.parametrize("url", PUBLIC_URLS[1:] + INTERNAL_URLS)
def test_pages_only_answer_get(client_as: Callable[[str], Client], url: str) -> None:
    assert client_as("office").post(url).status_code == 405


def test_head_requests_are_answered(client: Client) -> None:
    assert client.head("/son/").status_code == 200


def test_500_page_renders_without_request_context() -> None:
    """Django renders 500.html with an empty context: it must not need the user or a URL."""
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert "Ein interner Fehler ist aufgetreten" in html
    assert '<html lang="de">' in html


def test_403_and_404_pages_are_german(client_as: Callable[[str], Client]) -> None:
    forbidden = client_as("applicant").get("/son/intern/").content.decode()
    assert '<html lang="de">' in forbidden
    assert "Fehler 403" in forbidden
    missing = client_as("public").get("/gibt-es-nicht/").content.decode()
    assert "Fehler 404" in missing
    assert 'href="/"' in missing
