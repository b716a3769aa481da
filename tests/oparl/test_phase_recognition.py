"""OParl's legislative terms are the recognised funding phases only: a phase in preparation, with
the ministry, sent back or refused is neither embedded in the Body, nor listed, nor served at its
own address, nor does it make an organisation a "Kooperationspartner"; the objects still follow
the specification's schema."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from buendnis.alliances.models import FundingPhase, RecognitionStatus
from tests.factories import AgreementFactory, PhaseFactory

from .conftest import ROOT, Api, World, validate_list, validate_object

pytestmark = pytest.mark.django_db

UNRECOGNISED = [s for s in RecognitionStatus.values if s != RecognitionStatus.RECOGNISED]


@pytest.fixture
def draft(world: World) -> FundingPhase:
    phase = world.structure.phase
    draft = PhaseFactory(
        alliance=world.alliance,
        name="Entwurf der nächsten Phase",
        starts_on=phase.ends_on + timedelta(days=1),
        ends_on=date(phase.ends_on.year + 3, 6, 30),
        recognition_status=RecognitionStatus.DRAFT,
    )
    # The Amt has signed no recognised phase; signing the draft makes it no partner yet.
    AgreementFactory(phase=draft, organisation=world.structure.organisations["arl"])
    return draft


@pytest.mark.parametrize("status", UNRECOGNISED)
def test_unrecognised_phases_are_no_legislative_terms(
    world: World, api: Api, draft: FundingPhase, status: str
) -> None:
    FundingPhase.objects.filter(pk=draft.pk).update(recognition_status=status)
    recognised = [
        phase.name for phase in world.alliance.phases.order_by("starts_on") if phase != draft
    ]

    body = api.get("body/son")
    validate_object(body)
    assert [term["name"] for term in body["legislativeTerm"]] == recognised
    terms = api.get("body/son/legislativeterm")
    validate_list(terms)
    assert [term["name"] for term in terms["data"]] == recognised
    assert api.get("body")["data"][0]["legislativeTerm"] == body["legislativeTerm"]
    error = api.get(f"legislativeterm/{draft.pk}", status=404)
    assert error["message"] == "Förderphase nicht gefunden."
    assert not [text for text in api.texts if "Entwurf der nächsten Phase" in text]


def test_a_recognised_phase_is_a_legislative_term(
    world: World, api: Api, draft: FundingPhase
) -> None:
    FundingPhase.objects.filter(pk=draft.pk).update(recognition_status=RecognitionStatus.RECOGNISED)
    term = api.get(f"legislativeterm/{draft.pk}")
    validate_object(term)
    assert term["id"] == f"{ROOT}legislativeterm/{draft.pk}"
    assert term["name"] == "Entwurf der nächsten Phase"


def test_signing_an_unrecognised_phase_makes_no_partner(
    world: World, api: Api, draft: FundingPhase
) -> None:
    arl = world.structure.organisations["arl"]
    organisation = api.get(f"organization/org-{arl.pk}")
    validate_object(organisation)
    assert organisation["classification"] == "Weitere Organisation"
    FundingPhase.objects.filter(pk=draft.pk).update(recognition_status=RecognitionStatus.RECOGNISED)
    assert api.get(f"organization/org-{arl.pk}")["classification"] == "Kooperationspartner"
