"""Every rule of the alliance's structure, through the services that enforce it.

Each refusal asserts the German message the user reads and that nothing changed: no row, no
audit entry. Each success asserts its one audit row.
"""

import threading
import time
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection

from buendnis.accounts import services as account_services
from buendnis.accounts.models import Membership, Role
from buendnis.alliances import services
from buendnis.alliances.models import (
    RESERVED_SLUGS,
    ActionField,
    Alliance,
    Body,
    BodyKind,
    CooperationAgreement,
    FundingPhase,
    Organisation,
    OrganisationGroup,
    Person,
    Seat,
    SeatRole,
    Topic,
)
from buendnis.core.errors import DomainError
from buendnis.core.models import AuditEntry

from ..factories import (
    ActionFieldFactory,
    AgreementFactory,
    AllianceFactory,
    GroupFactory,
    OrganisationFactory,
    PersonFactory,
    PhaseFactory,
    SeatFactory,
    Structure,
    TopicFactory,
    UserFactory,
)

START = date(2018, 7, 1)  # first day of phase 2018–2021
DAY = date(2019, 3, 1)

MODELS = [
    Alliance,
    OrganisationGroup,
    Organisation,
    Person,
    FundingPhase,
    CooperationAgreement,
    Body,
    Seat,
    ActionField,
    Topic,
    Membership,
    AuditEntry,
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@contextmanager
def refused(message):
    """The block must raise a ValidationError with exactly this German message and change nothing."""
    before = counts()
    with pytest.raises(ValidationError) as caught:
        yield caught
    assert message in caught.value.messages, caught.value.messages
    assert counts() == before


@pytest.fixture
def s(alliance):
    return Structure(alliance)


@pytest.fixture
def actor(db):
    return UserFactory(username="geschaeftsstelle")


def seat(actor, body, organisation, role, starts_on=START, **kwargs):
    return services.seat_assign(
        actor=actor, body=body, organisation=organisation, role=role, starts_on=starts_on, **kwargs
    )


# --- Sprecherkreis --------------------------------------------------------------------------


def test_full_speakers_circle_is_seated(s, actor):
    seat(actor, s.speakers, s.org("Stadt Braunschweig"), SeatRole.SPEAKER)
    for name in [
        "Agentur für Arbeit Braunschweig-Goslar",
        "Landkreis Wolfenbüttel",
        "DGB Region SüdOstNiedersachsen",
        "Arbeitgeberverband Region Braunschweig",
    ]:
        seat(actor, s.speakers, s.org(name), SeatRole.DEPUTY_SPEAKER)
    assert Seat.objects.filter(body=s.speakers).count() == 5
    assert all(seat.can_vote for seat in Seat.objects.filter(body=s.speakers))


def test_second_deputy_from_the_same_group_is_refused(s, actor):
    seat(actor, s.speakers, s.org("Stadt Braunschweig"), SeatRole.DEPUTY_SPEAKER)
    with refused(
        "Die Gruppe Kommunen hat bereits eine/n stellvertretende/n Sprecher/in: Stadt Braunschweig. "
        "Jede Gruppe entsendet genau eine Person."
    ):
        seat(actor, s.speakers, s.org("Landkreis Wolfenbüttel"), SeatRole.DEPUTY_SPEAKER)


def test_third_deputy_from_one_group_is_refused(s, actor):
    # Two deputies of one group already (imported data, bypassing the services).
    for name in ["Stadt Braunschweig", "Landkreis Wolfenbüttel"]:
        SeatFactory(body=s.speakers, organisation=s.org(name), role=SeatRole.DEPUTY_SPEAKER)
    third = OrganisationFactory(
        alliance=s.alliance, group=s.groups["municipalities"], name="Stadt Salzgitter"
    )
    AgreementFactory(phase=s.phase, organisation=third)
    # The message names the first of them by name.
    with refused(
        "Die Gruppe Kommunen hat bereits eine/n stellvertretende/n Sprecher/in: Landkreis Wolfenbüttel. "
        "Jede Gruppe entsendet genau eine Person."
    ):
        seat(actor, s.speakers, third, SeatRole.DEPUTY_SPEAKER)


def test_deputy_of_the_same_group_after_the_term_ended_is_allowed(s, actor):
    first = seat(
        actor,
        s.speakers,
        s.org("Stadt Braunschweig"),
        SeatRole.DEPUTY_SPEAKER,
        ends_on=date(2019, 6, 30),
    )
    second = seat(
        actor,
        s.speakers,
        s.org("Landkreis Wolfenbüttel"),
        SeatRole.DEPUTY_SPEAKER,
        starts_on=date(2019, 7, 1),
    )
    assert first.pk != second.pk


def test_deputy_from_a_group_that_sends_none_is_refused(s, actor):
    with refused(
        "Die Gruppe Kammern entsendet keine/n stellvertretende/n Sprecher/in; das tun: "
        "Arbeitsagenturen, Kommunen, Gewerkschaften, Arbeitgeberverbände."
    ):
        seat(actor, s.speakers, s.org("IHK Braunschweig"), SeatRole.DEPUTY_SPEAKER)


def test_second_speaker_is_refused(s, actor):
    seat(actor, s.speakers, s.org("Stadt Braunschweig"), SeatRole.SPEAKER)
    with refused("Der Sprecherkreis hat bereits eine/n Sprecher/in: Stadt Braunschweig."):
        seat(actor, s.speakers, s.org("IHK Braunschweig"), SeatRole.SPEAKER)


def test_organisation_cannot_be_speaker_and_deputy_at_once(s, actor):
    seat(actor, s.speakers, s.org("Stadt Braunschweig"), SeatRole.SPEAKER)
    with refused(
        "„Stadt Braunschweig“ hat im Sprecherkreis bereits einen stimmberechtigten Sitz (seit 01.07.2018)."
    ):
        seat(actor, s.speakers, s.org("Stadt Braunschweig"), SeatRole.DEPUTY_SPEAKER)


# --- Votes belong to partners of the running phase ------------------------------------------


@pytest.mark.parametrize(
    ("body", "role"),
    [
        ("steering", SeatRole.MEMBER),
        ("speakers", SeatRole.SPEAKER),
        ("speakers", SeatRole.DEPUTY_SPEAKER),
    ],
)
def test_voting_seat_for_a_non_partner_is_refused(s, actor, body, role):
    with refused(
        "„Gemeinde Cremlingen“ ist in der Förderphase 2018–2021 kein Kooperationspartner (keine "
        "unterzeichnete Kooperationsvereinbarung) und kann deshalb keinen stimmberechtigten Sitz erhalten."
    ):
        seat(actor, getattr(s, body), s.unsigned, role)


def test_partner_of_another_phase_only_gets_no_vote(s, actor):
    next_phase = PhaseFactory(
        alliance=s.alliance, name="2021–2024", starts_on=date(2021, 7, 1), ends_on=date(2024, 6, 30)
    )
    AgreementFactory(phase=next_phase, organisation=s.unsigned)
    with refused(
        "„Gemeinde Cremlingen“ ist in der Förderphase 2018–2021 kein Kooperationspartner (keine "
        "unterzeichnete Kooperationsvereinbarung) und kann deshalb keinen stimmberechtigten Sitz erhalten."
    ):
        seat(actor, s.steering, s.unsigned, SeatRole.MEMBER)
    assert seat(actor, s.steering, s.unsigned, SeatRole.MEMBER, starts_on=date(2021, 7, 1)).can_vote


@pytest.mark.parametrize(
    ("body", "role"),
    [
        ("steering", SeatRole.MEMBER),
        ("speakers", SeatRole.SPEAKER),
        ("speakers", SeatRole.DEPUTY_SPEAKER),
    ],
)
def test_voting_seat_when_no_phase_runs_is_refused(s, actor, body, role):
    with refused("Am 01.01.2017 läuft keine Förderphase; ein stimmberechtigter Sitz braucht eine."):
        seat(actor, getattr(s, body), s.org("Stadt Braunschweig"), role, starts_on=date(2017, 1, 1))


def test_two_voting_seats_of_one_organisation_with_overlapping_terms_are_refused(s, actor):
    seat(actor, s.steering, s.org("Stadt Braunschweig"), SeatRole.MEMBER, ends_on=date(2020, 6, 30))
    with refused(
        "„Stadt Braunschweig“ hat im Steuerkreis bereits einen stimmberechtigten Sitz (seit 01.07.2018)."
    ):
        seat(
            actor,
            s.steering,
            s.org("Stadt Braunschweig"),
            SeatRole.MEMBER,
            starts_on=date(2020, 6, 30),
        )


def test_open_ended_seat_overlaps_every_later_term(s, actor):
    seat(actor, s.steering, s.org("Stadt Braunschweig"), SeatRole.MEMBER)
    with refused(
        "„Stadt Braunschweig“ hat im Steuerkreis bereits einen stimmberechtigten Sitz (seit 01.07.2018)."
    ):
        seat(
            actor,
            s.steering,
            s.org("Stadt Braunschweig"),
            SeatRole.MEMBER,
            starts_on=date(2021, 1, 1),
        )


def test_two_voting_seats_of_one_organisation_one_after_the_other_are_allowed(s, actor):
    seat(actor, s.steering, s.org("Stadt Braunschweig"), SeatRole.MEMBER, ends_on=date(2019, 6, 30))
    later = seat(
        actor, s.steering, s.org("Stadt Braunschweig"), SeatRole.MEMBER, starts_on=date(2019, 7, 1)
    )
    assert later.pk is not None
    assert Seat.objects.filter(organisation=s.org("Stadt Braunschweig")).count() == 2


def test_member_and_advisory_seat_of_one_organisation_at_once_are_refused(s, actor):
    seat(actor, s.steering, s.org("Stadt Braunschweig"), SeatRole.MEMBER)
    with refused("„Stadt Braunschweig“ hat im Steuerkreis bereits einen Sitz (seit 01.07.2018)."):
        seat(actor, s.steering, s.org("Stadt Braunschweig"), SeatRole.ADVISORY, starts_on=DAY)


def test_advisory_seat_for_a_non_partner_is_allowed_and_has_no_vote(s, actor):
    advisory = seat(actor, s.steering, s.arl, SeatRole.ADVISORY)
    assert advisory.pk is not None
    assert advisory.can_vote is False


def test_advisory_seat_needs_no_phase(s, actor):
    assert seat(actor, s.steering, s.arl, SeatRole.ADVISORY, starts_on=date(2015, 1, 1)).pk


def test_role_that_the_body_does_not_have_is_refused(s, actor):
    with refused("Die Rolle „Sprecher/in“ gibt es im Steuerkreis nicht."):
        seat(actor, s.steering, s.org("Stadt Braunschweig"), SeatRole.SPEAKER)


def test_seat_term_ending_before_it_starts_is_refused(s, actor):
    with refused("Die Amtszeit kann nicht vor ihrem Beginn enden."):
        seat(actor, s.steering, s.arl, SeatRole.ADVISORY, starts_on=DAY, ends_on=date(2019, 2, 1))


def test_person_of_another_organisation_is_refused(s, actor):
    person = PersonFactory(organisation=s.org("IHK Braunschweig"))
    with refused("Die Person vertritt nicht „Stadt Braunschweig“."):
        seat(actor, s.steering, s.org("Stadt Braunschweig"), SeatRole.MEMBER, person=person)


# --- Geschäftsstelle --------------------------------------------------------------------------


def test_office_seat_needs_a_person(s, actor):
    with refused("Ein Sitz in der Geschäftsstelle gehört einer Person."):
        seat(actor, s.office, s.arl, SeatRole.OFFICE_STAFF)


def test_office_seat_with_a_person_is_allowed_without_vote(s, actor):
    host = OrganisationFactory(
        alliance=s.alliance, group=s.groups["other"], name="Allianz für die Region GmbH"
    )
    person = PersonFactory(organisation=host)
    lead = seat(actor, s.office, host, SeatRole.OFFICE_LEAD, person=person)
    assert lead.can_vote is False
    with refused(f"{person.full_name} gehört der Geschäftsstelle bereits an."):
        seat(actor, s.office, host, SeatRole.OFFICE_STAFF, person=person, starts_on=DAY)


# --- Tenants do not mix -----------------------------------------------------------------------


def test_organisation_of_another_alliance_in_a_body_is_refused(s, actor, other_alliance):
    stranger = OrganisationFactory(alliance=other_alliance, name="Stadt Hannover")
    with refused("„Stadt Hannover“ gehört zu einem anderen Bündnis."):
        seat(actor, s.steering, stranger, SeatRole.ADVISORY)


def test_seat_recorded_for_another_alliance_than_its_body_is_refused(s, actor, other_alliance):
    instance = Seat(
        alliance=other_alliance,
        body=s.steering,
        organisation=s.arl,
        role=SeatRole.ADVISORY,
        starts_on=START,
    )
    # The organisation is of the body's alliance, the seat itself claims the other one.
    with refused("Sitz und Gremium gehören zu verschiedenen Bündnissen."):
        services.seat_save(actor=actor, instance=instance)


def test_agreement_with_organisation_of_another_alliance_is_refused(s, actor, other_alliance):
    stranger = OrganisationFactory(alliance=other_alliance, name="Stadt Hannover")
    with refused("„Stadt Hannover“ gehört zu einem anderen Bündnis."):
        services.agreement_sign(actor=actor, phase=s.phase, organisation=stranger, signed_on=START)


def test_organisation_in_group_of_another_alliance_is_refused(alliance, other_alliance, actor):
    foreign_group = GroupFactory(alliance=other_alliance, name="Kommunen Leine-Weser")
    with refused("„Kommunen Leine-Weser“ gehört zu einem anderen Bündnis."):
        services.organisation_create(
            actor=actor, alliance=alliance, name="Stadt Peine", group=foreign_group
        )


def test_person_of_organisation_of_another_alliance_is_refused(alliance, other_alliance, actor):
    stranger = OrganisationFactory(alliance=other_alliance, name="Stadt Hannover")
    person = Person(
        alliance=alliance, organisation=stranger, first_name="Erika", last_name="Muster"
    )
    with refused("„Stadt Hannover“ gehört zu einem anderen Bündnis."):
        services.person_save(actor=actor, instance=person)


def test_action_field_of_phase_of_another_alliance_is_refused(alliance, other_alliance, actor):
    foreign_phase = PhaseFactory(alliance=other_alliance)
    field = ActionField(
        alliance=alliance, phase=foreign_phase, title="Digitalisierung / Innovation"
    )
    with refused("„2018–2021“ gehört zu einem anderen Bündnis."):
        services.action_field_save(actor=actor, instance=field)


def test_topic_under_a_parent_of_another_field_is_refused(alliance, actor):
    phase = PhaseFactory(alliance=alliance)
    advice = ActionFieldFactory(phase=phase, title="Beratungsinfrastruktur")
    digital = ActionFieldFactory(phase=phase, title="Digitalisierung / Innovation")
    parent = TopicFactory(action_field=advice, title="Geflüchtete")
    with refused("Das übergeordnete Thema gehört zu einem anderen Handlungsfeld."):
        services.topic_create(actor=actor, action_field=digital, title="Arbeit 4.0", parent=parent)


# --- Funding phases ---------------------------------------------------------------------------


def phase(actor, alliance, **overrides):
    values = {
        "name": "2018–2021",
        "starts_on": date(2018, 7, 1),
        "ends_on": date(2021, 6, 30),
        "virtual_budget": Decimal("1500000.00"),
        "funding_rate": Decimal("50.00"),
    }
    values.update(overrides)
    return services.phase_create(actor=actor, alliance=alliance, **values)


@pytest.mark.parametrize("ends_on", [date(2018, 6, 30), date(2018, 7, 1)])
def test_phase_ending_before_or_on_its_start_is_refused(alliance, actor, ends_on):
    with refused("Das Ende der Förderphase muss nach ihrem Beginn liegen."):
        phase(actor, alliance, ends_on=ends_on)


def test_negative_budget_is_refused(alliance, actor):
    with refused("Das virtuelle Budget darf nicht negativ sein."):
        phase(actor, alliance, virtual_budget=Decimal("-0.01"))


def test_budget_of_zero_is_allowed(alliance, actor):
    assert phase(actor, alliance, virtual_budget=Decimal("0")).virtual_budget == 0


RATES_OUT_OF_RANGE = [
    (Decimal("100.01"), "max_value", "Der Fördersatz darf höchstens 100 % betragen."),
    (Decimal("120"), "max_value", "Der Fördersatz darf höchstens 100 % betragen."),
    (Decimal("0"), "min_value", "Der Fördersatz muss größer als 0 % sein."),
    (Decimal("-50"), "min_value", "Der Fördersatz muss größer als 0 % sein."),
]


@pytest.mark.parametrize(("rate", "code", "message"), RATES_OUT_OF_RANGE)
def test_rate_over_100_percent_or_not_above_0_is_refused(alliance, actor, rate, code, message):
    with refused(message) as caught:
        phase(actor, alliance, funding_rate=rate)
    assert [error.code for error in caught.value.error_dict["funding_rate"]] == [code]


def test_rate_of_100_percent_is_allowed(alliance, actor):
    assert phase(actor, alliance, funding_rate=Decimal("100")).project_volume == Decimal(
        "1500000.00"
    )


@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [
        (date(2021, 6, 30), date(2024, 6, 30)),  # shares the last day
        (date(2017, 1, 1), date(2018, 7, 1)),  # shares the first day
        (date(2019, 1, 1), date(2020, 1, 1)),  # lies inside
        (date(2017, 1, 1), date(2022, 1, 1)),  # covers it
    ],
)
def test_overlapping_phases_are_refused(alliance, actor, starts_on, ends_on):
    phase(actor, alliance)
    with refused("Die Förderphase überschneidet sich mit „2018–2021“ (01.07.2018–30.06.2021)."):
        phase(actor, alliance, name="Neu", starts_on=starts_on, ends_on=ends_on)


def test_phase_moved_onto_its_neighbour_is_refused_and_stays(alliance, actor):
    phase(actor, alliance)
    later = phase(
        actor, alliance, name="2021–2024", starts_on=date(2021, 7, 1), ends_on=date(2024, 6, 30)
    )
    later.starts_on = date(2021, 1, 1)
    with refused("Die Förderphase überschneidet sich mit „2018–2021“ (01.07.2018–30.06.2021)."):
        services.phase_save(actor=actor, instance=later)
    later.refresh_from_db()
    assert later.starts_on == date(2021, 7, 1)


def test_consecutive_phases_and_phases_of_other_alliances_are_allowed(
    alliance, other_alliance, actor
):
    phase(actor, alliance)
    phase(actor, alliance, name="2021–2024", starts_on=date(2021, 7, 1), ends_on=date(2024, 6, 30))
    phase(actor, other_alliance)
    assert FundingPhase.objects.count() == 3


def test_changing_a_phase_does_not_collide_with_itself(alliance, actor):
    current = phase(actor, alliance)
    current.ends_on = date(2021, 12, 31)
    services.phase_save(actor=actor, instance=current)
    current.refresh_from_db()
    assert current.ends_on == date(2021, 12, 31)


def test_project_end_cutoff_before_phase_end_is_refused(alliance, actor):
    with refused("Das späteste Projektende darf nicht vor dem Ende der Phase liegen."):
        phase(actor, alliance, project_end_cutoff=date(2021, 6, 1))


# --- Cooperation agreements -------------------------------------------------------------------


def test_agreement_signed_twice_for_the_same_phase_is_refused(s, actor):
    with refused("Diese Organisation hat für diese Förderphase bereits unterzeichnet."):
        services.agreement_sign(
            actor=actor, phase=s.phase, organisation=s.org("Stadt Braunschweig"), signed_on=DAY
        )


def test_agreement_for_the_next_phase_is_allowed(s, actor):
    next_phase = PhaseFactory(
        alliance=s.alliance, name="2021–2024", starts_on=date(2021, 7, 1), ends_on=date(2024, 6, 30)
    )
    signed = services.agreement_sign(
        actor=actor,
        phase=next_phase,
        organisation=s.org("Stadt Braunschweig"),
        signed_on=date(2021, 6, 5),
    )
    assert signed.alliance == s.alliance


def test_decision_after_signing_is_refused(s, actor):
    with refused("Der Beschluss muss vor oder am Tag der Unterzeichnung gefasst sein."):
        services.agreement_sign(
            actor=actor,
            phase=s.phase,
            organisation=s.unsigned,
            signed_on=date(2018, 6, 5),
            decision_date=date(2018, 6, 6),
        )


def test_decision_on_the_day_of_signing_is_allowed(s, actor):
    signed = services.agreement_sign(
        actor=actor,
        phase=s.phase,
        organisation=s.unsigned,
        signed_on=date(2018, 6, 5),
        decision_body="Verwaltungsausschuss",
        decision_reference="DS 18-08123",
        decision_date=date(2018, 6, 5),
    )
    assert signed.pk is not None


# --- Alliances --------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", sorted(RESERVED_SLUGS))
def test_reserved_alliance_slug_is_refused(db, actor, slug):
    with refused(f"Der Kurzname „{slug}“ ist für die Plattform reserviert."):
        services.alliance_create(actor=actor, slug=slug, name="Fachkräftebündnis Neu")


def test_renaming_an_alliance_to_a_reserved_slug_is_refused(alliance, actor):
    alliance.slug = "admin"
    with refused("Der Kurzname „admin“ ist für die Plattform reserviert."):
        services.alliance_save(actor=actor, instance=alliance)
    alliance.refresh_from_db()
    assert alliance.slug == "son"


# --- The audit trail --------------------------------------------------------------------------


def _alliance_create(actor, s):
    return services.alliance_create(actor=actor, slug="nordwest", name="Fachkräftebündnis Nordwest")


def _group_create(actor, s):
    return services.group_create(
        actor=actor, alliance=s.alliance, name="Hochschulen", sends_deputy_speaker=False
    )


def _organisation_create(actor, s):
    return services.organisation_create(
        actor=actor, alliance=s.alliance, name="TU Braunschweig", group=s.groups["other"]
    )


def _person_create(actor, s):
    return services.person_create(
        actor=actor,
        organisation=s.org("Stadt Braunschweig"),
        first_name="Gerold",
        last_name="Leppa",
    )


def _phase_create(actor, s):
    return phase(
        actor, s.alliance, name="2021–2024", starts_on=date(2021, 7, 1), ends_on=date(2024, 6, 30)
    )


def _agreement_sign(actor, s):
    return services.agreement_sign(
        actor=actor, phase=s.phase, organisation=s.unsigned, signed_on=START
    )


def _body_create(actor, s):
    Body.objects.filter(pk=s.office.pk).delete()
    return services.body_create(
        actor=actor, alliance=s.alliance, kind=BodyKind.OFFICE, name="Geschäftsstelle"
    )


def _seat_assign(actor, s):
    return seat(actor, s.steering, s.org("Stadt Braunschweig"), SeatRole.MEMBER)


def _action_field_create(actor, s):
    return services.action_field_create(
        actor=actor, phase=s.phase, title="Rekrutierung und Matching"
    )


def _topic_create(actor, s):
    field = ActionFieldFactory(phase=s.phase, title="Rekrutierung und Matching")
    return services.topic_create(actor=actor, action_field=field, title="Rückkehrprogramme")


def _membership_grant(actor, s):
    return account_services.membership_grant(
        actor=actor, user=UserFactory(username="erika"), alliance=s.alliance, role=Role.STEERING
    )


@pytest.mark.parametrize(
    ("call", "action", "changed_field"),
    [
        (_alliance_create, "alliance.create", "slug"),
        (_group_create, "group.create", "name"),
        (_organisation_create, "organisation.create", "name"),
        (_person_create, "person.create", "last_name"),
        (_phase_create, "phase.create", "virtual_budget"),
        (_agreement_sign, "agreement.create", "signed_on"),
        (_body_create, "body.create", "kind"),
        (_seat_assign, "seat.create", "role"),
        (_action_field_create, "action_field.create", "title"),
        (_topic_create, "topic.create", "title"),
        (_membership_grant, "membership.create", "role"),
    ],
)
def test_every_create_writes_exactly_one_audit_entry(s, actor, call, action, changed_field):
    before = AuditEntry.objects.count()
    record = call(actor, s)
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.actor == actor
    assert entry.action == action
    assert entry.object_id == str(record.pk)
    assert entry.object_type == record._meta.label_lower
    assert entry.changes[changed_field][0] is None
    assert entry.changes[changed_field][1] not in (None, "")
    expected_alliance = record.pk if isinstance(record, Alliance) else s.alliance.pk
    assert entry.alliance_id == expected_alliance


def test_update_writes_one_audit_entry_with_before_and_after(s, actor):
    member = seat(actor, s.steering, s.org("Stadt Braunschweig"), SeatRole.MEMBER)
    before = AuditEntry.objects.count()
    services.seat_end(actor=actor, seat=member, ends_on=date(2019, 6, 30))
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-id").first()
    assert (entry.actor, entry.action) == (actor, "seat.update")
    assert entry.changes == {"ends_on": [None, "2019-06-30"]}


def test_money_is_audited_exactly(alliance, actor):
    phase(actor, alliance, virtual_budget=Decimal("1500000.10"))
    entry = AuditEntry.objects.get(action="phase.create")
    assert entry.changes["virtual_budget"] == [None, "1500000.10"]


def test_delete_writes_one_audit_entry_with_the_last_state(s, actor):
    organisation = s.org("IHK Braunschweig")
    CooperationAgreement.objects.filter(organisation=organisation).delete()
    before = AuditEntry.objects.count()
    services.record_delete(actor=actor, instance=organisation)
    assert not Organisation.objects.filter(name="IHK Braunschweig").exists()
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-id").first()
    assert (entry.actor, entry.action, entry.alliance_id) == (
        actor,
        "organisation.delete",
        s.alliance.pk,
    )
    assert entry.changes["name"] == "IHK Braunschweig"


def test_deleting_a_record_still_in_use_is_refused(s, actor):
    seat(actor, s.steering, s.org("Stadt Braunschweig"), SeatRole.MEMBER)
    with refused("„Stadt Braunschweig“ wird noch verwendet und kann nicht gelöscht werden."):
        services.record_delete(actor=actor, instance=s.org("Stadt Braunschweig"))


def test_anonymous_actor_is_recorded_as_none(alliance):
    services.group_create(actor=None, alliance=alliance, name="Hochschulen")
    assert AuditEntry.objects.get(action="group.create").actor is None


def test_audit_entries_cannot_be_changed_or_deleted(alliance, actor):
    services.group_create(actor=actor, alliance=alliance, name="Hochschulen")
    entry = AuditEntry.objects.get()
    entry.action = "group.delete"
    with pytest.raises(ValueError, match="Protokolleinträge sind unveränderlich."):
        entry.save()
    with pytest.raises(ValueError, match="Protokolleinträge sind unveränderlich."):
        entry.delete()
    entry.refresh_from_db()
    assert entry.action == "group.create"
    assert AuditEntry.objects.count() == 1


# --- Two writers at once ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_deputies_of_one_group_at_once_only_one_is_seated(alliance, monkeypatch):
    """Both writers check the rule before either saves; the lock on the body lets only one pass.

    The validator pauses after its check, so without the lock both would be seated. PostgreSQL
    serialises the writers on `select_for_update` of the body; SQLite on its single write lock
    (IMMEDIATE transactions). The in-memory test database of SQLite reports a held lock at once
    instead of waiting, so there the refused writer tries again, as a user would.
    """
    s = Structure(alliance)
    actor = UserFactory(username="geschaeftsstelle")
    contenders = [s.org("Stadt Braunschweig"), s.org("Landkreis Wolfenbüttel")]

    real_validate = services.seat_validate

    def slow_validate(instance):
        real_validate(instance)
        time.sleep(0.3)

    monkeypatch.setattr(services, "seat_validate", slow_validate)
    start = threading.Barrier(len(contenders))
    outcomes: dict[str, object] = {}

    def attempt(organisation):
        try:
            start.wait()
            for _try in range(100):
                try:
                    seat(actor, s.speakers, organisation, SeatRole.DEPUTY_SPEAKER)
                    outcomes[organisation.name] = "seated"
                    return
                except OperationalError as error:
                    if "locked" not in str(error):
                        raise
                    time.sleep(0.05)
            outcomes[organisation.name] = "gave up"
        except DomainError as error:
            outcomes[organisation.name] = error
        except Exception as error:  # reported by the assertions below
            outcomes[organisation.name] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(org,)) for org in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    seated = [name for name, outcome in outcomes.items() if outcome == "seated"]
    refusals = [outcome for outcome in outcomes.values() if isinstance(outcome, DomainError)]
    assert len(seated) == 1, outcomes
    assert len(refusals) == 1, outcomes
    assert (
        f"Die Gruppe Kommunen hat bereits eine/n stellvertretende/n Sprecher/in: {seated[0]}. "
        "Jede Gruppe entsendet genau eine Person."
    ) in refusals[0].messages
    assert Seat.objects.filter(body=s.speakers, role=SeatRole.DEPUTY_SPEAKER).count() == 1
    assert AuditEntry.objects.filter(action="seat.create").count() == 1


def test_alliance_factory_builds_distinct_alliances(db):
    # Guard for the fixtures above: two alliances, never the same one twice.
    assert AllianceFactory().pk != AllianceFactory().pk


def test_a_seat_can_end_though_its_start_breaks_todays_rules_but_not_grow_longer(s, actor):
    """A seat recorded years ago (its partner never signed: incomplete data of its time) still
    ends; a longer term is a new claim and is checked like a new seat."""
    unsigned = Seat.objects.create(
        alliance=s.alliance,
        body=s.steering,
        organisation=s.unsigned,
        role=SeatRole.MEMBER,
        starts_on=date(2019, 1, 1),
        ends_on=date(2020, 12, 31),
    )
    services.seat_end(actor=actor, seat=unsigned, ends_on=date(2019, 6, 30))
    unsigned.refresh_from_db()
    assert unsigned.ends_on == date(2019, 6, 30)
    with pytest.raises(DomainError):
        services.seat_end(actor=actor, seat=unsigned, ends_on=date(2021, 6, 30))
    unsigned.refresh_from_db()
    assert unsigned.ends_on == date(2019, 6, 30)
    with pytest.raises(ValidationError, match="Die Amtszeit kann nicht vor ihrem Beginn enden"):
        services.seat_end(actor=actor, seat=unsigned, ends_on=date(2018, 12, 31))
