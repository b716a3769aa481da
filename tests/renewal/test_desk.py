"""The desk shows the renewal: the office its phase in preparation with the partners' answers,
a partner's contact the request of their organisation."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from buendnis.accounts.models import Role
from buendnis.renewal import services
from tests.factories import MembershipFactory, Structure, UserFactory

pytestmark = pytest.mark.django_db


def test_desk_cards(alliance, client_as):
    structure = Structure(alliance)
    office_client = client_as("office")
    office = MembershipFactory._meta.model.objects.get(role=Role.OFFICE).user
    phase = services.phase_prepare(
        actor=office,
        alliance=alliance,
        name="2027–2030",
        starts_on=date(2027, 7, 1),
        ends_on=date(2030, 6, 30),
        virtual_budget=Decimal("1000000.00"),
        funding_rate=Decimal("60"),
    )
    city = structure.org("Stadt Braunschweig")
    services.signatures_request(
        actor=office,
        phase=phase,
        organisations=[city, structure.org("IHK Braunschweig")],
        asked_on=timezone.localdate(),
    )
    page = office_client.get("/son/intern/").content.decode()
    assert "Nächste Förderphase" in page
    assert "0 unterzeichnet, 0 Beschluss ausstehend, 2 angefragt, 0 abgelehnt" in page

    contact = UserFactory(username="stadt")
    MembershipFactory(user=contact, alliance=alliance, role=Role.STEERING, organisation=city)
    from django.test import Client

    client = Client()
    client.force_login(contact)
    page = client.get("/son/intern/").content.decode()
    assert "Ihre Unterschrift wird erbeten" in page
    assert "Stadt Braunschweig: Kooperationsvereinbarung 2027–2030" in page
    assert "IHK Braunschweig" not in page
    # A member speaking for no asked organisation sees no card.
    page = client_as("member").get("/son/intern/").content.decode()
    assert "Ihre Unterschrift wird erbeten" not in page
