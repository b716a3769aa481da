"""The demo's subscriptions and notifications: the Steuerkreis and Sprecherkreis logins follow
their body and each finds its body's latest invitation unread; nothing is mailed; a second load
adds nothing."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from buendnis.accounts.models import User
from buendnis.demo.load import load_demo
from buendnis.demo.notifications import load_demo_notifications
from buendnis.notifications.models import Notification, Subscription

pytestmark = pytest.mark.django_db


@dataclass
class Loaded:
    notifications: list[dict[str, Any]]
    subscriptions: list[dict[str, Any]]
    second: int


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[Loaded]:
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        yield Loaded(
            notifications=list(
                Notification.objects.order_by("pk").values(
                    "recipient__username", "title", "link", "read_at", "mailed_at"
                )
            ),
            subscriptions=list(
                Subscription.objects.order_by("pk").values("user__username", "topic")
            ),
            second=load_demo_notifications(),
        )
        transaction.set_rollback(True)


def test_the_demo_logins_follow_their_body(demo: Loaded) -> None:
    assert [row["user__username"] for row in demo.subscriptions] == ["steuerkreis", "sprecher"]
    assert demo.second == 0


def test_the_latest_invitation_waits_unread_and_never_mailed(demo: Loaded) -> None:
    steering, speakers = demo.notifications
    assert steering["recipient__username"] == "steuerkreis"
    # The invitation to the Steuerkreis meeting of 18.11.2026, the latest (2027 is planned, not
    # invited yet).
    assert steering["title"] == "Einladung: Sitzung des Steuerkreises am 18.11.2026"
    assert speakers["recipient__username"] == "sprecher"
    assert speakers["title"] == "Einladung: Sitzung des Sprecherkreises am 04.11.2026"
    for row in (steering, speakers):
        assert row["read_at"] is None
        assert row["mailed_at"] is not None
        assert row["link"].startswith("/son/intern/sitzungen/")


def test_the_centre_shows_it(demo: Loaded) -> None:
    client = Client()
    client.force_login(User.objects.get(username="steuerkreis"))
    html = client.get("/son/intern/benachrichtigungen/").content.decode()
    assert "1 ungelesene Benachrichtigung." in html
