"""Reads of the alliance's own cycle: the phase before, the strategy's text, where the partners
stand, whether the application may go out (the state's composition rules), who hears of what."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from buendnis.accounts.models import User
from buendnis.alliances import selectors as alliance_selectors
from buendnis.alliances.models import (
    Body,
    BodyKind,
    CooperationAgreement,
    FundingPhase,
    GroupKind,
    Organisation,
    RecognitionStatus,
    Seat,
    SeatRole,
    Territory,
)
from buendnis.meetings.models import Circulation, CirculationStatus, Decision, DecisionOutcome

from .models import (
    ExtensionApplication,
    RecognitionDecision,
    RecognitionOutcome,
    SignatureRequest,
    SignatureStatus,
    Strategy,
    StrategyVersion,
)


def previous_phase(phase: FundingPhase) -> FundingPhase | None:
    """The recognised phase of the alliance that began last before this one."""
    return (
        FundingPhase.objects.filter(
            alliance_id=phase.alliance_id,
            starts_on__lt=phase.starts_on,
            recognition_status=RecognitionStatus.RECOGNISED,
        )
        .order_by("-starts_on")
        .first()
    )


def latest_version(phase: FundingPhase) -> StrategyVersion | None:
    """The newest version of the phase's strategy, with the strategy (its adoption) joined; None
    while the phase has none. One query."""
    return (
        StrategyVersion.objects.filter(strategy__phase=phase)
        .select_related("strategy")
        .order_by("-number")
        .first()
    )


def strategy_of(phase: FundingPhase) -> Strategy | None:
    return (
        Strategy.objects.filter(phase=phase)
        .select_related("adopted_decision__item__meeting", "adopted_circulation")
        .first()
    )


def strategy_versions(phase: FundingPhase) -> QuerySet[StrategyVersion]:
    return (
        StrategyVersion.objects.filter(strategy__phase=phase)
        .select_related("created_by")
        .order_by("-number")
    )


def application_of(phase: FundingPhase) -> ExtensionApplication | None:
    return ExtensionApplication.objects.filter(phase=phase).select_related("submitted_by").first()


def decisions_of(phase: FundingPhase) -> QuerySet[RecognitionDecision]:
    return RecognitionDecision.objects.filter(phase=phase).order_by("-created_at", "-id")


def phases_in_preparation(alliance_id: int) -> QuerySet[FundingPhase]:
    """Phases not yet recognised (and not refused): the office's work in progress."""
    return FundingPhase.objects.filter(
        alliance_id=alliance_id,
        recognition_status__in=(
            RecognitionStatus.DRAFT,
            RecognitionStatus.APPLIED,
            RecognitionStatus.CHANGES_REQUESTED,
        ),
    ).order_by("starts_on")


def applications_waiting() -> QuerySet[FundingPhase]:
    """Every alliance's phase waiting for the ministry, oldest application first."""
    return (
        FundingPhase.objects.filter(recognition_status=RecognitionStatus.APPLIED)
        .select_related("alliance")
        .order_by("extension_applied_on", "pk")
    )


# --- Where the partners stand -------------------------------------------------------------------


@dataclass
class PartnerRow:
    """One organisation's standing for a phase: a request, or a signature without one."""

    organisation: Organisation
    status: str
    request: SignatureRequest | None = None
    agreement: CooperationAgreement | None = None

    @property
    def status_label(self) -> str:
        return str(SignatureStatus(self.status).label)

    # What the row says, from the request, or from the agreement signed without one.

    @property
    def requested(self) -> bool:
        """False for a signature recorded without a request (the history before the platform)."""
        return self.request is not None

    @property
    def reference(self) -> str:
        if self.request is not None:
            return self.request.reference
        return self.agreement.decision_reference if self.agreement is not None else ""

    @property
    def signed_on(self) -> date | None:
        if self.request is not None:
            return self.request.signed_on
        return self.agreement.signed_on if self.agreement is not None else None

    @property
    def decision_body(self) -> str:
        if self.request is not None:
            return self.request.decision_body
        return self.agreement.decision_body if self.agreement is not None else ""

    @property
    def decision_date(self) -> date | None:
        if self.request is not None:
            return self.request.decision_date
        return self.agreement.decision_date if self.agreement is not None else None

    @property
    def asked_on(self) -> date | None:
        return self.request.asked_on if self.request is not None else None

    @property
    def due_on(self) -> date | None:
        return self.request.due_on if self.request is not None else None


def partner_rows(phase: FundingPhase) -> list[PartnerRow]:
    """Every organisation asked for or signed for the phase, by name: two queries."""
    requests = list(
        SignatureRequest.objects.filter(phase=phase).select_related(
            "organisation__group", "agreement"
        )
    )
    asked = {request.organisation_id for request in requests}
    rows = [
        PartnerRow(request.organisation, request.status, request, request.agreement)
        for request in requests
    ]
    rows.extend(
        PartnerRow(agreement.organisation, SignatureStatus.SIGNED, None, agreement)
        for agreement in CooperationAgreement.objects.filter(phase=phase)
        .exclude(organisation_id__in=asked)
        .select_related("organisation__group")
    )
    return sorted(rows, key=lambda row: row.organisation.name.casefold())


def status_counts(rows: list[PartnerRow]) -> dict[str, int]:
    counts = dict.fromkeys(SignatureStatus.values, 0)
    for row in rows:
        counts[row.status] += 1
    return counts


def organisations_to_ask(phase: FundingPhase) -> QuerySet[Organisation]:
    """The alliance's organisations not yet asked and not signed for the phase; the partners of
    the phase before first (the office asks them all, and any new one)."""
    done = SignatureRequest.objects.filter(phase=phase).values("organisation_id")
    signed = CooperationAgreement.objects.filter(phase=phase).values("organisation_id")
    return (
        Organisation.objects.filter(alliance_id=phase.alliance_id)
        .exclude(pk__in=done)
        .exclude(pk__in=signed)
        .select_related("group")
        .order_by("name")
    )


def partner_ids(phase: FundingPhase | None) -> set[int]:
    """The organisations that signed for the phase (none for no phase)."""
    if phase is None:
        return set()
    return set(
        CooperationAgreement.objects.filter(phase=phase).values_list("organisation_id", flat=True)
    )


def previous_partner_ids(phase: FundingPhase) -> set[int]:
    return partner_ids(previous_phase(phase))


def open_requests_for(organisation_ids: frozenset[int]) -> QuerySet[SignatureRequest]:
    """The open requests for the organisations a user speaks for (the partner's own page); not
    those of a phase the ministry refused."""
    return (
        SignatureRequest.objects.filter(
            organisation_id__in=organisation_ids,
            status__in=(SignatureStatus.ASKED, SignatureStatus.PENDING),
        )
        .exclude(phase__recognition_status=RecognitionStatus.REFUSED)
        .select_related("phase", "organisation")
        .order_by("due_on", "pk")
    )


def contact_addresses(organisation: Organisation) -> list[str]:
    """Where a partner hears of a request: its people with an address, its own address, and the
    logins that answer for it at /<slug>/intern/vereinbarung/ (a role with the organisation, or
    a contact person's record linked to the login; `permissions.organisation_ids_of`)."""
    addresses = set(organisation.people.exclude(email="").values_list("email", flat=True))
    if organisation.email:
        addresses.add(organisation.email)
    speakers_for = User.objects.filter(is_active=True).exclude(email="")
    addresses |= set(
        speakers_for.filter(
            Q(
                memberships__organisation=organisation,
                memberships__alliance=organisation.alliance_id,
            )
            | Q(people__organisation=organisation)
        ).values_list("email", flat=True)
    )
    return sorted(addresses)


# --- The composition rules and the application --------------------------------------------------


def _signed_organisations(phase: FundingPhase) -> list[Organisation]:
    return list(
        Organisation.objects.filter(agreements__phase=phase).select_related("group").distinct()
    )


def _composition_problems(members: list[Organisation]) -> list[str]:
    kinds = {member.group.kind for member in members}
    territories = [member.territory for member in members]
    districts = territories.count(Territory.DISTRICT)
    cities = territories.count(Territory.INDEPENDENT_CITY)
    problems: list[str] = []
    if not districts and not cities:
        problems.append(_("Unter den Partnern fehlt ein Landkreis oder eine kreisfreie Stadt."))
    required = [
        (GroupKind.CHAMBERS, _("Unter den Partnern fehlt eine Kammer.")),
        (
            GroupKind.EMPLOYER_ASSOCIATIONS,
            _("Unter den Partnern fehlt ein Arbeitgeberverband."),
        ),
        (GroupKind.UNIONS, _("Unter den Partnern fehlt eine Gewerkschaft.")),
        (
            GroupKind.EMPLOYMENT_AGENCIES,
            _("Unter den Partnern fehlt die Agentur für Arbeit oder ein Jobcenter."),
        ),
    ]
    problems.extend(message for kind, message in required if kind not in kinds)
    if not (districts >= 2 or (districts >= 1 and cities >= 1)):
        problems.append(
            _(
                "Das Gebiet muss mindestens zwei Landkreise oder einen Landkreis und eine "
                "kreisfreie Stadt umfassen (unterzeichnet haben %(districts)s Landkreis(e) und "
                "%(cities)s kreisfreie Stadt/Städte)."
            )
            % {"districts": districts, "cities": cities}
        )
    return problems


def _speakers_problems(phase: FundingPhase, signed: set[int]) -> list[str]:
    body = alliance_selectors.body_of_kind(phase.alliance, BodyKind.SPEAKERS)
    if body is None:
        return [_("Das Bündnis hat keinen Sprecherkreis.")]
    problems = alliance_selectors.speakers_circle_problems(body, on=phase.starts_on)
    problems.extend(
        _("%(org)s sitzt im Sprecherkreis, hat für %(phase)s aber nicht unterzeichnet.")
        % {"org": seat.organisation.name, "phase": phase.name}
        for seat in alliance_selectors.active_seats([body.pk], on=phase.starts_on)
        if seat.organisation_id not in signed
    )
    return problems


def _strategy_problems(strategy: Strategy | None, version: StrategyVersion | None) -> list[str]:
    problems: list[str] = []
    if strategy is None or not strategy.is_adopted:
        problems.append(
            _("Der Steuerkreis hat die Handlungsfelder der Strategie noch nicht beschlossen.")
        )
    if version is None or not (version.analysis and version.fields_intro):
        problems.append(
            _("Die Strategie braucht mindestens die Analyse der Region und die Handlungsfelder.")
        )
    return problems


@dataclass
class Readiness:
    """What still keeps the application from going out, by kind, in German."""

    composition: list[str]
    speakers: list[str]
    strategy: list[str]

    @property
    def problems(self) -> list[str]:
        return [*self.composition, *self.speakers, *self.strategy]


def readiness(
    phase: FundingPhase, *, strategy: Strategy | None, version: StrategyVersion | None
) -> Readiness:
    """The three checks at once, with the strategy and its latest version the caller has read
    already (the phase page): the signed partners are read once for both that need them."""
    members = _signed_organisations(phase)
    return Readiness(
        composition=_composition_problems(members),
        speakers=_speakers_problems(phase, {member.pk for member in members}),
        strategy=_strategy_problems(strategy, version),
    )


def composition_problems(phase: FundingPhase) -> list[str]:
    """The state's rules for who must be among the members (the partners that signed for the
    phase), in German; empty when they hold.

    Among the members: districts and/or independent cities, chambers, employers' organisations,
    unions, the employment agency and/or a Jobcenter. The territory covers at least two
    districts, or one district and one independent city."""
    return _composition_problems(_signed_organisations(phase))


def speakers_problems(phase: FundingPhase) -> list[str]:
    """The Sprecherkreis on the phase's first day against its rule (speaker + one deputy from
    each sending group), and every member of it must have signed for the phase."""
    return _speakers_problems(phase, {member.pk for member in _signed_organisations(phase)})


def strategy_problems(phase: FundingPhase) -> list[str]:
    """The Steuerkreis adopted the fields of action; the text has its analysis and fields."""
    return _strategy_problems(Strategy.objects.filter(phase=phase).first(), latest_version(phase))


def application_problems(phase: FundingPhase) -> list[str]:
    """Everything that keeps the application from going out, in German; empty when ready."""
    return readiness(
        phase, strategy=Strategy.objects.filter(phase=phase).first(), version=latest_version(phase)
    ).problems


@dataclass
class SeatPlan:
    """How the Steuerkreis changes with the phase: who joins, whose vote ends."""

    to_add: list[Organisation] = field(default_factory=list)
    to_end: list[Seat] = field(default_factory=list)


def seat_plan(phase: FundingPhase, steering: Body) -> SeatPlan:
    signed = _signed_organisations(phase)
    signed_ids = {organisation.pk for organisation in signed}
    on_start = list(
        alliance_selectors.active_seats([steering.pk], on=phase.starts_on).select_related(
            "organisation"
        )
    )
    seated = {seat.organisation_id for seat in on_start}
    day_before = phase.starts_on - timedelta(days=1)
    return SeatPlan(
        to_add=sorted(
            (organisation for organisation in signed if organisation.pk not in seated),
            key=lambda organisation: organisation.name,
        ),
        to_end=[
            seat
            for seat in on_start
            if seat.role == SeatRole.MEMBER
            and seat.organisation_id not in signed_ids
            and seat.starts_on <= day_before
        ],
    )


ADOPTABLE_LIMIT = 30


def adoptable_decisions(phase: FundingPhase) -> list[Decision]:
    """The Steuerkreis' agreed decisions on items without a project, newest first (bounded)."""
    return list(
        Decision.objects.filter(
            alliance_id=phase.alliance_id,
            outcome=DecisionOutcome.AGREED,
            item__project__isnull=True,
            item__meeting__body__kind=BodyKind.STEERING,
        )
        .select_related("item__meeting")
        .order_by("-decided_at")[:ADOPTABLE_LIMIT]
    )


def adoptable_circulations(phase: FundingPhase) -> list[Circulation]:
    return list(
        Circulation.objects.filter(
            alliance_id=phase.alliance_id,
            status=CirculationStatus.PASSED,
            project__isnull=True,
            body__kind=BodyKind.STEERING,
        ).order_by("-closed_at")[:ADOPTABLE_LIMIT]
    )


def renewal_desk(alliance_id: int) -> list[FundingPhase]:
    """The phases in preparation with their partners' counts per status (one query): the
    office's desk card."""
    return list(
        phases_in_preparation(alliance_id).annotate(
            signed_count=Count(
                "signature_requests",
                filter=Q(signature_requests__status=SignatureStatus.SIGNED),
            ),
            pending_count=Count(
                "signature_requests",
                filter=Q(signature_requests__status=SignatureStatus.PENDING),
            ),
            asked_count=Count(
                "signature_requests",
                filter=Q(signature_requests__status=SignatureStatus.ASKED),
            ),
            declined_count=Count(
                "signature_requests",
                filter=Q(signature_requests__status=SignatureStatus.DECLINED),
            ),
        )
    )


def open_requests_of_user(user_id: int, alliance_id: int) -> list[SignatureRequest]:
    """The open requests of the organisations a person speaks for (a role with the organisation
    or a contact person's record with the login), one query: their desk card."""
    speaks_for = Q(organisation__memberships__user_id=user_id) | Q(
        organisation__people__user_id=user_id
    )
    return list(
        SignatureRequest.objects.filter(
            speaks_for,
            alliance_id=alliance_id,
            status__in=(SignatureStatus.ASKED, SignatureStatus.PENDING),
        )
        .exclude(phase__recognition_status=RecognitionStatus.REFUSED)
        .select_related("phase", "organisation")
        .distinct()
        .order_by("due_on", "pk")[:10]
    )


# --- The ministry's recognition ---------------------------------------------------------------


def recognition_authorities(phase_ids: list[int]) -> dict[int, str]:
    """Who recognised each phase: the authority named in its latest decision that recognised it
    (the responsible ministry changes over the years). Phases without such a decision are left
    out. One query, whatever the number of phases and decisions."""
    rows = (
        RecognitionDecision.objects.filter(
            phase_id__in=phase_ids, outcome=RecognitionOutcome.RECOGNISED
        )
        .order_by("created_at", "id")
        .values_list("phase_id", "authority")
    )
    # In the order they were recorded: a later decision replaces an earlier one.
    return dict(rows)


# --- The partners' signatures, a page at a time (the API) --------------------------------------


def signature_organisation_list(phase: FundingPhase) -> QuerySet[Organisation]:
    """The organisations asked to sign the phase's cooperation agreement or that signed it, by
    name, with their group joined and, as `phase_requests` and `phase_agreements`, their request
    and agreement for this phase: `partner_rows` for a list paged in the database. A page of it
    costs the page and one query for each of the two, whatever the number of partners;
    `partner_row` reads them."""
    requests = SignatureRequest.objects.filter(phase=phase)
    agreements = CooperationAgreement.objects.filter(phase=phase)
    asked = Exists(requests.filter(organisation=OuterRef("pk")))
    signed = Exists(agreements.filter(organisation=OuterRef("pk")))
    return (
        Organisation.objects.filter(asked | signed, alliance_id=phase.alliance_id)
        .select_related("group")
        .prefetch_related(
            Prefetch("signature_requests", queryset=requests, to_attr="phase_requests"),
            Prefetch("agreements", queryset=agreements, to_attr="phase_agreements"),
        )
        .order_by("name", "id")
    )


def partner_row(organisation: Organisation) -> PartnerRow:
    """The row of an organisation of `signature_organisation_list`, by the rule of
    `partner_rows`: its request when there is one, else the agreement it signed without one."""
    requests: list[SignatureRequest] = organisation.phase_requests  # type: ignore[attr-defined]
    agreements: list[CooperationAgreement] = organisation.phase_agreements  # type: ignore[attr-defined]
    agreement = agreements[0] if agreements else None
    if requests:
        return PartnerRow(organisation, requests[0].status, requests[0], agreement)
    return PartnerRow(organisation, SignatureStatus.SIGNED, None, agreement)
