"""Reads of buendnis.renewal.selectors that the API and the public pages use: the newest strategy
version, who recognised a phase, each partner's signature a page at a time."""

from __future__ import annotations

from datetime import date

import pytest
from pytest_django import DjangoAssertNumQueries

from buendnis.alliances.models import Alliance
from buendnis.renewal import selectors
from buendnis.renewal.models import RecognitionOutcome, SignatureStatus
from tests.factories import (
    AgreementFactory,
    OrganisationFactory,
    PhaseFactory,
    RecognitionDecisionFactory,
    SignatureRequestFactory,
    StrategyFactory,
    StrategyVersionFactory,
)

pytestmark = pytest.mark.django_db


def test_latest_version_joins_the_strategy(
    alliance: Alliance, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    phase = PhaseFactory(alliance=alliance)
    other = PhaseFactory(
        alliance=alliance, name="Andere", starts_on=date(2022, 1, 1), ends_on=date(2024, 12, 31)
    )
    assert selectors.latest_version(phase) is None

    strategy = StrategyFactory(phase=phase, adopted_on=date(2018, 6, 1))
    StrategyVersionFactory(strategy=strategy, number=1)
    newest = StrategyVersionFactory(strategy=strategy, number=3)
    StrategyVersionFactory(strategy=strategy, number=2)
    StrategyVersionFactory(strategy__phase=other, number=9)

    with django_assert_num_queries(1):
        found = selectors.latest_version(phase)
        assert found == newest
        assert found is not None and found.strategy.adopted_on == date(2018, 6, 1)


def test_recognition_authorities(
    alliance: Alliance, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    first = PhaseFactory(alliance=alliance)
    second = PhaseFactory(
        alliance=alliance, name="Zweite", starts_on=date(2021, 7, 1), ends_on=date(2024, 6, 30)
    )
    undecided = PhaseFactory(
        alliance=alliance, name="Offen", starts_on=date(2024, 7, 1), ends_on=date(2027, 6, 30)
    )
    RecognitionDecisionFactory(phase=first, authority="Ministerium A")
    RecognitionDecisionFactory(phase=first, authority="Ministerium B")  # recorded later: wins
    RecognitionDecisionFactory(
        phase=first, outcome=RecognitionOutcome.REFUSED, authority="Ministerium C"
    )
    RecognitionDecisionFactory(
        phase=second, outcome=RecognitionOutcome.CHANGES_REQUESTED, authority="Ministerium D"
    )

    with django_assert_num_queries(1):
        found = selectors.recognition_authorities([first.pk, second.pk, undecided.pk])
    assert found == {first.pk: "Ministerium B"}
    assert selectors.recognition_authorities([]) == {}


def test_partner_rows_a_page_at_a_time(alliance: Alliance, other_alliance: Alliance) -> None:
    phase = PhaseFactory(alliance=alliance)
    asked = SignatureRequestFactory(phase=phase, reference="DS 1", due_on=date(2018, 5, 1))
    historic = AgreementFactory(phase=phase, decision_reference="DS 15-00153", decision_body="Rat")
    # Another phase's and another alliance's rows are not this phase's.
    SignatureRequestFactory(phase=PhaseFactory(alliance=other_alliance))
    AgreementFactory(
        phase=PhaseFactory(
            alliance=alliance,
            name="Später",
            starts_on=date(2021, 7, 1),
            ends_on=date(2024, 6, 30),
        ),
        organisation=OrganisationFactory(alliance=alliance, name="Nur später"),
    )

    rows = [selectors.partner_row(o) for o in selectors.signature_organisation_list(phase)]

    # The same rows, by the same rule, as the cycle's pages read them in one go.
    def described(row: selectors.PartnerRow) -> tuple[object, ...]:
        return (
            row.organisation.pk,
            row.status,
            row.reference,
            row.signed_on,
            row.decision_body,
            row.asked_on,
            row.due_on,
            row.requested,
        )

    assert sorted(map(described, rows), key=str) == sorted(
        map(described, selectors.partner_rows(phase)), key=str
    )
    entries = {row.organisation.pk: row for row in rows}
    assert set(entries) == {asked.organisation_id, historic.organisation_id}
    first = entries[asked.organisation_id]
    assert (first.status, first.reference, first.due_on, first.requested) == (
        SignatureStatus.ASKED,
        "DS 1",
        date(2018, 5, 1),
        True,
    )
    assert first.status_label == "Angefragt"
    second = entries[historic.organisation_id]
    assert (second.status, second.reference, second.decision_body, second.requested) == (
        "signed",
        "DS 15-00153",
        "Rat",
        False,
    )
    assert second.signed_on == historic.signed_on
    assert second.asked_on is None
