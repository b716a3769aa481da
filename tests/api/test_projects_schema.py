"""The projects endpoints in the OpenAPI schema: documented, authenticated, honest about fields."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from buendnis.api.project_serializers import PUBLIC_FIELDS, RESTRICTED_FIELDS
from buendnis.funding.states import ACTIONS, Status

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("/api/v1/alliances/{slug}/projects/", "get"): "alliance_projects_list",
    ("/api/v1/alliances/{slug}/projects/", "post"): "alliance_projects_create",
    ("/api/v1/alliances/{slug}/projects/{id}/", "get"): "alliance_project_retrieve",
    ("/api/v1/alliances/{slug}/projects/{id}/", "patch"): "alliance_project_update",
    ("/api/v1/alliances/{slug}/projects/{id}/transitions/", "post"): "alliance_project_transition",
}


@pytest.fixture
def schema(client: Client) -> dict[str, Any]:
    response = client.get(reverse("api:schema"), query_params={"format": "json"})
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    return data


def test_every_operation_is_documented(schema: dict[str, Any]) -> None:
    paths = schema["paths"]
    for (path, method), operation_id in OPERATIONS.items():
        operation = paths[path][method]
        assert operation["operationId"] == operation_id
        assert " / " in operation["summary"]
        assert operation["description"]
        assert "404" in operation["responses"]
        # Bearer token or session; reading needs neither.
        security = operation["security"]
        assert {"bearerAuth": []} in security and {"cookieAuth": []} in security
        assert ({} in security) == (method == "get")
    # Only these methods: no PUT, no DELETE.
    assert set(paths["/api/v1/alliances/{slug}/projects/{id}/"]) - {"parameters"} == {
        "get",
        "patch",
    }


def test_writes_document_their_refusals(schema: dict[str, Any]) -> None:
    paths = schema["paths"]
    for path, method in [
        ("/api/v1/alliances/{slug}/projects/{id}/", "patch"),
        ("/api/v1/alliances/{slug}/projects/{id}/transitions/", "post"),
    ]:
        assert {"200", "400", "401", "403", "404", "409"} <= set(paths[path][method]["responses"])


def test_bearer_scheme(schema: dict[str, Any]) -> None:
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_non_public_fields_are_not_required(schema: dict[str, Any]) -> None:
    project = schema["components"]["schemas"]["Project"]
    assert set(project["properties"]) == PUBLIC_FIELDS | RESTRICTED_FIELDS
    assert set(project["required"]) == PUBLIC_FIELDS
    for name in ("eligible_costs", "requested_grant", "granted_amount", "cofinancing_total"):
        assert (project["properties"][name]["type"], project["properties"][name]["format"]) == (
            "string",
            "decimal",
        )
    status = schema["components"]["schemas"]["ProjectStatusEnum"]
    assert status["enum"] == Status.values


def test_phases_document_the_budget_figures(schema: dict[str, Any]) -> None:
    phase = schema["components"]["schemas"]["Phase"]["properties"]
    for name in ("budget", "reserved", "committed", "paid", "available"):
        assert (phase[name]["type"], phase[name]["format"]) == ("string", "decimal")


def test_every_action_is_a_documented_variant(schema: dict[str, Any]) -> None:
    operation = schema["paths"]["/api/v1/alliances/{slug}/projects/{id}/transitions/"]["post"]
    content = operation["requestBody"]["content"]
    assert set(content) == {"application/json", "multipart/form-data"}
    step = schema["components"]["schemas"]["ProcedureStepRequest"]
    assert step["discriminator"]["propertyName"] == "action"
    assert set(step["discriminator"]["mapping"]) == set(ACTIONS)
    sketch = schema["components"]["schemas"]["SubmitSketchRequest"]["properties"]
    assert sketch["document"]["format"] == "binary"
