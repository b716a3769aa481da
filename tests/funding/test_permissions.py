"""The project decisions of buendnis.funding.permissions, role by role.

`project` belongs to an organisation of `alliance`; `own` is its applicant (the applicant role for
that organisation). The persona "applicant" applies in the alliance, but for no organisation, so
the project is not theirs.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from buendnis.funding import permissions
from buendnis.funding.models import Project
from buendnis.funding.states import Status
from tests.conftest import PERSONAS
from tests.decision_coverage import untested_decisions
from tests.factories import (
    OrganisationFactory,
    PhaseFactory,
    ProjectFactory,
    UserFactory,
    applicant_of,
)

pytestmark = pytest.mark.django_db

EVERYONE = [*PERSONAS, "own"]
INTERNAL = {"office", "speaker", "member", "advisory", "ministry", "admin"}
MANAGERS = {"office", "admin"}
# The states in which the public sees a project (its page, lists, OParl, the API without login).
PUBLIC = {Status.ENDORSED, Status.APPLICATION_FILED, Status.GRANTED, Status.RUNNING, Status.CLOSED}
# The states in which the applicant may still change the project.
APPLICANT_EDITS = {
    Status.IDEA,
    Status.CONSULTATION,
    Status.DESCRIPTION_REQUESTED,
    Status.REVISION_REQUESTED,
}


@pytest.fixture
def project(alliance):
    return Project.objects.select_related("alliance").get(
        pk=ProjectFactory(phase=PhaseFactory(alliance=alliance)).pk
    )


@pytest.fixture
def user_of(make_persona, project):
    def make(persona):
        if persona == "own":
            return applicant_of(project, username="own")
        return make_persona(persona) or AnonymousUser()

    return make


def _with_status(project, status):
    project.status = status
    return project


@pytest.mark.parametrize("persona", EVERYONE)
def test_is_project_applicant(persona, user_of, project):
    assert permissions.is_project_applicant(user_of(persona), project) is (persona == "own")


def test_the_creator_is_the_applicant(project):
    creator = UserFactory()
    assert not permissions.is_project_applicant(creator, project)
    project.created_by = creator
    assert permissions.is_project_applicant(creator, project)
    creator.is_active = False
    assert not permissions.is_project_applicant(creator, project)


def test_applicant_of_another_organisation_is_not_the_applicant(alliance, project):
    other = ProjectFactory(
        phase=project.phase, applicant_organisation=OrganisationFactory(alliance=alliance)
    )
    assert not permissions.is_project_applicant(applicant_of(other), project)


@pytest.mark.parametrize("persona", EVERYONE)
def test_can_view_project(persona, user_of, project):
    expected = persona in INTERNAL or persona == "own"
    assert permissions.can_view_project(user_of(persona), project) is expected


@pytest.mark.parametrize("status", Status.values)
def test_can_view_project_publicly(status):
    assert permissions.can_view_project_publicly(Project(status=status)) is (status in PUBLIC)


def test_public_projects_q(alliance, project):
    by_status = {Status.IDEA: project}
    for status in (Status.ENDORSED, Status.GRANTED, Status.WITHDRAWN, Status.SKETCH_STEERING):
        by_status[status] = ProjectFactory(
            phase=project.phase, applicant_organisation=OrganisationFactory(alliance=alliance)
        )
        Project.objects.filter(pk=by_status[status].pk).update(status=status)
    public = {by_status[Status.ENDORSED], by_status[Status.GRANTED]}
    assert set(Project.objects.filter(permissions.public_projects_q())) == public
    # The same rule across a relation: the organisations that own a public project.
    owners = type(project.applicant_organisation).objects.filter(
        permissions.public_projects_q("projects__")
    )
    assert set(owners) == {p.applicant_organisation for p in public}


@pytest.mark.parametrize("persona", EVERYONE)
def test_can_create_project(persona, user_of, alliance, other_alliance):
    user = user_of(persona)
    may = persona in {"office", "admin", "applicant", "own"}
    assert permissions.can_create_project(user, alliance) is may
    assert permissions.can_create_project(user, other_alliance) is (
        persona in {"admin", "outsider"}
    )


@pytest.mark.parametrize("persona", EVERYONE)
def test_can_create_project_for(persona, user_of, alliance, other_alliance, project):
    user = user_of(persona)
    own_organisation = project.applicant_organisation
    another = OrganisationFactory(alliance=alliance)
    foreign = OrganisationFactory(alliance=other_alliance)
    assert permissions.can_create_project_for(user, alliance, own_organisation) is (
        persona in {"office", "admin", "own"}
    )
    assert permissions.can_create_project_for(user, alliance, another) is (persona in MANAGERS)
    # An organisation of another alliance is never one to start a project for here.
    assert not permissions.can_create_project_for(user, alliance, foreign)


@pytest.mark.parametrize("persona", EVERYONE)
def test_can_edit_project(persona, user_of, project):
    user = user_of(persona)
    for status in Status.values:
        expected = persona in MANAGERS or (persona == "own" and status in APPLICANT_EDITS)
        assert permissions.can_edit_project(user, _with_status(project, status)) is expected, status


# action → who may take it (the office also stands for platform admins)
ACTION_ACTORS = {
    "record_consultation": {"office", "admin"},
    "submit_sketch": {"office", "admin", "own"},
    "forward": {"office", "admin"},
    "withdraw": {"office", "admin", "own"},
    "no_such_step": set(),
}


@pytest.mark.parametrize("persona", EVERYONE)
@pytest.mark.parametrize("action", ACTION_ACTORS)
def test_can_perform(persona, action, user_of, project):
    assert permissions.can_perform(user_of(persona), project, action) is (
        persona in ACTION_ACTORS[action]
    )


@pytest.mark.parametrize("persona", EVERYONE)
def test_project_access(persona, user_of, alliance, project):
    user = user_of(persona)
    public = ProjectFactory(
        phase=project.phase, applicant_organisation=OrganisationFactory(alliance=alliance)
    )
    Project.objects.filter(pk=public.pk).update(status=Status.GRANTED)
    public.refresh_from_db()
    access = permissions.project_access(user, alliance)
    assert isinstance(access, permissions.ProjectAccess)
    sees_all = persona in INTERNAL
    visible = set(Project.objects.filter(access.visible()))
    assert visible == ({public, project} if sees_all or persona == "own" else {public})
    assert access.sees_everything_of(project) is (sees_all or persona == "own")
    assert access.sees_everything_of(public) is sees_all
    # The non-public record (documents …): the same rule as sees_everything_of, as a filter.
    records = set(Project.objects.filter(access.records()))
    assert records == ({public, project} if sees_all else {project} if persona == "own" else set())


def test_project_access_of_the_creator(alliance, project, django_assert_num_queries):
    creator = UserFactory()
    Project.objects.filter(pk=project.pk).update(created_by=creator)
    with django_assert_num_queries(1):  # the creator's roles (no applicant role: nothing more)
        access = permissions.project_access(creator, alliance)
    assert set(Project.objects.filter(access.visible())) == {project}
    assert set(Project.objects.filter(access.records())) == {project}
    assert access.sees_everything_of(Project.objects.get(pk=project.pk))


def test_project_access_of_the_public_asks_nothing(alliance, django_assert_num_queries):
    with django_assert_num_queries(0):
        access = permissions.project_access(AnonymousUser(), alliance)
    assert access.user_id is None
    assert not access.internal
    assert access.organisation_ids == frozenset()


@pytest.mark.parametrize("persona", EVERYONE)
def test_can_use_applicant_portal(persona, user_of, alliance):
    expected = persona in INTERNAL or persona in {"applicant", "own"}
    assert permissions.can_use_applicant_portal(user_of(persona), alliance) is expected


@pytest.mark.parametrize("persona", EVERYONE)
def test_project_rights(persona, user_of, project):
    rights = permissions.project_rights(user_of(persona), _with_status(project, Status.IDEA))
    assert isinstance(rights, permissions.ProjectRights)
    assert rights.view is (persona in INTERNAL or persona == "own")
    assert rights.act is (persona in MANAGERS or persona == "own")
    assert rights.edit is (persona in MANAGERS or persona == "own")
    for action, actors in ACTION_ACTORS.items():
        assert rights.may(action) is (persona in actors), action


def test_project_rights_once_the_applicant_may_no_longer_edit(user_of, project):
    rights = permissions.project_rights(user_of("own"), _with_status(project, Status.GRANTED))
    assert rights.view and rights.act
    assert not rights.edit
    assert rights.may("submit_sketch")  # whatever the state: the procedure checks the move


def test_project_rights_ask_once(user_of, project, django_assert_num_queries):
    office, own = user_of("office"), user_of("own")
    with django_assert_num_queries(1):  # the office's roles; managing answers the rest
        permissions.project_rights(office, project)
    # the applicant's roles; whether they apply for the project's organisation
    with django_assert_num_queries(2):
        permissions.project_rights(own, project)


@pytest.mark.parametrize("persona", EVERYONE)
def test_can_act_in_office_workspace(persona, user_of, alliance):
    assert permissions.can_act_in_office_workspace(user_of(persona), alliance) is (
        persona in MANAGERS
    )


@pytest.mark.parametrize("persona", EVERYONE)
@pytest.mark.parametrize("status", [Status.IDEA, Status.RUNNING, Status.WITHDRAWN])
def test_can_correct_record(persona, status, user_of, project):
    """The office corrects a consultation's or an outcome's day in every state; not the
    applicant, not the bodies, not the other alliance's office."""
    assert permissions.can_correct_record(user_of(persona), _with_status(project, status)) is (
        persona in MANAGERS
    )


def test_every_decision_has_a_test():
    assert untested_decisions(permissions, __file__) == []
