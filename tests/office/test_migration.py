"""office 0002 turns every message of the old contact inbox into an inquiry, and public 0002
drops the old table: run against the real database with Django's migration executor, forward
and back (nothing is lost either way)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from buendnis.core.models import AuditEntry
from buendnis.office.models import Inquiry, Source, Status

BEFORE = [("office", "0001_initial"), ("public", "0001_contact_message")]
BERLIN = ZoneInfo("Europe/Berlin")


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_contact_messages_become_inquiries_and_back() -> None:
    executor = _migrate(BEFORE)
    try:
        apps = executor.loader.project_state(BEFORE).apps
        Alliance = apps.get_model("alliances", "Alliance")
        User = apps.get_model("accounts", "User")
        ContactMessage = apps.get_model("public", "ContactMessage")
        alliance = Alliance.objects.create(slug="son", name="Fachkräftebündnis SüdOstNiedersachsen")
        office = User.objects.create(username="geschaeftsstelle")
        open_message = ContactMessage.objects.create(
            alliance=alliance,
            name="Erika Muster",
            email="erika@example.org",
            subject="Frage zur Förderung",
            message="Wie beantrage ich einen Zuschuss?\nDanke!",
        )
        handled = ContactMessage.objects.create(
            alliance=alliance,
            name="Olaf Alt",
            email="olaf@example.org",
            subject="Erledigt",
            message="Schon beantwortet",
            handled=True,
            handled_at=datetime(2026, 5, 4, 10, 30, tzinfo=BERLIN),
            handled_by=office,
        )
        arrived = {
            open_message.pk: datetime(2026, 6, 5, 9, 0, tzinfo=BERLIN),  # a Friday
            handled.pk: datetime(2026, 5, 1, 8, 0, tzinfo=BERLIN),
        }
        for pk, at in arrived.items():
            ContactMessage.objects.filter(pk=pk).update(created_at=at)

        _migrate(_latest())

        new = Inquiry.objects.get(subject="Frage zur Förderung")
        assert new.source == Source.CONTACT_FORM and new.status == Status.NEW
        assert (new.asker_name, new.asker_email) == ("Erika Muster", "erika@example.org")
        assert new.alliance_id == alliance.pk
        assert new.created_at == arrived[open_message.pk]
        assert new.due_on.isoformat() == "2026-06-12"  # five working days after the Friday
        assert new.closed_at is None and new.closed_by is None
        first = new.messages.get()
        assert (first.direction, first.channel) == ("in", "web")
        assert first.body == "Wie beantrage ich einen Zuschuss?\nDanke!"
        assert first.sent_at == arrived[open_message.pk]
        assert first.author_email == "erika@example.org"

        done = Inquiry.objects.get(subject="Erledigt")
        assert done.status == Status.DONE
        assert done.closed_at == datetime(2026, 5, 4, 10, 30, tzinfo=BERLIN)
        assert done.closed_by_id == office.pk
        assert done.created_at == arrived[handled.pk]

        trail = AuditEntry.objects.filter(action="inquiry.migrate").order_by("id")
        assert [entry.changes for entry in trail] == [
            {"contact_message": handled.pk},
            {"contact_message": open_message.pk},
        ]
        assert [entry.object_id for entry in trail] == [str(done.pk), str(new.pk)]

        # And back: the old inbox has its messages again, the new one none of them.
        executor = _migrate(BEFORE)
        apps = executor.loader.project_state(BEFORE).apps
        restored = apps.get_model("public", "ContactMessage").objects.order_by("created_at")
        assert [
            (row.subject, row.name, row.email, row.message, row.handled, row.handled_by_id)
            for row in restored
        ] == [
            ("Erledigt", "Olaf Alt", "olaf@example.org", "Schon beantwortet", True, office.pk),
            (
                "Frage zur Förderung",
                "Erika Muster",
                "erika@example.org",
                "Wie beantrage ich einen Zuschuss?\nDanke!",
                False,
                None,
            ),
        ]
        assert [row.created_at for row in restored] == [
            arrived[handled.pk],
            arrived[open_message.pk],
        ]
        assert apps.get_model("office", "Inquiry").objects.count() == 0
    finally:
        _migrate(_latest())
