"""Races on one agenda item and one circulation: whatever the timing, one decision per item and
one answer per organisation.

`decision_record` locks the meeting, then the item, and checks for an existing decision under
the locks (the one-to-one of Decision.item backs it); `circulation_answer` locks the circulation
before it looks for the organisation's answer. The threads load their records, wait at a barrier
and then all write at once, each in its own connection.

PostgreSQL only, like tests/budget/test_concurrency.py: SQLite has no row locks, and its
in-memory test database (shared cache) answers a second writer with "database table is locked"
instead of letting it wait, so a threaded run there proves nothing and fails at random.
"""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from buendnis.alliances.models import Organisation
from buendnis.budget.models import LedgerEntry
from buendnis.core.errors import DomainError
from buendnis.funding.states import Status
from buendnis.meetings.models import (
    AgendaItem,
    Answer,
    Attendance,
    Circulation,
    CirculationAnswer,
    Decision,
)
from buendnis.meetings.services import agenda, circulations, decisions
from tests.factories import build_alliance_structure, meeting_in_session, project_in_state

pytestmark = pytest.mark.django_db(transaction=True)


def _threads(count: int) -> int:
    if connection.vendor != "postgresql":
        pytest.skip(
            "Das Rennen braucht PostgreSQL: SQLite kennt keine Zeilensperren, und seine "
            "Test-Datenbank im Arbeitsspeicher (geteilter Cache) lässt einen zweiten Schreiber "
            "nicht warten, sondern bricht mit „database table is locked“ ab. Aufruf: "
            "scripts/with_postgres.py -- .venv/bin/python -m pytest tests/meetings"
        )
    return count


def _race(count: int, work: Callable[[int], str]) -> list[str]:
    """Run `work(n)` in `count` threads at once; each result is "ok" or a refusal's message."""
    barrier = threading.Barrier(count)

    def run(number: int) -> str:
        try:
            barrier.wait(timeout=30)
            return work(number)
        except DomainError as error:
            return " ".join(error.messages)
        finally:
            connection.close()  # each thread opened its own connection

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_two_offices_deciding_the_same_item_record_one_decision(alliance):
    threads = _threads(2)
    structure = build_alliance_structure(alliance, place="Braunschweig")
    meeting = meeting_in_session(structure.bodies["steering"])
    project = project_in_state(structure, Status.DESCRIPTION_STEERING)
    item = agenda.agenda_item_create(actor=None, meeting=meeting, project=project)

    def decide(number: int) -> str:
        mine = AgendaItem.objects.get(pk=item.pk)
        decisions.decision_record(actor=None, item=mine, proposal=decisions.Proposal.DECIDE)
        return "ok"

    results = _race(threads, decide)

    assert sorted(results) == sorted(
        ["Über diesen Tagesordnungspunkt ist bereits beschlossen.", "ok"]
    )
    assert Decision.objects.filter(item=item).count() == 1
    project.refresh_from_db()
    assert project.status == Status.ENDORSED
    # One Votum, one reservation.
    assert project.outcomes.filter(stage_status=Status.DESCRIPTION_STEERING).count() == 1
    assert LedgerEntry.objects.filter(project=project).count() == 1


def test_decisions_on_several_items_of_one_meeting_at_once(alliance):
    """Each decision fills in the attendance of seats added since the invitation: done under the
    meeting's lock, so parallel decisions do not insert the same rows twice."""
    threads = _threads(4)
    structure = build_alliance_structure(alliance, place="Braunschweig")
    meeting = meeting_in_session(structure.bodies["steering"])
    Attendance.objects.filter(meeting=meeting, organisation=structure.organisations["hwk"]).delete()
    items = [
        agenda.agenda_item_create(actor=None, meeting=meeting, title=f"Punkt {n}")
        for n in range(threads)
    ]

    def decide(number: int) -> str:
        mine = AgendaItem.objects.get(pk=items[number].pk)
        decisions.decision_record(actor=None, item=mine, proposal=decisions.Proposal.DECIDE)
        return "ok"

    assert _race(threads, decide) == ["ok"] * threads
    assert Decision.objects.filter(item__meeting=meeting).count() == threads
    assert Attendance.objects.filter(meeting=meeting).count() == 9


def test_many_answers_for_one_organisation_leave_one_row(alliance):
    threads = _threads(8)
    structure = build_alliance_structure(alliance, place="Braunschweig")
    circulation = circulations.circulation_open(
        actor=None,
        alliance=alliance,
        title="Sitzungstermine 2027",
        text="Der Steuerkreis beschließt die Sitzungstermine 2027.",
        deadline=timezone.now() + timedelta(days=7),
    )
    union_id = structure.organisations["union"].pk
    answers = [Answer.AGREE, Answer.ABSTAIN] * (threads // 2)

    def respond(number: int) -> str:
        circulations.circulation_answer(
            actor=None,
            circulation=Circulation.objects.get(pk=circulation.pk),
            organisation=Organisation.objects.get(pk=union_id),
            answer=answers[number],
        )
        return "ok"

    assert _race(threads, respond) == ["ok"] * threads
    (row,) = CirculationAnswer.objects.filter(circulation=circulation)
    assert row.organisation_id == union_id
    assert row.answer in (Answer.AGREE, Answer.ABSTAIN)
