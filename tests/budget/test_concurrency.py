"""Many Voten at the same moment against one phase: the budget is never overdrawn, and no booking
is lost.

Each endorsement locks its project, then the phase row (`budget.services._lock_phase`), checks
what is available and books, all in one transaction. Without the phase lock two transactions
would both see the same available money and both book it. The threads load their project first,
wait at a barrier, then all endorse at once.

PostgreSQL runs the race with 12 threads. On SQLite it is skipped: SQLite has no row locks, and
the in-memory database of the test settings (shared cache) answers a second writer with an
immediate "database table is locked" instead of letting it wait, so a threaded run there proves
nothing and fails at random. SQLite serialises all writers anyway.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from buendnis.alliances.models import Body, BodyKind, Organisation
from buendnis.budget import services as budget
from buendnis.budget.models import EntryKind, LedgerEntry
from buendnis.budget.selectors import budget_figures
from buendnis.core.audit import audit_record
from buendnis.core.errors import DomainError
from buendnis.funding import services
from buendnis.funding.models import Outcome, Project, Transition
from buendnis.funding.states import Status as S
from tests.factories import PhaseFactory, body_of, project_in_state

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal
BUDGET_MESSAGE = "reicht nicht"


def _threads() -> int:
    if connection.vendor != "postgresql":
        pytest.skip(
            "Das Rennen braucht PostgreSQL: SQLite kennt keine Zeilensperren, und seine "
            "Test-Datenbank im Arbeitsspeicher (geteilter Cache) lässt einen zweiten Schreiber "
            "nicht warten, sondern bricht mit „database table is locked“ ab. Aufruf: "
            "scripts/with_postgres.py -- .venv/bin/python -m pytest tests/budget"
        )
    return 12


def _race(projects: list[Project]) -> dict[int, str]:
    """Endorse every project at once, each in its own thread and connection. Returns project id →
    "ok" or the refusal's message."""
    steering_id = body_of(projects[0].alliance, BodyKind.STEERING).pk
    barrier = threading.Barrier(len(projects))

    def endorse(project_id: int) -> tuple[int, str]:
        try:
            project = Project.objects.select_related("alliance", "phase").get(pk=project_id)
            body = Body.objects.get(pk=steering_id)
            barrier.wait(timeout=30)
            services.outcome_record(
                actor=None,
                project=project,
                body=body,
                outcome=Outcome.POSITIVE,
                decided_on=timezone.localdate(),
                expected_status=S.DESCRIPTION_STEERING,
            )
            return project_id, "ok"
        except DomainError as error:
            return project_id, " ".join(error.messages)
        finally:
            connection.close()  # each thread opened its own connection

    with ThreadPoolExecutor(max_workers=len(projects)) as pool:
        return dict(pool.map(endorse, [p.pk for p in projects]))


def _waiting(phase, count: int, costs: list[Decimal]) -> list[Project]:
    return [
        project_in_state(
            phase, S.DESCRIPTION_STEERING, title=f"Vorhaben {n:02d}", eligible_costs=costs[n]
        )
        for n in range(count)
    ]


def test_parallel_endorsements_never_overdraw_the_budget(alliance):
    threads = _threads()
    carried = 5  # the budget carries 5 of the 12
    phase = PhaseFactory(alliance=alliance, virtual_budget=D("100000.00") * carried)
    projects = _waiting(phase, threads, [D("200000.00")] * threads)  # each asks for 100,000

    results = _race(projects)

    succeeded = [pk for pk, result in results.items() if result == "ok"]
    refused = {pk: result for pk, result in results.items() if result != "ok"}
    assert len(succeeded) == carried
    assert all(BUDGET_MESSAGE in message for message in refused.values()), refused
    figures = budget_figures(phase)
    assert figures.reserved == D("100000.00") * carried == figures.budget
    assert figures.available == D("0.00")
    # No lost update: one reservation row per success, and their sum is what was granted.
    reservations = LedgerEntry.objects.filter(phase=phase, kind=EntryKind.RESERVATION)
    assert sorted(reservations.values_list("project_id", flat=True)) == sorted(succeeded)
    assert sum(r.reserved_delta for r in reservations) == D("100000.00") * carried
    statuses = dict(Project.objects.values_list("pk", "status"))
    assert {pk for pk, status in statuses.items() if status == S.ENDORSED} == set(succeeded)
    assert all(statuses[pk] == S.DESCRIPTION_STEERING for pk in refused)
    assert not Transition.objects.filter(project_id__in=refused, to_status=S.ENDORSED).exists()


def test_parallel_endorsements_of_different_sizes(alliance):
    """Which ones win depends on the order; what holds in every order: nothing overdrawn, every
    success booked once, and every refused request larger than what is left."""
    threads = _threads()
    costs = [D("20000.00") + D("13579.11") * n for n in range(threads)]
    phase = PhaseFactory(
        alliance=alliance, virtual_budget=(sum(costs, D(0)) / 4).quantize(D("0.01"))
    )
    projects = _waiting(phase, threads, costs)
    requested = {p.pk: p.requested_grant for p in projects}

    results = _race(projects)

    succeeded = [pk for pk, result in results.items() if result == "ok"]
    refused = [pk for pk, result in results.items() if result != "ok"]
    assert succeeded
    assert refused
    assert all(BUDGET_MESSAGE in results[pk] for pk in refused)
    figures = budget_figures(phase)
    assert figures.reserved == sum((requested[pk] for pk in succeeded), D(0))
    assert figures.reserved <= figures.budget
    assert LedgerEntry.objects.filter(phase=phase).count() == len(succeeded)
    # Only reservations happened, so what is available only shrank: every refusal was right.
    assert all(requested[pk] > figures.available for pk in refused)


def test_a_votum_and_a_new_project_do_not_deadlock(alliance):
    """A Votum holds the phase lock and then writes rows that point to the alliance; a new project
    holds the alliance lock and then writes a row that points to the phase. With FOR UPDATE locks
    each waits for the other and PostgreSQL aborts one of them. The locks are FOR NO KEY UPDATE:
    they serialise the writers of the locked row, not the rows that merely point to it."""
    _threads()
    phase = PhaseFactory(alliance=alliance)
    owner_id = project_in_state(phase, S.IDEA).applicant_organisation_id
    done = threading.Event()
    failures: list[str] = []

    def create_project() -> None:
        try:
            services.project_create(
                actor=None,
                alliance=alliance,
                phase=phase,
                title="Neues Vorhaben",
                applicant_organisation=Organisation.objects.get(pk=owner_id),
            )
        except Exception as error:  # noqa: BLE001 - reported to the main thread
            failures.append(f"{type(error).__name__}: {error}")
        finally:
            done.set()
            connection.close()

    with transaction.atomic():
        budget._lock_phase(phase.pk)  # as a Votum's reservation does
        creator = threading.Thread(target=create_project)
        creator.start()
        # The new project does not wait for the Votum (with FOR UPDATE it would, holding the
        # alliance lock) …
        finished_while_locked = done.wait(timeout=5)
        # … and the Votum's own rows pointing to the alliance go through.
        audit_record(actor=None, action="test.lock", instance=phase, alliance=alliance)
    creator.join(timeout=30)
    assert failures == []
    assert finished_while_locked
    assert Project.objects.filter(title="Neues Vorhaben").exists()
