"""Projects after the grant with tranches paid and participants reported, through the services:
the public page, the exports, the budget dashboards and the phase's reports read them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from buendnis.accounts.models import User
from buendnis.funding.models import Project
from buendnis.funding.states import Status
from buendnis.grants import services as grants
from buendnis.grants.models import PaymentRequest

from ..factories import AllianceStructure, applicant_of, project_in_state

D = Decimal


def today() -> date:
    return timezone.localdate()


def period(number: int) -> tuple[date, date]:
    """The n-th of three past 30-day periods, the oldest first."""
    end = today() - timedelta(days=1 + 30 * (2 - number))
    return end - timedelta(days=29), end


def breakdown(entries: int, exits: int) -> dict[str, Any]:
    cell = {"entries": entries, "exits": exits}
    return {
        "gender": {"female": cell},
        "age": {"25_to_54": cell},
        "employment": {"unemployed": cell},
        "education": {"isced_3_4": cell},
    }


def payment_request(project: Project, actor: User, amount: Decimal, number: int) -> PaymentRequest:
    start, end = period(number)
    return grants.payment_request_submit(
        actor=actor,
        project=project,
        period_from=start,
        period_to=end,
        eligible_costs=(amount / D("0.7")).quantize(D("0.01")) + 1,
        amount=amount,
    )


def running_with_results(
    structure: AllianceStructure,
    office: User,
    *,
    released: Decimal,
    entries: int,
    exits: int,
    title: str,
) -> Project:
    """A running project (140.000 € granted) with one released tranche and one period's figures."""
    project = project_in_state(structure, Status.RUNNING, planned_participants=40, title=title)
    applicant = applicant_of(project)
    request = payment_request(project, applicant, released, 0)
    grants.payment_request_check(actor=office, request=request)
    grants.payment_request_release(actor=office, request=request)
    start, end = period(0)
    grants.participants_record(
        actor=applicant,
        project=project,
        period_from=start,
        period_to=end,
        entries=entries,
        exits=exits,
        breakdown=breakdown(entries, exits),
    )
    return project
