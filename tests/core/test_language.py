import pytest

pytestmark = pytest.mark.django_db


def test_german_by_default_even_for_an_english_browser(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "de"
    assert '<html lang="de">' in response.content.decode()


def test_the_language_switch_chooses_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    response = client.get("/")
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()


def test_unknown_language_cookie_falls_back_to_german(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert client.get("/")["Content-Language"] == "de"


def test_the_header_link_chooses_english(client):
    response = client.get("/sprache/en/", {"next": "/"})
    assert response.status_code == 302
    assert client.get("/")["Content-Language"] == "en"


def test_the_switch_is_a_link_that_sets_only_the_language_cookie(client, settings):
    response = client.get("/sprache/en/", {"next": "/son/projekte/?q=Pflege&page=2"})
    assert response.status_code == 302
    assert response["Location"] == "/son/projekte/?q=Pflege&page=2"
    assert set(response.cookies) == {settings.LANGUAGE_COOKIE_NAME}
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    # Nobody's cache keeps the answer: it is this visitor's choice.
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.parametrize(
    "target", ["https://boese.example/", "//boese.example/", "javascript:alert(1)", ""]
)
def test_the_switch_stays_on_this_site(client, target):
    response = client.get("/sprache/en/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_only_configured_languages(client, settings):
    response = client.get("/sprache/fr/", {"next": "/"})
    assert response.status_code == 404
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_switch_does_not_change_anything_on_post(client):
    assert client.post("/sprache/en/", {"next": "/"}).status_code == 405
