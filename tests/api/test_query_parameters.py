"""Query parameters the API cannot read answer 400 with German messages per parameter, never a
silent default (200) nor a server error: paging (`limit`, `offset`) on every list, the days of
the meetings' and decisions' filters (`from`, `until`, exactly JJJJ-MM-TT as the schema's
`format: date`), the decisions' `project`. The schema documents the bounds and the 400."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from buendnis.alliances.models import Alliance

pytestmark = pytest.mark.django_db

LIMIT = "Bitte für „limit“ eine ganze Zahl größer als 0 angeben."
OFFSET = "Bitte für „offset“ eine ganze Zahl ab 0 angeben."
DAY = "Bitte ein Datum im Format JJJJ-MM-TT angeben, z. B. 2025-03-19."


def lists(slug: str = "son") -> list[str]:
    return [
        reverse("api:alliance-list"),
        reverse("api:alliance-bodies", kwargs={"slug": slug}),
        reverse("api:alliance-organisations", kwargs={"slug": slug}),
        reverse("api:alliance-projects", kwargs={"slug": slug}),
        reverse("api:alliance-meetings", kwargs={"slug": slug}),
        reverse("api:alliance-decisions", kwargs={"slug": slug}),
        reverse("api:overview"),
    ]


@pytest.fixture
def ministry(alliance: Alliance, client_as: Callable[[str], Client]) -> Client:
    # The overview is the ministry's; the other lists answer it as well.
    return client_as("ministry")


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "²", " 3"])
def test_unreadable_offset_is_400(ministry: Client, value: str) -> None:
    for url in lists():
        # German whatever the client's language, like every message of the API.
        response = ministry.get(url, {"offset": value}, headers={"accept-language": "en"})
        assert response.status_code == 400, (url, response.content)
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"offset": [OFFSET]}


@pytest.mark.parametrize("value", ["abc", "0", "-5", "2.0", "٣"])
def test_unreadable_limit_is_400(ministry: Client, value: str) -> None:
    for url in lists():
        response = ministry.get(url, {"limit": value}, headers={"accept-language": "en"})
        assert response.status_code == 400, (url, response.content)
        assert response.json() == {"limit": [LIMIT]}


def test_readable_paging_still_pages(ministry: Client, other_alliance: Alliance) -> None:
    response = ministry.get(reverse("api:alliance-list"), {"limit": "1", "offset": "1"})

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    assert [row["slug"] for row in data["results"]] == ["son"]
    assert ministry.get(reverse("api:alliance-list"), {"offset": "0"}).status_code == 200
    # An empty parameter means none (a form's empty field), as before.
    response = ministry.get(reverse("api:alliance-list"), {"limit": "", "offset": ""})
    assert response.status_code == 200
    assert response.json()["count"] == 2


@pytest.mark.parametrize("name", ["from", "until"])
@pytest.mark.parametrize(
    "value",
    [
        "20250319",  # ISO 8601's basic format: date.fromisoformat reads it, the schema does not
        "2025-W12-3",  # a week date
        "2025-03-19T10:00",
        "2025-02-30",
        "19.03.2025",
        "２０２５-03-19",  # full-width digits
    ],
)
def test_unreadable_day_is_400(ministry: Client, name: str, value: str) -> None:
    for endpoint in ("alliance-meetings", "alliance-decisions"):
        response = ministry.get(reverse(f"api:{endpoint}", kwargs={"slug": "son"}), {name: value})
        assert response.status_code == 400, (endpoint, value, response.content)
        assert response.json() == {name: [DAY]}


def test_day_filters_read_the_schema_format(ministry: Client) -> None:
    for endpoint in ("alliance-meetings", "alliance-decisions"):
        url = reverse(f"api:{endpoint}", kwargs={"slug": "son"})
        assert ministry.get(url, {"from": "2025-03-19", "until": "2025-12-31"}).status_code == 200
        # An empty parameter means none (a form's empty field), as before.
        assert ministry.get(url, {"until": ""}).status_code == 200


@pytest.mark.parametrize("value", ["²", "٣", "abc", "-1"])
def test_unreadable_project_of_decisions_is_400(ministry: Client, value: str) -> None:
    response = ministry.get(
        reverse("api:alliance-decisions", kwargs={"slug": "son"}), {"project": value}
    )

    assert response.status_code == 400
    assert response.json() == {"project": ["Bitte die Nummer (id) eines Vorhabens angeben."]}


def test_schema_documents_paging_bounds_and_the_400(client: Client) -> None:
    schema = client.get(reverse("api:schema"), query_params={"format": "json"}).json()
    paged = 0
    for path, operations in schema["paths"].items():
        operation = operations.get("get")
        if operation is None:
            continue
        parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
        if "limit" not in parameters:
            continue
        paged += 1
        assert parameters["limit"]["schema"] == {"type": "integer", "minimum": 1}, path
        assert parameters["offset"]["schema"] == {"type": "integer", "minimum": 0}, path
        assert "400" in operation["responses"], path
    assert paged == 15
