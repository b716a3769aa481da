"""The budget dashboard and the Stellungnahme in the real browser: accessibility (axe), the chart
as drawn, a phone's width, and the PDF rendered to a picture for a human to look at."""

import shutil
import subprocess
from collections.abc import Callable
from typing import Any

import pytest

from buendnis.accounts.models import User
from buendnis.funding.models import Project

from ..factories import AllianceStructure
from ..reports.story import BudgetStory, tell_budget_story
from .conftest import ARTIFACTS, PageProblems, assert_accessible, log_in, screenshot

pytestmark = pytest.mark.browser

URL = "/son/intern/budget/"


@pytest.fixture
def story(site: AllianceStructure) -> BudgetStory:
    return tell_budget_story(site)


def test_budget_dashboard_is_accessible(
    new_page: Callable[..., Any],
    page_problems: PageProblems,
    story: BudgetStory,
    make_persona: Callable[[str], User | None],
) -> None:
    make_persona("speaker")
    page = new_page()
    log_in(page, "speaker", URL)
    assert page.url.endswith(URL)
    assert page.locator(".internal-nav a[aria-current=page]").inner_text() == "Budget"
    charts = page.locator("svg[role=img]")
    assert charts.count() == 2
    # The accessible name comes from the SVG's <title>.
    assert page.get_by_role("img", name="Virtuelles Budget der Förderphase").count() == 1
    # The bar is drawn: the paid segment has a width in pixels.
    paid = page.locator("svg[role=img] > rect[fill='#073a50'][height='40']").first
    box = paid.bounding_box()
    assert box is not None and box["width"] > 10
    assert_accessible(page)
    screenshot(page, "desktop-budget")
    page_problems.check()


def test_budget_dashboard_on_a_phone(
    new_page: Callable[..., Any],
    page_problems: PageProblems,
    story: BudgetStory,
    make_persona: Callable[[str], User | None],
) -> None:
    make_persona("office")
    page = new_page(width=320, height=640)
    log_in(page, "office", URL)
    # Nothing pushes the page sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page)
    screenshot(page, "mobile-budget")
    page_problems.check()


def test_statement_pdf_looks_right(
    new_page: Callable[..., Any],
    story: BudgetStory,
    make_persona: Callable[[str], User | None],
) -> None:
    """Downloaded as the office would, then drawn as PNG (pdftoppm) into test-artifacts/."""
    make_persona("office")
    project: Project = story.projects["granted"]
    url = f"/son/intern/vorhaben/{project.reference}/stellungnahme.pdf"
    page = new_page()
    log_in(page, "office", URL)
    response = page.request.get(url)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    assert pdf.startswith(b"%PDF")
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "statement.pdf"
    target.write_bytes(pdf)
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm fehlt (Debian: poppler-utils)")
    subprocess.run(  # noqa: S603 - fixed arguments, our own file
        [pdftoppm, "-png", "-r", "60", str(target), str(ARTIFACTS / "statement")], check=True
    )
    assert (ARTIFACTS / "statement-1.png").exists()
