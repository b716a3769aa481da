"""The calendars: the public one of each body, the members' private one behind a key, and the
single download. Every calendar is parsed back with the icalendar library."""

import hashlib
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from buendnis.accounts.models import Membership, User
from buendnis.meetings import calendar, feeds
from buendnis.meetings.models import CalendarFeed, Meeting
from tests.conftest import PERSONAS
from tests.factories import AllianceStructure, build_alliance_structure

from .publication_setup import SECRETS, Scene, build_scene

pytestmark = pytest.mark.django_db

KEYS = "/son/sitzungen/kalender/"


@pytest.fixture
def structure(alliance, other_alliance) -> AllianceStructure:
    return build_alliance_structure(alliance, place="Braunschweig")


@pytest.fixture
def office_user(make_persona: Callable[[str], User | None]) -> User:
    user = make_persona("office")
    assert user is not None
    return user


@pytest.fixture
def scene(structure: AllianceStructure, office_user: User) -> Scene:
    return build_scene(structure, office_user)


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.content)
    assert cal["VERSION"] == "2.0" and cal["PRODID"] == calendar.PRODID
    return cal


def events_by_uid(cal: Calendar) -> dict[str, object]:
    return {str(event["UID"]): event for event in cal.events}


def assert_event_matches(event, meeting: Meeting) -> None:
    """UID, SEQUENCE and the times survive the round trip."""
    assert str(event["UID"]) == f"{meeting.uid}@127.0.0.1"
    assert event["SEQUENCE"] == meeting.sequence
    assert event.start == meeting.starts_at
    if meeting.ends_at:
        assert event.end == meeting.ends_at
    assert event.start.tzinfo is not None
    assert "DTSTAMP" in event


def uid(meeting: Meeting) -> str:
    return calendar.event_uid(meeting)


# --- The public calendars -----------------------------------------------------------------------


def test_public_feed_has_public_meetings_and_public_items_only(
    client: Client, scene: Scene
) -> None:
    response = client.get("/son/sitzungen/steuerkreis.ics")
    assert response["Content-Disposition"] == 'inline; filename="steuerkreis.ics"'
    cal = parse(response)
    assert "METHOD" not in cal  # a feed publishes, it invites nobody
    assert cal["X-WR-CALNAME"] == "Steuerkreis – SüdOstNiedersachsen"
    assert cal.timezones and cal.timezones[0]["TZID"] == "Europe/Berlin"
    events = events_by_uid(cal)
    public = [scene.held, scene.approving, scene.planned, scene.cancelled]
    assert set(events) == {uid(meeting) for meeting in public}
    for meeting in public:
        assert_event_matches(events[uid(meeting)], meeting)
    held = events[uid(scene.held)]
    assert "Sitzung des Steuerkreises am" in str(held["SUMMARY"])
    assert "SüdOstNiedersachsen" in str(held["SUMMARY"])
    assert held["LOCATION"] == "Rathaus Braunschweig, Großer Sitzungssaal"
    assert held["URL"] == f"http://127.0.0.1:8000/son/sitzungen/{scene.held.pk}/"
    assert held["STATUS"] == "CONFIRMED"
    text = str(held["DESCRIPTION"])
    assert "TOP 1: Bericht der Geschäftsstelle zur Fachkräftesicherung" in text
    assert "TOP 2: Gemeinsame Messe für Zweitbewerber" in text
    # Cancelled meetings stay, struck through.
    assert events[uid(scene.cancelled)]["STATUS"] == "CANCELLED"
    assert "Zu wenige Anmeldungen." not in response.content.decode()
    # A planned meeting's agenda is the office's draft until the invitation.
    planned = str(events[uid(scene.planned)]["DESCRIPTION"])
    assert "Entwurf einer Tagesordnung" not in planned
    assert "mit der Einladung veröffentlicht" in planned
    body = response.content.decode()
    assert [secret for secret in SECRETS if secret in body] == []


def test_public_feed_of_the_speakers(client: Client, scene: Scene) -> None:
    cal = parse(client.get("/son/sitzungen/sprecherkreis.ics"))
    assert cal.events == []  # its meeting has no public part
    Meeting.objects.filter(pk=scene.speakers.pk).update(has_public_part=True)
    cal = parse(client.get("/son/sitzungen/sprecherkreis.ics"))
    [event] = cal.events
    assert_event_matches(event, scene.speakers)
    assert "Sprecherkreises" in str(event["SUMMARY"])
    # Its only item is non-public.
    assert "GEHEIM" not in str(event.get("DESCRIPTION", ""))


def test_unknown_feeds(client: Client, scene: Scene) -> None:
    assert client.get("/son/sitzungen/geschaeftsstelle.ics").status_code == 404
    assert client.get("/son/sitzungen/irgendwas.ics").status_code == 404
    assert client.get("/gibt-es-nicht/sitzungen/steuerkreis.ics").status_code == 404
    # The other alliance has no bodies: no calendar either.
    assert client.get("/leine-weser/sitzungen/steuerkreis.ics").status_code == 404


def test_update_is_the_same_event_with_a_higher_sequence(
    client: Client, scene: Scene, office_user: User
) -> None:
    from buendnis.meetings.services import planning

    planning.meeting_update(
        actor=office_user,
        meeting=scene.planned,
        starts_at=scene.planned.starts_at + timedelta(hours=2),
    )
    planned = Meeting.objects.get(pk=scene.planned.pk)
    assert planned.sequence == 1
    event = events_by_uid(parse(client.get("/son/sitzungen/steuerkreis.ics")))[uid(planned)]
    assert_event_matches(event, planned)


# --- The single download ------------------------------------------------------------------------


def test_single_download_of_a_public_meeting(client: Client, scene: Scene) -> None:
    response = client.get(f"/son/sitzungen/{scene.held.pk}.ics")
    assert response["Content-Disposition"] == f'attachment; filename="sitzung-{scene.held.pk}.ics"'
    [event] = parse(response).events
    assert_event_matches(event, scene.held)
    assert "GEHEIM" not in response.content.decode()


# persona → can the persona download the non-public meeting (and see non-public items)?
INTERNAL = {
    "public": False,
    "office": True,
    "speaker": True,
    "member": True,
    "advisory": True,
    "applicant": False,
    "ministry": True,
    "admin": True,
    "outsider": False,
}


def test_every_persona_has_an_expectation() -> None:
    assert set(INTERNAL) == set(PERSONAS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_single_download_per_persona(
    persona: str, client_as: Callable[[str], Client], office_user: User, scene: Scene
) -> None:
    client = Client()
    if persona == "office":
        client.force_login(office_user)
    else:
        client = client_as(persona)
    closed = client.get(f"/son/sitzungen/{scene.closed_door.pk}.ics")
    held = client.get(f"/son/sitzungen/{scene.held.pk}.ics")
    [event] = parse(held).events
    assert_event_matches(event, scene.held)
    if INTERNAL[persona]:
        [closed_event] = parse(closed).events
        assert_event_matches(closed_event, scene.closed_door)
        assert "GEHEIM-Punkt der Klausur" in str(closed_event["DESCRIPTION"])
        # Members get every item, the non-public ones marked, and their page as URL.
        text = str(event["DESCRIPTION"])
        assert "TOP 3: GEHEIM-Punkt Personalangelegenheit (nichtöffentlich)" in text
        assert event["URL"] == f"http://127.0.0.1:8000/son/intern/sitzungen/{scene.held.pk}/"
    else:
        assert closed.status_code == 404
        assert "GEHEIM" not in held.content.decode()


# --- The private calendar -----------------------------------------------------------------------


def make_key(client: Client) -> str:
    """Press "Kalenderadresse anlegen" and read the address the page shows once."""
    response = client.post(KEYS)
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('value="http://testserver/son/sitzungen/kalender/') + len('value="')
    address = html[start : html.index('"', start)]
    assert address.endswith(".ics")
    return address.removeprefix("http://testserver")


@pytest.fixture
def member(make_persona: Callable[[str], User | None]) -> User:
    user = make_persona("member")
    assert user is not None
    return user


@pytest.fixture
def member_client(member: User) -> Client:
    client = Client()
    client.force_login(member)
    return client


def test_private_feed_has_every_meeting_and_item(
    client: Client, member_client: Client, scene: Scene
) -> None:
    path = make_key(member_client)
    response = client.get(path)  # no login: the key is the credential
    assert response["Cache-Control"].startswith("max-age=0")
    cal = parse(response)
    events = events_by_uid(cal)
    everything = [
        scene.held,
        scene.approving,
        scene.planned,
        scene.closed_door,
        scene.cancelled,
        scene.speakers,
    ]
    assert set(events) == {uid(meeting) for meeting in everything}
    for meeting in everything:
        assert_event_matches(events[uid(meeting)], meeting)
    assert "GEHEIM-Punkt Personalangelegenheit" in str(events[uid(scene.held)]["DESCRIPTION"])
    assert "GEHEIM-Punkt des Sprecherkreises" in str(events[uid(scene.speakers)]["DESCRIPTION"])
    assert "Entwurf einer Tagesordnung" in str(events[uid(scene.planned)]["DESCRIPTION"])
    cancelled = events[uid(scene.cancelled)]
    assert cancelled["STATUS"] == "CANCELLED"
    assert "Zu wenige Anmeldungen." in str(cancelled["DESCRIPTION"])
    # Internal notes are not agenda: they stay on the office's pages.
    assert "GEHEIM-Notiz" not in response.content.decode()


def test_only_the_hash_of_the_key_is_stored(member_client: Client, member: User, scene) -> None:
    path = make_key(member_client)
    key = path.rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get(user=member)
    assert feed.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(CalendarFeed.objects.values_list().get(pk=feed.pk))
    # The page shows it once: afterwards only that an address exists.
    html = member_client.get(KEYS).content.decode()
    assert "Sie haben eine Kalenderadresse" in html
    assert key not in html


def test_wrong_key_is_404(client: Client, member_client: Client, scene: Scene) -> None:
    path = make_key(member_client)
    assert client.get(path.replace(".ics", "x.ics")).status_code == 404
    assert client.get("/son/sitzungen/kalender/falsch.ics").status_code == 404
    # A key opens the calendar of its own alliance only.
    assert client.get(path.replace("/son/", "/leine-weser/")).status_code == 404


def test_replacing_the_key_invalidates_the_old_one(
    client: Client, member_client: Client, scene: Scene
) -> None:
    old = make_key(member_client)
    new = make_key(member_client)
    assert old != new
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert CalendarFeed.objects.count() == 1


def test_deleting_the_key(client: Client, member_client: Client, scene: Scene) -> None:
    path = make_key(member_client)
    response = member_client.post(KEYS + "loeschen/", follow=True)
    assert "Ihre Kalenderadresse ist gelöscht" in response.content.decode()
    assert client.get(path).status_code == 404
    assert not CalendarFeed.objects.exists()
    response = member_client.post(KEYS + "loeschen/", follow=True)
    assert "Sie hatten keine Kalenderadresse." in response.content.decode()


def test_lost_access_closes_the_feed(
    client: Client, member_client: Client, member: User, scene: Scene
) -> None:
    path = make_key(member_client)
    Membership.objects.filter(user=member).delete()
    assert client.get(path).status_code == 404


def test_deactivated_account_closes_the_feed(
    client: Client, member_client: Client, member: User, scene: Scene
) -> None:
    path = make_key(member_client)
    User.objects.filter(pk=member.pk).update(is_active=False)
    assert client.get(path).status_code == 404
    User.objects.filter(pk=member.pk).update(is_active=True)
    assert client.get(path).status_code == 200


def test_demo_login_closes_the_feed_in_production(
    client: Client, member_client: Client, member: User, scene: Scene, settings
) -> None:
    path = make_key(member_client)
    User.objects.filter(pk=member.pk).update(is_demo=True)
    settings.BUENDNIS_ALLOW_DEMO_LOGINS = False
    assert client.get(path).status_code == 404


def test_last_use_is_stamped_at_most_hourly(
    client: Client, member_client: Client, member: User, scene: Scene
) -> None:
    path = make_key(member_client)
    assert CalendarFeed.objects.get(user=member).last_used_at is None
    client.get(path)
    first = CalendarFeed.objects.get(user=member).last_used_at
    assert first is not None
    client.get(path)
    assert CalendarFeed.objects.get(user=member).last_used_at == first
    earlier = timezone.now() - feeds.STAMP_EVERY - timedelta(minutes=1)
    CalendarFeed.objects.filter(user=member).update(last_used_at=earlier)
    client.get(path)
    assert CalendarFeed.objects.get(user=member).last_used_at > first


def test_feed_actions_are_audited(member_client: Client, member: User, scene: Scene) -> None:
    from buendnis.core.models import AuditEntry

    make_key(member_client)
    make_key(member_client)
    member_client.post(KEYS + "loeschen/")
    actions = list(
        AuditEntry.objects.filter(action__startswith="calendarfeed.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["calendarfeed.create", "calendarfeed.replace", "calendarfeed.delete"]


# --- The page that makes the address: who may --------------------------------------------------

# persona → status of GET and POST on the key page
KEY_PAGE = {
    "public": 302,  # to the login
    "office": 200,
    "speaker": 200,
    "member": 200,
    "advisory": 200,
    "applicant": 403,
    "ministry": 200,
    "admin": 200,
    "outsider": 403,
}


def test_every_persona_has_a_key_page_expectation() -> None:
    assert set(KEY_PAGE) == set(PERSONAS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_key_page_per_persona(
    persona: str, client_as: Callable[[str], Client], structure: AllianceStructure
) -> None:
    client = client_as(persona)
    expected = KEY_PAGE[persona]
    response = client.get(KEYS)
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith("/konto/anmelden/")
    if expected == 200:
        html = response.content.decode()
        assert "Sie haben noch keine Kalenderadresse." in html
        assert response["Cache-Control"].startswith("max-age=0")
    response = client.post(KEYS)
    assert response.status_code == expected
    assert CalendarFeed.objects.exists() == (expected == 200)
    assert client.post(KEYS + "loeschen/").status_code == (302 if expected == 200 else expected)
    assert not CalendarFeed.objects.exists()
    assert client.get(KEYS + "loeschen/").status_code in (405, 302 if expected == 302 else 405)


def test_key_page_needs_csrf(member: User, structure: AllianceStructure) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.post(KEYS).status_code == 403
    assert not CalendarFeed.objects.exists()


def test_members_find_the_key_page_from_the_list(member_client: Client, scene: Scene) -> None:
    assert KEYS in member_client.get("/son/sitzungen/").content.decode()


# --- Query counts -------------------------------------------------------------------------------

# The alliance; its bodies; the body's public meetings with body; their public items with
# decisions.
PUBLIC_FEED_QUERIES = 4
# The alliance; the address with its user; the user's roles; all meetings with body; their items.
# (The stamp of `last_used_at`, at most hourly, is not due on the second fetch.)
PRIVATE_FEED_QUERIES = 5


def more_meetings(scene: Scene, office_user: User, count: int = 6) -> None:
    from buendnis.meetings.services import agenda, invitations, planning

    steering = scene.held.body
    for number in range(count):
        meeting = planning.meeting_create(
            actor=office_user,
            body=steering,
            starts_at=timezone.now() + timedelta(days=100 + number),
            title=f"Zusatzsitzung {number}",
        )
        for position in range(3):
            agenda.agenda_item_create(
                actor=office_user,
                meeting=meeting,
                title=f"Zusatzpunkt {number}.{position}",
                is_public=True,
            )
        invitations.meeting_invite(actor=office_user, meeting=meeting)


def test_feed_queries_do_not_grow(
    client: Client,
    member_client: Client,
    scene: Scene,
    office_user: User,
    django_assert_num_queries: Callable[..., object],
) -> None:
    path = make_key(member_client)
    client.get(path)  # stamps last_used_at
    with django_assert_num_queries(PUBLIC_FEED_QUERIES):  # type: ignore[attr-defined]
        client.get("/son/sitzungen/steuerkreis.ics")
    with django_assert_num_queries(PRIVATE_FEED_QUERIES):  # type: ignore[attr-defined]
        client.get(path)
    more_meetings(scene, office_user)
    with django_assert_num_queries(PUBLIC_FEED_QUERIES):  # type: ignore[attr-defined]
        public = client.get("/son/sitzungen/steuerkreis.ics")
    with django_assert_num_queries(PRIVATE_FEED_QUERIES):  # type: ignore[attr-defined]
        private = client.get(path)
    assert "Zusatzpunkt 5.2" in str(
        [event["DESCRIPTION"] for event in parse(public).events if "DESCRIPTION" in event]
    )
    assert len(parse(private).events) == 6 + 6
