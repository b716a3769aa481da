"""The public's e-mail subscriptions: double opt-in, signed links, one-click unsubscribe (RFC
8058), the form's limits, and what the audit trail keeps."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core import mail, signing
from django.test import Client

from buendnis.core.errors import DomainError
from buendnis.core.models import AuditEntry
from buendnis.notifications import public_services, tokens
from buendnis.notifications.models import PublicSubscription, PublicTopic
from tests.factories import AllianceStructure

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]
SITE = "http://127.0.0.1:8000"


def link_in(body: str, kind: str) -> str:
    """The path of the confirmation or unsubscribe link in a mail's text."""
    match = re.search(rf"{SITE}(/son/abonnieren/{kind}/[^/\s]+/)", body)
    assert match, body
    return match.group(1)


def request(
    structure: AllianceStructure,
    capture: Capture,
    email: str = "Leserin@Example.org",
    topics: tuple[str, ...] = (PublicTopic.MEETINGS, PublicTopic.PROJECTS),
) -> PublicSubscription:
    with capture(execute=True):
        return public_services.public_subscribe(
            alliance=structure.alliance, email=email, topics=topics
        )


def news(structure: AllianceStructure, topic: str = PublicTopic.MEETINGS) -> int:
    return public_services.public_notify(
        alliance=structure.alliance,
        topic=topic,
        title="Einladung: Sitzung des Steuerkreises am 05.06.2018",
        text="Montag, 05.06.2018, 14:00 Uhr, Rathaus",
        link="/son/sitzungen/4/",
    )


# --- Double opt-in -------------------------------------------------------------------------------


def test_unconfirmed_addresses_get_nothing_and_the_link_confirms(
    structure: AllianceStructure, django_capture_on_commit_callbacks: Capture
) -> None:
    mail.outbox.clear()
    subscription = request(structure, django_capture_on_commit_callbacks)
    assert subscription.email == "leserin@example.org"  # one mailbox, one row
    assert subscription.confirmed_at is None
    (confirmation,) = mail.outbox
    assert confirmation.to == ["leserin@example.org"]
    assert confirmation.subject == "Bitte bestätigen Sie Ihr Abonnement (SüdOstNiedersachsen)"
    assert "Öffentliche Sitzungen" in confirmation.body
    assert "Neu geförderte Projekte" in confirmation.body
    assert "Der Link gilt 7 Tage." in confirmation.body
    assert "List-Unsubscribe" not in confirmation.extra_headers

    mail.outbox.clear()
    assert news(structure) == 0
    assert mail.outbox == []

    confirmed = public_services.public_confirm(
        alliance=structure.alliance, token=link_in(confirmation.body, "bestaetigen").split("/")[-2]
    )
    assert confirmed.confirmed_at is not None
    assert confirmed.topics == ["meetings", "projects"]
    assert news(structure) == 1
    assert mail.outbox[0].to == ["leserin@example.org"]


def test_every_news_mail_carries_the_one_click_unsubscribe(
    structure: AllianceStructure, django_capture_on_commit_callbacks: Capture
) -> None:
    subscription = request(structure, django_capture_on_commit_callbacks)
    public_services.public_confirm(
        alliance=structure.alliance,
        token=tokens.confirm_token(subscription, ["meetings"]),
    )
    mail.outbox.clear()
    assert news(structure, PublicTopic.PROJECTS) == 0  # not chosen in the confirmed link
    assert news(structure) == 1
    (message,) = mail.outbox
    assert (
        message.subject
        == "[SüdOstNiedersachsen] Einladung: Sitzung des Steuerkreises am 05.06.2018"
    )
    assert f"{SITE}/son/sitzungen/4/" in message.body
    path = link_in(message.body, "abmelden")
    assert message.extra_headers["List-Unsubscribe"] == f"<{SITE}{path}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert message.reply_to == [structure.alliance.office_email]
    rendered = message.message().as_string()
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in rendered


def test_expired_and_forged_links_are_refused_in_german(
    structure: AllianceStructure, django_capture_on_commit_callbacks: Capture
) -> None:
    subscription = request(structure, django_capture_on_commit_callbacks)
    token = tokens.confirm_token(subscription, ["meetings"])
    later = signing.time.time() + tokens.CONFIRM_MAX_AGE.total_seconds() + 60
    with (
        mock.patch("django.core.signing.time.time", return_value=later),
        pytest.raises(tokens.ExpiredLink) as expired,
    ):
        public_services.public_confirm(alliance=structure.alliance, token=token)
    assert "abgelaufen" in str(expired.value)

    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for bad in (forged, "irgendwas", tokens.unsubscribe_token(subscription)):
        with pytest.raises(tokens.InvalidLink) as invalid:
            public_services.public_confirm(alliance=structure.alliance, token=bad)
        assert "ungültig" in str(invalid.value)
    # A link made with another secret (an address that left and came back) does nothing.
    stale = signing.dumps(
        {"s": subscription.pk, "k": "anders", "t": ["meetings"]},
        salt="buendnis.notifications.public.confirm",
        compress=True,
    )
    with pytest.raises(tokens.InvalidLink):
        public_services.public_confirm(alliance=structure.alliance, token=stale)
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None


def test_a_link_of_another_alliance_does_nothing_here(
    structure: AllianceStructure,
    other_structure: AllianceStructure,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    subscription = request(structure, django_capture_on_commit_callbacks)
    with pytest.raises(tokens.InvalidLink):
        public_services.public_confirm(
            alliance=other_structure.alliance,
            token=tokens.confirm_token(subscription, ["meetings"]),
        )
    assert not public_services.public_unsubscribe(
        alliance=other_structure.alliance, token=tokens.unsubscribe_token(subscription)
    )
    assert PublicSubscription.objects.filter(pk=subscription.pk).exists()


def test_unsubscribing_deletes_the_address(
    structure: AllianceStructure, django_capture_on_commit_callbacks: Capture
) -> None:
    subscription = request(structure, django_capture_on_commit_callbacks)
    public_services.public_confirm(
        alliance=structure.alliance, token=tokens.confirm_token(subscription, ["meetings"])
    )
    token = tokens.unsubscribe_token(subscription)
    assert public_services.public_unsubscribe(alliance=structure.alliance, token=token)
    assert not PublicSubscription.objects.filter(email="leserin@example.org").exists()
    assert not public_services.public_unsubscribe(alliance=structure.alliance, token=token)
    with pytest.raises(tokens.InvalidLink):
        public_services.public_unsubscribe(alliance=structure.alliance, token=token + "x")
    mail.outbox.clear()
    assert news(structure) == 0

    # Subscribing again makes a new row: the old links act on nothing.
    again = request(structure, django_capture_on_commit_callbacks)
    assert again.pk != subscription.pk and again.secret != subscription.secret
    assert not public_services.public_unsubscribe(alliance=structure.alliance, token=token)


def test_a_confirmed_subscription_changes_only_when_confirmed(
    structure: AllianceStructure, django_capture_on_commit_callbacks: Capture
) -> None:
    subscription = request(structure, django_capture_on_commit_callbacks, topics=("meetings",))
    public_services.public_confirm(
        alliance=structure.alliance, token=tokens.confirm_token(subscription, ["meetings"])
    )
    mail.outbox.clear()
    request(structure, django_capture_on_commit_callbacks, topics=("projects",))
    subscription.refresh_from_db()
    assert subscription.topics == ["meetings"]  # unchanged until confirmed
    (message,) = mail.outbox
    assert "Änderung" in message.subject
    public_services.public_confirm(
        alliance=structure.alliance, token=link_in(message.body, "bestaetigen").split("/")[-2]
    )
    subscription.refresh_from_db()
    assert subscription.topics == ["projects"]


def test_bad_input_is_refused_in_german(structure: AllianceStructure) -> None:
    with pytest.raises(DomainError) as no_topic:
        public_services.public_subscribe(alliance=structure.alliance, email="a@b.de", topics=[])
    assert "mindestens ein Thema" in str(no_topic.value)
    with pytest.raises(DomainError) as unknown:
        public_services.public_subscribe(
            alliance=structure.alliance, email="a@b.de", topics=["wetter"]
        )
    assert "angebotenen Themen" in str(unknown.value)
    with pytest.raises(DomainError) as address:
        public_services.public_subscribe(
            alliance=structure.alliance, email="kein-at", topics=["meetings"]
        )
    assert "gültige E-Mail-Adresse" in str(address.value)
    assert not PublicSubscription.objects.exists()


def test_an_address_gets_at_most_three_confirmation_mails_a_day(
    structure: AllianceStructure, django_capture_on_commit_callbacks: Capture
) -> None:
    mail.outbox.clear()
    for _ in range(5):
        request(structure, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 3
    request(structure, django_capture_on_commit_callbacks, email="andere@example.org")
    assert len(mail.outbox) == 4


def test_the_audit_trail_keeps_the_topics_but_not_the_address(
    structure: AllianceStructure, django_capture_on_commit_callbacks: Capture
) -> None:
    subscription = request(structure, django_capture_on_commit_callbacks)
    public_services.public_confirm(
        alliance=structure.alliance, token=tokens.confirm_token(subscription, ["meetings"])
    )
    public_services.public_unsubscribe(
        alliance=structure.alliance, token=tokens.unsubscribe_token(subscription)
    )
    rows = AuditEntry.objects.filter(object_type="notifications.publicsubscription").order_by("id")
    assert [(row.action, row.actor, row.alliance_id, row.changes) for row in rows] == [
        (
            "public_subscription.request",
            None,
            structure.alliance.pk,
            {"topics": ["meetings", "projects"]},
        ),
        (
            "public_subscription.confirm",
            None,
            structure.alliance.pk,
            {"topics": ["meetings"]},
        ),
        (
            "public_subscription.delete",
            None,
            structure.alliance.pk,
            {},
        ),
    ]
    assert {row.object_repr for row in rows} == {f"Öffentliches Abonnement #{subscription.pk}"}


def test_muted_sends_no_news(
    structure: AllianceStructure, django_capture_on_commit_callbacks: Capture
) -> None:
    from buendnis.notifications import services

    subscription = request(structure, django_capture_on_commit_callbacks)
    public_services.public_confirm(
        alliance=structure.alliance, token=tokens.confirm_token(subscription, ["meetings"])
    )
    mail.outbox.clear()
    with services.muted():
        assert news(structure) == 0
    assert mail.outbox == []


# --- The pages -----------------------------------------------------------------------------------


SUBSCRIBE = "/son/abonnieren/"


def post_form(client: Client, data: dict[str, Any], **headers: str) -> Any:
    return client.post(SUBSCRIBE, data, **headers)


def test_the_form_confirm_and_unsubscribe_pages(
    structure: AllianceStructure, django_capture_on_commit_callbacks: Capture
) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get(SUBSCRIBE)
    assert page.status_code == 200
    assert not page.cookies
    html = page.content.decode()
    assert 'name="csrfmiddlewaretoken"' not in html
    assert 'href="/son/sitzungen.atom"' in html and 'href="/son/projekte/gefoerdert.atom"' in html
    assert "/son/sitzungen/steuerkreis.ics" in html
    assert "no-cache" in page["Cache-Control"]

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = post_form(
            client,
            {"email": "leser@example.org", "topics": ["meetings"]},
            HTTP_SEC_FETCH_SITE="same-origin",
        )
    assert sent.status_code == 302 and sent["Location"] == SUBSCRIBE
    shown = client.get(SUBSCRIBE).content.decode()
    assert "Fast geschafft" in shown
    (confirmation,) = mail.outbox
    confirm = link_in(confirmation.body, "bestaetigen")

    # The link's page asks; only the button confirms (mail scanners open links).
    asked = Client(enforce_csrf_checks=True).get(confirm)
    assert asked.status_code == 200 and not asked.cookies
    assert "Abonnement bestätigen" in asked.content.decode()
    assert PublicSubscription.objects.get().confirmed_at is None
    done = Client(enforce_csrf_checks=True).post(confirm, HTTP_SEC_FETCH_SITE="same-origin")
    assert done.status_code == 200
    assert "Ihr Abonnement ist bestätigt" in done.content.decode()
    assert PublicSubscription.objects.get().confirmed_at is not None

    mail.outbox.clear()
    news(structure)
    unsubscribe = link_in(mail.outbox[0].body, "abmelden")
    asked = Client(enforce_csrf_checks=True).get(unsubscribe)
    assert asked.status_code == 200 and not asked.cookies
    assert PublicSubscription.objects.exists()
    # The mail provider's one-click POST (RFC 8058): no page of ours, no token but the link's.
    one_click = Client(enforce_csrf_checks=True).post(
        unsubscribe,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert one_click.status_code == 200  # never a redirect
    assert "Ihre E-Mail-Adresse ist gelöscht" in one_click.content.decode()
    assert not PublicSubscription.objects.exists()
    again = Client(enforce_csrf_checks=True).post(unsubscribe)
    assert again.status_code == 200 and "bereits abgemeldet" in again.content.decode()


def test_forged_and_expired_links_show_the_german_reason(structure: AllianceStructure) -> None:
    client = Client()
    for path in ("/son/abonnieren/bestaetigen/gefaelscht/", "/son/abonnieren/abmelden/x:y:z/"):
        for response in (client.get(path), client.post(path, HTTP_SEC_FETCH_SITE="same-origin")):
            assert response.status_code == 400
            assert "Dieser Link ist ungültig" in response.content.decode()
    subscription = PublicSubscription.objects.create(
        alliance=structure.alliance, email="a@example.org", meetings=True
    )
    token = tokens.confirm_token(subscription, ["meetings"])
    later = signing.time.time() + timedelta(days=8).total_seconds()
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = client.get(f"/son/abonnieren/bestaetigen/{token}/")
    assert response.status_code == 400
    assert "abgelaufen" in response.content.decode()


def test_bad_input_keeps_what_was_typed(structure: AllianceStructure) -> None:
    response = post_form(Client(), {"email": "kein-at", "topics": []})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Bitte geben Sie eine gültige E-Mail-Adresse an." in html
    assert "Bitte wählen Sie mindestens ein Thema." in html
    assert 'value="kein-at"' in html
    assert not PublicSubscription.objects.exists()


def test_a_post_from_another_site_is_refused(structure: AllianceStructure) -> None:
    response = post_form(
        Client(),
        {"email": "leser@example.org", "topics": ["meetings"]},
        HTTP_SEC_FETCH_SITE="cross-site",
    )
    assert response.status_code == 403
    assert not PublicSubscription.objects.exists()
    response = post_form(
        Client(),
        {"email": "leser@example.org", "topics": ["meetings"]},
        HTTP_ORIGIN="https://boese.example.com",
    )
    assert response.status_code == 403


def test_the_form_is_limited_per_client_like_the_contact_form(
    structure: AllianceStructure, django_capture_on_commit_callbacks: Capture
) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(5):
            ok = post_form(client, {"email": f"l{number}@example.org", "topics": ["meetings"]})
            assert ok.status_code == 302
        refused = post_form(client, {"email": "l9@example.org", "topics": ["meetings"]})
    assert refused.status_code == 429
    assert "zu viele Anmeldungen" in refused.content.decode()
    assert 'value="l9@example.org"' in refused.content.decode()  # nothing lost
    assert PublicSubscription.objects.count() == 5


def test_behind_a_proxy_the_form_is_limited_per_visitor(
    structure: AllianceStructure, settings: Any, django_capture_on_commit_callbacks: Capture
) -> None:
    """Behind nginx (TRUSTED_PROXY_COUNT 1) every visitor has REMOTE_ADDR nginx's address; the
    limit keys on the address nginx appended to X-Forwarded-For (buendnis/core/client.py)."""
    settings.TRUSTED_PROXY_COUNT = 1
    first = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7")
    second = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.8")
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(5):
            data = {"email": f"p{number}@example.org", "topics": ["meetings"]}
            assert post_form(first, data).status_code == 302
        data = {"email": "p9@example.org", "topics": ["meetings"]}
        assert post_form(first, data).status_code == 429
        assert post_form(second, data).status_code == 302


def test_the_honeypot_is_told_the_same_and_stores_nothing(structure: AllianceStructure) -> None:
    response = post_form(
        Client(),
        {"email": "bot@example.org", "topics": ["meetings"], "website": "http://spam"},
    )
    assert response.status_code == 302
    assert not PublicSubscription.objects.exists()


def test_the_answer_does_not_tell_who_subscribes(
    structure: AllianceStructure, django_capture_on_commit_callbacks: Capture
) -> None:
    client = Client()
    request(structure, django_capture_on_commit_callbacks, email="dabei@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        known = post_form(client, {"email": "dabei@example.org", "topics": ["meetings"]})
        new = post_form(client, {"email": "neu@example.org", "topics": ["meetings"]})
    assert (known.status_code, known["Location"]) == (new.status_code, new["Location"])
