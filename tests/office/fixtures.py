"""Fixtures shared by the inbox's tests (tests/office/conftest.py and the inbox's pages,
tests/portal/test_inquiry_pages.py, import them with `*`): a realistic alliance (`site`), the
other one (`other_site`), the office's login (`office`), a second person of the office
(`colleague`), and `login(persona)`."""

from collections.abc import Callable

import pytest
from django.test import Client

from buendnis.accounts.models import Role, User
from buendnis.alliances.models import Alliance
from tests.factories import (
    AllianceStructure,
    MembershipFactory,
    UserFactory,
    build_alliance_structure,
)

from .factories import full_name

__all__ = ["colleague", "login", "office", "other_site", "site"]


@pytest.fixture
def site(alliance: Alliance) -> AllianceStructure:
    return build_alliance_structure(alliance, place="Braunschweig")


@pytest.fixture
def other_site(other_alliance: Alliance) -> AllianceStructure:
    return build_alliance_structure(other_alliance, place="Hameln")


@pytest.fixture
def office(make_persona: Callable[[str], User | None], site: AllianceStructure) -> User:
    user = make_persona("office")
    assert user is not None
    return full_name(user, "Maria", "Lindner")


@pytest.fixture
def colleague(site: AllianceStructure) -> User:
    user = full_name(UserFactory(username="kollegin"), "Kim", "Kollegin")
    MembershipFactory(user=user, alliance=site.alliance, role=Role.OFFICE)
    return user


@pytest.fixture
def login(
    client_as: Callable[[str], Client], request: pytest.FixtureRequest
) -> Callable[[str], Client]:
    """A client for a persona of tests/conftest.py; `office` is the fixture of that name (the
    persona, with a name), so a test may use the user and log in as it."""

    def open_as(persona: str) -> Client:
        if persona == "office":
            client = Client()
            client.force_login(request.getfixturevalue("office"))
            return client
        return client_as(persona)

    return open_as
