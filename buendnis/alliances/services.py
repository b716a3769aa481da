"""Writes to the alliance's structure. Every rule of DOMAIN.md about partners, phases and bodies
lives here; views, admin, API and commands all come through these functions.

Each service validates (German messages), saves and writes its audit row in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import formats
from django.utils.translation import gettext as _

from buendnis.accounts.models import User

# Roles of users live with the accounts now; re-exported for callers that still import them here.
from buendnis.accounts.services import membership_grant as membership_grant
from buendnis.accounts.services import membership_save as membership_save
from buendnis.accounts.services import membership_validate as membership_validate
from buendnis.core import audit
from buendnis.core.audit import audit_record, diff, snapshot
from buendnis.core.errors import DomainError

from .models import (
    RESERVED_SLUGS,
    ROLES_BY_BODY,
    VOTING_ROLES,
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
from .selectors import phase_on

M = TypeVar("M", bound=models.Model)


def _d(day: date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _save[M: models.Model](
    *,
    actor: User | None,
    instance: M,
    validate: Callable[[M], None] | None = None,
    lock: models.Model | None = None,
    action: str,
) -> M:
    """Validate, save and audit one record atomically.

    `lock` is the parent row whose rules span several children (the body for its seats, the
    alliance for its phases): locking it serialises concurrent writers so two of them cannot both
    pass a rule that only one may pass.
    """
    with transaction.atomic():
        if lock is not None:
            type(lock)._default_manager.select_for_update(no_key=True).get(pk=lock.pk)
        creating = instance._state.adding
        before: dict[str, Any] = {}
        if not creating:
            stored = type(instance)._default_manager.get(pk=instance.pk)
            before = snapshot(stored)
        instance.full_clean()
        if validate is not None:
            validate(instance)
        instance.save()
        verb = "create" if creating else "update"
        audit_record(
            actor=actor,
            action=f"{action}.{verb}",
            instance=instance,
            alliance=instance if isinstance(instance, Alliance) else None,
            changes=diff(before, snapshot(instance)),
        )
    return instance


def _same_alliance(alliance_id: int, *records: models.Model | None) -> None:
    for record in records:
        if record is not None and getattr(record, "alliance_id", alliance_id) != alliance_id:
            raise DomainError(
                _("„%(record)s“ gehört zu einem anderen Bündnis.") % {"record": record}
            )


# --- Alliance -----------------------------------------------------------------------------------


def alliance_validate(alliance: Alliance) -> None:
    if alliance.slug in RESERVED_SLUGS:
        raise DomainError(
            {
                "slug": _("Der Kurzname „%(slug)s“ ist für die Plattform reserviert.")
                % {"slug": alliance.slug}
            }
        )


def alliance_save(*, actor: User | None, instance: Alliance) -> Alliance:
    return _save(actor=actor, instance=instance, validate=alliance_validate, action="alliance")


def alliance_create(*, actor: User | None, slug: str, name: str, **fields: Any) -> Alliance:
    return alliance_save(actor=actor, instance=Alliance(slug=slug, name=name, **fields))


# --- Groups, organisations, people --------------------------------------------------------------


def group_save(*, actor: User | None, instance: OrganisationGroup) -> OrganisationGroup:
    return _save(actor=actor, instance=instance, action="group")


def group_create(
    *, actor: User | None, alliance: Alliance, name: str, **fields: Any
) -> OrganisationGroup:
    return group_save(
        actor=actor, instance=OrganisationGroup(alliance=alliance, name=name, **fields)
    )


def organisation_validate(organisation: Organisation) -> None:
    _same_alliance(organisation.alliance_id, organisation.group)


def organisation_save(*, actor: User | None, instance: Organisation) -> Organisation:
    return _save(
        actor=actor, instance=instance, validate=organisation_validate, action="organisation"
    )


def organisation_create(
    *, actor: User | None, alliance: Alliance, name: str, group: OrganisationGroup, **fields: Any
) -> Organisation:
    return organisation_save(
        actor=actor, instance=Organisation(alliance=alliance, name=name, group=group, **fields)
    )


def person_validate(person: Person) -> None:
    _same_alliance(person.alliance_id, person.organisation)


def person_save(*, actor: User | None, instance: Person) -> Person:
    return _save(actor=actor, instance=instance, validate=person_validate, action="person")


def person_create(
    *,
    actor: User | None,
    organisation: Organisation,
    first_name: str,
    last_name: str,
    **fields: Any,
) -> Person:
    return person_save(
        actor=actor,
        instance=Person(
            alliance_id=organisation.alliance_id,
            organisation=organisation,
            first_name=first_name,
            last_name=last_name,
            **fields,
        ),
    )


# --- Funding phases and agreements --------------------------------------------------------------


def _budget_changed_after_bookings(phase: FundingPhase) -> bool:
    stored = (
        FundingPhase.objects.filter(pk=phase.pk).values_list("virtual_budget", flat=True).first()
    )
    return (
        stored is not None
        and stored != phase.virtual_budget
        # The ledger's rows point here (budget builds on alliances, so no import of its model).
        and phase.ledger_entries.exists()
    )


def phase_validate(phase: FundingPhase) -> None:
    """Phases of one alliance follow each other; two phases never cover the same day."""
    errors: dict[str, str] = {}
    if phase.starts_on and phase.ends_on and phase.ends_on <= phase.starts_on:
        errors["ends_on"] = _("Das Ende der Förderphase muss nach ihrem Beginn liegen.")
    if phase.project_end_cutoff and phase.ends_on and phase.project_end_cutoff < phase.ends_on:
        errors["project_end_cutoff"] = _(
            "Das späteste Projektende darf nicht vor dem Ende der Phase liegen."
        )
    if phase.pk is not None and _budget_changed_after_bookings(phase):
        errors["virtual_budget"] = _(
            "Auf diese Förderphase ist schon gebucht: Änderungen des Budgets laufen über "
            "„Budgetänderung buchen“, damit das Budget nie überzogen wird."
        )
    if errors:
        raise DomainError(errors)
    overlapping = (
        FundingPhase.objects.filter(alliance_id=phase.alliance_id)
        .exclude(pk=phase.pk)
        .filter(starts_on__lte=phase.ends_on, ends_on__gte=phase.starts_on)
        .first()
    )
    if overlapping is not None:
        raise DomainError(
            _("Die Förderphase überschneidet sich mit „%(other)s“ (%(start)s–%(end)s).")
            % {
                "other": overlapping.name,
                "start": _d(overlapping.starts_on),
                "end": _d(overlapping.ends_on),
            }
        )


def phase_save(*, actor: User | None, instance: FundingPhase) -> FundingPhase:
    return _save(
        actor=actor,
        instance=instance,
        validate=phase_validate,
        lock=instance.alliance,
        action="phase",
    )


def phase_create(
    *,
    actor: User | None,
    alliance: Alliance,
    name: str,
    starts_on: date,
    ends_on: date,
    virtual_budget: Decimal,
    funding_rate: Decimal,
    **fields: Any,
) -> FundingPhase:
    return phase_save(
        actor=actor,
        instance=FundingPhase(
            alliance=alliance,
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            virtual_budget=virtual_budget,
            funding_rate=funding_rate,
            **fields,
        ),
    )


def agreement_validate(agreement: CooperationAgreement) -> None:
    _same_alliance(agreement.alliance_id, agreement.phase, agreement.organisation)
    if (
        agreement.decision_date
        and agreement.signed_on
        and agreement.decision_date > agreement.signed_on
    ):
        raise DomainError(
            {
                "decision_date": _(
                    "Der Beschluss muss vor oder am Tag der Unterzeichnung gefasst sein."
                )
            }
        )


def agreement_save(*, actor: User | None, instance: CooperationAgreement) -> CooperationAgreement:
    return _save(actor=actor, instance=instance, validate=agreement_validate, action="agreement")


def agreement_sign(
    *,
    actor: User | None,
    phase: FundingPhase,
    organisation: Organisation,
    signed_on: date,
    **fields: Any,
) -> CooperationAgreement:
    """The organisation signed the Kooperationsvereinbarung for the phase: it is a partner now."""
    return agreement_save(
        actor=actor,
        instance=CooperationAgreement(
            alliance_id=phase.alliance_id,
            phase=phase,
            organisation=organisation,
            signed_on=signed_on,
            **fields,
        ),
    )


# --- Bodies and seats ---------------------------------------------------------------------------


def body_save(*, actor: User | None, instance: Body) -> Body:
    return _save(actor=actor, instance=instance, action="body")


def body_create(
    *, actor: User | None, alliance: Alliance, kind: str, name: str, **fields: Any
) -> Body:
    return body_save(actor=actor, instance=Body(alliance=alliance, kind=kind, name=name, **fields))


def _overlapping(
    seats: models.QuerySet[Seat], starts_on: date, ends_on: date | None
) -> models.QuerySet[Seat]:
    """Seats whose term shares at least one day with [starts_on, ends_on] (None: open-ended)."""
    seats = seats.filter(models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=starts_on))
    if ends_on is not None:
        seats = seats.filter(starts_on__lte=ends_on)
    return seats


def seat_validate(seat: Seat) -> None:
    """The seat rules of DOMAIN.md. Precondition: the caller holds the body's lock."""
    body = seat.body
    _same_alliance(body.alliance_id, seat.organisation, seat.person)
    if seat.alliance_id != body.alliance_id:
        raise DomainError(_("Sitz und Gremium gehören zu verschiedenen Bündnissen."))
    if seat.person is not None and seat.person.organisation_id != seat.organisation_id:
        raise DomainError(
            {"person": _("Die Person vertritt nicht „%(org)s“.") % {"org": seat.organisation}}
        )
    if seat.role not in ROLES_BY_BODY[body.kind]:
        raise DomainError(
            {
                "role": _("Die Rolle „%(role)s“ gibt es im %(body)s nicht.")
                % {"role": SeatRole(seat.role).label, "body": body.name}
            }
        )
    others = _overlapping(
        Seat.objects.filter(body=body).exclude(pk=seat.pk), seat.starts_on, seat.ends_on
    )

    if seat.role in VOTING_ROLES:
        phase = phase_on(body.alliance_id, seat.starts_on)
        if phase is None:
            raise DomainError(
                {
                    "starts_on": _(
                        "Am %(day)s läuft keine Förderphase; ein stimmberechtigter Sitz braucht eine."
                    )
                    % {"day": _d(seat.starts_on)}
                }
            )
        if not CooperationAgreement.objects.filter(
            phase=phase, organisation=seat.organisation
        ).exists():
            raise DomainError(
                {
                    "organisation": _(
                        "„%(org)s“ ist in der Förderphase %(phase)s kein Kooperationspartner (keine unterzeichnete "
                        "Kooperationsvereinbarung) und kann deshalb keinen stimmberechtigten Sitz erhalten."
                    )
                    % {"org": seat.organisation, "phase": phase.name}
                }
            )

    if body.kind == BodyKind.OFFICE:
        if seat.person is None:
            raise DomainError({"person": _("Ein Sitz in der Geschäftsstelle gehört einer Person.")})
        if others.filter(person=seat.person).exists():
            raise DomainError(
                {
                    "person": _("%(person)s gehört der Geschäftsstelle bereits an.")
                    % {"person": seat.person}
                }
            )
        return

    # Steering committee and speakers' circle: one seat per organisation at a time, so one vote each.
    clash = others.filter(organisation=seat.organisation).first()
    if clash is not None:
        if clash.can_vote and seat.can_vote:
            message = _(
                "„%(org)s“ hat im %(body)s bereits einen stimmberechtigten Sitz (seit %(since)s)."
            )
        else:
            message = _("„%(org)s“ hat im %(body)s bereits einen Sitz (seit %(since)s).")
        raise DomainError(
            {
                "organisation": message
                % {"org": seat.organisation, "body": body.name, "since": _d(clash.starts_on)}
            }
        )

    if seat.role == SeatRole.SPEAKER:
        speaker = others.filter(role=SeatRole.SPEAKER).select_related("organisation").first()
        if speaker is not None:
            raise DomainError(
                {
                    "role": _("Der Sprecherkreis hat bereits eine/n Sprecher/in: %(org)s.")
                    % {"org": speaker.organisation}
                }
            )
    elif seat.role == SeatRole.DEPUTY_SPEAKER:
        group = seat.organisation.group
        if not group.sends_deputy_speaker:
            senders = ", ".join(
                OrganisationGroup.objects.filter(
                    alliance_id=body.alliance_id, sends_deputy_speaker=True
                ).values_list("name", flat=True)
            )
            raise DomainError(
                {
                    "organisation": _(
                        "Die Gruppe %(group)s entsendet keine/n stellvertretende/n Sprecher/in; das tun: %(senders)s."
                    )
                    % {"group": group.name, "senders": senders or "–"}
                }
            )
        same_group = (
            others.filter(role=SeatRole.DEPUTY_SPEAKER, organisation__group=group)
            .select_related("organisation")
            .first()
        )
        if same_group is not None:
            raise DomainError(
                {
                    "organisation": _(
                        "Die Gruppe %(group)s hat bereits eine/n stellvertretende/n Sprecher/in: %(org)s. "
                        "Jede Gruppe entsendet genau eine Person."
                    )
                    % {"group": group.name, "org": same_group.organisation}
                }
            )


def seat_save(*, actor: User | None, instance: Seat) -> Seat:
    return _save(
        actor=actor, instance=instance, validate=seat_validate, lock=instance.body, action="seat"
    )


def seat_assign(
    *,
    actor: User | None,
    body: Body,
    organisation: Organisation,
    role: str,
    starts_on: date,
    ends_on: date | None = None,
    person: Person | None = None,
) -> Seat:
    return seat_save(
        actor=actor,
        instance=Seat(
            alliance_id=body.alliance_id,
            body=body,
            organisation=organisation,
            person=person,
            role=role,
            starts_on=starts_on,
            ends_on=ends_on,
        ),
    )


def seat_end(*, actor: User | None, seat: Seat, ends_on: date) -> Seat:
    """Close a term (the seat stays on record for history).

    Ending a term earlier takes nothing from anyone, so only the date itself is checked: the
    rules about who may hold the seat applied when it began (a seat of years ago must not stop
    its own end because the data of its time was incomplete). A later end is a longer term and
    is checked like any seat."""
    previous_end = seat.ends_on
    seat.ends_on = ends_on
    if previous_end is not None and ends_on > previous_end:
        return seat_save(actor=actor, instance=seat)
    return _save(actor=actor, instance=seat, lock=seat.body, action="seat")


# --- Themes -------------------------------------------------------------------------------------


def action_field_validate(field: ActionField) -> None:
    _same_alliance(field.alliance_id, field.phase)


def action_field_save(*, actor: User | None, instance: ActionField) -> ActionField:
    return _save(
        actor=actor, instance=instance, validate=action_field_validate, action="action_field"
    )


def action_field_create(
    *, actor: User | None, phase: FundingPhase, title: str, position: int = 0, is_open: bool = False
) -> ActionField:
    return action_field_save(
        actor=actor,
        instance=ActionField(
            alliance_id=phase.alliance_id,
            phase=phase,
            title=title,
            position=position,
            is_open=is_open,
        ),
    )


def topic_validate(topic: Topic) -> None:
    _same_alliance(topic.alliance_id, topic.action_field)
    if topic.parent is not None and topic.parent.action_field_id != topic.action_field_id:
        raise DomainError(
            {"parent": _("Das übergeordnete Thema gehört zu einem anderen Handlungsfeld.")}
        )


def topic_save(*, actor: User | None, instance: Topic) -> Topic:
    return _save(actor=actor, instance=instance, validate=topic_validate, action="topic")


def topic_create(
    *,
    actor: User | None,
    action_field: ActionField,
    title: str,
    position: int = 0,
    parent: Topic | None = None,
) -> Topic:
    return topic_save(
        actor=actor,
        instance=Topic(
            alliance_id=action_field.alliance_id,
            action_field=action_field,
            title=title,
            position=position,
            parent=parent,
        ),
    )


def record_delete(*, actor: User | None, instance: models.Model) -> None:
    """Delete with an audit row; an alliance's own deletion is recorded as its own."""
    audit.record_delete(
        actor=actor,
        instance=instance,
        alliance=instance if isinstance(instance, Alliance) else None,
    )
