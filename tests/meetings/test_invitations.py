"""Invitations, changed invitations and cancellations by mail, each with its calendar file.

Mail goes out on commit: the tests run the commit callbacks (`django_capture_on_commit_callbacks`)
and read Django's test outbox.
"""

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from buendnis.accounts.models import Role, User
from buendnis.alliances.models import PersonFunction, Seat
from buendnis.core.errors import DomainError, TransitionNotAllowed
from buendnis.meetings import calendar, notifications
from buendnis.meetings.models import AgendaItem, Meeting
from buendnis.meetings.services import agenda, invitations, planning
from tests.factories import (
    AllianceStructure,
    MembershipFactory,
    PersonFactory,
    UserFactory,
    build_alliance_structure,
    pdf_upload,
)

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
WEEKDAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]


@pytest.fixture
def structure(alliance, other_alliance) -> AllianceStructure:
    return build_alliance_structure(alliance, place="Braunschweig")


@pytest.fixture
def office(make_persona: Callable[[str], User | None]) -> User:
    user = make_persona("office")
    assert user is not None
    return user


@pytest.fixture
def invited(structure: AllianceStructure) -> set[str]:
    """Who speaks for the Steuerkreis' organisations, besides the people the structure has
    (Helene Brandt of the IHK, Jonas Albers of the Agentur, Ole Stadtmann of the Stadt, all
    with the function representative). Returns every address that must get the invitation."""
    orgs = structure.organisations
    alliance = structure.alliance
    PersonFactory(
        organisation=orgs["union"],
        function=PersonFunction.DEPUTY,
        email="vertretung@dgb.example.org",
        last_name="Vertretung",
    )
    # A contact person is no representative: not invited …
    PersonFactory(
        organisation=orgs["union"],
        function=PersonFunction.CONTACT,
        email="presse@dgb.example.org",
    )
    # … unless the seat names them.
    seat_person = PersonFactory(
        organisation=orgs["employers"],
        function=PersonFunction.CONTACT,
        email="sitz@agv.example.org",
    )
    Seat.objects.filter(body=structure.bodies["steering"], organisation=orgs["employers"]).update(
        person=seat_person
    )
    # An account with the steering role for the Stadt, spelled like Ole Stadtmann's address
    # in other case: one mailbox, one mail.
    ole = structure.people["city"].email
    user = UserFactory(username="stadt-konto", email=ole.upper())
    MembershipFactory(user=user, alliance=alliance, role=Role.STEERING, organisation=orgs["city"])
    # A steering account for the Jobcenter.
    user = UserFactory(username="jobcenter", email="steuerkreis@jobcenter.example.org")
    MembershipFactory(
        user=user, alliance=alliance, role=Role.STEERING, organisation=orgs["jobcenter"]
    )
    # Not invited: an inactive account, a speaker's account (wrong body), an account without
    # organisation, the office's person (no seat), a person of another alliance.
    user = UserFactory(username="inaktiv", email="inaktiv@example.org", is_active=False)
    MembershipFactory(user=user, alliance=alliance, role=Role.STEERING, organisation=orgs["ihk"])
    user = UserFactory(username="sprecherkonto", email="sprecher@ihk.example.org")
    MembershipFactory(user=user, alliance=alliance, role=Role.SPEAKER, organisation=orgs["ihk"])
    return {
        structure.people["speaker"].email,
        structure.people["deputy"].email,
        ole,
        "vertretung@dgb.example.org",
        "sitz@agv.example.org",
        "steuerkreis@jobcenter.example.org",
    }


@pytest.fixture
def meeting(structure: AllianceStructure, office: User) -> Meeting:
    start = (timezone.now() + timedelta(days=21)).replace(second=0, microsecond=0)
    meeting = planning.meeting_create(
        actor=office,
        body=structure.bodies["steering"],
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        location="Rathaus Braunschweig",
        online_url="https://konferenz.example.org/steuerkreis",
    )
    report = agenda.agenda_item_create(
        actor=office, meeting=meeting, title="Bericht der Geschäftsstelle", is_public=True
    )
    agenda.agenda_document_add(
        actor=office, item=report, title="Jahresbericht 2026", upload=pdf_upload("bericht.pdf")
    )
    agenda.agenda_item_create(
        actor=office,
        meeting=meeting,
        title="Personalangelegenheit",
        is_public=False,
        proposed_decision="Der Steuerkreis stimmt zu.",
    )
    return meeting


def run(capture: Callable[..., Any], step: Callable[[], object]) -> list[Any]:
    with capture(execute=True) as callbacks:
        step()
    return callbacks


def ics_of(message) -> Calendar:
    [part] = message.attachments
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("charset") == "utf-8"
    assert part.get_filename().endswith(".ics")
    content = part.get_content()
    assert "\r\n" in content  # RFC 5545 lines
    cal = Calendar.from_ical(content)
    assert cal["METHOD"] == part.get_param("method")
    return cal


def test_invitation_to_every_seat_holder_once(
    meeting: Meeting,
    office: User,
    invited: set[str],
    mailoutbox: list,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    run(
        django_capture_on_commit_callbacks,
        lambda: invitations.meeting_invite(actor=office, meeting=meeting),
    )
    # One mail per recipient, addressed to them alone.
    assert all(
        len(message.to) == 1 and not message.cc and not message.bcc for message in mailoutbox
    )
    addresses = [message.to[0] for message in mailoutbox]
    assert len(addresses) == len({address.lower() for address in addresses})
    assert {address.lower() for address in addresses} == {address.lower() for address in invited}
    for message in mailoutbox:
        assert message.reply_to == ["geschaeftsstelle@son.example.org"]


def test_invitation_text_agenda_and_links(
    meeting: Meeting,
    office: User,
    invited: set[str],
    mailoutbox: list,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    run(
        django_capture_on_commit_callbacks,
        lambda: invitations.meeting_invite(actor=office, meeting=meeting),
    )
    message = next(m for m in mailoutbox if m.to == ["vertretung@dgb.example.org"])
    day = timezone.localtime(meeting.starts_at)
    assert message.subject == (
        f"Einladung: Sitzung des Steuerkreises am {day:%d.%m.%Y} (SüdOstNiedersachsen)"
    )
    body = message.body
    assert body.startswith("Guten Tag Erika Vertretung,")
    assert f"Beginn: {WEEKDAYS[day.weekday()]}, {day:%d.%m.%Y, %H:%M} Uhr" in body
    assert "Ort: Rathaus Braunschweig" in body
    assert "Online-Zugang: https://konferenz.example.org/steuerkreis" in body
    assert "TOP 1: Bericht der Geschäftsstelle\n" in body
    assert "TOP 2: Personalangelegenheit (nichtöffentlich)" in body
    assert "Beschlussvorschlag: Der Steuerkreis stimmt zu." in body
    document = AgendaItem.objects.get(meeting=meeting, position=0).documents.get()
    link = f"{SITE}/media/{document.file.name}"
    assert f"- Jahresbericht 2026: {link}" in body
    assert f"{SITE}/son/intern/sitzungen/{meeting.pk}/" in body
    assert "Allianz für die Region Braunschweig GmbH" in body


def test_document_link_opens_for_the_internal_circle_only(
    meeting: Meeting, client_as: Callable[[str], Client], office: User
) -> None:
    document = AgendaItem.objects.get(meeting=meeting, position=0).documents.get()
    path = f"/media/{document.file.name}"
    client = Client()
    client.force_login(office)
    response = client.get(path)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client_as("member").get(path).status_code == 200
    assert client_as("applicant").get(path).status_code == 403
    assert client_as("outsider").get(path).status_code == 403
    assert client_as("public").get(path).status_code == 302
    assert client.get("/media/sitzungen/999/gibt-es-nicht.pdf").status_code == 404


def test_invitation_calendar_file(
    meeting: Meeting,
    office: User,
    invited: set[str],
    mailoutbox: list,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    run(
        django_capture_on_commit_callbacks,
        lambda: invitations.meeting_invite(actor=office, meeting=meeting),
    )
    meeting.refresh_from_db()
    for message in mailoutbox:
        cal = ics_of(message)
        assert cal["METHOD"] == "REQUEST"
        [event] = cal.events
        assert str(event["UID"]) == f"{meeting.uid}@127.0.0.1" == calendar.event_uid(meeting)
        assert event["SEQUENCE"] == meeting.sequence == 0
        assert event.start == meeting.starts_at
        assert event.end == meeting.ends_at
        assert str(event.start.tzinfo) == "Europe/Berlin"
        assert event["STATUS"] == "CONFIRMED"
        assert event["LOCATION"] == "Rathaus Braunschweig"
        assert event["URL"] == "https://konferenz.example.org/steuerkreis"
        assert "TOP 2: Personalangelegenheit (nichtöffentlich)" in str(event["DESCRIPTION"])
        assert str(event["ATTENDEE"]) == f"mailto:{message.to[0]}"
        assert str(event["ORGANIZER"]) == "mailto:geschaeftsstelle@son.example.org"


def test_changed_invitation_bumps_the_sequence(
    meeting: Meeting,
    office: User,
    invited: set[str],
    mailoutbox: list,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    run(
        django_capture_on_commit_callbacks,
        lambda: invitations.meeting_invite(actor=office, meeting=meeting),
    )
    mailoutbox.clear()
    later = meeting.starts_at + timedelta(days=1)
    run(
        django_capture_on_commit_callbacks,
        lambda: planning.meeting_update(
            actor=office, meeting=meeting, starts_at=later, ends_at=later + timedelta(hours=2)
        ),
    )
    meeting.refresh_from_db()
    assert len(mailoutbox) == len(invited)
    message = mailoutbox[0]
    assert message.subject.startswith("Geänderte Einladung: Sitzung des Steuerkreises am")
    assert "geänderte Einladung" in message.body
    [event] = ics_of(message).events
    assert event["SEQUENCE"] == meeting.sequence == 1
    assert event.start == later
    assert str(event["UID"]) == calendar.event_uid(meeting)  # the same event, updated


def test_change_outside_the_calendar_sends_nothing(
    meeting: Meeting,
    office: User,
    invited: set[str],
    mailoutbox: list,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    run(
        django_capture_on_commit_callbacks,
        lambda: invitations.meeting_invite(actor=office, meeting=meeting),
    )
    mailoutbox.clear()
    run(
        django_capture_on_commit_callbacks,
        lambda: planning.meeting_update(actor=office, meeting=meeting, has_public_part=False),
    )
    assert mailoutbox == []


def test_cancellation(
    meeting: Meeting,
    office: User,
    invited: set[str],
    mailoutbox: list,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    run(
        django_capture_on_commit_callbacks,
        lambda: invitations.meeting_invite(actor=office, meeting=meeting),
    )
    mailoutbox.clear()
    run(
        django_capture_on_commit_callbacks,
        lambda: planning.meeting_cancel(actor=office, meeting=meeting, reason="Zu wenige Zusagen."),
    )
    meeting.refresh_from_db()
    assert {m.to[0].lower() for m in mailoutbox} == {a.lower() for a in invited}
    message = mailoutbox[0]
    assert message.subject.startswith("Absage: Sitzung des Steuerkreises am")
    assert "Grund der Absage: Zu wenige Zusagen." in message.body
    cal = ics_of(message)
    assert cal["METHOD"] == "CANCEL"
    assert message.attachments[0].get_param("method") == "CANCEL"
    [event] = cal.events
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == meeting.sequence == 1
    assert str(event["UID"]) == calendar.event_uid(meeting)
    assert event.start == meeting.starts_at


def test_cancelling_a_meeting_nobody_was_invited_to_sends_nothing(
    meeting: Meeting,
    office: User,
    invited: set[str],
    mailoutbox: list,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    run(
        django_capture_on_commit_callbacks,
        lambda: planning.meeting_cancel(actor=office, meeting=meeting, reason="Verschoben."),
    )
    assert mailoutbox == []


def test_speakers_circle_invites_the_speakers(
    structure: AllianceStructure,
    office: User,
    mailoutbox: list,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    orgs = structure.organisations
    speaker = UserFactory(username="sprecherkonto", email="sprecher@ihk.example.org")
    MembershipFactory(
        user=speaker, alliance=structure.alliance, role=Role.SPEAKER, organisation=orgs["ihk"]
    )
    steering = UserFactory(username="steuerkonto", email="steuer@ihk.example.org")
    MembershipFactory(
        user=steering, alliance=structure.alliance, role=Role.STEERING, organisation=orgs["ihk"]
    )
    meeting = planning.meeting_create(
        actor=office,
        body=structure.bodies["speakers"],
        starts_at=timezone.now() + timedelta(days=7),
    )
    run(
        django_capture_on_commit_callbacks,
        lambda: invitations.meeting_invite(actor=office, meeting=meeting),
    )
    addresses = {message.to[0] for message in mailoutbox}
    assert "sprecher@ihk.example.org" in addresses
    assert "steuer@ihk.example.org" not in addresses
    # The Sprecherkreis' seats: IHK, Agentur, Stadt, DGB, Arbeitgeberverband.
    assert structure.people["speaker"].email in addresses
    assert structure.people["city"].email in addresses
    assert mailoutbox[0].subject.startswith("Einladung: Sitzung des Sprecherkreises am")


# --- Nothing is sent for what did not happen ---------------------------------------------------


def test_rolled_back_step_sends_nothing(
    meeting: Meeting,
    office: User,
    invited: set[str],
    mailoutbox: list,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    def invite_then_fail() -> None:
        with pytest.raises(RuntimeError), transaction.atomic():
            invitations.meeting_invite(actor=office, meeting=meeting)
            raise RuntimeError("Abbruch nach der Einladung")

    callbacks = run(django_capture_on_commit_callbacks, invite_then_fail)
    assert callbacks == []
    assert mailoutbox == []
    assert Meeting.objects.get(pk=meeting.pk).invited_at is None


def test_refused_steps_send_nothing(
    meeting: Meeting,
    office: User,
    invited: set[str],
    mailoutbox: list,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    run(
        django_capture_on_commit_callbacks,
        lambda: invitations.meeting_invite(actor=office, meeting=meeting),
    )
    mailoutbox.clear()

    def refused() -> None:
        with pytest.raises(TransitionNotAllowed):
            invitations.meeting_invite(actor=office, meeting=meeting)
        with pytest.raises(DomainError):
            planning.meeting_cancel(actor=office, meeting=meeting, reason="  ")
        with pytest.raises(DomainError):
            planning.meeting_update(
                actor=office, meeting=meeting, ends_at=meeting.starts_at - timedelta(hours=1)
            )

    assert run(django_capture_on_commit_callbacks, refused) == []
    assert mailoutbox == []


def test_muted(
    meeting: Meeting,
    office: User,
    invited: set[str],
    mailoutbox: list,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with notifications.muted():
        run(
            django_capture_on_commit_callbacks,
            lambda: invitations.meeting_invite(actor=office, meeting=meeting),
        )
    assert mailoutbox == []
    # Outside the block mail flows again.
    run(
        django_capture_on_commit_callbacks,
        lambda: planning.meeting_cancel(actor=office, meeting=meeting, reason="Test"),
    )
    assert len(mailoutbox) == len(invited)


def test_mail_failure_is_logged_not_raised(
    meeting: Meeting,
    office: User,
    invited: set[str],
    mailoutbox: list,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    from django.core.mail.backends import locmem

    def down(self: object, messages: object) -> int:
        raise ConnectionRefusedError("Mailserver nicht erreichbar")

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", down)
    with caplog.at_level(logging.ERROR, logger="buendnis.meetings.notifications"):
        run(
            django_capture_on_commit_callbacks,
            lambda: invitations.meeting_invite(actor=office, meeting=meeting),
        )
    assert Meeting.objects.get(pk=meeting.pk).status == "invited"  # the step stands
    assert "konnten nicht gesendet werden" in caplog.text


def test_broken_mail_is_logged_not_raised(
    meeting: Meeting,
    office: User,
    mailoutbox: list,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    def broken(meeting: Meeting) -> list[object]:
        raise ValueError("kaputt")

    monkeypatch.setattr("buendnis.meetings.recipients.invitation_addresses", broken)
    with caplog.at_level(logging.ERROR, logger="buendnis.meetings.notifications"):
        run(
            django_capture_on_commit_callbacks,
            lambda: invitations.meeting_invite(actor=office, meeting=meeting),
        )
    assert "Einladung" in caplog.text and "konnte nicht gesendet werden" in caplog.text
    assert mailoutbox == []
