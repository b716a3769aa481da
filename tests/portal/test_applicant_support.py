"""Fixtures shared by the applicant portal's tests (this module holds no tests).

`site` is the realistic alliance of `tests.factories` (the second alliance of the personas
exists too, so tenant separation shows); `project` belongs to the Stadt of that alliance; `login(persona)` opens a client for the
personas of tests/conftest.py and one more: `other_applicant`, an applicant of the same alliance
for another organisation.
"""

from collections.abc import Callable

import pytest
from django.test import Client

from buendnis.accounts.models import Membership, Role, User
from buendnis.alliances.models import Alliance
from buendnis.funding.models import Project

from ..conftest import PERSONAS
from ..factories import (
    AllianceStructure,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
    build_alliance_structure,
)

APPLICANT_PERSONAS = [*PERSONAS, "other_applicant"]

# What `from .test_applicant_support import *` brings into a test module: the fixtures.
__all__ = ["applicant", "login", "office", "office_user", "other_applicant", "project", "site"]


@pytest.fixture
def site(alliance: Alliance, other_alliance: Alliance) -> AllianceStructure:
    # The other alliance stays bare: the `outsider` persona holds its roles there.
    return build_alliance_structure(alliance, place="Braunschweig")


@pytest.fixture
def project(site: AllianceStructure) -> Project:
    """A complete project of the Stadt Braunschweig in state `idea`, current phase."""
    return ProjectFactory(
        phase=site.phase,
        applicant_organisation=site.organisations["city"],
        title="Welcome Center Braunschweig",
    )


@pytest.fixture
def applicant(make_persona: Callable[[str], User | None], project: Project) -> User:
    """The `applicant` persona, applying for the project's organisation."""
    user = make_persona("applicant")
    assert user is not None
    Membership.objects.filter(user=user, role=Role.APPLICANT).update(
        organisation=project.applicant_organisation
    )
    user.first_name, user.last_name = "Erika", "Antrag"
    user.save()
    return user


@pytest.fixture
def other_applicant(site: AllianceStructure) -> User:
    user = UserFactory(username="other_applicant")
    MembershipFactory(
        user=user,
        alliance=site.alliance,
        role=Role.APPLICANT,
        organisation=site.organisations["union"],
    )
    return user


@pytest.fixture
def login(
    client_as: Callable[[str], Client], request: pytest.FixtureRequest
) -> Callable[[str], Client]:
    """A client for one persona. `applicant`, `other_applicant` and `office` are the fixtures of
    the same name, so a test may use the user and log in as it."""

    def log_in(persona: str) -> Client:
        if persona in ("applicant", "other_applicant", "office"):
            user = request.getfixturevalue(persona)
            client = Client()
            client.force_login(user)
            return client
        return client_as(persona)

    return log_in


@pytest.fixture
def office(make_persona: Callable[[str], User | None]) -> User:
    user = make_persona("office")
    assert user is not None
    return user


@pytest.fixture
def office_user(office: User) -> User:
    return office
