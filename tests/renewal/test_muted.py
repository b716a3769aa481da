"""The cycle's mail can be muted for a block (the demo load writes the cycle's history)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from buendnis.accounts.models import Role
from buendnis.renewal import services
from tests.factories import MembershipFactory, Structure, UserFactory

pytestmark = pytest.mark.django_db


def test_muted_requests_send_no_mail(alliance, django_capture_on_commit_callbacks):
    structure = Structure(alliance)
    office = UserFactory(username="geschaeftsstelle", email="gs@example.org")
    MembershipFactory(user=office, alliance=alliance, role=Role.OFFICE)
    phase = services.phase_prepare(
        actor=office,
        alliance=alliance,
        name="2027–2030",
        starts_on=date(2027, 7, 1),
        ends_on=date(2030, 6, 30),
        virtual_budget=Decimal("1800000.00"),
        funding_rate=Decimal("60.00"),
    )
    city, district = structure.org("Stadt Braunschweig"), structure.org("Landkreis Wolfenbüttel")
    for organisation in (city, district):
        organisation.email = f"{organisation.pk}@example.org"
        organisation.save()
    today = timezone.localdate()
    with services.muted(), django_capture_on_commit_callbacks(execute=True):
        services.signatures_request(actor=office, phase=phase, organisations=[city], asked_on=today)
    assert mail.outbox == []
    # Outside the block the cycle mails again.
    with django_capture_on_commit_callbacks(execute=True):
        services.signatures_request(
            actor=office, phase=phase, organisations=[district], asked_on=today
        )
    assert [message.to for message in mail.outbox] == [[f"{district.pk}@example.org"]]
