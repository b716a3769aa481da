"""The fan-out of `notify`, subscriptions, reading and the choice of delivery.

Mail goes out on commit: the tests run the commit callbacks (`django_capture_on_commit_callbacks`)
and read Django's test outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from buendnis.accounts.models import Role, User
from buendnis.core.errors import DomainError, NotPermitted
from buendnis.core.models import AuditEntry
from buendnis.funding.states import Status
from buendnis.notifications import selectors, services, topics
from buendnis.notifications.models import (
    Delivery,
    Notification,
    NotificationPreference,
    Subscription,
)
from tests.factories import (
    AllianceStructure,
    MembershipFactory,
    UserFactory,
    applicant_of,
    project_in_state,
)

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


def follow(user: User, structure: AllianceStructure, topic: str) -> Subscription:
    return services.subscribe(user=user, alliance=structure.alliance, topic=topic)


def steering_topic(structure: AllianceStructure) -> str:
    return topics.body(structure.bodies["steering"].pk)


def tell(structure: AllianceStructure, topic: str | list[str], **extra: Any) -> list[Notification]:
    fields: dict[str, Any] = {
        "topic": topic,
        "alliance": structure.alliance,
        "kind": "test.event",
        "title": "Etwas ist geschehen",
        "text": "Einzelheiten",
        "link": "/son/intern/sitzungen/",
    }
    fields.update(extra)
    return services.notify(**fields)


# --- Fan-out -------------------------------------------------------------------------------------


def test_every_subscriber_of_the_topic_is_told_once_but_not_the_actor(
    structure: AllianceStructure, persona: Callable[[str], User]
) -> None:
    office, member, speaker, advisory = (
        persona(n) for n in ("office", "member", "speaker", "advisory")
    )
    topic = steering_topic(structure)
    for user in (office, member, speaker):
        follow(user, structure, topic)
    follow(member, structure, topics.body(structure.bodies["speakers"].pk))

    made = tell(structure, [topic, topics.body(structure.bodies["speakers"].pk)], actor=office)

    assert sorted(row.recipient.username for row in made) == ["member", "speaker"]
    assert Notification.objects.count() == 2  # member follows both topics: told once
    row = Notification.objects.get(recipient=member)
    assert (row.alliance, row.kind, row.title, row.text, row.link, row.read_at) == (
        structure.alliance,
        "test.event",
        "Etwas ist geschehen",
        "Einzelheiten",
        "/son/intern/sitzungen/",
        None,
    )
    assert row.topic == topic
    assert not Notification.objects.filter(recipient__in=[office, advisory]).exists()


def test_no_subscriber_no_notification(structure: AllianceStructure) -> None:
    assert tell(structure, steering_topic(structure)) == []


def test_an_unregistered_kind_is_a_programming_error(structure: AllianceStructure) -> None:
    with pytest.raises(LookupError):
        tell(structure, "unbekannt:1")
    with pytest.raises(LookupError):
        tell(structure, "kein-schluessel")


def test_an_applicant_hears_only_of_projects_they_may_see(
    structure: AllianceStructure, persona: Callable[[str], User]
) -> None:
    """An applicant may follow their own project; a project of another organisation is refused,
    and should they have followed it while they could see it, they hear nothing of it now."""
    own = project_in_state(structure, Status.CONSULTATION)
    other = project_in_state(
        structure, Status.CONSULTATION, applicant_organisation=structure.organisations["ihk"]
    )
    applicant = applicant_of(own, username="traeger")
    follow(applicant, structure, topics.project(own.pk))
    with pytest.raises(NotPermitted):
        follow(applicant, structure, topics.project(other.pk))
    # A subscription from an earlier role (the check at fan-out still holds).
    Subscription.objects.create(
        user=applicant, alliance=structure.alliance, topic=topics.project(other.pk)
    )

    assert [row.recipient for row in tell(structure, topics.project(own.pk))] == [applicant]
    assert tell(structure, topics.project(other.pk)) == []


def test_who_lost_the_right_hears_nothing_more(
    structure: AllianceStructure, persona: Callable[[str], User]
) -> None:
    member = persona("member")
    follow(member, structure, steering_topic(structure))
    member.memberships.all().delete()
    assert tell(structure, steering_topic(structure)) == []
    # Deactivated accounts neither.
    speaker = persona("speaker")
    follow(speaker, structure, steering_topic(structure))
    User.objects.filter(pk=speaker.pk).update(is_active=False)
    assert tell(structure, steering_topic(structure)) == []


def test_another_alliance_never_hears(
    structure: AllianceStructure,
    other_structure: AllianceStructure,
    persona: Callable[[str], User],
) -> None:
    """The outsider holds every role in the other alliance: it cannot follow this alliance's
    topics, and the same key in its own alliance is another topic."""
    outsider = persona("outsider")
    with pytest.raises(NotPermitted):
        follow(outsider, structure, steering_topic(structure))
    # Its own alliance's Steuerkreis, followed there; this alliance's body id in its alliance is
    # nothing (the body belongs to another alliance).
    services.subscribe(
        user=outsider,
        alliance=other_structure.alliance,
        topic=topics.body(other_structure.bodies["steering"].pk),
    )
    with pytest.raises(NotPermitted):
        services.subscribe(
            user=outsider, alliance=other_structure.alliance, topic=steering_topic(structure)
        )
    assert tell(structure, steering_topic(structure)) == []
    assert tell(structure, topics.IDEAS_ALL) == []


def test_the_link_may_depend_on_the_recipient(
    structure: AllianceStructure, persona: Callable[[str], User]
) -> None:
    member, speaker = persona("member"), persona("speaker")
    for user in (member, speaker):
        follow(user, structure, steering_topic(structure))
    tell(structure, steering_topic(structure), link=lambda user: f"/son/fuer/{user.username}/")
    assert dict(Notification.objects.values_list("recipient__username", "link")) == {
        "member": "/son/fuer/member/",
        "speaker": "/son/fuer/speaker/",
    }


def test_muted_makes_nothing(structure: AllianceStructure, persona: Callable[[str], User]) -> None:
    follow(persona("member"), structure, steering_topic(structure))
    with services.muted():
        assert tell(structure, steering_topic(structure)) == []
    assert not services.is_muted()
    assert len(tell(structure, steering_topic(structure))) == 1


# --- Delivery ------------------------------------------------------------------------------------


@pytest.fixture
def three_readers(structure: AllianceStructure, persona: Callable[[str], User]) -> dict[str, User]:
    """One member per choice: mail per event, the digest (the default: no row), in-app only."""
    readers = {
        "event": persona("member"),
        "digest": persona("speaker"),
        "in_app": persona("advisory"),
    }
    services.delivery_set(user=readers["event"], delivery=Delivery.EVENT)
    services.delivery_set(user=readers["in_app"], delivery=Delivery.IN_APP)
    for user in readers.values():
        follow(user, structure, steering_topic(structure))
    return readers


def test_mail_per_event_only_for_those_who_chose_it_after_the_commit(
    structure: AllianceStructure,
    three_readers: dict[str, User],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        made = tell(structure, steering_topic(structure))
        assert mail.outbox == []  # not before the commit
    assert len(made) == 3
    assert [message.to for message in mail.outbox] == [["member@example.org"]]
    message = mail.outbox[0]
    assert message.subject == "[SüdOstNiedersachsen] Etwas ist geschehen"
    assert "Guten Tag Member," in message.body
    assert "Einzelheiten" in message.body
    assert "http://127.0.0.1:8000/son/intern/sitzungen/" in message.body
    assert "„Sitzungen: Steuerkreis“ abonniert" in message.body
    assert "http://127.0.0.1:8000/konto/benachrichtigungen/" in message.body
    mailed = dict(Notification.objects.values_list("recipient__username", "mailed_at"))
    assert mailed["member"] is not None
    assert mailed["speaker"] is None and mailed["advisory"] is None


def test_a_recipient_without_address_gets_no_mail(
    structure: AllianceStructure,
    persona: Callable[[str], User],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    member = persona("member")
    User.objects.filter(pk=member.pk).update(email="")
    services.delivery_set(user=member, delivery=Delivery.EVENT)
    follow(member, structure, steering_topic(structure))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tell(structure, steering_topic(structure))
    assert mail.outbox == []
    assert Notification.objects.get().mailed_at is None


def test_delivery_choice_is_validated_and_audited(persona: Callable[[str], User]) -> None:
    member = persona("member")
    assert selectors.delivery_of(member) == Delivery.DIGEST  # the default
    with pytest.raises(DomainError) as refused:
        services.delivery_set(user=member, delivery="brieftaube")
    assert "angebotenen Zustellungen" in str(refused.value)
    services.delivery_set(user=member, delivery=Delivery.IN_APP)
    services.delivery_set(user=member, delivery=Delivery.IN_APP)  # no change, no row
    assert NotificationPreference.objects.get(user=member).delivery == Delivery.IN_APP
    entries = AuditEntry.objects.filter(action="notification_preference.update").order_by("id")
    assert [entry.changes for entry in entries] == [{"delivery": ["digest", "in_app"]}]


# --- Subscriptions -------------------------------------------------------------------------------


def test_subscribe_is_idempotent_and_audited(
    structure: AllianceStructure, persona: Callable[[str], User]
) -> None:
    member = persona("member")
    topic = steering_topic(structure)
    first = follow(member, structure, topic)
    assert follow(member, structure, topic) == first
    assert selectors.is_following(member, structure.alliance, topic)
    assert services.unsubscribe(user=member, alliance=structure.alliance, topic=topic)
    assert not services.unsubscribe(user=member, alliance=structure.alliance, topic=topic)
    assert not selectors.is_following(member, structure.alliance, topic)
    assert list(
        AuditEntry.objects.filter(action__startswith="subscription.")
        .order_by("id")
        .values_list("action", "actor__username", "alliance_id")
    ) == [
        ("subscription.create", "member", structure.alliance.pk),
        ("subscription.delete", "member", structure.alliance.pk),
    ]


@pytest.mark.parametrize(
    "topic",
    ["body:999999", "project:x", "unbekannt:1", "body", "", "ideas:etwas", "ideas-field:999999"],
)
def test_unknown_or_malformed_topics_are_refused(
    structure: AllianceStructure, persona: Callable[[str], User], topic: str
) -> None:
    with pytest.raises(NotPermitted) as refused:
        follow(persona("office"), structure, topic)
    assert "keinen Zugang" in str(refused.value)


def test_the_office_body_is_no_topic(
    structure: AllianceStructure, persona: Callable[[str], User]
) -> None:
    """Only the bodies that meet (Steuerkreis, Sprecherkreis) have meetings to follow."""
    with pytest.raises(NotPermitted):
        follow(persona("office"), structure, topics.body(structure.bodies["office"].pk))


def test_ideas_topics_are_the_internal_circles(
    structure: AllianceStructure, persona: Callable[[str], User]
) -> None:
    field = structure.fields[0]
    member = persona("member")
    follow(member, structure, topics.ideas_field(field.pk))
    follow(member, structure, topics.IDEAS_ALL)
    applicant = persona("applicant")
    with pytest.raises(NotPermitted):
        follow(applicant, structure, topics.IDEAS_ALL)
    made = tell(structure, [topics.ideas_field(field.pk), topics.IDEAS_ALL], kind="idea.created")
    assert [row.topic for row in made] == [topics.ideas_field(field.pk)]


def test_the_list_of_subscriptions_names_each_topic(
    structure: AllianceStructure,
    other_structure: AllianceStructure,
    persona: Callable[[str], User],
) -> None:
    admin = persona("admin")
    project = project_in_state(structure, Status.CONSULTATION, title="Welcome Center")
    field = structure.fields[0]
    for topic in (
        steering_topic(structure),
        topics.project(project.pk),
        topics.ideas_field(field.pk),
        topics.IDEAS_ALL,
    ):
        follow(admin, structure, topic)
    services.subscribe(
        user=admin,
        alliance=other_structure.alliance,
        topic=topics.body(other_structure.bodies["speakers"].pk),
    )
    # A thing that is gone keeps its key as name, so it can still be ended.
    Subscription.objects.create(user=admin, alliance=structure.alliance, topic="project:999999")

    page, rows = selectors.subscriptions_page(admin, 1)
    assert page.paginator.count == 6
    # By alliance name, then key.
    assert [(row.subscription.alliance.slug, row.label, row.link) for row in rows] == [
        ("leine-weser", "Sitzungen: Sprecherkreis", "/leine-weser/intern/sitzungen/"),
        ("son", "Sitzungen: Steuerkreis", "/son/intern/sitzungen/"),
        ("son", f"Neue Ideen im Handlungsfeld „{field.title}“", ""),
        ("son", "Neue Ideen im Ideenpool", ""),
        (
            "son",
            f"Vorhaben {project.reference} „Welcome Center“",
            f"/son/intern/vorhaben/{project.reference}/",
        ),
        ("son", "project:999999", ""),
    ]


def test_an_applicants_project_link_is_the_applicant_portal(
    structure: AllianceStructure,
) -> None:
    project = project_in_state(structure, Status.CONSULTATION)
    applicant = applicant_of(project, username="traeger")
    follow(applicant, structure, topics.project(project.pk))
    _page, rows = selectors.subscriptions_page(applicant, 1)
    assert [row.link for row in rows] == [f"/son/vorhaben/{project.reference}/"]


# --- Reading -------------------------------------------------------------------------------------


def test_mark_read_and_all_read(
    structure: AllianceStructure,
    other_structure: AllianceStructure,
    persona: Callable[[str], User],
) -> None:
    admin = persona("admin")
    follow(admin, structure, steering_topic(structure))
    services.subscribe(
        user=admin,
        alliance=other_structure.alliance,
        topic=topics.body(other_structure.bodies["steering"].pk),
    )
    first, second = (tell(structure, steering_topic(structure))[0] for _ in range(2))
    services.notify(
        topic=topics.body(other_structure.bodies["steering"].pk),
        alliance=other_structure.alliance,
        kind="test.event",
        title="Anderswo",
    )
    assert selectors.unread_count(admin, structure.alliance) == 2
    assert selectors.unread_count(admin) == 3

    services.mark_read(user=admin, notification=first)
    services.mark_read(user=admin, notification=first)  # again: no change
    assert selectors.unread_count(admin, structure.alliance) == 1
    assert services.mark_all_read(user=admin, alliance=structure.alliance) == 1
    assert selectors.unread_count(admin, structure.alliance) == 0
    assert selectors.unread_count(admin) == 1  # the other alliance's stays unread
    second.refresh_from_db()
    assert second.is_read


def test_only_the_recipient_marks_read(
    structure: AllianceStructure, persona: Callable[[str], User]
) -> None:
    member, speaker = persona("member"), persona("speaker")
    follow(member, structure, steering_topic(structure))
    (row,) = tell(structure, steering_topic(structure))
    with pytest.raises(NotPermitted):
        services.mark_read(user=speaker, notification=row)
    row.refresh_from_db()
    assert row.read_at is None


def test_an_account_without_role_has_no_unread(structure: AllianceStructure) -> None:
    user = UserFactory(username="ohne")
    MembershipFactory(user=user, alliance=structure.alliance, role=Role.STEERING)
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.refresh_from_db()
    assert selectors.unread_count(user, structure.alliance) == 0


def test_an_event_without_subscribers_costs_one_query(
    structure: AllianceStructure, django_assert_num_queries: Callable[..., Any]
) -> None:
    """Most steps of the procedure have no subscriber: the fan-out then only asks for them."""
    with django_assert_num_queries(1):
        assert tell(structure, [steering_topic(structure), topics.IDEAS_ALL]) == []


def test_notify_users_tells_members_directly(
    structure: AllianceStructure,
    persona: Callable[[str], User],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    """No subscription needed (the inbox tells an inquiry's new assignee): the actor, inactive
    accounts and repeats are left out; delivery as chosen; the mail names no topic."""
    office, speaker, member = persona("office"), persona("speaker"), persona("member")
    services.delivery_set(user=speaker, delivery=Delivery.EVENT)
    User.objects.filter(pk=member.pk).update(is_active=False)
    member.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        made = services.notify_users(
            users=[speaker, speaker, member, office],
            alliance=structure.alliance,
            kind="inquiry.assigned",
            title="Anfrage #12 ist Ihnen zugewiesen",
            link="/son/intern/anfragen/12/",
            actor=office,
        )
    assert [(row.recipient, row.topic) for row in made] == [(speaker, "")]
    (message,) = mail.outbox
    assert "als Benachrichtigung aus dem Bündnisportal" in message.body
    assert "abonniert" not in message.body
    with services.muted():
        assert (
            services.notify_users(users=[speaker], alliance=structure.alliance, kind="x", title="y")
            == []
        )
