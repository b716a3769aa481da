"""The decisions of buendnis.alliances.permissions, role by role, in both alliances."""

import pytest
from django.contrib.auth.models import AnonymousUser

from buendnis.alliances import permissions
from tests.conftest import PERSONAS
from tests.decision_coverage import untested_decisions

pytestmark = pytest.mark.django_db

# Phases not (yet) recognised and the partners' signatures: the alliance's internal circle, the
# ministry and platform admins; never the public or applicants. The outsider holds every role,
# but only in the other alliance.
SEES = {"office", "speaker", "member", "advisory", "ministry", "admin"}
SEES_OTHER = {"ministry", "admin", "outsider"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_can_view_unrecognised_phases(persona, make_persona, alliance, other_alliance):
    user = make_persona(persona) or AnonymousUser()
    assert permissions.can_view_unrecognised_phases(user, alliance) is (persona in SEES)
    assert permissions.can_view_unrecognised_phases(user, other_alliance) is (persona in SEES_OTHER)


@pytest.mark.parametrize("persona", PERSONAS)
def test_can_view_phase_agreements(persona, make_persona, alliance, other_alliance):
    user = make_persona(persona) or AnonymousUser()
    assert permissions.can_view_phase_agreements(user, alliance) is (persona in SEES)
    assert permissions.can_view_phase_agreements(user, other_alliance) is (persona in SEES_OTHER)


def test_every_decision_has_a_test():
    assert untested_decisions(permissions, __file__) == []
