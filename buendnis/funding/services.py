"""The funding procedure: every write to a project, every move of its state.

Each step's service locks the project row, refuses a stale form (`expected_version`), checks the
actor's right and the move against its declaration in `states.STEPS`, changes the state, writes a
Transition row and an audit row, makes the budget booking the step declares — all in one
transaction — and sends mail after the commit. `project_act` is the one entry for every caller that
takes a step by its name (API, applicant portal, office workspace, meetings' decisions).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from buendnis.accounts import permissions
from buendnis.accounts.models import User
from buendnis.alliances.models import (
    Alliance,
    Body,
    FundingPhase,
    Organisation,
    Topic,
)
from buendnis.budget import services as budget
from buendnis.core.audit import audit_record, diff, snapshot
from buendnis.core.errors import DomainError, NotPermitted, StaleEdit, TransitionNotAllowed
from buendnis.core.templatetags.buendnis_format import money as euro
from buendnis.funding import permissions as funding_permissions

from . import dates, notifications, signals
from .changes import voted_terms
from .models import (
    PROJECT_EDITABLE_FIELDS,
    BodyOutcome,
    CoFinancing,
    Consultation,
    DocumentKind,
    Outcome,
    Project,
    ProjectDocument,
    Transition,
)
from .states import (
    BODY_STAGES,
    CONSULTATION_STATES,
    FINAL_STATES,
    IMPORT_STATES,
    MONEY_FIXED_STATES,
    NEXT_ON_POSITIVE,
    SKETCH_STAGE,
    STEPS,
    Booking,
    Status,
)
from .wording import RELEASE_NOTES

CENT = Decimal("0.01")
S = Status

# Fields of the project record that forms and the API may set directly.
EDITABLE_FIELDS = frozenset(PROJECT_EDITABLE_FIELDS)


def _d(day: date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


# --- Money rules --------------------------------------------------------------------------------


def proposed_grant(phase: FundingPhase, eligible_costs: Decimal) -> Decimal:
    """The most the phase's rate allows: rate × eligible costs, rounded down to the cent."""
    return (eligible_costs * phase.funding_rate / Decimal(100)).quantize(CENT, rounding=ROUND_DOWN)


def latest_end(phase: FundingPhase) -> date:
    return phase.project_end_cutoff or phase.ends_on


def project_rule_errors(
    project: Project, *, cofinancing_total: Decimal | None = None
) -> dict[str, list[str]]:
    """Every rule a project must meet before a body sees it, as field → German messages."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    phase = project.phase
    for field in ("summary", "goals", "target_group"):
        if not getattr(project, field).strip():
            add(field, _("Bitte ausfüllen."))
    if project.action_field_id is None:
        add("action_field", _("Bitte ein Handlungsfeld wählen (oder „thematisch offen“)."))
    if not project.funding_priority:
        add("funding_priority", _("Bitte einen Förderschwerpunkt wählen."))
    if project.starts_on is None:
        add("starts_on", _("Bitte den Beginn der Laufzeit angeben."))
    if project.ends_on is None:
        add("ends_on", _("Bitte das Ende der Laufzeit angeben."))
    if project.starts_on and project.starts_on < phase.starts_on:
        add(
            "starts_on",
            _("Die Laufzeit beginnt vor der Förderphase (ab %(start)s).")
            % {"start": _d(phase.starts_on)},
        )
    if project.ends_on and project.ends_on > latest_end(phase):
        add(
            "ends_on",
            _("Die Laufzeit muss bis %(end)s enden (Förderphase %(phase)s).")
            % {"end": _d(latest_end(phase)), "phase": phase.name},
        )
    if project.eligible_costs <= 0:
        add("eligible_costs", _("Bitte die förderfähigen Gesamtkosten angeben."))
    maximum = proposed_grant(phase, project.eligible_costs)
    if project.requested_grant > maximum:
        add(
            "requested_grant",
            _(
                "Der Zuschuss darf höchstens %(rate)s %% der förderfähigen Kosten betragen, also %(max)s."
            )
            % {
                "rate": formats.number_format(phase.funding_rate.normalize(), use_l10n=True),
                "max": euro(maximum),
            },
        )
    if project.requested_grant <= 0:
        add("requested_grant", _("Bitte den beantragten Zuschuss angeben."))
    total = project.cofinancing_total if cofinancing_total is None else cofinancing_total
    if project.eligible_costs > 0 and project.requested_grant + total != project.eligible_costs:
        add(
            "cofinancing",
            _(
                "Zuschuss (%(grant)s) und Kofinanzierung (%(cof)s) ergeben %(sum)s, die förderfähigen "
                "Kosten sind aber %(costs)s. Beides muss übereinstimmen."
            )
            % {
                "grant": euro(project.requested_grant),
                "cof": euro(total),
                "sum": euro(project.requested_grant + total),
                "costs": euro(project.eligible_costs),
            },
        )
    return errors


def participants_rule_errors(entered: int | None, exited: int | None) -> dict[str, list[str]]:
    """The figures of participation at the close: never negative, and no more people leave a
    project than entered it (exits without entries are more exits than entries)."""
    errors: dict[str, list[str]] = {}
    for field, value in (("participants_entered", entered), ("participants_exited", exited)):
        if value is not None and value < 0:
            errors[field] = [_("Teilnehmendenzahlen dürfen nicht negativ sein.")]
    if errors:
        return errors
    if exited is not None and exited > (entered or 0):
        errors["participants_exited"] = [
            _(
                "Es können nicht mehr Teilnehmende austreten als eingetreten sind: %(exited)s "
                "Austritte, aber %(entered)s Eintritte."
            )
            % {"exited": exited, "entered": entered or 0}
        ]
    return errors


def _draft_errors(project: Project) -> dict[str, list[str]]:
    """What even a draft must get right: the alliance's own phase, field and owner."""
    errors: dict[str, list[str]] = {}
    if project.phase.alliance_id != project.alliance_id:
        errors["phase"] = [_("Die Förderphase gehört zu einem anderen Bündnis.")]
    elif project._state.adding and not project.phase.is_recognised:
        errors["phase"] = [
            _(
                "Die Förderphase %(phase)s ist noch nicht vom Ministerium anerkannt; "
                "Vorhaben werden erst danach in ihr angelegt."
            )
            % {"phase": project.phase.name}
        ]
    if project.applicant_organisation.alliance_id != project.alliance_id:
        errors["applicant_organisation"] = [_("Der Projektträger gehört zu einem anderen Bündnis.")]
    if project.action_field is not None and project.action_field.phase_id != project.phase_id:
        errors["action_field"] = [
            _("Das Handlungsfeld gehört nicht zur Förderphase %(phase)s.")
            % {"phase": project.phase.name}
        ]
    return errors


# --- Creating and editing -----------------------------------------------------------------------


def _next_reference(alliance: Alliance, phase: FundingPhase) -> str:
    """SON-2018-007: alliance, phase start year, running number. Caller holds the alliance lock."""
    prefix = f"{alliance.slug.upper()}-{phase.starts_on.year}-"
    numbers = Project.objects.filter(reference__startswith=prefix).values_list(
        "reference", flat=True
    )
    highest = max((int(ref.rsplit("-", 1)[1]) for ref in numbers), default=0)
    return f"{prefix}{highest + 1:03d}"


def project_create(
    *,
    actor: User | None,
    alliance: Alliance,
    phase: FundingPhase,
    title: str,
    applicant_organisation: Organisation,
    topics: Iterable[Topic] = (),
    **fields: Any,
) -> Project:
    if actor is not None and not funding_permissions.can_create_project(actor, alliance):
        raise NotPermitted(_("Sie dürfen in diesem Bündnis keine Vorhaben anlegen."))
    if actor is not None and not funding_permissions.can_create_project_for(
        actor, alliance, applicant_organisation
    ):
        raise NotPermitted(
            _(
                "Vorhaben legen Sie nur für Ihre eigene Organisation an; für „%(org)s“ sind Sie nicht eingetragen."
            )
            % {"org": applicant_organisation}
        )
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Unbekannte Felder: {sorted(unknown)}")
    with transaction.atomic():
        # Serialises the running numbers; NO KEY, so rows pointing to the alliance (audit,
        # ledger) are not blocked: see budget.services._lock_phase.
        Alliance.objects.select_for_update(no_key=True).get(pk=alliance.pk)
        project = Project(
            alliance=alliance,
            phase=phase,
            title=title,
            applicant_organisation=applicant_organisation,
            created_by=actor,
            **fields,
        )
        project.reference = _next_reference(alliance, phase)
        project.full_clean()
        errors = _draft_errors(project)
        if errors:
            raise DomainError(errors)
        project.save()
        _set_topics(project, topics)
        audit_record(
            actor=actor,
            action="project.create",
            instance=project,
            to_state=project.status,
            changes=snapshot(project),
        )
    return project


def _set_topics(project: Project, topics: Iterable[Topic]) -> None:
    chosen = list(topics)
    for topic in chosen:
        if project.action_field_id is None or topic.action_field_id != project.action_field_id:
            raise DomainError(
                {
                    "topics": _("Das Thema „%(topic)s“ gehört nicht zum gewählten Handlungsfeld.")
                    % {"topic": topic}
                }
            )
    project.topics.set(chosen)


def _lock(project: Project) -> Project:
    """Lock the project row only. Without `of`, PostgreSQL would lock the joined alliance and
    phase rows as well and so serialise every step of every project of the alliance (and the
    phase lock of the budget would never be what decides a race)."""
    return (
        Project.objects.select_for_update(of=("self",), no_key=True)
        .select_related("alliance", "phase")
        .get(pk=project.pk)
    )


def project_update(
    *,
    actor: User | None,
    project: Project,
    expected_version: int | None = None,
    topics: Iterable[Topic] | None = None,
    **changes: Any,
) -> Project:
    """Edit the project's data. `expected_version` (from the form) refuses a stale form."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Unbekannte Felder: {sorted(unknown)}")
    with transaction.atomic():
        locked = _lock(project)
        if actor is not None and not funding_permissions.can_edit_project(actor, locked):
            raise NotPermitted(
                _("Sie dürfen dieses Vorhaben im Stand „%(status)s“ nicht bearbeiten.")
                % {"status": locked.get_status_display()}
            )
        _refuse_stale(locked, expected_version)
        money = {"eligible_costs", "requested_grant"}
        if locked.status in MONEY_FIXED_STATES and any(
            getattr(locked, name) != value for name, value in changes.items() if name in money
        ):
            raise DomainError(
                {
                    "requested_grant": _(
                        "Nach dem Votum sind Kosten und Zuschuss festgelegt; die Bewilligung und die "
                        "Abrechnung halten die endgültigen Beträge fest."
                    )
                }
            )
        before = snapshot(locked)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean()
        errors = _draft_errors(locked)
        for field, messages in dates.runtime_errors(locked).items():
            errors.setdefault(field, []).extend(messages)
        if errors:
            raise DomainError(errors)
        locked.version += 1
        locked.save()
        if topics is not None:
            _set_topics(locked, topics)
        audit_record(
            actor=actor,
            action="project.update",
            instance=locked,
            changes=diff(before, snapshot(locked)),
        )
    _refresh(project, locked)
    return project


@dataclass(frozen=True)
class Share:
    """One co-financing share: a listed organisation or a named payer."""

    amount: Decimal
    organisation: Organisation | None = None
    name: str = ""


def cofinancing_set(
    *, actor: User | None, project: Project, shares: Iterable[Share]
) -> list[CoFinancing]:
    """Replace the project's co-financing shares as a whole."""
    rows = []
    with transaction.atomic():
        locked = _lock(project)
        if actor is not None and not funding_permissions.can_edit_project(actor, locked):
            raise NotPermitted(_("Sie dürfen dieses Vorhaben nicht bearbeiten."))
        for share in shares:
            if (
                share.organisation is not None
                and share.organisation.alliance_id != locked.alliance_id
            ):
                raise DomainError(
                    {
                        "cofinancing": _("„%(org)s“ gehört zu einem anderen Bündnis.")
                        % {"org": share.organisation}
                    }
                )
            row = CoFinancing(
                project=locked,
                organisation=share.organisation,
                name=share.name,
                amount=share.amount,
            )
            row.full_clean(exclude=["project"])
            rows.append(row)
        before = [f"{row.payer}: {row.amount}" for row in locked.cofinancing.all()]
        locked.cofinancing.all().delete()
        CoFinancing.objects.bulk_create(rows)
        locked.version += 1
        locked.save(update_fields=["version"])
        audit_record(
            actor=actor,
            action="project.cofinancing",
            instance=locked,
            changes={"cofinancing": [before, [f"{row.payer}: {row.amount}" for row in rows]]},
        )
    project.version = locked.version
    return rows


def _refresh(target: Project, source: Project) -> None:
    for field in Project._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


# --- Documents ----------------------------------------------------------------------------------


def document_add(
    *, actor: User | None, project: Project, kind: str, upload: UploadedFile
) -> ProjectDocument:
    """Keep every upload: the next version number of its kind. Caller holds the project lock or
    runs its own transaction."""
    # The steps that upload (sketch, description, resubmission, closing) checked their actor
    # already; a direct upload is an edit of the project and needs the same right.
    if actor is not None and not funding_permissions.can_edit_project(actor, project):
        raise NotPermitted(_("Sie dürfen diesem Vorhaben keine Dokumente hinzufügen."))
    with transaction.atomic():
        highest = (
            ProjectDocument.objects.filter(project=project, kind=kind).aggregate(v=Max("version"))[
                "v"
            ]
            or 0
        )
        document = ProjectDocument(
            project=project, kind=kind, version=highest + 1, file=upload, uploaded_by=actor
        )
        document.full_clean()
        document.save()
        audit_record(
            actor=actor,
            action="project.document",
            instance=project,
            changes={"kind": kind, "version": document.version, "file": document.file.name},
        )
    return document


def _has_document(project: Project, kind: str) -> bool:
    return ProjectDocument.objects.filter(project=project, kind=kind).exists()


# --- The state machine --------------------------------------------------------------------------


def _stale() -> StaleEdit:
    return StaleEdit(
        _(
            "Das Vorhaben wurde inzwischen von jemand anderem geändert. Bitte laden Sie die Seite "
            "neu; Ihre Eingaben sind nicht gespeichert."
        )
    )


def _refuse_stale(locked: Project, expected_version: int | None) -> None:
    """A form or client that saw an older version of the project acts on what is no longer there."""
    if expected_version is not None and expected_version != locked.version:
        raise _stale()


def _not_possible(status: str) -> TransitionNotAllowed:
    return TransitionNotAllowed(
        _("Im Stand „%(status)s“ ist dieser Schritt nicht möglich.")
        % {"status": Status(status).label}
    )


def _book(*, actor: User | None, project: Project, booking: Booking, target: str) -> None:
    """The booking `states.STEPS` declares for arriving in `target`; the amounts are on the
    locked project (the step's effect has set them). Caller holds the project lock."""
    if booking is Booking.RESERVE:
        budget.reserve(actor=actor, project=project, amount=project.requested_grant)
    elif booking is Booking.COMMIT:
        budget.commit(actor=actor, project=project, granted=project.granted_amount or Decimal(0))
    elif booking is Booking.SETTLE:
        budget.settle(actor=actor, project=project, final_grant=project.final_grant or Decimal(0))
    else:
        budget.release_all(actor=actor, project=project, note=RELEASE_NOTES[target])


def _transition(
    *,
    actor: User | None,
    project: Project,
    action: str,
    target: Callable[[Project], str] | None = None,
    comment: str = "",
    check: Callable[[Project], None] | None = None,
    effect: Callable[[Project, str], None] | None = None,
    expected_version: int | None = None,
) -> Project:
    """Run one step of `states.STEPS` atomically. Without `target` the step's only move from
    the current state is taken; `target` picks among several from what was recorded (an outcome,
    the bank's answer). `check` refuses with a DomainError; `effect` changes fields before the
    booking the step declares for the target and the save."""
    step = STEPS[action]
    with transaction.atomic():
        locked = _lock(project)
        if actor is not None and not funding_permissions.can_perform(actor, locked, action):
            raise NotPermitted(_("Diesen Schritt dürfen Sie bei diesem Vorhaben nicht ausführen."))
        _refuse_stale(locked, expected_version)
        source = locked.status
        targets = step.moves.get(source, frozenset())
        if target is not None:
            to = target(locked)
        elif len(targets) == 1:
            (to,) = targets
        else:
            raise _not_possible(source)
        if not step.allows(source, to):
            raise _not_possible(source)
        if check is not None:
            check(locked)
        if effect is not None:
            effect(locked, to)
        booking = step.books.get(to)
        if booking is not None:
            _book(actor=actor, project=locked, booking=booking, target=to)
        locked.status = to
        locked.status_changed_at = timezone.now()
        locked.version += 1
        locked.save()
        Transition.objects.create(
            project=locked, from_status=source, to_status=to, actor=actor, comment=comment
        )
        audit_record(
            actor=actor,
            action=f"project.{action}",
            instance=locked,
            from_state=source,
            to_state=to,
            comment=comment,
        )
        transaction.on_commit(
            lambda: notifications.transition_committed(locked.pk, source, to, comment, actor)
        )
    _refresh(project, locked)
    return project


def consultation_record(
    *,
    actor: User | None,
    project: Project,
    held_on: date,
    participants: str,
    notes: str = "",
    expected_version: int | None = None,
    expected_consultations: int | None = None,
) -> Consultation:
    """The office records a consultation; the first one moves an idea into consultation.
    `expected_consultations` is the number the form saw: a second submission finds one more
    (a consultation after the first does not change the project's version). The day lies between
    the project's creation and today (`dates.check_consultation`)."""
    if not participants.strip():
        raise DomainError(
            {"participants": _("Bitte angeben, wer an der Beratung teilgenommen hat.")}
        )
    with transaction.atomic():
        locked = _lock(project)
        if actor is not None and not funding_permissions.can_perform(
            actor, locked, "record_consultation"
        ):
            raise NotPermitted(_("Beratungen erfasst die Geschäftsstelle."))
        _refuse_stale(locked, expected_version)
        if (
            expected_consultations is not None
            and locked.consultations.count() != expected_consultations
        ):
            raise _stale()
        if locked.status not in CONSULTATION_STATES:
            raise TransitionNotAllowed(consultation_closed_message(locked.status))
        dates.check_consultation(locked, held_on)
        consultation = Consultation.objects.create(
            project=locked,
            held_on=held_on,
            participants=participants,
            notes=notes,
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action="project.consultation",
            instance=locked,
            changes={"held_on": held_on.isoformat(), "participants": participants},
        )
        signals.consultation_recorded.send(
            sender=Project, project=locked, consultation=consultation, actor=actor
        )
        if locked.status in STEPS["record_consultation"].moves:
            _transition(
                actor=actor,
                project=locked,
                action="record_consultation",
                comment=_("Beratung am %(day)s") % {"day": _d(held_on)},
            )
    _refresh(project, Project.objects.get(pk=project.pk))
    return consultation


def consultation_closed_message(status: str) -> str:
    """Why no consultation is recorded (or asked for) in `status`: the procedure has ended, or
    the bank has granted and the project is in the applicant's hands."""
    if status in FINAL_STATES:
        message = _(
            "Das Vorhaben ist im Stand „%(status)s“ abgeschlossen; Beratungen sind nicht mehr möglich."
        )
    else:
        message = _(
            "Im Stand „%(status)s“ ist das Verfahren des Bündnisses vorüber; Beratungen im "
            "Verfahren sind nicht mehr möglich. Fragen zur Umsetzung gehen als Anfrage an die "
            "Geschäftsstelle."
        )
    return message % {"status": Status(status).label}


def _require_complete(project: Project) -> None:
    errors = project_rule_errors(project)
    if errors:
        raise DomainError(errors)


def sketch_submit(
    *,
    actor: User | None,
    project: Project,
    document: UploadedFile | None = None,
    expected_version: int | None = None,
) -> Project:
    """Stage 1: the Kurzskizze. Only after at least one consultation, and only complete."""
    # Say what is missing rather than only that the step is not possible now (the stored state,
    # not the caller's copy; the locked check in _transition still decides).
    if Project.objects.filter(pk=project.pk, status=S.IDEA).exists():
        raise TransitionNotAllowed(
            _(
                "Im Stand „%(status)s“ ist dieser Schritt nicht möglich: Vor der Kurzskizze ist "
                "mindestens eine Beratung durch die Geschäftsstelle nötig."
            )
            % {"status": Status.IDEA.label}
        )

    def check(locked: Project) -> None:
        if not locked.consultations.exists():
            raise DomainError(
                _(
                    "Vor der Kurzskizze ist mindestens eine Beratung durch die Geschäftsstelle nötig."
                )
            )
        _require_complete(locked)
        if document is None and not _has_document(locked, DocumentKind.SKETCH):
            raise DomainError({"document": _("Bitte die Kurzskizze als Datei hochladen.")})

    def effect(locked: Project, to: str) -> None:
        if document is not None:
            document_add(actor=actor, project=locked, kind=DocumentKind.SKETCH, upload=document)

    return _transition(
        actor=actor,
        project=project,
        action="submit_sketch",
        check=check,
        effect=effect,
        expected_version=expected_version,
    )


def description_submit(
    *,
    actor: User | None,
    project: Project,
    document: UploadedFile | None = None,
    expected_version: int | None = None,
) -> Project:
    """Stage 2: the full Projektbeschreibung, after a positive vote on the sketch."""

    def check(locked: Project) -> None:
        _require_complete(locked)
        if document is None:
            raise DomainError({"document": _("Bitte die Projektbeschreibung als Datei hochladen.")})

    def effect(locked: Project, to: str) -> None:
        document_add(actor=actor, project=locked, kind=DocumentKind.DESCRIPTION, upload=document)  # type: ignore[arg-type]

    return _transition(
        actor=actor,
        project=project,
        action="submit_description",
        check=check,
        effect=effect,
        expected_version=expected_version,
    )


def project_forward(
    *,
    actor: User | None,
    project: Project,
    comment: str = "",
    expected_version: int | None = None,
) -> Project:
    """The office puts a submitted sketch or description before the Sprecherkreis."""
    return _transition(
        actor=actor,
        project=project,
        action="forward",
        comment=comment,
        expected_version=expected_version,
    )


def outcome_record(
    *,
    actor: User | None,
    project: Project,
    body: Body,
    outcome: str,
    decided_on: date,
    reference: str = "",
    reasons: str = "",
    expected_status: str | None = None,
    expected_version: int | None = None,
) -> BodyOutcome:
    """A body's conclusion at the project's current stage drives the procedure.

    Sprecherkreis: recommends (positive or negative both go on to the Steuerkreis), or sends the
    project back, or defers it. Steuerkreis: votes; positive moves on (the Votum on the description
    reserves the budget), negative rejects, or back/deferred. The meetings app calls this from a
    decision, passing `expected_status` so a decision on a project that moved on is refused.
    The day lies between the latest step of the project's record and today
    (`dates.check_outcome`).
    """
    if outcome not in Outcome.values:
        raise DomainError({"outcome": _("Unbekanntes Ergebnis.")})
    if outcome in (Outcome.NEGATIVE, Outcome.REVISION) and not reasons.strip():
        raise DomainError({"reasons": _("Bitte begründen Sie das Ergebnis.")})
    recorded: list[BodyOutcome] = []

    def check(locked: Project) -> None:
        if expected_status is not None and locked.status != expected_status:
            raise TransitionNotAllowed(
                _("Das Vorhaben ist nicht mehr im Stand „%(status)s“.")
                % {"status": Status(expected_status).label}
            )
        expected_body = BODY_STAGES.get(locked.status)
        if expected_body is None:
            raise TransitionNotAllowed(
                _("Im Stand „%(status)s“ berät kein Gremium über das Vorhaben.")
                % {"status": locked.get_status_display()}
            )
        if body.alliance_id != locked.alliance_id or body.kind != expected_body:
            raise DomainError(
                {
                    "body": _("Im Stand „%(status)s“ ist der %(body)s am Zug.")
                    % {
                        "status": locked.get_status_display(),
                        "body": _("Sprecherkreis")
                        if expected_body == "speakers"
                        else _("Steuerkreis"),
                    }
                }
            )
        dates.check_outcome(locked, decided_on)

    def target(locked: Project) -> str:
        if outcome == Outcome.REVISION:
            return S.REVISION_REQUESTED
        if outcome == Outcome.DEFERRED:
            return S.DEFERRED
        if outcome == Outcome.NEGATIVE and BODY_STAGES.get(locked.status) == "steering":
            return S.REJECTED
        return NEXT_ON_POSITIVE.get(locked.status, locked.status)

    def effect(locked: Project, to: str) -> None:
        if to == S.ENDORSED:
            # The office may edit the project while the bodies discuss it: the Votum reserves
            # only a grant that still keeps every rule (rate, co-financing, runtime).
            _require_complete(locked)
        recorded.append(
            BodyOutcome.objects.create(
                project=locked,
                body=body,
                stage_status=locked.status,
                outcome=outcome,
                decided_on=decided_on,
                reference=reference,
                reasons=reasons,
                # What the body decided on: a later change shows against it (`changes`).
                voted_terms=voted_terms(locked),
                recorded_by=actor,
            )
        )
        if to == S.REVISION_REQUESTED:
            locked.return_status = (
                S.SKETCH_SUBMITTED if locked.status in SKETCH_STAGE else S.DESCRIPTION_SUBMITTED
            )
        elif to == S.DEFERRED:
            locked.return_status = locked.status

    label = Outcome(outcome).label
    comment = f"{body.name}: {label}" + (f" – {reasons}" if reasons else "")
    _transition(
        actor=actor,
        project=project,
        action="record_outcome",
        target=target,
        comment=comment,
        check=check,
        effect=effect,
        expected_version=expected_version,
    )
    return recorded[0]


def project_resubmit(
    *,
    actor: User | None,
    project: Project,
    document: UploadedFile | None = None,
    expected_version: int | None = None,
) -> Project:
    """Answer a revision request: back to the submission of the same stage, with a new version."""

    def check(locked: Project) -> None:
        _require_complete(locked)
        if document is None:
            raise DomainError({"document": _("Bitte die überarbeitete Fassung hochladen.")})

    def effect(locked: Project, to: str) -> None:
        kind = DocumentKind.SKETCH if to == S.SKETCH_SUBMITTED else DocumentKind.DESCRIPTION
        document_add(actor=actor, project=locked, kind=kind, upload=document)  # type: ignore[arg-type]
        locked.return_status = ""

    return _transition(
        actor=actor,
        project=project,
        action="resubmit",
        target=lambda locked: locked.return_status or S.SKETCH_SUBMITTED,
        check=check,
        effect=effect,
        expected_version=expected_version,
    )


def project_resume(
    *, actor: User | None, project: Project, expected_version: int | None = None
) -> Project:
    """A deferred project comes back before the body that deferred it."""

    def effect(locked: Project, to: str) -> None:
        locked.return_status = ""

    return _transition(
        actor=actor,
        project=project,
        action="resume",
        target=lambda locked: locked.return_status or S.DEFERRED,
        effect=effect,
        expected_version=expected_version,
    )


def application_file(
    *,
    actor: User | None,
    project: Project,
    filed_on: date,
    reference: str,
    expected_version: int | None = None,
) -> Project:
    """After the Votum the applicant files the formal application with the funding bank."""

    def check(locked: Project) -> None:
        dates.check_application(locked, filed_on)
        if not reference.strip():
            raise DomainError({"reference": _("Bitte das Aktenzeichen des Förderantrags angeben.")})

    def effect(locked: Project, to: str) -> None:
        locked.application_filed_on = filed_on
        locked.application_reference = reference

    return _transition(
        actor=actor,
        project=project,
        action="file_application",
        check=check,
        effect=effect,
        expected_version=expected_version,
    )


def bank_decision_record(
    *,
    actor: User | None,
    project: Project,
    decided_on: date,
    granted: bool,
    granted_amount: Decimal | None = None,
    comment: str = "",
    expected_version: int | None = None,
) -> Project:
    """The funding bank decides: granted (amount may be lower than requested) or declined."""

    def check(locked: Project) -> None:
        dates.check_bank_decision(locked, decided_on)
        if granted and (granted_amount is None or granted_amount <= 0):
            raise DomainError({"granted_amount": _("Bitte den bewilligten Zuschuss angeben.")})

    def effect(locked: Project, to: str) -> None:
        locked.bank_decided_on = decided_on
        if to == S.GRANTED:
            locked.granted_amount = granted_amount

    return _transition(
        actor=actor,
        project=project,
        action="record_bank_decision",
        target=lambda locked: S.GRANTED if granted else S.DECLINED,
        comment=comment,
        check=check,
        effect=effect,
        expected_version=expected_version,
    )


def project_start(
    *,
    actor: User | None,
    project: Project,
    started_on: date,
    expected_version: int | None = None,
) -> Project:
    """The project begins: after the bank's grant, within its runtime, not in the future."""

    def check(locked: Project) -> None:
        dates.check_start(locked, started_on)

    def effect(locked: Project, to: str) -> None:
        locked.started_on = started_on

    return _transition(
        actor=actor,
        project=project,
        action="start",
        check=check,
        effect=effect,
        expected_version=expected_version,
    )


def project_close(
    *,
    actor: User | None,
    project: Project,
    closed_on: date,
    final_eligible_costs: Decimal,
    final_grant: Decimal,
    final_report: UploadedFile | None = None,
    participants_entered: int | None = None,
    participants_exited: int | None = None,
    expected_version: int | None = None,
) -> Project:
    """Final report, final eligible costs and final grant; the ledger pays and releases the rest.
    Closed after the start and not in the future; no more exits than entries."""

    def check(locked: Project) -> None:
        dates.check_close(locked, closed_on)
        participant_errors = participants_rule_errors(participants_entered, participants_exited)
        if participant_errors:
            raise DomainError(participant_errors)
        if final_eligible_costs < 0 or final_grant < 0:
            raise DomainError(_("Beträge dürfen nicht negativ sein."))
        maximum = proposed_grant(locked.phase, final_eligible_costs)
        if final_grant > maximum:
            raise DomainError(
                {
                    "final_grant": _(
                        "Der abgerechnete Zuschuss darf höchstens den Fördersatz der abgerechneten Kosten betragen (%(max)s)."
                    )
                    % {"max": euro(maximum)}
                }
            )
        if final_report is None and not _has_document(locked, DocumentKind.FINAL_REPORT):
            raise DomainError({"final_report": _("Bitte den Abschlussbericht hochladen.")})

    def effect(locked: Project, to: str) -> None:
        if final_report is not None:
            document_add(
                actor=actor, project=locked, kind=DocumentKind.FINAL_REPORT, upload=final_report
            )
        locked.closed_on = closed_on
        locked.final_eligible_costs = final_eligible_costs
        locked.final_grant = final_grant
        locked.participants_entered = participants_entered
        locked.participants_exited = participants_exited

    return _transition(
        actor=actor,
        project=project,
        action="close",
        check=check,
        effect=effect,
        expected_version=expected_version,
    )


def project_withdraw(
    *,
    actor: User | None,
    project: Project,
    reason: str,
    expected_version: int | None = None,
) -> Project:
    """The applicant or the office withdraws the project; what it held goes back to the budget."""

    def check(locked: Project) -> None:
        if not reason.strip():
            raise DomainError({"reason": _("Bitte einen Grund für den Rückzug angeben.")})

    return _transition(
        actor=actor,
        project=project,
        action="withdraw",
        comment=reason,
        check=check,
        expected_version=expected_version,
    )


# --- Corrections: a recorded date corrected, never lost ------------------------------------------


def _correction_reason(reason: str) -> str:
    if not reason.strip():
        raise DomainError({"reason": _("Bitte angeben, warum die Angaben korrigiert werden.")})
    return reason.strip()


def _lock_for_correction(actor: User | None, project: Project) -> Project:
    """The project locked for a correction of its record; the office corrects (caller runs the
    transaction)."""
    locked = _lock(project)
    if actor is not None and not funding_permissions.can_correct_record(actor, locked):
        raise NotPermitted(_("Erfasste Angaben korrigiert die Geschäftsstelle des Bündnisses."))
    return locked


def _corrected(
    *,
    actor: User | None,
    record: Consultation | BodyOutcome,
    project: Project,
    values: dict[str, Any],
    reason: str,
) -> None:
    """Set `values` on the locked record and write the audit row with before and after and the
    reason: the old values stay readable in the audit trail (`selectors.record_corrections`)."""
    old = snapshot(record)
    for name, value in values.items():
        setattr(record, name, value)
    new = snapshot(record)
    changes = diff({name: old[name] for name in values}, {name: new[name] for name in values})
    if not changes:
        raise DomainError(_("Die Angaben sind unverändert; es gibt nichts zu korrigieren."))
    record.full_clean(exclude=["project", "body"])
    record.save(update_fields=list(values))
    audit_record(
        actor=actor,
        action=f"{record._meta.model_name}.correct",
        instance=record,
        alliance=project.alliance,
        changes=changes,
        comment=reason,
    )


def consultation_correct(
    *,
    actor: User | None,
    consultation: Consultation,
    held_on: date,
    participants: str,
    notes: str,
    reason: str,
) -> Consultation:
    """The office corrects a recorded consultation (its day, who took part, the notes), in any
    state of the project. The day keeps the rules of a new consultation, and the sketch keeps a
    consultation before it (`dates.check_consultation_correction`); an audit row keeps the old
    values and the reason."""
    why = _correction_reason(reason)
    if not participants.strip():
        raise DomainError(
            {"participants": _("Bitte angeben, wer an der Beratung teilgenommen hat.")}
        )
    with transaction.atomic():
        project = _lock_for_correction(actor, consultation.project)
        row = Consultation.objects.select_for_update().get(pk=consultation.pk)
        row.project = project
        dates.check_consultation_correction(row, held_on)
        _corrected(
            actor=actor,
            record=row,
            project=project,
            values={"held_on": held_on, "participants": participants.strip(), "notes": notes},
            reason=why,
        )
    for name in ("held_on", "participants", "notes"):
        setattr(consultation, name, getattr(row, name))
    return consultation


def outcome_correct(
    *,
    actor: User | None,
    outcome: BodyOutcome,
    decided_on: date,
    reference: str,
    reason: str,
) -> BodyOutcome:
    """The office corrects the day and the reference of a body's outcome, in any state of the
    project. The day stays between the steps recorded before and after it and today
    (`dates.check_outcome_correction`); an audit row keeps the old values and the reason. What
    the body concluded is not corrected: the procedure moved on it."""
    why = _correction_reason(reason)
    with transaction.atomic():
        project = _lock_for_correction(actor, outcome.project)
        row = (
            BodyOutcome.objects.select_for_update(of=("self",))
            .select_related("body")
            .get(pk=outcome.pk)
        )
        row.project = project
        dates.check_outcome_correction(row, decided_on)
        _corrected(
            actor=actor,
            record=row,
            project=project,
            values={"decided_on": decided_on, "reference": reference.strip()},
            reason=why,
        )
    outcome.decided_on, outcome.reference = row.decided_on, row.reference
    return outcome


# --- One entry for every step -------------------------------------------------------------------

# The service of each step of `states.STEPS`, by the step's name (a test holds both lists equal).
STEP_SERVICES: dict[str, Callable[..., object]] = {
    "record_consultation": consultation_record,
    "submit_sketch": sketch_submit,
    "forward": project_forward,
    "record_outcome": outcome_record,
    "submit_description": description_submit,
    "resubmit": project_resubmit,
    "resume": project_resume,
    "file_application": application_file,
    "record_bank_decision": bank_decision_record,
    "start": project_start,
    "close": project_close,
    "withdraw": project_withdraw,
}


def project_act(
    *,
    actor: User | None,
    project: Project,
    action: str,
    expected_version: int | None = None,
    **params: Any,
) -> object:
    """Take the step `action` (a name of `states.STEPS`) with its parameters: the one call of the
    API, the applicant portal, the office workspace and the meetings' decisions. Returns what the
    step's service returns (the project, or the recorded consultation or outcome)."""
    service = STEP_SERVICES.get(action)
    if service is None:
        raise DomainError(
            {
                "action": _("Unbekannte Aktion. Möglich sind: %(actions)s.")
                % {"actions": ", ".join(STEPS)}
            }
        )
    return service(actor=actor, project=project, expected_version=expected_version, **params)


# --- Projects from an alliance's past (onboarding) ----------------------------------------------

# What an import sets on a new project, besides phase, owner, state, reference and co-financing.
IMPORT_FIELDS = frozenset(
    {
        "title",
        "action_field",
        "starts_on",
        "ends_on",
        "eligible_costs",
        "granted_amount",
        "final_eligible_costs",
        "final_grant",
        "closed_on",
        "planned_participants",
        "participants_entered",
        "participants_exited",
    }
)
# What a repeated import may change on a project that exists: its title, field and dates and the
# figures of participation. State, phase, owner and amounts belong to the procedure and its
# bookings: the office changes them in the workspace.
IMPORT_UPDATABLE_FIELDS = (
    "title",
    "action_field",
    "starts_on",
    "ends_on",
    "closed_on",
    "planned_participants",
    "participants_entered",
    "participants_exited",
)
# States whose grant an import books on the ledger (committed; closed: paid).
_BOOKED_ON_IMPORT = frozenset({S.GRANTED, S.RUNNING, S.CLOSED})


def _runtime_errors(project: Project) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    phase = project.phase
    if project.starts_on and project.ends_on and project.ends_on < project.starts_on:
        errors.setdefault("ends_on", []).append(
            _("Die Laufzeit kann nicht vor ihrem Beginn enden.")
        )
    if project.starts_on and project.starts_on < phase.starts_on:
        errors.setdefault("starts_on", []).append(
            _("Die Laufzeit beginnt vor der Förderphase (ab %(start)s).")
            % {"start": _d(phase.starts_on)}
        )
    if project.ends_on and project.ends_on > latest_end(phase):
        errors.setdefault("ends_on", []).append(
            _("Die Laufzeit muss bis %(end)s enden (Förderphase %(phase)s).")
            % {"end": _d(latest_end(phase)), "phase": phase.name}
        )
    if project.closed_on and project.status != S.CLOSED:
        errors.setdefault("closed_on", []).append(
            _("Nur ein abgeschlossenes Vorhaben hat ein Abschlussdatum.")
        )
    if project.closed_on and project.starts_on and project.closed_on < project.starts_on:
        errors.setdefault("closed_on", []).append(
            _("Ein Vorhaben kann nicht vor seinem Beginn abgeschlossen sein.")
        )
    return errors


def import_rule_errors(
    project: Project, *, cofinancing_total: Decimal | None = None
) -> dict[str, list[str]]:
    """Every rule a project brought over from the alliance's past must meet, as field → German
    messages, read from the (unsaved) project alone: the onboarding checks every row of a file
    with it before anything is written, `project_import` again when it writes. The money rules
    are the procedure's: the grant within the phase's rate of the eligible costs, the final
    grant within the grant and within the rate of the final costs, grant and co-financing
    making up the costs; and no more exits than entries (`participants_rule_errors`)."""
    errors = _draft_errors(project)

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    status = project.status
    if status not in IMPORT_STATES:
        add(
            "status",
            _(
                "Übernommen werden Vorhaben in den Ständen %(states)s. Ein Vorhaben im Verfahren "
                "legt die Geschäftsstelle an und führt es durch das Verfahren."
            )
            % {"states": ", ".join(f"„{Status(state).label}“" for state in IMPORT_STATES)},
        )
        return errors
    for field, messages in _runtime_errors(project).items():
        errors.setdefault(field, []).extend(messages)
    for field, messages in participants_rule_errors(
        project.participants_entered, project.participants_exited
    ).items():
        errors.setdefault(field, []).extend(messages)
    granted = project.granted_amount
    if status in _BOOKED_ON_IMPORT:
        if project.starts_on is None:
            add("starts_on", _("Bitte den Beginn der Laufzeit angeben."))
        if project.ends_on is None:
            add("ends_on", _("Bitte das Ende der Laufzeit angeben."))
        if project.eligible_costs <= 0:
            add("eligible_costs", _("Bitte die förderfähigen Gesamtkosten angeben."))
        if granted is None or granted <= 0:
            add("granted_amount", _("Bitte den bewilligten Zuschuss angeben."))
        elif granted > proposed_grant(project.phase, project.eligible_costs):
            add(
                "granted_amount",
                _(
                    "Der Zuschuss darf höchstens %(rate)s %% der förderfähigen Kosten betragen, also %(max)s."
                )
                % {
                    "rate": formats.number_format(
                        project.phase.funding_rate.normalize(), use_l10n=True
                    ),
                    "max": euro(proposed_grant(project.phase, project.eligible_costs)),
                },
            )
        if (
            granted is not None
            and cofinancing_total is not None
            and project.eligible_costs > 0
            and granted + cofinancing_total != project.eligible_costs
        ):
            add(
                "cofinancing",
                _(
                    "Zuschuss (%(grant)s) und Kofinanzierung (%(cof)s) ergeben %(sum)s, die förderfähigen "
                    "Kosten sind aber %(costs)s. Beides muss übereinstimmen."
                )
                % {
                    "grant": euro(granted),
                    "cof": euro(cofinancing_total),
                    "sum": euro(granted + cofinancing_total),
                    "costs": euro(project.eligible_costs),
                },
            )
    elif granted is not None and status in (S.DECLINED, S.REJECTED):
        add("granted_amount", _("Ein abgelehntes Vorhaben hat keinen bewilligten Zuschuss."))
    if status == S.CLOSED:
        final_grant, final_costs = project.final_grant, project.final_eligible_costs
        if final_costs is None:
            add("final_eligible_costs", _("Bitte die abgerechneten förderfähigen Kosten angeben."))
        if final_grant is None:
            add("final_grant", _("Bitte den abgerechneten Zuschuss angeben."))
        elif granted is not None and final_grant > granted:
            add(
                "final_grant",
                _(
                    "Der abgerechnete Zuschuss (%(final)s) ist höher als der bewilligte (%(committed)s)."
                )
                % {"final": euro(final_grant), "committed": euro(granted)},
            )
        elif final_costs is not None and final_grant > proposed_grant(project.phase, final_costs):
            add(
                "final_grant",
                _(
                    "Der abgerechnete Zuschuss darf höchstens den Fördersatz der abgerechneten Kosten betragen (%(max)s)."
                )
                % {"max": euro(proposed_grant(project.phase, final_costs))},
            )
        if project.closed_on is None:
            add("closed_on", _("Bitte das Datum des Abschlusses angeben."))
    else:
        for field in ("final_eligible_costs", "final_grant"):
            if getattr(project, field) is not None:
                add(field, _("Nur ein abgeschlossenes Vorhaben hat eine Abrechnung."))
    return errors


def project_import(
    *,
    actor: User | None,
    alliance: Alliance,
    phase: FundingPhase,
    applicant_organisation: Organisation,
    status: str,
    reference: str = "",
    cofinancing: Iterable[Share] = (),
    comment: str = "",
    **fields: Any,
) -> Project:
    """A project of the alliance's past, created directly in its state (`states.IMPORT_STATES`)
    instead of walking the procedure: one Transition and one audit row say it was imported, and
    the ledger books what the state implies (`budget.book_imported`: a granted or running
    project holds its grant as committed, a closed one has its final grant paid), so the phase's
    figures add up. Without `reference`, the next running number of the phase."""
    if actor is not None and not permissions.can_manage(actor, alliance):
        raise NotPermitted(_("Vorhaben übernimmt die Geschäftsstelle des Bündnisses."))
    unknown = set(fields) - IMPORT_FIELDS
    if unknown:
        raise TypeError(f"Unbekannte Felder: {sorted(unknown)}")
    shares = list(cofinancing)
    note = comment or _("Importiert")
    with transaction.atomic():
        Alliance.objects.select_for_update(no_key=True).get(pk=alliance.pk)
        project = Project(
            alliance=alliance,
            phase=phase,
            applicant_organisation=applicant_organisation,
            status=status,
            created_by=actor,
            **fields,
        )
        project.requested_grant = project.granted_amount or Decimal(0)
        if status in (S.RUNNING, S.CLOSED):
            project.started_on = project.starts_on
        project.reference = reference or _next_reference(alliance, phase)
        errors = import_rule_errors(
            project,
            cofinancing_total=sum((share.amount for share in shares), Decimal(0))
            if shares
            else None,
        )
        try:
            project.full_clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
        if errors:
            raise DomainError(errors)
        project.save()
        rows = []
        for share in shares:
            if share.organisation is not None and share.organisation.alliance_id != alliance.pk:
                raise DomainError(
                    {
                        "cofinancing": _("„%(org)s“ gehört zu einem anderen Bündnis.")
                        % {"org": share.organisation}
                    }
                )
            row = CoFinancing(
                project=project,
                organisation=share.organisation,
                name=share.name,
                amount=share.amount,
            )
            row.full_clean(exclude=["project"])
            rows.append(row)
        CoFinancing.objects.bulk_create(rows)
        Transition.objects.create(
            project=project, from_status=S.IDEA, to_status=status, actor=actor, comment=note
        )
        # The state holds since the project's own day where the sheet gives it (a project
        # closed in 2016 is not "Stand seit" the day of the import); the transition row keeps
        # the import's day: that is when it was recorded here.
        since = project.closed_on if status == S.CLOSED else project.started_on
        if status in (S.RUNNING, S.CLOSED) and since is not None:
            project.status_changed_at = datetime.combine(
                since, time(12), tzinfo=timezone.get_current_timezone()
            )
            Project.objects.filter(pk=project.pk).update(
                status_changed_at=project.status_changed_at
            )
        audit_record(
            actor=actor,
            action="project.import",
            instance=project,
            to_state=status,
            changes={
                **snapshot(project),
                "cofinancing": [f"{row.payer}: {row.amount}" for row in rows],
            },
            comment=note,
        )
        if status in _BOOKED_ON_IMPORT:
            budget.book_imported(
                actor=actor,
                project=project,
                granted=project.granted_amount or Decimal(0),
                final_grant=project.final_grant if status == S.CLOSED else None,
            )
    return project


def import_update_errors(project: Project) -> dict[str, list[str]]:
    """The rules a repeated import's changes (`IMPORT_UPDATABLE_FIELDS`) must keep, as field →
    German messages: the alliance's own field of action of the phase, the runtime within the
    phase, a closing day only for a closed project, no more exits than entries."""
    errors = _draft_errors(project)
    for field, messages in _runtime_errors(project).items():
        errors.setdefault(field, []).extend(messages)
    for field, messages in participants_rule_errors(
        project.participants_entered, project.participants_exited
    ).items():
        errors.setdefault(field, []).extend(messages)
    return errors


def project_import_update(
    *, actor: User | None, project: Project, comment: str = "", **changes: Any
) -> Project:
    """A repeated import changes what `IMPORT_UPDATABLE_FIELDS` names on a project that exists,
    in whatever state: its title, field and dates and the figures of participation."""
    unknown = set(changes) - set(IMPORT_UPDATABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unbekannte Felder: {sorted(unknown)}")
    with transaction.atomic():
        locked = _lock(project)
        if actor is not None and not permissions.can_manage(actor, locked.alliance):
            raise NotPermitted(_("Vorhaben übernimmt die Geschäftsstelle des Bündnisses."))
        before = snapshot(locked)
        for name, value in changes.items():
            setattr(locked, name, value)
        errors = import_update_errors(locked)
        try:
            locked.full_clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
        if errors:
            raise DomainError(errors)
        locked.version += 1
        locked.save()
        audit_record(
            actor=actor,
            action="project.update",
            instance=locked,
            changes=diff(before, snapshot(locked)),
            comment=comment or _("Importiert"),
        )
    _refresh(project, locked)
    return project
