"""Payment requests at the same moment against one grant: together they never exceed it.

Each request locks its project row before it reads what is already drawn, so two requests are
decided one after the other; and each release pays out of the commitment under the phase lock.
On SQLite the race is skipped (no row locks; see tests/budget/test_concurrency.py).
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from buendnis.accounts.models import User
from buendnis.budget.selectors import project_balance
from buendnis.core.errors import DomainError
from buendnis.funding.models import Project
from buendnis.funding.states import Status
from buendnis.grants import selectors, services
from buendnis.grants.models import PaymentRequest, PaymentStatus
from tests.factories import applicant_of, build_alliance_structure, project_in_state

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal
THREADS = 8


def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "Das Rennen braucht PostgreSQL (Zeilensperren); Aufruf: scripts/with_postgres.py -- "
            ".venv/bin/python -m pytest tests/grants"
        )


def _race(call, arguments) -> list[str]:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(len(arguments))

    def run(argument):  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=30)
            call(argument)
            return "ok"
        except DomainError as error:
            return " ".join(error.messages)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(arguments)) as pool:
        return list(pool.map(run, arguments))


def test_concurrent_requests_never_exceed_the_grant(alliance) -> None:
    _postgres_only()
    site = build_alliance_structure(alliance, place="Braunschweig")
    project = project_in_state(site, Status.RUNNING)  # 140.000 € granted
    applicant = applicant_of(project)
    today = timezone.localdate()

    def request(index: int) -> None:
        start = today - timedelta(days=10 * (index + 1))
        services.payment_request_submit(
            actor=User.objects.get(pk=applicant.pk),
            project=Project.objects.get(pk=project.pk),
            period_from=start,
            period_to=start + timedelta(days=9),
            eligible_costs=D("50000.00"),
            amount=D("35000.00"),
        )

    results = _race(request, list(range(THREADS)))
    # 140.000 € hold exactly four tranches of 35.000 €; the other four are refused.
    assert results.count("ok") == 4
    assert all(
        "übersteigt den bewilligten Zuschuss" in result for result in results if result != "ok"
    )
    assert selectors.drawn(project).held == D("140000.00")


def test_concurrent_releases_pay_each_tranche_once(alliance, make_persona) -> None:
    _postgres_only()
    site = build_alliance_structure(alliance, place="Braunschweig")
    project = project_in_state(site, Status.RUNNING)
    applicant = applicant_of(project)
    office = make_persona("office")
    today = timezone.localdate()
    request = services.payment_request_submit(
        actor=applicant,
        project=project,
        period_from=today - timedelta(days=30),
        period_to=today - timedelta(days=1),
        eligible_costs=D("100000.00"),
        amount=D("70000.00"),
    )
    services.payment_request_check(actor=office, request=request)

    def release(_index: int) -> None:
        services.payment_request_release(
            actor=User.objects.get(pk=office.pk),
            request=PaymentRequest.objects.get(pk=request.pk),
        )

    results = _race(release, list(range(THREADS)))
    assert results.count("ok") == 1
    request.refresh_from_db()
    assert request.status == PaymentStatus.RELEASED
    assert project_balance(project.pk).paid == D("70000.00")
