"""The OParl tests' tools: the specification's schemas as validators, a client that checks every
answer's headers and keeps its text, and a world with something of everything (public and not).

Whatever the public must never see contains a marker from `SECRETS`; the tests search every
answer for them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from buendnis.accounts.models import Role, User
from buendnis.alliances.models import Alliance, Person
from buendnis.funding.models import BodyOutcome, Project
from buendnis.funding.states import Status as S
from buendnis.meetings.services import agenda, decisions
from tests.factories import (
    AllianceFactory,
    AllianceStructure,
    MembershipFactory,
    UserFactory,
    advance,
    build_alliance_structure,
    meeting_in_session,
    project_in_state,
)
from tests.meetings.publication_setup import SECRETS as MEETING_SECRETS
from tests.meetings.publication_setup import Scene, build_scene

ROOT = "http://testserver/oparl/v1/"
TYPE = "https://schema.oparl.org/1.1/"
SCHEMA_DIR = Path(__file__).parent / "schemas"
SCHEMA_BASE = "https://buendnis.test/oparl-1.1/"

# --- Schemas -----------------------------------------------------------------------------------------


def _with_refs(node: Any) -> Any:
    """The OParl schemas name embedded objects as `"schema": "File.json"`, which JSON Schema
    ignores; add a `$ref` next to it so that embedded objects are validated too."""
    if isinstance(node, list):
        return [_with_refs(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _with_refs(value) for key, value in node.items()}
    ref = node.get("schema")
    if isinstance(ref, str) and ref.endswith(".json") and node.get("type") == "object":
        out["$ref"] = ref
    return out


FORMATS = FormatChecker(formats=())
# The specification's date-time: yyyy-mm-ddThh:mm:ss±hh:mm.
OPARL_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")


@FORMATS.checks("url")
def _is_url(value: object) -> bool:
    return not isinstance(value, str) or value.startswith(("http://", "https://"))


@FORMATS.checks("date-time")
def _is_date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(OPARL_DATE_TIME.match(value))


@FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if isinstance(value, str):
        date.fromisoformat(value)
        return bool(re.match(r"^\d{4}-\d{2}-\d{2}$", value))
    return True


def _load_schemas() -> tuple[dict[str, dict[str, Any]], Registry]:
    schemas: dict[str, dict[str, Any]] = {}
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        schema = _with_refs(json.loads(path.read_text(encoding="utf-8")))
        schema["$id"] = SCHEMA_BASE + path.name
        schemas[path.stem] = schema
    registry: Registry = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT202012))
        for schema in schemas.values()
    )
    return schemas, registry


SCHEMAS, REGISTRY = _load_schemas()
VALIDATORS = {
    name: Draft202012Validator(schema, registry=REGISTRY, format_checker=FORMATS)
    for name, schema in SCHEMAS.items()
}

URL = {"type": "string", "format": "url"}
LIST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["data", "pagination", "links"],
    "additionalProperties": False,
    "properties": {
        "data": {"type": "array", "items": {"type": "object", "required": ["id", "type"]}},
        "pagination": {
            "type": "object",
            "required": ["totalElements", "elementsPerPage", "currentPage", "totalPages"],
            "additionalProperties": False,
            "properties": {
                "totalElements": {"type": "integer", "minimum": 0},
                "elementsPerPage": {"type": "integer", "minimum": 1, "maximum": 200},
                "currentPage": {"type": "integer", "minimum": 1},
                "totalPages": {"type": "integer", "minimum": 1},
            },
        },
        "links": {
            "type": "object",
            "additionalProperties": False,
            "required": ["first", "last"],
            "properties": {"first": URL, "prev": URL, "next": URL, "last": URL},
        },
    },
}
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "message"],
    "properties": {
        "type": {"const": f"{TYPE}Error"},
        "message": {"type": "string", "minLength": 1},
        "debug": {"type": "string"},
    },
}
LIST_VALIDATOR = Draft202012Validator(LIST_SCHEMA, format_checker=FORMATS)
ERROR_VALIDATOR = Draft202012Validator(ERROR_SCHEMA)


def type_name(obj: dict[str, Any]) -> str:
    kind = obj["type"]
    assert kind.startswith(TYPE), kind
    return kind.removeprefix(TYPE)


def validate_object(obj: dict[str, Any]) -> None:
    """Against the schema of its type (embedded objects through `$ref`), and: every property the
    specification does not define carries our vendor prefix, in embedded objects too."""
    name = type_name(obj)
    VALIDATORS[name].validate(obj)
    known = SCHEMAS[name]["properties"]
    for key, value in obj.items():
        assert key in known or key.startswith("buendnis:"), f"{name}.{key} ohne Präfix"
        embedded = value if isinstance(value, list) else [value]
        for item in embedded:
            if isinstance(item, dict) and "type" in item:
                validate_object(item)
    if obj.get("deleted"):
        assert set(obj) == {"id", "type", "created", "modified", "deleted"}, obj


def validate_list(page: dict[str, Any]) -> None:
    LIST_VALIDATOR.validate(page)
    for obj in page["data"]:
        validate_object(obj)


def validate_error(payload: dict[str, Any]) -> None:
    ERROR_VALIDATOR.validate(payload)


# --- A client that checks every answer ----------------------------------------------------------------


@dataclass
class Api:
    """GETs addresses of the API; checks headers; keeps every answer's text for marker searches."""

    client: Client = field(default_factory=Client)
    texts: list[str] = field(default_factory=list)

    def get(self, url: str, status: int = 200, **params: str) -> dict[str, Any]:
        address = url if url.startswith("http") else ROOT + url.lstrip("/")
        response = self.client.get(address, params or None)
        assert response.status_code == status, (
            address,
            response.status_code,
            response.content[:500],
        )
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response["Content-Type"] == "application/json; charset=utf-8"
        text = response.content.decode()
        self.texts.append(text)
        payload: dict[str, Any] = json.loads(text)
        if status >= 400:
            validate_error(payload)
        return payload

    def raw(self, url: str) -> Any:
        response = self.client.get(url)
        assert response["Access-Control-Allow-Origin"] == "*"
        if response.status_code == 200:
            self.texts.append(response.content.decode())
        return response

    def all_pages(self, url: str, **params: str) -> list[dict[str, Any]]:
        """Every object of a list, following `links.next`."""
        page = self.get(url, **params)
        validate_list(page)
        objects = list(page["data"])
        while "next" in page["links"]:
            page = self.get(page["links"]["next"])
            validate_list(page)
            objects.extend(page["data"])
        return objects


@pytest.fixture
def api() -> Api:
    return Api()


# --- The world ------------------------------------------------------------------------------------------

SECRETS = [
    *MEETING_SECRETS,
    # the planned meeting's agenda is the office's draft until the invitation
    "Entwurf einer Tagesordnung",
    # a project before its Votum, and the reasons of a body's outcome
    "GEHEIM-Vorhaben in Beratung",
    "GEHEIM-Begründung des Steuerkreises",
    # people who did not agree to be named; everyone's contact data
    "Albers",
    "Stadtmann",
    "helene.brandt@",
    "maria.lindner@",
    "info@",
    "0531 000000",
    # the applicant's contact person
    "Erika Mustermann",
]


@dataclass
class World:
    alliance: Alliance
    structure: AllianceStructure
    other: AllianceStructure
    office: User
    scene: Scene
    granted: Project  # public, decided without meetings (outcomes recorded by the office)
    endorsed: Project  # public, its Votum taken in a meeting (consultation ↔ agenda item)
    hidden: Project  # before its Votum: never public
    withdrawn: Project  # was public, withdrawn: deleted
    speaker: Person  # named publicly
    deputy: Person  # not named publicly


def _office(alliance: Alliance) -> User:
    user = UserFactory(username=f"office-{alliance.slug}")
    MembershipFactory(user=user, alliance=alliance, role=Role.OFFICE)
    return user


def build_world() -> World:
    alliance = AllianceFactory(
        slug="son",
        name="Fachkräftebündnis SüdOstNiedersachsen",
        short_name="SüdOstNiedersachsen",
        website="https://www.fachkraeftebuendnis-son.de",
    )
    structure = build_alliance_structure(alliance, place="Braunschweig")
    other = build_alliance_structure(
        AllianceFactory(slug="leine-weser", name="Fachkräftebündnis Leine-Weser"), place="Hameln"
    )
    office = _office(alliance)
    scene = build_scene(structure, office)

    granted = project_in_state(structure, S.GRANTED, title="Welcome Center Region")
    BodyOutcome.objects.filter(project=granted, body__kind="steering").update(
        reasons="GEHEIM-Begründung des Steuerkreises"
    )
    project_in_state(structure, S.DESCRIPTION_SPEAKERS, title="GEHEIM-Vorhaben in Beratung")
    hidden = Project.objects.get(title="GEHEIM-Vorhaben in Beratung")
    withdrawn = project_in_state(structure, S.ENDORSED, title="Stille Reserve")
    advance(withdrawn, S.WITHDRAWN)

    # A Votum taken in a public meeting: the consultation links the agenda item, and back.
    endorsed = project_in_state(structure, S.DESCRIPTION_STEERING, title="Praktikumsbörse")
    meeting = meeting_in_session(structure.bodies["steering"], actor=office)
    item = agenda.agenda_item_create(
        actor=office, meeting=meeting, project=endorsed, is_public=True
    )
    decisions.decision_record(
        actor=office,
        item=item,
        proposal=decisions.Proposal.DECIDE,
        text="Der Steuerkreis befürwortet das Vorhaben.",
    )
    endorsed.refresh_from_db()
    assert endorsed.status == S.ENDORSED

    # Projects of the other alliance: public ones too, never in this alliance's lists.
    project_in_state(other, S.RUNNING, title="Hameln hilft")
    return World(
        alliance=alliance,
        structure=structure,
        other=other,
        office=office,
        scene=scene,
        granted=granted,
        endorsed=endorsed,
        hidden=hidden,
        withdrawn=withdrawn,
        speaker=structure.people["speaker"],
        deputy=structure.people["deputy"],
    )


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def urls_in(node: Any) -> Iterator[str]:
    """Every address of the API in an answer (ids of embedded objects included)."""
    if isinstance(node, dict):
        for value in node.values():
            yield from urls_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from urls_in(value)
    elif isinstance(node, str) and node.startswith(ROOT):
        yield node
