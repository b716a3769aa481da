"""Shared fixtures: an alliance and the personas of STYLE.md, one per role."""

from collections.abc import Callable

import pytest
from django.test import Client

from buendnis.accounts.models import PlatformRole, Role, User
from buendnis.alliances.models import Alliance

from .factories import AllianceFactory, MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def _german() -> None:
    """Tests read the German messages users see."""
    from django.utils import translation

    translation.activate("de")


@pytest.fixture(autouse=True)
def _fresh_idea_corpora() -> None:
    """Each worker process keeps its alliances' idea corpora in memory; a test's rolled-back
    rows must not linger there for the next test (SQLite reuses their ids)."""
    from buendnis.ideas import matching

    matching.forget_corpora()


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """The forms' rate limits count in the cache, which lives as long as the test process: every
    test starts with none of an earlier test's registrations or resets counted."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _force_login_gives_the_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two-factor login is enforced in tests as everywhere (accounts.middleware). A test that
    logs someone in with `client.force_login` (several dozen do, directly or through
    `client_as`) means a person at work, who gave their code: for whoever must use two-factor
    login, or has set it up, the login therefore also verifies the session with a confirmed app
    (tests/twofactor.py). The gate's own tests log in with `force_login_unverified`."""
    from buendnis.accounts import permissions, twofactor

    from .twofactor import _PLAIN_FORCE_LOGIN, verify_session

    def force_login(self: Client, user: User, backend: str | None = None) -> None:
        _PLAIN_FORCE_LOGIN(self, user, backend)
        if permissions.must_use_two_factor(user) or twofactor.has_two_factor(user):
            verify_session(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def alliance(db: None) -> Alliance:
    return AllianceFactory(
        slug="son", name="Fachkräftebündnis SüdOstNiedersachsen", short_name="SüdOstNiedersachsen"
    )


@pytest.fixture
def other_alliance(db: None) -> Alliance:
    return AllianceFactory(
        slug="leine-weser", name="Fachkräftebündnis Leine-Weser", short_name="Leine-Weser"
    )


# The personas. Each holds one role in `alliance`; `outsider` holds every internal role, but only in
# `other_alliance`, so it proves tenant separation.
PERSONAS = [
    "public",
    "office",
    "speaker",
    "member",
    "advisory",
    "applicant",
    "ministry",
    "admin",
    "outsider",
]


@pytest.fixture
def make_persona(alliance: Alliance, other_alliance: Alliance) -> Callable[[str], User | None]:
    def make(name: str) -> User | None:
        if name == "public":
            return None
        if name == "ministry":
            # Staff, like the ministry's real login: Django lets only staff into the (read-only) admin.
            return UserFactory(
                username="ministry", platform_role=PlatformRole.MINISTRY, is_staff=True
            )
        if name == "admin":
            return UserFactory(
                username="admin", platform_role=PlatformRole.ADMIN, is_staff=True, is_superuser=True
            )
        if name == "outsider":
            user = UserFactory(username="outsider", is_staff=True)
            for role in Role.values:
                MembershipFactory(user=user, alliance=other_alliance, role=role)
            return user
        role = {
            "office": Role.OFFICE,
            "speaker": Role.SPEAKER,
            "member": Role.STEERING,
            "advisory": Role.ADVISORY,
            "applicant": Role.APPLICANT,
        }[name]
        user = UserFactory(username=name, is_staff=(name == "office"))
        MembershipFactory(user=user, alliance=alliance, role=role)
        return user

    return make


@pytest.fixture
def client_as(make_persona: Callable[[str], User | None]) -> Callable[[str], Client]:
    """A test client logged in as the named persona (or anonymous for "public")."""

    def login(name: str) -> Client:
        client = Client()
        user = make_persona(name)
        if user is not None:
            client.force_login(user)
        return client

    return login
