"""Mail of a decision in writing (Umlaufbeschluss): the question, the reminder to those who have
not answered, the result. To the entitled organisations' representatives, deputies and steering
members, and to the office."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from buendnis.accounts.models import Role, User
from buendnis.alliances.models import PersonFunction
from buendnis.meetings import notifications
from buendnis.meetings.models import Answer, Circulation
from buendnis.meetings.services import circulations
from tests.factories import (
    AllianceStructure,
    MembershipFactory,
    PersonFactory,
    UserFactory,
    build_alliance_structure,
)

pytestmark = pytest.mark.django_db

OFFICE = "geschaeftsstelle@son.example.org"


@pytest.fixture
def structure(alliance) -> AllianceStructure:
    structure = build_alliance_structure(alliance, place="Braunschweig")
    orgs = structure.organisations
    PersonFactory(
        organisation=orgs["union"],
        function=PersonFunction.DEPUTY,
        email="vertretung@dgb.example.org",
    )
    user = UserFactory(username="jobcenter", email="steuerkreis@jobcenter.example.org")
    MembershipFactory(
        user=user, alliance=alliance, role=Role.STEERING, organisation=orgs["jobcenter"]
    )
    # The advisory Amt has no vote: it is not asked.
    PersonFactory(organisation=orgs["arl"], email="amt@arl.example.org")
    return structure


@pytest.fixture
def office(make_persona: Callable[[str], User | None]) -> User:
    user = make_persona("office")
    assert user is not None
    return user


def run(capture: Callable[..., Any], step: Callable[[], object]) -> object:
    with capture(execute=True):
        return step()


def open_circulation(office: User, structure: AllianceStructure) -> Circulation:
    return circulations.circulation_open(
        actor=office,
        alliance=structure.alliance,
        title="Verlängerung des Welcome Centers",
        text="Der Steuerkreis befürwortet die Verlängerung.",
        deadline=timezone.now() + timedelta(days=7),
    )


def addresses(mailoutbox: list) -> set[str]:
    assert all(len(message.to) == 1 for message in mailoutbox)
    return {message.to[0] for message in mailoutbox}


def test_opened(
    structure: AllianceStructure,
    office: User,
    mailoutbox: list,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    circulation = run(
        django_capture_on_commit_callbacks, lambda: open_circulation(office, structure)
    )
    assert addresses(mailoutbox) == {
        structure.people["speaker"].email,  # IHK
        structure.people["deputy"].email,  # Agentur
        structure.people["city"].email,  # Stadt
        "vertretung@dgb.example.org",
        "steuerkreis@jobcenter.example.org",
        OFFICE,
    }
    message = next(m for m in mailoutbox if m.to == [OFFICE])
    assert (
        message.subject == "Umlaufbeschluss: Verlängerung des Welcome Centers (SüdOstNiedersachsen)"
    )
    assert "Der Steuerkreis befürwortet die Verlängerung." in message.body
    assert "Antwort bis:" in message.body
    assert f"http://127.0.0.1:8000/son/intern/umlaufbeschluesse/{circulation.pk}/" in message.body
    assert not message.attachments


def test_reminder_only_to_those_who_have_not_answered(
    structure: AllianceStructure,
    office: User,
    mailoutbox: list,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    orgs = structure.organisations
    circulation = run(
        django_capture_on_commit_callbacks, lambda: open_circulation(office, structure)
    )
    for key in ("ihk", "agency", "city", "district", "employers", "hwk"):
        circulations.circulation_answer(
            actor=None, circulation=circulation, organisation=orgs[key], answer=Answer.AGREE
        )
    mailoutbox.clear()
    sent = run(
        django_capture_on_commit_callbacks,
        lambda: circulations.circulations_remind_due(now=circulation.deadline - timedelta(days=1)),
    )
    assert sent == 1
    # Jobcenter and DGB are silent; the office is told too.
    assert addresses(mailoutbox) == {
        "vertretung@dgb.example.org",
        "steuerkreis@jobcenter.example.org",
        OFFICE,
    }
    body = mailoutbox[0].body
    assert "- DGB-Region Braunschweig" in body and "- Jobcenter Braunschweig" in body
    assert "Stadt Braunschweig" not in body
    assert mailoutbox[0].subject.startswith("Erinnerung – Umlaufbeschluss:")


def test_result(
    structure: AllianceStructure,
    office: User,
    mailoutbox: list,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    orgs = structure.organisations
    circulation = run(
        django_capture_on_commit_callbacks, lambda: open_circulation(office, structure)
    )
    circulations.circulation_answer(
        actor=None,
        circulation=circulation,
        organisation=orgs["employers"],
        answer=Answer.OBJECT,
        comment="Erst die Zahlen abwarten.",
    )
    circulations.circulation_answer(
        actor=None, circulation=circulation, organisation=orgs["city"], answer=Answer.AGREE
    )
    mailoutbox.clear()
    run(
        django_capture_on_commit_callbacks,
        lambda: circulations.circulation_close(
            actor=office, circulation=circulation, now=circulation.deadline + timedelta(minutes=1)
        ),
    )
    assert OFFICE in addresses(mailoutbox)
    assert structure.people["city"].email in addresses(mailoutbox)
    message = mailoutbox[0]
    assert message.subject.startswith("Nicht zustande gekommen: Verlängerung des Welcome Centers")
    assert "Einwand: Arbeitgeberverband Braunschweig (Erst die Zahlen abwarten.)" in message.body
    assert "Zustimmung: Stadt Braunschweig" in message.body
    assert "Ohne Antwort:" in message.body


def test_circulation_mail_is_muted(
    structure: AllianceStructure,
    office: User,
    mailoutbox: list,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with notifications.muted():
        run(django_capture_on_commit_callbacks, lambda: open_circulation(office, structure))
    assert mailoutbox == []
