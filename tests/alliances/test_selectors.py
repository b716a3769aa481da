"""The reads that tell the office what the alliance looks like, and what it lacks.

States with doubles cannot be made through the services (they refuse them), so the factories
build them directly: that is how imported or hand-edited data would look.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from buendnis.alliances import selectors
from buendnis.alliances.models import SeatRole

from ..factories import (
    AgreementFactory,
    OrganisationFactory,
    PhaseFactory,
    SeatFactory,
    Structure,
)

DAY = date(2019, 3, 1)
DEPUTIES = {
    "agencies": "Agentur für Arbeit Braunschweig-Goslar",
    "municipalities": "Stadt Braunschweig",
    "unions": "DGB Region SüdOstNiedersachsen",
    "employers": "Arbeitgeberverband Region Braunschweig",
}


@pytest.fixture
def s(alliance):
    return Structure(alliance)


def complete_circle(s, *, leave_out=(), speaker="IHK Braunschweig"):
    if speaker:
        SeatFactory(body=s.speakers, organisation=s.org(speaker), role=SeatRole.SPEAKER)
    for group, name in DEPUTIES.items():
        if group not in leave_out:
            SeatFactory(body=s.speakers, organisation=s.org(name), role=SeatRole.DEPUTY_SPEAKER)


# --- speakers_circle_problems -----------------------------------------------------------------


def test_complete_speakers_circle_has_no_problems(s):
    complete_circle(s)
    assert selectors.speakers_circle_problems(s.speakers, on=DAY) == []


def test_empty_speakers_circle_lacks_everyone(s):
    assert selectors.speakers_circle_problems(s.speakers, on=DAY) == [
        "Es fehlt der/die Sprecher/in des Bündnisses.",
        "Es fehlt der/die stellvertretende Sprecher/in der Gruppe Arbeitsagenturen.",
        "Es fehlt der/die stellvertretende Sprecher/in der Gruppe Kommunen.",
        "Es fehlt der/die stellvertretende Sprecher/in der Gruppe Gewerkschaften.",
        "Es fehlt der/die stellvertretende Sprecher/in der Gruppe Arbeitgeberverbände.",
    ]


def test_missing_speaker_is_reported(s):
    complete_circle(s, speaker=None)
    assert selectors.speakers_circle_problems(s.speakers, on=DAY) == [
        "Es fehlt der/die Sprecher/in des Bündnisses."
    ]


def test_missing_deputy_of_one_group_is_reported(s):
    complete_circle(s, leave_out={"unions"})
    assert selectors.speakers_circle_problems(s.speakers, on=DAY) == [
        "Es fehlt der/die stellvertretende Sprecher/in der Gruppe Gewerkschaften."
    ]


def test_two_speakers_are_reported(s):
    complete_circle(s)
    SeatFactory(body=s.speakers, organisation=s.org("AGV Wolfsburg"), role=SeatRole.SPEAKER)
    assert selectors.speakers_circle_problems(s.speakers, on=DAY) == [
        "Mehr als ein/e Sprecher/in: AGV Wolfsburg, IHK Braunschweig."
    ]


def test_two_deputies_of_one_group_are_reported(s):
    complete_circle(s)
    SeatFactory(
        body=s.speakers, organisation=s.org("Landkreis Wolfenbüttel"), role=SeatRole.DEPUTY_SPEAKER
    )
    assert selectors.speakers_circle_problems(s.speakers, on=DAY) == [
        "Die Gruppe Kommunen hat mehr als eine/n stellvertretende/n Sprecher/in: "
        "Landkreis Wolfenbüttel, Stadt Braunschweig."
    ]


def test_deputy_of_a_group_that_sends_none_is_reported(s):
    complete_circle(s, speaker="AGV Wolfsburg")
    SeatFactory(
        body=s.speakers, organisation=s.org("IHK Braunschweig"), role=SeatRole.DEPUTY_SPEAKER
    )
    assert selectors.speakers_circle_problems(s.speakers, on=DAY) == [
        "IHK Braunschweig ist stellvertretende/r Sprecher/in, doch die Gruppe Kammern entsendet niemanden."
    ]


def test_everything_wrong_at_once_is_reported_in_order(s):
    for name in ["IHK Braunschweig", "AGV Wolfsburg"]:
        SeatFactory(body=s.speakers, organisation=s.org(name), role=SeatRole.SPEAKER)
    for name in ["Stadt Braunschweig", "Landkreis Wolfenbüttel"]:
        SeatFactory(body=s.speakers, organisation=s.org(name), role=SeatRole.DEPUTY_SPEAKER)
    SeatFactory(
        body=s.speakers,
        organisation=s.org("Handwerkskammer Braunschweig-Lüneburg-Stade"),
        role=SeatRole.DEPUTY_SPEAKER,
    )
    assert selectors.speakers_circle_problems(s.speakers, on=DAY) == [
        "Mehr als ein/e Sprecher/in: AGV Wolfsburg, IHK Braunschweig.",
        "Es fehlt der/die stellvertretende Sprecher/in der Gruppe Arbeitsagenturen.",
        "Die Gruppe Kommunen hat mehr als eine/n stellvertretende/n Sprecher/in: "
        "Landkreis Wolfenbüttel, Stadt Braunschweig.",
        "Es fehlt der/die stellvertretende Sprecher/in der Gruppe Gewerkschaften.",
        "Es fehlt der/die stellvertretende Sprecher/in der Gruppe Arbeitgeberverbände.",
        "Handwerkskammer Braunschweig-Lüneburg-Stade ist stellvertretende/r Sprecher/in, doch die "
        "Gruppe Kammern entsendet niemanden.",
    ]


def test_only_terms_running_on_the_day_count(s):
    complete_circle(s)
    # The speaker's term ended, a successor starts later: on DAY there is none.
    speaker = s.speakers.seats.get(role=SeatRole.SPEAKER)
    speaker.ends_on = date(2019, 2, 28)
    speaker.save()
    SeatFactory(
        body=s.speakers,
        organisation=s.org("AGV Wolfsburg"),
        role=SeatRole.SPEAKER,
        starts_on=date(2019, 3, 2),
    )
    assert selectors.speakers_circle_problems(s.speakers, on=DAY) == [
        "Es fehlt der/die Sprecher/in des Bündnisses."
    ]
    assert selectors.speakers_circle_problems(s.speakers, on=date(2019, 3, 2)) == []


def test_groups_of_other_alliances_do_not_count(s, other_alliance):
    complete_circle(s)
    Structure(other_alliance)  # four more sending groups, in the other alliance
    assert selectors.speakers_circle_problems(s.speakers, on=DAY) == []


# --- steering_problems ------------------------------------------------------------------------


def test_steering_committee_of_partners_has_no_problems(s):
    SeatFactory(body=s.steering, organisation=s.org("Stadt Braunschweig"), role=SeatRole.MEMBER)
    SeatFactory(body=s.steering, organisation=s.arl, role=SeatRole.ADVISORY)
    assert selectors.steering_problems(s.steering, on=DAY) == []


def test_voting_member_without_agreement_is_reported(s):
    SeatFactory(body=s.steering, organisation=s.unsigned, role=SeatRole.MEMBER)
    assert selectors.steering_problems(s.steering, on=DAY) == [
        "Gemeinde Cremlingen hat einen stimmberechtigten Sitz, aber für 2018–2021 nicht unterzeichnet."
    ]


def test_member_who_did_not_sign_again_for_the_next_phase_is_reported(s):
    SeatFactory(body=s.steering, organisation=s.org("Stadt Braunschweig"), role=SeatRole.MEMBER)
    SeatFactory(body=s.steering, organisation=s.org("IHK Braunschweig"), role=SeatRole.MEMBER)
    following = PhaseFactory(
        alliance=s.alliance, name="2021–2024", starts_on=date(2021, 7, 1), ends_on=date(2024, 6, 30)
    )
    AgreementFactory(phase=following, organisation=s.org("IHK Braunschweig"))
    assert selectors.steering_problems(s.steering, on=DAY) == []
    assert selectors.steering_problems(s.steering, on=date(2022, 1, 1)) == [
        "Stadt Braunschweig hat einen stimmberechtigten Sitz, aber für 2021–2024 nicht unterzeichnet."
    ]


def test_between_phases_the_latest_phase_defines_the_partners(s):
    SeatFactory(body=s.steering, organisation=s.unsigned, role=SeatRole.MEMBER)
    SeatFactory(body=s.steering, organisation=s.org("Stadt Braunschweig"), role=SeatRole.MEMBER)
    PhaseFactory(
        alliance=s.alliance,
        name="2022–2025",
        starts_on=date(2022, 1, 1),
        ends_on=date(2025, 12, 31),
    )
    # Half a year without a running phase: 2018–2021 still counts.
    assert selectors.steering_problems(s.steering, on=date(2021, 9, 1)) == [
        "Gemeinde Cremlingen hat einen stimmberechtigten Sitz, aber für 2018–2021 nicht unterzeichnet."
    ]


def test_steering_problems_are_empty_without_any_phase(alliance):
    steering = SeatFactory(
        body__alliance=alliance, organisation__alliance=alliance, role=SeatRole.MEMBER
    ).body
    assert selectors.steering_problems(steering, on=DAY) == []


# --- phases -----------------------------------------------------------------------------------


@pytest.fixture
def phases(alliance):
    first = PhaseFactory(
        alliance=alliance, name="2015–2018", starts_on=date(2015, 7, 1), ends_on=date(2018, 6, 30)
    )
    # A gap of one year between the phases.
    second = PhaseFactory(
        alliance=alliance, name="2019–2021", starts_on=date(2019, 7, 1), ends_on=date(2021, 12, 31)
    )
    return first, second


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2015, 7, 1), "2015–2018"),  # first day
        (date(2018, 6, 30), "2015–2018"),  # last day
        (date(2020, 1, 1), "2019–2021"),  # running
        (date(2019, 1, 1), "2015–2018"),  # between phases: the latest that began
        (date(2030, 1, 1), "2019–2021"),  # after all of them: the latest
        (date(2010, 1, 1), "2015–2018"),  # before all of them: the next one
    ],
)
def test_current_phase(alliance, phases, day, expected):
    assert selectors.current_phase(alliance, on=day).name == expected


def test_current_phase_without_phases_is_none(alliance, other_alliance):
    PhaseFactory(alliance=other_alliance)
    assert selectors.current_phase(alliance, on=DAY) is None


def test_phase_on_is_none_between_phases(alliance, phases):
    assert selectors.phase_on(alliance.pk, date(2019, 1, 1)) is None
    assert selectors.phase_on(alliance.pk, date(2019, 7, 1)).name == "2019–2021"


def test_project_volume_at_50_percent_is_twice_the_budget(alliance):
    phase = PhaseFactory(
        alliance=alliance, virtual_budget=Decimal("1500000.00"), funding_rate=Decimal("50")
    )
    assert phase.project_volume == Decimal("3000000.00")


def test_project_volume_at_70_percent_is_rounded_to_the_cent(alliance):
    phase = PhaseFactory(
        alliance=alliance, virtual_budget=Decimal("1500000.00"), funding_rate=Decimal("70")
    )
    assert phase.project_volume == Decimal("2142857.14")


# --- partners ---------------------------------------------------------------------------------


def test_partners_by_group_lists_signatories_in_the_order_of_groups(s):
    grouped = selectors.partners_by_group(s.alliance, s.phase)
    assert [(entry.group.name, [org.name for org in entry.organisations]) for entry in grouped] == [
        ("Arbeitsagenturen", ["Agentur für Arbeit Braunschweig-Goslar", "Jobcenter Braunschweig"]),
        ("Kommunen", ["Landkreis Wolfenbüttel", "Stadt Braunschweig"]),
        ("Gewerkschaften", ["DGB Region SüdOstNiedersachsen", "IG Metall Wolfsburg"]),
        ("Arbeitgeberverbände", ["AGV Wolfsburg", "Arbeitgeberverband Region Braunschweig"]),
        ("Kammern", ["Handwerkskammer Braunschweig-Lüneburg-Stade", "IHK Braunschweig"]),
    ]
    # Not signed: Gemeinde Cremlingen, and the ArL (a group of its own, with no partner at all).
    names = {org.name for entry in grouped for org in entry.organisations}
    assert "Gemeinde Cremlingen" not in names
    assert s.arl.name not in names


def test_partners_by_group_of_another_phase_lists_its_own_signatories(s):
    following = PhaseFactory(
        alliance=s.alliance, name="2021–2024", starts_on=date(2021, 7, 1), ends_on=date(2024, 6, 30)
    )
    AgreementFactory(phase=following, organisation=s.unsigned)
    grouped = selectors.partners_by_group(s.alliance, following)
    assert [(entry.group.name, [org.name for org in entry.organisations]) for entry in grouped] == [
        ("Kommunen", ["Gemeinde Cremlingen"])
    ]


def test_partners_by_group_without_phase_is_empty(s):
    assert selectors.partners_by_group(s.alliance, None) == []


def test_partners_by_group_does_not_mix_alliances(s, other_alliance):
    other = Structure(other_alliance)
    OrganisationFactory(
        alliance=other_alliance, group=other.groups["unions"], name="ver.di Hannover"
    )
    grouped = selectors.partners_by_group(s.alliance, s.phase)
    assert all(org.alliance_id == s.alliance.pk for entry in grouped for org in entry.organisations)


def test_partners_by_group_query_count_does_not_grow(s, django_assert_num_queries):
    # One query: organisations with their group and the partner flag.
    with django_assert_num_queries(1):
        selectors.partners_by_group(s.alliance, s.phase)


def test_body_list_orders_bodies_and_fetches_current_seats(s, django_assert_num_queries):
    SeatFactory(body=s.steering, organisation=s.org("Stadt Braunschweig"), role=SeatRole.MEMBER)
    # Two queries: the bodies, and their seats running on the day.
    with django_assert_num_queries(2):
        bodies = selectors.body_list(s.alliance, on=DAY)
        kinds = [body.kind for body in bodies]
        seats = [len(body.current_seats) for body in bodies]
    assert kinds == ["steering", "speakers", "office"]
    assert seats == [1, 0, 0]


@pytest.mark.django_db
def test_get_alliance_for_user(make_persona, alliance):
    member, outsider = make_persona("member"), make_persona("outsider")
    assert selectors.get_alliance_for_user(outsider, "son") == alliance
    assert selectors.get_alliance_for_user(None, "son") == alliance
    assert selectors.get_alliance_for_user(member, "son", internal=True) == alliance
    # Outsiders, anonymous visitors and callers without a user learn nothing of internal pages.
    for user in (outsider, AnonymousUser(), None):
        with pytest.raises(Http404):
            selectors.get_alliance_for_user(user, "son", internal=True)
    with pytest.raises(Http404):
        selectors.get_alliance_for_user(member, "gibt-es-nicht")
    alliance.is_active = False
    alliance.save()
    with pytest.raises(Http404):
        selectors.get_alliance_for_user(member, "son")
