"""Consensus decisions of a meeting. A decision on a project item drives the funding procedure
through `funding.services.project_act` in the same transaction: when the procedure refuses (the
project moved on, the budget cannot carry the Votum), nothing is recorded."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buendnis.alliances.models import BodyKind
from buendnis.core.audit import audit_record
from buendnis.core.errors import DomainError, TransitionNotAllowed
from buendnis.funding.models import Outcome
from buendnis.meetings import rules, selectors
from buendnis.meetings.models import AgendaItem, Decision, DecisionOutcome, Recusal
from buendnis.meetings.services import agenda, attendance
from buendnis.meetings.services._common import (
    _entry,
    _lock_item,
    _lock_meeting,
    _objection_summary,
    _record_outcome,
    _require_manager,
    _require_stage,
)

if TYPE_CHECKING:
    from buendnis.accounts.models import User


_FUNDING_OUTCOME = {
    DecisionOutcome.AGREED: Outcome.POSITIVE,
    DecisionOutcome.NOT_AGREED: Outcome.NEGATIVE,
    DecisionOutcome.DEFERRED: Outcome.DEFERRED,
    DecisionOutcome.REVISION: Outcome.REVISION,
}


class Proposal:
    """What the chair puts to the body: take a decision (consensus decides whether it is agreed),
    defer the item, or send the project back for revision."""

    DECIDE = "decide"
    DEFER = "defer"
    REVISION = "revision"
    CHOICES = (DECIDE, DEFER, REVISION)


def decision_recused(item: AgendaItem) -> dict[int, str]:
    """Who is recused on an item, with the reason: declared bias, and the project's applicant."""
    recused = {recusal.organisation_id: recusal.reason for recusal in item.recusals.all()}
    if item.project is not None:
        recused.setdefault(
            item.project.applicant_organisation_id, _("Antragstellerin des Vorhabens")
        )
    return recused


def _declare_recusals(
    item: AgendaItem,
    declared: Mapping[int, str],
    names: Mapping[int, str],
    entitled: frozenset[int],
    objections: Mapping[int, str],
    abstaining: frozenset[int],
) -> None:
    """Write the recusals declared at the vote (one INSERT for all), after checking each: a
    voting seat on the body, a reason, not recused already, not objecting or abstaining too.
    Caller holds the meeting's and the item's lock."""
    already = decision_recused(item)
    for organisation_id, reason in declared.items():
        name = names.get(organisation_id, str(organisation_id))
        if organisation_id not in entitled:
            raise DomainError(
                _("%(organisation)s hat in diesem Gremium keine Stimme.") % {"organisation": name}
            )
        if organisation_id in already:
            raise DomainError(_("%(organisation)s ist bereits befangen.") % {"organisation": name})
        if organisation_id in objections or organisation_id in abstaining:
            raise DomainError(
                _("%(organisation)s ist befangen und kann weder widersprechen noch sich enthalten.")
                % {"organisation": name}
            )
        if not reason:
            raise DomainError(
                _("Bitte nennen Sie den Grund der Befangenheit von %(organisation)s.")
                % {"organisation": name}
            )
    Recusal.objects.bulk_create(
        Recusal(alliance_id=item.alliance_id, item=item, organisation_id=pk, reason=reason[:300])
        for pk, reason in declared.items()
    )


def decision_record(
    *,
    actor: User | None,
    item: AgendaItem,
    proposal: str,
    objections: Mapping[int, str] | None = None,
    abstentions: Iterable[int] = (),
    recusals: Mapping[int, str] | None = None,
    text: str = "",
    reasons: str = "",
) -> Decision:
    """Record the body's decision on an item: „Alle stimmen zu“, but the exceptions.

    `objections` maps each objecting organisation to its reason; `abstentions` names those that
    abstain; `recusals` maps an organisation that declares itself biased at the vote to its
    reason (recorded on the item, as `agenda.recusal_declare` would, in the same transaction);
    every other present voting organisation agrees. One audit row names the objecting,
    abstaining and recused organisations and the recusals declared here; the queries do not grow
    with the number of seats. A decision needs a quorum (a deferral does not: a body without
    quorum can still postpone). On a project item the decision drives the procedure in the same
    transaction.
    """
    _require_manager(actor, item.alliance)
    objections = dict(objections or {})
    abstaining = frozenset(abstentions)
    declared = {pk: reason.strip() for pk, reason in (recusals or {}).items()}
    if proposal not in Proposal.CHOICES:
        raise DomainError({"proposal": [_("Bitte wählen Sie, worüber entschieden wird.")]})
    if proposal == Proposal.REVISION and not reasons.strip():
        raise DomainError({"reasons": [_("Bitte begründen Sie die Rückgabe zur Überarbeitung.")]})
    with transaction.atomic():
        # The meeting first: decisions of one meeting, its cancellation and the attendance they
        # fill in are one after the other (two decisions would both add a missing attendance row).
        _lock_meeting(item.meeting)
        locked = _lock_item(item)
        meeting = locked.meeting
        if Decision.objects.filter(item=locked).exists():
            raise TransitionNotAllowed(_("Über diesen Tagesordnungspunkt ist bereits beschlossen."))
        if not meeting.is_open_for_decisions:
            raise TransitionNotAllowed(
                _("In einer Sitzung im Stand „%(status)s“ wird nicht beschlossen.")
                % {"status": meeting.get_status_display()}
            )
        if meeting.starts_at > timezone.now():
            raise TransitionNotAllowed(_("Die Sitzung hat noch nicht stattgefunden."))
        if locked.project is not None:
            _require_stage(locked.project, locked.stage_status)
        attendance.attendance_prefill(meeting)
        attendances = list(meeting.attendances.select_related("organisation"))
        names = {row.organisation_id: row.organisation.name for row in attendances}
        entitled = frozenset(row.organisation_id for row in attendances if row.can_vote)
        present = frozenset(row.organisation_id for row in attendances if row.is_present)
        if declared:
            _declare_recusals(locked, declared, names, entitled, objections, abstaining)
        recused_reasons = decision_recused(locked)
        recused = frozenset(recused_reasons) & entitled
        for organisation_id in set(objections) | abstaining:
            name = names.get(organisation_id, str(organisation_id))
            if organisation_id not in entitled:
                raise DomainError(
                    _("%(organisation)s hat in diesem Gremium keine Stimme.")
                    % {"organisation": name}
                )
            if organisation_id not in present:
                raise DomainError(
                    _(
                        "%(organisation)s ist nicht anwesend und kann weder widersprechen noch sich enthalten."
                    )
                    % {"organisation": name}
                )
            if organisation_id in recused:
                raise DomainError(
                    _(
                        "%(organisation)s ist befangen und kann weder widersprechen noch sich enthalten."
                    )
                    % {"organisation": name}
                )
        overlap = set(objections) & abstaining
        if overlap:
            raise DomainError(
                _("Eine Organisation kann nicht zugleich widersprechen und sich enthalten.")
            )
        missing_reason = [pk for pk, reason in objections.items() if not reason.strip()]
        if missing_reason:
            raise DomainError(
                _("Bitte nennen Sie den Einwand von %(organisation)s.")
                % {"organisation": names.get(missing_reason[0], "")}
            )
        result = rules.consensus(
            entitled=entitled,
            present=present,
            recused=recused,
            objecting=frozenset(objections),
            abstaining=abstaining,
            quorum_percent=meeting.body.quorum_percent,
        )
        quorum = result.quorum
        if proposal != Proposal.DEFER and not quorum.met:
            raise DomainError(
                _(
                    "Der %(body)s ist nicht beschlussfähig: %(present)s von %(seats)s stimmberechtigten "
                    "Organisationen sind vertreten, nötig sind mindestens %(required)s. Der Punkt kann "
                    "nur vertagt werden."
                )
                % {
                    "body": meeting.body.name,
                    "present": quorum.present,
                    "seats": quorum.voting_seats,
                    "required": quorum.required,
                }
            )
        if proposal == Proposal.DEFER:
            outcome = DecisionOutcome.DEFERRED
        elif proposal == Proposal.REVISION:
            outcome = DecisionOutcome.REVISION
        else:
            outcome = DecisionOutcome.AGREED if result.agreed else DecisionOutcome.NOT_AGREED
        if outcome == DecisionOutcome.NOT_AGREED and not result.objecting and not result.agreeing:
            reasons = reasons or _("Alle stimmberechtigten Organisationen haben sich enthalten.")
        advisory = [
            row.organisation_id for row in attendances if row.is_present and not row.can_vote
        ]
        decision_snapshot = {
            "quorum": {
                "voting_seats": quorum.voting_seats,
                "present": quorum.present,
                "required": quorum.required,
                "percent": quorum.percent,
                "met": quorum.met,
            },
            "entitled": [
                _entry(pk, names) for pk in sorted(entitled, key=lambda pk: names.get(pk, ""))
            ],
            "present": [
                _entry(pk, names)
                for pk in sorted(present & entitled, key=lambda pk: names.get(pk, ""))
            ],
            "advisory_present": [
                _entry(pk, names) for pk in sorted(advisory, key=lambda pk: names.get(pk, ""))
            ],
            "agreeing": [
                _entry(pk, names)
                for pk in sorted(result.agreeing, key=lambda pk: names.get(pk, ""))
            ],
            "objecting": [
                _entry(pk, names, reason=objections[pk].strip())
                for pk in sorted(result.objecting, key=lambda pk: names.get(pk, ""))
            ],
            "abstaining": [
                _entry(pk, names)
                for pk in sorted(result.abstaining, key=lambda pk: names.get(pk, ""))
            ],
            "recused": [
                _entry(pk, names, reason=recused_reasons[pk])
                for pk in sorted(recused, key=lambda pk: names.get(pk, ""))
            ],
            "guests": list(meeting.guests.values_list("name", flat=True)),
        }
        decision = Decision(
            alliance=locked.alliance,
            item=locked,
            outcome=outcome,
            text=text.strip()
            or (locked.proposed_decision if outcome == DecisionOutcome.AGREED else ""),
            snapshot=decision_snapshot,
            recorded_by=actor,
            decided_at=max(
                meeting.starts_at, min(timezone.now(), meeting.ends_at or timezone.now())
            ),
        )
        if locked.project is not None:
            funding_reasons = reasons.strip()
            if outcome == DecisionOutcome.NOT_AGREED and not funding_reasons:
                funding_reasons = _objection_summary(decision_snapshot)
            decision.body_outcome = _record_outcome(
                actor=actor,
                project=locked.project,
                body=meeting.body,
                outcome=_FUNDING_OUTCOME[DecisionOutcome(outcome)],
                decided_on=selectors.meeting_day(meeting),
                reference=f"{meeting.display_title}, TOP {locked.number}"[:200],
                reasons=funding_reasons,
                expected_status=locked.stage_status or None,
            )
        decision.save()
        audit_record(
            actor=actor,
            action="meeting.decision",
            instance=locked,
            to_state=outcome,
            changes={
                "objecting": decision.names("objecting"),
                "abstaining": decision.names("abstaining"),
                "recused": decision.names("recused"),
                **(
                    {
                        "declared_recusals": [
                            f"{names.get(pk, pk)} ({reason})" for pk, reason in declared.items()
                        ]
                    }
                    if declared
                    else {}
                ),
            },
        )
        if (
            locked.project is not None
            and meeting.body.kind == BodyKind.SPEAKERS
            and outcome in (DecisionOutcome.AGREED, DecisionOutcome.NOT_AGREED)
        ):
            agenda._carry_recommendation(actor, locked, decision)
    return decision
