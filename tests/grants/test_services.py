"""After the grant, through the services: reports on a schedule with versions and reviews,
payment requests that never exceed the grant and book on release, co-financing received,
participant figures that add up."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from buendnis.budget.models import EntryKind, LedgerEntry
from buendnis.budget.selectors import budget_figures, project_balance
from buendnis.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from buendnis.core.models import AuditEntry
from buendnis.funding.states import Status
from buendnis.grants import selectors, services
from buendnis.grants.models import (
    PaymentStatus,
    ReportKind,
    ReportStatus,
    ReportVersion,
)
from buendnis.grants.services import ReceiptLine
from tests.factories import applicant_of, build_alliance_structure, project_in_state

pytestmark = pytest.mark.django_db

D = Decimal
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def pdf(name: str = "bericht.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def site(alliance):
    return build_alliance_structure(alliance, place="Braunschweig")


@pytest.fixture
def office(make_persona):
    return make_persona("office")


@pytest.fixture
def project(site):
    # 200.000 € eligible costs at 70 %: 140.000 € granted.
    return project_in_state(site, Status.RUNNING, planned_participants=40)


@pytest.fixture
def applicant(project):
    return applicant_of(project)


def today() -> date:
    return timezone.localdate()


# --- Reports ------------------------------------------------------------------------------------


def test_a_report_goes_in_is_sent_back_and_accepted_in_versions(
    project, office, applicant, django_capture_on_commit_callbacks
):
    report = services.report_schedule(
        actor=office, project=project, kind=ReportKind.INTERIM_REPORT, due_on=today()
    )
    assert report.status == ReportStatus.DUE
    with django_capture_on_commit_callbacks(execute=True):
        services.report_submit(actor=applicant, report=report, document=pdf(), summary="Gut")
    report.refresh_from_db()
    assert (report.status, report.submitted_on) == (ReportStatus.SUBMITTED, today())
    with pytest.raises(DomainError):
        services.report_review(actor=office, report=report, outcome="changes_requested")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_review(
            actor=office, report=report, outcome="changes_requested", reason="Zahlen fehlen."
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.CHANGES_REQUESTED
    assert mail.outbox and "Zahlen fehlen." in mail.outbox[0].body
    assert mail.outbox[0].to == [project.contact_email]
    services.report_submit(
        actor=applicant, report=report, document=pdf("neu.pdf"), costs_to_date=D("50000.00")
    )
    services.report_review(actor=office, report=report, outcome="accepted")
    report.refresh_from_db()
    assert (report.status, report.accepted_on) == (ReportStatus.ACCEPTED, today())
    assert list(report.versions.values_list("number", flat=True)) == [1, 2]
    with pytest.raises(TransitionNotAllowed):
        services.report_submit(actor=applicant, report=report, document=pdf())
    with pytest.raises(ValueError, match="Fassung"):
        ReportVersion.objects.filter(report=report).update(summary="geändert")
    actions = list(
        AuditEntry.objects.filter(action__startswith="grants.report").values_list(
            "action", flat=True
        )
    )
    assert actions.count("grants.report_submitted") == 2
    assert actions.count("grants.report_reviewed") == 2


def test_only_the_office_schedules_and_reviews_only_the_applicant_or_office_submits(
    project, office, applicant, make_persona
):
    member = make_persona("member")
    with pytest.raises(NotPermitted):
        services.report_schedule(
            actor=applicant, project=project, kind=ReportKind.FINAL_PROOF, due_on=today()
        )
    report = services.report_schedule(
        actor=office, project=project, kind=ReportKind.FINAL_PROOF, due_on=today()
    )
    with pytest.raises(NotPermitted):
        services.report_submit(
            actor=member, report=report, document=pdf(), costs_to_date=D("1000.00")
        )
    services.report_submit(
        actor=applicant, report=report, document=pdf(), costs_to_date=D("1000.00")
    )
    with pytest.raises(NotPermitted):
        services.report_review(actor=applicant, report=report, outcome="accepted")
    # One final proof per project.
    with pytest.raises(DomainError):
        services.report_schedule(
            actor=office, project=project, kind=ReportKind.FINAL_PROOF, due_on=today()
        )


def test_a_report_is_not_due_before_the_grant(project, office):
    with pytest.raises(DomainError, match="nach der Bewilligung"):
        services.report_schedule(
            actor=office,
            project=project,
            kind=ReportKind.INTERIM_PROOF,
            due_on=project.bank_decided_on - timedelta(days=1),
        )


def test_reminders_before_and_after_the_due_date_once_a_week(project, office):
    soon = services.report_schedule(
        actor=office,
        project=project,
        kind=ReportKind.INTERIM_REPORT,
        due_on=today() + timedelta(days=10),
    )
    services.report_schedule(
        actor=office,
        project=project,
        kind=ReportKind.INTERIM_PROOF,
        due_on=today() + timedelta(days=60),
    )
    mail.outbox.clear()
    assert services.report_reminders_send(today=today()) == 1
    assert [message.to for message in mail.outbox] == [[project.contact_email]]
    assert "Erinnerung" in mail.outbox[0].subject
    assert services.report_reminders_send(today=today() + timedelta(days=3)) == 0
    # Overdue: reminded again a week later.
    assert services.report_reminders_send(today=today() + timedelta(days=14)) == 1
    soon.refresh_from_db()
    assert soon.reminded_on == today() + timedelta(days=14)
    assert [
        row.pk
        for row in selectors.overdue_reports(project.alliance_id, today() + timedelta(days=11))
    ] == [soon.pk]


# --- Payment requests ---------------------------------------------------------------------------


def _request(project, actor, amount, costs=None, start=None, end=None, **kw):
    start = start or today() - timedelta(days=60)
    end = end or today() - timedelta(days=31)
    return services.payment_request_submit(
        actor=actor,
        project=project,
        period_from=start,
        period_to=end,
        eligible_costs=costs if costs is not None else (amount / D("0.7")).quantize(D("0.01")),
        amount=amount,
        **kw,
    )


def test_two_tranches_are_checked_released_and_booked(project, office, applicant):
    assert project.granted_amount == D("140000.00")
    first = _request(project, applicant, D("70000.00"), costs=D("100000.00"))
    assert first.status == PaymentStatus.SUBMITTED
    with pytest.raises(TransitionNotAllowed):
        services.payment_request_release(actor=office, request=first)
    services.payment_request_check(actor=office, request=first)
    services.payment_request_release(actor=office, request=first)
    first.refresh_from_db()
    assert first.status == PaymentStatus.RELEASED and first.ledger_entry is not None
    balance = project_balance(project.pk)
    assert (balance.committed, balance.paid) == (D("70000.00"), D("70000.00"))
    entry = LedgerEntry.objects.get(pk=first.ledger_entry_id)
    assert (entry.kind, entry.paid_delta) == (EntryKind.PAYMENT, D("70000.00"))

    # The second asks for more than is left: refused, nothing written.
    before = (LedgerEntry.objects.count(), project.payment_requests.count())
    with pytest.raises(DomainError, match="übersteigt den bewilligten Zuschuss"):
        _request(
            project,
            applicant,
            D("70000.01"),
            costs=D("100001.00"),
            start=today() - timedelta(days=30),
            end=today(),
        )
    assert (LedgerEntry.objects.count(), project.payment_requests.count()) == before
    second = _request(
        project,
        applicant,
        D("70000.00"),
        costs=D("100000.00"),
        start=today() - timedelta(days=30),
        end=today(),
    )
    assert second.number == 2
    assert selectors.drawn(project).left == D("0.00")


def test_a_request_above_the_rate_overlapping_or_in_the_future_is_refused(project, applicant):
    with pytest.raises(DomainError, match="Fördersatz"):
        _request(project, applicant, D("70001.00"), costs=D("100000.00"))
    with pytest.raises(DomainError, match="angefallen"):
        _request(project, applicant, D("7000.00"), start=today(), end=today() + timedelta(days=1))
    _request(project, applicant, D("7000.00"))
    with pytest.raises(DomainError, match="überschneidet"):
        _request(project, applicant, D("7000.00"))


def test_receipts_must_add_up_and_lie_in_the_period(project, applicant):
    start, end = today() - timedelta(days=60), today() - timedelta(days=31)
    lines = [
        ReceiptLine(start, "Dozentin", "Honorar", D("600.00")),
        ReceiptLine(end, "Raumvermietung", "Miete", D("400.00")),
    ]
    with pytest.raises(DomainError, match="ergeben"):
        _request(project, applicant, D("700.00"), costs=D("1100.00"), receipts=lines)
    outside = [*lines[:1], ReceiptLine(end + timedelta(days=1), "X", "Spät", D("400.00"))]
    with pytest.raises(DomainError, match="außerhalb"):
        _request(project, applicant, D("700.00"), costs=D("1000.00"), receipts=outside)
    request = _request(project, applicant, D("700.00"), costs=D("1000.00"), receipts=lines)
    assert list(request.receipts.values_list("position", "purpose")) == [
        (1, "Honorar"),
        (2, "Miete"),
    ]


def test_a_refused_request_frees_its_amount(project, office, applicant):
    request = _request(project, applicant, D("140000.00"), costs=D("200000.00"))
    with pytest.raises(DomainError):
        services.payment_request_refuse(actor=office, request=request, reason=" ")
    services.payment_request_refuse(actor=office, request=request, reason="Belege fehlen.")
    assert selectors.drawn(project).left == D("140000.00")
    with pytest.raises(TransitionNotAllowed):
        services.payment_request_check(actor=office, request=request)


def test_only_the_office_checks_and_releases(project, applicant, make_persona):
    request = _request(project, applicant, D("7000.00"))
    for persona in ("speaker", "member", "ministry"):
        with pytest.raises(NotPermitted):
            services.payment_request_check(actor=make_persona(persona), request=request)
    with pytest.raises(NotPermitted):
        services.payment_request_check(actor=applicant, request=request)


def test_no_requests_before_the_grant(site, make_persona):
    office = make_persona("office")
    endorsed = project_in_state(site, Status.ENDORSED)
    with pytest.raises(TransitionNotAllowed):
        _request(endorsed, office, D("1000.00"))
    assert not budget_figures(site.phase).paid


# --- Co-financing received ----------------------------------------------------------------------


def test_cofinancing_received_never_exceeds_the_pledge(project, office):
    share = project.cofinancing.get()
    services.cofinancing_received(
        actor=office, share=share, received_on=today(), amount=share.amount - D("1.00")
    )
    with pytest.raises(DomainError, match="höchstens"):
        services.cofinancing_received(
            actor=office, share=share, received_on=today(), amount=D("1.01")
        )
    services.cofinancing_received(actor=office, share=share, received_on=today(), amount=D("1.00"))
    with pytest.raises(DomainError, match="Zukunft"):
        services.cofinancing_received(
            actor=office, share=share, received_on=today() + timedelta(days=1), amount=D("1.00")
        )


# --- Participant figures ------------------------------------------------------------------------


def breakdown(entries: int, exits: int) -> dict:
    return {
        "gender": {"female": {"entries": entries, "exits": exits}},
        "age": {"25_to_54": {"entries": entries, "exits": exits}},
        "employment": {"unemployed": {"entries": entries, "exits": exits}},
        "education": {"isced_3_4": {"entries": entries, "exits": exits}},
    }


def test_participant_figures_add_up_and_exits_never_exceed_entries(project, applicant):
    first_from, first_to = today() - timedelta(days=90), today() - timedelta(days=61)
    services.participants_record(
        actor=applicant,
        project=project,
        period_from=first_from,
        period_to=first_to,
        entries=10,
        exits=2,
        breakdown=breakdown(10, 2),
    )
    second = dict(period_from=today() - timedelta(days=60), period_to=today() - timedelta(days=1))
    with pytest.raises(DomainError, match="ausgetreten"):
        services.participants_record(
            actor=applicant,
            project=project,
            entries=5,
            exits=14,
            breakdown=breakdown(5, 14),
            **second,
        )
    wrong = breakdown(5, 3)
    wrong["gender"] = {"female": {"entries": 4, "exits": 3}}
    with pytest.raises(DomainError, match="Geschlecht"):
        services.participants_record(
            actor=applicant, project=project, entries=5, exits=3, breakdown=wrong, **second
        )
    with pytest.raises(DomainError, match="überschneidet"):
        services.participants_record(
            actor=applicant,
            project=project,
            period_from=first_to,
            period_to=first_to + timedelta(days=5),
            entries=1,
            exits=0,
            breakdown=breakdown(1, 0),
        )
    services.participants_record(
        actor=applicant, project=project, entries=5, exits=13, breakdown=breakdown(5, 13), **second
    )
    assert selectors.participants_reached(project) == selectors.Reached(entries=15, exits=15)


def test_no_figures_for_a_project_without_participants(site, make_persona):
    office = make_persona("office")
    project = project_in_state(site, Status.RUNNING, planned_participants=0)
    with pytest.raises(DomainError, match="keine Teilnehmenden"):
        services.participants_record(
            actor=office,
            project=project,
            period_from=today() - timedelta(days=30),
            period_to=today() - timedelta(days=1),
            entries=1,
            exits=0,
            breakdown=breakdown(1, 0),
        )


# --- Closing after tranches -------------------------------------------------------------------


def test_closing_pays_what_is_left_of_the_final_grant_and_releases_the_rest(
    project, office, applicant
):
    from buendnis.funding import services as funding

    request = _request(project, applicant, D("70000.00"), costs=D("100000.00"))
    services.payment_request_check(actor=office, request=request)
    services.payment_request_release(actor=office, request=request)
    with pytest.raises(DomainError, match="bereits ausgezahlten"):
        funding.project_close(
            actor=office,
            project=project,
            closed_on=today(),
            final_eligible_costs=D("90000.00"),
            final_grant=D("63000.00"),
            final_report=pdf(),
        )
    funding.project_close(
        actor=office,
        project=project,
        closed_on=today(),
        final_eligible_costs=D("180000.00"),
        final_grant=D("126000.00"),
        final_report=pdf(),
    )
    balance = project_balance(project.pk)
    assert (balance.reserved, balance.committed, balance.paid) == (0, 0, D("126000.00"))


def test_concluding_needs_the_accepted_final_proof_and_no_open_request(project, office, applicant):
    released = _request(project, applicant, D("70000.00"), costs=D("100000.00"))
    services.payment_request_check(actor=office, request=released)
    services.payment_request_release(actor=office, request=released)
    services.participants_record(
        actor=applicant,
        project=project,
        period_from=today() - timedelta(days=20),
        period_to=today() - timedelta(days=1),
        entries=12,
        exits=4,
        breakdown=breakdown(12, 4),
    )
    proof = services.report_schedule(
        actor=office, project=project, kind=ReportKind.FINAL_PROOF, due_on=today()
    )
    with pytest.raises(DomainError, match="Verwendungsnachweis"):
        services.project_conclude(actor=office, project=project, closed_on=today())
    services.report_submit(
        actor=applicant, report=proof, document=pdf("vn.pdf"), costs_to_date=D("110000.00")
    )
    services.report_review(actor=office, report=proof, outcome="accepted")
    pending = _request(
        project,
        applicant,
        D("7000.00"),
        costs=D("10000.00"),
        start=today() - timedelta(days=20),
        end=today(),
    )
    with pytest.raises(DomainError, match="noch offen"):
        services.project_conclude(actor=office, project=project, closed_on=today())
    services.payment_request_refuse(actor=office, request=pending, reason="Zu spät.")
    with pytest.raises(NotPermitted):
        services.project_conclude(actor=applicant, project=project, closed_on=today())

    closed = services.project_conclude(actor=office, project=project, closed_on=today())
    assert closed.status == Status.CLOSED
    assert (closed.final_grant, closed.final_eligible_costs) == (D("70000.00"), D("110000.00"))
    assert (closed.participants_entered, closed.participants_exited) == (12, 4)
    balance = project_balance(project.pk)
    # The 70.000 € not drawn went back to the phase with the close.
    assert (balance.committed, balance.paid) == (D("0.00"), D("70000.00"))
    assert LedgerEntry.objects.filter(project=project, kind=EntryKind.RELEASE).exists()


def test_a_final_proof_names_its_total_and_a_new_due_date_follows_the_grant(
    project, office, applicant
):
    proof = services.report_schedule(
        actor=office, project=project, kind=ReportKind.FINAL_PROOF, due_on=today()
    )
    with pytest.raises(DomainError, match="Gesamtausgaben"):
        services.report_submit(actor=applicant, report=proof, document=pdf())
    assert not proof.versions.exists()
    with pytest.raises(DomainError, match="nach der Bewilligung"):
        services.report_reschedule(
            actor=office,
            report=proof,
            due_on=project.bank_decided_on - timedelta(days=1),
            reason="Verschoben",
        )
    services.report_reschedule(
        actor=office, report=proof, due_on=today() + timedelta(days=30), reason="Verlängert"
    )
    proof.refresh_from_db()
    assert proof.due_on == today() + timedelta(days=30)


def test_the_office_desk_lists_overdue_reports(project, office):
    from django.test import Client

    from buendnis.grants.models import ScheduledReport

    client = Client()
    client.force_login(office)

    report = services.report_schedule(
        actor=office, project=project, kind=ReportKind.INTERIM_REPORT, due_on=today()
    )
    html = client.get("/son/intern/").content.decode()
    assert "Überfällige Berichte" not in html
    # Three days later the report is still not in.
    ScheduledReport.objects.filter(pk=report.pk).update(due_on=today() - timedelta(days=3))
    html = client.get("/son/intern/").content.decode()
    assert "Überfällige Berichte" in html
    assert f"{project.reference}: Sachbericht (Zwischenbericht)" in html


def test_the_reminder_command_reminds_once_a_day(project, office):
    import io

    from django.core.management import call_command

    services.report_schedule(
        actor=office, project=project, kind=ReportKind.INTERIM_REPORT, due_on=today()
    )
    mail.outbox.clear()
    out = io.StringIO()
    call_command("send_report_reminders", stdout=out)
    assert out.getvalue().strip() == "1 Bericht(e) erinnert."
    call_command("send_report_reminders", stdout=out)
    assert out.getvalue().strip().endswith("0 Bericht(e) erinnert.")
    assert len(mail.outbox) == 1
