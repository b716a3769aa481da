"""The decisions of buendnis.ideas.permissions, role by role.

`idea` is posted by the persona "member" for no organisation; `own` is an applicant of
`organisation`, for which a second idea (`org_idea`) is posted by someone else.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from buendnis.accounts.models import Role
from buendnis.ideas import permissions
from buendnis.ideas.models import Idea, IdeaStatus
from tests.conftest import PERSONAS
from tests.decision_coverage import untested_decisions
from tests.factories import IdeaFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

INTERNAL = {"office", "speaker", "member", "advisory", "ministry", "admin"}
POSTERS = {"office", "speaker", "member", "advisory", "admin", "own"}
COORDINATORS = {"office", "admin"}


@pytest.fixture
def organisation(alliance):
    return OrganisationFactory(alliance=alliance)


@pytest.fixture
def users(make_persona, alliance, organisation):
    made = {name: make_persona(name) for name in PERSONAS}
    own = UserFactory(username="own")
    MembershipFactory(user=own, alliance=alliance, role=Role.APPLICANT, organisation=organisation)
    made["own"] = own
    return made


@pytest.fixture
def idea(alliance, users):
    return IdeaFactory(alliance=alliance, actor=users["member"])


@pytest.fixture
def org_idea(alliance, organisation):
    return IdeaFactory(alliance=alliance, organisation=organisation)


def _user(users, name):
    return users[name] or AnonymousUser()


@pytest.mark.parametrize("name", [*PERSONAS, "own"])
def test_pool_and_posting(name, users, alliance, organisation, other_alliance):
    user = _user(users, name)
    assert permissions.can_view_pool(user, alliance) is (name in INTERNAL)
    assert permissions.can_post_idea(user, alliance) is (name in POSTERS)
    assert permissions.can_coordinate_ideas(user, alliance) is (name in COORDINATORS)
    # The pool's pages open for its readers and every applicant (who sees their own ideas).
    assert permissions.may_open_pool(user, alliance) is (name in INTERNAL | {"own", "applicant"})
    # An applicant posts for their own organisation only; the circle for any (or none).
    assert permissions.can_post_idea_for(user, alliance, organisation) is (name in POSTERS)
    assert permissions.can_post_idea_for(user, alliance, None) is (name in POSTERS - {"own"})
    foreign = OrganisationFactory(alliance=other_alliance)
    assert permissions.can_post_idea_for(user, alliance, foreign) is False


@pytest.mark.parametrize("name", [*PERSONAS, "own"])
def test_one_idea(name, users, idea, org_idea, alliance):
    user = _user(users, name)
    assert permissions.can_view_idea(user, idea) is (name in INTERNAL)
    assert permissions.can_view_idea(user, org_idea) is (name in INTERNAL | {"own"})
    # Authors edit their own; the office every idea; the ministry none.
    assert permissions.can_edit_idea(user, idea) is (name in COORDINATORS | {"member"})
    assert permissions.can_edit_idea(user, org_idea) is (name in COORDINATORS | {"own"})
    assert permissions.is_idea_author(user, idea) is (name == "member")
    assert permissions.can_withdraw_idea(user, org_idea) is (name in COORDINATORS | {"own"})
    visible = set(
        Idea.objects.filter(alliance=alliance)
        .filter(permissions.visible_ideas_q(user, alliance))
        .values_list("pk", flat=True)
    )
    expected = {idea.pk, org_idea.pk} if name in INTERNAL else set()
    if name == "own":
        expected = {org_idea.pk}
    assert visible == expected


def test_authors_lose_editing_once_the_idea_is_history(users, idea):
    Idea.objects.filter(pk=idea.pk).update(status=IdeaStatus.MERGED)
    idea.refresh_from_db()
    assert permissions.can_edit_idea(users["member"], idea) is False
    assert permissions.can_withdraw_idea(users["member"], idea) is False
    assert permissions.can_edit_idea(users["office"], idea) is True


def test_co_authors_count_as_authors(users, idea):
    idea.co_authors.add(users["speaker"])
    assert permissions.is_idea_author(users["speaker"], idea) is True
    assert permissions.can_edit_idea(users["speaker"], idea) is True


def test_every_decision_has_a_test():
    assert untested_decisions(permissions, __file__) == []
