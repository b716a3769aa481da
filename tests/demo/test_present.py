"""The demo in the present (December 2026): the alliances' phases up to the running 2024–2027, the
renewal 2018–2021 as the council paper describes it, the renewal 2027–2030 under way, a new project
that can still be created and submitted, and every date of the demo consistent with every other."""

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.utils import timezone

from buendnis.accounts.models import User
from buendnis.alliances.models import (
    ActionField,
    Alliance,
    BodyKind,
    CooperationAgreement,
    FundingPhase,
    Organisation,
    RecognitionStatus,
)
from buendnis.alliances.selectors import current_phase
from buendnis.budget.models import EntryKind, LedgerEntry
from buendnis.core.models import Timestamped
from buendnis.demo.documents import demo_pdf
from buendnis.demo.load import load_demo
from buendnis.demo.meetings import MARCH_2018, NOVEMBER_2026, PRESENT, THEMES_2018, THEMES_2027
from buendnis.demo.structure import NEW_PARTNER_2027, SON_THEMES_2018_2021
from buendnis.funding import services as funding
from buendnis.funding.models import FundingPriority, Project
from buendnis.funding.states import Status
from buendnis.grants import selectors as grant_selectors
from buendnis.grants.models import (
    CoFinancingPayment,
    ParticipantFigures,
    PaymentRequest,
    PaymentStatus,
    ReportKind,
    ReportStatus,
    ReviewOutcome,
)
from buendnis.ideas.models import Idea, IdeaLink
from buendnis.meetings.models import Circulation, Decision, Meeting, MinutesStatus
from buendnis.notifications.models import Notification
from buendnis.office.models import Inquiry
from buendnis.renewal import selectors
from buendnis.renewal.models import (
    ExtensionApplication,
    RecognitionDecision,
    RecognitionOutcome,
    SignatureRequest,
    SignatureStatus,
    Strategy,
    StrategyVersion,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The whole demo loaded for the module, rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        yield
        transaction.set_rollback(True)


def phase(slug: str, name: str) -> FundingPhase:
    return FundingPhase.objects.get(alliance__slug=slug, name=name)


def local_day(moment: datetime) -> date:
    return timezone.localdate(moment)


# --- The phases ---------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["son", "leine-weser"])
def test_the_current_phase_is_2024_2027(demo: None, slug: str) -> None:
    alliance = Alliance.objects.get(slug=slug)
    assert current_phase(alliance).name == "2024–2027"
    assert current_phase(alliance, on=PRESENT).name == "2024–2027"
    recognised = FundingPhase.objects.filter(
        alliance=alliance, recognition_status=RecognitionStatus.RECOGNISED
    ).order_by("starts_on")
    # One phase after the other, each recognised before it began, each signed by every partner
    # of the one before.
    for before, after in zip(recognised, recognised[1:], strict=False):
        assert after.starts_on == before.ends_on + timedelta(days=1)
        assert set(before.agreements.values_list("organisation", flat=True)) <= set(
            after.agreements.values_list("organisation", flat=True)
        )
    for recognised_phase in recognised:
        assert recognised_phase.recognised_on is not None
        assert recognised_phase.recognised_on < recognised_phase.starts_on + timedelta(days=62)
        assert recognised_phase.recognition_reference
        assert recognised_phase.agreements.exists()


@pytest.mark.parametrize(
    ("slug", "name", "budget", "rate"),
    [
        ("son", "2021–2024", "1500000.00", "50.00"),
        ("son", "2024–2027", "1600000.00", "60.00"),
        ("leine-weser", "2021–2024", "2500000.00", "50.00"),
        ("leine-weser", "2024–2027", "2300000.00", "60.00"),
    ],
)
def test_later_phases_carry_their_illustrative_figures(
    demo: None, slug: str, name: str, budget: str, rate: str
) -> None:
    later = phase(slug, name)
    assert later.virtual_budget == Decimal(budget)
    assert later.funding_rate == Decimal(rate)
    assert later.recognition_status == RecognitionStatus.RECOGNISED
    # Illustrative where people read it.
    assert "beispielhaft" in later.recognition_conditions
    assert "beispielhaft" in later.recognition_reference
    assert (
        later.agreements.count()
        == later.alliance.organisations.filter(agreements__phase__name="2018–2021").count()
    )


def test_son_renewed_through_its_own_cycle(demo: None) -> None:
    """2018–2021, 2021–2024 and 2024–2027: prepared, fields adopted by the Steuerkreis, every
    partner asked and signed, applied for, recognised by the ministry under its name then."""
    authorities = {
        "2018–2021": "Niedersächsisches Ministerium für Wirtschaft, Arbeit, Verkehr und Digitalisierung",
        "2021–2024": "Niedersächsisches Ministerium für Wirtschaft, Arbeit, Verkehr und Digitalisierung",
        "2024–2027": "Niedersächsisches Ministerium für Wirtschaft, Verkehr, Bauen und Digitalisierung",
    }
    for name, authority in authorities.items():
        renewed = phase("son", name)
        application = ExtensionApplication.objects.get(phase=renewed)
        (decision,) = RecognitionDecision.objects.filter(phase=renewed)
        assert decision.outcome == RecognitionOutcome.RECOGNISED
        assert decision.authority == authority
        assert decision.actor.username == "ministerium"
        assert application.submitted_by.username == "geschaeftsstelle"
        assert local_day(application.submitted_at) == renewed.extension_applied_on
        assert renewed.extension_applied_on < decision.decided_on == renewed.recognised_on
        assert decision.reference == renewed.recognition_reference
        requests = SignatureRequest.objects.filter(phase=renewed)
        assert requests.count() == 28
        assert set(requests.values_list("status", flat=True)) == {SignatureStatus.SIGNED}
        strategy = Strategy.objects.get(phase=renewed)
        assert strategy.adopted_decision is not None
        meeting = strategy.adopted_decision.item.meeting
        assert meeting.body.kind == BodyKind.STEERING
        assert local_day(meeting.starts_at) == strategy.adopted_on < renewed.extension_applied_on
        assert strategy.versions.count() >= 2
    # The unspent budget of 2021–2024 carried over on recognition of 2024–2027.
    carried = LedgerEntry.objects.filter(kind=EntryKind.CARRY_OVER, phase__alliance__slug="son")
    assert {(entry.phase.name, entry.budget_delta) for entry in carried} == {
        ("2021–2024", Decimal("-60000.00")),
        ("2024–2027", Decimal("60000.00")),
    }
    assert {local_day(entry.created_at) for entry in carried} == {date(2024, 6, 26)}


def test_2018_2021_as_the_council_paper_describes(demo: None) -> None:
    second = phase("son", "2018–2021")
    # The City of Braunschweig: its paper went to the Verwaltungsausschuss, which decided on
    # 05.06.2018; then the city signed.
    city = SignatureRequest.objects.get(phase=second, organisation__name="Stadt Braunschweig")
    assert city.status == SignatureStatus.SIGNED
    assert city.decision_body == "Verwaltungsausschuss"
    assert city.decision_date == date(2018, 6, 5)
    assert city.reference
    assert "Wirtschaftsausschuss am 01.06.2018" in city.note
    assert city.asked_on < city.decision_date <= city.signed_on
    agreement = city.agreement
    assert (agreement.decision_body, agreement.decision_date) == (
        "Verwaltungsausschuss",
        date(2018, 6, 5),
    )
    assert agreement.decision_reference == city.reference
    # ... and so supported the application for the extension of the recognition.
    assert city.signed_on <= second.extension_applied_on < second.recognised_on
    assert second.recognition_status == RecognitionStatus.RECOGNISED
    assert "Verlängerung der Anerkennung" in second.extension_note

    # The structure of the strategy, adopted by the Steuerkreis in March 2018, word for word.
    strategy = Strategy.objects.get(phase=second)
    assert strategy.adopted_on == MARCH_2018
    assert strategy.adopted_decision.item.title == THEMES_2018
    assert local_day(strategy.adopted_decision.item.meeting.starts_at) == MARCH_2018
    expected = [
        {
            "title": spec.title,
            "is_open": spec.is_open,
            "topics": [
                title
                for topic in spec.topics
                for title in ((topic,) if isinstance(topic, str) else (topic[0], *topic[1]))
            ],
        }
        for spec in SON_THEMES_2018_2021
    ]
    assert sorted(strategy.adopted_fields, key=lambda entry: entry["title"]) == sorted(
        expected, key=lambda entry: entry["title"]
    )
    assert [entry["title"] for entry in strategy.adopted_fields if not entry["is_open"]] == [
        "Beratungsinfrastruktur",
        "Digitalisierung / Innovation",
        "Rekrutierung und Matching",
    ]
    latest = selectors.latest_version(second)
    assert "Beratungsinfrastruktur, Digitalisierung / Innovation sowie Rekrutierung" in (
        latest.fields_intro
    )
    assert "1,5 Mio. €" in latest.review and "3 Mio. €" in latest.review


def test_the_renewal_2027_2030_is_under_way(demo: None) -> None:
    draft = phase("son", "2027–2030")
    assert draft.recognition_status == RecognitionStatus.DRAFT
    assert (draft.starts_on, draft.ends_on) == (date(2027, 7, 1), date(2030, 6, 30))
    assert draft.virtual_budget == Decimal("1800000.00")
    application = ExtensionApplication.objects.get(phase=draft)
    # Not applied for: the office does that (the demo login), the ministry decides.
    assert application.submitted_at is None and application.submissions == 0
    assert not RecognitionDecision.objects.filter(phase=draft).exists()
    # Ready to go: the composition, the Sprecherkreis and the adopted strategy hold.
    assert selectors.application_problems(draft) == []

    rows = selectors.partner_rows(draft)
    counts = selectors.status_counts(rows)
    assert counts[SignatureStatus.SIGNED] >= 10
    assert counts[SignatureStatus.PENDING] >= 3
    assert counts[SignatureStatus.DECLINED] >= 1
    assert counts[SignatureStatus.ASKED] >= 2
    assert sum(counts.values()) == 29
    requests = {
        request.organisation.name: request
        for request in SignatureRequest.objects.filter(phase=draft).select_related(
            "organisation", "agreement"
        )
    }
    # A new partner is asked.
    new = requests[NEW_PARTNER_2027]
    assert new.status == SignatureStatus.ASKED
    assert not CooperationAgreement.objects.filter(organisation=new.organisation).exists()
    # The city's council decides in 2027: body, paper and planned date.
    city = requests["Stadt Braunschweig"]
    assert city.status == SignatureStatus.PENDING
    assert city.decision_body == "Verwaltungsausschuss"
    assert city.reference and city.decision_date.year == 2027
    assert city.agreement is None
    # Signed ones carry their agreement, some with the signed document as a PDF.
    signed = [request for request in requests.values() if request.status == SignatureStatus.SIGNED]
    assert all(request.agreement is not None for request in signed)
    with_document = [request for request in signed if request.document]
    assert with_document and len(with_document) < len(signed)
    with with_document[0].document.open("rb") as handle:
        assert handle.read().startswith(b"%PDF-")
    declined = [r for r in requests.values() if r.status == SignatureStatus.DECLINED]
    assert all(request.declined_on and request.note for request in declined)
    # The strategy: versions, the fields adopted by the Steuerkreis in November 2026.
    strategy = Strategy.objects.get(phase=draft)
    assert strategy.adopted_decision.item.title == THEMES_2027
    assert local_day(strategy.adopted_decision.item.meeting.starts_at) == NOVEMBER_2026
    assert strategy.versions.count() == 3
    assert ActionField.objects.filter(phase=draft, is_open=False).count() == 3


# --- A new project in the running phase ---------------------------------------------------------


def test_a_new_project_can_be_created_and_submitted_in_the_current_phase(demo: None) -> None:
    son = Alliance.objects.get(slug="son")
    running = current_phase(son)
    applicant = User.objects.get(username="antrag")
    office = User.objects.get(username="geschaeftsstelle")
    awo = Organisation.objects.get(alliance=son, name="AWO Bezirksverband Braunschweig e. V.")
    field = ActionField.objects.filter(phase=running, is_open=False).order_by("position").first()
    project = funding.project_create(
        actor=applicant,
        alliance=son,
        phase=running,
        title="Sprachpatenschaften im Betrieb",
        applicant_organisation=awo,
        topics=[field.topics.first()],
        summary="Beschäftigte begleiten neue Kolleginnen und Kollegen beim Deutschlernen.",
        goals="Sprache im Betrieb lernen.",
        target_group="Neu eingestellte Beschäftigte mit geringen Deutschkenntnissen",
        region="Stadt Braunschweig",
        action_field=field,
        funding_priority=FundingPriority.UNEMPLOYED,
        starts_on=date(2027, 4, 1),
        ends_on=date(2027, 12, 31),
        eligible_costs=Decimal("100000.00"),
        requested_grant=Decimal("60000.00"),
    )
    funding.cofinancing_set(
        actor=applicant,
        project=project,
        shares=[funding.Share(amount=Decimal("40000.00"), organisation=awo)],
    )
    funding.consultation_record(
        actor=office,
        project=project,
        held_on=timezone.localdate(),
        participants="Geschäftsstelle; AWO",
    )
    funding.sketch_submit(
        actor=applicant,
        project=project,
        document=SimpleUploadedFile(
            "kurzskizze.pdf", demo_pdf("Kurzskizze"), content_type="application/pdf"
        ),
    )
    project.refresh_from_db()
    assert project.status == Status.SKETCH_SUBMITTED
    assert project.phase.name == "2024–2027"


# --- Every date consistent ----------------------------------------------------------------------

# Fields that name what is planned, due or running, not what happened.
PLANNED = {
    ("meetings", "meeting"): {"starts_at", "ends_at", "submission_deadline"},
    ("meetings", "circulation"): {"deadline"},
    ("renewal", "signaturerequest"): {"due_on", "decision_date"},
    ("renewal", "extensionapplication"): {"signature_deadline"},
    ("alliances", "fundingphase"): {"starts_on", "ends_on", "project_end_cutoff"},
    ("alliances", "seat"): {"starts_on", "ends_on"},
    ("funding", "project"): {"starts_on", "ends_on"},
    ("office", "inquiry"): {"due_on"},
    ("grants", "scheduledreport"): {"due_on"},
    ("accounts", "apitoken"): {"expires_at"},
    ("sessions", "session"): {"expire_date"},
}


def test_nothing_recorded_in_the_future(demo: None) -> None:
    """Every stamp and every date of what happened lies before now, in every table."""
    now, today = timezone.now(), timezone.localdate()
    for model in apps.get_models():
        skip = PLANNED.get((model._meta.app_label, model._meta.model_name), set())
        for field in model._meta.concrete_fields:
            if field.name in skip or not isinstance(field, models.DateField):
                continue
            limit = now if isinstance(field, models.DateTimeField) else today
            late = model._default_manager.filter(**{f"{field.name}__gt": limit})
            assert not late.exists(), (model._meta.label, field.name, late.first())
        if issubclass(model, Timestamped):
            assert not model._default_manager.filter(
                created_at__gt=models.F("updated_at")
            ).exists(), model._meta.label


def test_projects_move_in_order_from_their_creation(demo: None) -> None:
    today = timezone.localdate()
    for project in Project.objects.select_related("phase"):
        created = project.created_at
        # No project reads as created on the day the demo was loaded, unless it was.
        assert local_day(created) >= project.phase.starts_on, project.title
        transitions = list(project.transitions.order_by("id"))
        stamps = [created] + [transition.created_at for transition in transitions]
        assert stamps == sorted(stamps), project.title
        assert project.status_changed_at == (stamps[-1] if transitions else created)
        for consultation in project.consultations.all():
            assert local_day(created) <= consultation.held_on <= today
            assert local_day(consultation.recorded_at) == consultation.held_on
        for outcome in project.outcomes.all():
            assert local_day(outcome.recorded_at) == outcome.decided_on >= local_day(created)
        for document in project.documents.all():
            assert document.uploaded_at >= created, project.title
        for entry in project.ledger_entries.all():
            assert entry.created_at >= created, project.title
        days = [
            project.application_filed_on,
            project.bank_decided_on,
            project.started_on,
            project.closed_on,
        ]
        known = [day for day in days if day is not None]
        assert known == sorted(known), project.title
        assert all(local_day(created) <= day <= today for day in known), project.title
    # The first phase's projects read as of their time.
    first = Project.objects.filter(phase__name="2015–2018", alliance__slug="son")
    assert {local_day(project.created_at).year for project in first} <= {2015, 2016, 2017}


def test_meetings_invite_before_and_record_after(demo: None) -> None:
    now = timezone.now()
    for meeting in Meeting.objects.select_related("body"):
        assert meeting.created_at <= (meeting.invited_at or now)
        if meeting.invited_at is not None:
            assert meeting.invited_at < meeting.starts_at, meeting
        minutes = getattr(meeting, "minutes", None)
        if minutes is not None:
            assert minutes.created_at > meeting.starts_at, meeting
            if minutes.status == MinutesStatus.APPROVED:
                approving = minutes.approved_in
                assert approving.body_id == meeting.body_id
                assert meeting.starts_at < approving.starts_at <= minutes.approved_at
        for row in meeting.attendances.all():
            assert row.seat is None or row.seat.is_active_on(local_day(meeting.starts_at))
    for decision in Decision.objects.select_related("item__meeting"):
        meeting = decision.item.meeting
        assert meeting.starts_at <= decision.decided_at <= (meeting.ends_at or now)
    for circulation in Circulation.objects.prefetch_related("answers"):
        for answer in circulation.answers.all():
            assert circulation.opened_at <= answer.answered_at < circulation.deadline
            assert answer.answered_at <= (circulation.closed_at or now)


def test_the_cycle_in_order(demo: None) -> None:
    for agreement in CooperationAgreement.objects.select_related("phase"):
        if agreement.decision_date is not None:
            assert agreement.decision_date <= agreement.signed_on, agreement
        # Recorded when it was signed, or later.
        assert local_day(agreement.created_at) >= agreement.signed_on, agreement
    for request in SignatureRequest.objects.all():
        assert local_day(request.created_at) == request.asked_on
        if request.signed_on:
            assert request.asked_on <= request.signed_on
            assert request.decision_date is None or request.decision_date <= request.signed_on
        if request.declined_on:
            assert request.asked_on <= request.declined_on
    for phase_ in FundingPhase.objects.all():
        if phase_.extension_applied_on and phase_.recognised_on:
            assert phase_.extension_applied_on <= phase_.recognised_on, phase_
        if phase_.recognised_on:
            # A phase recorded as it stands is recorded when its recognition came.
            assert local_day(phase_.created_at) <= phase_.recognised_on, phase_
    for decision in RecognitionDecision.objects.select_related("phase__extension_application"):
        application = decision.phase.extension_application
        assert local_day(application.submitted_at) <= decision.decided_on
        assert local_day(decision.created_at) == decision.decided_on
    for strategy in Strategy.objects.select_related("adopted_decision__item__meeting", "phase"):
        versions = list(strategy.versions.order_by("number"))
        stamps = [version.created_at for version in versions]
        assert stamps == sorted(stamps), strategy
        assert local_day(versions[0].created_at) == local_day(strategy.phase.created_at)
        if strategy.adopted_decision is not None:
            day = local_day(strategy.adopted_decision.item.meeting.starts_at)
            assert day == strategy.adopted_on
    assert StrategyVersion.objects.exists()


def test_the_inbox_ideas_and_notifications_lie_in_the_present(demo: None) -> None:
    now = timezone.now()
    for inquiry in Inquiry.objects.prefetch_related("messages"):
        assert inquiry.created_at <= now
        for message in inquiry.messages.all():
            assert inquiry.created_at <= message.sent_at <= now
        if inquiry.project is not None:
            assert inquiry.project.created_at <= inquiry.created_at
    for idea in Idea.objects.all():
        assert local_day(idea.created_at) >= PRESENT - timedelta(weeks=8)
    for link in IdeaLink.objects.select_related("idea", "other_idea"):
        others = [link.idea.created_at] + ([link.other_idea.created_at] if link.other_idea else [])
        assert link.created_at >= max(others)
    for notification in Notification.objects.all():
        meeting_id = int(notification.link.rstrip("/").rsplit("/", 1)[1])
        meeting = Meeting.objects.get(pk=meeting_id)
        assert notification.created_at == meeting.invited_at < meeting.starts_at


# --- After the grant ----------------------------------------------------------------------------


def test_running_projects_report_draw_and_count(demo: None) -> None:
    running = list(
        Project.objects.filter(alliance__slug="son", status=Status.RUNNING).order_by("reference")
    )
    assert [project.reference for project in running] == [
        "SON-2024-002",
        "SON-2024-004",
        "SON-2024-006",
    ]
    for project in running:
        kinds = [report.kind for report in project.reports.all()]
        assert ReportKind.INTERIM_REPORT in kinds, project.reference
        assert kinds.count(ReportKind.FINAL_PROOF) == 1, project.reference
        final = project.reports.get(kind=ReportKind.FINAL_PROOF)
        # The proof of use covers the whole runtime: due after its end, still open.
        assert final.due_on > project.ends_on and final.status == ReportStatus.DUE
        assert project.reports.filter(status=ReportStatus.ACCEPTED).exists(), project.reference
        assert project.participant_figures.count() >= 2, project.reference
        assert CoFinancingPayment.objects.filter(share__project=project).exists()
        drawn = grant_selectors.drawn(project)
        assert 0 < drawn.released <= drawn.held <= drawn.granted, project.reference
    statuses = set(
        PaymentRequest.objects.filter(project__in=running).values_list("status", flat=True)
    )
    assert statuses == {PaymentStatus.SUBMITTED, PaymentStatus.CHECKED, PaymentStatus.RELEASED}
    # One report was sent back for changes and handed in again before it was accepted.
    resubmitted = [
        report
        for project in running
        for report in project.reports.all()
        if report.versions.count() == 2
    ]
    assert resubmitted
    outcomes = [version.review.outcome for version in resubmitted[0].versions.order_by("number")]
    assert outcomes == [ReviewOutcome.CHANGES_REQUESTED, ReviewOutcome.ACCEPTED]


def test_one_report_is_overdue_on_the_office_desk(demo: None) -> None:
    son = Alliance.objects.get(slug="son")
    overdue = list(grant_selectors.overdue_reports(son.pk, timezone.localdate()))
    assert [(report.project.reference, report.kind) for report in overdue] == [
        ("SON-2024-004", ReportKind.INTERIM_REPORT)
    ]
    assert overdue[0].due_on < timezone.localdate() and not overdue[0].versions.exists()


def test_released_payment_requests_are_the_ledger_payments(demo: None) -> None:
    released = PaymentRequest.objects.filter(status=PaymentStatus.RELEASED).select_related(
        "ledger_entry"
    )
    assert released.count() >= 5
    for request in released:
        entry = request.ledger_entry
        assert entry is not None and entry.kind == EntryKind.PAYMENT
        assert (entry.project_id, entry.paid_delta) == (request.project_id, request.amount)
        assert entry.created_at == request.released_at
    # No payment of a tranche without its released request.
    tranches = LedgerEntry.objects.filter(
        project__reports__isnull=False, kind=EntryKind.PAYMENT, project__status=Status.RUNNING
    ).distinct()
    assert set(tranches.values_list("pk", flat=True)) == set(
        released.filter(project__status=Status.RUNNING).values_list("ledger_entry", flat=True)
    )
    for request in PaymentRequest.objects.exclude(status=PaymentStatus.RELEASED):
        assert request.ledger_entry_id is None


def test_one_project_closed_through_its_proof_of_use(demo: None) -> None:
    project = Project.objects.get(reference="SON-2024-001")
    assert project.status == Status.CLOSED
    proof = project.reports.get(kind=ReportKind.FINAL_PROOF)
    assert proof.status == ReportStatus.ACCEPTED
    assert proof.accepted_on <= project.closed_on
    released = sum(request.amount for request in project.payment_requests.all())
    assert project.final_grant == released == Decimal("174000.00")
    figures = grant_selectors.participants_reached(project)
    assert (project.participants_entered, project.participants_exited) == (
        figures.entries,
        figures.exits,
    )


def test_after_the_grant_everything_lies_in_the_past_and_in_order(demo: None) -> None:
    today = timezone.localdate()
    for project in Project.objects.filter(reports__isnull=False).distinct():
        decided, started = project.bank_decided_on, project.started_on
        assert decided is not None and started is not None
        for report in project.reports.prefetch_related("versions__review"):
            assert local_day(report.created_at) >= decided
            assert report.due_on >= decided
            days = []
            for version in report.versions.all():
                days.append(local_day(version.submitted_at))
                if hasattr(version, "review"):
                    days.append(local_day(version.review.reviewed_at))
            assert days == sorted(days) and all(
                local_day(report.created_at) <= day <= today for day in days
            )
            if report.accepted_on:
                assert report.accepted_on == days[-1]
        for request in project.payment_requests.all():
            assert started <= request.period_from <= request.period_to <= project.ends_on
            stamps = [local_day(request.created_at)]
            stamps += [local_day(at) for at in (request.checked_at, request.released_at) if at]
            assert request.period_to < stamps[0]
            assert stamps == sorted(stamps) and stamps[-1] <= today
        periods = list(project.participant_figures.order_by("period_from"))
        for before, after in zip(periods, periods[1:], strict=False):
            assert before.period_to < after.period_from
        for figures in periods:
            assert (
                started <= figures.period_from
                and figures.period_to < local_day(figures.created_at) <= today
            )
            for categories in figures.breakdown.values():
                assert sum(value["entries"] for value in categories.values()) == figures.entries
                assert sum(value["exits"] for value in categories.values()) == figures.exits
        for payment in CoFinancingPayment.objects.filter(share__project=project):
            assert started - timedelta(days=90) <= payment.received_on <= today
    assert ParticipantFigures.objects.exists()
