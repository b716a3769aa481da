"""The Umlaufbeschluss: the Steuerkreis decides in writing between meetings. A passed circulation
on a project drives the procedure like a positive vote. Answers, evaluation and the periodic
closing and reminders share the circulation's lock, so they live together."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from buendnis.alliances.models import Alliance, Body, BodyKind, Organisation
from buendnis.core.audit import audit_record
from buendnis.core.errors import DomainError, NotPermitted, TransitionNotAllowed
from buendnis.funding.models import Outcome, Project
from buendnis.funding.states import BODY_STAGES
from buendnis.meetings import notifications, rules, selectors
from buendnis.meetings import permissions as meeting_permissions
from buendnis.meetings.models import Answer, Circulation, CirculationAnswer, CirculationStatus
from buendnis.meetings.services._common import (
    _entry,
    _record_outcome,
    _require_manager,
    _require_stage,
)

if TYPE_CHECKING:
    from buendnis.accounts.models import User


def circulation_open(
    *,
    actor: User | None,
    alliance: Alliance,
    title: str,
    text: str,
    deadline: datetime,
    project: Project | None = None,
    is_public: bool = False,
) -> Circulation:
    """The office asks every voting organisation of the Steuerkreis in writing."""
    _require_manager(actor, alliance)
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Bitte geben Sie einen Betreff an.")]
    if not text.strip():
        errors["text"] = [_("Bitte formulieren Sie den Beschlussvorschlag.")]
    if deadline <= timezone.now():
        errors["deadline"] = [_("Die Antwortfrist muss in der Zukunft liegen.")]
    if project is not None and project.alliance_id != alliance.pk:
        errors["project"] = [_("Dieses Vorhaben gehört zu einem anderen Bündnis.")]
    if errors:
        raise DomainError(errors)
    body = Body.objects.filter(alliance=alliance, kind=BodyKind.STEERING).first()
    if body is None:
        raise DomainError(_("Das Bündnis hat noch keinen Steuerkreis."))
    with transaction.atomic():
        stage = ""
        recused: list[dict[str, Any]] = []
        voting = selectors.voting_organisations(body, timezone.localdate())
        if project is not None:
            # The project row only, as the procedure locks it (funding.services._lock); it also
            # keeps a second circulation on the same project from opening meanwhile.
            project = (
                Project.objects.select_for_update(of=("self",), no_key=True)
                .select_related("applicant_organisation")
                .get(pk=project.pk)
            )
            if BODY_STAGES.get(project.status) != BodyKind.STEERING:
                raise DomainError(
                    {
                        "project": [
                            _(
                                "Im Stand „%(status)s“ entscheidet der Steuerkreis nicht über das Vorhaben."
                            )
                            % {"status": project.get_status_display()}
                        ]
                    }
                )
            if Circulation.objects.filter(project=project, status=CirculationStatus.OPEN).exists():
                # Two at once would both try to move the project on; the second would fail.
                raise DomainError(
                    {"project": [_("Für dieses Vorhaben läuft bereits ein Umlaufbeschluss.")]}
                )
            stage = project.status
            if project.applicant_organisation_id in voting:
                recused.append(
                    _entry(
                        project.applicant_organisation_id,
                        voting,
                        reason=_("Antragstellerin des Vorhabens"),
                    )
                )
        if not voting:
            raise DomainError(_("Der Steuerkreis hat keine stimmberechtigten Organisationen."))
        circulation = Circulation.objects.create(
            alliance=alliance,
            body=body,
            title=title.strip(),
            text=text.strip(),
            project=project,
            stage_status=stage,
            deadline=deadline,
            is_public=is_public,
            silence_is_consent=body.silence_is_consent,
            entitled=[
                _entry(pk, voting) for pk in sorted(voting, key=lambda pk: voting.get(pk, ""))
            ],
            recused=recused,
            opened_by=actor,
        )
        audit_record(
            actor=actor,
            action="circulation.open",
            instance=circulation,
            to_state=CirculationStatus.OPEN,
            changes={"deadline": deadline.isoformat(), "entitled": len(voting)},
        )
        circulation_id = circulation.pk
        transaction.on_commit(lambda: notifications.send_circulation(circulation_id))
    return circulation


def _lock_circulation(circulation: Circulation) -> Circulation:
    return Circulation.objects.select_for_update().get(pk=circulation.pk)


def circulation_answer(
    *,
    actor: User | None,
    circulation: Circulation,
    organisation: Organisation,
    answer: str,
    comment: str = "",
    now: datetime | None = None,
) -> CirculationAnswer:
    """One answer per organisation, which it may change until the deadline."""
    now = now or timezone.now()
    if answer not in Answer.values:
        raise DomainError({"answer": [_("Bitte wählen Sie Zustimmung, Einwand oder Enthaltung.")]})
    if answer == Answer.OBJECT and not comment.strip():
        raise DomainError({"comment": [_("Bitte begründen Sie Ihren Einwand.")]})
    with transaction.atomic():
        locked = _lock_circulation(circulation)
        if actor is not None:
            answers_for = meeting_permissions.answering_organisation_ids(actor, locked.alliance)
            if organisation.pk not in answers_for:
                raise NotPermitted(
                    _("Sie können nicht für %(organisation)s antworten.")
                    % {"organisation": organisation.name}
                )
        if locked.status != CirculationStatus.OPEN:
            raise TransitionNotAllowed(
                _("Der Umlauf ist abgeschlossen (%(status)s); Antworten sind nicht mehr möglich.")
                % {"status": locked.get_status_display()}
            )
        if now >= locked.deadline:
            raise TransitionNotAllowed(
                _("Die Antwortfrist ist am %(deadline)s abgelaufen.")
                % {
                    "deadline": formats.date_format(
                        timezone.localtime(locked.deadline), "d.m.Y H:i"
                    )
                }
            )
        if organisation.pk not in locked.entitled_ids:
            raise DomainError(
                _("%(organisation)s ist in diesem Umlauf nicht stimmberechtigt.")
                % {"organisation": organisation.name}
            )
        if organisation.pk in {entry["id"] for entry in locked.recused}:
            raise DomainError(
                _("%(organisation)s ist befangen und gibt keine Antwort ab.")
                % {"organisation": organisation.name}
            )
        existing = (
            CirculationAnswer.objects.select_for_update()
            .filter(circulation=locked, organisation=organisation)
            .first()
        )
        previous = existing.answer if existing else ""
        if existing is None:
            existing = CirculationAnswer(
                alliance_id=locked.alliance_id, circulation=locked, organisation=organisation
            )
        existing.answer = answer
        existing.comment = comment.strip()
        existing.answered_by = actor if getattr(actor, "is_authenticated", False) else None
        existing.answered_at = now
        existing.save()
        audit_record(
            actor=actor,
            action="circulation.answer",
            instance=locked,
            from_state=previous,
            to_state=answer,
            changes={"organisation": organisation.name, "comment": existing.comment},
        )
    return existing


def circulation_tally(circulation: Circulation) -> rules.CirculationTally:
    answers = {row.organisation_id: row.answer for row in circulation.answers.all()}
    return rules.circulation_tally(
        entitled=frozenset(circulation.entitled_ids),
        recused=frozenset(entry["id"] for entry in circulation.recused),
        answers=answers,
        silence_is_consent=circulation.silence_is_consent,
    )


def _circulation_result(circulation: Circulation, tally: rules.CirculationTally) -> dict[str, Any]:
    """Who agreed, objected (with the comment), abstained, stayed silent or was recused."""
    names = {entry["id"]: entry["name"] for entry in circulation.entitled}
    comments = {row.organisation_id: row.comment for row in circulation.answers.all()}

    def entries(ids: frozenset[int]) -> list[dict[str, Any]]:
        return [_entry(pk, names) for pk in sorted(ids, key=lambda pk: names.get(pk, ""))]

    return {
        "agreeing": entries(tally.agreeing),
        "objecting": [
            _entry(pk, names, reason=comments.get(pk, ""))
            for pk in sorted(tally.objecting, key=lambda pk: names.get(pk, ""))
        ],
        "abstaining": entries(tally.abstaining),
        "silent": entries(tally.silent),
        "recused": circulation.recused,
        "silence_is_consent": circulation.silence_is_consent,
    }


def circulation_close(
    *, actor: User | None, circulation: Circulation, now: datetime | None = None
) -> Circulation:
    """Evaluate the circulation: after the deadline, or earlier once every organisation has
    answered (the answers are then final). A passed circulation on a project drives the
    procedure like a positive Steuerkreis vote; a failed one leaves the project for the next
    meeting."""
    now = now or timezone.now()
    if actor is not None:
        _require_manager(actor, circulation.alliance)
    with transaction.atomic():
        locked = _lock_circulation(circulation)
        if locked.status != CirculationStatus.OPEN:
            raise TransitionNotAllowed(_("Der Umlauf ist bereits ausgewertet."))
        tally = circulation_tally(locked)
        if now < locked.deadline and not tally.complete:
            raise TransitionNotAllowed(
                _(
                    "Vor Ablauf der Frist wird erst ausgewertet, wenn alle stimmberechtigten "
                    "Organisationen geantwortet haben (es fehlen noch %(count)s)."
                )
                % {"count": len(tally.silent)}
            )
        locked.result = _circulation_result(locked, tally)
        locked.status = CirculationStatus.PASSED if tally.passed else CirculationStatus.FAILED
        locked.closed_at = now
        if tally.passed and locked.project_id is not None:
            project = Project.objects.get(pk=locked.project_id)
            _require_stage(project, locked.stage_status)
            locked.body_outcome = _record_outcome(
                actor=actor,
                project=project,
                body=locked.body,
                outcome=Outcome.POSITIVE,
                decided_on=timezone.localtime(now).date(),
                reference=_("Umlaufbeschluss „%(title)s“") % {"title": locked.title[:150]},
                expected_status=locked.stage_status or None,
            )
        locked.save()
        audit_record(
            actor=actor,
            action="circulation.close",
            instance=locked,
            from_state=CirculationStatus.OPEN,
            to_state=locked.status,
            changes=locked.result,
        )
        circulation_id = locked.pk
        transaction.on_commit(lambda: notifications.send_circulation_result(circulation_id))
    circulation.refresh_from_db()
    return circulation


def circulation_cancel(*, actor: User | None, circulation: Circulation, reason: str) -> Circulation:
    _require_manager(actor, circulation.alliance)
    if not reason.strip():
        raise DomainError({"reason": [_("Bitte geben Sie den Grund an.")]})
    with transaction.atomic():
        locked = _lock_circulation(circulation)
        if locked.status != CirculationStatus.OPEN:
            raise TransitionNotAllowed(_("Der Umlauf ist bereits ausgewertet."))
        locked.status = CirculationStatus.CANCELLED
        locked.closed_at = timezone.now()
        locked.result = {"reason": reason.strip()}
        locked.save()
        audit_record(
            actor=actor,
            action="circulation.cancel",
            instance=locked,
            from_state=CirculationStatus.OPEN,
            to_state=CirculationStatus.CANCELLED,
            comment=reason,
        )
    circulation.refresh_from_db()
    return circulation


def circulations_close_due(*, now: datetime | None = None) -> list[Circulation]:
    """Evaluate every circulation whose deadline has passed (run periodically). A circulation
    the procedure refuses (the project moved on) is closed as failed, with the reason."""
    now = now or timezone.now()
    closed = []
    for circulation in Circulation.objects.filter(status=CirculationStatus.OPEN, deadline__lte=now):
        try:
            closed.append(circulation_close(actor=None, circulation=circulation, now=now))
        except DomainError as error:
            if _close_as_failed(circulation, reason=" ".join(error.messages), now=now):
                circulation.refresh_from_db()
                closed.append(circulation)
    return closed


def _close_as_failed(circulation: Circulation, *, reason: str, now: datetime) -> bool:
    """Close a circulation the procedure refused as failed, keeping the answers and the reason.
    False when someone else evaluated it meanwhile (then it is not this run's to report)."""
    with transaction.atomic():
        locked = _lock_circulation(circulation)
        if locked.status != CirculationStatus.OPEN:
            return False
        locked.status = CirculationStatus.FAILED
        locked.closed_at = now
        locked.result = {**_circulation_result(locked, circulation_tally(locked)), "error": reason}
        locked.save()
        audit_record(
            actor=None,
            action="circulation.close",
            instance=locked,
            from_state=CirculationStatus.OPEN,
            to_state=CirculationStatus.FAILED,
            comment=reason,
        )
        circulation_id = locked.pk
        transaction.on_commit(lambda: notifications.send_circulation_result(circulation_id))
    return True


def _reminder(circulation_id: int) -> Callable[[], None]:
    return lambda: notifications.send_circulation_reminder(circulation_id)


def circulations_remind_due(
    *, now: datetime | None = None, before: timedelta = timedelta(days=2)
) -> int:
    """Remind the organisations that have not answered, once, `before` the deadline."""
    now = now or timezone.now()
    due = Circulation.objects.filter(
        status=CirculationStatus.OPEN,
        reminder_sent_at__isnull=True,
        deadline__gt=now,
        deadline__lte=now + before,
    )
    count = 0
    for circulation in due:
        with transaction.atomic():
            updated = Circulation.objects.filter(
                pk=circulation.pk, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now)
            if updated:
                circulation_id = circulation.pk
                transaction.on_commit(_reminder(circulation_id))
                count += 1
    return count
