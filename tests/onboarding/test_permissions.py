"""The decision of buendnis.onboarding.permissions, role by role."""

import pytest
from django.contrib.auth.models import AnonymousUser

from buendnis.onboarding import permissions
from tests.conftest import PERSONAS
from tests.decision_coverage import untested_decisions

pytestmark = pytest.mark.django_db

# Bringing records in and out is the office's (and the platform admins'); the ministry reads.
IMPORTS = {"office", "admin"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_can_import(persona, make_persona, alliance, other_alliance):
    user = make_persona(persona) or AnonymousUser()
    assert permissions.can_import(user, alliance) is (persona in IMPORTS)
    # The outsider is the other alliance's office.
    assert permissions.can_import(user, other_alliance) is (persona in {"admin", "outsider"})


def test_every_decision_has_a_test():
    assert untested_decisions(permissions, __file__) == []
