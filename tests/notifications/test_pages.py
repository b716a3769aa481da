"""The notification pages for every persona and the other alliance, their pinned queries, and the
header's unread count (signed-in pages only: never on the public pages' shared answers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, override_settings

from buendnis.accounts.models import User
from buendnis.funding.states import Status
from buendnis.notifications import services, topics
from buendnis.notifications.models import Delivery, Notification, Subscription
from tests.conftest import PERSONAS
from tests.factories import AllianceStructure, project_in_state

pytestmark = pytest.mark.django_db

CENTRE = "/son/intern/benachrichtigungen/"
SETTINGS = "/konto/benachrichtigungen/"
WITH_A_ROLE = {"office", "speaker", "member", "advisory", "applicant", "ministry", "admin"}
INTERNAL = WITH_A_ROLE - {"applicant"}


def signed_in(make_persona: Callable[[str], User | None], name: str) -> tuple[Client, User | None]:
    client = Client()
    user = make_persona(name)
    if user is not None:
        client.force_login(user)
    return client, user


def steering(structure: AllianceStructure) -> str:
    return topics.body(structure.bodies["steering"].pk)


def tell(
    structure: AllianceStructure, title: str = "Einladung", **extra: Any
) -> list[Notification]:
    return services.notify(
        topic=steering(structure),
        alliance=structure.alliance,
        kind="meeting.invited",
        title=title,
        text="Montag, 05.06.2018",
        link=f"/son/intern/sitzungen/{structure.bodies['steering'].pk}/",
        **extra,
    )


# --- Who may open what ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_the_centre_per_persona(
    name: str, structure: AllianceStructure, make_persona: Callable[[str], User | None]
) -> None:
    client, user = signed_in(make_persona, name)
    response = client.get(CENTRE)
    if name == "public":
        assert response.status_code == 302
        assert response["Location"].startswith("/konto/anmelden/?next=/son/intern/")
    elif name in WITH_A_ROLE:
        assert response.status_code == 200
        assert "0 ungelesene Benachrichtigungen." in response.content.decode()
        assert "no-cache" in response["Cache-Control"]
    else:
        assert response.status_code == 403
        assert "keine Benachrichtigungen" in response.content.decode()
        # … but its own alliance's centre is open to it.
        assert client.get("/leine-weser/intern/benachrichtigungen/").status_code == 200


@pytest.mark.parametrize("name", PERSONAS)
def test_mark_all_read_per_persona(
    name: str, structure: AllianceStructure, make_persona: Callable[[str], User | None]
) -> None:
    client, user = signed_in(make_persona, name)
    assert client.get(f"{CENTRE}alle-gelesen/").status_code in (302, 405)
    response = client.post(f"{CENTRE}alle-gelesen/")
    if name == "public":
        assert response.status_code == 302
        assert response["Location"] == f"/konto/anmelden/?next={CENTRE}"
    elif name in WITH_A_ROLE:
        assert (response.status_code, response["Location"]) == (302, CENTRE)
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("name", PERSONAS)
def test_the_subscribe_buttons_per_persona(
    name: str, structure: AllianceStructure, make_persona: Callable[[str], User | None]
) -> None:
    client, user = signed_in(make_persona, name)
    back = "/son/intern/sitzungen/"
    response = client.post(f"{CENTRE}abonnieren/", {"topic": steering(structure), "next": back})
    if name == "public":
        assert response.status_code == 302 and response["Location"].startswith("/konto/anmelden/")
        return
    if name in INTERNAL:
        assert (response.status_code, response["Location"]) == (302, back)
        assert Subscription.objects.filter(user=user, topic=steering(structure)).exists()
        followed = client.get(back)
        assert "Abonniert: Sitzungen: Steuerkreis." in followed.content.decode()
        response = client.post(
            f"{CENTRE}abbestellen/", {"topic": steering(structure), "next": back}
        )
        assert (response.status_code, response["Location"]) == (302, back)
        assert not Subscription.objects.filter(user=user).exists()
    else:
        # The applicant may not read the meetings; the outsider is of another alliance.
        assert response.status_code == 403
        assert not Subscription.objects.exists()
        if name == "applicant":
            assert "keinen Zugang" in response.content.decode()


def test_a_tampered_button_is_refused(
    structure: AllianceStructure, make_persona: Callable[[str], User | None]
) -> None:
    client, _user = signed_in(make_persona, "member")
    assert client.post(f"{CENTRE}abonnieren/", {}).status_code == 400
    assert client.post(f"{CENTRE}abbestellen/", {"topic": "x" * 200}).status_code == 400
    # Never back to another site.
    response = client.post(
        f"{CENTRE}abonnieren/", {"topic": steering(structure), "next": "https://boese.example.com/"}
    )
    assert (response.status_code, response["Location"]) == (302, CENTRE)


def test_opening_a_notification(
    structure: AllianceStructure, make_persona: Callable[[str], User | None]
) -> None:
    client, member = signed_in(make_persona, "member")
    speaker_client, speaker = signed_in(make_persona, "speaker")
    services.subscribe(user=member, alliance=structure.alliance, topic=steering(structure))
    (row,) = tell(structure)
    # Another member's notification, and one through another alliance's address: 404.
    assert speaker_client.get(f"{CENTRE}{row.pk}/").status_code == 404
    other = Client()
    other.force_login(member)
    assert other.get(f"/leine-weser/intern/benachrichtigungen/{row.pk}/").status_code in (403, 404)
    response = client.get(f"{CENTRE}{row.pk}/")
    assert (response.status_code, response["Location"]) == (302, row.link)
    # A link to elsewhere (never made by the apps, but stored text) leads to the centre.
    Notification.objects.filter(pk=row.pk).update(link="https://boese.example.com/")
    assert client.get(f"{CENTRE}{row.pk}/")["Location"] == CENTRE


@pytest.mark.parametrize("name", PERSONAS)
def test_the_settings_page_per_persona(
    name: str, structure: AllianceStructure, make_persona: Callable[[str], User | None]
) -> None:
    client, user = signed_in(make_persona, name)
    response = client.get(SETTINGS)
    if user is None:
        assert response.status_code == 302 and response["Location"].startswith("/konto/anmelden/")
        assert client.post(SETTINGS, {"delivery": "event"}).status_code == 302
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="digest"' in html and "checked" in html
    saved = client.post(SETTINGS, {"delivery": Delivery.IN_APP})
    assert (saved.status_code, saved["Location"]) == (302, SETTINGS)
    assert "Ihre Einstellung ist gespeichert." in client.get(SETTINGS).content.decode()


def test_the_settings_page_refuses_bad_input_in_german(
    structure: AllianceStructure, make_persona: Callable[[str], User | None]
) -> None:
    client, _user = signed_in(make_persona, "member")
    response = client.post(SETTINGS, {"delivery": "brieftaube"})
    assert response.status_code == 400
    assert "Bitte wählen Sie eine der angebotenen Zustellungen." in response.content.decode()


def test_ending_a_subscription_from_the_settings(
    structure: AllianceStructure, make_persona: Callable[[str], User | None]
) -> None:
    client, member = signed_in(make_persona, "member")
    _other, speaker = signed_in(make_persona, "speaker")
    assert member is not None and speaker is not None
    mine = services.subscribe(user=member, alliance=structure.alliance, topic=steering(structure))
    theirs = services.subscribe(
        user=speaker, alliance=structure.alliance, topic=steering(structure)
    )
    page = client.get(SETTINGS).content.decode()
    assert "Sitzungen: Steuerkreis" in page
    # Someone else's subscription: nothing happens.
    client.post(f"{SETTINGS}abbestellen/", {"subscription": theirs.pk})
    assert Subscription.objects.filter(pk=theirs.pk).exists()
    response = client.post(f"{SETTINGS}abbestellen/", {"subscription": mine.pk})
    assert (response.status_code, response["Location"]) == (302, SETTINGS)
    assert not Subscription.objects.filter(pk=mine.pk).exists()
    assert "Abbestellt: Sitzungen: Steuerkreis." in client.get(SETTINGS).content.decode()
    assert client.post(f"{SETTINGS}abbestellen/", {"subscription": "x"}).status_code == 400
    assert client.get(f"{SETTINGS}abbestellen/").status_code == 405


# --- The centre's content and queries ------------------------------------------------------------


def test_the_centre_lists_newest_first_marks_unread_in_words_and_pages(
    structure: AllianceStructure,
    make_persona: Callable[[str], User | None],
    django_assert_num_queries: Callable[..., Any],
) -> None:
    client, member = signed_in(make_persona, "member")
    assert member is not None
    services.subscribe(user=member, alliance=structure.alliance, topic=steering(structure))
    rows = [tell(structure, f"Ereignis {number:02d}")[0] for number in range(3)]
    services.mark_read(user=member, notification=rows[0])

    # session; user; whether the user has a two-factor app (accounts.middleware); alliance;
    # memberships; the unread count (shared by the header and the page); the page of
    # notifications with their total.
    with django_assert_num_queries(7):
        response = client.get(CENTRE)
    html = response.content.decode()
    assert html.index("Ereignis 02") < html.index("Ereignis 01") < html.index("Ereignis 00")
    assert html.count('<span class="badge badge-open">Ungelesen</span>') == 2
    assert "2 ungelesene Benachrichtigungen." in html
    assert 'role="status"' in html
    assert "· gelesen" in html
    assert "Alle als gelesen markieren" in html

    for number in range(3, 45):
        tell(structure, f"Ereignis {number:02d}")
    with django_assert_num_queries(7):
        response = client.get(CENTRE)
    html = response.content.decode()
    assert "Ereignis 44" in html and "Ereignis 24" not in html  # 20 a page
    assert "Seite 1 von 3" in html
    last = client.get(f"{CENTRE}?page=3").content.decode()
    assert "Ereignis 00" in last and "Ereignis 04" in last

    client.post(f"{CENTRE}alle-gelesen/")
    html = client.get(CENTRE).content.decode()
    assert "44 Benachrichtigungen als gelesen markiert." in html
    assert "0 ungelesene Benachrichtigungen." in html
    assert "Alle als gelesen markieren" not in html


def test_the_settings_page_queries_do_not_grow(
    structure: AllianceStructure,
    other_structure: AllianceStructure,
    make_persona: Callable[[str], User | None],
    django_assert_num_queries: Callable[..., Any],
) -> None:
    client, admin = signed_in(make_persona, "admin")
    assert admin is not None

    def follow_projects(count: int) -> None:
        for _ in range(count):
            project = project_in_state(structure, Status.IDEA)
            services.subscribe(
                user=admin, alliance=structure.alliance, topic=topics.project(project.pk)
            )

    services.subscribe(user=admin, alliance=structure.alliance, topic=steering(structure))
    services.subscribe(
        user=admin,
        alliance=other_structure.alliance,
        topic=topics.body(other_structure.bodies["steering"].pk),
    )
    follow_projects(1)
    # session; user; the session's verified app (two-factor check, django-otp's OTPMiddleware);
    # the header's unread count; the delivery; the page of subscriptions with their alliances;
    # per alliance and kind of topic on the page, its names (bodies of two alliances, projects of
    # one); unread per alliance.
    with django_assert_num_queries(4 + 1 + 1 + 3 + 1):
        assert client.get(SETTINGS).status_code == 200
    follow_projects(5)
    with django_assert_num_queries(4 + 1 + 1 + 3 + 1):
        html = client.get(SETTINGS).content.decode()
    assert html.count("Abbestellen</button>") == 0  # the button's name carries the topic
    assert html.count('name="subscription"') == 8


# --- The header ----------------------------------------------------------------------------------


def test_the_header_counts_unread_for_signed_in_users(
    structure: AllianceStructure,
    other_structure: AllianceStructure,
    make_persona: Callable[[str], User | None],
) -> None:
    client, member = signed_in(make_persona, "member")
    assert member is not None
    services.subscribe(user=member, alliance=structure.alliance, topic=steering(structure))
    tell(structure)
    tell(structure)
    html = client.get("/son/").content.decode()
    assert (
        '<a class="notifications-link" href="/son/intern/benachrichtigungen/">Benachrichtigungen'
        '<span class="visually-hidden">,</span> <span class="count-pill">2<span '
        'class="visually-hidden"> ungelesen</span></span></a>'
    ) in html
    # Another alliance's page: the count of all, linked to the settings.
    html = client.get("/leine-weser/").content.decode()
    assert '<a class="notifications-link" href="/konto/benachrichtigungen/">' in html
    # Pages without alliance too.
    assert (
        'class="notifications-link" href="/konto/benachrichtigungen/"'
        in client.get("/").content.decode()
    )


def test_the_header_count_never_reaches_the_public_cache(
    structure: AllianceStructure, make_persona: Callable[[str], User | None]
) -> None:
    client, member = signed_in(make_persona, "member")
    assert member is not None
    services.subscribe(user=member, alliance=structure.alliance, topic=steering(structure))
    tell(structure)
    with override_settings(BUENDNIS_PUBLIC_CACHE=True):
        anonymous = [Client().get("/son/"), Client().get("/son/")]
        mine = client.get("/son/")
        after = Client().get("/son/")
    assert [response["X-Public-Cache"] for response in anonymous] == ["miss", "hit"]
    for response in (*anonymous, after):
        assert "notifications-link" not in response.content.decode()
        assert not response.cookies
    assert not mine.has_header("X-Public-Cache")
    assert "count-pill" in mine.content.decode()
    assert "private" in mine["Cache-Control"]
