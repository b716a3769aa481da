"""Fixtures of the notification tests: the alliance's structure and the personas as users."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache

from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance
from tests.factories import AllianceStructure, build_alliance_structure


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """The rate limits count in the cache: every test starts with none used."""
    cache.clear()


@pytest.fixture
def structure(alliance: Alliance, other_alliance: Alliance) -> AllianceStructure:
    return build_alliance_structure(alliance, place="Braunschweig")


@pytest.fixture
def other_structure(other_alliance: Alliance) -> AllianceStructure:
    return build_alliance_structure(other_alliance, place="Hameln")


@pytest.fixture
def persona(make_persona: Callable[[str], User | None]) -> Callable[[str], User]:
    """A persona as a user with an address (not "public")."""

    def make(name: str) -> User:
        user = make_persona(name)
        assert user is not None
        user.email = f"{name}@example.org"
        user.first_name = name.capitalize()
        user.save(update_fields=["email", "first_name"])
        return user

    return make
