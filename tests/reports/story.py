"""A phase with bookings of every kind, built through the funding services.

`tell_budget_story` walks projects into every money-relevant state of the current phase of the
personas' alliance and raises the budget once; BUDGET_EXPECTED holds the figures the dashboard
must show for it (worked out by hand, not by the code under test).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from buendnis.budget import services as budget_services
from buendnis.funding import services
from buendnis.funding.models import Project
from buendnis.funding.states import Status

from ..factories import (
    AllianceStructure,
    ProjectFactory,
    advance,
    pdf_upload,
    project_in_state,
)


def euro(value: str) -> Decimal:
    return Decimal(value)


@dataclass
class BudgetStory:
    structure: AllianceStructure
    projects: dict[str, Project] = field(default_factory=dict)


def half_funded(
    structure: AllianceStructure, field_index: int, costs: str, **extra: object
) -> dict[str, object]:
    """Fields for a project asking for half of its costs (the leverage is then 2,0)."""
    eligible = euro(costs)
    return {
        "title": extra.pop("title", f"Vorhaben {costs}"),
        "action_field": structure.fields[field_index],
        "eligible_costs": eligible,
        "requested_grant": eligible / 2,
        **extra,
    }


def tell_budget_story(structure: AllianceStructure) -> BudgetStory:
    """Current phase: 2.000.000,00 € at 70 %; fields 0–2 and the open field 3."""
    story = BudgetStory(structure=structure)
    p = story.projects
    # Closed: reserved 100.000, granted 90.000 (10.000 released), settled 85.000 on final
    # eligible costs of 170.000 (5.000 released).
    p["closed"] = project_in_state(
        structure,
        Status.RUNNING,
        granted_amount=euro("90000.00"),
        **half_funded(structure, 0, "200000.00", title="Welcome Center"),
    )
    services.project_close(
        actor=None,
        project=p["closed"],
        closed_on=timezone.localdate(),
        final_eligible_costs=euro("170000.00"),
        final_grant=euro("85000.00"),
        final_report=pdf_upload("abschlussbericht.pdf"),
    )
    # Granted 120.000 of 150.000 requested.
    p["granted"] = project_in_state(
        structure,
        Status.GRANTED,
        granted_amount=euro("120000.00"),
        **half_funded(structure, 1, "300000.00", title="Digitales Lernen im Betrieb"),
    )
    # Endorsed: 50.000 reserved.
    p["endorsed"] = project_in_state(
        structure, Status.ENDORSED, **half_funded(structure, 0, "100000.00", title="Stille Reserve")
    )
    # Application filed, open field: 30.000 reserved.
    p["filed"] = project_in_state(
        structure,
        Status.APPLICATION_FILED,
        **half_funded(structure, 3, "60000.00", title="AWO-Praktikumsbörse"),
    )
    # Declined by the bank and withdrawn after the Votum: everything released, no volume.
    p["declined"] = project_in_state(
        structure, Status.DECLINED, **half_funded(structure, 2, "80000.00", title="Abgelehnt")
    )
    endorsed_then_withdrawn = ProjectFactory(
        phase=structure.phase, **half_funded(structure, 1, "100000.00", title="Zurückgezogen")
    )
    advance(endorsed_then_withdrawn, Status.ENDORSED)
    p["withdrawn"] = advance(endorsed_then_withdrawn, Status.WITHDRAWN)
    # Still before the Steuerkreis: no money, no volume.
    p["pending"] = project_in_state(
        structure,
        Status.DESCRIPTION_STEERING,
        **half_funded(structure, 2, "40000.00", title="In Beratung"),
    )
    budget_services.budget_adjust(
        actor=None,
        phase=structure.phase,
        amount=euro("250000.00"),
        note="Erhöhung durch das Ministerium",
    )
    return story


BUDGET_EXPECTED = {
    "budget": euro("2250000.00"),
    "paid": euro("85000.00"),
    "committed": euro("120000.00"),
    "reserved": euro("80000.00"),
    "available": euro("1965000.00"),
    "volume": euro("630000.00"),  # 170.000 (final) + 300.000 + 100.000 + 60.000
    "grants": euro("285000.00"),
    "leverage": Decimal("2.2"),  # 630.000 / 285.000 = 2,21
    "projects": 4,
}

# 5 (closed) + 3 (granted) + 1 + 1 + 2 (declined) + 2 (withdrawn) + 1 (adjustment)
BOOKINGS = 15
