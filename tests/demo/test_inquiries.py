"""The demo inbox of SüdOstNiedersachsen: every source, the states the office works with, the
desk's figures, the applicant's open consultation request; and a second load that creates and
changes nothing."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import timezone

from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance
from buendnis.demo.inquiries import load_demo_inquiries
from buendnis.demo.load import load_demo
from buendnis.office import selectors
from buendnis.office.models import Inquiry, ReplyTemplate, Source, Status

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The whole demo loaded for the module, rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        before = list(Inquiry.objects.order_by("pk").values())
        second = load_demo_inquiries()
        yield {
            "before": before,
            "after": list(Inquiry.objects.order_by("pk").values()),
            "second": second,
        }
        transaction.set_rollback(True)


def test_a_second_load_creates_and_changes_nothing(demo: dict[str, Any]) -> None:
    assert demo["second"] == 0
    assert demo["after"] == demo["before"]
    assert mail.outbox == []


def test_the_inbox_has_every_kind(demo: dict[str, Any]) -> None:
    son = Alliance.objects.get(slug="son")
    inquiries = Inquiry.objects.filter(alliance=son)
    assert {inquiry.source for inquiry in inquiries} == {
        Source.CONTACT_FORM,
        Source.PHONE,
        Source.CONSULTATION,
        Source.MEMBER,
    }
    assert {inquiry.status for inquiry in inquiries} >= {
        Status.NEW,
        Status.IN_PROGRESS,
        Status.DONE,
    }
    assert ReplyTemplate.objects.filter(alliance=son).count() == 2
    assert not Inquiry.objects.filter(alliance__slug="leine-weser").exists()
    today = timezone.localdate()
    waiting = selectors.inquiries_waiting(son, today, limit=5)
    assert waiting.count >= 2  # the overdue contact message and the new consultation request
    times = selectors.response_times(son)
    assert times.median_days is not None and times.open_total >= 3


def test_the_applicant_sees_the_open_consultation_request(demo: dict[str, Any]) -> None:
    request = Inquiry.objects.get(source=Source.CONSULTATION)
    assert request.project is not None
    client = Client()
    client.force_login(User.objects.get(username="antrag"))
    page = client.get(f"/son/vorhaben/{request.project.reference}/").content.decode()
    day = timezone.localdate(request.created_at).strftime("%d.%m.%Y")
    assert f"Beratung angefragt am {day}" in page


def test_the_member_sees_the_answer(demo: dict[str, Any]) -> None:
    client = Client()
    client.force_login(User.objects.get(username="steuerkreis"))
    page = client.get("/son/intern/meine-anfragen/").content.decode()
    assert "Unterlagen zur nächsten Steuerkreissitzung" in page
    assert "zwei Wochen vor der Sitzung" in page
