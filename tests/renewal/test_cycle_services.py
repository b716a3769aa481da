"""The alliance's cycle end to end through the services: prepare, adopt, ask, sign, apply,
recognise with a carry-over."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from buendnis.accounts.models import PlatformRole
from buendnis.alliances.models import RecognitionStatus, SeatRole, Territory
from buendnis.alliances.selectors import current_phase
from buendnis.budget.models import EntryKind, LedgerEntry
from buendnis.budget.selectors import budget_figures
from buendnis.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from buendnis.meetings.models import Circulation, CirculationStatus
from buendnis.renewal import selectors, services
from buendnis.renewal.models import SignatureStatus
from tests.factories import MembershipFactory, SeatFactory, Structure, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def structure(alliance):
    built = Structure(alliance)
    built.phase.starts_on = date(2024, 7, 1)
    built.phase.ends_on = date(2027, 6, 30)
    built.phase.save()
    for name, territory in (
        ("Stadt Braunschweig", Territory.INDEPENDENT_CITY),
        ("Landkreis Wolfenbüttel", Territory.DISTRICT),
    ):
        organisation = built.org(name)
        organisation.territory = territory
        organisation.save()
    # The Sprecherkreis: a speaker and one deputy from each sending group.
    SeatFactory(
        body=built.speakers,
        organisation=built.org("Stadt Braunschweig"),
        role=SeatRole.SPEAKER,
        starts_on=date(2024, 7, 1),
    )
    for name in (
        "Agentur für Arbeit Braunschweig-Goslar",
        "Landkreis Wolfenbüttel",
        "DGB Region SüdOstNiedersachsen",
        "Arbeitgeberverband Region Braunschweig",
    ):
        SeatFactory(
            body=built.speakers,
            organisation=built.org(name),
            role=SeatRole.DEPUTY_SPEAKER,
            starts_on=date(2024, 7, 1),
        )
    for organisation in built.orgs.values():
        SeatFactory(
            body=built.steering,
            organisation=organisation,
            role=SeatRole.MEMBER,
            starts_on=date(2024, 7, 1),
        )
    return built


def _office(alliance):
    user = UserFactory(username="geschaeftsstelle", email="gs@example.org")
    from buendnis.accounts.models import Role

    MembershipFactory(user=user, alliance=alliance, role=Role.OFFICE)
    return user


def _ministry():
    return UserFactory(username="mw", email="mw@example.org", platform_role=PlatformRole.MINISTRY)


def test_the_whole_cycle(structure, alliance, django_capture_on_commit_callbacks):
    office = _office(alliance)
    ministry = _ministry()
    today = timezone.localdate()
    phase = services.phase_prepare(
        actor=office,
        alliance=alliance,
        name="2027–2030",
        starts_on=date(2027, 7, 1),
        ends_on=date(2030, 6, 30),
        virtual_budget=Decimal("1800000.00"),
        funding_rate=Decimal("70.00"),
    )
    assert phase.recognition_status == RecognitionStatus.DRAFT
    assert current_phase(alliance) == structure.phase
    services.strategy_revise(
        actor=office,
        phase=phase,
        analysis="Die Region altert.",
        review="",
        fields_intro="Drei Felder.",
        working_methods="Konsens.",
    )
    from tests.factories import ActionFieldFactory

    ActionFieldFactory(phase=phase, title="Fachkräfte sichern")
    circulation = Circulation.objects.create(
        alliance=alliance,
        body=structure.steering,
        title="Handlungsfelder 2027–2030",
        text="Der Steuerkreis beschließt die Handlungsfelder.",
        deadline=timezone.now(),
        status=CirculationStatus.PASSED,
        closed_at=timezone.now(),
    )
    services.strategy_adopt(actor=office, phase=phase, circulation=circulation)

    with django_capture_on_commit_callbacks(execute=True):
        requests = services.signatures_request(
            actor=office,
            phase=phase,
            organisations=list(structure.orgs.values()),
            asked_on=today,
            due_on=today + timedelta(days=30),
        )
    assert len(requests) == 10
    problems = selectors.application_problems(phase)
    assert any("Kammer" in problem for problem in problems)
    with pytest.raises(DomainError):
        services.application_submit(actor=office, phase=phase)

    for request in requests:
        services.signature_sign(actor=office, request=request, signed_on=today)
    assert selectors.application_problems(phase) == []
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(actor=office, phase=phase, cover_note="Bitte verlängern.")
    phase.refresh_from_db()
    assert phase.recognition_status == RecognitionStatus.APPLIED
    assert [message.to for message in mail.outbox] == [["mw@example.org"]]

    with pytest.raises(NotPermitted):
        services.recognition_decide(
            actor=office, phase=phase, outcome="recognised", decided_on=today, reference="x"
        )
    before = budget_figures(structure.phase).budget
    with django_capture_on_commit_callbacks(execute=True):
        services.recognition_decide(
            actor=ministry,
            phase=phase,
            outcome="recognised",
            decided_on=today,
            reference="MW 21-12345",
            virtual_budget=Decimal("1500000.00"),
            funding_rate=Decimal("50.00"),
            carry_over=Decimal("100000.00"),
        )
    phase.refresh_from_db()
    assert phase.recognition_status == RecognitionStatus.RECOGNISED
    assert phase.virtual_budget == Decimal("1500000.00")
    assert budget_figures(phase).budget == Decimal("1600000.00")
    assert budget_figures(structure.phase).budget == before - Decimal("100000.00")
    assert LedgerEntry.objects.filter(kind=EntryKind.CARRY_OVER).count() == 2
    with pytest.raises(TransitionNotAllowed):
        services.recognition_decide(
            actor=ministry, phase=phase, outcome="refused", decided_on=today, reason="nein"
        )


def test_partner_answers_for_itself(structure, alliance):
    office = _office(alliance)
    phase = services.phase_prepare(
        actor=office,
        alliance=alliance,
        name="2027–2030",
        starts_on=date(2027, 7, 1),
        ends_on=date(2030, 6, 30),
        virtual_budget=Decimal("1.00"),
        funding_rate=Decimal("50"),
    )
    city = structure.org("Stadt Braunschweig")
    [request] = services.signatures_request(
        actor=office, phase=phase, organisations=[city], asked_on=timezone.localdate()
    )
    from buendnis.accounts.models import Role

    contact = UserFactory(username="stadt")
    MembershipFactory(user=contact, alliance=alliance, role=Role.STEERING, organisation=city)
    stranger = UserFactory(username="fremd")
    with pytest.raises(NotPermitted):
        services.signature_mark_pending(actor=stranger, request=request, decision_body="Rat")
    services.signature_mark_pending(
        actor=contact, request=request, decision_body="Verwaltungsausschuss", reference="DS 27-1"
    )
    request.refresh_from_db()
    assert request.status == SignatureStatus.PENDING
    # Without the signed document the partner cannot confirm.
    with pytest.raises(DomainError):
        services.signature_sign(actor=contact, request=request, signed_on=timezone.localdate())
