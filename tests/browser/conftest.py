"""Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Never `playwright install`: the browser is the system's /usr/bin/chromium. Screenshots go to
/work/main/test-artifacts/ (git-ignored) for a human to look at.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from buendnis.alliances.models import Alliance

from ..factories import AllianceStructure, build_alliance_structure

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse the
# test's own ORM calls as "async unsafe". The ORM calls here are plain synchronous test set-up.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=de-DE",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "geheim-genug-123"  # UserFactory's password


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            "Chromium fehlt: /usr/bin/chromium ist nicht installiert (apt-get install chromium)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageProblems:
    """What the browser complained about: CSP refusals, console errors, failed requests."""

    def __init__(self) -> None:
        self.console_errors: list[str] = []
        self.failed_requests: list[str] = []

    def check(self) -> None:
        assert not self.console_errors, self.console_errors
        assert not self.failed_requests, self.failed_requests


@pytest.fixture
def page_problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def new_page(
    browser: Any, live_server: Any, page_problems: PageProblems
) -> Iterator[Callable[..., Any]]:
    """Open pages in fresh browser contexts (no cookies shared) of a given viewport width."""
    contexts: list[Any] = []

    def open_page(width: int = 1280, height: int = 900) -> Any:
        context = browser.new_context(
            viewport={"width": width, "height": height},
            locale="de-DE",
            base_url=live_server.url,
            # No transitions: what a test measures right after a key press is the final state.
            reduced_motion="reduce",
        )
        contexts.append(context)
        page = context.new_page()
        # Console errors include CSP refusals ("Refused to apply inline style …"). Failed loads
        # are tracked by status below instead: a 404 page reports its own status here too.
        page.on(
            "console",
            lambda message: (
                page_problems.console_errors.append(message.text)
                if message.type == "error"
                and not message.text.startswith("Failed to load resource")
                else None
            ),
        )
        page.on(
            "response",
            lambda response: (
                page_problems.failed_requests.append(f"{response.status} {response.url}")
                if response.status >= 400 and "/static/" in response.url
                else None
            ),
        )
        # A request the browser itself aborted (the page navigated on before the favicon came)
        # is no fault of the page; every other failure is.
        page.on(
            "requestfailed",
            lambda request: (
                None
                if request.failure == "net::ERR_ABORTED"
                else page_problems.failed_requests.append(
                    f"failed {request.url} ({request.failure})"
                )
            ),
        )
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def site(alliance: Alliance, other_alliance: Alliance) -> AllianceStructure:
    build_alliance_structure(other_alliance, place="Hameln")
    return build_alliance_structure(alliance, place="Braunschweig")


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_accessible(page: Any) -> None:
    """axe-core on the page as rendered; any serious or critical violation fails the test."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    blocking = [
        violation
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    if blocking:
        print(results.generate_report())  # noqa: T201 - the report is the point of a failure
        pytest.fail(
            f"{page.url}: "
            + ", ".join(f"{v['id']} ({v['impact']}, {len(v['nodes'])}×)" for v in blocking)
        )


def log_in(page: Any, username: str, next_url: str) -> None:
    """Through the real login form, as a person would."""
    page.goto(next_url)
    assert "/konto/anmelden/" in page.url
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
