"""The committed schema (docs/openapi.yaml) against the running API: schemathesis generates the
requests of every GET operation from the schema, and every answer must be documented there —
status code, content type and body — and no answer may be a server error.

Two alliances with something of everything (projects in several states, meetings with a
cancelled one, circulations, ideas, reports, payment requests, signatures), blank optional links
and e-mail addresses among them; asked by the public and by the ministry (who reads every
internal endpoint, with a Bearer token as scripts do). The examples are few and derandomised, so
the file runs in well under two minutes on one core and fails the same way every time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.core.transport import Response as SchemathesisResponse
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from buendnis.accounts import tokens
from buendnis.accounts.models import PlatformRole, Role
from buendnis.alliances.models import FundingPhase
from buendnis.funding.models import Project
from buendnis.funding.states import Status as S
from buendnis.grants import services as grants
from buendnis.grants.models import ReportKind
from buendnis.ideas.models import Idea
from buendnis.meetings.models import Circulation, Decision, Meeting, MeetingStatus
from buendnis.meetings.services import agenda, circulations, decisions
from buendnis.renewal.models import SignatureStatus
from tests.factories import (
    AllianceFactory,
    IdeaFactory,
    MeetingFactory,
    MembershipFactory,
    SignatureRequestFactory,
    UserFactory,
    build_alliance_structure,
    meeting_in_session,
    project_in_state,
)

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
SCHEMA = schemathesis.openapi.from_path(SCHEMA_PATH)
GET_OPERATIONS = {
    result.ok().label: result.ok()
    for result in SCHEMA.get_all_operations()
    if result.ok().method.upper() == "GET"
}
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]
BASE_URL = "http://testserver"
SLUGS = ["son", "leine-weser"]


@dataclass
class World:
    token: str
    # Existing objects for the path parameters (alliance, then id or decision key), by the
    # collection in the path, so that the examples reach real objects and not only 404s.
    objects: dict[str, list[tuple[str, int | str]]]


def build_world() -> World:
    today = timezone.localdate()
    # A blank website, as an alliance may leave it (the outside review's `website: ""`).
    son = AllianceFactory(slug="son", name="Fachkräftebündnis SüdOstNiedersachsen", website="")
    structure = build_alliance_structure(son, place="Braunschweig")
    other = build_alliance_structure(
        AllianceFactory(slug="leine-weser", name="Fachkräftebündnis Leine-Weser"),
        place="Hameln",
    )
    office = UserFactory(username="office")
    MembershipFactory(user=office, alliance=son, role=Role.OFFICE)
    ministry = UserFactory(username="ministry", platform_role=PlatformRole.MINISTRY, is_staff=True)
    _row, token = tokens.token_create(actor=None, user=ministry, name="Konformität")

    granted = project_in_state(structure, S.GRANTED, title="Welcome Center", contact_email="")
    project_in_state(structure, S.RUNNING, title="Praktikumsbörse")
    project_in_state(structure, S.DESCRIPTION_SPEAKERS, title="In Beratung")
    project_in_state(structure, S.IDEA, title="Idee")
    project_in_state(other, S.RUNNING, title="Hameln hilft")

    # A meeting with a decided project item, one cancelled (with and without a reason), one
    # planned for later.
    steering = structure.bodies["steering"]
    endorsed = project_in_state(structure, S.DESCRIPTION_STEERING, title="Ausbildungslotsen")
    meeting = meeting_in_session(steering, actor=office)
    item = agenda.agenda_item_create(
        actor=office, meeting=meeting, project=endorsed, is_public=True
    )
    decisions.decision_record(
        actor=office,
        item=item,
        proposal=decisions.Proposal.DECIDE,
        text="Der Steuerkreis befürwortet das Vorhaben.",
    )
    MeetingFactory(
        body=steering,
        status=MeetingStatus.CANCELLED,
        has_public_part=True,
        starts_at=timezone.now() + timedelta(days=10),
    )
    MeetingFactory(
        body=structure.bodies["speakers"],
        status=MeetingStatus.CANCELLED,
        cancelled_reason="Krankheit",
        has_public_part=True,
        starts_at=timezone.now() + timedelta(days=20),
    )
    MeetingFactory(body=steering, starts_at=timezone.now() + timedelta(days=40))

    circulations.circulation_open(
        actor=office,
        alliance=son,
        title="Anschlussprojekt",
        text="Der Steuerkreis befürwortet das Anschlussprojekt.",
        deadline=timezone.now() + timedelta(days=7),
    )

    # Ideas with and without contact e-mail and organisation.
    IdeaFactory(alliance=son, contact_email="", actor=office)
    IdeaFactory(alliance=son, organisation=structure.organisations["city"])

    # After the grant: a report and a payment request.
    grants.report_schedule(
        actor=office,
        project=granted,
        kind=ReportKind.INTERIM_REPORT,
        due_on=today + timedelta(days=30),
    )
    grants.payment_request_submit(
        actor=office,
        project=granted,
        period_from=today - timedelta(days=60),
        period_to=today - timedelta(days=31),
        eligible_costs=Decimal("10000.00"),
        amount=Decimal("5000.00"),
    )

    # The next phase's signatures: one asked, one signed.
    organisations = list(structure.organisations.values())
    SignatureRequestFactory(phase=structure.phase, organisation=organisations[0])
    SignatureRequestFactory(
        phase=structure.phase,
        organisation=organisations[1],
        status=SignatureStatus.SIGNED,
        signed_on=today - timedelta(days=3),
    )

    def of(model: Any, prefix: str = "") -> list[tuple[str, int | str]]:
        rows = model.objects.order_by("pk").values_list("alliance__slug", "pk")
        return [(slug, f"{prefix}{pk}" if prefix else pk) for slug, pk in rows]

    return World(
        token=token,
        objects={
            "projects": of(Project),
            "meetings": of(Meeting),
            "circulations": of(Circulation),
            "ideas": of(Idea),
            "phases": of(FundingPhase),
            "decisions": of(Decision, "meeting-") + of(Circulation, "circulation-"),
        },
    )


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the module, in a transaction rolled back at its end; each test's own
    transaction (`db`) nests inside. The requests are GETs only: nothing is written."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def _existing(path: str, world: World) -> st.SearchStrategy[dict[str, Any]]:
    """Path parameters that name an existing object (and its alliance)."""
    segments = path.split("/")
    for name in ("id", "key"):
        if f"{{{name}}}" in segments:
            collection = segments[segments.index(f"{{{name}}}") - 1]
            return st.sampled_from(
                [{"slug": slug, name: value} for slug, value in world.objects[collection]]
            )
    return st.sampled_from([{"slug": slug} for slug in SLUGS])


def _send(client: Client, case: Any, headers: dict[str, str]) -> SchemathesisResponse:
    """The case through Django's test client (in the test's transaction), its answer as
    schemathesis reads one."""
    kwargs = case.as_transport_kwargs(base_url=BASE_URL, headers=headers)
    prepared = requests.Request(
        method=kwargs["method"],
        url=kwargs["url"],
        headers=kwargs["headers"],
        params=kwargs["params"],
    ).prepare()
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    response = client.generic(kwargs["method"], prepared.path_url, **extra)
    return SchemathesisResponse(
        status_code=response.status_code,
        headers={name: [value] for name, value in response.headers.items()},
        content=response.content,
        request=prepared,
        elapsed=0.0,
        verify=False,
    )


# Each operation with path parameters twice: with the generated ones (mostly unknown: 404, which
# must be documented JSON too) and with existing objects (the answers worth checking).
CASES = [
    pytest.param(label, named, id=f"{label}-{named}")
    for label, operation in sorted(GET_OPERATIONS.items())
    for named in (("generated", "existing") if "{" in operation.path else ("generated",))
]


@pytest.mark.django_db
@pytest.mark.parametrize("caller", ["public", "ministry"])
@pytest.mark.parametrize(("label", "named"), CASES)
def test_get_answers_conform_to_the_committed_schema(
    label: str, named: str, caller: str, world: World, db: None
) -> None:
    operation = GET_OPERATIONS[label]
    headers = {"Authorization": f"Bearer {world.token}"} if caller == "ministry" else {}
    client = Client()
    existing = _existing(operation.path, world)

    @settings(
        max_examples=4,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
        ],
    )
    @given(case=operation.as_strategy(), data=st.data())
    def check(case: Any, data: st.DataObject) -> None:
        if named == "existing":
            case.path_parameters.update(data.draw(existing, label="existing"))
        response = _send(client, case, headers)
        assert response.status_code < 500, (case.formatted_path, response.content[:2000])
        case.validate_response(response, checks=CHECKS)

    check()
