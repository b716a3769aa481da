"""Mail on payment requests: the office hears of a new request, the applicant's contact of its
release or refusal, with the reference, the amount in German and the link to the project's
payment requests; only after the commit, and never for a request the service refused."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from buendnis.core.errors import DomainError
from buendnis.funding.states import Status
from buendnis.grants import services
from tests.factories import applicant_of, build_alliance_structure, project_in_state

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def site(alliance):
    return build_alliance_structure(alliance, place="Braunschweig")


@pytest.fixture
def office(make_persona):
    return make_persona("office")


@pytest.fixture
def project(site):
    # 200.000 € eligible costs at 70 %: 140.000 € granted.
    return project_in_state(site, Status.RUNNING)


@pytest.fixture
def applicant(project):
    return applicant_of(project)


def today() -> date:
    return timezone.localdate()


AMOUNT = D("1500.00")


def _submit(project, actor, amount=AMOUNT):
    return services.payment_request_submit(
        actor=actor,
        project=project,
        period_from=today() - timedelta(days=60),
        period_to=today() - timedelta(days=31),
        eligible_costs=D("2500.00"),
        amount=amount,
    )


def _link(project, *, office=False):
    middle = "intern/" if office else ""
    return (
        f"{settings.BUENDNIS_SITE_URL}/{project.alliance.slug}/{middle}vorhaben/"
        f"{project.reference}/mittelabrufe/"
    )


def test_a_new_request_tells_the_office_after_the_commit(
    project, applicant, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        request = _submit(project, applicant)
    # Nothing before the commit.
    assert mailoutbox == []
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [project.alliance.office_email]
    assert message.subject == f"{project.reference}: Mittelabruf {request.number} eingereicht"
    assert "1.500,00 €" in message.body
    assert project.title in message.body
    assert _link(project, office=True) in message.body


def test_release_tells_the_applicant_contact(
    project, office, applicant, mailoutbox, django_capture_on_commit_callbacks
):
    request = _submit(project, applicant)
    services.payment_request_check(actor=office, request=request)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_request_release(actor=office, request=request)
    assert [message.to for message in mailoutbox] == [[project.contact_email]]
    message = mailoutbox[0]
    assert message.subject == f"{project.reference}: Mittelabruf 1 freigegeben"
    assert "1.500,00 €" in message.body
    assert _link(project) in message.body


def test_refusal_tells_the_applicant_contact_why(
    project, office, applicant, mailoutbox, django_capture_on_commit_callbacks
):
    request = _submit(project, applicant)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_request_refuse(
            actor=office, request=request, reason="Belege zur Miete fehlen."
        )
    assert [message.to for message in mailoutbox] == [[project.contact_email]]
    message = mailoutbox[0]
    assert message.subject == f"{project.reference}: Mittelabruf 1 abgelehnt"
    assert "1.500,00 €" in message.body
    assert "Belege zur Miete fehlen." in message.body
    assert _link(project) in message.body


def test_checking_sends_nothing(
    project, office, applicant, mailoutbox, django_capture_on_commit_callbacks
):
    request = _submit(project, applicant)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_request_check(actor=office, request=request)
    assert mailoutbox == []


def test_no_mail_for_a_request_the_service_refuses(
    project, office, applicant, mailoutbox, django_capture_on_commit_callbacks
):
    request = _submit(project, applicant)
    services.payment_request_refuse(actor=office, request=request, reason="Doppelt.")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        # More than the grant of 140.000 €.
        services.payment_request_submit(
            actor=applicant,
            project=project,
            period_from=today() - timedelta(days=60),
            period_to=today() - timedelta(days=31),
            eligible_costs=D("300000.00"),
            amount=D("140000.01"),
        )
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        # Refused again: a refused request is decided.
        services.payment_request_refuse(actor=office, request=request, reason="Noch einmal.")
    assert mailoutbox == []


def test_muted_sends_nothing(
    project, office, applicant, mailoutbox, django_capture_on_commit_callbacks
):
    with services.muted(), django_capture_on_commit_callbacks(execute=True):
        _submit(project, applicant)
    assert mailoutbox == []
