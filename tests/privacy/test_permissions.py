"""Who hands out and erases a person's data (`privacy.permissions`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser

from buendnis.accounts.models import PlatformRole, Role, User
from buendnis.privacy import permissions
from tests.conftest import PERSONAS
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ALLOWED = {"office", "admin"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_pages_are_the_offices_and_the_platform_admins(
    persona: str, make_persona: Callable[[str], User | None], alliance
) -> None:
    user = make_persona(persona) or AnonymousUser()
    assert permissions.can_handle_personal_data(user, alliance) == (persona in ALLOWED)


def test_the_office_handles_accounts_of_its_alliance_alone(
    make_persona: Callable[[str], User | None], alliance, other_alliance
) -> None:
    office, admin = make_persona("office"), make_persona("admin")
    assert office is not None and admin is not None
    own = UserFactory(username="eigen")
    MembershipFactory(user=own, alliance=alliance, role=Role.STEERING)
    shared = UserFactory(username="geteilt")
    MembershipFactory(user=shared, alliance=alliance, role=Role.STEERING)
    MembershipFactory(user=shared, alliance=other_alliance, role=Role.APPLICANT)
    foreign = UserFactory(username="fremd")
    MembershipFactory(user=foreign, alliance=other_alliance, role=Role.STEERING)
    ministry = UserFactory(username="ministerium", platform_role=PlatformRole.MINISTRY)
    loose = UserFactory(username="ohne-rolle")
    assert permissions.can_handle_account(office, alliance, own)
    for account in (shared, foreign, ministry, loose):
        assert not permissions.can_handle_account(office, alliance, account), account
        assert permissions.can_handle_account(admin, alliance, account), account
    assert not permissions.can_handle_account(office, other_alliance, own)
