"""After the login each person lands on their work, not on the platform's start page (issue 12):
the internal circle on its alliance's desk, applicants in their portal, the ministry and platform
admins on the overview across alliances. A `next` that Django accepts still wins."""

from collections.abc import Callable
from urllib.parse import parse_qs

import pytest
from django.test import Client

from buendnis.accounts import permissions
from buendnis.accounts.models import PlatformRole, Role, User
from buendnis.alliances.models import Alliance
from buendnis.portal.account_views import landing_path
from tests.conftest import PERSONAS
from tests.factories import MembershipFactory, UserFactory
from tests.twofactor import code_for, device_for

pytestmark = pytest.mark.django_db

LOGIN = "/konto/anmelden/"
CODE_STEP = "/konto/anmelden/code/"
PASSWORD = "geheim-genug-123"  # UserFactory's

# persona → where the login leads without `next`; None: no login (the public)
LANDING = {
    "public": None,
    "office": "/son/intern/",
    "speaker": "/son/intern/",
    "member": "/son/intern/",
    "advisory": "/son/intern/",
    "applicant": "/son/vorhaben/",
    "ministry": "/ministerium/",
    "admin": "/ministerium/",
    # Every role, but only in the other alliance: that alliance's desk.
    "outsider": "/leine-weser/intern/",
}


def log_in(user: User, **extra: str) -> tuple[Client, str]:
    """The whole login: the password, and for whoever must use two-factor login (office,
    ministry, admins) the code of their app; the second step carries the landing along."""
    needs_code = permissions.must_use_two_factor(user)
    if needs_code:
        device = device_for(user)
    client = Client()
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD, **extra})
    assert response.status_code == 302, response.content.decode()[:1500]
    location = response["Location"]
    if needs_code:
        step, _sep, query = location.partition("?")
        assert step == CODE_STEP
        [target] = parse_qs(query)["next"]
        response = client.post(CODE_STEP, {"code": code_for(device), "next": target})
        assert response.status_code == 302, response.content.decode()[:1500]
        location = response["Location"]
    return client, location


def test_every_persona_has_an_expectation() -> None:
    assert set(LANDING) == set(PERSONAS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_login_leads_to_the_persons_work(
    persona: str, make_persona: Callable[[str], User | None]
) -> None:
    user = make_persona(persona)
    if user is None:
        # Without an account there is nothing to land on: a wrong login stays on the form.
        response = Client().post(LOGIN, {"username": "niemand", "password": "falsch"})
        assert response.status_code == 200
        return
    client, location = log_in(user)
    assert location == LANDING[persona]
    # And that work opens for them.
    assert client.get(location).status_code == 200


@pytest.mark.parametrize("persona", ["office", "applicant", "ministry", "admin"])
def test_next_still_wins(persona: str, make_persona: Callable[[str], User | None]) -> None:
    user = make_persona(persona)
    assert user is not None
    _client, location = log_in(user, next="/son/projekte/?q=Welcome")
    assert location == "/son/projekte/?q=Welcome"


@pytest.mark.parametrize(
    "target", ["https://boese.example.org/son/intern/", "//boese.example.org/", "javascript:x"]
)
def test_a_next_to_another_host_is_ignored(
    target: str, make_persona: Callable[[str], User | None]
) -> None:
    user = make_persona("office")
    assert user is not None
    _client, location = log_in(user, next=target)
    assert location == "/son/intern/"


def test_the_login_page_carries_next(client: Client) -> None:
    html = client.get(f"{LOGIN}?next=/son/intern/sitzungen/").content.decode()
    assert 'name="next" value="/son/intern/sitzungen/"' in html


def test_roles_in_two_alliances_lead_to_the_start_page(
    alliance: Alliance, other_alliance: Alliance
) -> None:
    user = UserFactory(username="zwei")
    MembershipFactory(user=user, alliance=alliance, role=Role.OFFICE)
    MembershipFactory(user=user, alliance=other_alliance, role=Role.APPLICANT)
    client, location = log_in(user)
    assert location == "/"
    html = client.get(location).content.decode()
    assert alliance.name in html and other_alliance.name in html


def test_the_internal_role_wins_over_the_applicant_role(alliance: Alliance) -> None:
    user = UserFactory(username="beides")
    MembershipFactory(user=user, alliance=alliance, role=Role.APPLICANT)
    MembershipFactory(user=user, alliance=alliance, role=Role.STEERING)
    assert log_in(user)[1] == "/son/intern/"


def test_an_inactive_alliance_is_no_work(alliance: Alliance, other_alliance: Alliance) -> None:
    other_alliance.is_active = False
    other_alliance.save()
    user = UserFactory(username="treu")
    MembershipFactory(user=user, alliance=alliance, role=Role.APPLICANT)
    MembershipFactory(user=user, alliance=other_alliance, role=Role.OFFICE)
    assert log_in(user)[1] == "/son/vorhaben/"


def test_without_any_role_the_start_page(alliance: Alliance) -> None:
    assert log_in(UserFactory(username="neu"))[1] == "/"


def test_a_superuser_without_platform_role_is_a_platform_admin() -> None:
    user = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert user.platform_role == PlatformRole.NONE
    assert log_in(user)[1] == "/ministerium/"


def test_landing_path_for_the_anonymous() -> None:
    from django.contrib.auth.models import AnonymousUser

    assert landing_path(AnonymousUser()) == "/"
