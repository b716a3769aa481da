"""Every list of the API answers a conditional GET: an ETag on the answer, and 304 without a body
when the client already holds that version (ConditionalGetMiddleware)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from buendnis.accounts.models import User
from buendnis.alliances.models import Alliance
from buendnis.funding.states import Status
from tests.factories import build_alliance_structure, project_in_state

pytestmark = pytest.mark.django_db

# Every list endpoint; circulations are the internal circle's, read as the office.
LISTS = {
    "alliance-list": "public",
    "alliance-organisations": "public",
    "alliance-bodies": "public",
    "alliance-phases": "public",
    "alliance-themes": "public",
    "alliance-projects": "public",
    "alliance-meetings": "public",
    "alliance-decisions": "public",
    "alliance-circulations": "office",
    "alliance-ideas": "office",
    "alliance-phase-agreements": "office",
    # After the grant, a project's: read as the office.
    "alliance-project-reports": "office",
    "alliance-project-payment-requests": "office",
    "alliance-project-participants": "office",
}
PROJECT_LISTS = {
    "alliance-project-reports",
    "alliance-project-payment-requests",
    "alliance-project-participants",
}


def test_every_list_is_covered() -> None:
    from buendnis.api.urls import urlpatterns

    # A list's URL name is a plural (`alliance-meetings`) or `…-list`; `transitions` is a write.
    names = {pattern.name for pattern in urlpatterns if pattern.name}
    lists = {
        name
        for name in names
        if (name.endswith("s") or name.endswith("-list")) and name != "alliance-project-transitions"
    }
    assert lists == set(LISTS)


@pytest.mark.parametrize(("name", "persona"), list(LISTS.items()))
def test_lists_answer_conditional_get(
    alliance: Alliance,
    make_persona: Callable[[str], User | None],
    name: str,
    persona: str,
) -> None:
    structure = build_alliance_structure(alliance, place="Braunschweig")
    client = Client()
    user = make_persona(persona)
    if user is not None:
        client.force_login(user)
    if name == "alliance-list":
        url = reverse(f"api:{name}")
    elif name == "alliance-phase-agreements":
        url = reverse(f"api:{name}", kwargs={"slug": alliance.slug, "pk": structure.phase.pk})
    elif name in PROJECT_LISTS:
        project = project_in_state(structure, Status.GRANTED)
        url = reverse(f"api:{name}", kwargs={"slug": alliance.slug, "pk": project.pk})
    else:
        url = reverse(f"api:{name}", kwargs={"slug": alliance.slug})

    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag

    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    # Another version (a changed filter, a stale tag) gets the whole answer.
    assert client.get(url, HTTP_IF_NONE_MATCH='"veraltet"').status_code == 200
