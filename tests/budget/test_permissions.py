"""The budget decision of buendnis.budget.permissions, role by role."""

import pytest
from django.contrib.auth.models import AnonymousUser

from buendnis.budget import permissions
from tests.conftest import PERSONAS
from tests.decision_coverage import untested_decisions

pytestmark = pytest.mark.django_db

# The dashboard is the internal circle's and the ministry's; the public sees the totals elsewhere.
READS_BUDGET = {"office", "speaker", "member", "advisory", "ministry", "admin"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_can_view_budget(persona, make_persona, alliance, other_alliance):
    user = make_persona(persona) or AnonymousUser()
    assert permissions.can_view_budget(user, alliance) is (persona in READS_BUDGET)
    assert permissions.can_view_budget(user, other_alliance) is (
        persona in {"ministry", "admin", "outsider"}
    )


def test_every_decision_has_a_test():
    assert untested_decisions(permissions, __file__) == []
