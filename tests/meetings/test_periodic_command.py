"""`manage.py meetings_periodic` (the worker, every 15 minutes): reminds once before the deadline,
evaluates what is due, and does nothing the second time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance
from buendnis.core.models import AuditEntry
from buendnis.funding.states import Status
from buendnis.meetings.models import Circulation, CirculationStatus
from tests.factories import project_in_state

from .circulation_setup import Circle, expire, make_circle

pytestmark = pytest.mark.django_db


@pytest.fixture
def circle(alliance: Alliance, make_persona: Callable[[str], User | None]) -> Circle:
    return make_circle(alliance, make_persona)


def run(capture: Any, *args: str) -> str:
    """The command as run by hand, with the mail that goes out after each commit."""
    out = StringIO()
    with capture(execute=True):
        call_command("meetings_periodic", *args, stdout=out)
    return out.getvalue()


def _audit_count(circulation: Circulation) -> int:
    return AuditEntry.objects.filter(
        object_id=str(circulation.pk), action__startswith="circulation."
    ).count()


def test_closes_due_circulations_once(
    circle: Circle, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    project = project_in_state(
        circle.structure, Status.SKETCH_STEERING, applicant_organisation=circle.org("employers")
    )
    due = circle.open(title="Fällig mit Vorhaben", project=project)
    circle.answer_all(due)
    silent = circle.open(title="Fällig ohne Antworten")
    running = circle.open(title="Läuft noch", deadline=timezone.now() + timedelta(days=10))
    expire(due)
    expire(silent)

    output = run(django_capture_on_commit_callbacks)

    for circulation in (due, silent, running):
        circulation.refresh_from_db()
    project.refresh_from_db()
    assert due.status == CirculationStatus.PASSED
    assert project.status == Status.DESCRIPTION_REQUESTED
    assert silent.status == CirculationStatus.FAILED  # silence is no consent here
    assert running.status == CirculationStatus.OPEN
    assert "2 abgelaufene(r) Umlaufbeschluss/-beschlüsse ausgewertet" in output
    assert "„Fällig mit Vorhaben“ (SüdOstNiedersachsen): Beschlossen" in output
    assert "„Fällig ohne Antworten“ (SüdOstNiedersachsen): Nicht zustande gekommen" in output

    audit = _audit_count(due)
    mails = len(mailoutbox)
    again = run(django_capture_on_commit_callbacks)
    due.refresh_from_db()
    assert due.status == CirculationStatus.PASSED
    assert _audit_count(due) == audit
    assert len(mailoutbox) == mails
    assert "0 Erinnerung(en) an Umlaufbeschlüsse versandt, 0 abgelaufene" in again


def test_silence_is_consent_where_the_body_allows_it(
    circle: Circle, django_capture_on_commit_callbacks: Any
) -> None:
    steering = circle.structure.bodies["steering"]
    steering.silence_is_consent = True
    steering.save()
    circulation = circle.open()
    circle.answer_all(circulation, city=True, union=True)
    expire(circulation)

    run(django_capture_on_commit_callbacks)

    circulation.refresh_from_db()
    assert circulation.status == CirculationStatus.PASSED
    assert len(circulation.result["silent"]) == 2


def test_a_project_that_moved_on_fails_the_circulation_with_the_reason(
    circle: Circle, django_capture_on_commit_callbacks: Any
) -> None:
    from buendnis.funding import services as funding

    project = project_in_state(
        circle.structure, Status.SKETCH_STEERING, applicant_organisation=circle.org("employers")
    )
    circulation = circle.open(project=project)
    circle.answer_all(circulation)
    funding.project_withdraw(actor=None, project=project, reason="Der Träger zieht zurück.")
    expire(circulation)

    output = run(django_capture_on_commit_callbacks)

    circulation.refresh_from_db()
    assert circulation.status == CirculationStatus.FAILED
    assert circulation.result["error"]
    assert circulation.result["error"] in output


def test_reminds_once_before_the_deadline(
    circle: Circle, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    soon = circle.open(title="Bald fällig", deadline=timezone.now() + timedelta(hours=30))
    later = circle.open(title="Noch Zeit", deadline=timezone.now() + timedelta(days=6))
    circle.answer_all(soon, city=True)
    before = len(mailoutbox)

    output = run(django_capture_on_commit_callbacks)

    soon.refresh_from_db()
    later.refresh_from_db()
    assert soon.reminder_sent_at is not None
    assert later.reminder_sent_at is None
    assert soon.status == CirculationStatus.OPEN
    assert "1 Erinnerung(en) an Umlaufbeschlüsse versandt" in output
    reminders = [message for message in mailoutbox[before:] if "Bald fällig" in message.subject]
    # The reminder goes to the organisation that has not answered (the city), not to those that
    # have (the IHK's member, for one).
    assert reminders
    assert all(message.subject.startswith("Erinnerung") for message in reminders)
    recipients = {address for message in reminders for address in message.to}
    assert circle.structure.people["city"].email in recipients
    assert circle.structure.people["speaker"].email not in recipients

    stamp = soon.reminder_sent_at
    after_first = len(mailoutbox)
    again = run(django_capture_on_commit_callbacks)
    soon.refresh_from_db()
    assert soon.reminder_sent_at == stamp
    assert len(mailoutbox) == after_first
    assert "0 Erinnerung(en)" in again


def test_quiet_with_verbosity_zero(circle: Circle, django_capture_on_commit_callbacks: Any) -> None:
    circulation = circle.open()
    circle.answer_all(circulation)
    expire(circulation)
    assert run(django_capture_on_commit_callbacks, "--verbosity", "0") == ""
    circulation.refresh_from_db()
    assert circulation.status == CirculationStatus.PASSED
