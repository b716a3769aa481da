import pytest

from buendnis.alliances.models import Alliance
from tests.factories import AllianceFactory

from .musterland import Musterland, musterland


@pytest.fixture
def land() -> Musterland:
    return musterland()


@pytest.fixture
def empty(db: None) -> Alliance:
    """A fresh deployment: the alliance's row and nothing else."""
    return AllianceFactory(
        slug="musterland", name="Fachkräftebündnis Musterland", short_name="Musterland"
    )
