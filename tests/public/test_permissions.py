"""The contact-message decisions of buendnis.public.permissions, role by role."""

import pytest
from django.contrib.auth.models import AnonymousUser

from buendnis.public import permissions
from tests.conftest import PERSONAS
from tests.decision_coverage import untested_decisions

pytestmark = pytest.mark.django_db

# Messages carry a sender's name and address: the circle reads them, the office handles them.
READS = {"office", "speaker", "member", "advisory", "ministry", "admin"}
HANDLES = {"office", "admin"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_contact_message_decisions_per_role(persona, make_persona, alliance, other_alliance):
    user = make_persona(persona) or AnonymousUser()
    assert permissions.can_view_contact_messages(user, alliance) is (persona in READS)
    assert permissions.can_handle_contact_messages(user, alliance) is (persona in HANDLES)
    # The outsider is the office of the other alliance, and only there.
    assert permissions.can_handle_contact_messages(user, other_alliance) is (
        persona in {"admin", "outsider"}
    )


def test_every_decision_has_a_test():
    assert untested_decisions(permissions, __file__) == []
