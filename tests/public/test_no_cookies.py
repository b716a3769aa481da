"""No public GET sets a cookie for a visitor who has none: first visits and crawlers get the same
shareable answer as everyone (buendnis/web/caching.py, buendnis/core/public_cache.py).

A visitor without cookies walks everything the public can reach from `/` and `/<slug>/` in the
demo-like data of the no-leak proof (every state of the procedure, meetings, minutes, budget,
downloads, the contact page, the subscription page and the Atom feeds); no answer may carry
`Set-Cookie`. Only the account pages (login, registration: Django's CSRF token protects the
login) and the language switch (its very purpose) set cookies, and neither is a public page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.http import HttpResponse
from django.test import Client

from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance
from tests.test_public_leaks import Markers, Walk, build

pytestmark = pytest.mark.django_db

# Not public pages: they may set cookies (and are never cached).
COOKIE_PATHS = ("/konto/", "/sprache/")


class CookielessClient(Client):
    """A crawler: never sends a cookie, and notes every cookie an answer sets."""

    def __init__(self, **defaults: Any) -> None:
        super().__init__(enforce_csrf_checks=True, **defaults)
        self.set_cookies: list[tuple[str, str]] = []
        self.paths: list[str] = []

    def request(self, **request: Any) -> HttpResponse:
        response = super().request(**request)
        path = str(request.get("PATH_INFO", ""))
        self.paths.append(path)
        self.set_cookies.extend((path, name) for name in response.cookies)
        if response.has_header("Set-Cookie"):
            self.set_cookies.append((path, response["Set-Cookie"]))
        self.cookies.clear()
        return response  # type: ignore[no-any-return]


def test_no_public_page_sets_a_cookie_for_a_visitor_without_one(
    alliance: Alliance, other_alliance: Alliance, make_persona: Callable[[str], User | None]
) -> None:
    mark = Markers()
    build(alliance, "Braunschweig", mark)
    build(other_alliance, "Hameln", mark)
    client = CookielessClient()
    walk = Walk(client=client, markers=mark)
    walk.run("/", *(f"/{slug}/" for slug in (alliance.slug, other_alliance.slug)))
    walk.run("/api/v1/alliances/", "/oparl/v1/system")

    public = [path for path in client.paths if not path.startswith(COOKIE_PATHS)]
    setting = sorted(
        {entry for entry in client.set_cookies if not entry[0].startswith(COOKIE_PATHS)}
    )
    assert setting == [], setting
    # The walk reached the pages that matter, the contact form included.
    reached = {urlsplit(path).path for path in public}
    for expected in (
        "/",
        "/son/",
        "/son/projekte/",
        "/son/budget/",
        "/son/kontakt/",
        "/son/sitzungen/",
        "/son/gremien/",
        "/son/projekte.csv",
        # The public's subscriptions and feeds (buendnis/notifications).
        "/son/abonnieren/",
        "/son/sitzungen.atom",
        "/son/projekte/gefoerdert.atom",
    ):
        assert expected in reached, expected
    assert len(public) > 100, len(public)
    assert walk.statuses[200] > 100


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/son/",
        "/son/kontakt/",
        "/son/projekte/?q=x&page=2",
        "/son/abonnieren/",
        "/son/sitzungen.atom",
        "/son/projekte/gefoerdert.atom",
    ],
)
def test_head_and_get_set_no_cookie(alliance: Alliance, url: str) -> None:
    client = Client(enforce_csrf_checks=True)
    for response in (client.get(url), client.head(url)):
        assert response.status_code == 200
        assert not response.cookies
        assert not response.has_header("Set-Cookie")
