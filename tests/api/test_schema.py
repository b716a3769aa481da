"""The OpenAPI schema: served, complete, and generated without a single warning."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from drf_spectacular.drainage import GENERATOR_STATS

pytestmark = pytest.mark.django_db

PATHS = {
    "/api/v1/alliances/": "alliances_list",
    "/api/v1/alliances/{slug}/": "alliance_retrieve",
    "/api/v1/alliances/{slug}/organisations/": "alliance_organisations_list",
    "/api/v1/alliances/{slug}/bodies/": "alliance_bodies_list",
    "/api/v1/alliances/{slug}/phases/": "alliance_phases_list",
    "/api/v1/alliances/{slug}/themes/": "alliance_themes_list",
}
# The projects endpoints authenticate and accept writes; tests/api/test_projects_schema.py checks
# them.
PROJECT_PATHS = {
    "/api/v1/alliances/{slug}/projects/",
    "/api/v1/alliances/{slug}/projects/{id}/",
    "/api/v1/alliances/{slug}/projects/{id}/transitions/",
}
# Meetings and circulations answer each caller differently; tests/api/test_meetings_api.py checks
# them.
MEETING_PATHS = {
    "/api/v1/alliances/{slug}/meetings/",
    "/api/v1/alliances/{slug}/meetings/{id}/",
    "/api/v1/alliances/{slug}/circulations/",
    "/api/v1/alliances/{slug}/circulations/{id}/",
    "/api/v1/alliances/{slug}/circulations/{id}/answer/",
}
# Decisions, too; tests/api/test_decisions_api.py checks them.
DECISION_PATHS = {
    "/api/v1/alliances/{slug}/decisions/",
    "/api/v1/alliances/{slug}/decisions/{key}/",
    "/api/v1/alliances/{slug}/ideas/",
    "/api/v1/alliances/{slug}/ideas/{id}/",
    "/api/v1/alliances/{slug}/ideas/{id}/similar/",
}
# The partners' signatures of a phase are internal; tests/api/test_phase_agreements.py checks them.
AGREEMENT_PATHS = {"/api/v1/alliances/{slug}/phases/{id}/agreements/"}
# Open data that read credentials all the same, because the answer depends on who asks (the
# phases not yet recognised): no login needed, a token or the session shows more.
CALLER_DEPENDENT = {"/api/v1/alliances/{slug}/phases/"}


# The ministry's overview: ministry and platform admins only; tests/api/test_overview_api.py.
OVERVIEW_PATHS = {"/api/v1/overview/"}
# After the grant: login required; tests/api/test_grants_api.py checks them.
GRANT_PATHS = {
    "/api/v1/alliances/{slug}/projects/{id}/reports/",
    "/api/v1/alliances/{slug}/projects/{id}/payment-requests/",
    "/api/v1/alliances/{slug}/projects/{id}/participants/",
}


def test_schema_is_openapi_3_with_every_path(client: Client) -> None:
    response = client.get(reverse("api:schema"), query_params={"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Bündnisportal API"
    assert (
        set(schema["paths"])
        == set(PATHS)
        | PROJECT_PATHS
        | MEETING_PATHS
        | DECISION_PATHS
        | OVERVIEW_PATHS
        | AGREEMENT_PATHS
        | GRANT_PATHS
    )
    for path, operation_id in PATHS.items():
        # Read-only: GET is the only operation, described in both languages.
        assert set(schema["paths"][path]) <= {"get", "parameters"}
        operation = schema["paths"][path]["get"]
        assert operation["operationId"] == operation_id
        assert operation["summary"] and " / " in operation["summary"]
        assert operation["description"]
        if path in CALLER_DEPENDENT:
            assert operation["security"] == [{"bearerAuth": []}, {"cookieAuth": []}, {}]
        else:
            assert operation["security"] == [{}]  # no login needed
        if "{slug}" in path:
            assert "404" in operation["responses"]


def test_schema_yaml_by_default(client: Client) -> None:
    response = client.get(reverse("api:schema"))

    assert response.status_code == 200
    assert yaml.safe_load(response.content)["openapi"].startswith("3.")


def test_schema_types_decimals_as_strings(client: Client) -> None:
    components = client.get(reverse("api:schema"), query_params={"format": "json"}).json()[
        "components"
    ]["schemas"]
    phase = components["Phase"]["properties"]
    for name in ("virtual_budget", "funding_rate", "project_volume"):
        assert (phase[name]["type"], phase[name]["format"]) == ("string", "decimal")
    seat = components["Seat"]["properties"]
    assert seat["person"]["nullable"] is True
    # The open data carry no contact data. (A project's contact person is among its non-public
    # fields, absent for the public: see test_projects_schema.py.)
    open_data = {
        name: component
        for name, component in components.items()
        if name.removeprefix("Paginated").removesuffix("List") in OPEN_DATA_COMPONENTS
    }
    assert len(open_data) == len(OPEN_DATA_COMPONENTS) + 5  # and the five paginated lists
    assert "email" not in str(open_data).lower()
    assert "phone" not in str(open_data).lower()


OPEN_DATA_COMPONENTS = {
    "Alliance",
    "AllianceDetail",
    "PhaseSummary",
    "Group",
    "Organisation",
    "Seat",
    "Body",
    "Phase",
    "PhaseRecognition",
    "Subtopic",
    "Topic",
    "ActionField",
}


def test_schema_generates_without_warnings(tmp_path: Path) -> None:
    # The same check as `manage.py spectacular --validate --fail-on-warn`: a warning fails.
    # Warnings are collected per process; count only this run's.
    GENERATOR_STATS.reset()
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "/api/v1/alliances/{slug}/themes/" in target.read_text()


COMMITTED_SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"


def test_committed_schema_is_current(tmp_path: Path) -> None:
    # docs/openapi.yaml is the contract outside clients read; it must be what the code generates.
    # `make schema` writes it with the settings' language, as here.
    target = tmp_path / "openapi.yaml"
    with translation.override(settings.LANGUAGE_CODE):
        call_command("spectacular", "--file", str(target))
    generated = target.read_text(encoding="utf-8")
    committed = COMMITTED_SCHEMA.read_text(encoding="utf-8") if COMMITTED_SCHEMA.exists() else ""
    if generated != committed:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                generated.splitlines(keepends=True),
                "docs/openapi.yaml",
                "generiert",
                n=1,
            )
        )
        pytest.fail(f"Schema veraltet: make schema\n{diff[:4000]}", pytrace=False)


BLANK_STRINGS = [
    ("Alliance", "website", "uri"),
    ("AllianceDetail", "website", "uri"),
    ("Organisation", "website", "uri"),
    ("Idea", "contact_email", "email"),
]


@pytest.mark.parametrize(("component", "name", "format_"), BLANK_STRINGS)
def test_schema_allows_the_empty_string_of_a_blank_link_or_address(
    client: Client, component: str, name: str, format_: str
) -> None:
    # The model allows the field to be left blank, and the API sends "" then (a value clients
    # read: it stays), so the schema says: a URI (an e-mail address), or "".
    schemas = client.get(reverse("api:schema"), query_params={"format": "json"}).json()[
        "components"
    ]["schemas"]
    field = schemas[component]["properties"][name]

    assert field["readOnly"] is True
    assert "format" not in field
    assert field["oneOf"] == [
        {"type": "string", "format": format_},
        {"type": "string", "maxLength": 0},
    ]


BLANK_CHOICES = [
    ("Project", "funding_priority", "FundingPriorityEnum"),
    ("Project", "return_status", "ProjectStatusEnum"),
]


@pytest.mark.parametrize(("component", "name", "enum"), BLANK_CHOICES)
def test_schema_allows_the_empty_string_of_a_blank_choice(
    client: Client, component: str, name: str, enum: str
) -> None:
    schemas = client.get(reverse("api:schema"), query_params={"format": "json"}).json()[
        "components"
    ]["schemas"]
    field = schemas[component]["properties"][name]

    assert field["oneOf"] == [
        {"$ref": f"#/components/schemas/{enum}"},
        {"$ref": "#/components/schemas/BlankEnum"},
    ]
    assert schemas["BlankEnum"] == {"enum": [""]}


NULLABLE = [
    # Method fields: `@extend_schema_field(OpenApiTypes.STR)` names the type, `str | None` adds null.
    ("Meeting", "cancelled_reason"),
    ("PaymentRequest", "released_on"),
    # Relations declared by hand on a nullable foreign key.
    ("Idea", "merged_into"),
    ("Idea", "project"),
]


@pytest.mark.parametrize(("component", "name"), NULLABLE)
def test_schema_marks_a_field_that_answers_null_nullable(
    client: Client, component: str, name: str
) -> None:
    schemas = client.get(reverse("api:schema"), query_params={"format": "json"}).json()[
        "components"
    ]["schemas"]

    assert schemas[component]["properties"][name]["nullable"] is True
