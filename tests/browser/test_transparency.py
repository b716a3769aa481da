"""The public transparency site in the browser: projects, meetings, budget and contact, walked as
a visitor would, with the axe check on every page, the keyboard and the print view."""

from collections.abc import Callable
from typing import Any

import pytest

from buendnis.accounts.models import User
from buendnis.funding.states import Status
from buendnis.office.models import Inquiry

from ..factories import AllianceStructure, project_in_state
from ..meetings.publication_setup import build_scene
from .conftest import PageProblems, assert_accessible, screenshot

pytestmark = pytest.mark.browser


def test_a_visitor_walks_the_transparency_pages(
    new_page: Callable[..., Any],
    page_problems: PageProblems,
    site: AllianceStructure,
    make_persona: Callable[[str], User | None],
) -> None:
    office = make_persona("office")
    assert office is not None
    running = project_in_state(site, Status.RUNNING, title="Welcome Center Braunschweig")
    project_in_state(site, Status.ENDORSED, title="Pflegekräfte aus dem Ausland")
    hidden = project_in_state(site, Status.SKETCH_SPEAKERS, title="Noch nicht öffentlich")
    scene = build_scene(site, office)

    page = new_page()
    page.goto("/son/projekte/")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("h1").count() == 1
    assert page.get_by_text("Welcome Center Braunschweig").first.is_visible()
    assert hidden.title not in page.content()
    assert_accessible(page)
    screenshot(page, "public-projects")

    # Search through the form, with the keyboard: type, then Enter.
    search = page.get_by_label("Suchbegriff")
    search.fill("Welcome")
    search.press("Enter")
    page.wait_for_load_state()
    assert "q=Welcome" in page.url
    assert page.get_by_text("Welcome Center Braunschweig").first.is_visible()
    assert "Pflegekräfte aus dem Ausland" not in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Welcome Center Braunschweig").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/son/projekte/{running.reference}/")
    assert page.locator("h1").inner_text().strip().startswith("Welcome Center Braunschweig")
    assert running.contact_email not in page.content()
    assert_accessible(page)
    screenshot(page, "public-project")

    page.goto("/son/sitzungen/")
    assert_accessible(page)
    screenshot(page, "public-meetings")
    page.goto(f"/son/sitzungen/{scene.held.pk}/")
    main = page.locator("main").inner_text()
    assert scene.report.title in main and scene.personnel.title not in main
    assert_accessible(page)
    screenshot(page, "public-meeting")

    page.goto("/son/budget/")
    assert page.locator("svg").first.is_visible()
    assert_accessible(page)
    screenshot(page, "public-budget")

    page.goto("/son/kontakt/")
    assert_accessible(page)
    form = page.locator("main form[method=post]")
    form.get_by_label("Ihr Name").fill("Erika Muster")
    form.locator("input[name=email]").fill("erika@example.org")
    form.get_by_label("Betreff").fill("Frage zum Welcome Center")
    form.locator("textarea[name=message]").fill("Wie kann sich unser Betrieb beteiligen?")
    form.locator("input[name=privacy]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert Inquiry.objects.filter(subject="Frage zum Welcome Center").count() == 1
    assert page.locator("[role=status], .messages").first.is_visible()
    assert_accessible(page)
    screenshot(page, "public-contact-sent")

    # Print: the navigation and forms give way to the content.
    page.goto(f"/son/projekte/{running.reference}/")
    page.emulate_media(media="print")
    assert not page.locator(".alliance-nav").is_visible()
    assert page.locator("h1").is_visible()
    page.emulate_media(media="screen")

    # Keyboard: the first Tab lands on the skip link or the first link of the page, and focus
    # is visible.
    page.goto("/son/projekte/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.tagName")
    assert focused in ("A", "BUTTON", "INPUT")
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement); "
        "return s.outlineStyle + ' ' + s.boxShadow; })()"
    )
    assert outline != "none none"
    page_problems.check()


def test_a_first_visit_sets_no_cookie_and_the_language_link_switches(
    new_page: Callable[..., Any], page_problems: PageProblems, site: AllianceStructure
) -> None:
    """A fresh browser gets no cookie from the public pages, the contact form included; the
    header's link switches to English and back, on the same page."""
    page = new_page()
    for url in ("/son/", "/son/projekte/?q=Pflege", "/son/kontakt/"):
        page.goto(url)
        assert page.context.cookies() == [], url
    page.goto("/son/projekte/?q=Pflege")
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.url.endswith("/son/projekte/?q=Pflege")
    assert page.locator("html").get_attribute("lang") == "en"
    assert [cookie["name"] for cookie in page.context.cookies()] == ["django_language"]
    assert_accessible(page)
    page.get_by_role("link", name="Deutsch").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "de"
    page_problems.check()
