"""Two realistic alliances: `structure` (the personas' alliance) and `other_structure`."""

import pytest

from buendnis.alliances.models import Alliance

from ..factories import AllianceStructure, build_alliance_structure


@pytest.fixture
def structure(alliance: Alliance) -> AllianceStructure:
    return build_alliance_structure(alliance, place="Braunschweig")


@pytest.fixture
def other_structure(other_alliance: Alliance) -> AllianceStructure:
    return build_alliance_structure(other_alliance, place="Hameln")
