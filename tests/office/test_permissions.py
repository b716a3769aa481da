"""The decisions of buendnis.office.permissions, role by role and for the other alliance."""

import pytest
from django.contrib.auth.models import AnonymousUser

from buendnis.office import permissions
from tests.conftest import PERSONAS
from tests.decision_coverage import untested_decisions

pytestmark = pytest.mark.django_db

# The inbox holds people's questions: the office works it, the ministry reads it.
VIEWS = {"office", "ministry", "admin"}
HANDLES = {"office", "admin"}
EXPORTS = {"office", "admin"}
# Anyone of the alliance's internal circle asks the office (the ministry changes nothing).
ASKS = {"office", "speaker", "member", "advisory", "admin"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_inquiry_decisions_per_role(persona, make_persona, alliance, other_alliance):
    user = make_persona(persona) or AnonymousUser()
    assert permissions.can_view_inquiries(user, alliance) is (persona in VIEWS)
    assert permissions.can_handle_inquiries(user, alliance) is (persona in HANDLES)
    assert permissions.can_export_inquiries(user, alliance) is (persona in EXPORTS)
    assert permissions.can_ask_office(user, alliance) is (persona in ASKS)
    # The outsider holds every role in the other alliance, and only there.
    assert permissions.can_handle_inquiries(user, other_alliance) is (
        persona in {"admin", "outsider"}
    )
    assert permissions.can_ask_office(user, other_alliance) is (persona in {"admin", "outsider"})
    assert permissions.can_view_inquiries(user, other_alliance) is (
        persona in {"admin", "outsider", "ministry"}
    )
    assert permissions.can_export_inquiries(user, other_alliance) is (
        persona in {"admin", "outsider"}
    )


def test_every_decision_has_a_test():
    assert untested_decisions(permissions, __file__) == []
