"""The permission decisions of buendnis.accounts.permissions, role by role."""

import pytest
from django.contrib.auth.models import AnonymousUser

from buendnis.accounts import permissions
from buendnis.accounts.models import ApiToken, Role
from buendnis.alliances.models import Alliance, Organisation
from tests.conftest import PERSONAS
from tests.decision_coverage import untested_decisions
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

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
    # The overview across every alliance (/ministerium/, the API's overview/): the same circle.
    assert permissions.can_view_overview(user) is all_alliances


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


# --- Every other decision of accounts.permissions, persona by persona ----------------------------

# persona → the decision about `alliance` (or the platform), for the decisions the table above
# does not cover.
PLATFORM_ADMIN = {"admin"}
MINISTRY = {"ministry"}
AUDIT = {"office", "ministry", "admin"}
ENTER_ADMIN = {"office", "ministry", "admin", "outsider"}
MANAGE_ANY = {"office", "admin", "outsider"}
OPEN_ADMIN = {"office", "admin"}
ALL_TOKENS = {"ministry", "admin"}
ACTIVE = set(PERSONAS) - {"public"}
ROLES = {
    "office": {Role.OFFICE},
    "speaker": {Role.SPEAKER},
    "member": {Role.STEERING},
    "advisory": {Role.ADVISORY},
    "applicant": {Role.APPLICANT},
}


@pytest.fixture
def user_of(make_persona):
    return lambda persona: make_persona(persona) or AnonymousUser()


@pytest.mark.parametrize("persona", PERSONAS)
def test_platform_decisions_per_role(persona, user_of):
    user = user_of(persona)
    assert permissions.is_active_user(user) is (persona in ACTIVE)
    assert permissions.is_platform_admin(user) is (persona in PLATFORM_ADMIN)
    assert permissions.is_ministry(user) is (persona in MINISTRY)
    assert permissions.can_manage_platform(user) is (persona in PLATFORM_ADMIN)
    assert permissions.can_enter_admin(user) is (persona in ENTER_ADMIN)
    assert permissions.can_manage_any(user) is (persona in MANAGE_ANY)
    assert permissions.can_use_api_token(user) is (persona in ACTIVE)
    assert permissions.sees_all_api_tokens(user) is (persona in ALL_TOKENS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_alliance_decisions_per_role(persona, user_of, alliance):
    user = user_of(persona)
    assert permissions.roles_in(user, alliance) == ROLES.get(persona, set())
    assert permissions.can_view_audit(user, alliance) is (persona in AUDIT)
    assert permissions.can_open_admin(user, alliance) is (persona in OPEN_ADMIN)
    assert permissions.sees_structure_problems(user, alliance) is (persona in OPEN_ADMIN)


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_scope_per_role(persona, user_of, alliance, other_alliance):
    user = user_of(persona)
    expected = {
        "office": {alliance.pk},
        "ministry": None,
        "admin": None,
        "outsider": {other_alliance.pk},
    }.get(persona, set())
    assert permissions.admin_alliance_ids(user) == expected
    # Reading a record: of this alliance, and of no alliance at all.
    assert permissions.can_view_in_admin(user, alliance.pk) is (
        persona in {"office", "ministry", "admin"}
    )
    assert permissions.can_view_in_admin(user, None) is (persona in {"ministry", "admin"})
    # Changing one: the ministry reads only; a record of no alliance is the admins'.
    assert permissions.can_manage_alliance_id(user, alliance.pk) is (persona in {"office", "admin"})
    assert permissions.can_manage_alliance_id(user, other_alliance.pk) is (
        persona in {"admin", "outsider"}
    )
    assert permissions.can_manage_alliance_id(user, None) is (persona == "admin")


def test_office_without_staff_flag_gets_no_admin_link(make_persona, alliance):
    office = make_persona("office")
    office.is_staff = False
    assert permissions.can_manage(office, alliance)
    assert not permissions.can_open_admin(office, alliance)


def test_demo_login_counts_where_demo_logins_are_on(make_persona, settings):
    office = make_persona("office")
    office.is_demo = True
    settings.BUENDNIS_ALLOW_DEMO_LOGINS = True
    assert permissions.is_active_user(office)
    settings.BUENDNIS_ALLOW_DEMO_LOGINS = False
    assert not permissions.is_active_user(office)


def test_no_user_is_not_active():
    assert not permissions.is_active_user(None)


def test_limit_to_alliances(alliance, other_alliance):
    ours = OrganisationFactory(alliance=alliance)
    theirs = OrganisationFactory(alliance=other_alliance)
    everything = Organisation.objects.all()
    assert set(permissions.limit_to_alliances(everything, None)) == {ours, theirs}
    assert list(permissions.limit_to_alliances(everything, {alliance.pk})) == [ours]
    assert list(permissions.limit_to_alliances(everything, set())) == []
    alliances = Alliance.objects.all()
    assert list(permissions.limit_to_alliances(alliances, {other_alliance.pk}, "pk")) == [
        other_alliance
    ]


def test_applicant_organisation_ids(alliance, other_alliance, django_assert_num_queries):
    user = UserFactory()
    mine = OrganisationFactory(alliance=alliance)
    sitting_for = OrganisationFactory(alliance=alliance)
    elsewhere = OrganisationFactory(alliance=other_alliance)
    MembershipFactory(user=user, alliance=alliance, role=Role.APPLICANT, organisation=mine)
    MembershipFactory(user=user, alliance=alliance, role=Role.STEERING, organisation=sitting_for)
    MembershipFactory(
        user=user, alliance=other_alliance, role=Role.APPLICANT, organisation=elsewhere
    )
    with django_assert_num_queries(1):
        assert permissions.applicant_organisation_ids(user, alliance) == {mine.pk}
    assert permissions.applicant_organisation_ids(user, other_alliance) == {elsewhere.pk}
    # The applicant role without an organisation applies for none.
    without = UserFactory()
    MembershipFactory(user=without, alliance=alliance, role=Role.APPLICANT)
    assert permissions.applicant_organisation_ids(without, alliance) == frozenset()
    with django_assert_num_queries(0):
        assert permissions.applicant_organisation_ids(AnonymousUser(), alliance) == frozenset()
    user.is_active = False
    assert permissions.applicant_organisation_ids(user, alliance) == frozenset()


def test_organisation_ids_in_role(alliance, other_alliance):
    user = UserFactory()
    applies_for = OrganisationFactory(alliance=alliance)
    sits_for = OrganisationFactory(alliance=alliance)
    MembershipFactory(user=user, alliance=alliance, role=Role.APPLICANT, organisation=applies_for)
    MembershipFactory(user=user, alliance=alliance, role=Role.STEERING, organisation=sits_for)
    MembershipFactory(user=user, alliance=alliance, role=Role.SPEAKER)
    assert permissions.organisation_ids_in_role(user, alliance, Role.STEERING) == {sits_for.pk}
    assert permissions.organisation_ids_in_role(user, alliance, Role.APPLICANT) == {applies_for.pk}
    assert permissions.organisation_ids_in_role(user, alliance, Role.SPEAKER) == frozenset()
    assert permissions.organisation_ids_in_role(user, other_alliance, Role.STEERING) == frozenset()


def test_can_revoke_api_token(make_persona):
    office, admin, member = make_persona("office"), make_persona("admin"), make_persona("member")
    own, foreign = ApiToken(user=office), ApiToken(user=member)
    assert permissions.can_revoke_api_token(office, own)
    assert not permissions.can_revoke_api_token(office, foreign)
    assert permissions.can_revoke_api_token(admin, foreign)
    assert not permissions.can_revoke_api_token(AnonymousUser(), foreign)
    office.is_active = False
    assert not permissions.can_revoke_api_token(office, own)


@pytest.mark.parametrize(
    ("persona", "internal"),
    [
        ("office", True),
        ("speaker", True),
        ("member", True),
        ("advisory", True),
        ("ministry", True),
        ("admin", True),
        ("outsider", True),
        ("applicant", False),
    ],
)
def test_has_internal_role(make_persona, persona, internal):
    """Who is signed out after the idle time (accounts/idle.py)."""
    user = make_persona(persona)
    assert permissions.has_internal_role(user) is internal
    user.is_active = False
    assert not permissions.has_internal_role(user)


def test_has_internal_role_for_staff_without_a_role_and_the_public():
    assert permissions.has_internal_role(UserFactory(is_staff=True))
    assert not permissions.has_internal_role(UserFactory())
    assert not permissions.has_internal_role(AnonymousUser())


def test_every_decision_has_a_test():
    assert untested_decisions(permissions, __file__) == []


# Two-factor login: the office (of any alliance), the ministry, platform admins and staff.
MUST_USE_TWO_FACTOR = {"office", "ministry", "admin", "outsider"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_must_use_two_factor(persona, make_persona):
    user = make_persona(persona) or AnonymousUser()
    assert permissions.must_use_two_factor(user) is (persona in MUST_USE_TWO_FACTOR)


def test_two_factor_is_required_of_the_office_of_another_alliance(other_alliance):
    office_elsewhere = MembershipFactory(alliance=other_alliance, role=Role.OFFICE).user
    assert permissions.must_use_two_factor(office_elsewhere)
