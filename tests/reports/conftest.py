"""The personas' alliance with its structure, and the budget story told on it (see story.py)."""

import pytest

from buendnis.alliances.models import Alliance

from ..factories import AllianceStructure, build_alliance_structure
from .story import BudgetStory, tell_budget_story


@pytest.fixture
def structure(alliance: Alliance) -> AllianceStructure:
    return build_alliance_structure(alliance, place="Braunschweig")


@pytest.fixture
def budget_story(structure: AllianceStructure) -> BudgetStory:
    return tell_budget_story(structure)
