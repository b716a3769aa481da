"""A client's walk through the whole API: from the System, every address found, every page.

Every object served is validated against the specification's schemas (embedded ones too), every
object's own address answers the same object, and no answer contains anything non-public."""

from __future__ import annotations

from collections import deque
from typing import Any

import pytest

from .conftest import ROOT, SECRETS, Api, World, urls_in, validate_list, validate_object

pytestmark = pytest.mark.django_db


def crawl(api: Api, start: str) -> dict[str, Any]:
    """Every answer by address, following every address of the API found in any answer."""
    seen: dict[str, Any] = {}
    queue = deque([start])
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        if url.endswith("/download"):
            response = api.raw(url)
            assert response.status_code == 200, url
            assert response["Content-Type"] == "text/plain; charset=utf-8"
            seen[url] = response.content.decode()
            continue
        payload = api.get(url)
        seen[url] = payload
        if "data" in payload and "pagination" in payload:
            validate_list(payload)
        else:
            validate_object(payload)
        queue.extend(found for found in urls_in(payload) if found not in seen)
    return seen


def test_crawl_validates_everything_and_leaks_nothing(world: World, api: Api) -> None:
    seen = crawl(api, ROOT + "system")

    objects: dict[str, dict[str, Any]] = {}
    for payload in seen.values():
        if isinstance(payload, dict) and "pagination" in payload:
            for obj in payload["data"]:
                objects.setdefault(obj["id"], obj)
    # Every object of a list was fetched at its own address too, and is the same there.
    for object_id, obj in objects.items():
        assert object_id in seen, object_id
        assert seen[object_id] == obj, object_id

    kinds = {
        payload["type"].rsplit("/", 1)[-1]
        for payload in seen.values()
        if isinstance(payload, dict) and "type" in payload
    }
    assert kinds >= {
        "System",
        "Body",
        "Organization",
        "Person",
        "Membership",
        "Meeting",
        "AgendaItem",
        "Paper",
        "Consultation",
        "File",
        "LegislativeTerm",
    }
    # Both alliances were reached from the System.
    assert ROOT + "body/son" in seen and ROOT + "body/leine-weser" in seen

    for text in api.texts:
        for secret in SECRETS:
            assert secret not in text, secret


def test_crawl_follows_pages(world: World, api: Api) -> None:
    """With a small page size every list has several pages; the walk reaches them all."""
    page = api.get("body/son/membership", limit="3")
    assert page["pagination"]["totalPages"] > 1
    total = page["pagination"]["totalElements"]
    members = api.all_pages("body/son/membership", limit="3")
    assert len(members) == total
    assert len({member["id"] for member in members}) == total
