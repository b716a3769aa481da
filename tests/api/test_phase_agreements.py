"""`phases/<id>/agreements/`: where each partner stands with a phase's cooperation agreement —
from the signature requests and from the agreements signed without one — for the internal
circle only, every persona in both alliances, in a pinned number of queries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from buendnis.accounts import tokens
from buendnis.alliances.models import CooperationAgreement, FundingPhase, RecognitionStatus
from buendnis.renewal.models import SignatureStatus
from tests.conftest import PERSONAS
from tests.factories import (
    AgreementFactory,
    OrganisationFactory,
    PhaseFactory,
    SignatureRequestFactory,
)

from .conftest import World, get_json

pytestmark = pytest.mark.django_db

# Who reads the signatures of an alliance's phase: its internal circle, the ministry and platform
# admins (the outsider holds every role, but only in the other alliance). Applicants and the
# other alliance's members are refused, anonymous callers asked to log in.
READS = {
    "son": {"office", "speaker", "member", "advisory", "ministry", "admin"},
    "leine-weser": {"outsider", "ministry", "admin"},
}


@dataclass
class Signatures:
    world: World
    # The next phase, still in preparation: its partners are being asked.
    next_phase: FundingPhase
    other_phase: FundingPhase


def agreements_url(phase: FundingPhase, slug: str = "son", pk: int | None = None) -> str:
    return reverse(
        "api:alliance-phase-agreements",
        kwargs={"slug": slug, "pk": phase.pk if pk is None else pk},
    )


@pytest.fixture
def signatures(world: World) -> Signatures:
    today = world.today
    next_phase = PhaseFactory(
        alliance=world.alliance,
        name="Nächste Phase",
        recognition_status=RecognitionStatus.DRAFT,
        starts_on=world.current.ends_on + timedelta(days=1),
        ends_on=world.current.ends_on + timedelta(days=1096),
    )
    # Signed through the request: the agreement exists and the request points to it.
    agreement = AgreementFactory(
        phase=next_phase,
        organisation=world.stadt,
        signed_on=today - timedelta(days=3),
        decision_reference="DS 21-15678",
    )
    SignatureRequestFactory(
        phase=next_phase,
        organisation=world.stadt,
        status=SignatureStatus.SIGNED,
        asked_on=today - timedelta(days=60),
        due_on=today + timedelta(days=30),
        decision_body="Rat der Stadt",
        decision_date=today - timedelta(days=10),
        reference="DS 21-15678",
        signed_on=today - timedelta(days=3),
        agreement=agreement,
    )
    SignatureRequestFactory(
        phase=next_phase,
        organisation=world.agentur,
        status=SignatureStatus.PENDING,
        asked_on=today - timedelta(days=60),
        due_on=today + timedelta(days=30),
        decision_body="Verwaltungsausschuss",
        decision_date=today + timedelta(days=14),
        reference="VA 2021/077",
    )
    SignatureRequestFactory(
        phase=next_phase,
        organisation=world.landkreis,
        asked_on=today - timedelta(days=5),
        due_on=today + timedelta(days=30),
    )
    SignatureRequestFactory(
        phase=next_phase,
        organisation=world.arl,
        status=SignatureStatus.DECLINED,
        asked_on=today - timedelta(days=60),
        declined_on=today - timedelta(days=20),
    )
    # The running phase: signed before the platform (Agentur, Stadt, Allianz, from `world`), one
    # of them with the council's decision; and the Landkreis asked late, with a request only.
    CooperationAgreement.objects.filter(phase=world.current, organisation=world.stadt).update(
        decision_body="Verwaltungsausschuss",
        decision_reference="DS 15-00153",
        decision_date=date(2015, 3, 17),
        signed_on=date(2015, 4, 1),
    )
    SignatureRequestFactory(
        phase=world.current, organisation=world.landkreis, asked_on=today - timedelta(days=2)
    )
    other_phase = world.other.phases.get(name="Laufende Phase")
    return Signatures(world=world, next_phase=next_phase, other_phase=other_phase)


def entries(client: Client, url: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = get_json(client, url)["results"]
    return rows


# --- What the entries say -----------------------------------------------------------------------


def test_statuses_from_the_requests(
    signatures: Signatures, client_as: Callable[[str], Client]
) -> None:
    world, today = signatures.world, signatures.world.today
    rows = entries(client_as("office"), agreements_url(signatures.next_phase))

    # One per organisation, by name.
    assert [row["organisation"]["name"] for row in rows] == [
        "Agentur für Arbeit Braunschweig-Goslar",
        "Amt für regionale Landesentwicklung Braunschweig",
        "Landkreis Gifhorn",
        "Stadt Braunschweig",
    ]
    agentur, arl, landkreis, stadt = rows
    assert agentur == {
        "organisation": {"id": world.agentur.pk, "name": "Agentur für Arbeit Braunschweig-Goslar"},
        "group": "Arbeitsagenturen",
        "status": "pending",
        "status_label": "Beschluss in den eigenen Gremien ausstehend",
        "reference": "VA 2021/077",
        "signed_on": None,
        "decision_body": "Verwaltungsausschuss",
        "decision_date": (today + timedelta(days=14)).isoformat(),
        "asked_on": (today - timedelta(days=60)).isoformat(),
        "due_on": (today + timedelta(days=30)).isoformat(),
        "requested": True,
    }
    assert (arl["status"], arl["status_label"]) == ("declined", "Abgelehnt")
    assert (landkreis["status"], landkreis["reference"], landkreis["signed_on"]) == (
        "asked",
        "",
        None,
    )
    # Signed through its request: once, with the request's data (not also as an agreement).
    assert stadt["status"] == "signed"
    assert stadt["reference"] == "DS 21-15678"
    assert stadt["signed_on"] == (today - timedelta(days=3)).isoformat()
    assert stadt["decision_body"] == "Rat der Stadt"
    assert stadt["requested"] is True
    assert {row["status"] for row in rows} == set(SignatureStatus.values)


def test_historic_agreements_are_signed_entries(
    signatures: Signatures, client_as: Callable[[str], Client]
) -> None:
    world = signatures.world
    office = client_as("office")
    rows = entries(office, agreements_url(world.current))

    assert [(row["organisation"]["name"], row["status"], row["requested"]) for row in rows] == [
        ("Agentur für Arbeit Braunschweig-Goslar", "signed", False),
        ("Allianz für die Region GmbH", "signed", False),
        ("Landkreis Gifhorn", "asked", True),
        ("Stadt Braunschweig", "signed", False),
    ]
    stadt = rows[3]
    assert stadt == {
        "organisation": {"id": world.stadt.pk, "name": "Stadt Braunschweig"},
        "group": "Kommunen",
        "status": "signed",
        "status_label": "Unterzeichnet",
        "reference": "DS 15-00153",
        "signed_on": "2015-04-01",
        "decision_body": "Verwaltungsausschuss",
        "decision_date": "2015-03-17",
        "asked_on": None,
        "due_on": None,
        "requested": False,
    }
    # A phase without agreements or requests lists nobody.
    assert entries(office, agreements_url(world.following)) == []


def test_no_contact_data_and_nothing_of_the_other_alliance(
    signatures: Signatures, client_as: Callable[[str], Client]
) -> None:
    body = client_as("ministry").get(agreements_url(signatures.next_phase)).content.decode()
    assert [secret for secret in signatures.world.secret_strings if secret in body] == []
    assert [name for name in signatures.world.other_names if name in body] == []


# --- Who may read them ----------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["son", "leine-weser"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_permissions(
    signatures: Signatures, client_as: Callable[[str], Client], persona: str, slug: str
) -> None:
    phase = signatures.next_phase if slug == "son" else signatures.other_phase
    response = client_as(persona).get(agreements_url(phase, slug))

    if persona == "public":
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    elif persona in READS[slug]:
        assert response.status_code == 200
        assert response.json()["count"] == (4 if slug == "son" else 1)
    else:
        assert response.status_code == 403
        assert response.json() == {
            "detail": "Die Unterschriften der Partner sind dem internen Kreis des Bündnisses "
            "und dem Ministerium vorbehalten."
        }


@pytest.mark.parametrize("persona", ["office", "ministry", "admin"])
def test_a_phase_of_another_alliance_is_not_found(
    signatures: Signatures, client_as: Callable[[str], Client], persona: str
) -> None:
    client = client_as(persona)
    # The other alliance's phase under this alliance's address, and an unknown phase.
    for url in (
        agreements_url(signatures.other_phase, "son"),
        agreements_url(signatures.next_phase, "son", pk=999999),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json() == {"detail": "Förderphase nicht gefunden."}


def test_an_unknown_alliance_is_not_found(
    signatures: Signatures, client_as: Callable[[str], Client]
) -> None:
    response = client_as("admin").get(agreements_url(signatures.next_phase, "gibt-es-nicht"))
    assert response.status_code == 404
    assert response.json() == {"detail": "Bündnis nicht gefunden."}


def test_a_token_reads_as_its_user(
    signatures: Signatures, make_persona: Callable[[str], Any]
) -> None:
    _row, office = tokens.token_create(actor=None, user=make_persona("office"), name="Skript")
    _row, applicant = tokens.token_create(actor=None, user=make_persona("applicant"), name="Skript")
    url = agreements_url(signatures.next_phase)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {office}").get(url).status_code == 200
    assert Client(HTTP_AUTHORIZATION=f"Bearer {applicant}").get(url).status_code == 403
    assert Client(HTTP_AUTHORIZATION="Bearer bp_falsch_falsch").get(url).status_code == 401


def test_reading_only(signatures: Signatures, make_persona: Callable[[str], Any]) -> None:
    _row, secret = tokens.token_create(actor=None, user=make_persona("admin"), name="Skript")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = client.post(agreements_url(signatures.next_phase), {}, "application/json")
    assert response.status_code == 405


# --- Paging and queries -----------------------------------------------------------------------


def test_paged_like_every_list(signatures: Signatures, client_as: Callable[[str], Client]) -> None:
    client = client_as("office")
    first = get_json(client, agreements_url(signatures.next_phase), query_params={"limit": 3})
    assert first["count"] == 4
    assert len(first["results"]) == 3
    second = get_json(client, first["next"])
    assert [row["organisation"]["name"] for row in second["results"]] == ["Stadt Braunschweig"]
    assert second["next"] is None


# The alliance; the phase; count; the page of organisations (group joined); their requests for
# the phase; their agreements for the phase. Signed in, first: session; user; the session's
# verified app (two-factor check, django-otp's OTPMiddleware); and the user's roles, unless they
# see every alliance anyway (ministry, admin).
QUERIES = {"office": 3 + 1 + 6, "speaker": 3 + 1 + 6, "ministry": 3 + 6, "admin": 3 + 6}


def add_partners(phase: FundingPhase, group: Any, number: int) -> None:
    """`number` more organisations: half asked, half signed before the platform."""
    for index in range(number):
        organisation = OrganisationFactory(
            alliance=phase.alliance, group=group, name=f"Weiterer Partner {index:02d}"
        )
        if index % 2:
            AgreementFactory(phase=phase, organisation=organisation)
        else:
            SignatureRequestFactory(phase=phase, organisation=organisation)


@pytest.mark.parametrize("persona", list(QUERIES))
def test_query_count_is_pinned_and_does_not_grow(
    signatures: Signatures,
    client_as: Callable[[str], Client],
    django_assert_num_queries: DjangoAssertNumQueries,
    persona: str,
) -> None:
    client = client_as(persona)
    url = agreements_url(signatures.next_phase)
    with django_assert_num_queries(QUERIES[persona]):
        assert client.get(url).status_code == 200

    add_partners(signatures.next_phase, signatures.world.others, 20)
    with django_assert_num_queries(QUERIES[persona]):
        response = client.get(url)
    assert response.json()["count"] == 24
    assert {row["requested"] for row in response.json()["results"]} == {True, False}


def test_refusals_cost_little(signatures: Signatures, client_as: Callable[[str], Client]) -> None:
    # Before the phase is even looked up: anonymous is refused at once; an applicant after the
    # alliance and their roles (and session, user, whether they have a two-factor app).
    url = agreements_url(signatures.next_phase)
    for persona, most in (("public", 0), ("applicant", 5)):
        client = client_as(persona)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code in (401, 403)
        assert len(queries) <= most, [query["sql"] for query in queries.captured_queries]


# --- Schema --------------------------------------------------------------------------------------


def test_schema(client: Client) -> None:
    schema = client.get(reverse("api:schema"), query_params={"format": "json"}).json()
    operation = schema["paths"]["/api/v1/alliances/{slug}/phases/{id}/agreements/"]["get"]
    assert operation["operationId"] == "alliance_phase_agreements_list"
    assert " / " in operation["summary"]
    assert "\n\n" in operation["description"]  # German, then English
    assert operation["security"] == [{"bearerAuth": []}, {"cookieAuth": []}]  # login needed
    assert {"200", "401", "403", "404"} <= set(operation["responses"])
    entry = schema["components"]["schemas"]["PartnerSignature"]["properties"]
    assert set(entry) >= {"organisation", "status", "reference", "signed_on"}
    assert schema["components"]["schemas"]["SignatureStatusEnum"]["enum"] == [
        "asked",
        "pending",
        "signed",
        "declined",
    ]
    recognition = schema["components"]["schemas"]["PhaseRecognition"]["properties"]
    assert set(recognition) >= {"status", "date", "reference", "virtual_budget", "funding_rate"}
    assert schema["components"]["schemas"]["RecognitionStatusEnum"]["enum"] == [
        "draft",
        "applied",
        "changes_requested",
        "recognised",
        "refused",
    ]
