"""The demo projects: phase 2015–2018 fully distributed to ten closed projects, the projects of
2018–2021 and 2021–2024 at their end, the running phase 2024–2027 with projects in every state,
everything through the services as of its own day, and a second load changes nothing."""

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from buendnis.alliances.models import CooperationAgreement, FundingPhase, GroupKind
from buendnis.budget.models import LedgerEntry
from buendnis.budget.selectors import budget_figures
from buendnis.core.models import AuditEntry
from buendnis.demo.load import load_demo
from buendnis.demo.projects import demo_pdf, load_demo_projects
from buendnis.demo.structure import ALLIANZ, OPEN_FIELD
from buendnis.funding import notifications
from buendnis.funding.models import (
    BodyOutcome,
    CoFinancing,
    Consultation,
    DocumentKind,
    Project,
    ProjectDocument,
    Transition,
)
from buendnis.funding.states import FINAL_STATES, Status
from buendnis.grants.models import PaymentStatus

pytestmark = pytest.mark.django_db

COUNTED = (
    Project,
    Transition,
    LedgerEntry,
    AuditEntry,
    ProjectDocument,
    Consultation,
    BodyOutcome,
    CoFinancing,
)


@dataclass
class Loaded:
    seconds: float
    second_created: int
    before: dict[str, int]
    after: dict[str, int]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[Loaded]:
    """The whole demo loaded twice for the module, rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        started = time.perf_counter()
        load_demo()
        seconds = time.perf_counter() - started
        before = counts()
        second = load_demo()
        yield Loaded(seconds=seconds, second_created=second, before=before, after=counts())
        transaction.set_rollback(True)


def phase(name: str) -> FundingPhase:
    return FundingPhase.objects.get(alliance__slug="son", name=name)


def projects(name: str) -> list[Project]:
    return list(Project.objects.filter(phase=phase(name)).select_related("applicant_organisation"))


def test_phase_2015_2018_fully_distributed_to_ten_closed_projects(demo: Loaded) -> None:
    first = projects("2015–2018")
    assert len(first) == 10
    assert {project.status for project in first} == {Status.CLOSED}
    totals = Project.objects.filter(phase=phase("2015–2018")).aggregate(
        grants=Sum("final_grant"), costs=Sum("final_eligible_costs")
    )
    assert totals == {"grants": Decimal("1500000.00"), "costs": Decimal("3000000.00")}
    for project in first:
        # Rate 50 %: each final grant is half its final eligible costs.
        assert project.final_grant * 2 == project.final_eligible_costs, project.title
    figures = budget_figures(phase("2015–2018"))
    assert figures.budget == Decimal("1500000.00")
    assert figures.paid == Decimal("1500000.00")
    assert (figures.reserved, figures.committed, figures.available) == (0, 0, Decimal("0.00"))
    assert phase("2015–2018").project_volume == totals["costs"]


def test_phase_2015_2018_dates_lie_in_the_phase_and_in_order(demo: Loaded) -> None:
    for project in projects("2015–2018"):
        consulted = [c.held_on for c in project.consultations.all()]
        decided = [o.decided_on for o in project.outcomes.all()]
        sequence = [
            *consulted,
            *decided,
            project.application_filed_on,
            project.bank_decided_on,
            project.started_on,
            project.closed_on,
        ]
        assert all(day is not None for day in sequence), project.title
        assert sequence == sorted(sequence), project.title
        assert date(2015, 7, 1) <= min(sequence) and max(sequence) <= date(2018, 12, 31)
        assert date(2015, 7, 1) <= project.starts_on <= project.ends_on <= date(2018, 6, 30)
        # Created on its first consultation's day, not on the day the demo was loaded.
        assert timezone.localdate(project.created_at) == consulted[0], project.title
        assert timezone.localdate(project.status_changed_at) == project.closed_on, project.title
        kinds = set(project.documents.values_list("kind", flat=True))
        assert {DocumentKind.SKETCH, DocumentKind.DESCRIPTION, DocumentKind.FINAL_REPORT} <= kinds


def test_the_three_named_projects(demo: Loaded) -> None:
    welcome = Project.objects.get(alliance__slug="son", title="Welcome Center")
    # The alliance's first project, opened in February 2016 in Braunschweig and Wolfsburg.
    assert welcome.reference == "SON-2015-001"
    assert (welcome.started_on.year, welcome.started_on.month) == (2016, 2)
    for fact in (
        "Februar 2016",
        "Braunschweig",
        "Wolfsburg",
        "1.500",
        "52 Ländern",
        "95 Unternehmen",
    ):
        assert fact in welcome.summary

    awo = Project.objects.get(title="AWO-Praktikumsbörse für Migrantinnen und Migranten")
    assert awo.applicant_organisation.name.startswith("AWO Bezirksverband Braunschweig")
    assert awo.contact_email.endswith("@example.org")

    reserve = Project.objects.get(title="Stille Reserve")
    shares = list(reserve.cofinancing.select_related("organisation__group"))
    payers = [share.organisation for share in shares]
    assert all(payer is not None for payer in payers)
    kinds = [payer.group.kind for payer in payers if payer]
    names = [payer.name for payer in payers if payer]
    assert kinds.count(GroupKind.EMPLOYMENT_AGENCIES) == 1
    assert len([name for name in names if name.startswith("Landkreis ")]) == 2
    assert len([name for name in names if name.startswith("Stadt ")]) == 2
    assert ALLIANZ in names
    assert len(shares) == 6
    assert reserve.requested_grant + reserve.cofinancing_total == reserve.eligible_costs


@pytest.mark.parametrize("name", ["2018–2021", "2021–2024"])
def test_earlier_phases_are_history(demo: Loaded, name: str) -> None:
    """Every project of a phase that has ended has reached its end; the budget holds no
    reservation or commitment any more."""
    ended = projects(name)
    assert len(ended) >= 6
    assert {project.status for project in ended} <= FINAL_STATES
    assert Status.CLOSED in {project.status for project in ended}
    figures = budget_figures(phase(name))
    assert (figures.reserved, figures.committed) == (0, 0)
    assert figures.paid == sum(project.final_grant or 0 for project in ended)
    assert figures.available >= 0
    for project in ended:
        days = [c.held_on for c in project.consultations.all()]
        days += [o.decided_on for o in project.outcomes.all()]
        assert all(phase(name).starts_on <= day <= phase(name).ends_on for day in days)


def test_phase_2024_2027_has_every_state(demo: Loaded) -> None:
    second = projects("2024–2027")
    assert {project.status for project in second} == set(Status.values)
    figures = budget_figures(phase("2024–2027"))
    assert figures.available > 0
    # The ledger agrees with the states: endorsed/filed hold reservations, granted/running
    # commitments, closed payments; declined, rejected and withdrawn hold nothing.
    by_status: dict[str, list[Project]] = {}
    for project in second:
        by_status.setdefault(project.status, []).append(project)
    assert figures.reserved == sum(
        p.requested_grant for s in (Status.ENDORSED, Status.APPLICATION_FILED) for p in by_status[s]
    )
    # Running projects have drawn tranches (`demo.grants`): paid out of their commitment.
    tranches = sum(
        request.amount
        for p in by_status[Status.RUNNING]
        for request in p.payment_requests.filter(status=PaymentStatus.RELEASED)
    )
    assert tranches > 0
    assert figures.committed == (
        sum(p.granted_amount or 0 for s in (Status.GRANTED, Status.RUNNING) for p in by_status[s])
        - tranches
    )
    assert figures.paid == sum(p.final_grant or 0 for p in by_status[Status.CLOSED]) + tranches
    today = timezone.localdate()
    for project in second:
        days = [c.held_on for c in project.consultations.all()]
        days += [o.decided_on for o in project.outcomes.all()]
        assert all(date(2024, 7, 1) <= day <= today for day in days), project.title
        # Runtimes lie in the phase, up to its latest project end.
        assert date(2024, 7, 1) <= project.starts_on <= project.ends_on <= date(2027, 12, 31)
    # The present: the latest steps of the running phase were taken in the last weeks.
    latest = max(timezone.localdate(project.status_changed_at) for project in second)
    assert latest >= date(2026, 12, 1)


@pytest.mark.parametrize(
    ("name", "open_field"), [("2018–2021", True), ("2021–2024", False), ("2024–2027", True)]
)
def test_later_phases_use_their_themes(demo: Loaded, name: str, open_field: bool) -> None:
    second = Project.objects.filter(phase=phase(name)).select_related("action_field")
    assert all(project.action_field is not None for project in second)
    assert any(project.action_field.title == OPEN_FIELD for project in second) is open_field
    themed = [project for project in second if not project.action_field.is_open]
    for project in themed:
        topics = list(project.topics.all())
        assert topics, project.title
        assert {topic.action_field_id for topic in topics} == {project.action_field_id}


def test_applicants_partners_and_others(demo: Loaded) -> None:
    applicants = {
        project.applicant_organisation
        for project in Project.objects.select_related("applicant_organisation__group")
    }
    partners = set(CooperationAgreement.objects.values_list("organisation_id", flat=True))
    outsiders = [org for org in applicants if org.pk not in partners]
    assert outsiders, "at least one applicant is not a partner"
    for organisation in outsiders:
        assert organisation.group.name == "Sonstige"
        assert organisation.is_illustrative
    for project in Project.objects.all():
        assert project.contact_email.endswith("@example.org"), project.title
        assert project.created_by is None


def test_documents_are_small_valid_pdfs(demo: Loaded) -> None:
    documents = ProjectDocument.objects.all()
    assert documents.count() > 50
    assert set(documents.values_list("kind", flat=True)) == {
        DocumentKind.SKETCH,
        DocumentKind.DESCRIPTION,
        DocumentKind.FINAL_REPORT,
    }
    sample = documents.filter(kind=DocumentKind.FINAL_REPORT).first()
    assert sample is not None
    with sample.file.open("rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
    # A resubmission after a revision is kept as a second version.
    assert documents.filter(version=2).exists()


def test_demo_pdf_has_a_correct_cross_reference_table() -> None:
    content = demo_pdf("Kurzskizze: Prüfung (äöü)", "Zeile mit \\ und ( )")
    xref_at = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", content).group(1))
    assert content[xref_at:].startswith(b"xref\n0 6\n")
    offsets = re.findall(rb"(\d{10}) 00000 n ", content[xref_at:])
    assert len(offsets) == 5
    for number, offset in enumerate(offsets, start=1):
        assert content[int(offset) :].startswith(b"%d 0 obj" % number)
    length = int(re.search(rb"/Length (\d+) >>\nstream\n", content).group(1))
    stream = content.split(b"stream\n", 1)[1]
    assert stream[length:].startswith(b"\nendstream")
    assert "Prüfung".encode("cp1252") in content


def test_second_load_creates_nothing(demo: Loaded) -> None:
    assert demo.second_created == 0
    assert demo.after == demo.before
    assert demo.before["Project"] == 46
    assert demo.before["Transition"] > 400
    assert load_demo_projects() == 0


def test_load_time(demo: Loaded) -> None:
    print(f"\nDemo (Bündnisse und Vorhaben) geladen in {demo.seconds:.1f} s")
    assert demo.seconds < 60


def test_muted_sends_no_mail(demo: Loaded) -> None:
    project = Project.objects.get(title="Welcome Center")
    with notifications.muted():
        notifications.transition_mail(project.pk, Status.RUNNING, Status.CLOSED, "")
    assert mail.outbox == []
    notifications.transition_mail(project.pk, Status.RUNNING, Status.CLOSED, "")
    assert len(mail.outbox) == 1
