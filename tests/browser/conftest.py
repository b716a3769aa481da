"""Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Never `playwright install`: the browser is the system's /usr/bin/chromium. Screenshots go to
/work/main/test-artifacts/ (git-ignored) for a human to look at.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

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


# The alliances' regions as long as the real ones (buendnis/demo/structure.py): the header shows
# the region next to the alliance's name, and a short one hid the header link from axe (above).
REGIONS = {
    "son": "Städte Braunschweig, Salzgitter und Wolfsburg; Landkreise Gifhorn, Goslar, "
    "Helmstedt, Peine und Wolfenbüttel",
    "leine-weser": "Region Hannover; Landkreise Diepholz, Hameln-Pyrmont, Hildesheim, "
    "Holzminden, Nienburg/Weser und Schaumburg",
}


@pytest.fixture
def site(alliance: Alliance, other_alliance: Alliance) -> AllianceStructure:
    build_alliance_structure(other_alliance, place="Hameln")
    structure = build_alliance_structure(alliance, place="Braunschweig")
    for each in (alliance, other_alliance):
        each.region = REGIONS[each.slug]
        each.save(update_fields=["region"])
    return structure


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# axe's `link-in-text-block` (a link told from the text around it by colour alone) missed the
# header's alliance link (no underline), which an outside crawl found on 44 of 49 public pages.
# Two reasons, both fixed here:
# - axe looks only at links whose block holds more other text than link text. The factory's
#   region, "Region Braunschweig und Umland", is shorter than "Fachkräftebündnis
#   SüdOstNiedersachsen"; the real regions (the demo's, the crawl's) are longer. So the rule
#   skipped the link here. Now the rule takes every link with any other text in its block, and
#   the browser tests' alliances have regions as long as the real ones (`site` below).
# - Taken so, axe could not always measure the link's contrast ("element overlap") and reported
#   the link as "incomplete", which this check ignored. A link in text that axe cannot show to
#   be told apart now fails too: a link that is underlined (as every link in text here should be)
#   passes without any measuring.
STRICT_LINK_IN_TEXT_BLOCK = """
axe.configure({rules: [{
    id: "link-in-text-block",
    matches: function (node) {
        const role = node.getAttribute("role");
        return (!role || role === "link")
            && axe.commons.text.sanitize(node.innerText) !== ""
            && axe.commons.dom.isVisibleOnScreen(node)
            && axe.commons.dom.isInTextBlock(node, {noLengthCompare: true});
    },
}]});
"""


def run_axe(page: Any) -> Any:
    """axe-core on the page, with the stricter link rule above."""
    from axe_playwright_python.base import AxeResults
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page.evaluate(axe.axe_script)
    page.evaluate(STRICT_LINK_IN_TEXT_BLOCK)
    return AxeResults(page.evaluate("axe.run({resultTypes: ['violations']})"))


def assert_accessible(page: Any) -> None:
    """axe-core on the page as rendered; any serious or critical violation fails the test, and
    so does a link in text that axe cannot show to be distinguishable (above)."""
    results = run_axe(page)
    blocking = [
        violation
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ] + [
        unsure for unsure in results.response["incomplete"] if unsure["id"] == "link-in-text-block"
    ]
    if blocking:
        print(results.generate_report())  # noqa: T201 - the report is the point of a failure
        pytest.fail(
            f"{page.url}: "
            + ", ".join(f"{v['id']} ({v['impact']}, {len(v['nodes'])}×)" for v in blocking)
        )


def log_in(page: Any, username: str, next_url: str) -> None:
    """Through the real login form, as a person would: the password, then, for whoever must use
    two-factor login (office, ministry, admins) or has set it up, the code of their app, computed
    here as the app would (tests/twofactor.py; the app is made for them if they have none)."""
    from buendnis.accounts import permissions
    from buendnis.accounts.models import User

    from ..twofactor import device_for

    user = User.objects.get(username=username)
    needs_code = (
        permissions.must_use_two_factor(user)
        or TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    )
    if needs_code:
        device_for(user)
    page.goto(next_url)
    assert "/konto/anmelden/" in page.url
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    if needs_code:
        assert "/konto/anmelden/code/" in page.url, page.url
        page.fill("#id_code", _fresh_code(username))
        page.locator("main form.form button[type=submit]").click()
        page.wait_for_load_state()


def _fresh_code(username: str) -> str:
    """A code the device has not taken yet: each 30-second period's code works once, so a second
    login within the period gives the next period's (the device accepts it, tolerance 1)."""
    from django_otp.oath import TOTP

    from ..twofactor import code_for

    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
    return code_for(device, steps_ahead=1 if device.last_t >= now else 0)
