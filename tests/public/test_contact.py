"""The contact page (/<slug>/kontakt/): the form's success and failure, the honeypot, the rate
limit, the mail; every message becomes an inquiry in the office's inbox (tests/portal/
test_inquiry_pages.py tests the inbox itself), and the old inbox addresses lead there."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from buendnis.office.models import Inquiry, Source
from buendnis.public.services import CONTACT_LIMIT

from ..conftest import PERSONAS
from ..factories import AllianceStructure

pytestmark = pytest.mark.usefixtures("structure", "other_structure")

INTERNAL_READERS = {"office", "speaker", "member", "advisory", "ministry", "admin"}
HANDLERS = {"office", "admin"}
MARKER = "Markierung-Kontakt-Pz9"


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """The rate limit lives in the cache: every test starts without earlier messages."""
    cache.clear()
    yield
    cache.clear()


def _data(**changes: Any) -> dict[str, Any]:
    data = {
        "name": f"Erika {MARKER}",
        "email": "erika.kontakt@example.org",
        "subject": "Frage zur Förderung",
        "message": f"Wie beantrage ich einen Zuschuss? {MARKER}",
        "privacy": "on",
        "website": "",
    }
    data.update(changes)
    return data


def _text(response: Any) -> str:
    return response.content.decode()


def test_page_shows_the_office_and_an_accessible_form(client: Client) -> None:
    response = client.get("/son/kontakt/")
    assert response.status_code == 200
    text = _text(response)
    assert "Frankfurter Straße 2" in text
    assert "geschaeftsstelle@son.example.org" in text
    for name in ["name", "email", "subject", "message", "privacy"]:
        assert f'for="id_{name}"' in text, name
    assert '<button type="submit" class="button">Nachricht senden</button>' in text
    # The honeypot: hidden by CSS, from screen readers and from the tab order, no autofill.
    assert 'class="field hp-field" aria-hidden="true"' in text
    assert 'tabindex="-1"' in text and 'autocomplete="off"' in text
    assert "no-store" in response["Cache-Control"]


def test_success_stores_mails_and_redirects(
    client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/son/kontakt/", _data())
    assert response.status_code == 302
    assert response["Location"] == "/son/kontakt/"
    stored = Inquiry.objects.get()
    assert stored.alliance.slug == "son"
    assert stored.source == Source.CONTACT_FORM
    assert stored.asker_email == "erika.kontakt@example.org"
    assert stored.status == "new" and stored.assigned_to is None
    assert stored.messages.get().body == f"Wie beantrage ich einen Zuschuss? {MARKER}"
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["geschaeftsstelle@son.example.org"]
    assert "Frage zur Förderung" in sent.subject
    assert MARKER in sent.body and f"/son/intern/anfragen/{stored.pk}/" in sent.body
    page = client.get(response["Location"])
    assert "Vielen Dank, Ihre Nachricht ist bei der Geschäftsstelle eingegangen." in _text(page)
    # The form is empty again after the redirect.
    assert MARKER not in _text(page)


def test_no_mail_without_an_office_address(
    client: Client,
    structure: AllianceStructure,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    structure.alliance.office_email = ""
    structure.alliance.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/son/kontakt/", _data()).status_code == 302
    assert Inquiry.objects.count() == 1
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"privacy": ""}, "Bitte stimmen Sie der Speicherung Ihrer Angaben zu."),
        ({"email": "keine-adresse"}, "Bitte geben Sie eine gültige E-Mail-Adresse an."),
        ({"message": ""}, "Dieses Feld ist zwingend erforderlich."),
        ({"name": ""}, "Dieses Feld ist zwingend erforderlich."),
    ],
)
def test_failure_keeps_the_input(client: Client, changes: dict[str, str], message: str) -> None:
    response = client.post("/son/kontakt/", _data(**changes))
    assert response.status_code == 400
    text = _text(response)
    assert "Bitte prüfen Sie Ihre Eingaben." in text
    assert message in text
    assert "Frage zur Förderung" in text  # the subject is kept
    assert Inquiry.objects.count() == 0


def test_subject_line_breaks_are_removed(
    client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/son/kontakt/", _data(subject="Frage\r\nBcc: spam@example.org"))
    assert Inquiry.objects.get().subject == "Frage Bcc: spam@example.org"
    assert len(mail.outbox) == 1


def test_honeypot_stores_nothing_and_says_thanks(
    client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/son/kontakt/", _data(website="http://spam.example"), follow=True)
    assert "Vielen Dank" in _text(response)
    assert Inquiry.objects.count() == 0
    assert mail.outbox == []


def test_rate_limit_per_client_address(client: Client) -> None:
    for _ in range(CONTACT_LIMIT):
        assert client.post("/son/kontakt/", _data()).status_code == 302
    refused = client.post("/son/kontakt/", _data(subject="Sechste Nachricht"))
    assert refused.status_code == 429
    text = _text(refused)
    assert "zu viele Nachrichten" in text
    assert "Sechste Nachricht" in text  # the input is kept
    assert Inquiry.objects.count() == CONTACT_LIMIT
    # Another address may still write.
    other = Client(REMOTE_ADDR="192.0.2.77")
    assert other.post("/son/kontakt/", _data()).status_code == 302


def test_rate_limit_counts_the_honeypot_too(client: Client) -> None:
    for _ in range(CONTACT_LIMIT):
        client.post("/son/kontakt/", _data(website="spam"))
    assert client.post("/son/kontakt/", _data()).status_code == 429
    assert Inquiry.objects.count() == 0


# --- Protection against forged posts, without a token or cookie ---------------------------------


def test_first_visit_sets_no_cookie(client: Client) -> None:
    response = Client(enforce_csrf_checks=True).get("/son/kontakt/")
    assert response.status_code == 200
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in _text(response)


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "same-origin", "origin": "http://testserver"},
        {"sec-fetch-site": "none"},  # typed or bookmarked: no page sent it
        {"origin": "http://testserver"},  # a browser without Fetch Metadata
        {},  # not a browser: it could post directly anyway
    ],
)
def test_a_post_from_this_site_is_accepted(
    headers: dict[str, str], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = Client(enforce_csrf_checks=True, headers=headers)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/son/kontakt/", _data())
    assert response.status_code == 302
    assert Inquiry.objects.count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "cross-site", "origin": "https://boese.example"},
        {"sec-fetch-site": "same-site", "origin": "http://sub.testserver"},
        # The header wins over a matching Origin.
        {"sec-fetch-site": "cross-site", "origin": "http://testserver"},
        {"origin": "https://boese.example"},
        {"origin": "null"},
    ],
)
def test_a_post_from_another_site_is_refused(headers: dict[str, str]) -> None:
    client = Client(enforce_csrf_checks=True, headers=headers)
    response = client.post("/son/kontakt/", _data())
    assert response.status_code == 403
    assert Inquiry.objects.count() == 0
    assert not mail.outbox


def test_trusted_origins_are_accepted(settings: Any) -> None:
    settings.CSRF_TRUSTED_ORIGINS = ["https://portal.example.org"]
    client = Client(enforce_csrf_checks=True, headers={"origin": "https://portal.example.org"})
    assert client.post("/son/kontakt/", _data()).status_code == 302


def test_unknown_alliance_is_404(client: Client) -> None:
    assert client.get("/unbekannt/kontakt/").status_code == 404
    assert client.post("/unbekannt/kontakt/", _data()).status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_contact_page_is_the_same_for_everyone(
    client_as: Callable[[str], Client], persona: str
) -> None:
    assert client_as(persona).get("/son/kontakt/").status_code == 200


# --- The old inbox's addresses -----------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_old_inbox_addresses_redirect_permanently(
    client_as: Callable[[str], Client], persona: str
) -> None:
    """The inbox decides who may see it; the old addresses only point there (names kept)."""
    client = client_as(persona)
    response = client.get(reverse("public:contact_messages", args=["son"]))
    assert response.status_code == 301
    assert response["Location"] == "/son/intern/anfragen/?source=contact_form"
    handled = client.post(reverse("public:contact_message_handled", args=["son", 7]))
    assert handled.status_code == 301
    assert handled["Location"] == "/son/intern/anfragen/"
    assert Inquiry.objects.count() == 0


def test_messages_never_reach_public_pages(
    client_as: Callable[[str], Client], client: Client
) -> None:
    client.post("/son/kontakt/", _data())
    for persona in ("public", "office"):
        browser = client_as(persona)
        for url in [
            "/son/",
            "/son/projekte/",
            "/son/budget/",
            "/son/kontakt/",
            "/son/projekte.csv",
        ]:
            assert MARKER not in browser.get(url).content.decode("utf-8-sig"), url


# --- Behind the reverse proxy (buendnis/core/client.py) -------------------------------------------

NGINX = "10.0.0.5"


def _behind_proxy(address: str, sent: str = "") -> Client:
    """A visitor as gunicorn sees it behind nginx: REMOTE_ADDR is nginx's, and nginx appended
    the visitor's address to whatever X-Forwarded-For the visitor sent itself."""
    forwarded = f"{sent}, {address}" if sent else address
    return Client(REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=forwarded)


def test_by_default_a_sent_forwarded_header_does_not_escape_the_limit() -> None:
    for number in range(CONTACT_LIMIT):
        visitor = Client(HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
        assert visitor.post("/son/kontakt/", _data()).status_code == 302
    spoofed = Client(HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert spoofed.post("/son/kontakt/", _data()).status_code == 429


def test_behind_one_proxy_each_visitor_has_a_limit_of_their_own(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    first, second = _behind_proxy("203.0.113.7"), _behind_proxy("203.0.113.8")
    for _ in range(CONTACT_LIMIT):
        assert first.post("/son/kontakt/", _data()).status_code == 302
    assert first.post("/son/kontakt/", _data()).status_code == 429
    # The same proxy address, another visitor: not refused for the first one's messages.
    assert second.post("/son/kontakt/", _data()).status_code == 302


def test_behind_one_proxy_a_forged_left_entry_does_not_escape_the_limit(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    for number in range(CONTACT_LIMIT):
        visitor = _behind_proxy("203.0.113.7", sent=f"198.51.100.{number}")
        assert visitor.post("/son/kontakt/", _data()).status_code == 302
    forged = _behind_proxy("203.0.113.7", sent="198.51.100.99")
    assert forged.post("/son/kontakt/", _data()).status_code == 429
