"""The partners renew the cooperation agreement: the office asks, the partner's own bodies decide,
the partner signs or declines. Every recorded date lies between the step before it and today:
asked ≤ decision of the partner's body ≤ signed ≤ today (declined likewise)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from buendnis.accounts.models import Role
from buendnis.alliances.models import CooperationAgreement, FundingPhase
from buendnis.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from buendnis.core.models import AuditEntry
from buendnis.renewal import permissions, selectors, services
from buendnis.renewal.models import SignatureRequest, SignatureStatus
from tests.factories import (
    AgreementFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    pdf_upload,
)

from .conftest import Cycle, days, today

pytestmark = pytest.mark.django_db

CITY = "Stadt Braunschweig"


@pytest.fixture
def phase(cycle: Cycle) -> FundingPhase:
    return cycle.prepare()


@pytest.fixture
def request_(cycle: Cycle, phase: FundingPhase) -> SignatureRequest:
    """The city, asked twenty days ago."""
    [request] = cycle.ask(phase, [cycle.org(CITY)], asked_on=today() - days(20))
    return request


def reload(request: SignatureRequest) -> SignatureRequest:
    return SignatureRequest.objects.get(pk=request.pk)


# --- Asking -------------------------------------------------------------------------------------


def test_asking_leaves_out_who_was_asked_or_signed_already(
    cycle: Cycle, phase: FundingPhase
) -> None:
    cycle.ask(phase, [cycle.org(CITY)])
    AgreementFactory(phase=phase, organisation=cycle.org("IHK Braunschweig"))
    created = cycle.ask(phase, due_on=today() + days(30))
    assert len(created) == len(cycle.partners) - 2
    assert all(request.status == SignatureStatus.ASKED for request in created)
    assert [request.organisation.name for request in created] == sorted(
        request.organisation.name for request in created
    )
    assert AuditEntry.objects.filter(action="renewal.signature_asked").count() == 9
    assert SignatureRequest.objects.filter(phase=phase).count() == 9


def test_asked_on_is_not_in_the_future(cycle: Cycle, phase: FundingPhase) -> None:
    with pytest.raises(DomainError, match="Datum der Anfrage darf nicht in der Zukunft"):
        cycle.ask(phase, asked_on=today() + days(1))
    assert not SignatureRequest.objects.exists()
    assert len(cycle.ask(phase, [cycle.org(CITY)], asked_on=today())) == 1


def test_the_deadline_is_not_before_the_request(cycle: Cycle, phase: FundingPhase) -> None:
    with pytest.raises(DomainError, match="Frist kann nicht vor der Anfrage"):
        cycle.ask(phase, asked_on=today(), due_on=today() - days(1))
    assert not SignatureRequest.objects.exists()
    [request] = cycle.ask(phase, [cycle.org(CITY)], asked_on=today(), due_on=today())
    assert request.due_on == today()


def test_only_organisations_of_the_alliance_are_asked(
    cycle: Cycle, phase: FundingPhase, other_alliance
) -> None:
    foreign = OrganisationFactory(alliance=other_alliance)
    with pytest.raises(DomainError, match="anderen Bündnis"):
        cycle.ask(phase, [cycle.org(CITY), foreign])
    assert not SignatureRequest.objects.exists()


@pytest.mark.parametrize("persona", ["speaker", "member", "advisory", "ministry", "outsider"])
def test_only_the_office_asks(cycle: Cycle, phase: FundingPhase, persona: str) -> None:
    with pytest.raises(NotPermitted, match="Partner fragt die Geschäftsstelle an"):
        services.signatures_request(
            actor=cycle.personas[persona],  # type: ignore[arg-type]
            phase=phase,
            organisations=cycle.partners,
            asked_on=today(),
        )
    assert not SignatureRequest.objects.exists()


def test_a_refused_phase_asks_nobody(cycle: Cycle) -> None:
    phase = cycle.applied()
    cycle.decide(phase, "refused")
    with pytest.raises(TransitionNotAllowed, match="abgelehnt"):
        cycle.ask(phase, [cycle.structure.unsigned])
    assert not SignatureRequest.objects.filter(organisation=cycle.structure.unsigned).exists()


# --- Pending in the partner's own bodies --------------------------------------------------------


def test_pending_records_the_body_and_its_planned_date(
    cycle: Cycle, request_: SignatureRequest
) -> None:
    planned = today() + days(10)  # planned: may lie ahead
    services.signature_mark_pending(
        actor=cycle.office,
        request=request_,
        decision_body=" Rat ",
        reference="DS 27-00153",
        decision_date=planned,
        note="Vorlage im Verwaltungsausschuss",
    )
    request = reload(request_)
    assert request.status == SignatureStatus.PENDING
    assert (request.decision_body, request.reference, request.decision_date) == (
        "Rat",
        "DS 27-00153",
        planned,
    )
    entry = AuditEntry.objects.get(action="renewal.signature_pending")
    assert (entry.from_state, entry.to_state) == ("asked", "pending")


def test_the_bodies_decide_not_before_the_request(cycle: Cycle, request_: SignatureRequest) -> None:
    asked = request_.asked_on
    with pytest.raises(DomainError, match="Beschluss kann nicht vor der Anfrage"):
        services.signature_mark_pending(
            actor=cycle.office, request=request_, decision_body="Rat", decision_date=asked - days(1)
        )
    assert reload(request_).status == SignatureStatus.ASKED
    services.signature_mark_pending(
        actor=cycle.office, request=request_, decision_body="Rat", decision_date=asked
    )
    assert reload(request_).status == SignatureStatus.PENDING


def test_pending_names_the_body(cycle: Cycle, request_: SignatureRequest) -> None:
    with pytest.raises(DomainError, match="beschließende Gremium"):
        services.signature_mark_pending(actor=cycle.office, request=request_, decision_body=" ")


def test_pending_may_be_updated_until_the_answer(cycle: Cycle, request_: SignatureRequest) -> None:
    services.signature_mark_pending(actor=cycle.office, request=request_, decision_body="Rat")
    services.signature_mark_pending(
        actor=cycle.office, request=request_, decision_body="Verwaltungsausschuss"
    )
    assert reload(request_).decision_body == "Verwaltungsausschuss"


# --- Signing ------------------------------------------------------------------------------------


def test_signing_makes_the_organisation_a_partner_of_the_phase(
    cycle: Cycle, request_: SignatureRequest
) -> None:
    signed = today() - days(2)
    services.signature_sign(
        actor=cycle.office,
        request=request_,
        signed_on=signed,
        decision_body="Rat",
        reference="DS 27-00153",
        decision_date=signed,  # decided on the day of signing: allowed
    )
    request = reload(request_)
    assert request.status == SignatureStatus.SIGNED and request.signed_on == signed
    agreement = CooperationAgreement.objects.get(
        phase=request.phase, organisation=request.organisation
    )
    assert request.agreement == agreement
    assert (agreement.signed_on, agreement.decision_body, agreement.decision_reference) == (
        signed,
        "Rat",
        "DS 27-00153",
    )
    assert AuditEntry.objects.filter(action="renewal.signature_signed").count() == 1
    assert AuditEntry.objects.filter(action="agreement.create").count() == 1


def test_the_whole_date_chain_in_the_past(cycle: Cycle, request_: SignatureRequest) -> None:
    """asked (−20) ≤ decision of the council (−10) ≤ signed (−5) ≤ today."""
    services.signature_mark_pending(
        actor=cycle.office, request=request_, decision_body="Rat", decision_date=today() - days(10)
    )
    services.signature_sign(actor=cycle.office, request=request_, signed_on=today() - days(5))
    request = reload(request_)
    assert request.decision_date == today() - days(10)
    assert request.agreement.decision_date == today() - days(10)  # type: ignore[union-attr]


def test_not_signed_before_the_request(cycle: Cycle, request_: SignatureRequest) -> None:
    asked = request_.asked_on
    with pytest.raises(DomainError, match="erst nach der Anfrage"):
        services.signature_sign(actor=cycle.office, request=request_, signed_on=asked - days(1))
    assert reload(request_).status == SignatureStatus.ASKED
    assert not CooperationAgreement.objects.filter(phase=request_.phase).exists()
    services.signature_sign(actor=cycle.office, request=request_, signed_on=asked)
    assert reload(request_).status == SignatureStatus.SIGNED


def test_not_signed_in_the_future(cycle: Cycle, request_: SignatureRequest) -> None:
    with pytest.raises(DomainError, match="Datum der Unterschrift darf nicht in der Zukunft"):
        services.signature_sign(actor=cycle.office, request=request_, signed_on=today() + days(1))
    assert reload(request_).status == SignatureStatus.ASKED
    services.signature_sign(actor=cycle.office, request=request_, signed_on=today())
    assert reload(request_).signed_on == today()


def test_the_body_decided_before_the_signature(cycle: Cycle, request_: SignatureRequest) -> None:
    services.signature_mark_pending(
        actor=cycle.office, request=request_, decision_body="Rat", decision_date=today()
    )
    with pytest.raises(DomainError, match="vor oder am Tag der Unterzeichnung"):
        services.signature_sign(actor=cycle.office, request=request_, signed_on=today() - days(1))
    assert reload(request_).status == SignatureStatus.PENDING
    # The planned date is corrected with the signature.
    services.signature_sign(
        actor=cycle.office,
        request=request_,
        signed_on=today() - days(1),
        decision_date=today() - days(3),
    )
    assert reload(request_).decision_date == today() - days(3)


def test_the_body_decided_not_before_the_request_either(
    cycle: Cycle, request_: SignatureRequest
) -> None:
    with pytest.raises(DomainError, match="Beschluss kann nicht vor der Anfrage"):
        services.signature_sign(
            actor=cycle.office,
            request=request_,
            signed_on=today(),
            decision_date=request_.asked_on - days(1),
        )
    assert reload(request_).status == SignatureStatus.ASKED


def test_a_partner_uploads_the_signed_agreement(
    cycle: Cycle, request_: SignatureRequest, contact
) -> None:
    with pytest.raises(DomainError, match="unterzeichnete Vereinbarung hochladen"):
        services.signature_sign(actor=contact, request=request_, signed_on=today())
    services.signature_sign(
        actor=contact, request=request_, signed_on=today(), document=pdf_upload("kv.pdf")
    )
    request = reload(request_)
    assert request.document.name.endswith(".pdf")
    assert request.agreement.document  # type: ignore[union-attr]


def test_the_upload_must_be_a_document(cycle: Cycle, request_: SignatureRequest, contact) -> None:
    script = SimpleUploadedFile("kv.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    with pytest.raises(ValidationError, match="kein erlaubtes Dokument"):
        services.signature_sign(actor=contact, request=request_, signed_on=today(), document=script)
    assert reload(request_).status == SignatureStatus.ASKED


def test_an_answer_is_given_once(cycle: Cycle, request_: SignatureRequest) -> None:
    services.signature_sign(actor=cycle.office, request=request_, signed_on=today())
    with pytest.raises(TransitionNotAllowed, match="bereits beantwortet"):
        services.signature_sign(actor=cycle.office, request=request_, signed_on=today())
    with pytest.raises(TransitionNotAllowed, match="bereits beantwortet"):
        services.signature_decline(actor=cycle.office, request=request_, declined_on=today())
    with pytest.raises(TransitionNotAllowed, match="bereits beantwortet"):
        services.signature_mark_pending(actor=cycle.office, request=request_, decision_body="Rat")
    assert CooperationAgreement.objects.filter(phase=request_.phase).count() == 1


def test_no_answer_for_a_refused_phase(cycle: Cycle) -> None:
    phase = cycle.ready()
    [late] = cycle.ask(phase, [cycle.structure.unsigned])
    speaker_for = UserFactory(username="cremlingen")
    MembershipFactory(
        user=speaker_for,
        alliance=cycle.alliance,
        role=Role.APPLICANT,
        organisation=cycle.structure.unsigned,
    )
    assert selectors.open_requests_of_user(speaker_for.pk, cycle.alliance.pk) == [late]
    services.application_submit(actor=cycle.office, phase=phase)
    cycle.decide(phase, "refused")
    for answer in (
        lambda: services.signature_sign(actor=cycle.office, request=late, signed_on=today()),
        lambda: services.signature_decline(actor=cycle.office, request=late, declined_on=today()),
        lambda: services.signature_mark_pending(
            actor=cycle.office, request=late, decision_body="R"
        ),
    ):
        with pytest.raises(TransitionNotAllowed, match="abgelehnt"):
            answer()
    assert reload(late).status == SignatureStatus.ASKED
    # … and neither the partner's own page nor their desk offers it any more.
    ids = frozenset({cycle.structure.unsigned.pk})
    assert not selectors.open_requests_for(ids).exists()
    assert selectors.open_requests_of_user(speaker_for.pk, cycle.alliance.pk) == []


# --- Declining ----------------------------------------------------------------------------------


def test_declining_keeps_the_reason(cycle: Cycle, request_: SignatureRequest) -> None:
    services.signature_decline(
        actor=cycle.office, request=request_, declined_on=today(), note="Kein Haushalt"
    )
    request = reload(request_)
    assert (request.status, request.declined_on, request.note) == (
        SignatureStatus.DECLINED,
        today(),
        "Kein Haushalt",
    )
    assert not CooperationAgreement.objects.filter(phase=request.phase).exists()
    assert AuditEntry.objects.get(action="renewal.signature_declined").comment == "Kein Haushalt"


def test_declined_between_the_request_and_today(cycle: Cycle, request_: SignatureRequest) -> None:
    with pytest.raises(DomainError, match="Absage kann nicht vor der Anfrage"):
        services.signature_decline(
            actor=cycle.office, request=request_, declined_on=request_.asked_on - days(1)
        )
    with pytest.raises(DomainError, match="Datum der Absage darf nicht in der Zukunft"):
        services.signature_decline(
            actor=cycle.office, request=request_, declined_on=today() + days(1)
        )
    assert reload(request_).status == SignatureStatus.ASKED
    services.signature_decline(actor=cycle.office, request=request_, declined_on=request_.asked_on)
    assert reload(request_).status == SignatureStatus.DECLINED


# --- Who answers for an organisation ------------------------------------------------------------


def test_a_partner_answers_for_its_own_organisation_only(
    cycle: Cycle, phase: FundingPhase, contact, person_contact
) -> None:
    union, city = cycle.ask(phase, [cycle.org(CITY), cycle.org("DGB Region SüdOstNiedersachsen")])
    assert city.organisation.name == CITY
    assert permissions.can_answer_request(contact, city)
    assert not permissions.can_answer_request(contact, union)
    assert permissions.can_answer_request(person_contact, union)
    assert not permissions.can_answer_request(person_contact, city)
    with pytest.raises(NotPermitted, match="ihre eigenen Ansprechpersonen"):
        services.signature_mark_pending(actor=contact, request=union, decision_body="Vorstand")
    with pytest.raises(NotPermitted):
        services.signature_decline(actor=person_contact, request=city, declined_on=today())
    services.signature_mark_pending(actor=person_contact, request=union, decision_body="Vorstand")
    services.signature_decline(actor=contact, request=city, declined_on=today())
    assert reload(union).status == SignatureStatus.PENDING
    assert reload(city).status == SignatureStatus.DECLINED


@pytest.mark.parametrize("persona", ["speaker", "member", "advisory", "applicant", "ministry"])
def test_the_circle_and_the_ministry_do_not_answer_for_a_partner(
    cycle: Cycle, request_: SignatureRequest, persona: str
) -> None:
    actor = cycle.personas[persona]
    with pytest.raises(NotPermitted):
        services.signature_sign(
            actor=actor,  # type: ignore[arg-type]
            request=request_,
            signed_on=today(),
            document=pdf_upload(),
        )
    assert reload(request_).status == SignatureStatus.ASKED


def test_a_contact_in_another_alliance_speaks_for_nothing_here(
    cycle: Cycle, request_: SignatureRequest, other_alliance
) -> None:
    foreign_city = OrganisationFactory(alliance=other_alliance, name=CITY)
    user = UserFactory(username="fremde-stadt")
    MembershipFactory(
        user=user, alliance=other_alliance, role=Role.STEERING, organisation=foreign_city
    )
    assert permissions.organisation_ids_of(user, cycle.alliance) == frozenset()
    assert not permissions.can_answer_request(user, request_)


def test_the_admin_answers_like_the_office(cycle: Cycle, request_: SignatureRequest) -> None:
    services.signature_sign(
        actor=cycle.personas["admin"],  # type: ignore[arg-type]
        request=request_,
        signed_on=today(),
    )
    assert reload(request_).status == SignatureStatus.SIGNED
