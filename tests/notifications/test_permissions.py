"""Every decision of `notifications.permissions`, for every persona and the other alliance."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance
from buendnis.funding.states import Status
from buendnis.notifications import permissions, services, topics
from buendnis.notifications.models import Notification
from tests.conftest import PERSONAS
from tests.decision_coverage import untested_decisions
from tests.factories import AllianceStructure, project_in_state

pytestmark = pytest.mark.django_db

WITH_A_ROLE = {"office", "speaker", "member", "advisory", "applicant", "ministry", "admin"}
INTERNAL = WITH_A_ROLE - {"applicant"}


def test_every_decision_has_a_test() -> None:
    assert untested_decisions(permissions, __file__) == []


@pytest.mark.parametrize("name", PERSONAS)
def test_can_use_notifications(
    name: str,
    alliance: Alliance,
    other_alliance: Alliance,
    make_persona: Callable[[str], User | None],
) -> None:
    user = make_persona(name)
    from django.contrib.auth.models import AnonymousUser

    who = user if user is not None else AnonymousUser()
    assert permissions.can_use_notifications(who, alliance) is (name in WITH_A_ROLE)
    # The outsider uses its own alliance's; the ministry and admins every alliance's.
    assert permissions.can_use_notifications(who, other_alliance) is (
        name in {"outsider", "ministry", "admin"}
    )


@pytest.mark.parametrize("name", PERSONAS)
def test_can_follow(
    name: str,
    structure: AllianceStructure,
    other_structure: AllianceStructure,
    make_persona: Callable[[str], User | None],
) -> None:
    from django.contrib.auth.models import AnonymousUser

    user = make_persona(name)
    who = user if user is not None else AnonymousUser()
    alliance = structure.alliance
    steering = topics.body(structure.bodies["steering"].pk)
    project = project_in_state(structure, Status.CONSULTATION)
    assert permissions.can_follow(who, alliance, steering) is (name in INTERNAL)
    assert permissions.can_follow(who, alliance, topics.project(project.pk)) is (name in INTERNAL)
    assert permissions.can_follow(who, alliance, topics.IDEAS_ALL) is (name in INTERNAL)
    assert permissions.can_follow(who, alliance, topics.ideas_field(structure.fields[0].pk)) is (
        name in INTERNAL
    )
    # Another alliance's thing is never a topic here, for anyone.
    assert not permissions.can_follow(
        who, alliance, topics.body(other_structure.bodies["steering"].pk)
    )
    assert not permissions.can_follow(who, alliance, "body:abc")
    assert not permissions.can_follow(who, alliance, "nichts:1")


def test_can_follow_a_project_as_its_applicant(structure: AllianceStructure) -> None:
    from tests.factories import applicant_of

    own = project_in_state(structure, Status.IDEA)
    other = project_in_state(
        structure, Status.IDEA, applicant_organisation=structure.organisations["ihk"]
    )
    applicant = applicant_of(own, username="traeger")
    assert permissions.can_follow(applicant, structure.alliance, topics.project(own.pk))
    assert not permissions.can_follow(applicant, structure.alliance, topics.project(other.pk))
    # A public project is no topic for outsiders either: following means seeing all of it.
    public = project_in_state(structure, Status.ENDORSED)
    assert not permissions.can_follow(applicant, structure.alliance, topics.project(public.pk))


def test_can_open_notification(
    structure: AllianceStructure, make_persona: Callable[[str], User | None]
) -> None:
    member, speaker = make_persona("member"), make_persona("speaker")
    assert member is not None and speaker is not None
    services.subscribe(
        user=member,
        alliance=structure.alliance,
        topic=topics.body(structure.bodies["steering"].pk),
    )
    (row,) = services.notify(
        topic=topics.body(structure.bodies["steering"].pk),
        alliance=structure.alliance,
        kind="test",
        title="Test",
    )
    assert permissions.can_open_notification(member, row)
    assert not permissions.can_open_notification(speaker, row)
    User.objects.filter(pk=member.pk).update(is_active=False)
    member.refresh_from_db()
    assert not permissions.can_open_notification(member, Notification.objects.get())
