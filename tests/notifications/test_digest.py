"""The daily digest (`manage.py notifications_digest`): one mail per digest reader with the day's
unmailed notifications, marked mailed; idempotent; and the clean-up of old rows."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from buendnis.accounts.models import User
from buendnis.notifications import services, topics
from buendnis.notifications.models import (
    Delivery,
    Notification,
    PublicSubscription,
)
from tests.factories import AllianceStructure

pytestmark = pytest.mark.django_db


@pytest.fixture
def readers(structure: AllianceStructure, persona: Callable[[str], User]) -> dict[str, User]:
    readers = {
        "event": persona("member"),
        "digest": persona("speaker"),
        "in_app": persona("advisory"),
        "chosen_digest": persona("office"),
    }
    services.delivery_set(user=readers["event"], delivery=Delivery.EVENT)
    services.delivery_set(user=readers["in_app"], delivery=Delivery.IN_APP)
    services.delivery_set(user=readers["chosen_digest"], delivery=Delivery.DIGEST)
    topic = topics.body(structure.bodies["steering"].pk)
    for user in readers.values():
        services.subscribe(user=user, alliance=structure.alliance, topic=topic)
    return readers


def tell(structure: AllianceStructure, title: str, **extra: object) -> list[Notification]:
    return services.notify(
        topic=topics.body(structure.bodies["steering"].pk),
        alliance=structure.alliance,
        kind="meeting.invited",
        title=title,
        text="Montag, 05.06.2018, 14:00 Uhr",
        link="/son/intern/sitzungen/4/",
        **extra,  # type: ignore[arg-type]
    )


def run() -> str:
    out = io.StringIO()
    call_command("notifications_digest", stdout=out)
    return out.getvalue()


def test_the_digest_mails_each_digest_reader_once_and_marks_the_rows(
    structure: AllianceStructure, readers: dict[str, User]
) -> None:
    tell(structure, "Einladung: Sitzung des Steuerkreises am 05.06.2018")
    tell(structure, "Protokoll genehmigt: Sitzung des Steuerkreises am 05.03.2018")
    # Older than a day: not in today's digest.
    Notification.objects.filter(title__startswith="Protokoll", recipient=readers["digest"]).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    mail.outbox.clear()

    output = run()

    assert sorted(message.to[0] for message in mail.outbox) == [
        "office@example.org",
        "speaker@example.org",
    ]
    by_reader = {message.to[0]: message for message in mail.outbox}
    speaker = by_reader["speaker@example.org"]
    assert "1 Benachrichtigung vom" in speaker.subject
    assert "Einladung: Sitzung des Steuerkreises am 05.06.2018" in speaker.body
    assert "Protokoll genehmigt" not in speaker.body
    assert "== Fachkräftebündnis SüdOstNiedersachsen ==" in speaker.body
    assert "http://127.0.0.1:8000/son/intern/sitzungen/4/" in speaker.body
    assert "http://127.0.0.1:8000/son/intern/benachrichtigungen/" in speaker.body
    assert "http://127.0.0.1:8000/konto/benachrichtigungen/" in speaker.body
    assert "2 Benachrichtigungen vom" in by_reader["office@example.org"].subject
    assert "2 Zusammenfassung(en) mit 3 Benachrichtigung(en) versandt" in output

    mailed = Notification.objects.filter(mailed_at__isnull=False)
    assert sorted(mailed.values_list("recipient__username", flat=True)) == [
        "office",
        "office",
        "speaker",
    ]
    # Mail per event was sent (or not) at the event; in-app never.
    assert not Notification.objects.filter(recipient=readers["in_app"], mailed_at__isnull=False)

    # Idempotent: the second run finds nothing.
    mail.outbox.clear()
    assert "0 Zusammenfassung(en)" in run()
    assert mail.outbox == []


def test_the_digest_is_bounded_and_counts_the_rest(
    structure: AllianceStructure, readers: dict[str, User]
) -> None:
    for number in range(services.DIGEST_MAX_ROWS + 3):
        tell(structure, f"Ereignis {number:02d}")
    mail.outbox.clear()
    run()
    speaker = next(m for m in mail.outbox if m.to == ["speaker@example.org"])
    assert f"{services.DIGEST_MAX_ROWS + 3} Benachrichtigungen vom" in speaker.subject
    assert speaker.body.count("\n* ") == services.DIGEST_MAX_ROWS
    assert "3 weitere Benachrichtigungen stehen im Bündnisportal." in speaker.body
    assert not Notification.objects.filter(recipient=readers["digest"], mailed_at__isnull=True)


def test_a_refused_digest_is_tried_again(
    structure: AllianceStructure,
    readers: dict[str, User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tell(structure, "Einladung")
    from buendnis.notifications import mail as notification_mail

    monkeypatch.setattr(notification_mail, "deliver", lambda messages, what: False)
    result = services.digest_send()
    assert (result.mailed, result.failed) == (0, 2)
    assert not Notification.objects.filter(recipient=readers["digest"], mailed_at__isnull=False)
    monkeypatch.undo()
    mail.outbox.clear()
    assert services.digest_send().mailed == 2
    assert len(mail.outbox) == 2


def test_verbosity_zero_prints_nothing(
    structure: AllianceStructure, readers: dict[str, User]
) -> None:
    tell(structure, "Einladung")
    out = io.StringIO()
    call_command("notifications_digest", verbosity=0, stdout=out)
    assert out.getvalue() == ""
    assert len(mail.outbox) == 2


def test_the_daily_run_deletes_what_has_expired(
    structure: AllianceStructure, readers: dict[str, User]
) -> None:
    old, new = tell(structure, "Alt")[0], tell(structure, "Neu")[0]
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    stale = PublicSubscription.objects.create(
        alliance=structure.alliance, email="nie@example.org", meetings=True
    )
    PublicSubscription.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - timedelta(days=8)
    )
    fresh = PublicSubscription.objects.create(
        alliance=structure.alliance, email="neu@example.org", meetings=True
    )
    confirmed = PublicSubscription.objects.create(
        alliance=structure.alliance,
        email="dabei@example.org",
        meetings=True,
        confirmed_at=timezone.now(),
    )
    PublicSubscription.objects.filter(pk=confirmed.pk).update(
        created_at=timezone.now() - timedelta(days=800)
    )

    output = run()

    assert "1 alte Benachrichtigung(en) und 1 unbestätigte(s) Abonnement(s) gelöscht" in output
    assert not Notification.objects.filter(pk=old.pk).exists()
    assert Notification.objects.filter(pk=new.pk).exists()
    assert sorted(PublicSubscription.objects.values_list("pk", flat=True)) == sorted(
        [fresh.pk, confirmed.pk]
    )
