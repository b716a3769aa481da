"""The meeting decisions of buendnis.meetings.permissions, role by role, and what the public sees
of meetings, decisions and circulations."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from buendnis.accounts.models import Role
from buendnis.meetings import permissions
from buendnis.meetings.models import Circulation, Decision, DecisionOutcome, Meeting
from tests.conftest import PERSONAS
from tests.decision_coverage import untested_decisions
from tests.factories import (
    AgendaItemFactory,
    BodyFactory,
    MeetingFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

INTERNAL = {"office", "speaker", "member", "advisory", "ministry", "admin"}
MANAGERS = {"office", "admin"}


@pytest.fixture
def user_of(make_persona):
    return lambda persona: make_persona(persona) or AnonymousUser()


def _meeting(*, public: bool, invited: bool) -> Meeting:
    return Meeting(has_public_part=public, invited_at=timezone.now() if invited else None)


@pytest.mark.parametrize("persona", PERSONAS)
def test_internal_meeting_decisions_per_role(persona, user_of, alliance):
    user = user_of(persona)
    assert permissions.can_view_meetings(user, alliance) is (persona in INTERNAL)
    assert permissions.can_subscribe_meetings(user, alliance) is (persona in INTERNAL)
    assert permissions.can_view_meeting_document(user, alliance) is (persona in INTERNAL)
    assert permissions.can_manage_meetings(user, alliance) is (persona in MANAGERS)


def test_outsider_keeps_the_meetings_of_its_own_alliance(make_persona, other_alliance):
    outsider = make_persona("outsider")
    assert permissions.can_view_meetings(outsider, other_alliance)
    assert permissions.can_manage_meetings(outsider, other_alliance)


@pytest.mark.parametrize("public", [True, False])
@pytest.mark.parametrize("invited", [True, False])
def test_can_view_meeting_publicly(public, invited):
    meeting = _meeting(public=public, invited=invited)
    assert permissions.can_view_meeting_publicly(meeting) is public


@pytest.mark.parametrize("public", [True, False])
@pytest.mark.parametrize("invited", [True, False])
def test_is_agenda_published(public, invited):
    meeting = _meeting(public=public, invited=invited)
    assert permissions.is_agenda_published(meeting) is (public and invited)


@pytest.mark.parametrize("persona", PERSONAS)
def test_can_view_meeting_calendar(persona, user_of, alliance):
    user = user_of(persona)
    body = BodyFactory(alliance=alliance)
    open_meeting = MeetingFactory(body=body, has_public_part=True)
    closed_meeting = MeetingFactory(body=body, has_public_part=False)
    assert permissions.can_view_meeting_calendar(user, open_meeting)
    assert permissions.can_view_meeting_calendar(user, closed_meeting) is (persona in INTERNAL)


def test_published_decisions_q(alliance):
    body = BodyFactory(alliance=alliance)
    now = timezone.now()
    invited = MeetingFactory(body=body, has_public_part=True, invited_at=now)
    not_invited = MeetingFactory(body=body, has_public_part=True, invited_at=None)
    closed = MeetingFactory(body=body, has_public_part=False, invited_at=now)

    def decide(meeting, *, public):
        item = AgendaItemFactory(meeting=meeting, is_public=public)
        return Decision.objects.create(alliance=alliance, item=item, outcome=DecisionOutcome.AGREED)

    published = decide(invited, public=True)
    decide(invited, public=False)
    decide(not_invited, public=True)
    decide(closed, public=True)
    assert list(Decision.objects.filter(permissions.published_decisions_q())) == [published]
    # The filter says what `is_agenda_published` and the item's flag say, one decision at a time.
    for decision in Decision.objects.select_related("item__meeting"):
        assert (decision == published) is (
            decision.item.is_public and permissions.is_agenda_published(decision.item.meeting)
        )


def test_published_circulations_q(alliance):
    body = BodyFactory(alliance=alliance)

    def circulation(*, public):
        return Circulation.objects.create(
            alliance=alliance,
            body=body,
            title="Umlauf",
            text="Der Steuerkreis stimmt zu.",
            deadline=timezone.now() + timedelta(days=7),
            is_public=public,
        )

    public = circulation(public=True)
    circulation(public=False)
    assert list(Circulation.objects.filter(permissions.published_circulations_q())) == [public]


def test_answering_organisation_ids(alliance, other_alliance, django_assert_num_queries):
    user = UserFactory()
    sits_for = OrganisationFactory(alliance=alliance)
    applies_for = OrganisationFactory(alliance=alliance)
    elsewhere = OrganisationFactory(alliance=other_alliance)
    MembershipFactory(user=user, alliance=alliance, role=Role.STEERING, organisation=sits_for)
    MembershipFactory(user=user, alliance=alliance, role=Role.APPLICANT, organisation=applies_for)
    MembershipFactory(
        user=user, alliance=other_alliance, role=Role.STEERING, organisation=elsewhere
    )
    with django_assert_num_queries(1):
        assert permissions.answering_organisation_ids(user, alliance) == {sits_for.pk}
    assert permissions.answering_organisation_ids(user, other_alliance) == {elsewhere.pk}
    # A seat in the Steuerkreis without an organisation answers for none.
    without = UserFactory()
    MembershipFactory(user=without, alliance=alliance, role=Role.STEERING)
    assert permissions.answering_organisation_ids(without, alliance) == frozenset()
    with django_assert_num_queries(0):
        assert permissions.answering_organisation_ids(AnonymousUser(), alliance) == frozenset()
    user.is_active = False
    assert permissions.answering_organisation_ids(user, alliance) == frozenset()


def test_every_decision_has_a_test():
    assert untested_decisions(permissions, __file__) == []
