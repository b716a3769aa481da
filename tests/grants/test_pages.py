"""The pages after the grant: who sees them and who gets the forms, for every persona and both
alliances; each form's happy path and a refused case (German message, nothing written); the
query counts of the applicant's list pages."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from buendnis.funding.states import Status
from buendnis.grants import services
from buendnis.grants.models import (
    CHARACTERISTICS,
    ParticipantFigures,
    PaymentRequest,
    PaymentStatus,
    Receipt,
    ReportKind,
    ReportStatus,
    ReportVersion,
    ScheduledReport,
)
from tests.conftest import PERSONAS
from tests.factories import applicant_of, build_alliance_structure, project_in_state

pytestmark = pytest.mark.django_db

D = Decimal
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
APPLICANT_PAGES = ("grants:reports", "grants:payments", "grants:participants")
OFFICE_PAGES = (
    "grants_office:reports",
    "grants_office:payments",
    "grants_office:cofinancing",
    "grants_office:conclude",
)
FOLLOWUP_FORM = "followup-form"  # the class of every form of these pages


def today() -> date:
    return timezone.localdate()


def pdf(name: str = "bericht.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def site(alliance):
    return build_alliance_structure(alliance, place="Braunschweig")


@pytest.fixture
def project(site):
    # 200.000 € eligible costs at 70 %: 140.000 € granted.
    return project_in_state(site, Status.RUNNING, planned_participants=40)


@pytest.fixture
def office(make_persona):
    return make_persona("office")


@pytest.fixture
def own(project):
    """The project's own applicant."""
    return applicant_of(project, username="own")


def client_of(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def url(name: str, project, slug: str | None = None) -> str:
    return reverse(name, args=[slug or project.alliance.slug, project.reference])


# --- Who sees what ------------------------------------------------------------------------------

# What each persona gets on the pages of a project of `alliance`: "form", "read" (200, no form),
# 403.
APPLICANT_SIDE = {
    "office": "form",
    "admin": "form",
    "speaker": "read",
    "member": "read",
    "advisory": "read",
    "ministry": "read",
    "applicant": 403,  # an applicant of another project
    "outsider": 403,
}
OFFICE_SIDE = {**APPLICANT_SIDE, "applicant": 403}


def _expect(response, expected, name):
    if expected == "form":
        assert response.status_code == 200, name
        assert FOLLOWUP_FORM in response.content.decode(), name
    elif expected == "read":
        assert response.status_code == 200, name
        assert FOLLOWUP_FORM not in response.content.decode(), name
    else:
        assert response.status_code == expected, name


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_for_every_persona_in_both_alliances(
    persona, project, own, make_persona, other_alliance
):
    other_site = build_alliance_structure(other_alliance, place="Hannover")
    foreign = project_in_state(other_site, Status.RUNNING, planned_participants=10)
    for followed in (project, foreign):  # an open report: the submit form has something to take
        ScheduledReport.objects.create(
            alliance=followed.alliance,
            project=followed,
            kind=ReportKind.INTERIM_REPORT,
            due_on=today(),
        )
        PaymentRequest.objects.create(  # an open request: the office's decision form
            alliance=followed.alliance,
            project=followed,
            number=1,
            period_from=today() - timedelta(days=10),
            period_to=today() - timedelta(days=1),
            eligible_costs=D("100.00"),
            amount=D("70.00"),
        )
    user = make_persona(persona)
    client = client_of(user)
    pages = [(name, APPLICANT_SIDE) for name in APPLICANT_PAGES] + [
        (name, OFFICE_SIDE) for name in OFFICE_PAGES
    ]
    for name, table in pages:
        response = client.get(url(name, project))
        if persona == "public":
            assert response.status_code == 302 and "/konto/" in response["Location"], name
            continue
        _expect(response, table[persona], name)
        # Another alliance's project under this alliance's address: unknown here.
        if table[persona] != 403:
            assert client.get(url(name, foreign, slug=project.alliance.slug)).status_code == 404
            assert client.get(reverse(name, args=["son", "X-0000"])).status_code == 404
        # The other alliance's own address: its office (the outsider) acts, the ministry and
        # admins read or act as everywhere, this alliance's people are strangers there.
        other = client.get(url(name, foreign))
        if persona in ("outsider", "admin"):
            _expect(other, "form", name)
        elif persona == "ministry":
            _expect(other, "read", name)
        else:
            assert other.status_code == 403, name


def test_the_projects_own_applicant_gets_the_forms_but_not_the_offices_pages(project, own):
    ScheduledReport.objects.create(
        alliance=project.alliance, project=project, kind=ReportKind.INTERIM_REPORT, due_on=today()
    )
    client = client_of(own)
    for name in APPLICANT_PAGES:
        _expect(client.get(url(name, project)), "form", name)
    for name in OFFICE_PAGES:
        assert client.get(url(name, project)).status_code == 403, name


def test_readers_cannot_post(project, make_persona):
    client = client_of(make_persona("member"))
    response = client.post(url("grants:payments", project), {"period_from": "2026-01-01"})
    assert response.status_code == 403
    assert not PaymentRequest.objects.exists()


def test_the_project_page_links_the_pages_once_granted(project, own, site):
    page = client_of(own).get(reverse("applicant:project_detail", args=["son", project.reference]))
    for name in APPLICANT_PAGES:
        assert url(name, project) in page.content.decode()
    earlier = project_in_state(
        site, Status.ENDORSED, applicant_organisation=project.applicant_organisation
    )
    page = client_of(own).get(reverse("applicant:project_detail", args=["son", earlier.reference]))
    assert url("grants:reports", earlier) not in page.content.decode()


def test_the_project_page_names_the_next_report_and_what_was_paid(project, office, own):
    detail = reverse("applicant:project_detail", args=["son", project.reference])
    page = client_of(own).get(detail).content.decode()
    assert "Nächster Bericht" not in page
    assert "Ausgezahlt: 0,00 € von 140.000,00 € bewilligt" in page
    later = services.report_schedule(
        actor=office, project=project, kind=ReportKind.FINAL_PROOF, due_on=today()
    )
    first = services.report_schedule(
        actor=office, project=project, kind=ReportKind.INTERIM_REPORT, due_on=today()
    )
    ScheduledReport.objects.filter(pk=later.pk).update(due_on=today() + timedelta(days=90))
    ScheduledReport.objects.filter(pk=first.pk).update(due_on=today() - timedelta(days=2))
    page = client_of(own).get(detail).content.decode()
    due = (today() - timedelta(days=2)).strftime("%d.%m.%Y")
    assert f"Nächster Bericht: Sachbericht (Zwischenbericht), fällig am {due}" in page
    assert "überfällig" in page.split("Nächster Bericht")[1].split("</p>")[0]
    # Accepted, the final proof is next, and not overdue.
    ScheduledReport.objects.filter(pk=first.pk).update(status=ReportStatus.ACCEPTED)
    page = client_of(own).get(detail).content.decode()
    assert "Nächster Bericht: Verwendungsnachweis" in page
    assert "überfällig" not in page.split("Nächster Bericht")[1].split("</p>")[0]


# --- Reports ------------------------------------------------------------------------------------


def test_submitting_a_report_makes_a_version(project, office, own):
    report = services.report_schedule(
        actor=office, project=project, kind=ReportKind.FINAL_PROOF, due_on=today()
    )
    # Overdue: the grant was decided today in the factory, so the date moves back afterwards.
    ScheduledReport.objects.filter(pk=report.pk).update(due_on=today() - timedelta(days=3))
    client = client_of(own)
    page = client.get(url("grants:reports", project)).content.decode()
    assert "überfällig seit 3 Tagen" in page
    assert (today() - timedelta(days=3)).strftime("%d.%m.%Y") in page
    response = client.post(
        url("grants:reports", project),
        {
            "report": report.pk,
            "document": pdf(),
            "costs_to_date": "180.000,00",
            "summary": "Alles erledigt.",
        },
    )
    assert response.status_code == 302
    version = ReportVersion.objects.get(report=report)
    assert (version.number, version.costs_to_date) == (1, D("180000.00"))
    page = client.get(response["Location"]).content.decode()
    assert "ist eingereicht (Fassung 1)" in page
    assert "180.000,00 €" in page and "Eingereicht" in page


def test_a_refused_report_keeps_the_input_and_writes_nothing(project, office, own):
    report = services.report_schedule(
        actor=office, project=project, kind=ReportKind.INTERIM_REPORT, due_on=today()
    )
    response = client_of(own).post(
        url("grants:reports", project),
        {
            "report": report.pk,
            "document": SimpleUploadedFile("bericht.pdf", b"not a pdf"),
            "summary": "Mein Stand",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "ist kein erlaubtes Dokument" in page
    assert "Mein Stand" in page
    assert not ReportVersion.objects.exists()
    report.refresh_from_db()
    assert report.status == ReportStatus.DUE


# --- Payment requests ---------------------------------------------------------------------------


def _period():
    return (today() - timedelta(days=60)).isoformat(), (today() - timedelta(days=31)).isoformat()


def _receipt_rows(rows):
    data = {
        "belege-TOTAL_FORMS": str(max(5, len(rows))),
        "belege-INITIAL_FORMS": "0",
        "belege-MIN_NUM_FORMS": "0",
        "belege-MAX_NUM_FORMS": "100",
    }
    for index, (paid_on, payee, purpose, amount) in enumerate(rows):
        data.update(
            {
                f"belege-{index}-paid_on": paid_on,
                f"belege-{index}-payee": payee,
                f"belege-{index}-purpose": purpose,
                f"belege-{index}-amount": amount,
            }
        )
    return data


def test_a_request_with_receipt_rows_proposes_the_rate_of_the_costs(project, own):
    start, end = _period()
    client = client_of(own)
    response = client.post(
        url("grants:payments", project),
        {
            "period_from": start,
            "period_to": end,
            "eligible_costs": "1.000,00",
            "amount": "",
            **_receipt_rows(
                [(start, "Dozentin", "Honorar", "600,00"), (end, "Vermieter", "Miete", "400")]
            ),
        },
    )
    assert response.status_code == 302, response.content.decode()
    request = PaymentRequest.objects.get()
    assert (request.amount, request.status) == (D("700.00"), PaymentStatus.SUBMITTED)
    assert list(request.receipts.values_list("purpose", flat=True)) == ["Honorar", "Miete"]
    page = client.get(response["Location"]).content.decode()
    assert "Mittelabruf 1 über 700,00 € ist eingereicht" in page
    assert "139.300,00 €" in page  # what is left of the 140.000,00 €


def test_a_request_with_an_xlsx_list_of_receipts(project, own):
    start, end = _period()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Datum", "Empfänger", "Zweck", "Betrag"])
    sheet.append([date.fromisoformat(start), "Dozentin", "Honorar", 1000])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("belege.xlsx", buffer.getvalue())
    response = client_of(own).post(
        url("grants:payments", project),
        {
            "period_from": start,
            "period_to": end,
            "eligible_costs": "1000,00",
            "amount": "700,00",
            "receipts_file": upload,
            **_receipt_rows([]),
        },
    )
    assert response.status_code == 302
    assert list(Receipt.objects.values_list("payee", "amount")) == [("Dozentin", D("1000.00"))]


def test_a_request_above_the_rate_is_refused_with_the_input_kept(project, own):
    start, end = _period()
    response = client_of(own).post(
        url("grants:payments", project),
        {
            "period_from": start,
            "period_to": end,
            "eligible_costs": "1.000,00",
            "amount": "800,00",
            **_receipt_rows([(start, "Dozentin", "Honorar", "900,00")]),
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Höchstens 700,00 €" in page or "Belege ergeben 900,00 €" in page
    assert 'value="800,00"' in page and "Dozentin" in page
    assert not PaymentRequest.objects.exists() and not Receipt.objects.exists()


def test_a_wrong_row_of_the_xlsx_list_is_named(project, own):
    start, end = _period()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Datum", "Empfänger", "Zweck", "Betrag"])
    sheet.append(["gestern", "Dozentin", "Honorar", 1000])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = client_of(own).post(
        url("grants:payments", project),
        {
            "period_from": start,
            "period_to": end,
            "eligible_costs": "1000,00",
            "receipts_file": SimpleUploadedFile("belege.xlsx", buffer.getvalue()),
            **_receipt_rows([]),
        },
    )
    assert response.status_code == 200
    assert "Zeile 2: das Datum „gestern“ ist kein Tag wie 05.06.2018." in response.content.decode()
    assert not PaymentRequest.objects.exists()


# --- Participant figures ------------------------------------------------------------------------


def _figures(entries: int, exits: int, **overrides) -> dict:
    data = {
        "period_from": (today() - timedelta(days=30)).isoformat(),
        "period_to": (today() - timedelta(days=1)).isoformat(),
        "entries": str(entries),
        "exits": str(exits),
    }
    for key, (_label, categories) in CHARACTERISTICS.items():
        first = categories[0][0]
        data[f"b_{key}_{first}_entries"] = str(entries)
        data[f"b_{key}_{first}_exits"] = str(exits)
    data.update(overrides)
    return data


def test_recording_participant_figures(project, own):
    client = client_of(own)
    page = client.get(url("grants:participants", project)).content.decode()
    assert '<th scope="row">weiblich</th>' in page
    assert "Geschlecht, weiblich: Eintritte" in page  # the input's label
    response = client.post(url("grants:participants", project), _figures(12, 4))
    assert response.status_code == 302
    figures = ParticipantFigures.objects.get()
    assert (figures.entries, figures.breakdown["gender"]["female"]) == (
        12,
        {"entries": 12, "exits": 4},
    )
    assert "sind gemeldet" in client.get(response["Location"]).content.decode()


def test_figures_that_do_not_add_up_are_refused(project, own):
    response = client_of(own).post(
        url("grants:participants", project), _figures(12, 4, b_gender_female_entries="11")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Geschlecht: die Kategorien ergeben 11 Eintritte, insgesamt sind es 12." in page
    assert "Geschlecht: Geschlecht" not in page
    assert 'value="11"' in page
    assert not ParticipantFigures.objects.exists()


# --- Query counts -------------------------------------------------------------------------------


def _count(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_list_pages_query_counts_do_not_grow(project, office, own):
    """Reports page: session, user, memberships … (the frame) + the project + the reports + their
    versions with reviews; payments page: the frame + the project + the requests + their
    receipts + the sums drawn. One of each first, then more: the counts stay."""
    client = client_of(own)
    reports_path, payments_path = url("grants:reports", project), url("grants:payments", project)
    start = today() - timedelta(days=90)

    def add(offset: int) -> None:
        report = services.report_schedule(
            actor=office,
            project=project,
            kind=ReportKind.INTERIM_PROOF,
            due_on=today() + timedelta(days=offset),
        )
        services.report_submit(actor=own, report=report, document=pdf())
        services.report_review(actor=office, report=report, outcome="accepted")
        services.payment_request_submit(
            actor=own,
            project=project,
            period_from=start + timedelta(days=10 * offset),
            period_to=start + timedelta(days=10 * offset + 5),
            eligible_costs=D("100.00"),
            amount=D("70.00"),
            receipts=[
                services.ReceiptLine(start + timedelta(days=10 * offset), "A", "B", D("100.00"))
            ],
        )

    add(0)
    base_reports, base_payments = _count(client, reports_path), _count(client, payments_path)
    # Both: the alliance, the session, the user, the project (with phase and owner), the user's
    # roles in the alliance, the project applicant's membership, the unread notifications of
    # the header, the two-factor check (the session's verified app: django-otp's OTPMiddleware)
    # (8). Reports: + the reports + their versions with reviews and submitters = 10.
    # Payments: + the requests + their receipts + the sums drawn = 11.
    assert (base_reports, base_payments) == (10, 11)
    for offset in range(1, 4):
        add(offset)
    assert _count(client, reports_path) == base_reports
    assert _count(client, payments_path) == base_payments


# --- The office's forms -------------------------------------------------------------------------


def test_the_office_schedules_and_reviews_and_a_review_without_reason_is_refused(
    project, office, own
):
    client = client_of(office)
    path = url("grants_office:reports", project)
    due = (today() + timedelta(days=30)).isoformat()
    response = client.post(
        path, {"form": "schedule", "plan-kind": ReportKind.FINAL_PROOF, "plan-due_on": due}
    )
    assert response.status_code == 302
    report = ScheduledReport.objects.get()
    services.report_submit(actor=own, report=report, document=pdf(), costs_to_date=D("1.00"))
    response = client.post(
        path,
        {"form": "review", "pruefung-report": report.pk, "pruefung-outcome": "changes_requested"},
    )
    assert response.status_code == 200
    assert "Bitte sagen Sie, was geändert werden soll." in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    response = client.post(
        path,
        {"form": "review", "pruefung-report": report.pk, "pruefung-outcome": "accepted"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    assert "Die Prüfung ist vermerkt: Angenommen." in client.get(path).content.decode()


def test_the_office_checks_releases_and_refuses_only_with_a_reason(project, office, own):
    start = today() - timedelta(days=20)
    request = services.payment_request_submit(
        actor=own,
        project=project,
        period_from=start,
        period_to=start + timedelta(days=5),
        eligible_costs=D("1000.00"),
        amount=D("700.00"),
    )
    client = client_of(office)
    path = url("grants_office:payments", project)
    response = client.post(path, {"form": "decision", "request": request.pk, "decision": "refuse"})
    assert response.status_code == 200
    assert "Bitte begründen Sie die Ablehnung." in response.content.decode()
    request.refresh_from_db()
    assert request.status == PaymentStatus.SUBMITTED
    for decision in ("check", "release"):
        response = client.post(
            path, {"form": "decision", "request": request.pk, "decision": decision}
        )
        assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == PaymentStatus.RELEASED and request.ledger_entry_id


def test_cofinancing_received_beyond_the_pledge_is_refused(project, office):
    share = project.cofinancing.get()
    client = client_of(office)
    path = url("grants_office:cofinancing", project)
    response = client.post(
        path,
        {
            "form": "received",
            "share": share.pk,
            "received_on": today().isoformat(),
            "amount": str(share.amount + D("1.00")).replace(".", ","),
        },
    )
    assert response.status_code == 200
    assert "höchstens" in response.content.decode()
    assert not share.payments.exists()
    response = client.post(
        path,
        {
            "form": "received",
            "share": share.pk,
            "received_on": today().isoformat(),
            "amount": "1,00",
        },
    )
    assert response.status_code == 302
    assert share.payments.get().amount == D("1.00")


def test_concluding_shows_what_is_missing_and_is_refused_without_the_proof(project, office):
    client = client_of(office)
    path = url("grants_office:conclude", project)
    page = client.get(path).content.decode()
    assert "Der Verwendungsnachweis ist noch nicht angenommen." in page
    response = client.post(path, {"form": "conclude", "closed_on": today().isoformat()})
    assert response.status_code == 200
    assert "noch nicht angenommen; erst dann wird abgeschlossen" in response.content.decode()
    project.refresh_from_db()
    assert project.status == Status.RUNNING


def test_the_office_desk_lists_what_waits_for_its_answer(project, office, own, make_persona):
    desk = reverse("public:internal_dashboard", args=["son"])
    assert "Nach der Bewilligung zu prüfen" not in client_of(office).get(desk).content.decode()
    report = services.report_schedule(
        actor=office, project=project, kind=ReportKind.INTERIM_REPORT, due_on=today()
    )
    services.report_submit(actor=own, report=report, document=pdf(), summary="Halbzeit.")
    start = today() - timedelta(days=20)
    first, second = (
        services.payment_request_submit(
            actor=own,
            project=project,
            period_from=start + timedelta(days=offset),
            period_to=start + timedelta(days=offset + 4),
            eligible_costs=D("1000.00"),
            amount=D("700.00"),
        )
        for offset in (0, 5)
    )
    services.payment_request_check(actor=office, request=second)
    page = client_of(office).get(desk).content.decode()
    card = page.split('id="desk-pruefen"')[1].split("</section>")[0]
    assert f"{project.reference}: Sachbericht (Zwischenbericht)" in card
    assert url("grants_office:reports", project) in card
    assert f"{project.reference}: Mittelabruf {first.number}" in card
    assert "sachlich zu prüfen" in card and "geprüft, freizugeben" in card
    assert "700,00 €" in card
    # Released, the request leaves the desk; other roles never see the card.
    services.payment_request_release(actor=office, request=second)
    card = client_of(office).get(desk).content.decode().split('id="desk-pruefen"')[1]
    assert "geprüft, freizugeben" not in card.split("</section>")[0]
    member = client_of(make_persona("member")).get(desk).content.decode()
    assert "desk-pruefen" not in member
