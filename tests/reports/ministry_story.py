"""Two alliances with phases in every recognition status and projects in several states, booked
through the funding and budget services, for the ministry's overview (page, XLSX, API).

SüdOstNiedersachsen (`son`): the budget story of story.py in its current phase, a phase the office
has applied for and a draft. Leine-Weser: a closed project with participants, a running, a rejected
one and an idea in its current phase, an endorsed project in the phase before, and a next phase
for which the ministry asked for changes (through the cycle's service). SON_CURRENT and
LW_CURRENT hold the figures, worked out by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from buendnis.accounts.models import PlatformRole
from buendnis.alliances.models import Alliance, FundingPhase, RecognitionStatus
from buendnis.funding import services
from buendnis.funding.states import Status
from buendnis.renewal import services as renewal_services
from buendnis.renewal.models import RecognitionOutcome

from ..factories import (
    AllianceStructure,
    PhaseFactory,
    UserFactory,
    build_alliance_structure,
    pdf_upload,
    project_in_state,
)
from .story import BudgetStory, half_funded, tell_budget_story


@dataclass
class Platform:
    son: AllianceStructure
    lw: AllianceStructure
    story: BudgetStory
    son_applied: FundingPhase
    son_draft: FundingPhase
    lw_changes: FundingPhase
    applied_on: date
    changes_decided_on: date


def build_platform(son: Alliance, lw: Alliance) -> Platform:
    today = timezone.localdate()
    son_structure = build_alliance_structure(son, place="Braunschweig")
    lw_structure = build_alliance_structure(lw, place="Hameln")
    story = tell_budget_story(son_structure)
    current_end = son_structure.phase.ends_on

    applied_on = today.replace(day=1)
    son_applied = PhaseFactory(
        alliance=son,
        name="Folgephase",
        starts_on=current_end.replace(day=1, month=7),
        ends_on=date(current_end.year + 3, 6, 30),
        virtual_budget=Decimal("2400000.00"),
        funding_rate=Decimal("70.00"),
        recognition_status=RecognitionStatus.APPLIED,
        extension_applied_on=applied_on,
    )
    son_draft = PhaseFactory(
        alliance=son,
        name="Entwurf",
        starts_on=date(current_end.year + 3, 7, 1),
        ends_on=date(current_end.year + 6, 6, 30),
        virtual_budget=Decimal("1000000.00"),
        recognition_status=RecognitionStatus.DRAFT,
    )

    # Leine-Weser, current phase (2.000.000,00 € at 70 %).
    closed = project_in_state(
        lw_structure,
        Status.RUNNING,
        granted_amount=Decimal("50000.00"),
        planned_participants=40,
        **half_funded(lw_structure, 0, "100000.00", title="Hameln: abgeschlossen"),
    )
    services.project_close(
        actor=None,
        project=closed,
        closed_on=today,
        final_eligible_costs=Decimal("100000.00"),
        final_grant=Decimal("40000.00"),
        final_report=pdf_upload("abschlussbericht.pdf"),
        participants_entered=35,
        participants_exited=30,
    )
    project_in_state(
        lw_structure,
        Status.RUNNING,
        planned_participants=60,
        **half_funded(lw_structure, 1, "200000.00", title="Hameln: läuft"),
    )
    project_in_state(
        lw_structure,
        Status.REJECTED,
        planned_participants=500,  # never set in motion: does not count
        **half_funded(lw_structure, 2, "80000.00", title="Hameln: abgelehnt"),
    )
    project_in_state(
        lw_structure, Status.IDEA, **half_funded(lw_structure, 2, "50000.00", title="Hameln: Idee")
    )
    # The phase before: one endorsement, 40.000,00 € reserved.
    project_in_state(
        lw_structure.previous_phase,
        Status.ENDORSED,
        eligible_costs=Decimal("80000.00"),
        requested_grant=Decimal("40000.00"),
        title="Hameln: früher",
    )
    lw_changes = PhaseFactory(
        alliance=lw,
        name="Folgephase",
        starts_on=lw_structure.phase.ends_on.replace(day=1, month=7),
        ends_on=date(lw_structure.phase.ends_on.year + 3, 6, 30),
        virtual_budget=Decimal("3000000.00"),
        funding_rate=Decimal("60.00"),
        recognition_status=RecognitionStatus.APPLIED,
        extension_applied_on=applied_on,
    )
    # Applied for (as the office's application leaves it); the ministry asks for changes through
    # the cycle's service, which records its decision and sets the status.
    changes_decided_on = today
    renewal_services.recognition_decide(
        actor=UserFactory(username="story-ministerium", platform_role=PlatformRole.MINISTRY),
        phase=lw_changes,
        outcome=RecognitionOutcome.CHANGES_REQUESTED,
        decided_on=changes_decided_on,
        reason="Bitte die Strategie ergänzen.",
    )
    lw_changes.refresh_from_db()
    return Platform(
        son=son_structure,
        lw=lw_structure,
        story=story,
        son_applied=son_applied,
        son_draft=son_draft,
        lw_changes=lw_changes,
        applied_on=applied_on,
        changes_decided_on=changes_decided_on,
    )


def euro(value: str) -> Decimal:
    return Decimal(value)


# The current phases' figures (budget, reserved, committed, paid, available, volume, grants,
# co-financing, leverage, participants planned/entered/exited).
SON_CURRENT = {
    "budget": euro("2250000.00"),
    "reserved": euro("80000.00"),
    "committed": euro("120000.00"),
    "paid": euro("85000.00"),
    "available": euro("1965000.00"),
    "volume": euro("630000.00"),
    "grants": euro("285000.00"),
    # Half of the planned costs of the closed (200.000), granted (300.000), endorsed (100.000)
    # and filed (60.000) projects; the declined and withdrawn ones do not count.
    "co_financing": euro("330000.00"),
    "leverage": Decimal("2.2"),
    "participants": (0, 0, 0),
}
SON_CURRENT_STATUSES = {
    Status.CLOSED: 1,
    Status.GRANTED: 1,
    Status.ENDORSED: 1,
    Status.APPLICATION_FILED: 1,
    Status.DECLINED: 1,
    Status.WITHDRAWN: 1,
    Status.DESCRIPTION_STEERING: 1,
}
LW_CURRENT = {
    "budget": euro("2000000.00"),
    "reserved": euro("0.00"),
    # The running project: 100.000 granted; the closed one paid 40.000 of 50.000.
    "committed": euro("100000.00"),
    "paid": euro("40000.00"),
    "available": euro("1860000.00"),
    "volume": euro("300000.00"),  # 100.000 (settled) + 200.000
    "grants": euro("140000.00"),
    "co_financing": euro("150000.00"),  # 50.000 + 100.000
    "leverage": Decimal("2.1"),  # 300.000 / 140.000 = 2,14
    "participants": (100, 35, 30),
}
LW_CURRENT_STATUSES = {
    Status.CLOSED: 1,
    Status.RUNNING: 1,
    Status.REJECTED: 1,
    Status.IDEA: 1,
}
