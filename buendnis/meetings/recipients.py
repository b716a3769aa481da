"""Who receives mail about meetings and circulations, and what the mail needs to name.

An organisation speaks through its people with the function representative or deputy and
through the accounts that hold the body's role for it; a seat may name its own person too.
Addresses are deduplicated: one person with a seat, a person record and an account gets one mail.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch

from buendnis.accounts.models import Membership, Role
from buendnis.alliances.models import Alliance, BodyKind, Person, PersonFunction
from buendnis.funding.models import ProjectDocument

from .models import AgendaItem, Circulation, Meeting
from .selectors import meeting_day, seats_on

# The account role that belongs to a seat on the body.
MEMBERSHIP_ROLE = {BodyKind.STEERING: Role.STEERING, BodyKind.SPEAKERS: Role.SPEAKER}


@dataclass(frozen=True)
class Address:
    email: str
    name: str = ""


def unique(addresses: Iterable[Address]) -> list[Address]:
    """One entry per mailbox (addresses that differ only in case are one mailbox); the first
    spelling and name win, the order is kept."""
    seen: dict[str, Address] = {}
    for address in addresses:
        email = address.email.strip()
        if email and email.lower() not in seen:
            seen[email.lower()] = Address(email, address.name)
    return list(seen.values())


def organisation_addresses(
    alliance: Alliance, organisation_ids: Iterable[int], *, role: str
) -> list[Address]:
    """The organisations' people with the function representative or deputy, and the active
    accounts holding `role` for them (two queries)."""
    ids = sorted(set(organisation_ids))
    if not ids:
        return []
    people = (
        Person.objects.filter(
            alliance=alliance,
            organisation_id__in=ids,
            function__in=(PersonFunction.REPRESENTATIVE, PersonFunction.DEPUTY),
        )
        .exclude(email="")
        .order_by("organisation__name", "function", "last_name", "id")
    )
    members = (
        Membership.objects.filter(
            alliance=alliance, role=role, organisation_id__in=ids, user__is_active=True
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("organisation__name", "user__username")
    )
    return unique(
        [Address(person.email, person.full_name) for person in people]
        + [Address(row.user.email, row.user.get_full_name()) for row in members]
    )


def invitation_addresses(meeting: Meeting) -> list[Address]:
    """Everyone invited to a meeting: for every seat on the body on the meeting's day, the
    seat's person and whoever speaks for the seat's organisation (`organisation_addresses` with
    the body's role: steering for the Steuerkreis, speaker for the Sprecherkreis)."""
    seats = list(seats_on(meeting.body, meeting_day(meeting)))
    seated = [Address(seat.person.email, seat.person.full_name) for seat in seats if seat.person]
    speaking = organisation_addresses(
        meeting.alliance,
        [seat.organisation_id for seat in seats],
        role=MEMBERSHIP_ROLE.get(BodyKind(meeting.body.kind), Role.STEERING),
    )
    return unique(seated + speaking)


def circulation_addresses(
    circulation: Circulation, organisation_ids: Iterable[int]
) -> list[Address]:
    """The organisations' representatives, deputies and steering members, and the office."""
    alliance = circulation.alliance
    addresses = organisation_addresses(alliance, organisation_ids, role=Role.STEERING)
    if alliance.office_email:
        addresses.append(Address(alliance.office_email, alliance.office_host))
    return unique(addresses)


def circulation_silent_ids(circulation: Circulation) -> list[int]:
    """Entitled organisations that have not answered and are not recused: whom to remind."""
    answered = set(circulation.answers.values_list("organisation_id", flat=True))
    recused = {entry["id"] for entry in circulation.recused}
    return [pk for pk in sorted(circulation.entitled_ids) if pk not in answered | recused]


def meeting_for_mail(meeting_id: int) -> Meeting:
    """The meeting with everything its invitation names: alliance, body, the agenda with its
    papers and the projects' documents (newest version first)."""
    documents = ProjectDocument.objects.order_by("kind", "-version")
    items = (
        AgendaItem.objects.select_related("project__applicant_organisation")
        .prefetch_related("documents", Prefetch("project__documents", queryset=documents))
        .order_by("position", "id")
    )
    return (
        Meeting.objects.select_related("alliance", "body")
        .prefetch_related(Prefetch("items", queryset=items))
        .get(pk=meeting_id)
    )
