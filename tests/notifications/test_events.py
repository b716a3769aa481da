"""Where the events happen: the procedure's steps and the meetings' invitation, changed invitation,
cancellation and approved minutes notify the topics' subscribers (and the public's), after the
commit; a refused step tells nobody."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from buendnis.accounts.models import User
from buendnis.core.errors import DomainError
from buendnis.funding import services as funding
from buendnis.funding.states import Status
from buendnis.meetings.models import Meeting
from buendnis.meetings.services import agenda, invitations, planning
from buendnis.meetings.services import minutes as minutes_services
from buendnis.notifications import services, topics
from buendnis.notifications.models import Delivery, Notification, PublicSubscription
from tests.factories import AllianceStructure, applicant_of, project_in_state

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]
SITE = "http://127.0.0.1:8000"


def public_reader(structure: AllianceStructure, **topics_chosen: bool) -> PublicSubscription:
    return PublicSubscription.objects.create(
        alliance=structure.alliance,
        email="leserin@example.org",
        confirmed_at=timezone.now(),
        **topics_chosen,
    )


# --- The procedure -------------------------------------------------------------------------------


def test_a_project_step_tells_its_subscribers_each_with_their_own_link(
    structure: AllianceStructure,
    persona: Callable[[str], User],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    project = project_in_state(structure, Status.SKETCH_SUBMITTED, title="Welcome Center")
    office, speaker = persona("office"), persona("speaker")
    applicant = applicant_of(project, username="traeger")
    for user in (office, speaker, applicant):
        services.subscribe(user=user, alliance=structure.alliance, topic=topics.project(project.pk))

    with django_capture_on_commit_callbacks(execute=True):
        funding.project_forward(actor=office, project=project, comment="Vollständig.")

    rows = {row.recipient.username: row for row in Notification.objects.all()}
    assert sorted(rows) == ["speaker", "traeger"]  # not the office, who took the step
    row = rows["traeger"]
    assert row.title == (
        f"Vorhaben {project.reference} „Welcome Center“: neuer Stand „Kurzskizze im Sprecherkreis“"
    )
    assert row.text == "Kurzskizze eingereicht → Kurzskizze im Sprecherkreis\nVermerk: Vollständig."
    assert row.kind == "project.moved"
    assert row.link == f"/son/vorhaben/{project.reference}/"
    assert rows["speaker"].link == f"/son/intern/vorhaben/{project.reference}/"


def test_a_refused_step_tells_nobody(
    structure: AllianceStructure,
    persona: Callable[[str], User],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    project = project_in_state(structure, Status.IDEA)
    speaker = persona("speaker")
    services.subscribe(user=speaker, alliance=structure.alliance, topic=topics.project(project.pk))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        funding.project_forward(actor=None, project=project)
    assert not Notification.objects.exists()


def test_the_grant_tells_the_publics_subscribers_of_funded_projects(
    structure: AllianceStructure,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    project = project_in_state(
        structure,
        Status.APPLICATION_FILED,
        title="Welcome Center",
        contact_email="geheim@example.org",
    )
    public_reader(structure, projects=True)
    PublicSubscription.objects.create(
        alliance=structure.alliance,
        email="nur-sitzungen@example.org",
        meetings=True,
        confirmed_at=timezone.now(),
    )
    PublicSubscription.objects.create(
        alliance=structure.alliance, email="unbestaetigt@example.org", projects=True
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        funding.bank_decision_record(
            actor=None,
            project=project,
            decided_on=timezone.localdate(),
            granted=True,
            granted_amount=Decimal("120000.00"),
            comment="Interner Vermerk der Förderbank",
        )
    public = [message for message in mail.outbox if message.to == ["leserin@example.org"]]
    assert len(public) == 1
    # Besides the procedure's own mail to the applicant's contact and the office; the
    # unconfirmed address and the subscriber of meetings only get nothing.
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        ["leserin@example.org", "geheim@example.org", structure.alliance.office_email]
    )
    message = public[0]
    assert message.subject == "[SüdOstNiedersachsen] Neu gefördert: Welcome Center"
    assert "Bewilligter Zuschuss: 120.000,00 €" in message.body
    assert f"{SITE}/son/projekte/{project.reference}/" in message.body
    # Only public fields: no contact, no comment.
    assert "geheim@example.org" not in message.body
    assert "Interner Vermerk" not in message.body
    assert "List-Unsubscribe" in message.extra_headers

    # Further steps of a funded project are no news for the public.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        funding.project_start(actor=None, project=project, started_on=timezone.localdate())
    assert not [message for message in mail.outbox if message.to == ["leserin@example.org"]]


def test_the_demo_stays_quiet(
    structure: AllianceStructure,
    persona: Callable[[str], User],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    from buendnis.meetings import notifications as meeting_notifications

    project = project_in_state(structure, Status.APPLICATION_FILED)
    speaker = persona("speaker")
    services.subscribe(user=speaker, alliance=structure.alliance, topic=topics.project(project.pk))
    public_reader(structure, projects=True, meetings=True)
    mail.outbox.clear()
    with meeting_notifications.muted(), django_capture_on_commit_callbacks(execute=True):
        funding.bank_decision_record(
            actor=None,
            project=project,
            decided_on=timezone.localdate(),
            granted=True,
            granted_amount=project.requested_grant,
        )
    assert not Notification.objects.exists()
    assert mail.outbox == []


# --- Meetings ------------------------------------------------------------------------------------


@pytest.fixture
def meeting(structure: AllianceStructure) -> Meeting:
    start = (timezone.now() + timedelta(days=21)).replace(second=0, microsecond=0)
    meeting = planning.meeting_create(
        actor=None,
        body=structure.bodies["steering"],
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        location="Rathaus Braunschweig",
    )
    agenda.agenda_item_create(actor=None, meeting=meeting, title="Bericht der Geschäftsstelle")
    agenda.agenda_item_create(
        actor=None, meeting=meeting, title="Personalsache ZZGEHEIM", is_public=False
    )
    return meeting


def test_a_subscribed_member_gets_the_notification(
    structure: AllianceStructure,
    meeting: Meeting,
    persona: Callable[[str], User],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    """Issue 10's done-when: a Steuerkreis member who subscribed to the Steuerkreis' meetings is
    told when the office sends the invitation — in the centre, and by mail as they chose."""
    member, office = persona("member"), persona("office")
    services.delivery_set(user=member, delivery=Delivery.EVENT)
    client = Client()
    client.force_login(member)
    page = client.get(f"/son/intern/sitzungen/{meeting.pk}/")
    assert "Benachrichtigungen zu „Sitzungen: Steuerkreis“ erhalten?" in page.content.decode()
    followed = client.post(
        "/son/intern/benachrichtigungen/abonnieren/",
        {
            "topic": f"body:{structure.bodies['steering'].pk}",
            "next": f"/son/intern/sitzungen/{meeting.pk}/",
        },
    )
    assert followed.status_code == 302
    assert followed["Location"] == f"/son/intern/sitzungen/{meeting.pk}/"

    office_client = Client()
    office_client.force_login(office)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = office_client.post(f"/son/intern/sitzungen/{meeting.pk}/einladen/")
    assert sent.status_code == 302

    (row,) = Notification.objects.filter(recipient=member)
    assert row.kind == "meeting.invited"
    assert row.title == f"Einladung: {meeting.display_title}"
    assert "Rathaus Braunschweig" in row.text
    assert "TOP 1: Bericht der Geschäftsstelle" in row.text
    assert "TOP 2: Personalsache ZZGEHEIM" in row.text  # members read the whole agenda
    assert row.link == f"/son/intern/sitzungen/{meeting.pk}/"
    notice = [message for message in mail.outbox if message.to == ["member@example.org"]]
    assert len(notice) == 1
    assert notice[0].subject == f"[SüdOstNiedersachsen] Einladung: {meeting.display_title}"
    row.refresh_from_db()
    assert row.mailed_at is not None

    # The header counts it; the centre lists it; opening it marks it read and goes to the meeting.
    centre = client.get("/son/intern/benachrichtigungen/")
    html = centre.content.decode()
    assert (
        '<span class="visually-hidden">,</span> <span class="count-pill">1<span class="visually-hidden"> ungelesen</span>'
        in html
    )
    assert "Ungelesen" in html and row.title in html
    opened = client.get(f"/son/intern/benachrichtigungen/{row.pk}/")
    assert opened.status_code == 302 and opened["Location"] == row.link
    row.refresh_from_db()
    assert row.read_at is not None


def test_the_public_hears_of_a_public_meeting_with_the_public_items_only(
    structure: AllianceStructure,
    meeting: Meeting,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    public_reader(structure, meetings=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        invitations.meeting_invite(actor=None, meeting=meeting)
    (message,) = [m for m in mail.outbox if m.to == ["leserin@example.org"]]
    assert message.subject == f"[SüdOstNiedersachsen] Einladung: {meeting.display_title}"
    assert "TOP 1: Bericht der Geschäftsstelle" in message.body
    assert "ZZGEHEIM" not in message.body
    assert f"{SITE}/son/sitzungen/{meeting.pk}/" in message.body


def test_a_meeting_without_public_part_is_no_public_news(
    structure: AllianceStructure,
    meeting: Meeting,
    persona: Callable[[str], User],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    Meeting.objects.filter(pk=meeting.pk).update(has_public_part=False)
    meeting.refresh_from_db()
    public_reader(structure, meetings=True)
    speaker = persona("speaker")
    services.subscribe(
        user=speaker, alliance=structure.alliance, topic=topics.body(meeting.body_id)
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        invitations.meeting_invite(actor=None, meeting=meeting)
    assert not [m for m in mail.outbox if m.to == ["leserin@example.org"]]
    assert Notification.objects.filter(recipient=speaker).count() == 1


def test_changed_invitation_cancellation_and_minutes(
    structure: AllianceStructure,
    persona: Callable[[str], User],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    member = persona("member")
    services.subscribe(
        user=member,
        alliance=structure.alliance,
        topic=topics.body(structure.bodies["steering"].pk),
    )
    public_reader(structure, meetings=True)
    start = timezone.now().replace(second=0, microsecond=0)
    held = planning.meeting_create(
        actor=None,
        body=structure.bodies["steering"],
        starts_at=start - timedelta(days=90),
        ends_at=start - timedelta(days=90) + timedelta(hours=2),
    )
    later = planning.meeting_create(
        actor=None,
        body=structure.bodies["steering"],
        starts_at=start - timedelta(hours=1),
        ends_at=start + timedelta(hours=2),
    )
    upcoming = planning.meeting_create(
        actor=None,
        body=structure.bodies["steering"],
        starts_at=start + timedelta(days=30),
        ends_at=start + timedelta(days=30, hours=2),
    )
    with django_capture_on_commit_callbacks(execute=True):
        for meeting in (held, later, upcoming):
            invitations.meeting_invite(actor=None, meeting=meeting)
        minutes_services.meeting_close(actor=None, meeting=held)
    Notification.objects.all().delete()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        planning.meeting_update(actor=None, meeting=upcoming, location="Schloss Wolfenbüttel")
        planning.meeting_cancel(actor=None, meeting=upcoming, reason="Kein Quorum in Sicht")
        minutes_services.minutes_approve(actor=None, minutes=held.minutes, approved_in=later)

    assert list(Notification.objects.order_by("id").values_list("kind", "title")) == [
        ("meeting.invitation_changed", f"Geänderte Einladung: {upcoming.display_title}"),
        ("meeting.cancelled", f"Abgesagt: {upcoming.display_title}"),
        ("meeting.minutes_approved", f"Protokoll genehmigt: {held.display_title}"),
    ]
    assert "Grund: Kein Quorum in Sicht" in Notification.objects.get(kind="meeting.cancelled").text
    public = [m.subject for m in mail.outbox if m.to == ["leserin@example.org"]]
    assert public == [
        f"[SüdOstNiedersachsen] Geänderte Einladung: {upcoming.display_title}",
        f"[SüdOstNiedersachsen] Abgesagt: {upcoming.display_title}",
        f"[SüdOstNiedersachsen] Protokoll veröffentlicht: {held.display_title}",
    ]
    cancelled = next(
        m for m in mail.outbox if "Abgesagt" in m.subject and m.to == ["leserin@example.org"]
    )
    assert "Kein Quorum" not in cancelled.body  # the reason is not on the public page
