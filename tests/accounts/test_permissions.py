"""The permission decisions of buendnis.accounts.permissions, role by role."""

import pytest

from buendnis.accounts import permissions
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db

# persona → (sees internal pages of `alliance`, may manage `alliance`, sees all alliances)
EXPECTED = {
    "public": (False, False, False),
    "office": (True, True, False),
    "speaker": (True, False, False),
    "member": (True, False, False),
    "advisory": (True, False, False),
    "applicant": (False, False, False),
    "ministry": (True, False, True),
    "admin": (True, True, True),
    "outsider": (False, False, False),
}


def test_every_persona_has_an_expectation():
    assert set(EXPECTED) == set(PERSONAS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_decisions_per_role(persona, make_persona, alliance):
    from django.contrib.auth.models import AnonymousUser

    user = make_persona(persona) or AnonymousUser()
    internal, manage, all_alliances = EXPECTED[persona]
    assert permissions.can_view_internal(user, alliance) is internal
    assert permissions.can_view_contacts(user, alliance) is internal
    assert permissions.can_manage(user, alliance) is manage
    assert permissions.sees_all_alliances(user) is all_alliances


def test_outsider_manages_only_its_own_alliance(make_persona, alliance, other_alliance):
    outsider = make_persona("outsider")
    assert permissions.can_manage(outsider, other_alliance)
    assert not permissions.can_manage(outsider, alliance)
    assert permissions.managed_alliance_ids(outsider) == {other_alliance.pk}
    assert permissions.visible_alliance_ids(outsider) == {other_alliance.pk}


def test_ministry_reads_everything_but_manages_nothing(make_persona, alliance, other_alliance):
    ministry = make_persona("ministry")
    assert permissions.visible_alliance_ids(ministry) is None
    assert permissions.managed_alliance_ids(ministry) == set()
    assert permissions.can_view_audit(ministry, alliance)


def test_inactive_user_has_no_rights(make_persona, alliance):
    office = make_persona("office")
    office.is_active = False
    assert not permissions.can_manage(office, alliance)
    assert not permissions.can_view_internal(office, alliance)


def test_demo_user_has_no_rights_where_demo_logins_are_off(make_persona, alliance, settings):
    office = make_persona("office")
    office.is_demo = True
    settings.BUENDNIS_ALLOW_DEMO_LOGINS = False
    assert not permissions.can_manage(office, alliance)


def test_roles_are_read_once_per_request(
    make_persona, alliance, other_alliance, django_assert_num_queries
):
    office = make_persona("office")
    with django_assert_num_queries(1):  # the user's memberships, all alliances at once
        permissions.can_manage(office, alliance)
        permissions.can_view_internal(office, alliance)
        permissions.can_view_internal(office, other_alliance)
