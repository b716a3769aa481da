"""The ministry's overview in the real browser: accessibility (axe), the table scrolling inside
its own region on a desktop, nothing pushing a phone's page sideways, sorting by a header link."""

from collections.abc import Callable
from typing import Any

import pytest

from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance

from ..reports.ministry_story import Platform, build_platform
from .conftest import PageProblems, assert_accessible, log_in, screenshot

pytestmark = pytest.mark.browser

URL = "/ministerium/"


@pytest.fixture
def platform(alliance: Alliance, other_alliance: Alliance) -> Platform:
    return build_platform(alliance, other_alliance)


def test_overview_is_accessible(
    new_page: Callable[..., Any],
    page_problems: PageProblems,
    platform: Platform,
    make_persona: Callable[[str], User | None],
) -> None:
    make_persona("ministry")
    page = new_page()
    log_in(page, "ministry", URL)
    assert page.url.endswith(URL)
    assert (
        page.get_by_role("img", name="Budgetnutzung der aktuellen Förderphase je Bündnis").count()
        == 1
    )
    # The wide table scrolls in its region; the page itself does not move sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    # A header link sorts and says so.
    page.locator("thead a", has_text="Verfügbar").click()
    page.wait_for_load_state()
    assert page.url.endswith("?sort=available")
    assert page.locator("th[aria-sort=ascending]").inner_text().startswith("Verfügbar")
    assert_accessible(page)
    screenshot(page, "desktop-ministry-overview")
    page_problems.check()


def test_overview_on_a_phone(
    new_page: Callable[..., Any],
    page_problems: PageProblems,
    platform: Platform,
    make_persona: Callable[[str], User | None],
) -> None:
    make_persona("admin")
    page = new_page(width=320, height=640)
    log_in(page, "admin", URL)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page)
    screenshot(page, "mobile-ministry-overview")
    page_problems.check()
