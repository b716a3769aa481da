"""The decisions of buendnis.renewal.permissions, role by role, in the alliance and the other one.

`city` speaks for the Stadt Braunschweig by a role with the organisation, `union` for the DGB by
a contact person's record linked to the login (no role at all).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser

from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance
from buendnis.renewal import permissions
from buendnis.renewal.models import SignatureRequest
from tests.conftest import PERSONAS
from tests.decision_coverage import untested_decisions

from .conftest import Cycle

pytestmark = pytest.mark.django_db

READERS = {"office", "speaker", "member", "advisory", "ministry", "admin", "city"}
OFFICE = {"office", "admin"}
DECIDERS = {"ministry", "admin"}
NAMES = [*PERSONAS, "city", "union"]


@pytest.fixture
def users(cycle: Cycle, contact: User, person_contact: User) -> dict[str, User | None]:
    return {**cycle.personas, "city": contact, "union": person_contact}


@pytest.fixture
def requests_(cycle: Cycle) -> dict[str, SignatureRequest]:
    phase = cycle.prepare()
    city, union = (
        cycle.org("Stadt Braunschweig"),
        cycle.org("DGB Region SüdOstNiedersachsen"),
    )
    made = {request.organisation_id: request for request in cycle.ask(phase, [city, union])}
    return {"city": made[city.pk], "union": made[union.pk]}


def _user(users: dict[str, User | None], name: str) -> User | AnonymousUser:
    return users[name] or AnonymousUser()


@pytest.mark.parametrize("name", NAMES)
def test_who_reads_prepares_and_decides(
    name: str, users: dict[str, User | None], alliance: Alliance, other_alliance: Alliance
) -> None:
    user = _user(users, name)
    assert permissions.can_view_cycle(user, alliance) is (name in READERS)
    assert permissions.can_prepare(user, alliance) is (name in OFFICE)
    assert permissions.can_decide_recognition(user) is (name in DECIDERS)
    # In the other alliance the outsider is the office; the ministry and admins see all.
    assert permissions.can_view_cycle(user, other_alliance) is (
        name in {"outsider", "ministry", "admin"}
    )
    assert permissions.can_prepare(user, other_alliance) is (name in {"outsider", "admin"})


@pytest.mark.parametrize("name", NAMES)
def test_who_answers_for_an_organisation(
    name: str,
    users: dict[str, User | None],
    requests_: dict[str, SignatureRequest],
    alliance: Alliance,
    cycle: Cycle,
) -> None:
    user = _user(users, name)
    speaks_for = {
        "city": {cycle.org("Stadt Braunschweig").pk},
        "union": {cycle.org("DGB Region SüdOstNiedersachsen").pk},
    }.get(name, set())
    assert permissions.organisation_ids_of(user, alliance) == frozenset(speaks_for)
    for organisation, request in requests_.items():
        expected = name in OFFICE or name == organisation
        assert permissions.can_answer_request(user, request) is expected, organisation


def test_an_inactive_contact_speaks_for_nobody(
    contact: User, requests_: dict[str, SignatureRequest], alliance: Alliance
) -> None:
    contact.is_active = False
    contact.save()
    assert permissions.organisation_ids_of(contact, alliance) == frozenset()
    assert not permissions.can_answer_request(contact, requests_["city"])


def test_whom_a_user_speaks_for_costs_two_queries(
    contact: User,
    alliance: Alliance,
    django_assert_num_queries: Callable[..., object],
) -> None:
    with django_assert_num_queries(2):  # type: ignore[attr-defined]
        permissions.organisation_ids_of(contact, alliance)
    with django_assert_num_queries(0):  # type: ignore[attr-defined]
        permissions.organisation_ids_of(AnonymousUser(), alliance)


def test_every_decision_is_tested() -> None:
    assert untested_decisions(permissions, __file__) == []
