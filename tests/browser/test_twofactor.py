"""Two-factor set-up in the real browser: the office's first login leads to the set-up, the app
is confirmed with its code, the recovery codes are shown once; each page passes axe."""

from collections.abc import Callable
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from buendnis.accounts.models import User

from ..factories import AllianceStructure
from ..twofactor import code_for
from .conftest import PASSWORD, PageProblems, assert_accessible

pytestmark = pytest.mark.browser

BOARD = "/son/intern/vorhaben/"


def test_office_sets_up_two_factor_at_its_first_login(
    new_page: Callable[..., Any],
    page_problems: PageProblems,
    site: AllianceStructure,
    make_persona: Callable[[str], User | None],
) -> None:
    make_persona("office")
    page = new_page()
    page.goto(BOARD)
    page.fill("#id_username", "office")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    assert "/konto/zwei-faktor/" in page.url
    assert_accessible(page)

    page.get_by_role("button", name="Zwei-Faktor-Anmeldung einrichten").click()
    page.wait_for_load_state()
    expect(page.locator("figure.qr-code svg")).to_be_visible()
    assert_accessible(page)

    device = TOTPDevice.objects.get(user__username="office", confirmed=False)
    page.fill("#id_code", code_for(device))
    page.get_by_role("button", name="Bestätigen und einschalten").click()
    page.wait_for_load_state()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert_accessible(page)

    page.get_by_role("link", name="Ich habe die Codes gesichert – weiter").click()
    page.wait_for_load_state()
    assert page.url.endswith(BOARD)
    page_problems.check()
