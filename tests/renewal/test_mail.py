"""Who hears of which step, after the commit: the partners of a request and of its reminders
(also through `manage.py send_signature_reminders`), the office of an answer and of the ministry's
decision, the ministry of an application. Nothing is mailed for a step that was refused."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from buendnis.accounts.models import PlatformRole, Role
from buendnis.alliances.models import FundingPhase
from buendnis.core.errors import DomainError
from buendnis.core.models import AuditEntry
from buendnis.renewal import services
from buendnis.renewal.models import SignatureRequest
from tests.factories import MembershipFactory, PersonFactory, UserFactory, pdf_upload

from .conftest import Cycle, days, today

pytestmark = pytest.mark.django_db

CITY = "Stadt Braunschweig"
OFFICE = ["geschaeftsstelle@son.example.org", "office@example.org"]


@pytest.fixture
def city(cycle: Cycle, contact):  # type: ignore[no-untyped-def]
    """The city with a contact person, its own address, and a login that speaks for it."""
    organisation = cycle.org(CITY)
    organisation.name = "Stadt Braunschweig & Umland"  # an ampersand stays one in plain text
    organisation.email = "info@braunschweig.example.org"
    organisation.save()
    PersonFactory(organisation=organisation, email="ole.stadtmann@braunschweig.example.org")
    PersonFactory(organisation=organisation, email="")  # no address: nobody to write to
    return organisation


@pytest.fixture
def phase(cycle: Cycle) -> FundingPhase:
    return cycle.prepare()


def test_a_request_reaches_the_partners_contacts(
    cycle: Cycle,
    phase: FundingPhase,
    city,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cycle.ask(phase, [city], due_on=date(2027, 3, 31))
    [message] = mail.outbox
    assert message.to == [
        "info@braunschweig.example.org",
        "ole.stadtmann@braunschweig.example.org",
        "rat@braunschweig.example.org",  # the login with a role for the city (`contact`)
    ]
    assert message.subject == (
        "Fachkräftebündnis SüdOstNiedersachsen: Kooperationsvereinbarung für die Förderphase "
        "2027–2030"
    )
    assert "Wir bitten Stadt Braunschweig & Umland, die Kooperationsvereinbarung" in message.body
    assert "bis zum 31.03.2027 Bescheid" in message.body
    assert "http://127.0.0.1:8000/son/intern/vereinbarung/" in message.body
    assert "&amp;" not in message.body


def test_a_login_linked_to_a_contact_record_hears_of_the_request(
    cycle: Cycle,
    phase: FundingPhase,
    person_contact,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    union = cycle.org("DGB Region SüdOstNiedersachsen")
    with django_capture_on_commit_callbacks(execute=True):
        cycle.ask(phase, [union])
    [message] = mail.outbox
    assert message.to == ["kontakt@dgb.example.org", "login@dgb.example.org"]


def test_one_mail_per_partner_and_none_without_an_address(
    cycle: Cycle,
    phase: FundingPhase,
    city,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        created = cycle.ask(phase)  # ten partners; only the city has addresses
    assert len(created) == 10
    assert len(mail.outbox) == 1


def test_a_refused_request_mails_nobody(
    cycle: Cycle,
    phase: FundingPhase,
    city,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        cycle.ask(phase, [city], asked_on=today() + days(1))
    assert mail.outbox == []


# --- Reminders ----------------------------------------------------------------------------------


def asked(cycle: Cycle, phase: FundingPhase, organisation, due_on: date) -> SignatureRequest:  # type: ignore[no-untyped-def]
    [request] = cycle.ask(phase, [organisation], due_on=due_on)
    mail.outbox.clear()
    return request


def test_reminders_two_weeks_ahead_and_then_weekly(cycle: Cycle, phase: FundingPhase, city) -> None:  # type: ignore[no-untyped-def]
    request = asked(cycle, phase, city, due_on=today() + days(20))
    # Six days early: nothing yet.
    assert services.signature_reminders_send(today=today()) == 0
    assert mail.outbox == []
    # Fourteen days before the deadline.
    day = today() + days(6)
    assert services.signature_reminders_send(today=day) == 1
    [message] = mail.outbox
    assert message.subject.startswith("Erinnerung: Fachkräftebündnis SüdOstNiedersachsen")
    assert "info@braunschweig.example.org" in message.to
    request.refresh_from_db()
    assert request.reminded_on == day
    entry = AuditEntry.objects.get(action="renewal.signature_reminded")
    assert entry.actor is None and entry.object_id == str(request.pk)
    # Not again within the week, then again (also after the deadline passed).
    assert services.signature_reminders_send(today=day + days(6)) == 0
    assert services.signature_reminders_send(today=day + days(7)) == 1
    assert services.signature_reminders_send(today=day + days(28)) == 1
    assert len(mail.outbox) == 3


def test_no_reminder_once_answered_or_without_deadline(
    cycle: Cycle, phase: FundingPhase, city
) -> None:  # type: ignore[no-untyped-def]
    request = asked(cycle, phase, city, due_on=today() + days(3))
    services.signature_sign(actor=cycle.office, request=request, signed_on=today())
    asked(cycle, phase, cycle.org("IHK Braunschweig"), due_on=None)  # type: ignore[arg-type]
    mail.outbox.clear()
    assert services.signature_reminders_send(today=today()) == 0
    assert mail.outbox == []


def test_pending_partners_are_reminded_too(cycle: Cycle, phase: FundingPhase, city) -> None:  # type: ignore[no-untyped-def]
    request = asked(cycle, phase, city, due_on=today() + days(3))
    services.signature_mark_pending(actor=cycle.office, request=request, decision_body="Rat")
    mail.outbox.clear()
    assert services.signature_reminders_send(today=today()) == 1


@pytest.mark.parametrize("outcome", ["recognised", "refused"])
def test_no_reminder_once_the_ministry_decided(cycle: Cycle, city, outcome: str) -> None:  # type: ignore[no-untyped-def]
    phase = cycle.ready()
    asked(cycle, phase, cycle.structure.unsigned, due_on=today())
    services.application_submit(actor=cycle.office, phase=phase)
    # While the ministry reads the application, partners are still reminded.
    assert services.signature_reminders_send(today=today()) == 1
    cycle.decide(phase, outcome)
    assert services.signature_reminders_send(today=today() + days(7)) == 0


def test_the_command_reminds_once_a_day(cycle: Cycle, phase: FundingPhase, city) -> None:  # type: ignore[no-untyped-def]
    asked(cycle, phase, city, due_on=today())
    out = StringIO()
    call_command("send_signature_reminders", stdout=out)
    assert out.getvalue().strip().endswith(": 1 Partner an die Unterschrift erinnert.")
    assert len(mail.outbox) == 1
    quiet = StringIO()
    call_command("send_signature_reminders", verbosity=0, stdout=quiet)
    assert quiet.getvalue() == ""
    assert len(mail.outbox) == 1  # a second run the same day reminds nobody


# --- The office hears of answers ----------------------------------------------------------------


@pytest.mark.parametrize("answer", ["sign", "decline", "pending"])
def test_the_office_hears_of_every_answer(
    cycle: Cycle,
    phase: FundingPhase,
    city,
    contact,
    answer: str,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    request = asked(cycle, phase, city, due_on=today() + days(30))
    with django_capture_on_commit_callbacks(execute=True):
        if answer == "sign":
            services.signature_sign(
                actor=contact, request=request, signed_on=today(), document=pdf_upload()
            )
        elif answer == "decline":
            services.signature_decline(
                actor=contact, request=request, declined_on=today(), note="Kein Geld & keine Zeit"
            )
        else:
            services.signature_mark_pending(
                actor=contact, request=request, decision_body="Rat", note="Sitzung im Mai"
            )
    [message] = mail.outbox
    assert message.to == OFFICE
    status = {
        "sign": "Unterzeichnet",
        "decline": "Abgelehnt",
        "pending": "Beschluss in den eigenen Gremien ausstehend",
    }[answer]
    assert message.subject == f"Stadt Braunschweig & Umland: {status} (Förderphase 2027–2030)"
    assert f"geantwortet: {status}." in message.body
    assert f"/son/intern/phasen/{phase.pk}/" in message.body
    if answer == "decline":
        assert "Kein Geld & keine Zeit" in message.body


def test_a_refused_answer_mails_nobody(
    cycle: Cycle,
    phase: FundingPhase,
    city,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    request = asked(cycle, phase, city, due_on=today())
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        services.signature_sign(actor=cycle.office, request=request, signed_on=today() + days(1))
    assert mail.outbox == []


# --- The ministry hears of the application, the office of the decision -------------------------


def test_the_ministry_hears_of_an_application(
    cycle: Cycle,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    UserFactory(username="ms2", email="ms2@example.org", platform_role=PlatformRole.MINISTRY)
    UserFactory(
        username="ms-alt",
        email="alt@example.org",
        platform_role=PlatformRole.MINISTRY,
        is_active=False,
    )
    phase = cycle.ready()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(actor=cycle.office, phase=phase)
    [message] = mail.outbox
    assert message.to == ["ministry@example.org", "ms2@example.org"]
    assert message.subject == (
        "Antrag auf Verlängerung der Anerkennung: Fachkräftebündnis SüdOstNiedersachsen, "
        "Förderphase 2027–2030"
    )
    assert f"http://127.0.0.1:8000/son/intern/phasen/{phase.pk}/" in message.body


def test_a_refused_application_mails_nobody(
    cycle: Cycle,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    phase = cycle.prepare()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        services.application_submit(actor=cycle.office, phase=phase)
    assert mail.outbox == []


def test_the_office_hears_of_a_recognition(
    cycle: Cycle,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    second = UserFactory(username="gs2", email="gs2@example.org")
    MembershipFactory(user=second, alliance=cycle.alliance, role=Role.OFFICE)
    phase = cycle.applied()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cycle.decide(
            phase,
            "recognised",
            reference="MS 21-12345",
            virtual_budget=Decimal("1500000.00"),
            funding_rate=Decimal("50.00"),
            conditions="Halbzeitbericht",
        )
    [message] = mail.outbox
    assert message.to == [*OFFICE[:1], "gs2@example.org", OFFICE[1]]
    assert message.subject == "Anerkennung der Förderphase 2027–2030: Anerkannt"
    body = message.body
    assert "über die Förderphase 2027–2030 entschieden: Anerkannt." in body
    assert "Aktenzeichen: MS 21-12345" in body
    assert "Virtuelles Budget: 1.500.000,00" in body
    assert "Fördersatz: 50 %" in body
    assert "Auflagen: Halbzeitbericht" in body


def test_the_office_hears_of_a_request_for_changes(
    cycle: Cycle,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    phase = cycle.applied()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cycle.decide(phase, "changes_requested", reason="Bitte die Pflege & Gesundheit ergänzen.")
    [message] = mail.outbox
    assert message.subject == "Anerkennung der Förderphase 2027–2030: Änderungen erbeten"
    assert "Begründung: Bitte die Pflege & Gesundheit ergänzen." in message.body
    assert "Virtuelles Budget" not in message.body


def test_a_refused_decision_mails_nobody(
    cycle: Cycle,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    phase = cycle.applied()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        cycle.decide(phase, "refused", decided_on=today() + days(1))
    assert mail.outbox == []
