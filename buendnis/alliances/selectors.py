"""Reads of the alliance's structure. Every list fetches its relations up front, so the number of
queries does not grow with the number of organisations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from buendnis.accounts import permissions
from buendnis.accounts.models import Membership

from .models import (
    ActionField,
    Alliance,
    Body,
    BodyKind,
    CooperationAgreement,
    FundingPhase,
    Organisation,
    OrganisationGroup,
    Person,
    RecognitionStatus,
    Seat,
    SeatRole,
    Topic,
)


def today() -> date:
    return timezone.localdate()


def alliance_list() -> QuerySet[Alliance]:
    return Alliance.objects.filter(is_active=True).order_by("name")


def phase_on(alliance_id: int, day: date) -> FundingPhase | None:
    return FundingPhase.objects.filter(
        alliance_id=alliance_id, starts_on__lte=day, ends_on__gte=day
    ).first()


def current_phase(alliance: Alliance, *, on: date | None = None) -> FundingPhase | None:
    """The recognised phase running today; between phases the latest one that began, else the
    next one. A phase still in preparation or with the ministry is never current: it takes no
    projects yet."""
    day = on or today()
    phases = FundingPhase.objects.filter(
        alliance=alliance, recognition_status=RecognitionStatus.RECOGNISED
    )
    return (
        phases.filter(starts_on__lte=day, ends_on__gte=day).first()
        or phases.filter(starts_on__lte=day).order_by("-starts_on").first()
        or phases.order_by("starts_on").first()
    )


def phases_open_for_projects(alliance: Alliance, *, on: date | None = None) -> list[FundingPhase]:
    """Recognised phases in which a new project can still run: the current one and any
    recognised phase ahead (the next one, once the ministry has recognised it)."""
    day = on or today()
    return [
        phase
        for phase in FundingPhase.objects.filter(
            alliance=alliance, recognition_status=RecognitionStatus.RECOGNISED
        ).order_by("starts_on")
        if (phase.project_end_cutoff or phase.ends_on) >= day
    ]


def _phases_of(alliance: Alliance, *, with_unrecognised: bool) -> QuerySet[FundingPhase]:
    phases = FundingPhase.objects.filter(alliance=alliance)
    if not with_unrecognised:
        phases = phases.filter(recognition_status=RecognitionStatus.RECOGNISED)
    return phases


def phase_list(alliance: Alliance, *, with_unrecognised: bool = False) -> QuerySet[FundingPhase]:
    """The phases of the alliance, oldest first; those not (yet) recognised only on request
    (the internal circle and the ministry see them, the public does not)."""
    phases = _phases_of(alliance, with_unrecognised=with_unrecognised)
    return phases.annotate(partner_count=Count("agreements")).order_by("starts_on")


def organisation_list(
    alliance: Alliance, *, phase: FundingPhase | None = None
) -> QuerySet[Organisation]:
    """Organisations with their group and `is_partner` for the given phase (False without phase)."""
    organisations = Organisation.objects.filter(alliance=alliance).select_related("group")
    if phase is None:
        return organisations.annotate(is_partner=Q(pk__in=[])).order_by("group__position", "name")
    signed = CooperationAgreement.objects.filter(phase=phase, organisation=OuterRef("pk"))
    return organisations.annotate(is_partner=Exists(signed)).order_by(
        "group__position", "group__name", "name"
    )


@dataclass
class GroupWithOrganisations:
    group: OrganisationGroup
    organisations: list[Organisation] = field(default_factory=list)


def partners_by_group(
    alliance: Alliance, phase: FundingPhase | None
) -> list[GroupWithOrganisations]:
    """The partners of the phase, grouped in the alliance's order of groups."""
    grouped: dict[int, GroupWithOrganisations] = {}
    for organisation in organisation_list(alliance, phase=phase):
        if not organisation.is_partner:  # type: ignore[attr-defined]
            continue
        entry = grouped.setdefault(
            organisation.group_id, GroupWithOrganisations(group=organisation.group)
        )
        entry.organisations.append(organisation)
    return list(grouped.values())


def seats_active_on(day: date | None = None) -> QuerySet[Seat]:
    """Seats whose term covers the day, with organisation, group and person fetched."""
    day = day or today()
    return (
        Seat.objects.filter(starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .select_related("organisation__group", "person")
        .order_by("role", "organisation__group__position", "organisation__name")
    )


def active_seats(body_ids: list[int], *, on: date | None = None) -> QuerySet[Seat]:
    return seats_active_on(on).filter(body_id__in=body_ids)


def body_of_kind(alliance: Alliance, kind: str) -> Body | None:
    return Body.objects.filter(alliance=alliance, kind=kind).first()


def body_list(alliance: Alliance, *, on: date | None = None) -> list[Body]:
    """Bodies with `current_seats` (seats active on the day), in two queries."""
    seat_filter = Prefetch("seats", queryset=seats_active_on(on), to_attr="current_seats")
    order = {BodyKind.STEERING: 0, BodyKind.SPEAKERS: 1, BodyKind.OFFICE: 2}
    bodies = list(Body.objects.filter(alliance=alliance).prefetch_related(seat_filter))
    return sorted(bodies, key=lambda body: order.get(BodyKind(body.kind), 9))


def speakers_circle_problems(body: Body, *, on: date | None = None) -> list[str]:
    """What is missing or doubled in the Sprecherkreis on the day, in German; empty when complete."""
    seats = list(active_seats([body.pk], on=on))
    problems: list[str] = []
    speakers = [seat for seat in seats if seat.role == SeatRole.SPEAKER]
    if not speakers:
        problems.append(_("Es fehlt der/die Sprecher/in des Bündnisses."))
    elif len(speakers) > 1:
        names = ", ".join(str(seat.organisation) for seat in speakers)
        problems.append(_("Mehr als ein/e Sprecher/in: %(names)s.") % {"names": names})
    deputies = [seat for seat in seats if seat.role == SeatRole.DEPUTY_SPEAKER]
    sending_groups = OrganisationGroup.objects.filter(
        alliance_id=body.alliance_id, sends_deputy_speaker=True
    )
    for group in sending_groups:
        from_group = [seat for seat in deputies if seat.organisation.group_id == group.pk]
        if not from_group:
            problems.append(
                _("Es fehlt der/die stellvertretende Sprecher/in der Gruppe %(group)s.")
                % {"group": group.name}
            )
        elif len(from_group) > 1:
            names = ", ".join(str(seat.organisation) for seat in from_group)
            problems.append(
                _(
                    "Die Gruppe %(group)s hat mehr als eine/n stellvertretende/n Sprecher/in: %(names)s."
                )
                % {"group": group.name, "names": names}
            )
    sending_ids = {group.pk for group in sending_groups}
    problems.extend(
        _(
            "%(org)s ist stellvertretende/r Sprecher/in, doch die Gruppe %(group)s entsendet niemanden."
        )
        % {"org": seat.organisation, "group": seat.organisation.group.name}
        for seat in deputies
        if seat.organisation.group_id not in sending_ids
    )
    return problems


def steering_problems(body: Body, *, on: date | None = None) -> list[str]:
    """Voting members of the Steuerkreis that have not signed for the phase running on the day."""
    day = on or today()
    # Between phases the latest phase still defines who the partners are.
    phase = phase_on(body.alliance_id, day) or current_phase(body.alliance, on=day)
    if phase is None:
        return []
    signed = set(
        CooperationAgreement.objects.filter(phase=phase).values_list("organisation_id", flat=True)
    )
    return [
        _("%(org)s hat einen stimmberechtigten Sitz, aber für %(phase)s nicht unterzeichnet.")
        % {"org": seat.organisation, "phase": phase.name}
        for seat in active_seats([body.pk], on=day)
        if seat.can_vote and seat.organisation_id not in signed
    ]


def action_fields_of(phase: FundingPhase) -> list[ActionField]:
    """Fields of action with their topics (top level first, each with its `subtopics`), 2 queries."""
    fields: list[ActionField] = list(
        ActionField.objects.filter(phase=phase).prefetch_related(
            Prefetch(
                "topics", queryset=Topic.objects.order_by("position", "id"), to_attr="all_topics"
            )
        )
    )
    for action_field in fields:
        children: dict[int, list[Topic]] = {}
        for topic in action_field.all_topics:  # type: ignore[attr-defined]
            if topic.parent_id is not None:
                children.setdefault(topic.parent_id, []).append(topic)
        for topic in action_field.all_topics:  # type: ignore[attr-defined]
            topic.subtopics = children.get(topic.pk, [])
        action_field.top_topics = [t for t in action_field.all_topics if t.parent_id is None]  # type: ignore[attr-defined]
    return fields


def people_with_contacts(alliance: Alliance) -> QuerySet[Person]:
    """Internal contact list: never shown to the public."""
    return (
        Person.objects.filter(alliance=alliance)
        .select_related("organisation__group")
        .order_by("organisation__name", "last_name")
    )


# --- Reads for the public transparency site and the internal area -----------------------------


def phase_pick_current(phases: list[FundingPhase], day: date) -> FundingPhase | None:
    """The same rule as `current_phase`, applied to phases already fetched (ordered by start)."""
    phases = [phase for phase in phases if phase.is_recognised]
    running = [phase for phase in phases if phase.contains(day)]
    if running:
        return running[0]
    started = [phase for phase in phases if phase.starts_on <= day]
    if started:
        return started[-1]
    return phases[0] if phases else None


def phase_overview(
    alliance: Alliance, *, on: date | None = None, with_unrecognised: bool = False
) -> tuple[list[FundingPhase], FundingPhase | None]:
    """All phases with `partner_count` and `is_current`, plus the current one: one query.

    Picking the current phase in Python keeps the count at one query whether or not a phase runs
    today (`current_phase` needs up to three)."""
    day = on or today()
    phases = list(phase_list(alliance, with_unrecognised=with_unrecognised))
    current = phase_pick_current(phases, day)
    for phase in phases:
        phase.is_current = phase is current  # type: ignore[attr-defined]
    return phases, current


@dataclass
class BodiesOverview:
    """The three bodies of an alliance with their seats on the day, split the way readers ask."""

    steering: Body | None = None
    voting: list[Seat] = field(default_factory=list)
    advisory: list[Seat] = field(default_factory=list)
    speakers: Body | None = None
    speaker_seats: list[Seat] = field(default_factory=list)
    deputy_seats: list[Seat] = field(default_factory=list)
    office: Body | None = None
    office_seats: list[Seat] = field(default_factory=list)


def bodies_overview(alliance: Alliance, *, on: date | None = None) -> BodiesOverview:
    """Steuerkreis, Sprecherkreis and Geschäftsstelle with their current seats, in two queries."""
    overview = BodiesOverview()
    for body in body_list(alliance, on=on):
        seats: list[Seat] = body.current_seats  # type: ignore[attr-defined]
        if body.kind == BodyKind.STEERING:
            overview.steering = body
            overview.voting = [seat for seat in seats if seat.role == SeatRole.MEMBER]
            overview.advisory = [seat for seat in seats if seat.role == SeatRole.ADVISORY]
        elif body.kind == BodyKind.SPEAKERS:
            overview.speakers = body
            overview.speaker_seats = [seat for seat in seats if seat.role == SeatRole.SPEAKER]
            overview.deputy_seats = [seat for seat in seats if seat.role == SeatRole.DEPUTY_SPEAKER]
        elif body.kind == BodyKind.OFFICE:
            overview.office = body
            # The lead first, then the staff.
            overview.office_seats = sorted(
                seats, key=lambda seat: (seat.role != SeatRole.OFFICE_LEAD, seat.organisation.name)
            )
    return overview


def structure_problems(alliance: Alliance, *, on: date | None = None) -> list[str]:
    """Everything `speakers_circle_problems` and `steering_problems` report for the alliance."""
    problems: list[str] = []
    for body in Body.objects.filter(alliance=alliance).order_by("kind"):
        body.alliance = alliance  # known already: spares the checks a query for it
        if body.kind == BodyKind.SPEAKERS:
            problems.extend(speakers_circle_problems(body, on=on))
        elif body.kind == BodyKind.STEERING:
            problems.extend(steering_problems(body, on=on))
    return problems


def contacts_by_organisation(alliance: Alliance) -> QuerySet[Organisation]:
    """Organisations with their group and `contact_people` (by name), in two queries. Internal."""
    people = Prefetch(
        "people",
        queryset=Person.objects.order_by("last_name", "first_name"),
        to_attr="contact_people",
    )
    return (
        Organisation.objects.filter(alliance=alliance)
        .select_related("group")
        .prefetch_related(people)
        .order_by("name")
    )


def phase_by_name(
    alliance: Alliance, name: str, *, with_unrecognised: bool = False
) -> FundingPhase | None:
    """The alliance's phase with this name (names are unique per alliance), or None; a phase not
    (yet) recognised only on request, as in `phase_list`."""
    return _phases_of(alliance, with_unrecognised=with_unrecognised).filter(name=name).first()


def phase_by_id(
    alliance: Alliance, pk: int, *, with_unrecognised: bool = False
) -> FundingPhase | None:
    """The alliance's phase with this id, or None (also for another alliance's phase); a phase
    not (yet) recognised only on request, as in `phase_list`. One query."""
    return _phases_of(alliance, with_unrecognised=with_unrecognised).filter(pk=pk).first()


# --- A person's alliances -----------------------------------------------------------------------


def roles_by_alliance(user: permissions.UserLike) -> dict[Alliance, frozenset[str]]:
    """The active alliances in which the user holds a role, with those roles, by the alliances'
    names (one query; none for an inactive or anonymous user)."""
    if not permissions.is_active_user(user):
        return {}
    found: dict[Alliance, frozenset[str]] = {}
    for membership in (
        Membership.objects.filter(user=user, alliance__is_active=True)
        .select_related("alliance")
        .order_by("alliance__name", "alliance_id")
    ):
        found[membership.alliance] = found.get(membership.alliance, frozenset()) | {membership.role}
    return found


# --- The alliance of a page ---------------------------------------------------------------------


def get_alliance_for_user(
    user: permissions.UserLike | None, slug: str, *, internal: bool = False
) -> Alliance:
    """Fetch an alliance by slug, or 404. With internal=True the user must see its internal pages;
    outsiders get a 404, not a 403, so the page does not even confirm what exists. None stands for
    a caller without a user (OParl), which gets what the public gets."""
    try:
        alliance = Alliance.objects.get(slug=slug, is_active=True)
    except Alliance.DoesNotExist as exc:
        raise Http404(_("Bündnis nicht gefunden.")) from exc
    if internal and (user is None or not permissions.can_view_internal(user, alliance)):
        raise Http404(_("Bündnis nicht gefunden."))
    return alliance
