"""After the grant through the API (issue 12): the report schedule, payment requests and
participant figures of a project — their shapes, who reads them in either alliance, who requests
a payment, a request beyond the grant refused with nothing written, pinned query counts and the
schema."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from buendnis.accounts import tokens
from buendnis.budget.models import LedgerEntry
from buendnis.core.models import AuditEntry
from buendnis.funding.models import Project
from buendnis.grants import services
from buendnis.grants.models import (
    PaymentRequest,
    Receipt,
    ReportKind,
)
from buendnis.grants.services import ReceiptLine
from tests.conftest import PERSONAS

from .conftest import Projects

pytestmark = pytest.mark.django_db

D = Decimal
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
ENDPOINTS = ["reports", "payment-requests", "participants"]


def url(project: Any, endpoint: str, slug: str = "son") -> str:
    return reverse(f"api:alliance-project-{endpoint}", kwargs={"slug": slug, "pk": project.pk})


def breakdown(entries: int, exits: int) -> dict[str, Any]:
    return {
        "gender": {"female": {"entries": entries, "exits": exits}},
        "age": {"25_to_54": {"entries": entries, "exits": exits}},
        "employment": {"unemployed": {"entries": entries, "exits": exits}},
        "education": {"isced_3_4": {"entries": entries, "exits": exits}},
    }


@dataclass
class Followup:
    projects: Projects
    # The applicant persona's own project (Stadt Braunschweig, granted 90.000 €), with two reports
    # (one submitted), one payment request with two receipts and one period of figures.
    own: Project
    # The other alliance's granted project, with one payment request of its own.
    foreign: Project


@pytest.fixture
def followup(projects: Projects, api_client: Any) -> Followup:
    today = projects.world.today
    _client, office = api_client("office")
    _client, applicant = api_client("applicant")
    own = projects.granted
    Project.objects.filter(pk=own.pk).update(planned_participants=40)
    own.refresh_from_db()

    first = services.report_schedule(
        actor=office,
        project=own,
        kind=ReportKind.INTERIM_REPORT,
        due_on=today + timedelta(days=30),
    )
    services.report_schedule(
        actor=office, project=own, kind=ReportKind.FINAL_PROOF, due_on=today + timedelta(days=400)
    )
    services.report_submit(
        actor=applicant,
        report=first,
        document=SimpleUploadedFile("bericht.pdf", PDF, content_type="application/pdf"),
        summary="Läuft.",
    )
    services.payment_request_submit(
        actor=applicant,
        project=own,
        period_from=today - timedelta(days=60),
        period_to=today - timedelta(days=31),
        eligible_costs=D("10000.00"),
        amount=D("5000.00"),
        receipts=[
            ReceiptLine(today - timedelta(days=50), "Druckerei", "Flyer", D("2500.00")),
            ReceiptLine(today - timedelta(days=40), "Personal", "Beratung", D("7500.00")),
        ],
    )
    services.participants_record(
        actor=applicant,
        project=own,
        period_from=today - timedelta(days=90),
        period_to=today - timedelta(days=61),
        entries=10,
        exits=2,
        breakdown=breakdown(10, 2),
    )
    foreign = projects.foreign
    _client, admin = api_client("admin")
    services.payment_request_submit(
        actor=admin,
        project=foreign,
        period_from=foreign.starts_on,
        period_to=today - timedelta(days=1),
        eligible_costs=D("2000.00"),
        amount=D("1000.00"),
    )
    return Followup(projects=projects, own=own, foreign=foreign)


# --- Shapes -------------------------------------------------------------------------------------


def test_reports_shape(followup: Followup, api_client: Any) -> None:
    client, _user = api_client("applicant")
    today = followup.projects.world.today

    data = client.get(url(followup.own, "reports")).json()

    assert (data["count"], data["next"], data["previous"]) == (2, None, None)
    assert data["results"][0] == {
        "id": data["results"][0]["id"],
        "kind": "interim_report",
        "kind_label": "Sachbericht (Zwischenbericht)",
        "due": (today + timedelta(days=30)).isoformat(),
        "status": "submitted",
        "status_label": "Eingereicht",
        "submitted_on": today.isoformat(),
        "accepted_on": None,
        "versions": 1,
    }
    second = data["results"][1]
    assert (second["kind"], second["status"], second["submitted_on"], second["versions"]) == (
        "final_proof",
        "due",
        None,
        0,
    )


def test_payment_requests_shape(followup: Followup, api_client: Any) -> None:
    client, _user = api_client("applicant")
    today = followup.projects.world.today

    data = client.get(url(followup.own, "payment-requests")).json()

    assert data["count"] == 1
    assert data["grant"] == {
        "granted": "90000.00",
        "held": "5000.00",
        "released": "0.00",
        "left": "85000.00",
    }
    row = data["results"][0]
    assert row == {
        "id": row["id"],
        "number": 1,
        "period": {
            "from": (today - timedelta(days=60)).isoformat(),
            "to": (today - timedelta(days=31)).isoformat(),
        },
        "eligible_costs": "10000.00",
        "amount": "5000.00",
        "status": "submitted",
        "status_label": "Eingereicht",
        "submitted_on": today.isoformat(),
        "released_on": None,
        "refusal_reason": "",
        "receipts": 2,
    }


def test_participants_shape(followup: Followup, api_client: Any) -> None:
    client, _user = api_client("applicant")
    today = followup.projects.world.today

    data = client.get(url(followup.own, "participants")).json()

    assert data["count"] == 1
    row = data["results"][0]
    assert row["period"] == {
        "from": (today - timedelta(days=90)).isoformat(),
        "to": (today - timedelta(days=61)).isoformat(),
    }
    assert (row["entries"], row["exits"]) == (10, 2)
    # Every characteristic and category of the programme, zero where none was reported.
    assert set(row["breakdown"]) == {"gender", "age", "employment", "education"}
    assert row["breakdown"]["gender"] == {
        "female": {"entries": 10, "exits": 2},
        "male": {"entries": 0, "exits": 0},
        "diverse": {"entries": 0, "exits": 0},
        "not_stated": {"entries": 0, "exits": 0},
    }
    totals = data["totals"]
    assert (totals["periods"], totals["planned"], totals["entries"], totals["exits"]) == (
        1,
        40,
        10,
        2,
    )
    assert totals["breakdown"] == row["breakdown"]


def test_lists_are_paged(followup: Followup, api_client: Any) -> None:
    client, _user = api_client("office")
    today = followup.projects.world.today
    services.participants_record(
        actor=_user,
        project=followup.own,
        period_from=today - timedelta(days=60),
        period_to=today - timedelta(days=1),
        entries=5,
        exits=3,
        breakdown=breakdown(5, 3),
    )

    reports = client.get(url(followup.own, "reports"), query_params={"limit": 1}).json()
    assert (reports["count"], len(reports["results"])) == (2, 1)
    assert reports["next"]
    participants = client.get(
        url(followup.own, "participants"), query_params={"limit": 1, "offset": 1}
    ).json()
    assert (participants["count"], len(participants["results"])) == (2, 1)
    assert participants["results"][0]["entries"] == 5
    assert participants["previous"] is not None
    # The totals are of every period, not of the page.
    assert (participants["totals"]["entries"], participants["totals"]["exits"]) == (15, 5)
    assert participants["totals"]["breakdown"]["age"]["25_to_54"] == {"entries": 15, "exits": 5}


# --- Who reads ----------------------------------------------------------------------------------

# Who reads a project's follow-up, by the project's alliance. The son personas hold their role in
# `son`; the outsider holds every role in `leine-weser` only.
READERS = {
    "son": {"office", "speaker", "member", "advisory", "applicant", "ministry", "admin"},
    "leine-weser": {"outsider", "ministry", "admin"},
}


@pytest.mark.parametrize("slug", ["son", "leine-weser"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_who_reads_in_either_alliance(
    followup: Followup, api_client: Any, persona: str, slug: str
) -> None:
    client, _user = api_client(persona)
    project = followup.own if slug == "son" else followup.foreign
    expected = 401 if persona == "public" else 200 if persona in READERS[slug] else 403

    for endpoint in ENDPOINTS:
        response = client.get(url(project, endpoint, slug))

        assert response.status_code == expected, (endpoint, response.content)
        assert response["Content-Type"] == "application/json"
        if expected == 200:
            assert response.json()["count"] == (
                {"reports": 2, "payment-requests": 1, "participants": 1}[endpoint]
                if slug == "son"
                else {"reports": 0, "payment-requests": 1, "participants": 0}[endpoint]
            )
        elif expected == 403:
            assert "Kreis des Bündnisses" in response.json()["detail"]


@pytest.mark.parametrize("persona", ["office", "applicant", "outsider", "ministry", "admin"])
def test_unknown_and_other_alliances_projects_are_404(
    followup: Followup, api_client: Any, persona: str
) -> None:
    client, _user = api_client(persona)
    for endpoint in ENDPOINTS:
        for project, slug in ((followup.foreign, "son"), (followup.own, "leine-weser")):
            response = client.get(url(project, endpoint, slug))
            assert response.status_code == 404, (endpoint, slug)
        missing = reverse(f"api:alliance-project-{endpoint}", kwargs={"slug": "son", "pk": 999999})
        assert client.get(missing).status_code == 404
        unknown = url(followup.own, endpoint, "gibt-es-nicht")
        assert client.get(unknown).status_code == 404


def test_applicant_of_another_project_is_refused(followup: Followup, api_client: Any) -> None:
    # The running project is public, but it is Agentur für Arbeit's, not the persona's.
    client, _user = api_client("applicant")
    for endpoint in ENDPOINTS:
        response = client.get(url(followup.projects.running, endpoint))
        assert response.status_code == 403, endpoint


def test_anonymous_is_401_even_for_an_unknown_project(followup: Followup) -> None:
    response = Client().get(url(followup.foreign, "reports"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


# --- Requesting a payment -----------------------------------------------------------------------


def request_body(followup: Followup, **changes: Any) -> dict[str, Any]:
    today = followup.projects.world.today
    body: dict[str, Any] = {
        "period_from": (today - timedelta(days=30)).isoformat(),
        "period_to": (today - timedelta(days=1)).isoformat(),
        "eligible_costs": "4000.00",
        "amount": "2000.00",
        "receipts": [
            {
                "paid_on": (today - timedelta(days=10)).isoformat(),
                "payee": "Raumvermietung GmbH",
                "purpose": "Miete Seminarraum",
                "amount": "4000.00",
            }
        ],
    }
    return body | changes


def written() -> tuple[int, int, int, int]:
    return (
        PaymentRequest.objects.count(),
        Receipt.objects.count(),
        LedgerEntry.objects.count(),
        AuditEntry.objects.filter(action="grants.payment_requested").count(),
    )


@pytest.mark.parametrize("persona", ["applicant", "office", "admin"])
def test_the_applicant_or_the_office_requests_a_payment(
    followup: Followup, api_client: Any, persona: str
) -> None:
    client, _user = api_client(persona)
    before = written()

    response = client.post(
        url(followup.own, "payment-requests"),
        request_body(followup),
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    row = response.json()
    assert (
        row["number"],
        row["amount"],
        row["eligible_costs"],
        row["status"],
        row["receipts"],
    ) == (
        2,
        "2000.00",
        "4000.00",
        "submitted",
        1,
    )
    assert row["period"]["to"] == request_body(followup)["period_to"]
    # Requested, not booked: only the office's release books the payment.
    requests, receipts, ledger, audit = written()
    assert (requests, receipts, ledger, audit) == (
        before[0] + 1,
        before[1] + 1,
        before[2],
        before[3] + 1,
    )
    standing = client.get(url(followup.own, "payment-requests")).json()["grant"]
    assert (standing["held"], standing["left"]) == ("7000.00", "83000.00")


def test_a_request_beyond_the_grant_is_refused_with_nothing_written(
    followup: Followup, api_client: Any
) -> None:
    # 90.000 € granted, 5.000 € requested already: 85.000,01 € is a cent too much. The costs
    # carry it at the phase's rate of 50 %.
    client, _user = api_client("applicant")
    before = written()
    body = request_body(followup, eligible_costs="170000.02", amount="85000.01", receipts=[])

    response = client.post(
        url(followup.own, "payment-requests"), body, content_type="application/json"
    )

    assert response.status_code == 400, response.content
    assert response.json() == {
        "amount": [
            "Der Abruf übersteigt den bewilligten Zuschuss: bewilligt 90.000,00 €, schon "
            "abgerufen 5.000,00 €, übrig 85.000,00 €. Es wurde nichts gebucht."
        ]
    }
    assert written() == before
    # Exactly what is left goes through.
    body = request_body(followup, eligible_costs="170000.00", amount="85000.00", receipts=[])
    response = client.post(
        url(followup.own, "payment-requests"), body, content_type="application/json"
    )
    assert response.status_code == 201, response.content


def test_a_request_is_checked_field_by_field_in_german(followup: Followup, api_client: Any) -> None:
    client, _user = api_client("applicant")
    before = written()

    empty = client.post(url(followup.own, "payment-requests"), {}, content_type="application/json")
    assert empty.status_code == 400
    assert empty.json()["period_from"] == ["Dieses Feld ist zwingend erforderlich."]
    receipts_off = client.post(
        url(followup.own, "payment-requests"),
        request_body(followup, eligible_costs="4100.00"),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert receipts_off.status_code == 400
    assert "Die Belege ergeben" in receipts_off.json()["receipts"][0]
    assert written() == before


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("public", 401),
        ("speaker", 403),
        ("member", 403),
        ("advisory", 403),
        ("ministry", 403),
        ("outsider", 403),
    ],
)
def test_others_may_not_request_a_payment(
    followup: Followup, api_client: Any, persona: str, expected: int
) -> None:
    client, _user = api_client(persona)
    before = written()

    response = client.post(
        url(followup.own, "payment-requests"),
        request_body(followup),
        content_type="application/json",
    )

    assert response.status_code == expected, response.content
    assert written() == before


def test_the_applicant_of_another_project_may_not_request(
    followup: Followup, api_client: Any
) -> None:
    client, _user = api_client("applicant")
    before = written()
    response = client.post(
        url(followup.projects.running, "payment-requests"),
        request_body(followup),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert written() == before


def test_a_request_of_a_project_not_granted_is_409(followup: Followup, api_client: Any) -> None:
    # The sketch is the applicant persona's own, but no grant follows it yet.
    client, _user = api_client("applicant")
    response = client.post(
        url(followup.projects.sketch, "payment-requests"),
        request_body(followup),
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "bewilligte und laufende" in response.json()["detail"]


def test_a_token_requests_without_csrf_the_session_needs_it(
    followup: Followup, api_client: Any
) -> None:
    _client, user = api_client("applicant")
    _token, secret = tokens.token_create(actor=None, user=user, name="Abrechnung")
    body = request_body(followup)

    session = Client(enforce_csrf_checks=True)
    session.force_login(user)
    refused = session.post(
        url(followup.own, "payment-requests"), body, content_type="application/json"
    )
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    response = Client(enforce_csrf_checks=True).post(
        url(followup.own, "payment-requests"),
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 201, response.content
    assert PaymentRequest.objects.filter(project=followup.own).count() == 2


# --- Query counts -------------------------------------------------------------------------------

# Before any list, by caller:
# Signed in, every count below includes the session authentication's two-factor check: the
# session's verified app (django-otp's OTPMiddleware), or whether the user has one.
BEFORE = {
    # session; user; the alliance; the caller's roles (once, cached on the user for the request);
    # the project (alliance, phase joined)
    "office": 6,
    # session; user; the alliance; the project — the ministry sees every alliance without roles
    "ministry": 5,
    # session; user; the alliance; roles; the organisations they apply for (project access); the
    # project; the applicant check of `can_view_followup`
    "applicant": 8,
}
LIST = {
    # count; the page (versions counted in it)
    "reports": 2,
    # count; the page (receipts counted in it); the grant's standing (held, released)
    "payment-requests": 3,
    # every period (for the totals), paged in memory
    "participants": 1,
}


@pytest.mark.parametrize("persona", list(BEFORE))
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_query_counts_are_pinned_and_do_not_grow(
    followup: Followup,
    api_client: Any,
    django_assert_num_queries: DjangoAssertNumQueries,
    persona: str,
    endpoint: str,
) -> None:
    client, _user = api_client(persona)
    with django_assert_num_queries(BEFORE[persona] + LIST[endpoint]):
        response = client.get(url(followup.own, endpoint))
    assert response.status_code == 200

    # More rows of every kind: the same number of queries.
    today = followup.projects.world.today
    _office_client, office = api_client("office")
    for days in (100, 130):
        services.participants_record(
            actor=office,
            project=followup.own,
            period_from=today - timedelta(days=days + 29),
            period_to=today - timedelta(days=days),
            entries=3,
            exits=1,
            breakdown=breakdown(3, 1),
        )
        services.payment_request_submit(
            actor=office,
            project=followup.own,
            period_from=today - timedelta(days=days + 29),
            period_to=today - timedelta(days=days),
            eligible_costs=D("200.00"),
            amount=D("100.00"),
            receipts=[ReceiptLine(today - timedelta(days=days), "A", "B", D("200.00"))],
        )
        services.report_schedule(
            actor=office,
            project=followup.own,
            kind=ReportKind.INTERIM_PROOF,
            due_on=today + timedelta(days=days),
        )
    client, _user = api_client(persona)
    with django_assert_num_queries(BEFORE[persona] + LIST[endpoint]):
        response = client.get(url(followup.own, endpoint))
    assert response.json()["count"] > 1


# --- Schema -------------------------------------------------------------------------------------

OPERATIONS = {
    ("/api/v1/alliances/{slug}/projects/{id}/reports/", "get"): "alliance_project_reports_list",
    (
        "/api/v1/alliances/{slug}/projects/{id}/payment-requests/",
        "get",
    ): "alliance_project_payment_requests_list",
    (
        "/api/v1/alliances/{slug}/projects/{id}/payment-requests/",
        "post",
    ): "alliance_project_payment_requests_create",
    (
        "/api/v1/alliances/{slug}/projects/{id}/participants/",
        "get",
    ): "alliance_project_participants_list",
}


def test_the_endpoints_are_documented(client: Client) -> None:
    schema = client.get(reverse("api:schema"), query_params={"format": "json"}).json()
    paths = schema["paths"]
    for (path, method), operation_id in OPERATIONS.items():
        operation = paths[path][method]
        assert operation["operationId"] == operation_id
        assert " / " in operation["summary"]
        assert "\n\n" in operation["description"]  # German, then English
        assert {"401", "403", "404"} <= set(operation["responses"])
        # A login is needed: token or session, never anonymous.
        assert operation["security"] == [{"bearerAuth": []}, {"cookieAuth": []}]
        if method == "get":
            assert {"limit", "offset"} <= {p["name"] for p in operation["parameters"]}
    post = paths["/api/v1/alliances/{slug}/projects/{id}/payment-requests/"]["post"]
    assert {"201", "400", "409"} <= set(post["responses"])
    components = schema["components"]["schemas"]
    assert set(components["Period"]["properties"]) == {"from", "to"}
    request = components["PaymentRequest"]["properties"]
    for name in ("amount", "eligible_costs"):
        assert (request[name]["type"], request[name]["format"]) == ("string", "decimal")
    assert {"kind", "due", "status", "submitted_on"} <= set(components["Report"]["properties"])
    assert components["ReportKindEnum"]["enum"] == [
        "interim_report",
        "interim_proof",
        "final_proof",
    ]
    assert {"period", "entries", "exits", "breakdown"} <= set(
        components["ParticipantPeriod"]["properties"]
    )
    assert "totals" in components["ParticipantPage"]["properties"]
