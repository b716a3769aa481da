"""Reads of the inbox, above all the desk's: what waits, and how quickly the office answers.
Query counts are pinned and do not grow with the data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from buendnis.accounts.models import User
from buendnis.office import selectors
from buendnis.office.models import Inquiry, Source, Status
from buendnis.office.selectors import InquiryFilters
from tests.factories import AllianceStructure, ProjectFactory

from .factories import category, stored_inquiry

pytestmark = pytest.mark.django_db


def test_inquiries_waiting_new_and_overdue_oldest_first(
    site: AllianceStructure,
    other_site: AllianceStructure,
    office: User,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    now = timezone.now()
    today = timezone.localdate(now)
    oldest_new = stored_inquiry(site.alliance, created_at=now - timedelta(days=9))
    overdue = stored_inquiry(
        site.alliance,
        status=Status.WAITING,
        created_at=now - timedelta(days=8),
        due_on=today - timedelta(days=1),
    )
    stored_inquiry(site.alliance, status=Status.IN_PROGRESS, due_on=today)  # due today: not late
    stored_inquiry(
        site.alliance,
        status=Status.DONE,
        created_at=now - timedelta(days=20),
        due_on=today - timedelta(days=10),
    )
    newest = stored_inquiry(site.alliance, created_at=now - timedelta(hours=1), assigned_to=office)
    stored_inquiry(other_site.alliance)
    # One query: the rows and their count.
    with django_assert_num_queries(1):
        waiting = selectors.inquiries_waiting(site.alliance, today, limit=2)
        # Category and assignee come with the rows.
        [(inquiry.category, inquiry.assigned_to) for inquiry in waiting.inquiries]
    assert waiting.count == 3
    assert [inquiry.pk for inquiry in waiting.inquiries] == [oldest_new.pk, overdue.pk]
    everything = selectors.inquiries_waiting(site.alliance, today, limit=10)
    assert [inquiry.pk for inquiry in everything.inquiries] == [
        oldest_new.pk,
        overdue.pk,
        newest.pk,
    ]
    empty = selectors.inquiries_waiting(site.alliance, today - timedelta(days=400), limit=5)
    assert empty.count == 2  # only the new ones (nothing overdue that long ago)


def test_response_times(
    site: AllianceStructure,
    other_site: AllianceStructure,
    office: User,
    colleague: User,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    now = timezone.now()
    today = timezone.localdate(now)

    def answered(days: float, ago: int, **fields: Any) -> Inquiry:
        created = now - timedelta(days=ago)
        inquiry = stored_inquiry(site.alliance, created_at=created, **fields)
        Inquiry.objects.filter(pk=inquiry.pk).update(
            first_answered_at=created + timedelta(days=days)
        )
        return inquiry

    answered(1, 10, status=Status.DONE)
    answered(2, 20, status=Status.WAITING, assigned_to=office)
    answered(4, 30, status=Status.DONE)
    answered(0.5, 100, status=Status.DONE)  # before the 90 days
    stored_inquiry(site.alliance, assigned_to=office, due_on=today - timedelta(days=1))
    stored_inquiry(site.alliance, status=Status.IN_PROGRESS, assigned_to=colleague)
    stored_inquiry(site.alliance)  # nobody's
    stored_inquiry(other_site.alliance)
    # Two queries: the period's durations; the open ones per person.
    with django_assert_num_queries(2):
        times = selectors.response_times(site.alliance, now=now)
    assert times.period_days == 90
    assert times.median_days == Decimal("2.0")
    assert (times.answered, times.unanswered) == (3, 3)
    loads = [(load.name, load.open, load.overdue) for load in times.open_by_assignee]
    # Maria's waiting one (due a week after it came in) and the one due yesterday are late.
    assert loads == [("Kim Kollegin", 1, 0), ("Maria Lindner", 2, 2), ("", 1, 0)]
    assert times.open_by_assignee[-1].user_id is None
    assert times.open_total == 4
    # More data, the same queries.
    for ago in range(30):
        answered(3, ago % 80, status=Status.DONE)
    with django_assert_num_queries(2):
        selectors.response_times(site.alliance, now=now)


def test_response_times_without_data(site: AllianceStructure) -> None:
    times = selectors.response_times(site.alliance)
    assert times.median_days is None and times.open_by_assignee == [] and times.open_total == 0


def test_inbox_filters(site: AllianceStructure, office: User) -> None:
    today = timezone.localdate()
    topic = category(site.alliance)
    project = ProjectFactory(phase=site.phase)
    a = stored_inquiry(site.alliance, subject="Praktikum", category=topic, assigned_to=office)
    b = stored_inquiry(
        site.alliance,
        subject="Presse",
        source=Source.PHONE,
        status=Status.WAITING,
        due_on=today - timedelta(days=2),
        project=project,
    )
    c = stored_inquiry(site.alliance, subject="Erledigt", status=Status.DONE)

    def found(**filters: Any) -> list[int]:
        query = selectors.inquiry_list(
            site.alliance, InquiryFilters(**filters), today=today, user=office
        )
        return [inquiry.pk for inquiry in query]

    assert found() == [b.pk, a.pk]  # open ones, the first due first
    assert found(status=selectors.ALL) == sorted([a.pk, b.pk, c.pk], key=[b.pk, a.pk, c.pk].index)
    assert found(status=Status.DONE) == [c.pk]
    assert found(category_id=topic.pk) == [a.pk]
    assert found(assigned=selectors.MINE) == [a.pk]
    assert found(assigned=selectors.NOBODY) == [b.pk]
    assert found(assigned=str(office.pk)) == [a.pk]
    assert found(source=Source.PHONE) == [b.pk]
    assert found(overdue=True) == [b.pk]
    assert found(text="praktik") == [a.pk]
    assert found(text=f"#{b.pk}") == [b.pk]
    assert found(text=project.reference) == [b.pk]
    assert found(text="olaf@example") == [b.pk, a.pk]
